/**
 * Which parameters each node reads: a node declares exactly these as ROS parameters, so a parameter set
 * on a node that does not use it is refused as undeclared instead of being accepted and ignored. A test
 * keeps these lists equal to what the node option builders (nodeOptions.ts) and the model loader read.
 */
import { PARAMETERS } from "../config/parameters";

export type NodeRole = "camera" | "planner" | "actuator";

const names = (group: keyof typeof PARAMETERS): string[] => Object.keys(PARAMETERS[group]).map((k) => `${group}.${k}`);

/** Parameters the world model and its image preprocessing read (camera and planner load the model). */
const WORLD_MODEL = names("world_model");

export const ROLE_PARAMETERS: Readonly<Record<NodeRole, readonly string[]>> = {
  camera: [...WORLD_MODEL, "nodes.camera_compressed", "nodes.camera_max_frame_age", "nodes.embeddings_endpoint"],
  planner: [
    ...WORLD_MODEL,
    ...names("planner"),
    "nodes.max_state_age",
    "nodes.goal_root",
    "nodes.max_goals",
    "nodes.max_goal_pixels",
    "nodes.embeddings_endpoint",
    // The planner turns the robot's pose into the model's flange state the same way the actuator does.
    "actuator.frame_id",
    "actuator.state_is_tcp",
    "actuator.tcp_offset_xyz",
    "actuator.tcp_offset_rpy",
    "actuator.gripper_max_width",
    "actuator.gripper_adapter", // no gripper: no gripper state to wait for
  ],
  actuator: [...names("actuator"), "planner.settle_timeout", "nodes.status_every_ticks"],
};

/** The parameters of one role, or of several running in one process (`all`), without repeats. */
export function parametersOf(roles: readonly NodeRole[]): string[] {
  return [...new Set(roles.flatMap((r) => ROLE_PARAMETERS[r]))];
}
