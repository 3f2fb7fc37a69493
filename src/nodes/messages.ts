/** Builders of the project's messages (vjepa2_mpc_interfaces) from the planner's types. */
import type { PlanStatus, PlanStatusCode } from "../mpc/RecedingHorizonPlanner";
import { endEffectorDelta, timeFromSeconds, type EndEffectorDelta as EndEffectorDeltaMsg, type PlanStatus as PlanStatusMsg } from "../ros/messages";

export type { EndEffectorDeltaMsg, PlanStatusMsg };

/** ActuatorStatus.msg constants (the actuator publishes them, the planner waits for SETTLED). */
export const ACTUATOR_CODES = { tracking: 0, settled: 1, holding: 2, estopped: 3 } as const;

/** PlanStatus.msg constants, by the planner's status codes. */
export const PLAN_STATUS_CODES: Record<PlanStatusCode | "paused", number> = {
  planned: 0,
  idle: 1,
  done: 2,
  invalid_observation: 3,
  error: 4,
  paused: 5,
  returning: 6,
  discarded: 7,
};

export function endEffectorDeltaMsg(action: readonly number[], stamp: number, frameId: string): EndEffectorDeltaMsg {
  return endEffectorDelta({ stamp: timeFromSeconds(stamp), frame_id: frameId }, action);
}

/** The 7-vector of an EndEffectorDelta message. */
export function actionFromMsg(m: EndEffectorDeltaMsg): number[] {
  return [m.dx, m.dy, m.dz, m.droll, m.dpitch, m.dyaw, m.dgripper];
}

export function planStatusMsg(s: PlanStatus, action: readonly number[] | null, frameId: string, paused = false): PlanStatusMsg {
  return {
    header: { stamp: timeFromSeconds(s.stamp), frame_id: frameId },
    code: paused ? PLAN_STATUS_CODES.paused : PLAN_STATUS_CODES[s.code],
    message: s.message,
    planning_step: s.planningStep,
    goal_index: s.goalIndex,
    goal_count: s.goalCount,
    step_at_goal: s.stepAtGoal,
    step_budget: s.stepBudget,
    current_energy: s.currentEnergy ?? Number.NaN,
    planned_energy: s.plannedEnergy ?? Number.NaN,
    energy_per_iteration: s.energyPerIteration,
    model_ms: s.timings.modelMs,
    optimiser_ms: s.timings.optimiserMs,
    latency_ms: s.timings.totalMs,
    model_calls: s.timings.modelCalls,
    action: action === null ? [] : [...action],
  };
}
