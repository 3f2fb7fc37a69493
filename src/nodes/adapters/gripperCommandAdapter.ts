/**
 * actuator.gripper_adapter `gripper_command`: control_msgs/action/GripperCommand on
 * actuator/gripper/gripper_command (franka_gripper's gripper_action, ros2_control's
 * gripper_action_controller); the position is the per-finger width (messages.ts `gripperCommandGoal`).
 */
import { gripperCommandGoal } from "../actuator/messages";
import { NODE_ACTIONS } from "../topics";
import type { AdapterContext } from "./CommandAdapter";
import type { GripperAdapter, GripperGoalSent } from "./GripperAdapter";

export class GripperCommandAdapter implements GripperAdapter {
  readonly hasGripper = true;

  constructor(private readonly context: AdapterContext) {}

  send(target: number): GripperGoalSent {
    const goal = gripperCommandGoal(target, this.context.settings().gripper);
    return {
      action: NODE_ACTIONS.gripperCommand,
      result: this.context.transport.sendGoal("control_msgs/action/GripperCommand", NODE_ACTIONS.gripperCommand, goal),
    };
  }
}
