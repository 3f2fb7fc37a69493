/**
 * Small pieces the optimisers share: where each control sits in the 7-value action, fixed axes, and
 * scores with non-finite energies mapped to +Infinity.
 */
import { CONTROL_DIM, GRIPPER_CONTROL_INDEX } from "./options";

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
