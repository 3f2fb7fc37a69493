/**
 * Parsers of numeric command-line flag values, shared by every command so that they word their errors
 * alike and none takes an empty value for 0 (Number("") is 0).
 */

function parse(text: string): number {
  return text.trim() === "" ? Number.NaN : Number(text);
}

/** An integer in [min, max]; the error names the flag, the range and what was given. */
export function integerFlag(text: string, flag: string, min = 0, max = Number.MAX_SAFE_INTEGER): number {
  const v = parse(text);
  if (!Number.isInteger(v) || v < min || v > max) {
    const range = max === Number.MAX_SAFE_INTEGER ? (min === Number.MIN_SAFE_INTEGER ? "" : ` ≥ ${min}`) : ` in ${min}..${max}`;
    throw new Error(`${flag} expects an integer${range}, got '${text}'`);
  }
  return v;
}

/** A comma-separated list of integers ≥ min (e.g. step budgets "4,10,4"). */
export function integerListFlag(text: string, flag: string, min = 0): number[] {
  return text.split(",").map((part) => integerFlag(part.trim(), flag, min));
}

/** A finite number ≥ min, or > min when `exclusive` (e.g. a positive speed). */
export function numberFlag(text: string, flag: string, min: number, exclusive = false): number {
  const v = parse(text);
  if (!Number.isFinite(v) || v < min || (exclusive && v === min)) {
    throw new Error(`${flag} expects a number ${exclusive ? ">" : "≥"} ${min}, got '${text}'`);
  }
  return v;
}
