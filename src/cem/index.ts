/** Cross-entropy-method planner: pure, seedable, driven by an async batch energy function. */
export {
  ACTION_DIM,
  CEM_DEFAULTS,
  CONTROL_DIM,
  GRIPPER_CONTROL_INDEX,
  resolveCemOptions,
  type CemDistribution,
  type CemOptions,
  type ResolvedCemOptions,
  type StandardNormalSampler,
} from "./options";
export { planCem, type BatchEnergyFn, type CemIterationStats, type CemResult } from "./planCem";
export { planIcem, colouredNoiseFilter, icemPopulation, icemSequencesPerStep, ICEM_DEFAULTS, type IcemOptions, type IcemResult } from "./planIcem";
export { OPTIMIZERS, OPTIMIZER_NAMES, optimizerByName, type Optimizer, type OptimizerName, type OptimizerOptions } from "./optimizers";
export { createStandardNormalSampler, foldSeed } from "./normalSampler";
export { selectLowest } from "./selectLowest";
export { warmStartFromPrevious, type WarmStartOptions } from "./warmStart";
