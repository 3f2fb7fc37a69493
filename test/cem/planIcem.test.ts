import {
  CEM_DEFAULTS,
  ICEM_DEFAULTS,
  OPTIMIZERS,
  OPTIMIZER_NAMES,
  colouredNoiseFilter,
  createStandardNormalSampler,
  icemPopulation,
  icemSequencesPerStep,
  optimizerByName,
  planCem,
  planIcem,
  type BatchEnergyFn,
} from "../../src/cem";
import { PARAMETERS } from "../../src/config/parameters";
import { A, maxAbsColumn, quadraticBowl, recording } from "./helpers";

const fast = { samples: 200, iterations: 4, topk: 10, seed: 3 } as const;

describe("planIcem finds minima with fewer evaluations", () => {
  it("converges on a quadratic bowl at H = 1 and H = 2", async () => {
    const target = [0.03, -0.02, 0.01, 0.6];
    for (const horizon of [1, 2]) {
      // Gripper errors weighted down to the scale of centimetres, so that xyz decide which sample is best.
      const result = await planIcem(quadraticBowl(target, 1e-3), { ...fast, iterations: 6, horizon, maxnorm: 0.075 });
      // The best sample of about a thousand in 4 × H dimensions: within a few millimetres per axis.
      for (let h = 0; h < horizon; h++) {
        for (let d = 0; d < 3; d++) expect(Math.abs(result.plan[h * A + d] - target[d])).toBeLessThan(6e-3);
        expect(Math.abs(result.plan[h * A + 6] - 0.6)).toBeLessThan(0.2);
      }
      expect(result.sequencesScored).toBe(icemSequencesPerStep({ ...fast, iterations: 6 }));
    }
  });

  it("shrinks the population by the decay down to 2 × topk and scores the mean once, in the last iteration", async () => {
    const { energy, calls } = recording(quadraticBowl([0, 0, 0, 0]));
    await planIcem(energy, { samples: 100, iterations: 6, topk: 10, populationDecay: 2 });
    expect(calls.map((c) => c.samples)).toEqual([100, 50, 25, 20, 20, 20 + 1]);
    expect(icemPopulation(100, 10, 2, 3)).toBe(20);
    expect(icemSequencesPerStep({ samples: 100, iterations: 6, topk: 10, populationDecay: 2 })).toBe(236);
    // The mean candidate is the last row: every control equals the distribution's mean before the last refit.
    const { energy: e2, calls: c2 } = recording(quadraticBowl([0.01, 0.01, 0.01, 0]));
    const noMean = await planIcem(e2, { samples: 100, iterations: 2, topk: 10, addMean: false });
    expect(c2.map((c) => c.samples)).toEqual([100, 80]);
    expect(noMean.sequencesScored).toBe(180);
  });

  it("carries elites across iterations without scoring them again, so the best energy never gets worse", async () => {
    let scored = 0;
    const bowl = quadraticBowl([0.02, -0.01, 0.03, 0.2]);
    const energy: BatchEnergyFn = async (actions, samples, horizon) => {
      scored += samples;
      return bowl(actions, samples, horizon);
    };
    const result = await planIcem(energy, { ...fast, keepElites: 0.5 });
    expect(scored).toBe(result.sequencesScored);
    const best = result.iterations.map((it) => it.bestEnergy);
    for (let i = 1; i < best.length; i++) expect(best[i]).toBeLessThanOrEqual(best[i - 1]);
    expect(result.bestEnergy).toBe(best[best.length - 1]);
    expect(result.elites).toHaveLength(fast.topk * A);
  });

  it("executes the best sequence scored by default and the final mean with execute: mean", async () => {
    const target = [0.02, 0.01, -0.01, 0];
    const best = await planIcem(quadraticBowl(target), fast);
    for (let d = 0; d < 3; d++) expect(best.plan[d]).toBeCloseTo(best.bestSample[d], 12);
    const mean = await planIcem(quadraticBowl(target), { ...fast, execute: "mean" });
    for (let d = 0; d < 3; d++) expect(mean.plan[d]).toBe(mean.mean[d]);
  });

  it("keeps every sample in the box, pins fixed axes and forces the gripper closed from closeGripper", async () => {
    const { energy, calls } = recording(quadraticBowl([0.4, -0.4, 0.01, 3]));
    const result = await planIcem(energy, { ...fast, horizon: 3, maxnorm: 0.05, axis: { 2: 0.01 }, closeGripper: 2 });
    expect(maxAbsColumn(calls, [0, 1])).toBe(Math.fround(0.05));
    expect(maxAbsColumn(calls, [6])).toBeLessThanOrEqual(1);
    for (const { actions, samples } of calls) {
      for (let s = 0; s < samples; s++) {
        for (let h = 0; h < 3; h++) {
          expect(actions[(s * 3 + h) * A + 2]).toBe(Math.fround(0.01));
          if (h === 2) expect(actions[(s * 3 + h) * A + 6]).toBe(1);
          else expect(Math.abs(actions[(s * 3 + h) * A + 6])).toBeLessThanOrEqual(0.75);
          for (const r of [3, 4, 5]) expect(actions[(s * 3 + h) * A + r]).toBe(0);
        }
      }
    }
    expect(result.plan[2]).toBe(0.01);
  });

  it("is bit-reproducible for a seed and differs for another", async () => {
    const bowl = quadraticBowl([0.01, 0.02, -0.03, 0.1]);
    const a = await planIcem(bowl, { ...fast, horizon: 2 });
    const b = await planIcem(bowl, { ...fast, horizon: 2 });
    const c = await planIcem(bowl, { ...fast, horizon: 2, seed: 4 });
    expect(Array.from(a.plan)).toEqual(Array.from(b.plan));
    expect(Array.from(a.plan)).not.toEqual(Array.from(c.plan));
  });

  it("never makes NaN or infinite energies elite, and says so when too few are finite", async () => {
    const bowl = quadraticBowl([0, 0, 0, 0]);
    const poisoned: BatchEnergyFn = async (actions, samples, horizon) => {
      const e = Float32Array.from(await bowl(actions, samples, horizon));
      for (let s = 0; s < samples; s += 2) e[s] = s % 4 === 0 ? Number.NaN : -Infinity;
      return e;
    };
    const result = await planIcem(poisoned, fast);
    expect(Number.isFinite(result.bestEnergy)).toBe(true);
    expect(result.nonFiniteEnergies).toBeGreaterThan(0);
    await expect(planIcem(async (_a, samples) => new Float32Array(samples).fill(Number.NaN), fast)).rejects.toThrow(
      /only 0 of 200 candidates have finite energies/,
    );
    await expect(planIcem(async () => new Float32Array(3), fast)).rejects.toThrow(/must return 200 energies/);
  });

  it("rejects bad iCEM options by name", async () => {
    const bowl = quadraticBowl([0, 0, 0, 0]);
    await expect(planIcem(bowl, { populationDecay: 0.5 })).rejects.toThrow(/populationDecay: must be a finite number ≥ 1/);
    await expect(planIcem(bowl, { keepElites: 1.5 })).rejects.toThrow(/keepElites: must be in \[0, 1\]/);
    await expect(planIcem(bowl, { noiseBeta: -1 })).rejects.toThrow(/noiseBeta/);
    await expect(planIcem(bowl, { execute: "median" as never })).rejects.toThrow(/execute: must be "best" or "mean"/);
    await expect(planIcem(bowl, { horizon: 2, previousElites: new Float64Array(7) })).rejects.toThrow(
      /previousElites: must be a Float64Array of E × horizon × 7/,
    );
    await expect(planIcem(bowl, { topk: 900 })).rejects.toThrow(/topk: must be ≤ samples/);
  });
});

