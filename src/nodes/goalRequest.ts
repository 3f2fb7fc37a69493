/**
 * SetGoal requests: validation (sizes, budgets, paths confined to the goal root) and turning them into
 * raw images. Nothing of the planner's state changes until a request has been fully validated and
 * encoded, so a bad request loses nothing.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { decodeImage } from "../worldmodel/imageDecode";
import type { RawImage } from "../worldmodel/preprocess";
import { imageFromMsg, type ImageMsg } from "./CameraNode";
import { describeValue, isRecord, quoteInput, readNumbers, UINT32_MAX } from "./inputChecks";

/** vjepa2_mpc_interfaces/srv/SetGoal request. */
export interface SetGoalRequest {
  images: ImageMsg[];
  image_paths: string[];
  step_budgets: number[];
  energy_threshold: number;
  append: boolean;
}

export interface SetGoalResponse {
  success: boolean;
  message: string;
  goal_count: number;
}

/** Limits that keep one request from exhausting the planner's memory. */
export interface GoalRequestLimits {
  /** Most goals per request. */
  maxGoals: number;
  /** Largest image, in pixels (width · height). */
  maxPixels: number;
  /** Directory goal image files must resolve inside (symlinks resolved); empty: paths are refused. */
  goalRoot: string;
}

/** A validated goal image with its label and budget. */
export interface GoalImage {
  image: RawImage;
  label: string;
  stepBudget: number;
}

/** Resolves `p` and checks it stays inside `root` after following symlinks; throws otherwise. */
export function resolveUnderRoot(root: string, p: string): string {
  if (root === "") throw new Error("goal image paths are disabled: set nodes.goal_root to a directory");
  const realRoot = fs.realpathSync(root);
  const candidate = path.resolve(realRoot, p);
  const inside = (x: string): boolean => x === realRoot || x.startsWith(realRoot + path.sep);
  const shown = shownPath(p);
  // Refused before the file system is asked: whether a file outside the root exists is not the caller's business.
  if (!inside(candidate)) throw new Error(`goal image ${shown} resolves outside the goal root ${realRoot}`);
  let real: string;
  try {
    real = fs.realpathSync(candidate);
  } catch {
    throw new Error(`goal image ${shown} not found under ${realRoot}`);
  }
  if (!inside(real)) throw new Error(`goal image ${shown} resolves outside the goal root ${realRoot}`);
  return real;
}

/** A requested path as answers and logs show it: as given when short and printable, else quoted and cut. */
function shownPath(p: string): string {
  return p.length <= 200 && /^[\x20-\x7e]*$/.test(p) ? p : quoteInput(p);
}

/** An optional array field of the request (missing: empty). */
function optionalArray(v: unknown, what: string): unknown[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw new Error(`${what} is ${describeValue(v)}, not an array`);
  return v;
}

/**
 * Validates a request and loads its images. Throws an Error whose message is the service's answer
 * (what is wrong and the limit) — the caller turns it into `success: false`.
 */
export function goalImagesFromRequest(req: SetGoalRequest, limits: GoalRequestLimits, defaultBudget: number): GoalImage[] {
  // Every field's type is checked before it is used: a string image_paths would be iterated character by
  // character, a string append ("false") would be truthy.
  if (!isRecord(req)) throw new Error(`the request is ${describeValue(req)}, not a SetGoal request`);
  const images = optionalArray(req.images, "images");
  const paths = optionalArray(req.image_paths, "image_paths");
  const count = images.length + paths.length;
  if (count === 0) throw new Error("no goal images: give images and/or image_paths");
  if (count > limits.maxGoals) throw new Error(`${count} goals exceed the limit of ${limits.maxGoals} per request`);
  const budgets = req.step_budgets === undefined ? [] : readNumbers(req.step_budgets, "step_budgets");
  if (budgets.length !== 0 && budgets.length !== count)
    throw new Error(`step_budgets has ${budgets.length} entries for ${count} goals: give none or one per goal`);
  for (let i = 0; i < budgets.length; i++) {
    const b = budgets[i];
    // uint32 in SetGoal.srv: a larger budget could not be published back in PlanStatus.step_budget.
    if (!Number.isInteger(b) || b < 1 || b > UINT32_MAX) throw new Error(`step_budgets[${i}] = ${b}: budgets are integers ≥ 1 and ≤ ${UINT32_MAX}`);
  }
  if (typeof req.energy_threshold !== "number" || !Number.isFinite(req.energy_threshold))
    throw new Error(`energy_threshold is ${describeValue(req.energy_threshold)}`);
  if (req.append !== undefined && typeof req.append !== "boolean") throw new Error(`append is ${describeValue(req.append)}, not a boolean`);
  paths.forEach((p, i) => {
    if (typeof p !== "string") throw new Error(`image_paths[${i}] is ${describeValue(p)}, not a string`);
  });
  const out: GoalImage[] = [];
  images.forEach((m, i) => {
    const label = `images[${i}]`;
    let img: RawImage;
    try {
      // The size limit first (before the buffer is looked at), then every field.
      if (isRecord(m) && typeof m.width === "number" && typeof m.height === "number" && m.width * m.height > limits.maxPixels) {
        throw new Error(`${m.width}×${m.height} exceeds the limit of ${limits.maxPixels} pixels`);
      }
      img = imageFromMsg(m as ImageMsg);
    } catch (e) {
      throw new Error(`${label}: ${(e as Error).message}`, { cause: e });
    }
    out.push({ image: img, label, stepBudget: budgets[out.length] ?? defaultBudget });
  });
  for (const p of paths as string[]) {
    const file = resolveUnderRoot(limits.goalRoot, p);
    const size = fs.statSync(file).size;
    if (size > limits.maxPixels * 4) throw new Error(`goal image ${shownPath(p)}: file of ${size} bytes is larger than any allowed image`);
    const img = decodeImage(fs.readFileSync(file), `goal image ${shownPath(p)}`, undefined, limits.maxPixels);
    out.push({ image: img, label: p, stepBudget: budgets[out.length] ?? defaultBudget });
  }
  return out;
}
