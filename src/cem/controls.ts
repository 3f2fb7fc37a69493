/**
 * Small pieces the optimisers share: where each control sits in the 7-value action, fixed axes, and
 * scores with non-finite energies mapped to +Infinity.
 */
import { ACTION_DIM, CONTROL_DIM, GRIPPER_CONTROL_INDEX } from "./options";

/** Column of each control index (dx, dy, dz, dgripper) in the 7-value action. */
export const ACTION_COLUMN = Int32Array.of(0, 1, 2, 6);

/** Fixed value per control (dx, dy, dz, dgripper) from an `axis` map, NaN where the control is free. */
export function fixedValues(axis: Readonly<Record<number, number>>): Float64Array {
  const fixedValue = new Float64Array(CONTROL_DIM).fill(NaN);
  for (const [key, value] of Object.entries(axis)) fixedValue[Number(key)] = value;
  return fixedValue;
}

/** Copies energies into `scores`, mapping NaN/±Infinity to +Infinity; returns how many were mapped. */
export function copyScores(energies: ArrayLike<number>, scores: Float64Array, count: number, offset = 0): number {
  let nonFinite = 0;
  for (let s = 0; s < count; s++) {
    const e = +energies[s];
    if (e - e === 0) {
      scores[offset + s] = e; // finite (NaN and ±Inf give NaN here)
    } else {
      scores[offset + s] = Infinity;
      nonFinite++;
    }
  }
  return nonFinite;
}

/**
 * Sets fixed controls (non-NaN entries of `fixedValue`) exactly in `mean`. A fixed gripper is pinned
 * only before step `gripperFreeFrom`: from `closeGripper` on the samples carry 1.0, not the fixed value,
 * and the mean follows them as upstream.
 */
export function pinFixedAxes(mean: Float64Array, fixedValue: Float64Array, horizon: number, gripperFreeFrom: number): void {
  for (let d = 0; d < CONTROL_DIM; d++) {
    const fixed = fixedValue[d];
    if (fixed !== fixed) continue; // NaN: free
    const steps = d === GRIPPER_CONTROL_INDEX ? Math.min(horizon, gripperFreeFrom) : horizon;
    for (let h = 0; h < steps; h++) mean[h * CONTROL_DIM + d] = fixed;
  }
}

/** The momenta of the refit: weight of the old value, for xyz and for the gripper. */
export interface RefitMomenta {
  readonly momentumMean: number;
  readonly momentumStd: number;
  readonly momentumMeanGripper: number;
  readonly momentumStdGripper: number;
}

/**
 * Elite mean and unbiased std (n − 1, as torch.std) per control over the elite rows of `rows` ([*, H, 7]
 * actions), then `new = elite·(1 − m) + old·m` with the xyz or gripper momenta (upstream `cem`).
 */
export function refitToElite(
  rows: Float32Array | Float64Array,
  eliteIndices: Int32Array,
  topk: number,
  horizon: number,
  mean: Float64Array,
  std: Float64Array,
  o: RefitMomenta,
): void {
  const K = topk;
  const rowStride = horizon * ACTION_DIM;
  for (let h = 0; h < horizon; h++) {
    for (let d = 0; d < CONTROL_DIM; d++) {
      const offset = h * ACTION_DIM + ACTION_COLUMN[d];
      let sum = 0;
      for (let i = 0; i < K; i++) sum += rows[eliteIndices[i] * rowStride + offset];
      const eliteMean = sum / K;
      let squares = 0;
      for (let i = 0; i < K; i++) {
        const deviation = rows[eliteIndices[i] * rowStride + offset] - eliteMean;
        squares += deviation * deviation;
      }
      const eliteStd = Math.sqrt(squares / (K - 1));
      const isGripper = d === GRIPPER_CONTROL_INDEX;
      const momentumMean = isGripper ? o.momentumMeanGripper : o.momentumMean;
      const momentumStd = isGripper ? o.momentumStdGripper : o.momentumStd;
      const j = h * CONTROL_DIM + d;
      mean[j] = eliteMean * (1 - momentumMean) + mean[j] * momentumMean;
      std[j] = eliteStd * (1 - momentumStd) + std[j] * momentumStd;
    }
  }
}

/**
 * The first distribution of a plan: the warm start when given, else the cold start (mean 0; std `maxnorm`
 * for xyz and 1 for the gripper); fixed axes pinned in the mean (upstream: mean[:, ax] = axis[ax]).
 */
export function initialDistribution(
  horizon: number,
  maxnorm: number,
  warmStart: { mean: Float64Array; std: Float64Array } | null,
  fixedValue: Float64Array,
): { mean: Float64Array; std: Float64Array } {
  const mean = new Float64Array(horizon * CONTROL_DIM);
  const std = new Float64Array(horizon * CONTROL_DIM);
  if (warmStart) {
    mean.set(warmStart.mean);
    std.set(warmStart.std);
  } else {
    for (let h = 0; h < horizon; h++) {
      for (let d = 0; d < CONTROL_DIM; d++) std[h * CONTROL_DIM + d] = d === GRIPPER_CONTROL_INDEX ? 1 : maxnorm;
    }
  }
  pinFixedAxes(mean, fixedValue, horizon, horizon);
  return { mean, std };
}

/**
 * The exclusive-gripper rule (option gripperExclusive) on the first `rows` action rows of [H, 7]:
 * where |dgripper| ≥ roundBelow the gripper delta becomes ±1 (the closedness saturates: fully open or
 * closed) and dx, dy, dz become 0; elsewhere the gripper delta becomes 0.
 */
export function applyExclusiveGripper(actions: Float32Array | Float64Array, rows: number, horizon: number, roundBelow: number): void {
  for (let r = 0; r < rows; r++) {
    for (let h = 0; h < horizon; h++) {
      const a = (r * horizon + h) * ACTION_DIM;
      const g = actions[a + 6];
      if (Math.abs(g) >= roundBelow) {
        actions[a] = 0;
        actions[a + 1] = 0;
        actions[a + 2] = 0;
        actions[a + 6] = g > 0 ? 1 : -1;
      } else {
        actions[a + 6] = 0;
      }
    }
  }
}
