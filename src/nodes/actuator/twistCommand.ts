/**
 * The `twist` adapter (MoveIt Servo `~/delta_twist_cmds`): the base-frame twist that moves the measured
 * pose towards the target, proportional to the error (`twist_gain`, 1/s) and scaled down, translation and
 * rotation together, to the speed limits. Zero when holding or within the tolerances. Servo halts on
 * commands older than its `incoming_command_timeout` (0.1 s by default), so the node must publish at the
 * command rate with a fresh stamp each time (messages.ts `twistStamped`). Pure.
 */
import { quatBetween, quatToRotationVector, rotateVector, type RigidPose, type Vec3 } from "./rigidPose";

/** A twist in the base frame: linear (m/s), angular (rad/s). */
export interface Twist {
  linear: Vec3;
  angular: Vec3;
}

export interface TwistLimits {
  /** Proportional gain (1/s). */
  gain: number;
  /** m/s */
  maxLinearSpeed: number;
  /** rad/s */
  maxAngularSpeed: number;
  /** Position error below which the linear part is zero (m). */
  positionTolerance: number;
  /** Rotation error below which the angular part is zero (rad). */
  rotationTolerance: number;
}

/** The zero twist (what a hold sends). */
export function zeroTwist(): Twist {
  return { linear: [0, 0, 0], angular: [0, 0, 0] };
}

/**
 * Twist (base frame, about the flange origin) from `current` towards `target`; non-finite inputs, and
 * errors so large that gain × error overflows, give zero. The angular part is the rotation vector of
 * `target · current⁻¹` (base frame) times the gain.
 */
export function twistToward(current: RigidPose, target: RigidPose, limits: TwistLimits): Twist {
  const e: Vec3 = [target.position[0] - current.position[0], target.position[1] - current.position[1], target.position[2] - current.position[2]];
  const r = quatToRotationVector(quatBetween(current.orientation, target.orientation));
  const ePos = Math.hypot(e[0], e[1], e[2]);
  const eRot = Math.hypot(r[0], r[1], r[2]);
  if (!Number.isFinite(ePos) || !Number.isFinite(eRot)) return zeroTwist();
  const k = limits.gain;
  const lin: Vec3 = ePos > limits.positionTolerance ? [k * e[0], k * e[1], k * e[2]] : [0, 0, 0];
  const ang: Vec3 = eRot > limits.rotationTolerance ? [k * r[0], k * r[1], k * r[2]] : [0, 0, 0];
  const v = Math.hypot(lin[0], lin[1], lin[2]);
  const w = Math.hypot(ang[0], ang[1], ang[2]);
  // gain × error overflowing (a garbage pose, however finite) would scale Infinity by 0 into NaN.
  if (!Number.isFinite(v) || !Number.isFinite(w)) return zeroTwist();
  let s = 1;
  if (v > limits.maxLinearSpeed) s = Math.min(s, limits.maxLinearSpeed / v);
  if (w > limits.maxAngularSpeed) s = Math.min(s, limits.maxAngularSpeed / w);
  return { linear: [lin[0] * s, lin[1] * s, lin[2] * s], angular: [ang[0] * s, ang[1] * s, ang[2] * s] };
}

/**
 * The same rigid motion described at another point: `v' = v + ω × r`, where r (m, base frame) goes from
 * the flange to that point (for Servo with ee_frame = TCP: r = R_flange · F_T_EE.position).
 */
export function twistAtPoint(twist: Twist, r: Readonly<Vec3>): Twist {
  const w = twist.angular;
  return {
    linear: [twist.linear[0] + (w[1] * r[2] - w[2] * r[1]), twist.linear[1] + (w[2] * r[0] - w[0] * r[2]), twist.linear[2] + (w[0] * r[1] - w[1] * r[0])],
    angular: [w[0], w[1], w[2]],
  };
}

/** Base-frame vector from the flange to the TCP for a flange pose and F_T_EE translation (m). */
export function flangeToTcpLever(flange: RigidPose, tcpTranslation: Readonly<Vec3>): Vec3 {
  return rotateVector(flange.orientation, tcpTranslation);
}
