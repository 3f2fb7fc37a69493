/** What the demo's reports (`--json`, summary.json) say about the settings a run used. */
import * as path from "node:path";
import { EMBEDDED_MODEL, EMBEDDED_TWO_VIEW_MODEL } from "../worldmodel/modelFromConfig";

/** The embedded model as reports name it: relative to the project root, the same wherever it is installed. */
export const EMBEDDED_MODEL_NAME = "models/vjepa2-ac-sim";
/** The embedded two-view model as reports name it. */
export const EMBEDDED_TWO_VIEW_MODEL_NAME = "models/vjepa2-ac-sim-2view";

/**
 * `world_model.model` for a report: the project-relative name for an embedded model (the one-view model
 * also when it is empty, which loads it), else the absolute path, since a relative one means nothing once
 * the report is read from another directory.
 */
export function reportedModel(model: string): string {
  if (model === "") return EMBEDDED_MODEL_NAME;
  const dir = path.resolve(model);
  if (dir === EMBEDDED_MODEL) return EMBEDDED_MODEL_NAME;
  return dir === EMBEDDED_TWO_VIEW_MODEL ? EMBEDDED_TWO_VIEW_MODEL_NAME : dir;
}
