import { createStandardNormalSampler, foldSeed } from "../../src/cem";

describe("standard-normal sampler", () => {
  it("is deterministic per seed and continues its stream across calls", () => {
    const a = createStandardNormalSampler(5);
    const b = createStandardNormalSampler(5);
    const x1 = new Float64Array(1000),
      x2 = new Float64Array(1000),
      y = new Float64Array(2000);
    a(x1);
    a(x2);
    b(y);
    expect(Array.from(y)).toEqual([...x1, ...x2]);
    expect(x1).not.toEqual(x2);
    const c = new Float64Array(1000);
    createStandardNormalSampler(6)(c);
    expect(c).not.toEqual(x1);
  });

  it("folds large seeds so high bits matter", () => {
    expect(foldSeed(7)).toBe(7);
    expect(foldSeed(2 ** 32 + 7)).not.toBe(foldSeed(7));
    expect(foldSeed(-1)).toBe(foldSeed(-1));
    expect(() => foldSeed(0.5)).toThrow("seed must be a safe integer, got 0.5");
  });

  it("has the moments and tails of N(0, 1)", () => {
    const n = 400_000;
    const x = new Float64Array(n);
    createStandardNormalSampler(12345)(x);
    let sum = 0,
      sq = 0,
      quart = 0,
      beyond2 = 0,
      beyondTail = 0,
      max = 0;
    for (const v of x) {
      sum += v;
      sq += v * v;
      quart += v ** 4;
      if (Math.abs(v) > 2) beyond2++;
      if (Math.abs(v) > 3.5) beyondTail++; // exercises the tail sampler (> 3.4426)
      max = Math.max(max, Math.abs(v));
    }
    const mean = sum / n;
    const variance = sq / n - mean * mean;
    expect(Math.abs(mean)).toBeLessThan(5 * Math.sqrt(1 / n));
    expect(Math.abs(variance - 1)).toBeLessThan(5 * Math.sqrt(2 / n));
    expect(Math.abs(quart / n - 3)).toBeLessThan(0.06);
    // P(|Z| > 2) = 0.0455, P(|Z| > 3.5) = 4.65e-4
    expect(Math.abs(beyond2 / n - 0.0455)).toBeLessThan(5 * Math.sqrt(0.0455 / n));
    expect(Math.abs(beyondTail / n - 4.65e-4)).toBeLessThan(5 * Math.sqrt(4.65e-4 / n));
    expect(max).toBeLessThan(7);
    // symmetric: as many positives as negatives
    let positive = 0;
    for (const v of x) if (v > 0) positive++;
    expect(Math.abs(positive / n - 0.5)).toBeLessThan(5 * Math.sqrt(0.25 / n));
  });
});
