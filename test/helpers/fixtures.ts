import * as path from "node:path";
import { repoRoot } from "./reference";

/** The small model packages the export tool generated from the upstream reference checkpoint. */
export const TINY_MODEL = path.join(repoRoot, "test", "fixtures", "models", "ac-tiny");
export const TINY_MODEL_FP16 = path.join(repoRoot, "test", "fixtures", "models", "ac-tiny-fp16");

/**
 * A package in the old manifest format 1 (every graph holds its own weights; no external_data), kept to
 * prove the runtime still reads it: a random-init 32 px, 32-d, 1-block model exported with
 * `export.py --random-init --horizons 1`, its predictor weights then inlined into each graph with onnx
 * (`onnx.load(..., load_external_data=True)` and a plain `onnx.save_model`) and format_version set to 1.
 */
export const FORMAT1_MODEL = path.join(repoRoot, "test", "fixtures", "models", "format1-micro");

/** Max |a − b| over two arrays of equal length. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/**
 * A two-view package: views 2 of 32 px side by side (frames 32 × 64, 2 × 4 tokens of 32), random weights,
 * exported from test/fixtures/configs/views2-micro.json with `export.py --random-init --seed 0 --horizons 1,2`
 * (tools/export/tests/test_views.py checks that it is current).
 */
export const VIEWS2_MODEL = path.join(repoRoot, "test", "fixtures", "models", "views2-micro");
