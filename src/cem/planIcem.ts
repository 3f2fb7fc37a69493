/**
 * Improved cross-entropy method (iCEM; Pinneri et al., 2020, "Sample-efficient Cross-Entropy Method for
 * Real-time Planning"): the same distribution, box, fixed axes and refit as `planCem`, with the changes
 * that let it plan with a fraction of the model evaluations:
 *
 * - population decay: iteration i samples max(round(samples · decay^-i), 2 · topk) sequences;
 * - coloured noise: each control's noise over the horizon has a power spectrum ∝ 1/f^β (β = 0: white, as
 *   CEM; larger β: smoother sequences). With H = 1 there is no time axis and the noise is white;
 * - elites kept across iterations: the best `keepElites · topk` sequences of an iteration compete again in
 *   the next. Their energies are kept rather than recomputed: the world model is deterministic for a fixed
 *   context and goal, so a second evaluation would cost a model call for the same number;
 * - elites shifted across planning steps: the previous step's elites, shifted by the executed step (the
 *   new last step drawn from the distribution), join the first iteration (H ≥ 2 only: with H = 1 nothing
 *   is left after the shift);
 * - the mean as a candidate in the last iteration;
 * - the executed plan is the best sequence scored (iCEM) or the final mean (`execute: "mean"`, as CEM).
 *
 * Seeded and bit-reproducible like `planCem`; NaN/±Inf energies never become elite.
 */
import { ACTION_COLUMN, applyExclusiveGripper, copyScores, fixedValues, initialDistribution, pinFixedAxes, refitToElite } from "./controls";
import { createStandardNormalSampler } from "./normalSampler";
import { ACTION_DIM, CONTROL_DIM, GRIPPER_CONTROL_INDEX, resolveCemOptions, type CemOptions } from "./options";
import type { BatchEnergyFn, CemIterationStats, CemResult } from "./planCem";
import { selectLowest } from "./selectLowest";

/** iCEM's options on top of the CEM ones; `samples` is the first iteration's population. */
export interface IcemOptions extends CemOptions {
  /** Population shrink factor per iteration (≥ 1; 1 = constant population). Paper: 1.25. */
  readonly populationDecay: number;
  /** Fraction of the elite carried into the next iteration (0..1). Paper: 0.3. */
  readonly keepElites: number;
  /** Exponent β of the noise's 1/f^β power spectrum over the horizon (0 = white). Paper: 2 to 2.5. */
  readonly noiseBeta: number;
  /** Score the distribution's mean as one more candidate in the last iteration. */
  readonly addMean: boolean;
  /** Plan to execute: the best sequence scored ("best", iCEM) or the final mean ("mean", CEM). */
  readonly execute: "best" | "mean";
  /**
   * Elites of the previous planning step ([E, H, 7] actions, best first), shifted by one step and added to
   * the first iteration when H ≥ 2. From the previous result's `elites`; null: none.
   */
  readonly previousElites?: Float64Array | null;
}

/** iCEM's defaults beyond the CEM ones: the paper's. */
export const ICEM_DEFAULTS = Object.freeze({
  populationDecay: 1.25,
  keepElites: 0.3,
  noiseBeta: 2.0,
  addMean: true,
  execute: "best" as "best" | "mean",
});

/** What iCEM adds to a CEM result. */
export interface IcemResult extends CemResult {
  /** [K, H, 7] the final elite, best first (for `previousElites` of the next step). */
  readonly elites: Float64Array;
}

interface ResolvedIcem {
  populationDecay: number;
  keepElites: number;
  noiseBeta: number;
  addMean: boolean;
  execute: "best" | "mean";
  previousElites: Float64Array | null;
}

