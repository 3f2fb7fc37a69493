/**
 * End-effector pose arithmetic in the DROID / V-JEPA 2-AC convention (DESIGN §1).
 *
 * Pose   = [x, y, z, roll, pitch, yaw, gripper]: flange position in the base frame (m), orientation as
 *          scipy extrinsic 'xyz' Euler angles (rad), gripper closedness in [0, 1] (0 open).
 * Action = [dx, dy, dz, droll, dpitch, dyaw, dgripper]: the same units, as a delta.
 *
 * Advancing a pose adds the position, composes the rotation as `R_delta @ R_pose` and clips the gripper;
 * the inverse (`posesToDiff`) gives `R_end @ R_startᵀ`. Upstream does this with scipy's `Rotation`; this
 * module follows scipy ≥ 1.11 (Cython backend) operation by operation:
 * - Euler → quaternion: product of elementary quaternions `q_z · q_y · q_x` (extrinsic order),
 * - quaternion → matrix: the usual homogeneous formula, no renormalisation,
 * - matrix → quaternion: Markley's method (pick the largest of the diagonal and the trace), normalised,
 * - quaternion → Euler: Bernardes & Viollet (2022), with scipy's gimbal-lock rule (middle angle within
 *   1e-7 rad of ±π/2: the third angle is set to 0) and its wrapping (one 2π shift into [−π, π]; exactly
 *   ±π is kept).
 * It reproduces shared/reference/pose_math.json to ~2e-15 (ulp-level differences of the libm sin/cos).
 *
 * Which scipy: the reference numbers are bit-identical to scipy 1.10.1, whose `as_euler` rebuilds the
 * matrix and uses Shuster & Markley's matrix method (pitch = acos(m₂₀) − π/2, gimbal lock when acos(m₂₀)
 * is within 1e-7 of 0 or π). Both methods agree to ~1e-15 on every reference case, none of which lies in
 * the gimbal-lock band. Inside that band the acos amplifies a 1-ulp difference in m₂₀ into ~1e-8 rad, so
 * no reimplementation (different libm) can track scipy 1.10 there to 1e-9, while the quaternion method
 * is well-conditioned and tracks current scipy to ~1e-16 (tested). The two scipy versions themselves
 * differ there by ~1e-9 rad (up to ~1.5e-8 at the exact lock, from the acos).
 *
 * Quaternions are scalar-last `[x, y, z, w]` like scipy; 3×3 matrices are row-major length-9 arrays.
 * Everything is pure; the per-row core (`advancePoseAt`) allocates nothing.
 */

/** Number of values in a pose or an action. */
export const POSE_DIM = 7;

/** A pose or action as a plain array of 7 numbers (see the module comment for the layout). */
export type Vector7 = ReadonlyArray<number>;

/** Any numeric array the conversions can read from (plain arrays and typed arrays). */
export type NumericArray = ArrayLike<number>;

/** A numeric array the conversions can write into. */
export type WritableNumericArray = { [index: number]: number; readonly length: number };

/** Half-width of the band around ±π/2 (rad, middle angle) that scipy treats as gimbal lock. */
export const GIMBAL_LOCK_TOLERANCE = 1e-7;

const PI = Math.PI;
const TWO_PI = 2 * Math.PI;
const HALF_PI = Math.PI / 2;

// Scratch for the hot path, so that `advancePoseAt` allocates nothing. JavaScript is
// single-threaded and none of these functions await, so sharing them is safe.
const scratchQuatA = new Float64Array(4);
const scratchQuatB = new Float64Array(4);
const scratchMatA = new Float64Array(9);
const scratchMatB = new Float64Array(9);
const scratchMatC = new Float64Array(9);
const scratchEuler = new Float64Array(3);

// ---------------------------------------------------------------------------------------------------
// Building blocks

/**
 * Quaternion `[x, y, z, w]` of extrinsic 'xyz' Euler angles (rad): rotate about the fixed x axis by
 * `roll`, then fixed y by `pitch`, then fixed z by `yaw`; i.e. `q = q_z(yaw) · q_y(pitch) · q_x(roll)`.
 * Unit length up to rounding (scipy does not renormalise either).
 */
export function eulerXyzToQuaternion(roll: number, pitch: number, yaw: number, out: WritableNumericArray = new Float64Array(4)): WritableNumericArray {
  const cx = Math.cos(roll / 2);
  const sx = Math.sin(roll / 2);
  const cy = Math.cos(pitch / 2);
  const sy = Math.sin(pitch / 2);
  const cz = Math.cos(yaw / 2);
  const sz = Math.sin(yaw / 2);
  // q_y · q_x, then q_z · (q_y · q_x): scipy's general product with the zero terms dropped (adding a
  // signed zero is exact, so the rounding is the same).
  const x1 = cy * sx;
  const y1 = cx * sy;
  const z1 = -(sy * sx);
  const w1 = cy * cx;
  out[0] = cz * x1 - sz * y1;
  out[1] = cz * y1 + sz * x1;
  out[2] = cz * z1 + w1 * sz;
  out[3] = cz * w1 - sz * z1;
  return out;
}

