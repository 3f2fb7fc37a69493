/**
 * Warm start for receding-horizon planning: the next plan starts from the previous distribution shifted
 * by the step that was just executed.
 *
 * Mean: step h takes the previous step h + 1; the tail repeats the previous last step (a motion in
 * progress is more likely to continue than to stop, and with H = 1 this keeps the last action as the
 * new centre). Std: the shifted previous std, raised to a floor per control so the search never starts
 * collapsed (CEM shrinks the std quickly; a floor keeps room to react to what the last step changed).
 */
import { CEM_DEFAULTS, CONTROL_DIM, GRIPPER_CONTROL_INDEX, type CemDistribution } from "./options";

/** How to derive the next initial distribution. */
export interface WarmStartOptions {
  /** Horizon of the next plan (steps); defaults to the previous horizon. */
  readonly horizon?: number;
  /** Lower bound of the xyz std (m); defaults to maxnorm / 2. */
  readonly stdFloorXyz?: number;
  /** Lower bound of the gripper std (closedness units); defaults to 0.5 (the cold start uses 1). */
  readonly stdFloorGripper?: number;
  /** Translation bound used for the default xyz floor (m); defaults to `CEM_DEFAULTS.maxnorm`. */
  readonly maxnorm?: number;
}

/**
 * Initial distribution for the next `planCem` call (`options.warmStart`), from the previous result's
 * `mean` and `std` ([H, 4] each): shifted one step, tail repeated, std floored (see module comment).
 * @throws Error when the previous distribution is malformed or an option is out of range
 */
export function warmStartFromPrevious(previous: CemDistribution, options: WarmStartOptions = {}): CemDistribution {
  const previousLength = previous.mean.length;
  if (previousLength === 0 || previousLength % CONTROL_DIM !== 0 || previous.std.length !== previousLength) {
    throw new Error(`warmStartFromPrevious: previous mean/std must both hold H × 4 values, got ${previous.mean.length} and ${previous.std.length}`);
  }
  const previousHorizon = previousLength / CONTROL_DIM;
  const horizon = options.horizon ?? previousHorizon;
  if (!Number.isInteger(horizon) || horizon < 1) {
    throw new Error(`warmStartFromPrevious: horizon must be an integer ≥ 1, got ${horizon}`);
  }
  const maxnorm = options.maxnorm ?? CEM_DEFAULTS.maxnorm;
  const floorXyz = options.stdFloorXyz ?? maxnorm / 2;
  const floorGripper = options.stdFloorGripper ?? 0.5;
  for (const [name, value] of [
    ["maxnorm", maxnorm],
    ["stdFloorXyz", floorXyz],
    ["stdFloorGripper", floorGripper],
  ] as const) {
    if (!Number.isFinite(value) || value < 0) {
      throw new Error(`warmStartFromPrevious: ${name} must be a finite number ≥ 0, got ${value}`);
    }
  }

  const mean = new Float64Array(horizon * CONTROL_DIM);
  const std = new Float64Array(horizon * CONTROL_DIM);
  for (let h = 0; h < horizon; h++) {
    const source = Math.min(h + 1, previousHorizon - 1);
    for (let d = 0; d < CONTROL_DIM; d++) {
      const floor = d === GRIPPER_CONTROL_INDEX ? floorGripper : floorXyz;
      const m = previous.mean[source * CONTROL_DIM + d];
      const s = previous.std[source * CONTROL_DIM + d];
      if (!Number.isFinite(m) || !Number.isFinite(s)) {
        throw new Error(`warmStartFromPrevious: previous step ${source} control ${d} is not finite (mean ${m}, std ${s})`);
      }
      mean[h * CONTROL_DIM + d] = m;
      std[h * CONTROL_DIM + d] = Math.max(s, floor);
    }
  }
  return { mean, std };
}
