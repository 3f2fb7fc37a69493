import * as path from "node:path";
import { repoRoot } from "./reference";

/** The small model packages the export tool generated from the upstream reference checkpoint. */
export const TINY_MODEL = path.join(repoRoot, "test", "fixtures", "models", "ac-tiny");
export const TINY_MODEL_FP16 = path.join(repoRoot, "test", "fixtures", "models", "ac-tiny-fp16");

/** Max |a − b| over two arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}
