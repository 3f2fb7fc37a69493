/** `.npy` files on disk as float32 tensors (the CLI's exchange format). */
import * as fs from "node:fs";
import * as path from "node:path";
import { decodeNpy, encodeNpy, type NpyArray } from "./npy";
import { fromHalfBits } from "../tensor/float16";
import { tensor, type FloatTensor } from "../tensor/tensor";

/** Reads any `.npy` file; errors name the file. */
export function readNpy(file: string): NpyArray {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  return decodeNpy(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength), file);
}

/** Reads a numeric `.npy` file as a float32 tensor (float64/float16/integers are converted). */
export function readFloatNpy(file: string): FloatTensor {
  const a = readNpy(file);
  const data = a.dtype === "float32" ? (a.data as Float32Array) : a.dtype === "float16" ? Float32Array.from(a.data, fromHalfBits) : Float32Array.from(a.data);
  return tensor(data, a.shape, file);
}

/** Writes a float32 tensor as `.npy`, creating the parent folder; written atomically (temp file + rename). */
export function writeFloatNpy(file: string, t: FloatTensor): void {
  writeNpy(file, { dtype: "float32", shape: [...t.dims], data: t.data });
}

/** Writes any supported array as `.npy` atomically. */
export function writeNpy(file: string, a: NpyArray): void {
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, encodeNpy(a));
  fs.renameSync(tmp, file);
}
