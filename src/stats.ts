/** Median and spread of a set of measurements. */
export interface Summary {
  median: number;
  p10: number;
  p90: number;
  min: number;
  max: number;
}

function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo);
}

/** Summarises measurements (linear-interpolated quantiles). Throws on an empty list. */
export function summarise(values: number[]): Summary {
  if (values.length === 0) throw new Error("summarise: no values");
  const s = [...values].sort((a, b) => a - b);
  return { median: quantile(s, 0.5), p10: quantile(s, 0.1), p90: quantile(s, 0.9), min: s[0], max: s[s.length - 1] };
}
