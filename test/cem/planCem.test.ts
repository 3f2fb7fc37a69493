import { CEM_DEFAULTS, planCem, type BatchEnergyFn } from "../../src/cem";
import { A, distinctColumnValues, maxAbsColumn, quadraticBowl, recording, replaySampler, zeroSampler } from "./helpers";

// Small runs keep the folder fast; semantics do not depend on S.
const fast = { samples: 200, iterations: 8, topk: 10, seed: 7 } as const;

describe("planCem converges and respects the box", () => {
  it("finds a quadratic minimum inside the box (H = 1)", async () => {
    const target = [0.03, -0.02, 0.01, 0.6];
    const result = await planCem(quadraticBowl(target), { ...fast, maxnorm: 0.075 });
    expect(result.plan).toHaveLength(7);
    for (let d = 0; d < 3; d++) expect(Math.abs(result.plan[d] - target[d])).toBeLessThan(2e-3);
    expect(Math.abs(result.plan[6] - 0.6)).toBeLessThan(0.05);
    expect(Array.from(result.plan.subarray(3, 6))).toEqual([0, 0, 0]);
    // energies go down
    expect(result.iterations[result.iterations.length - 1].bestEnergy).toBeLessThan(result.iterations[0].bestEnergy);
  });

  it("finds the minimum of every step (H = 2)", async () => {
    const target = [-0.01, 0.02, 0.04, -0.5];
    const result = await planCem(quadraticBowl(target), { ...fast, horizon: 2, maxnorm: 0.05, iterations: 10 });
    expect(result.plan).toHaveLength(14);
    for (let h = 0; h < 2; h++) {
      for (let d = 0; d < 3; d++) expect(Math.abs(result.plan[h * 7 + d] - target[d])).toBeLessThan(3e-3);
      expect(Math.abs(result.plan[h * 7 + 6] + 0.5)).toBeLessThan(0.08);
    }
  });

  it("clips at ±maxnorm and ±gripperClip when the minimum lies outside", async () => {
    const maxnorm = 0.05;
    const { energy, calls } = recording(quadraticBowl([0.3, -0.3, 0.02, 2]));
    const result = await planCem(energy, { ...fast, maxnorm });
    const bound = Math.fround(maxnorm);
    expect(maxAbsColumn(calls, [0, 1, 2])).toBe(bound); // reached, never exceeded
    expect(maxAbsColumn(calls, [6])).toBe(0.75);
    expect(result.plan[0]).toBeGreaterThan(maxnorm - 1e-3);
    expect(result.plan[0]).toBeLessThanOrEqual(bound);
    expect(result.plan[1]).toBeLessThan(-maxnorm + 1e-3);
    expect(result.plan[1]).toBeGreaterThanOrEqual(-bound);
    expect(Math.abs(result.plan[2] - 0.02)).toBeLessThan(2e-3);
    expect(result.plan[6]).toBeGreaterThan(0.7);
    expect(result.plan[6]).toBeLessThanOrEqual(0.75);
    // a custom gripper clip is honoured too
    const tight = recording(quadraticBowl([0, 0, 0, 2]));
    await planCem(tight.energy, { ...fast, gripperClip: 0.3 });
    expect(maxAbsColumn(tight.calls, [6])).toBe(Math.fround(0.3));
  });
});

