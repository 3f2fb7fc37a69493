/** Refusal of NaN / ±Infinity anywhere in what the actuator would act on. Pure. */
import type { StageName, StageOutcome } from "./stage";

/** Labels of the 7 entries of a DROID state / delta, for reasons. */
export const STATE_LABELS = ["x", "y", "z", "roll", "pitch", "yaw", "gripper"] as const;
export const DELTA_LABELS = ["dx", "dy", "dz", "droll", "dpitch", "dyaw", "dgripper"] as const;

/**
 * The first non-finite entry of `values` as "name[i] (label) is NaN", or null when all are finite. Also
 * reports a wrong length (`expectedLength`) or a missing array.
 */
export function findNonFinite(name: string, values: ArrayLike<number> | null | undefined, labels?: readonly string[], expectedLength?: number): string | null {
  if (values == null) return `${name} is missing`;
  if (expectedLength !== undefined && values.length !== expectedLength) return `${name} has ${values.length} values, expected ${expectedLength}`;
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (typeof v !== "number" || !Number.isFinite(v)) return `${name}[${i}]${labels?.[i] ? ` (${labels[i]})` : ""} is ${String(v)}`;
  }
  return null;
}

/**
 * Stage: holds when any of the named arrays has a non-finite entry (or the wrong length); the reason
 * names the first offending value. `stage` is `finite_input` (delta, state) or `finite_target`.
 */
export function finiteStage(
  stage: Extract<StageName, "finite_input" | "finite_target">,
  arrays: ReadonlyArray<{ name: string; values: ArrayLike<number> | null | undefined; labels?: readonly string[]; length?: number }>,
): StageOutcome<null> {
  for (const a of arrays) {
    const problem = findNonFinite(a.name, a.values, a.labels, a.length);
    if (problem !== null) return { value: null, report: { stage, code: "hold", reason: `refusing non-finite input: ${problem}; holding` } };
  }
  return { value: null, report: null };
}
