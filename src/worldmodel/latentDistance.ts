/**
 * Mean absolute difference between two latents of equal size: the planner's energy (upstream `l1`
 * over the flattened N·D tokens). Accumulates in float64. Returns NaN if any value is non-finite.
 */
export function latentL1(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length || a.length === 0) throw new Error(`latentL1: sizes ${a.length} and ${b.length} differ or are empty`);
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i] - b[i]);
  return sum / a.length;
}
