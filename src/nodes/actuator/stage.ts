/**
 * What a safety stage reports. Every stage of the envelope is a small pure function that returns the
 * (possibly modified) value and, when it changed or refused something, a report naming the stage and the
 * reason with the numbers. Nothing in the control path throws (DESIGN §5, STYLE "moveit_servo").
 */

/** Names of the stages, in the order the envelope runs them (also used in ActuatorStatus.limits_applied). */
export const STAGE_ORDER = [
  "estop",
  "finite_input",
  "state_watchdog",
  "plan_watchdog",
  "step_translation",
  "step_rotation",
  "workspace_box",
  "gripper_step",
  "gripper_range",
  "finite_target",
] as const;

export type StageName = (typeof STAGE_ORDER)[number];

/**
 * - `limited`: the value was changed (scaled or clamped) and is still commanded;
 * - `hold`: the stage refused; the actuator holds position (streamer frozen at the current commanded
 *   pose, zero twist) and no new target is commanded.
 */
export type StageCode = "limited" | "hold";

/** One stage that acted. */
export interface StageReport {
  stage: StageName;
  code: StageCode;
  /** Human-readable, with the numbers (e.g. "translation 0.120 m > 0.075 m per step: scaled by 0.625"). */
  reason: string;
}

/** A stage's result: the value to pass on, and a report when the stage acted. */
export interface StageOutcome<T> {
  value: T;
  report: StageReport | null;
}

/** Formats a number for a reason string (4 significant digits, exact for integers). */
export function fmt(x: number): string {
  if (!Number.isFinite(x)) return String(x);
  return Number.isInteger(x) ? String(x) : Number(x.toPrecision(4)).toString();
}