describe("planCem fixed axes, closeGripper and gripper rounding", () => {
  it("keeps a fixed axis exactly fixed in every sample and in the plan", async () => {
    const { energy, calls } = recording(quadraticBowl([0.03, -0.04, 0.01, 0.9]));
    const result = await planCem(energy, { ...fast, horizon: 2, axis: { 1: 0.02, 3: -0.3 } });
    expect(distinctColumnValues(calls, 1)).toEqual([Math.fround(0.02)]);
    expect(distinctColumnValues(calls, 6)).toEqual([Math.fround(-0.3)]);
    for (let h = 0; h < 2; h++) {
      expect(result.plan[h * 7 + 1]).toBe(0.02);
      expect(result.plan[h * 7 + 6]).toBe(-0.3);
      expect(result.mean[h * 4 + 1]).toBe(0.02);
    }
    // the free axes still optimise
    expect(Math.abs(result.plan[0] - 0.03)).toBeLessThan(3e-3);
  });

  it("applies a fixed value without clipping (as upstream, after the clip)", async () => {
    const { energy, calls } = recording(quadraticBowl([0, 0, 0, 0]));
    await planCem(energy, { ...fast, iterations: 1, axis: { 0: 0.2 } });
    expect(calls[0].actions[0]).toBe(Math.fround(0.2));
  });

  it("forces the gripper to 1.0 from step closeGripper on, after clipping", async () => {
    const { energy, calls } = recording(quadraticBowl([0, 0, 0, -0.5]));
    const result = await planCem(energy, { ...fast, horizon: 3, closeGripper: 1 });
    const step0: number[] = [];
    const later = new Set<number>();
    for (const { actions } of calls) {
      for (let s = 0; s < actions.length / (3 * A); s++) {
        step0.push(actions[s * 3 * A + 6]);
        later.add(actions[(s * 3 + 1) * A + 6]).add(actions[(s * 3 + 2) * A + 6]);
      }
    }
    expect([...later]).toEqual([1]);
    expect(Math.max(...step0.map(Math.abs))).toBeLessThanOrEqual(0.75);
    expect(new Set(step0).size).toBeGreaterThan(10); // step 0 is still sampled
    // the mean follows the forced samples (upstream), step 0 follows the energy
    expect(result.plan[6]).toBeLessThan(-0.3);
    expect(result.plan[7 + 6]).toBeGreaterThan(0.99);
    expect(result.plan[14 + 6]).toBeGreaterThan(0.99);
  });

  it("closeGripper = 0 forces every step", async () => {
    const { energy, calls } = recording(quadraticBowl([0, 0, 0, 0]));
    await planCem(energy, { ...fast, iterations: 1, horizon: 2, closeGripper: 0 });
    expect(distinctColumnValues(calls, 6)).toEqual([1]);
  });

  it("rounds a plan gripper with |g| < gripperRoundBelow to exactly 0 but keeps the mean", async () => {
    const small = await planCem(quadraticBowl([0, 0, 0, 0.2], 10), { ...fast, iterations: 10 });
    expect(Math.abs(small.mean[3] - 0.2)).toBeLessThan(0.05);
    expect(small.plan[6]).toBe(0);
    const negative = await planCem(quadraticBowl([0, 0, 0, -0.2], 10), { ...fast, iterations: 10 });
    expect(negative.plan[6]).toBe(0);
    const large = await planCem(quadraticBowl([0, 0, 0, 0.3], 10), { ...fast, iterations: 10 });
    expect(large.plan[6]).toBe(large.mean[3]);
    expect(Math.abs(large.plan[6] - 0.3)).toBeLessThan(0.05);
    // with a lower threshold 0.2 survives
    const kept = await planCem(quadraticBowl([0, 0, 0, 0.2], 10), { ...fast, iterations: 10, gripperRoundBelow: 0.1 });
    expect(kept.plan[6]).toBe(kept.mean[3]);
  });
});

