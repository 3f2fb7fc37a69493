/**
 * Builders of the actuator's outgoing messages as plain objects shaped exactly like the ROS 2 messages
 * (field names and nesting as rclnodejs and the rosidl definitions have them), and readers of the incoming
 * ones. Times are seconds (float) on the node's clock; stamps are built fresh for every message. Pure.
 */
import {
  secondsFromTime,
  timeFromSeconds,
  type Header as HeaderMsg,
  type PoseStamped as PoseStampedMsg,
  type TwistStamped as TwistStampedMsg,
} from "../../ros/messages";
import { closednessToWidth, widthToFingerPosition } from "./gripperWidth";
import type { RigidPose } from "./rigidPose";
import type { Twist } from "./twistCommand";

/** builtin_interfaces/Time */
/** std_msgs/Header */
/** geometry_msgs/PoseStamped */
/** geometry_msgs/TwistStamped */
/** franka_msgs/action/Move goal */
export interface FrankaMoveGoal {
  width: number;
  speed: number;
}
/** franka_msgs/action/Grasp goal (epsilon is franka_msgs/msg/GraspEpsilon) */
export interface FrankaGraspGoal {
  width: number;
  epsilon: { inner: number; outer: number };
  speed: number;
  force: number;
}
/** control_msgs/action/GripperCommand goal (command is control_msgs/msg/GripperCommand) */
export interface GripperCommandGoal {
  command: { position: number; max_effort: number };
}
/** vjepa2_mpc_interfaces/msg/EndEffectorDelta */
/** std_msgs/Header. */
export function header(frameId: string, t: number): HeaderMsg {
  return { stamp: timeFromSeconds(t), frame_id: frameId };
}

/** geometry_msgs/PoseStamped of a pose (m, unit quaternion) in `frameId`, stamped `t` (s). */
export function poseStamped(pose: RigidPose, frameId: string, t: number): PoseStampedMsg {
  const [x, y, z] = pose.position;
  const [qx, qy, qz, qw] = pose.orientation;
  return { header: header(frameId, t), pose: { position: { x, y, z }, orientation: { x: qx, y: qy, z: qz, w: qw } } };
}

/** geometry_msgs/TwistStamped (linear m/s, angular rad/s) in `frameId`, stamped `t` (s): stamp every message afresh. */
export function twistStamped(twist: Twist, frameId: string, t: number): TwistStampedMsg {
  const [lx, ly, lz] = twist.linear;
  const [ax, ay, az] = twist.angular;
  return { header: header(frameId, t), twist: { linear: { x: lx, y: ly, z: lz }, angular: { x: ax, y: ay, z: az } } };
}

/** The pose, frame and stamp (s) of a received geometry_msgs/PoseStamped. */
export function readPoseStamped(msg: PoseStampedMsg): { pose: RigidPose; frameId: string; stamp: number } {
  const p = msg.pose.position;
  const o = msg.pose.orientation;
  return { pose: { position: [p.x, p.y, p.z], orientation: [o.x, o.y, o.z, o.w] }, frameId: msg.header.frame_id, stamp: secondsFromTime(msg.header.stamp) };
}

/** Gripper goal settings (resolved from the `actuator` parameters). */
export interface GripperGoalSettings {
  /** Width at closedness 0 (m). */
  maxWidth: number;
  /** m/s */
  speed: number;
  /** Grasp force and GripperCommand max_effort (N). */
  force: number;
  /** Grasp tolerances (m). */
  epsilonInner: number;
  epsilonOuter: number;
}

/** franka_msgs/action/Move goal to the width of a closedness. */
export function frankaMoveGoal(closedness: number, s: GripperGoalSettings): FrankaMoveGoal {
  return { width: closednessToWidth(closedness, s.maxWidth), speed: s.speed };
}

/** franka_msgs/action/Grasp goal to the width of a closedness. */
export function frankaGraspGoal(closedness: number, s: GripperGoalSettings): FrankaGraspGoal {
  return { width: closednessToWidth(closedness, s.maxWidth), epsilon: { inner: s.epsilonInner, outer: s.epsilonOuter }, speed: s.speed, force: s.force };
}

/**
 * control_msgs/action/GripperCommand goal for a closedness. `position` is the per-finger position
 * (width / 2), as franka_gripper reads it (target width = 2 · position).
 */
export function gripperCommandGoal(closedness: number, s: GripperGoalSettings): GripperCommandGoal {
  return { command: { position: widthToFingerPosition(closednessToWidth(closedness, s.maxWidth)), max_effort: s.force } };
}

/**
 * The franka adapter's choice, like franka_gripper's own GripperCommand handling: closing (the target is
 * more closed than the current closedness, or the current one is unknown and the target is above 0.5)
 * grasps, so an object stops the fingers without an error; opening moves.
 */
export function frankaGripperGoal(
  target: number,
  current: number | null,
  s: GripperGoalSettings,
): { action: "grasp"; goal: FrankaGraspGoal } | { action: "move"; goal: FrankaMoveGoal } {
  const closing = current === null ? target > 0.5 : target > current;
  return closing ? { action: "grasp", goal: frankaGraspGoal(target, s) } : { action: "move", goal: frankaMoveGoal(target, s) };
}

export type { HeaderMsg, PoseStampedMsg, TwistStampedMsg };
