/**
 * The workspace box: an axis-aligned box [min, max] (m) in the robot base frame that a point of the arm
 * (the TCP or the flange, `actuator.workspace_point`) must stay in. Pure.
 */
import type { Vec3 } from "./rigidPose";
import { fmt, type StageOutcome } from "./stage";

/** Axis-aligned box in the base frame (m). */
export interface WorkspaceBox {
  min: Readonly<Vec3>;
  max: Readonly<Vec3>;
}

const AXES = ["x", "y", "z"] as const;

/**
 * Stage: clamps `target` into the box, axis by axis. If the point is already outside on an axis (it
 * should not be, but a person may have pushed the arm), the target may move back in or stay, never
 * further out: the allowed range on that axis widens to include `current`. Each axis' displacement can
 * only shrink, so a step limit applied before still holds for this point.
 */
export function clampToWorkspace(current: Readonly<Vec3>, target: Readonly<Vec3>, box: WorkspaceBox): StageOutcome<Vec3> {
  const out: Vec3 = [target[0], target[1], target[2]];
  const notes: string[] = [];
  for (let i = 0; i < 3; i++) {
    const lo = Math.min(box.min[i], current[i]);
    const hi = Math.max(box.max[i], current[i]);
    if (out[i] < lo) {
      notes.push(`${AXES[i]} ${fmt(target[i])} < ${fmt(lo)}${lo < box.min[i] ? " (outside the box: not further out)" : ""}`);
      out[i] = lo;
    } else if (out[i] > hi) {
      notes.push(`${AXES[i]} ${fmt(target[i])} > ${fmt(hi)}${hi > box.max[i] ? " (outside the box: not further out)" : ""}`);
      out[i] = hi;
    }
  }
  if (notes.length === 0) return { value: out, report: null };
  return { value: out, report: { stage: "workspace_box", code: "limited", reason: `target clamped to the workspace box: ${notes.join(", ")} m` } };
}
