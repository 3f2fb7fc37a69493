/**
 * TypeScript shapes of the ROS 2 messages the project reads and writes (as the CDR codec produces and
 * accepts them), their type names, and time conversions.
 */

/** builtin_interfaces/msg/Time: seconds and nanoseconds since the epoch (or sim-time zero). */
export interface Time {
  sec: number;
  nanosec: number;
}
export interface Header {
  stamp: Time;
  frame_id: string;
}
/** sensor_msgs/msg/Image. `step`: bytes per row. */
export interface Image {
  header: Header;
  height: number;
  width: number;
  encoding: string;
  is_bigendian: number;
  step: number;
  data: Uint8Array;
}
/** sensor_msgs/msg/CompressedImage. `format`: "jpeg" or "png" (image_transport also writes e.g. "rgb8; jpeg compressed bgr8"). */
export interface CompressedImage {
  header: Header;
  format: string;
  data: Uint8Array;
}
export interface JointState {
  header: Header;
  name: string[];
  position: ArrayLike<number>;
  velocity: ArrayLike<number>;
  effort: ArrayLike<number>;
}
export interface Point {
  x: number;
  y: number;
  z: number;
}
export type Vector3 = Point;
export interface Quaternion {
  x: number;
  y: number;
  z: number;
  w: number;
}
export interface PoseStamped {
  header: Header;
  pose: { position: Point; orientation: Quaternion };
}
export interface TwistStamped {
  header: Header;
  twist: { linear: Vector3; angular: Vector3 };
}
export interface MultiArrayDimension {
  label: string;
  size: number;
  stride: number;
}
export interface Float64MultiArray {
  layout: { dim: MultiArrayDimension[]; data_offset: number };
  data: ArrayLike<number>;
}
/** vjepa2_mpc_interfaces/msg/EndEffectorDelta (msg/msg/EndEffectorDelta.msg): m, rad, closedness. */
export interface EndEffectorDelta {
  header: Header;
  dx: number;
  dy: number;
  dz: number;
  droll: number;
  dpitch: number;
  dyaw: number;
  dgripper: number;
}

/** The EndEffectorDelta of an action [dx, dy, dz, droll, dpitch, dyaw, dgripper]. */
export function endEffectorDelta(header: Header, action: ArrayLike<number>): EndEffectorDelta {
  if (action.length !== 7) throw new Error(`an action has 7 values, got ${action.length}`);
  return { header, dx: action[0], dy: action[1], dz: action[2], droll: action[3], dpitch: action[4], dyaw: action[5], dgripper: action[6] };
}

/** vjepa2_mpc_interfaces/msg/PlanStatus (msg/msg/PlanStatus.msg). NaN energies: unknown. */
export interface PlanStatus {
  header: Header;
  code: number;
  message: string;
  planning_step: number;
  goal_index: number;
  goal_count: number;
  step_at_goal: number;
  step_budget: number;
  current_energy: number;
  planned_energy: number;
  energy_per_iteration: number[];
  model_ms: number;
  optimiser_ms: number;
  latency_ms: number;
  model_calls: number;
  action: number[];
}
/** vjepa2_mpc_interfaces/msg/ActuatorStatus (msg/msg/ActuatorStatus.msg). */
export interface ActuatorStatus {
  header: Header;
  code: number;
  message: string;
  estopped: boolean;
  state_fresh: boolean;
  plan_fresh: boolean;
  limits_applied: string[];
  requested: EndEffectorDelta;
  commanded: EndEffectorDelta;
  /** False before the first robot state: `target` then holds no pose (zeros, identity). */
  has_target: boolean;
  target: PoseStamped;
  gripper_target: number;
}

/** Full type names as rosbag2 records them. */
export const MessageTypes = {
  time: "builtin_interfaces/msg/Time",
  header: "std_msgs/msg/Header",
  image: "sensor_msgs/msg/Image",
  compressedImage: "sensor_msgs/msg/CompressedImage",
  jointState: "sensor_msgs/msg/JointState",
  poseStamped: "geometry_msgs/msg/PoseStamped",
  twistStamped: "geometry_msgs/msg/TwistStamped",
  float64MultiArray: "std_msgs/msg/Float64MultiArray",
  endEffectorDelta: "vjepa2_mpc_interfaces/msg/EndEffectorDelta",
  planStatus: "vjepa2_mpc_interfaces/msg/PlanStatus",
  actuatorStatus: "vjepa2_mpc_interfaces/msg/ActuatorStatus",
} as const;

const NS = 1_000_000_000n;

/** Nanoseconds (bigint, since the epoch) → Time. Throws for negative times or seconds beyond int32. */
export function timeFromNanoseconds(ns: bigint): Time {
  if (ns < 0n) throw new Error(`time ${ns} ns is negative`);
  const sec = ns / NS;
  if (sec > 2147483647n) throw new Error(`time ${ns} ns is past the int32 seconds of builtin_interfaces/Time`);
  return { sec: Number(sec), nanosec: Number(ns % NS) };
}

/** Time → nanoseconds (bigint). */
export function timeToNanoseconds(t: Time): bigint {
  return BigInt(t.sec) * NS + BigInt(t.nanosec);
}

/** Seconds (float) → nanoseconds (bigint), rounded to the nearest nanosecond. */
export function secondsToNanoseconds(seconds: number): bigint {
  if (!Number.isFinite(seconds)) throw new Error(`time ${seconds} s is not finite`);
  const whole = Math.floor(seconds);
  return BigInt(whole) * NS + BigInt(Math.round((seconds - whole) * 1e9));
}

/**
 * Seconds (float) → Time: sec = ⌊t⌋, nanosec = round((t − sec)·1e9) in [0, 1e9) with carry. ROS time
 * cannot be negative: non-finite or negative times give {0, 0} (stamps never throw in the control path).
 */
export function timeFromSeconds(seconds: number): Time {
  if (!Number.isFinite(seconds) || seconds < 0) return { sec: 0, nanosec: 0 };
  let sec = Math.floor(seconds);
  let nanosec = Math.round((seconds - sec) * 1e9);
  if (nanosec >= 1e9) {
    sec += 1;
    nanosec -= 1e9;
  }
  return { sec, nanosec };
}

/** Time → seconds (float). */
export function secondsFromTime(t: Time): number {
  return t.sec + t.nanosec * 1e-9;
}
