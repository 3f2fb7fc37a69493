import { CEM_DEFAULTS, icemSequencesPerStep, type OptimizerName } from "../cem";
import type { Config } from "../config/parameters";
import type { PlannerSettings } from "./RecedingHorizonPlanner";

/** Planner settings from the `planner` section of the configuration. */
export function plannerSettingsFromConfig(p: Config["planner"], evaluatePlan = true): PlannerSettings {
  const axis: Record<number, number> = {};
  const fixed: Array<[number, number | null]> = [
    [0, p.fix_dx],
    [1, p.fix_dy],
    [2, p.fix_dz],
    [3, p.fix_gripper],
  ];
  for (const [i, v] of fixed) if (v !== null) axis[i] = v;
  return {
    cem: {
      horizon: p.horizon,
      samples: p.samples,
      iterations: p.iterations,
      topk: p.topk,
      maxnorm: p.maxnorm,
      momentumMean: p.momentum_mean,
      momentumStd: p.momentum_std,
      momentumMeanGripper: p.momentum_mean_gripper,
      momentumStdGripper: p.momentum_std_gripper,
      gripperClip: p.gripper_clip,
      gripperRoundBelow: p.gripper_round_below,
      closeGripper: p.close_gripper,
      gripperExclusive: p.gripper_exclusive,
      axis,
      seed: p.seed,
      populationDecay: p.icem_population_decay,
      keepElites: p.icem_keep_elites,
      noiseBeta: p.icem_noise_beta,
      execute: p.icem_execute as "best" | "mean",
    },
    optimizer: p.optimizer as OptimizerName,
    warmStart: p.warm_start,
    returnToBest: p.return_to_best,
    evaluatePlan,
  };
}

/**
 * Predictor evaluations one planning step costs with these settings: sequences scored × horizon, plus
 * the plan's own evaluation when `evaluatePlan` (iCEM's shifted elites, H ≥ 2, add up to topk more).
 */
export function evaluationsPerAction(settings: PlannerSettings): number {
  const c = settings.cem;
  const horizon = c.horizon ?? CEM_DEFAULTS.horizon;
  const options = { samples: c.samples ?? CEM_DEFAULTS.samples, iterations: c.iterations ?? CEM_DEFAULTS.iterations, topk: c.topk ?? CEM_DEFAULTS.topk };
  const sequences =
    (settings.optimizer ?? "cem") === "icem"
      ? icemSequencesPerStep({ ...options, populationDecay: c.populationDecay, addMean: c.addMean })
      : options.samples * options.iterations;
  return (sequences + (settings.evaluatePlan ? 1 : 0)) * horizon;
}
