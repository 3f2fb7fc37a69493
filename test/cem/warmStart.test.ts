import { planCem, warmStartFromPrevious } from "../../src/cem";
import { A, recording, quadraticBowl, zeroSampler } from "./helpers";

describe("warmStartFromPrevious", () => {
  const previous = {
    mean: Float64Array.of(0.01, 0.02, 0.03, 0.4, 0.011, 0.021, 0.031, 0.5),
    std: Float64Array.of(0.001, 0.05, 0.001, 0.1, 0.002, 0.06, 0.002, 0.9),
  };

  it("shifts by one step, repeats the last step and floors the std", () => {
    const next = warmStartFromPrevious(previous, { stdFloorXyz: 0.01, stdFloorGripper: 0.5 });
    expect(Array.from(next.mean)).toEqual([0.011, 0.021, 0.031, 0.5, 0.011, 0.021, 0.031, 0.5]);
    expect(Array.from(next.std)).toEqual([0.01, 0.06, 0.01, 0.9, 0.01, 0.06, 0.01, 0.9]);
    // inputs untouched
    expect(previous.mean[0]).toBe(0.01);
  });

  it("defaults the floors to maxnorm / 2 and 0.5, and can change the horizon", () => {
    const next = warmStartFromPrevious(previous, { horizon: 3, maxnorm: 0.05 });
    expect(next.mean).toHaveLength(12);
    expect(Array.from(next.std.subarray(0, 4))).toEqual([0.025, 0.06, 0.025, 0.9]);
    expect(Array.from(next.mean.subarray(8, 12))).toEqual([0.011, 0.021, 0.031, 0.5]);
    const h1 = warmStartFromPrevious({ mean: Float64Array.of(0.01, 0, 0, 0.3), std: Float64Array.of(0, 0, 0, 0) });
    expect(Array.from(h1.mean)).toEqual([0.01, 0, 0, 0.3]); // H = 1: the last step is kept
    expect(Array.from(h1.std)).toEqual([0.0375, 0.0375, 0.0375, 0.5]);
  });

  it("rejects malformed input", () => {
    expect(() => warmStartFromPrevious({ mean: new Float64Array(5), std: new Float64Array(5) })).toThrow(/H × 4 values/);
    expect(() => warmStartFromPrevious(previous, { horizon: 0 })).toThrow(/horizon must be an integer ≥ 1, got 0/);
    expect(() => warmStartFromPrevious(previous, { stdFloorXyz: -1 })).toThrow(/stdFloorXyz must be a finite number ≥ 0, got -1/);
    expect(() => warmStartFromPrevious({ mean: Float64Array.of(NaN, 0, 0, 0), std: new Float64Array(4) })).toThrow(/not finite/);
  });

  it("seeds planCem's first samples (fixed axes still win)", async () => {
    const warm = { mean: Float64Array.of(0.02, -0.01, 0.2, 0.4), std: Float64Array.of(0.01, 0.01, 0.01, 0.1) };
    const { energy, calls } = recording(quadraticBowl([0, 0, 0, 0]));
    await planCem(energy, { samples: 8, topk: 2, iterations: 1, maxnorm: 0.05, warmStart: warm, axis: { 1: 0 }, sampler: zeroSampler });
    const first = calls[0].actions;
    expect(Array.from(first.subarray(0, A))).toEqual([0.02, 0, 0.05, 0, 0, 0, 0.4].map(Math.fround)); // z clipped
  });

  it("closes the loop: a result feeds the next plan", async () => {
    const energy = quadraticBowl([0.02, 0.01, 0, 0.5]);
    const first = await planCem(energy, { samples: 100, topk: 8, iterations: 6, horizon: 2, seed: 1 });
    const warmStart = warmStartFromPrevious(first, { stdFloorXyz: 0.003, stdFloorGripper: 0.05 });
    const warm = await planCem(energy, { samples: 100, topk: 8, iterations: 2, horizon: 2, seed: 2, warmStart });
    const cold = await planCem(energy, { samples: 100, topk: 8, iterations: 2, horizon: 2, seed: 2 });
    const error = (plan: Float64Array) => Math.hypot(plan[0] - 0.02, plan[1] - 0.01, plan[2], plan[7] - 0.02, plan[8] - 0.01, plan[9]);
    expect(error(warm.plan)).toBeLessThan(0.01);
    expect(error(warm.plan)).toBeLessThan(error(cold.plan));
  });
});