/** Hamilton product `p · q` of two `[x, y, z, w]` quaternions (apply q first, then p). */
export function multiplyQuaternions(p: NumericArray, q: NumericArray, out: WritableNumericArray = new Float64Array(4)): WritableNumericArray {
  const px = p[0],
    py = p[1],
    pz = p[2],
    pw = p[3];
  const qx = q[0],
    qy = q[1],
    qz = q[2],
    qw = q[3];
  out[0] = pw * qx + qw * px + (py * qz - pz * qy);
  out[1] = pw * qy + qw * py + (pz * qx - px * qz);
  out[2] = pw * qz + qw * pz + (px * qy - py * qx);
  out[3] = pw * qw - px * qx - py * qy - pz * qz;
  return out;
}

/** Row-major 3×3 rotation matrix of a `[x, y, z, w]` quaternion (assumed unit; not renormalised). */
export function quaternionToMatrix(q: NumericArray, out: WritableNumericArray = new Float64Array(9)): WritableNumericArray {
  const x = q[0],
    y = q[1],
    z = q[2],
    w = q[3];
  const x2 = x * x,
    y2 = y * y,
    z2 = z * z,
    w2 = w * w;
  const xy = x * y,
    zw = z * w,
    xz = x * z,
    yw = y * w,
    yz = y * z,
    xw = x * w;
  out[0] = x2 - y2 - z2 + w2;
  out[1] = 2 * (xy - zw);
  out[2] = 2 * (xz + yw);
  out[3] = 2 * (xy + zw);
  out[4] = -x2 + y2 - z2 + w2;
  out[5] = 2 * (yz - xw);
  out[6] = 2 * (xz - yw);
  out[7] = 2 * (yz + xw);
  out[8] = -x2 - y2 + z2 + w2;
  return out;
}

/**
 * Unit quaternion `[x, y, z, w]` of a row-major 3×3 rotation matrix (Markley's method, as scipy's
 * `Rotation.from_matrix`). The matrix must be a proper rotation; small non-orthogonality is absorbed by
 * the normalisation (scipy would first project matrices that are off by more than 1e-12 with an SVD;
 * the products built in this module never are).
 */
export function matrixToQuaternion(m: NumericArray, out: WritableNumericArray = new Float64Array(4)): WritableNumericArray {
  const m00 = m[0],
    m11 = m[4],
    m22 = m[8];
  const trace = m00 + m11 + m22;
  // argmax over [m00, m11, m22, trace], first maximum wins (strict >), as scipy.
  let choice = 0;
  let best = m00;
  if (m11 > best) {
    choice = 1;
    best = m11;
  }
  if (m22 > best) {
    choice = 2;
    best = m22;
  }
  if (trace > best) {
    choice = 3;
  }
  let x: number, y: number, z: number, w: number;
  if (choice === 3) {
    x = m[7] - m[5];
    y = m[2] - m[6];
    z = m[3] - m[1];
    w = 1 + trace;
  } else if (choice === 0) {
    // q[i] = 1 − trace + 2 m_ii, q[j] = m_ji + m_ij, q[k] = m_ki + m_ik, w = m_kj − m_jk; (i,j,k) cyclic
    x = 1 - trace + 2 * m00;
    y = m[3] + m[1];
    z = m[6] + m[2];
    w = m[7] - m[5];
  } else if (choice === 1) {
    y = 1 - trace + 2 * m11;
    z = m[7] + m[5];
    x = m[1] + m[3];
    w = m[2] - m[6];
  } else {
    z = 1 - trace + 2 * m22;
    x = m[2] + m[6];
    y = m[5] + m[7];
    w = m[3] - m[1];
  }
  const norm = Math.sqrt(x * x + y * y + z * z + w * w);
  out[0] = x / norm;
  out[1] = y / norm;
  out[2] = z / norm;
  out[3] = w / norm;
  return out;
}

/**
 * Extrinsic 'xyz' Euler angles `[roll, pitch, yaw]` (rad) of a `[x, y, z, w]` quaternion, by the
 * quaternion-based method of Bernardes & Viollet (2022) exactly as scipy ≥ 1.11 `as_euler('xyz')`:
 * pitch in [−π/2, π/2], roll and yaw in [−π, π]. Within `GIMBAL_LOCK_TOLERANCE` of pitch = ±π/2 the
 * split between roll and yaw is undefined; like scipy, yaw is set to 0 and roll carries the rotation.
 */
