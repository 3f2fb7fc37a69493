/** A float32 tensor: row-major data and its dimensions. */
export interface FloatTensor {
  readonly data: Float32Array;
  readonly dims: readonly number[];
}

/** Builds a tensor, checking that the data length matches the dimensions. */
export function tensor(data: Float32Array, dims: readonly number[], what = "tensor"): FloatTensor {
  const size = dims.reduce((a, b) => a * b, 1);
  if (data.length !== size) throw new Error(`${what}: ${data.length} values do not fill shape [${dims.join(", ")}] (${size})`);
  return { data, dims: [...dims] };
}

/**
 * Checks a tensor's shape against an expected one (`null` = any size) and that every value is finite.
 * Throws an Error naming the tensor, the shapes, and the first bad value's index.
 */
export function checkTensor(t: FloatTensor, expected: ReadonlyArray<number | null>, what: string): void {
  const ok = t.dims.length === expected.length && expected.every((d, i) => d === null || t.dims[i] === d);
  if (!ok) {
    const want = expected.map((d) => (d === null ? "?" : String(d))).join(", ");
    throw new Error(`${what}: shape [${t.dims.join(", ")}] does not match [${want}]`);
  }
  const size = t.dims.reduce((a, b) => a * b, 1);
  if (t.data.length !== size) throw new Error(`${what}: ${t.data.length} values for shape [${t.dims.join(", ")}]`);
  for (let i = 0; i < t.data.length; i++) {
    if (!Number.isFinite(t.data[i])) throw new Error(`${what}: non-finite value ${t.data[i]} at flat index ${i}`);
  }
}
