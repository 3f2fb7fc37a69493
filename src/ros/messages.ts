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
