/** Gripper limits on closedness (0 open .. 1 closed, DROID convention). Pure. */
import { fmt, type StageOutcome } from "./stage";

/** Stage: bounds the closedness change of one planned step to ±`maxStep`. */
export function limitGripperStep(dgripper: number, maxStep: number): StageOutcome<number> {
  if (Math.abs(dgripper) <= maxStep) return { value: dgripper, report: null };
  const value = Math.sign(dgripper) * maxStep;
  return {
    value,
    report: {
      stage: "gripper_step",
      code: "limited",
      reason: `gripper delta ${fmt(dgripper)} exceeds max_step_gripper ${fmt(maxStep)}: clipped to ${fmt(value)}`,
    },
  };
}

/** Stage: clips the target closedness into [min, max] (gripper_min, gripper_max). */
export function limitGripperRange(target: number, min: number, max: number): StageOutcome<number> {
  if (target >= min && target <= max) return { value: target, report: null };
  const value = target < min ? min : max;
  return {
    value,
    report: { stage: "gripper_range", code: "limited", reason: `gripper target ${fmt(target)} outside [${fmt(min)}, ${fmt(max)}]: clipped to ${fmt(value)}` },
  };
}
