/**
 * Rigid poses as plain numbers: position (m) and unit quaternion `[x, y, z, w]` (scalar last, like ROS
 * geometry_msgs and scipy), plus the few quaternion operations the actuator needs (angle, axis-angle,
 * slerp, rotating a vector). Conversions to and from the DROID state vector
 * `[x, y, z, roll, pitch, yaw, gripper]` go through src/pose/poseMath.ts (scipy extrinsic 'xyz').
 * Pure, no I/O.
 */
import { eulerXyzToQuaternion, multiplyQuaternions, quaternionToEulerXyz } from "../../pose/poseMath";

/** Three numbers (a position in m, a velocity, a rotation vector in rad). */
export type Vec3 = [number, number, number];
/** Unit quaternion `[x, y, z, w]`. */
export type Quat = [number, number, number, number];

/** A rigid pose in some frame: position (m) and orientation. */
export interface RigidPose {
  position: Vec3;
  orientation: Quat;
}

/** The identity pose. */
export function identityPose(): RigidPose {
  return { position: [0, 0, 0], orientation: [0, 0, 0, 1] };
}

/** Quaternion of extrinsic 'xyz' Euler angles (rad), as scipy `from_euler('xyz', …)`. */
export function quatFromEuler(roll: number, pitch: number, yaw: number): Quat {
  const q = eulerXyzToQuaternion(roll, pitch, yaw);
  return [q[0], q[1], q[2], q[3]];
}

/** Extrinsic 'xyz' Euler angles `[roll, pitch, yaw]` (rad) of a unit quaternion, as scipy `as_euler('xyz')`. */
export function eulerFromQuat(q: Readonly<Quat>): Vec3 {
  const e = quaternionToEulerXyz(q);
  return [e[0], e[1], e[2]];
}

/** Flange pose of a DROID state / target `[x, y, z, roll, pitch, yaw, …]` (gripper ignored). */
export function poseFromVector(v: ArrayLike<number>): RigidPose {
  return { position: [v[0], v[1], v[2]], orientation: quatFromEuler(v[3], v[4], v[5]) };
}

/** DROID vector `[x, y, z, roll, pitch, yaw, gripper]` of a pose and a gripper closedness. */
export function vectorFromPose(pose: RigidPose, gripper: number): number[] {
  const e = eulerFromQuat(pose.orientation);
  return [pose.position[0], pose.position[1], pose.position[2], e[0], e[1], e[2], gripper];
}

/** Hamilton product `a · b` (apply b first, then a): poseMath's, as a tuple. */
export function quatMultiply(a: Readonly<Quat>, b: Readonly<Quat>): Quat {
  const q = multiplyQuaternions(a, b);
  return [q[0], q[1], q[2], q[3]];
}

/** Inverse of a unit quaternion (its conjugate). */
export function quatConjugate(q: Readonly<Quat>): Quat {
  return [-q[0], -q[1], -q[2], q[3]];
}

/** `q / |q|`; returns the identity for a zero quaternion. */
export function quatNormalize(q: Readonly<Quat>): Quat {
  const n = Math.hypot(q[0], q[1], q[2], q[3]);
  return n === 0 ? [0, 0, 0, 1] : [q[0] / n, q[1] / n, q[2] / n, q[3] / n];
}

/** Rotation angle (rad, in [0, π]) of a unit quaternion; q and −q give the same angle. */
export function quatAngle(q: Readonly<Quat>): number {
  return 2 * Math.atan2(Math.hypot(q[0], q[1], q[2]), Math.abs(q[3]));
}

/** Rotation vector (axis × angle, rad, angle in [0, π]) of a unit quaternion. */
export function quatToRotationVector(q: Readonly<Quat>): Vec3 {
  // Take the representative with w ≥ 0 so the angle is the short way round.
  const s = q[3] < 0 ? -1 : 1;
  const x = s * q[0],
    y = s * q[1],
    z = s * q[2],
    w = s * q[3];
  const sinHalf = Math.hypot(x, y, z);
  if (sinHalf < 1e-12) return [2 * x, 2 * y, 2 * z]; // first order: angle·axis ≈ 2·v
  const angle = 2 * Math.atan2(sinHalf, w);
  const k = angle / sinHalf;
  return [x * k, y * k, z * k];
}

/** Unit quaternion of a rotation vector (axis × angle, rad). */
export function quatFromRotationVector(r: Readonly<Vec3>): Quat {
  const angle = Math.hypot(r[0], r[1], r[2]);
  if (angle < 1e-12) return quatNormalize([r[0] / 2, r[1] / 2, r[2] / 2, 1]);
  const k = Math.sin(angle / 2) / angle;
  return [r[0] * k, r[1] * k, r[2] * k, Math.cos(angle / 2)];
}

/** Rotation taking `from` to `to` in the base frame: `to · from⁻¹` (so `to = result · from`). */
export function quatBetween(from: Readonly<Quat>, to: Readonly<Quat>): Quat {
  return quatMultiply(to, quatConjugate(from));
}

/** Angle (rad, in [0, π]) between two orientations. */
export function angleBetween(a: Readonly<Quat>, b: Readonly<Quat>): number {
  return quatAngle(quatBetween(a, b));
}

/**
 * Spherical interpolation from `a` (t = 0) to `b` (t = 1) along the shorter arc; the result is unit
 * length. t outside [0, 1] extrapolates.
 */
export function slerp(a: Readonly<Quat>, b: Readonly<Quat>, t: number): Quat {
  const delta = quatToRotationVector(quatBetween(a, b));
  return quatNormalize(quatMultiply(quatFromRotationVector([delta[0] * t, delta[1] * t, delta[2] * t]), a));
}

/** `q v q⁻¹`: the vector v rotated by the unit quaternion q. */
export function rotateVector(q: Readonly<Quat>, v: Readonly<Vec3>): Vec3 {
  const [x, y, z, w] = q;
  // t = 2 q_v × v; v' = v + w t + q_v × t
  const tx = 2 * (y * v[2] - z * v[1]);
  const ty = 2 * (z * v[0] - x * v[2]);
  const tz = 2 * (x * v[1] - y * v[0]);
  return [v[0] + w * tx + (y * tz - z * ty), v[1] + w * ty + (z * tx - x * tz), v[2] + w * tz + (x * ty - y * tx)];
}

/** Pose composition `a ∘ b` (b expressed in a's frame, result in a's parent frame). */
export function composePoses(a: RigidPose, b: RigidPose): RigidPose {
  const p = rotateVector(a.orientation, b.position);
  return {
    position: [a.position[0] + p[0], a.position[1] + p[1], a.position[2] + p[2]],
    orientation: quatNormalize(quatMultiply(a.orientation, b.orientation)),
  };
}

/** Inverse of a rigid pose. */
export function invertPose(a: RigidPose): RigidPose {
  const qi = quatConjugate(a.orientation);
  const p = rotateVector(qi, a.position);
  return { position: [-p[0], -p[1], -p[2]], orientation: qi };
}

/** Euclidean distance (m) between two positions. */
export function distance(a: Readonly<Vec3>, b: Readonly<Vec3>): number {
  return Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]);
}
