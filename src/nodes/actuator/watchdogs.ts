/**
 * Stale-state and stale-plan watchdogs. Both compare receipt times on the actuator's clock (wall or sim
 * time, whichever the node runs on) with `now`; a missing or non-finite time counts as "never received".
 *
 * State watchdog (`state_timeout`, default 0.5 s): every target is built from the measured flange pose;
 * without a fresh one the actuator does not know where the arm is, so it holds. franka_robot_state_broadcaster
 * publishes at the controller rate (hundreds of Hz), so 0.5 s only trips on a dead driver or a cut link.
 *
 * Plan watchdog (`plan_timeout`, default 10 s) — what it means in each planner mode:
 * - The age is measured from when the actuator *received* the plan, never from the planned frame's stamp:
 *   in blocking mode the real model plans for ~16 s per step (paper, RTX 4090), so every plan arrives with a
 *   frame ≥ 16 s old; rejecting plans by their frame stamp is the planner's job (`planner.max_frame_age`).
 * - A plan older than the timeout is not executed any further: while a motion towards its target is still
 *   pending, the actuator stops (holds at the current commanded pose). When the motion is already complete
 *   the robot holds at the target anyway, so an old plan is *not* a fault: in blocking mode the gap between
 *   plans is the planning time (~16 s ≫ 10 s) and must not raise a hold. Hence the `motionPending` input.
 * - Blocking mode: each plan is one bounded step (≤ max_step_translation at max_linear_speed: < 1 s with the
 *   defaults), so 10 s trips only when execution stalls (controller not tracking, settle never reached) —
 *   then the arm stops chasing a target computed from a world that is now 10 s old.
 * - Streaming mode: plans replace each other as frames arrive; if the planner dies mid-motion the arm
 *   stops within `plan_timeout`. Set it to a few planning periods there (e.g. 1-2 s for a fast model).
 */
import { fmt, type StageOutcome } from "./stage";

/** Stage: hold when the robot state is older than `timeout` (s) or was never received. */
export function stateWatchdog(now: number, lastStateTime: number | null, timeout: number): StageOutcome<null> {
  if (lastStateTime === null || !Number.isFinite(lastStateTime)) {
    return { value: null, report: { stage: "state_watchdog", code: "hold", reason: "no robot state received yet; holding" } };
  }
  const age = now - lastStateTime;
  if (age > timeout) {
    return {
      value: null,
      report: { stage: "state_watchdog", code: "hold", reason: `robot state is ${fmt(age)} s old > state_timeout ${fmt(timeout)} s; holding` },
    };
  }
  return { value: null, report: null };
}

/**
 * Stage: hold when the plan being executed was received more than `timeout` (s) ago and its motion is
 * still pending (see the module comment); a missing plan with a pending motion also holds.
 */
export function planWatchdog(now: number, planReceivedAt: number | null, timeout: number, motionPending: boolean): StageOutcome<null> {
  if (!motionPending) return { value: null, report: null };
  if (planReceivedAt === null || !Number.isFinite(planReceivedAt)) {
    return { value: null, report: { stage: "plan_watchdog", code: "hold", reason: "no plan received; holding" } };
  }
  const age = now - planReceivedAt;
  if (age > timeout) {
    return {
      value: null,
      report: {
        stage: "plan_watchdog",
        code: "hold",
        reason: `plan received ${fmt(age)} s ago > plan_timeout ${fmt(timeout)} s with its motion unfinished; holding`,
      },
    };
  }
  return { value: null, report: null };
}
