/**
 * The lifecycle_msgs interface of a managed node, over any Transport: the services `ros2 lifecycle
 * get/set/list/nodes` call (~/get_state, ~/change_state, ~/get_available_states,
 * ~/get_available_transitions, ~/get_transition_graph) and the ~/transition_event topic, as rcl_lifecycle
 * offers them. ChangeState answers once the (asynchronous) callback has finished.
 */
import type { Transport } from "../transport/Transport";
import {
  LifecycleStateMachine,
  STATE,
  type StateLabel,
  type TransitionDescription,
  type TransitionEvent,
  type TransitionResult,
} from "./LifecycleStateMachine";

interface StateMsg {
  id: number;
  label: string;
}
interface TransitionDescriptionMsg {
  transition: { id: number; label: string };
  start_state: StateMsg;
  goal_state: StateMsg;
}

const stateMsg = (label: StateLabel): StateMsg => ({ id: STATE[label], label });
const describe = (d: TransitionDescription): TransitionDescriptionMsg => ({
  transition: { id: d.id, label: d.label },
  start_state: stateMsg(d.start),
  goal_state: stateMsg(d.goal),
});

/**
 * Serves the lifecycle services of `machine` on `t` and publishes its transition events. `onResult` sees
 * every requested transition's outcome (the reason of a failure goes to the log there: ChangeState's
 * response carries only success).
 */
export function serveLifecycle(
  t: Transport,
  machine: LifecycleStateMachine,
  onResult: (label: string, r: TransitionResult) => void,
): (e: TransitionEvent) => void {
  const publish = t.publisher<{ timestamp: bigint; transition: { id: number; label: string }; start_state: StateMsg; goal_state: StateMsg }>(
    "lifecycle_msgs/msg/TransitionEvent",
    "~/transition_event",
    "reliable",
  );
  t.service<Record<string, never>, { current_state: StateMsg }>("lifecycle_msgs/srv/GetState", "~/get_state", () => ({
    current_state: stateMsg(machine.state),
  }));
  t.service<Record<string, never>, { available_states: StateMsg[] }>("lifecycle_msgs/srv/GetAvailableStates", "~/get_available_states", () => ({
    available_states: LifecycleStateMachine.states().map(stateMsg),
  }));
  t.service<Record<string, never>, { available_transitions: TransitionDescriptionMsg[] }>(
    "lifecycle_msgs/srv/GetAvailableTransitions",
    "~/get_available_transitions",
    () => ({
      available_transitions: machine.available().map(describe),
    }),
  );
  t.service<Record<string, never>, { available_transitions: TransitionDescriptionMsg[] }>(
    "lifecycle_msgs/srv/GetAvailableTransitions",
    "~/get_transition_graph",
    () => ({
      available_transitions: LifecycleStateMachine.graph().map(describe),
    }),
  );
  t.service<{ transition?: { id?: number; label?: string } }, { success: boolean }>("lifecycle_msgs/srv/ChangeState", "~/change_state", async (req) => {
    // rcl: a non-empty label wins over the id.
    const label = typeof req?.transition?.label === "string" && req.transition.label !== "" ? req.transition.label : null;
    const id = typeof req?.transition?.id === "number" ? req.transition.id : Number.NaN;
    const r = await machine.trigger(label ?? id);
    onResult(label ?? String(id), r);
    return { success: r.success };
  });
  // The machine reports its events through this function (its constructor takes it).
  return (e: TransitionEvent) =>
    publish({ timestamp: BigInt(Math.round(t.clock.now() * 1e9)), transition: e.transition, start_state: stateMsg(e.start), goal_state: stateMsg(e.goal) });
}
