/**
 * Per-step limits on a planned delta `[dx, dy, dz, droll, dpitch, dyaw, dgripper]` (DROID: translation in
 * the base frame, m; rotation R_delta as extrinsic 'xyz' Euler angles, rad). Each scales its part down,
 * preserving the direction (translation) or the axis (rotation). Pure.
 */
import { eulerFromQuat, quatAngle, quatFromEuler, quatFromRotationVector, quatToRotationVector } from "./rigidPose";
import { fmt, type StageOutcome } from "./stage";

/** Stage: scales dx, dy, dz down so that their Euclidean norm is at most `maxNorm` (m). */
export function limitStepTranslation(delta: readonly number[], maxNorm: number): StageOutcome<number[]> {
  const out = delta.slice();
  const norm = Math.hypot(delta[0], delta[1], delta[2]);
  if (norm <= maxNorm) return { value: out, report: null };
  const k = norm > 0 ? maxNorm / norm : 0;
  out[0] *= k;
  out[1] *= k;
  out[2] *= k;
  return {
    value: out,
    report: { stage: "step_translation", code: "limited", reason: `translation ${fmt(norm)} m > max_step_translation ${fmt(maxNorm)} m: scaled by ${fmt(k)}` },
  };
}

/**
 * Stage: scales the rotation of R_delta (its angle, about the same axis) down to at most `maxAngle` (rad);
 * the Euler angles of the result are recomputed (scipy convention), not scaled component-wise.
 */
export function limitStepRotation(delta: readonly number[], maxAngle: number): StageOutcome<number[]> {
  const out = delta.slice();
  const q = quatFromEuler(delta[3], delta[4], delta[5]);
  const angle = quatAngle(q);
  if (angle <= maxAngle) return { value: out, report: null };
  const r = quatToRotationVector(q);
  const k = maxAngle / angle;
  const e = eulerFromQuat(quatFromRotationVector([r[0] * k, r[1] * k, r[2] * k]));
  out[3] = e[0];
  out[4] = e[1];
  out[5] = e[2];
  return {
    value: out,
    report: { stage: "step_rotation", code: "limited", reason: `rotation ${fmt(angle)} rad > max_step_rotation ${fmt(maxAngle)} rad: scaled by ${fmt(k)}` },
  };
}