export function quaternionToEulerXyz(q: NumericArray, out: WritableNumericArray = new Float64Array(3)): WritableNumericArray {
  const qx = q[0],
    qy = q[1],
    qz = q[2],
    qw = q[3];
  // Sequence x, y, z (i=0, j=1, k=2) is an even permutation: sign = +1; not symmetric (i ≠ k).
  const a = qw - qy;
  const b = qx + qz;
  const c = qy + qw;
  const d = qz - qx;
  let second = 2 * Math.atan2(Math.hypot(c, d), Math.hypot(a, b));
  const halfSum = Math.atan2(b, a);
  const halfDiff = Math.atan2(d, c);
  let first: number;
  let third: number;
  if (Math.abs(second) <= GIMBAL_LOCK_TOLERANCE) {
    first = 2 * halfSum;
    third = 0;
  } else if (Math.abs(second - PI) <= GIMBAL_LOCK_TOLERANCE) {
    first = -2 * halfDiff; // extrinsic: the sign flips
    third = 0;
  } else {
    first = halfSum - halfDiff;
    third = halfSum + halfDiff;
  }
  // Tait–Bryan sequences shift the middle angle by λ = π/2.
  second -= HALF_PI;
  out[0] = wrapAngleLikeScipy(first);
  out[1] = wrapAngleLikeScipy(second);
  out[2] = wrapAngleLikeScipy(third);
  return out;
}

/** Row-major 3×3 rotation matrix of extrinsic 'xyz' Euler angles (rad), via the quaternion as scipy. */
export function eulerXyzToMatrix(roll: number, pitch: number, yaw: number, out: WritableNumericArray = new Float64Array(9)): WritableNumericArray {
  return quaternionToMatrix(eulerXyzToQuaternion(roll, pitch, yaw, scratchQuatA), out);
}

/**
 * Extrinsic 'xyz' Euler angles `[roll, pitch, yaw]` (rad) of a row-major 3×3 rotation matrix, going
 * matrix → quaternion → Euler like scipy's `Rotation.from_matrix(m).as_euler('xyz')`.
 */
export function matrixToEulerXyz(m: NumericArray, out: WritableNumericArray = new Float64Array(3)): WritableNumericArray {
  return quaternionToEulerXyz(matrixToQuaternion(m, scratchQuatB), out);
}

/** Row-major product `a @ b` of two 3×3 matrices. `out` must not alias `a` or `b`. */
export function multiplyMatrices3(a: NumericArray, b: NumericArray, out: WritableNumericArray = new Float64Array(9)): WritableNumericArray {
  for (let r = 0; r < 3; r++) {
    const a0 = a[3 * r],
      a1 = a[3 * r + 1],
      a2 = a[3 * r + 2];
    out[3 * r] = a0 * b[0] + a1 * b[3] + a2 * b[6];
    out[3 * r + 1] = a0 * b[1] + a1 * b[4] + a2 * b[7];
    out[3 * r + 2] = a0 * b[2] + a1 * b[5] + a2 * b[8];
  }
  return out;
}

/** Row-major product `a @ bᵀ` of two 3×3 matrices. `out` must not alias `a` or `b`. */
export function multiplyMatrixByTranspose3(a: NumericArray, b: NumericArray, out: WritableNumericArray = new Float64Array(9)): WritableNumericArray {
  for (let r = 0; r < 3; r++) {
    const a0 = a[3 * r],
      a1 = a[3 * r + 1],
      a2 = a[3 * r + 2];
    out[3 * r] = a0 * b[0] + a1 * b[1] + a2 * b[2];
    out[3 * r + 1] = a0 * b[3] + a1 * b[4] + a2 * b[5];
    out[3 * r + 2] = a0 * b[6] + a1 * b[7] + a2 * b[8];
  }
  return out;
}

/**
 * scipy's final wrap of Euler angles (rad): one 2π shift for values outside [−π, π]; ±π themselves are
 * kept (unlike `(θ + π) mod 2π − π`, which would turn π into −π).
 */
export function wrapAngleLikeScipy(angle: number): number {
  if (angle < -PI) return angle + TWO_PI;
  if (angle > PI) return angle - TWO_PI;
  return angle;
}

/** Clamp `value` to [lo, hi]. */
function clamp(value: number, lo: number, hi: number): number {
  return value < lo ? lo : value > hi ? hi : value;
}

// ---------------------------------------------------------------------------------------------------
// Validation

