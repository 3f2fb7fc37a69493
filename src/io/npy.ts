/**
 * NumPy `.npy` (format 1.0–3.0) encoding and decoding for the dtypes the project exchanges:
 * float32, float64, float16 (as raw uint16), uint8, int32, int64 (as float64 when it fits).
 * Only C-ordered little-endian arrays; anything else is rejected with the reason.
 */

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // "\x93NUMPY"

/** Element types an `.npy` array can have here. */
export type NpyDtype = "float32" | "float64" | "uint8" | "int32" | "int64" | "float16";

/** A decoded array: typed data (C order) and its shape. */
export interface NpyArray {
  dtype: NpyDtype;
  shape: number[];
  /** float16 comes back as the raw bit patterns; int64 as float64 (exact below 2^53). */
  data: Float32Array | Float64Array | Uint8Array | Int32Array | Uint16Array;
}

const DESCR: Record<string, NpyDtype> = {
  "<f4": "float32",
  "<f8": "float64",
  "|u1": "uint8",
  "<u1": "uint8",
  "<i4": "int32",
  "<i8": "int64",
  "<f2": "float16",
};
const DESCR_OF: Record<NpyDtype, string> = {
  float32: "<f4",
  float64: "<f8",
  uint8: "|u1",
  int32: "<i4",
  int64: "<i8",
  float16: "<f2",
};
const ITEM_SIZE: Record<NpyDtype, number> = { float32: 4, float64: 8, uint8: 1, int32: 4, int64: 8, float16: 2 };

/** Number of elements of a shape. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

/**
 * Decodes an `.npy` file's bytes. Throws with the reason (bad magic, unsupported dtype, Fortran order,
 * or a payload shorter than the header promises).
 */
export function decodeNpy(bytes: Uint8Array, what = "array"): NpyArray {
  if (bytes.length < 10 || MAGIC.some((b, i) => bytes[i] !== b)) {
    throw new Error(`${what}: not a .npy file (magic bytes missing)`);
  }
  const major = bytes[6];
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let headerLength: number;
  let headerStart: number;
  if (major === 1) {
    headerLength = view.getUint16(8, true);
    headerStart = 10;
  } else if (major === 2 || major === 3) {
    headerLength = view.getUint32(8, true);
    headerStart = 12;
  } else {
    throw new Error(`${what}: unsupported .npy format version ${major}`);
  }
  const header = new TextDecoder("latin1").decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`${what}: malformed .npy header ${JSON.stringify(header.trim())}`);
  }
  const dtype = DESCR[descr];
  if (dtype === undefined) {
    throw new Error(`${what}: unsupported dtype '${descr}' (supported: ${Object.keys(DESCR).join(", ")})`);
  }
  if (fortran === "True") throw new Error(`${what}: Fortran-ordered arrays are not supported; save with C order`);
  const shape = shapeText
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => Number.parseInt(s, 10));
  const count = shapeSize(shape);
  const offset = headerStart + headerLength;
  const byteLength = count * ITEM_SIZE[dtype];
  if (bytes.length - offset < byteLength) {
    throw new Error(`${what}: truncated .npy payload: ${bytes.length - offset} bytes for shape [${shape.join(", ")}] ${dtype}, expected ${byteLength}`);
  }
  // Copy into a fresh, aligned buffer so callers own the data and typed-array alignment holds.
  const payload = bytes.slice(offset, offset + byteLength).buffer;
  switch (dtype) {
    case "float32":
      return { dtype, shape, data: new Float32Array(payload) };
    case "float64":
      return { dtype, shape, data: new Float64Array(payload) };
    case "uint8":
      return { dtype, shape, data: new Uint8Array(payload) };
    case "int32":
      return { dtype, shape, data: new Int32Array(payload) };
    case "float16":
      return { dtype, shape, data: new Uint16Array(payload) };
    case "int64": {
      const big = new BigInt64Array(payload);
      const out = new Float64Array(count);
      for (let i = 0; i < count; i++) out[i] = Number(big[i]);
      return { dtype, shape, data: out };
    }
  }
}

/** Encodes a C-ordered array as `.npy` (format 1.0). `data.length` must equal the shape's size. */
export function encodeNpy(array: NpyArray): Uint8Array {
  const { dtype, shape, data } = array;
  if (data.length !== shapeSize(shape)) {
    throw new Error(`cannot write .npy: ${data.length} values for shape [${shape.join(", ")}]`);
  }
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(", ")})`;
  let header = `{'descr': '${DESCR_OF[dtype]}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad so the payload starts at a multiple of 64 bytes, newline-terminated, as numpy does.
  const unpadded = 10 + header.length + 1;
  header += " ".repeat((64 - (unpadded % 64)) % 64) + "\n";
  const headerBytes = new TextEncoder().encode(header);
  let payload: Uint8Array;
  if (dtype === "int64") {
    const big = BigInt64Array.from(Array.from(data, (v) => BigInt(Math.round(v))));
    payload = new Uint8Array(big.buffer);
  } else {
    payload = new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  }
  const out = new Uint8Array(10 + headerBytes.length + payload.length);
  out.set(MAGIC, 0);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, headerBytes.length, true);
  out.set(headerBytes, 10);
  out.set(payload, 10 + headerBytes.length);
  return out;
}
