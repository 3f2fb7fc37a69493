/**
 * actuator.gripper_adapter `none`: a cell without a gripper. Its closedness counts as 0 (open) in every
 * plan and no goal is ever sent (the planner, too, plans with the gripper open: nodeOptions.ts).
 */
import type { GripperAdapter, GripperGoalSent } from "./GripperAdapter";

export class NoGripperAdapter implements GripperAdapter {
  readonly hasGripper = false;

  send(): GripperGoalSent {
    throw new Error("gripper_adapter none has no gripper to send goals to");
  }
}