describe("planCem elite selection and refit", () => {
  it("takes the topk lowest energies (known order, injected sampler, no momentum)", async () => {
    const S = 6;
    // sample s gets noise s/10 on every control, so its action is known
    const noise = Array.from({ length: S * 4 }, (_, i) => Math.floor(i / 4) / 10);
    const energies = Float32Array.of(5, 1, 4, 0, 3, 2); // lowest three: samples 3, 1, 5
    const result = await planCem(() => energies, {
      samples: S,
      topk: 3,
      iterations: 1,
      maxnorm: 1,
      momentumMean: 0,
      momentumStd: 0,
      momentumMeanGripper: 0,
      momentumStdGripper: 0,
      sampler: replaySampler([noise]),
    });
    // xyz std starts at maxnorm = 1, gripper at 1: actions = noise
    const elite = [0.3, 0.1, 0.5];
    const mean = elite.reduce((a, b) => a + b) / 3;
    const std = Math.sqrt(elite.reduce((a, v) => a + (v - mean) ** 2, 0) / 2);
    for (let d = 0; d < 4; d++) {
      expect(result.mean[d]).toBeCloseTo(mean, 6);
      expect(result.std[d]).toBeCloseTo(std, 6);
    }
    expect(result.iterations[0].bestEnergy).toBe(0);
    expect(result.iterations[0].eliteWorstEnergy).toBe(2);
    expect(result.iterations[0].eliteMeanEnergy).toBe(1);
    expect(result.bestEnergy).toBe(0);
    expect(Array.from(result.bestSample)).toEqual([0.3, 0.3, 0.3, 0, 0, 0, 0.3].map(Math.fround));
  });

  it("reproduces two upstream (torch) iterations by hand: clip, elite, unbiased std, momenta", async () => {
    // Upstream cem defaults for momenta (0.25, 0.95, gripper 0.15, 0.15), maxnorm 0.05, S = 5, topk 3.
    // Expected values computed with numpy in float32 following mpc_utils.cem line by line.
    const noise = [
      [0.5, -1.2, 0.3, 0.4, -0.7, 0.2, 1.5, -0.9, 1.8, 0.6, -0.4, 0.1, 0.1, -0.3, -2.0, 1.3, -0.2, 0.9, 0.7, -0.6],
      [0.3, 0.8, -1.1, -0.5, 1.1, -0.4, 0.2, 0.7, -0.6, 1.7, 0.9, -1.4, 0.0, 0.5, -0.3, 0.2, 2.5, -2.2, 0.4, 0.9],
    ];
    const energies = [Float32Array.of(0.5, 0.1, 0.3, 0.2, 0.9), Float32Array.of(0.4, 0.6, 0.05, 0.3, 0.2)];
    let call = 0;
    const { energy, calls } = recording(() => energies[call++]);
    const result = await planCem(energy, {
      samples: 5,
      topk: 3,
      iterations: 2,
      maxnorm: 0.05,
      momentumMean: 0.25,
      momentumStd: 0.95,
      momentumMeanGripper: 0.15,
      momentumStdGripper: 0.15,
      sampler: replaySampler(noise),
    });
    const firstActions = [
      [0.025, -0.05, 0.015, 0.4],
      [-0.035, 0.01, 0.05, -0.75],
      [0.05, 0.03, -0.02, 0.1],
      [0.005, -0.015, -0.05, 0.75],
      [-0.01, 0.045, 0.035, -0.6],
    ];
    firstActions.forEach((row, s) => {
      [0, 1, 2, 6].forEach((col, d) => expect(calls[0].actions[s * A + col]).toBeCloseTo(row[d], 7));
      [3, 4, 5].forEach((col) => expect(calls[0].actions[s * A + col]).toBe(0));
    });
    const secondActions = [
      [0.01988786831498146, 0.04515185207128525, -0.05, -0.36635974049568176],
      [0.05, -0.01320092473179102, 0.005013159941881895, 0.5809036493301392],
      [-0.024775734171271324, 0.05, 0.04005922004580498, -0.75],
      [0.005000000353902578, 0.030563656240701675, -0.020019741728901863, 0.18621057271957397],
      [0.05, -0.05, 0.015026319772005081, 0.7387808561325073],
    ];
    secondActions.forEach((row, s) => [0, 1, 2, 6].forEach((col, d) => expect(calls[1].actions[s * A + col]).toBeCloseTo(row[d], 6)));
    const expectedMean = [0.00880606658756733, 0.009203414432704449, 0.00751644978299737, 0.05383090674877167];
    const expectedStd = [0.049027178436517715, 0.04884706810116768, 0.04907141998410225, 0.7581040263175964];
    for (let d = 0; d < 4; d++) {
      expect(result.mean[d]).toBeCloseTo(expectedMean[d], 6);
      expect(result.std[d]).toBeCloseTo(expectedStd[d], 6);
    }
    // plan: xyz mean, zero rotation, gripper 0.054 rounded to 0
    expect(Array.from(result.plan)).toEqual([result.mean[0], result.mean[1], result.mean[2], 0, 0, 0, 0]);
  });
});

