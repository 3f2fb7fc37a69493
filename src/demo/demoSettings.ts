/** What the demo's reports (`--json`, summary.json) say about the settings a run used. */
import * as path from "node:path";
import { EMBEDDED_MODEL } from "../worldmodel/modelFromConfig";

/** The embedded model as reports name it: relative to the project root, the same wherever it is installed. */
export const EMBEDDED_MODEL_NAME = "models/vjepa2-ac-sim";

/**
 * `world_model.model` for a report: EMBEDDED_MODEL_NAME for the embedded model (also when it is empty,
 * which loads it), else the absolute path, since a relative one means nothing once the report is read
 * from another directory.
 */
export function reportedModel(model: string): string {
  if (model === "") return EMBEDDED_MODEL_NAME;
  const dir = path.resolve(model);
  return dir === EMBEDDED_MODEL ? EMBEDDED_MODEL_NAME : dir;
}
