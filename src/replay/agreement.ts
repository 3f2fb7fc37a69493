/**
 * How well planned actions agree with the actions recorded over the same interval: cosine similarity
 * and per-axis sign agreement of the xyz deltas, and gripper direction agreement. Pure functions.
 */

/** Deltas smaller than this (m) count as "no motion" on an axis for sign agreement. */
export const STILL_EPSILON = 1e-3;
/** Gripper deltas smaller than this count as "no change". */
export const GRIPPER_EPSILON = 0.05;

/** Cosine similarity of the xyz parts of two actions; null when either is (near) zero. */
export function cosineXyz(a: readonly number[], b: readonly number[]): number | null {
  const na = Math.hypot(a[0], a[1], a[2]);
  const nb = Math.hypot(b[0], b[1], b[2]);
  if (na < 1e-9 || nb < 1e-9) return null;
  return (a[0] * b[0] + a[1] * b[1] + a[2] * b[2]) / (na * nb);
}

/** −1, 0 or +1 with a dead band. */
export function signWithin(v: number, eps: number): number {
  return Math.abs(v) < eps ? 0 : Math.sign(v);
}

/** Per-axis sign agreement of xyz (three booleans), with the STILL_EPSILON dead band. */
export function signAgreementXyz(planned: readonly number[], recorded: readonly number[]): [boolean, boolean, boolean] {
  return [0, 1, 2].map((i) => signWithin(planned[i], STILL_EPSILON) === signWithin(recorded[i], STILL_EPSILON)) as [boolean, boolean, boolean];
}

/** Whether planned and recorded gripper deltas go the same way (close / open / hold). */
export function gripperAgreement(planned: number, recorded: number): boolean {
  return signWithin(planned, GRIPPER_EPSILON) === signWithin(recorded, GRIPPER_EPSILON);
}

/** Aggregate agreement over the steps that have a recorded action. */
export interface AgreementSummary {
  steps: number;
  /** Mean cosine similarity over steps where both xyz deltas are non-zero (null if none). */
  meanCosine: number | null;
  /** Fraction of (step, axis) pairs whose signs agree. */
  signAgreement: number | null;
  /** Per axis x, y, z. */
  signAgreementPerAxis: [number | null, number | null, number | null];
  gripperAgreement: number | null;
}

export function summariseAgreement(pairs: ReadonlyArray<{ planned: readonly number[]; recorded: readonly number[] }>): AgreementSummary {
  const cos = pairs.map((p) => cosineXyz(p.planned, p.recorded)).filter((c): c is number => c !== null);
  const signs = pairs.map((p) => signAgreementXyz(p.planned, p.recorded));
  const mean = (xs: number[]) => (xs.length === 0 ? null : xs.reduce((a, b) => a + b, 0) / xs.length);
  const perAxis = [0, 1, 2].map((i) => mean(signs.map((s) => (s[i] ? 1 : 0)))) as [number | null, number | null, number | null];
  return {
    steps: pairs.length,
    meanCosine: mean(cos),
    signAgreement: mean(signs.flat().map((b) => (b ? 1 : 0))),
    signAgreementPerAxis: perAxis,
    gripperAgreement: mean(pairs.map((p) => (gripperAgreement(p.planned[6], p.recorded[6]) ? 1 : 0))),
  };
}