function resolveIcem(options: Partial<IcemOptions>, horizon: number): ResolvedIcem {
  const merged = { ...ICEM_DEFAULTS };
  for (const key of Object.keys(ICEM_DEFAULTS) as Array<keyof typeof ICEM_DEFAULTS>) {
    if (options[key] !== undefined) (merged as Record<string, unknown>)[key] = options[key];
  }
  const fail = (field: string, message: string): never => {
    throw new Error(`iCEM option ${field}: ${message}`);
  };
  const { populationDecay, keepElites, noiseBeta, addMean, execute } = merged;
  if (typeof populationDecay !== "number" || !Number.isFinite(populationDecay) || populationDecay < 1) {
    fail("populationDecay", `must be a finite number ≥ 1, got ${String(populationDecay)}`);
  }
  if (typeof keepElites !== "number" || !(keepElites >= 0 && keepElites <= 1)) fail("keepElites", `must be in [0, 1], got ${String(keepElites)}`);
  if (typeof noiseBeta !== "number" || !Number.isFinite(noiseBeta) || noiseBeta < 0) fail("noiseBeta", `must be a finite number ≥ 0, got ${String(noiseBeta)}`);
  if (typeof addMean !== "boolean") fail("addMean", `must be a boolean, got ${String(addMean)}`);
  if (execute !== "best" && execute !== "mean") fail("execute", `must be "best" or "mean", got ${String(execute)}`);
  const previousElites = options.previousElites ?? null;
  if (previousElites !== null) {
    const row = horizon * ACTION_DIM;
    if (!(previousElites instanceof Float64Array) || previousElites.length % row !== 0) {
      fail(
        "previousElites",
        `must be a Float64Array of E × horizon × 7 values (horizon ${horizon}), got ${previousElites instanceof Float64Array ? `length ${previousElites.length}` : String(previousElites)}`,
      );
    }
  }
  return { populationDecay, keepElites, noiseBeta, addMean, execute, previousElites };
}

/** Population of iteration i: samples · decay^-i, never below 2 · topk (nor below topk + 1 when samples is smaller). */
export function icemPopulation(samples: number, topk: number, decay: number, iteration: number): number {
  const floor = Math.min(samples, Math.max(2 * topk, topk + 1));
  return Math.max(Math.round(samples / decay ** iteration), floor);
}

/** Sequences iCEM scores per planning step with these settings (without shifted elites). */
export function icemSequencesPerStep(o: { samples: number; iterations: number; topk: number; populationDecay?: number; addMean?: boolean }): number {
  const decay = o.populationDecay ?? ICEM_DEFAULTS.populationDecay;
  let total = (o.addMean ?? ICEM_DEFAULTS.addMean) ? 1 : 0;
  for (let i = 0; i < o.iterations; i++) total += icemPopulation(o.samples, o.topk, decay, i);
  return total;
}

/**
 * Circulant filter that turns H white normals into H normals with a 1/f^β spectrum and unit variance
 * (the power-law recipe of Timmer & König, 1995, with the lowest frequency floored at 1/H as the
 * `colorednoise` package does). Row-major [H, H]: colored[t] = Σ_j filter[t, j] · white[j].
 */
export function colouredNoiseFilter(horizon: number, beta: number): Float64Array {
  const H = horizon;
  const filter = new Float64Array(H * H);
  if (H === 1 || beta === 0) {
    for (let t = 0; t < H; t++) filter[t * H + t] = 1;
    return filter;
  }
  // Amplitude per DFT bin k (symmetric: frequency min(k, H − k)/H), lowest frequency floored at 1/H.
  const amplitude = new Float64Array(H);
  for (let k = 0; k < H; k++) amplitude[k] = Math.max(Math.min(k, H - k) / H, 1 / H) ** (-beta / 2);
  // Kernel c[m] = (1/H) Σ_k a_k cos(2πkm/H): real and symmetric since a is.
  const kernel = new Float64Array(H);
  for (let m = 0; m < H; m++) {
    let sum = 0;
    for (let k = 0; k < H; k++) sum += amplitude[k] * Math.cos((2 * Math.PI * k * m) / H);
    kernel[m] = sum / H;
  }
  let variance = 0;
  for (let m = 0; m < H; m++) variance += kernel[m] * kernel[m];
  const norm = 1 / Math.sqrt(variance);
  for (let t = 0; t < H; t++) for (let j = 0; j < H; j++) filter[t * H + j] = kernel[(t - j + H) % H] * norm;
  return filter;
}

/**
 * Runs iCEM against `energy`. Options default to `CEM_DEFAULTS` and `ICEM_DEFAULTS`; invalid options
 * throw before the energy function is called.
 * @throws Error on invalid options, an energy result of the wrong length, or fewer than `topk` finite
 *         energies among an iteration's candidates.
 */