describe("planCem energy calls", () => {
  it("scores all S samples with one call per iteration, shaped [S, H, 7] with zero rotations", async () => {
    const { energy, calls } = recording(quadraticBowl([0, 0, 0, 0]));
    await planCem(energy, { samples: 64, topk: 5, iterations: 4, horizon: 3, seed: 1 });
    expect(calls).toHaveLength(4);
    for (const call of calls) {
      expect(call.samples).toBe(64);
      expect(call.horizon).toBe(3);
      expect(call.actions).toBeInstanceOf(Float32Array);
      expect(call.actions.length).toBe(64 * 3 * 7);
    }
    for (const col of [3, 4, 5]) expect(distinctColumnValues(calls, col)).toEqual([0]);
  });

  it("defaults to the paper's settings: 800 samples, 10 iterations, horizon 1", async () => {
    const { energy, calls } = recording(quadraticBowl([0, 0, 0, 0]));
    const result = await planCem(energy, { sampler: zeroSampler });
    expect(calls).toHaveLength(CEM_DEFAULTS.iterations);
    expect(calls[0].samples).toBe(800);
    expect(calls[0].horizon).toBe(1);
    expect(result.iterations).toHaveLength(10);
  });

  it("accepts energies as Float64Array or a plain array, sync or async", async () => {
    const base = quadraticBowl([0.01, 0, 0, 0]);
    const asF64: BatchEnergyFn = async (a, s, h) => Float64Array.from((await base(a, s, h)) as Float32Array);
    const asArray: BatchEnergyFn = async (a, s, h) => Array.from((await base(a, s, h)) as Float32Array);
    const reference = await planCem(base, { ...fast, seed: 3 });
    expect((await planCem(asF64, { ...fast, seed: 3 })).plan).toEqual(reference.plan);
    expect((await planCem(asArray, { ...fast, seed: 3 })).plan).toEqual(reference.plan);
  });

  it("rejects an energy result of the wrong length", async () => {
    await expect(planCem(async () => new Float32Array(3), { samples: 4, topk: 2, iterations: 1 })).rejects.toThrow(
      "CEM energy function must return 4 energies (one per sample), got length 3 in iteration 0",
    );
    await expect(planCem(async () => undefined as unknown as Float32Array, { samples: 4, topk: 2 })).rejects.toThrow(/got undefined/);
  });

  it("reports where the time went", async () => {
    let clock = 0;
    const result = await planCem(
      async (a, s, h) => {
        clock += 5; // the model takes 5 ms
        return quadraticBowl([0, 0, 0, 0])(a, s, h);
      },
      { ...fast, iterations: 3, now: () => (clock += 0.25) },
    );
    expect(result.timings.energyMs).toBeCloseTo(3 * 5.25, 9);
    expect(result.timings.totalMs).toBeGreaterThan(result.timings.energyMs);
    expect(result.timings.optimiserMs).toBeCloseTo(result.timings.totalMs - result.timings.energyMs, 9);
    for (const it of result.iterations) {
      expect(it.energyMs).toBeCloseTo(5.25, 9);
      expect(it.optimiserMs).toBeGreaterThan(0);
    }
  });
});

describe("planCem determinism and robustness", () => {
  it("gives bit-identical plans for the same seed and different ones for another", async () => {
    const energy = quadraticBowl([0.02, 0.01, -0.03, 0.4]);
    const a = await planCem(energy, { ...fast, horizon: 2, seed: 42 });
    const b = await planCem(energy, { ...fast, horizon: 2, seed: 42 });
    const c = await planCem(energy, { ...fast, horizon: 2, seed: 43 });
    expect(Buffer.from(a.plan.buffer).equals(Buffer.from(b.plan.buffer))).toBe(true);
    expect(Buffer.from(a.std.buffer).equals(Buffer.from(b.std.buffer))).toBe(true);
    expect(Buffer.from(a.plan.buffer).equals(Buffer.from(c.plan.buffer))).toBe(false);
  });

  it("never picks NaN/Inf energies as elite and counts them", async () => {
    // x > 0 is "invalid" (NaN, +Inf or −Inf) although the bowl wants x = 0.04
    const bowl = quadraticBowl([0.04, 0, 0, 0]);
    let k = 0;
    const poisoned: BatchEnergyFn = async (actions, samples, horizon) => {
      const e = (await bowl(actions, samples, horizon)) as Float32Array;
      for (let s = 0; s < samples; s++) if (actions[s * A] > 0) e[s] = [NaN, Infinity, -Infinity][k++ % 3];
      return e;
    };
    const { energy, calls } = recording(poisoned);
    const result = await planCem(energy, { ...fast });
    let expected = 0;
    for (const call of calls) for (let s = 0; s < call.samples; s++) if (call.actions[s * A] > 0) expected++;
    expect(expected).toBeGreaterThan(0);
    expect(result.nonFiniteEnergies).toBe(expected);
    expect(result.iterations.reduce((n, it) => n + it.nonFiniteEnergies, 0)).toBe(expected);
    expect(result.plan[0]).toBeLessThanOrEqual(0);
    expect(Number.isFinite(result.bestEnergy)).toBe(true);
    expect(result.bestSample[0]).toBeLessThanOrEqual(0);
  });

  it("throws when fewer than topk energies are finite", async () => {
    const energy: BatchEnergyFn = async (_a, samples) => Float32Array.from({ length: samples }, (_, s) => (s < 3 ? s : NaN));
    await expect(planCem(energy, { samples: 20, topk: 5, iterations: 2 })).rejects.toThrow(
      "CEM iteration 0: only 3 of 20 energies are finite (17 NaN/Inf), fewer than topk = 5",
    );
  });

  it("rejects invalid options before calling the energy function", async () => {
    const energy = jest.fn(quadraticBowl([0, 0, 0, 0]));
    await expect(planCem(energy, { topk: 900 })).rejects.toThrow(/topk/);
    expect(energy).not.toHaveBeenCalled();
  });
});
