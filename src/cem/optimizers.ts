/**
 * The planning optimisers, by the names `planner.optimizer` takes. Each takes the batch energy function
 * and the CEM options (plus its own, ignored by the others) and returns a CEM-shaped result.
 *
 * Adding one: write src/cem/plan<Name>.ts exporting an `Optimizer`, register it below; the parameter's
 * choices come from OPTIMIZER_NAMES, so config/default.yaml and the README's table (regenerate them:
 * `vjepa2-mpc config --defaults`, `npm run docs:parameters`) list it.
 */
import type { CemOptions } from "./options";
import { planCem, type BatchEnergyFn, type CemResult } from "./planCem";
import { planIcem, type IcemOptions } from "./planIcem";

/** Options any optimiser accepts: CEM's, and iCEM's extras (ignored by CEM). */
export type OptimizerOptions = Partial<CemOptions> & Partial<Omit<IcemOptions, keyof CemOptions>>;

/** A planning optimiser: scores batches through `energy` and returns the plan. */
export type Optimizer = (energy: BatchEnergyFn, options: OptimizerOptions) => Promise<CemResult & { readonly elites?: Float64Array }>;

/** planner.optimizer: name -> optimiser. `cem` (upstream semantics) is the default. */
export const OPTIMIZERS = {
  cem: planCem,
  icem: planIcem,
} as const satisfies Readonly<Record<string, Optimizer>>;

export type OptimizerName = keyof typeof OPTIMIZERS;

/** The registered names, for the parameter's choices. */
export const OPTIMIZER_NAMES = Object.keys(OPTIMIZERS) as readonly OptimizerName[];

/** The optimiser registered as `name`; throws naming the known ones. */
export function optimizerByName(name: string): Optimizer {
  if (!Object.prototype.hasOwnProperty.call(OPTIMIZERS, name)) {
    throw new Error(`unknown planner.optimizer '${name}': known optimizers are ${OPTIMIZER_NAMES.join(", ")}`);
  }
  return OPTIMIZERS[name as OptimizerName];
}