export async function planIcem(energy: BatchEnergyFn, options: Partial<IcemOptions> = {}): Promise<IcemResult> {
  const o = resolveCemOptions(options);
  const ic = resolveIcem(options, o.horizon);
  const now = o.now;
  const startedAt = now();
  const { horizon: H, topk: K, maxnorm, gripperClip } = o;
  const row = H * ACTION_DIM;
  const kept = Math.min(K, Math.round(ic.keepElites * K));
  const closeFrom = o.closeGripper === null ? H : o.closeGripper;
  const fixedValue = fixedValues(o.axis);
  const sample = o.sampler ?? createStandardNormalSampler(o.seed);
  const filter = colouredNoiseFilter(H, ic.noiseBeta);

  const { mean, std } = initialDistribution(H, maxnorm, o.warmStart, fixedValue);

  // Shifted elites of the previous step (H ≥ 2): step h takes the old h + 1; the last step is drawn below.
  const shifted = H >= 2 && ic.previousElites !== null ? Math.min(kept, ic.previousElites.length / row) : 0;

  const maxPopulation = icemPopulation(o.samples, K, ic.populationDecay, 0) + shifted + 1;
  const actions = new Float32Array(maxPopulation * row);
  const white = new Float64Array(maxPopulation * H * CONTROL_DIM);
  const coloured = new Float64Array(H);
  // Candidates of an iteration: the kept elites (scores known) followed by the new samples.
  const candidates = new Float64Array((maxPopulation + K) * row);
  const scores = new Float64Array(maxPopulation + K);
  const eliteIndices = new Int32Array(K);
  const eliteScores = new Float64Array(K);
  const elites = new Float64Array(K * row);
  let eliteCount = 0; // elites carried into the next iteration's candidates
  const bestSample = new Float64Array(row);
  let bestEnergy = Infinity;
  const iterations: CemIterationStats[] = [];
  let totalEnergyMs = 0;
  let totalNonFinite = 0;
  let scored = 0;

  /** Clips, fixes and writes one control value of sample s, step h into `actions`. */
  const put = (s: number, h: number, d: number, value: number): void => {
    let v = d === GRIPPER_CONTROL_INDEX ? Math.min(Math.max(value, -gripperClip), gripperClip) : Math.min(Math.max(value, -maxnorm), maxnorm);
    const fixed = fixedValue[d];
    if (fixed === fixed) v = fixed;
    if (d === GRIPPER_CONTROL_INDEX && h >= closeFrom) v = 1.0;
    actions[s * row + h * ACTION_DIM + ACTION_COLUMN[d]] = v;
  };

  for (let iteration = 0; iteration < o.iterations; iteration++) {
    const iterationStart = now();
    const population = icemPopulation(o.samples, K, ic.populationDecay, iteration);
    let count = 0;
    actions.fill(0, 0, (population + shifted + 1) * row);

    // New samples: mean + std · coloured noise, clipped.
    const drawn = white.subarray(0, population * H * CONTROL_DIM);
    sample(drawn); // [S, 4, H]: one series over the horizon per sample and control
    for (let s = 0; s < population; s++, count++) {
      for (let d = 0; d < CONTROL_DIM; d++) {
        const series = (s * CONTROL_DIM + d) * H;
        for (let t = 0; t < H; t++) {
          let v = 0;
          for (let j = 0; j < H; j++) v += filter[t * H + j] * drawn[series + j];
          coloured[t] = v;
        }
        for (let h = 0; h < H; h++) put(count, h, d, mean[h * CONTROL_DIM + d] + std[h * CONTROL_DIM + d] * coloured[h]);
      }
    }
    // First iteration: the previous step's elites shifted by the executed step, the new last step from this step's first sample.
    if (iteration === 0) {
      for (let e = 0; e < shifted; e++, count++) {
        for (let h = 0; h < H; h++) {
          for (let d = 0; d < CONTROL_DIM; d++) {
            const value =
              h < H - 1
                ? (ic.previousElites as Float64Array)[e * row + (h + 1) * ACTION_DIM + ACTION_COLUMN[d]]
                : actions[e * row + h * ACTION_DIM + ACTION_COLUMN[d]];
            put(count, h, d, value);
          }
        }
      }
    }
    // Last iteration: the mean itself.
    if (ic.addMean && iteration === o.iterations - 1) {
      for (let h = 0; h < H; h++) for (let d = 0; d < CONTROL_DIM; d++) put(count, h, d, mean[h * CONTROL_DIM + d]);
      count++;
    }

    if (o.gripperExclusive) applyExclusiveGripper(actions, count, H, o.gripperRoundBelow);
    const energyStart = now();
    const energies = await energy(actions.subarray(0, count * row), count, H);
    const energyMs = now() - energyStart;
    totalEnergyMs += energyMs;
    scored += count;
    if (energies == null || typeof energies.length !== "number" || energies.length !== count) {
      throw new Error(
        `iCEM energy function must return ${count} energies (one per sample), got ${energies == null || typeof energies.length !== "number" ? String(energies) : `length ${energies.length}`} in iteration ${iteration}`,
      );
    }

    // Candidates: carried elites first (their scores are known), then this iteration's samples.
    candidates.set(elites.subarray(0, eliteCount * row));
    for (let i = 0; i < count * row; i++) candidates[eliteCount * row + i] = actions[i];
    const nonFinite = copyScores(energies, scores, count, eliteCount);
    totalNonFinite += nonFinite;
    const total = eliteCount + count;
    if (total - nonFinite < K) {
      throw new Error(
        `iCEM iteration ${iteration}: only ${total - nonFinite} of ${total} candidates have finite energies (${nonFinite} NaN/Inf), fewer than topk = ${K}; check the energy function / model outputs`,
      );
    }
    selectLowest(scores, total, K, eliteIndices, eliteScores);
    if (eliteScores[0] < bestEnergy) {
      bestEnergy = eliteScores[0];
      bestSample.set(candidates.subarray(eliteIndices[0] * row, (eliteIndices[0] + 1) * row));
    }
    refitToElite(candidates, eliteIndices, K, H, mean, std, o);
    pinFixedAxes(mean, fixedValue, H, closeFrom);

    // The elite, best first, for the next iteration (the first `kept` of them) and for the result.
    for (let i = 0; i < K; i++) elites.set(candidates.subarray(eliteIndices[i] * row, (eliteIndices[i] + 1) * row), i * row);
    eliteCount = kept;
    for (let i = 0; i < eliteCount; i++) scores[i] = eliteScores[i];

    let eliteEnergySum = 0;
    for (let i = 0; i < K; i++) eliteEnergySum += eliteScores[i];
    iterations.push({
      bestEnergy: eliteScores[0],
      eliteMeanEnergy: eliteEnergySum / K,
      eliteWorstEnergy: eliteScores[K - 1],
      nonFiniteEnergies: nonFinite,
      energyMs,
      optimiserMs: now() - iterationStart - energyMs,
    });
  }

  const plan = new Float64Array(row);
  for (let h = 0; h < H; h++) {
    for (let d = 0; d < CONTROL_DIM; d++) {
      const column = h * ACTION_DIM + ACTION_COLUMN[d];
      // Fixed axes exactly (a sample carries them rounded to float32); else the best sample's or the mean's value.
      const fixed = d === GRIPPER_CONTROL_INDEX && h >= closeFrom ? NaN : fixedValue[d];
      let value = fixed === fixed ? fixed : ic.execute === "best" ? bestSample[column] : mean[h * CONTROL_DIM + d];
      if (d === GRIPPER_CONTROL_INDEX && Math.abs(value) < o.gripperRoundBelow) value = 0;
      plan[column] = value;
    }
  }
  if (o.gripperExclusive) applyExclusiveGripper(plan, 1, H, o.gripperRoundBelow);
  const totalMs = now() - startedAt;
  return {
    plan,
    mean,
    std,
    horizon: H,
    bestSample,
    bestEnergy,
    iterations,
    nonFiniteEnergies: totalNonFinite,
    sequencesScored: scored,
    elites,
    timings: { energyMs: totalEnergyMs, optimiserMs: totalMs - totalEnergyMs, totalMs },
  };
}
