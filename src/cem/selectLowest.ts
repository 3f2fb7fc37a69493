/**
 * Partial selection of the k smallest values, for the CEM elite (k ≪ S, e.g. 10 of 800).
 *
 * A sorted insertion buffer of size k: one comparison per value against the current k-th smallest,
 * and a short shift only when a value enters the buffer. O(S) typical, O(S·k) worst case (values in
 * descending order), no allocation, far cheaper than sorting S values.
 */

/**
 * Writes the indices of the `k` smallest of `values[0 .. count)` into `outIndices[0 .. k)`, ordered by
 * ascending value; equal values keep ascending index order (stable). `outValues[0 .. k)` receives the
 * values themselves. NaN must not occur (map it to +Infinity first); +Infinity is allowed.
 * @param values     the scores
 * @param count      how many leading entries of `values` to consider (≥ k)
 * @param k          how many to select (≥ 1)
 * @param outIndices destination of length ≥ k
 * @param outValues  scratch/destination of length ≥ k
 */
export function selectLowest(values: ArrayLike<number>, count: number, k: number, outIndices: Int32Array, outValues: Float64Array): void {
  if (k < 1 || k > count || outIndices.length < k || outValues.length < k || values.length < count) {
    throw new Error(
      `selectLowest: need 1 ≤ k (${k}) ≤ count (${count}) ≤ values.length (${values.length}) and buffers of length ≥ k (${outIndices.length}, ${outValues.length})`,
    );
  }
  // Fill the buffer with the first k entries, insertion-sorted.
  for (let i = 0; i < k; i++) {
    const v = values[i];
    let j = i;
    while (j > 0 && outValues[j - 1] > v) {
      outValues[j] = outValues[j - 1];
      outIndices[j] = outIndices[j - 1];
      j--;
    }
    outValues[j] = v;
    outIndices[j] = i;
  }
  let threshold = outValues[k - 1];
  for (let i = k; i < count; i++) {
    const v = values[i];
    if (!(v < threshold)) continue; // strict: on ties the earlier index stays
    let j = k - 1;
    while (j > 0 && outValues[j - 1] > v) {
      outValues[j] = outValues[j - 1];
      outIndices[j] = outIndices[j - 1];
      j--;
    }
    outValues[j] = v;
    outIndices[j] = i;
    threshold = outValues[k - 1];
  }
}
