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
 * Stage (refusal): the measured point is farther outside the box than `margin` (m) on some axis. A target
 * built on it would be clamped to the box far from where the arm is (a bogus reading, or an arm pushed
 * out by hand): hold, and say so; the arm is brought back in by hand (or the reading fixed).
 */
export function workspaceStateCheck(current: Readonly<Vec3>, box: WorkspaceBox, margin: number): StageOutcome<null> {
  const notes: string[] = [];
  for (let i = 0; i < 3; i++) {
    if (current[i] < box.min[i] - margin) notes.push(`${AXES[i]} ${fmt(current[i])} < ${fmt(box.min[i])} − ${fmt(margin)}`);
    else if (current[i] > box.max[i] + margin) notes.push(`${AXES[i]} ${fmt(current[i])} > ${fmt(box.max[i])} + ${fmt(margin)}`);
  }
  if (notes.length === 0) return { value: null, report: null };
  return {
    value: null,
    report: { stage: "workspace_box", code: "hold", reason: `measured point outside the workspace box by more than the margin: ${notes.join(", ")} m` },
  };
}

/**
 * Stage: clamps `target` into the box, axis by axis. Plan targets are always inside: from a measured
 * point outside (within the margin of `workspaceStateCheck`) the target moves back in, even if that
 * shift exceeds the per-step bound by up to the margin; from inside, each axis' displacement can only
 * shrink, so a step limit applied before still holds for this point.
 */
export function clampToWorkspace(target: Readonly<Vec3>, box: WorkspaceBox): StageOutcome<Vec3> {
  const out: Vec3 = [target[0], target[1], target[2]];
  const notes: string[] = [];
  for (let i = 0; i < 3; i++) {
    if (out[i] < box.min[i]) {
      notes.push(`${AXES[i]} ${fmt(target[i])} < ${fmt(box.min[i])}`);
      out[i] = box.min[i];
    } else if (out[i] > box.max[i]) {
      notes.push(`${AXES[i]} ${fmt(target[i])} > ${fmt(box.max[i])}`);
      out[i] = box.max[i];
    }
  }
  if (notes.length === 0) return { value: out, report: null };
  return { value: out, report: { stage: "workspace_box", code: "limited", reason: `target clamped to the workspace box: ${notes.join(", ")} m` } };
}