describe("elites shifted across planning steps (H ≥ 2)", () => {
  it("adds the previous elites, shifted by one step, to the first iteration", async () => {
    const H = 3;
    const K = 10;
    const previousElites = new Float64Array(K * H * A);
    for (let e = 0; e < K; e++) for (let h = 0; h < H; h++) previousElites[(e * H + h) * A] = 0.001 * (e + 1) * (h + 1);
    const { energy, calls } = recording(quadraticBowl([0, 0, 0, 0]));
    await planIcem(energy, { samples: 100, iterations: 1, topk: K, horizon: H, keepElites: 0.3, addMean: false, previousElites });
    expect(calls[0].samples).toBe(100 + 3); // round(0.3 · 10) shifted elites
    for (let e = 0; e < 3; e++) {
      const row = (100 + e) * H * A;
      expect(calls[0].actions[row]).toBe(Math.fround(previousElites[(e * H + 1) * A]));
      expect(calls[0].actions[row + A]).toBe(Math.fround(previousElites[(e * H + 2) * A]));
    }
    // H = 1: nothing is left after the shift.
    const one = recording(quadraticBowl([0, 0, 0, 0]));
    await planIcem(one.energy, { samples: 100, iterations: 1, topk: K, addMean: false, previousElites: new Float64Array(K * A) });
    expect(one.calls[0].samples).toBe(100);
  });
});

describe("colouredNoiseFilter", () => {
  it("is the identity at H = 1 and for white noise", () => {
    expect(Array.from(colouredNoiseFilter(1, 2))).toEqual([1]);
    expect(Array.from(colouredNoiseFilter(3, 0))).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });

  it("keeps unit variance and correlates neighbouring steps more as β grows", () => {
    const H = 8;
    const draws = 20000;
    const white = new Float64Array(H);
    const sample = createStandardNormalSampler(11);
    const lag1 = (beta: number): { variance: number; correlation: number } => {
      const f = colouredNoiseFilter(H, beta);
      let sq = 0;
      let cross = 0;
      for (let n = 0; n < draws; n++) {
        sample(white);
        const y = new Float64Array(H);
        for (let t = 0; t < H; t++) for (let j = 0; j < H; j++) y[t] += f[t * H + j] * white[j];
        sq += y[0] * y[0];
        cross += y[0] * y[1];
      }
      return { variance: sq / draws, correlation: cross / sq };
    };
    const w = lag1(0);
    const pink = lag1(1);
    const red = lag1(2.5);
    for (const r of [w, pink, red]) expect(r.variance).toBeCloseTo(1, 1);
    expect(Math.abs(w.correlation)).toBeLessThan(0.03);
    expect(pink.correlation).toBeGreaterThan(0.2);
    expect(red.correlation).toBeGreaterThan(pink.correlation);
  });
});

describe("optimizer registry", () => {
  it("lists cem and icem, matches planner.optimizer's choices and defaults to cem", () => {
    expect(OPTIMIZER_NAMES).toEqual(["cem", "icem"]);
    expect(PARAMETERS.planner.optimizer.choices).toEqual(OPTIMIZER_NAMES);
    expect(PARAMETERS.planner.optimizer.default).toBe("cem");
    expect(optimizerByName("cem")).toBe(planCem);
    expect(OPTIMIZERS.icem).toBe(planIcem);
    expect(() => optimizerByName("mppi")).toThrow(/unknown planner.optimizer 'mppi': known optimizers are cem, icem/);
    expect(PARAMETERS.planner.icem_population_decay.default).toBe(ICEM_DEFAULTS.populationDecay);
    expect(PARAMETERS.planner.samples.default).toBe(CEM_DEFAULTS.samples);
  });
});
