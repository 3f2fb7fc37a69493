/**
 * actuator.gripper_adapter `franka`: franka_gripper's own actions, Grasp when closing (an object stops the
 * fingers without an error) and Move when opening (messages.ts `frankaGripperGoal`), on
 * actuator/gripper/grasp and actuator/gripper/move.
 */
import { frankaGripperGoal } from "../actuator/messages";
import { NODE_ACTIONS } from "../topics";
import type { AdapterContext } from "./CommandAdapter";
import type { GripperAdapter, GripperGoalSent } from "./GripperAdapter";

export class FrankaGripperAdapter implements GripperAdapter {
  readonly hasGripper = true;

  constructor(private readonly context: AdapterContext) {}

  send(target: number, measured: number | null): GripperGoalSent {
    const g = frankaGripperGoal(target, measured, this.context.settings().gripper);
    const t = this.context.transport;
    if (g.action === "grasp") return { action: NODE_ACTIONS.gripperGrasp, result: t.sendGoal("franka_msgs/action/Grasp", NODE_ACTIONS.gripperGrasp, g.goal) };
    return { action: NODE_ACTIONS.gripperMove, result: t.sendGoal("franka_msgs/action/Move", NODE_ACTIONS.gripperMove, g.goal) };
  }
}