/**
 * Throws unless `values` has exactly 7 finite entries; the message names the argument, the index and
 * the offending value.
 */
export function assertVector7(values: NumericArray, name: string): void {
  if (values == null || typeof values.length !== "number") {
    throw new Error(`${name} must be an array of ${POSE_DIM} numbers, got ${String(values)}`);
  }
  if (values.length !== POSE_DIM) {
    throw new Error(`${name} must have length ${POSE_DIM} ([x, y, z, roll, pitch, yaw, gripper]), got length ${values.length}`);
  }
  for (let i = 0; i < POSE_DIM; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) {
      throw new Error(`${name}[${i}] must be a finite number, got ${String(v)}`);
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Pose arithmetic, single

/**
 * Pose after applying an action (upstream `compute_new_pose`): position `p + dp` (m), rotation
 * `R(dθ) @ R(θ)` back to 'xyz' Euler (rad), gripper `clip(g + dg, 0, 1)`.
 * @param pose   [x, y, z, roll, pitch, yaw, gripper]; 7 finite numbers
 * @param action [dx, dy, dz, droll, dpitch, dyaw, dgripper]; 7 finite numbers
 * @returns the new pose as a fresh array of 7
 * @throws Error naming the argument, index and value when an input is malformed
 */
export function computeNewPose(pose: Vector7, action: Vector7): number[] {
  assertVector7(pose, "pose");
  assertVector7(action, "action");
  const out = new Float64Array(POSE_DIM);
  advancePoseAt(pose, 0, action, 0, out, 0);
  return Array.from(out);
}

/**
 * Action that takes `start` to `end` (upstream `poses_to_diff`): position `e − s` (m), rotation
 * `R(θ_e) @ R(θ_s)ᵀ` as 'xyz' Euler (rad), gripper `g_e − g_s` (not clipped).
 * @param start [x, y, z, roll, pitch, yaw, gripper]; 7 finite numbers
 * @param end   [x, y, z, roll, pitch, yaw, gripper]; 7 finite numbers
 * @returns the action as a fresh array of 7
 * @throws Error naming the argument, index and value when an input is malformed
 */
export function posesToDiff(start: Vector7, end: Vector7): number[] {
  assertVector7(start, "start");
  assertVector7(end, "end");
  const startRotation = eulerXyzToMatrix(start[3], start[4], start[5], scratchMatA);
  const endRotation = eulerXyzToMatrix(end[3], end[4], end[5], scratchMatB);
  const relative = multiplyMatrixByTranspose3(endRotation, startRotation, scratchMatC);
  const euler = matrixToEulerXyz(relative, scratchEuler);
  return [end[0] - start[0], end[1] - start[1], end[2] - start[2], euler[0], euler[1], euler[2], end[6] - start[6]];
}

// ---------------------------------------------------------------------------------------------------
// Pose arithmetic, batched (planner hot path)

/**
 * Advances one pose stored at `poses[poseOffset .. +7]` by the action at `actions[actionOffset .. +7]`
 * and writes the result to `out[outOffset .. +7]`. No validation, no allocation; `out` may alias the
 * pose (every input is read before anything is written).
 */
export function advancePoseAt(
  poses: NumericArray,
  poseOffset: number,
  actions: NumericArray,
  actionOffset: number,
  out: WritableNumericArray,
  outOffset: number,
): void {
  const px = poses[poseOffset],
    py = poses[poseOffset + 1],
    pz = poses[poseOffset + 2];
  const gripper = poses[poseOffset + 6];
  const poseRotation = eulerXyzToMatrix(poses[poseOffset + 3], poses[poseOffset + 4], poses[poseOffset + 5], scratchMatA);
  const droll = actions[actionOffset + 3],
    dpitch = actions[actionOffset + 4],
    dyaw = actions[actionOffset + 5];
  // The planner's actions have no rotation: R(0) is exactly the identity and I @ R is exactly R, so
  // skipping the product is bit-identical and saves half the trigonometry.
  const composed =
    droll === 0 && dpitch === 0 && dyaw === 0 ? poseRotation : multiplyMatrices3(eulerXyzToMatrix(droll, dpitch, dyaw, scratchMatB), poseRotation, scratchMatC);
  const euler = matrixToEulerXyz(composed, scratchEuler);
  out[outOffset] = px + actions[actionOffset];
  out[outOffset + 1] = py + actions[actionOffset + 1];
  out[outOffset + 2] = pz + actions[actionOffset + 2];
  out[outOffset + 3] = euler[0];
  out[outOffset + 4] = euler[1];
  out[outOffset + 5] = euler[2];
  out[outOffset + 6] = clamp(gripper + actions[actionOffset + 6], 0, 1);
}
