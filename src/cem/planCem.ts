/**
 * Cross-entropy-method planner over action sequences, with upstream V-JEPA 2-AC `cem` semantics
 * (notebooks/utils/mpc_utils.py; DESIGN §3):
 *
 * - the distribution is over H × 4 controls (dx, dy, dz, dgripper); rotation deltas are always 0;
 *   cold start: mean 0, std `maxnorm` for xyz and 1 for the gripper; fixed `axis` values set the mean;
 * - each iteration samples S sequences ~ N(mean, std), clips xyz to ±maxnorm and the gripper to
 *   ±gripperClip, applies the fixed axes, then forces the gripper to 1.0 from step `closeGripper` on;
 * - all S sequences ([S, H, 7] float32) are scored by ONE call of the batch energy function;
 * - the `topk` lowest energies form the elite; its mean and unbiased (n − 1) std per control refit the
 *   distribution: `new = elite·(1 − m) + old·m`, with separate momenta for xyz and the gripper;
 * - the plan is the final mean with rotations 0 and gripper values |g| < gripperRoundBelow set to 0.
 *
 * Beyond upstream: seeded, bit-reproducible sampling; NaN/±Inf energies never become elite (they are
 * counted, and too few finite energies is an error); fixed axes are pinned exactly in the mean (no
 * momentum rounding drift); optional warm start; per-iteration statistics and timings; the best
 * sequence ever scored is reported. Noise order is [h][s][d], the order in which upstream draws one
 * `torch.randn(samples, 4)` per step, so an injected sampler can replay a torch run.
 */
import { createStandardNormalSampler } from "./normalSampler";
import {
  ACTION_DIM as IMPORTED_ACTION_DIM,
  CONTROL_DIM as IMPORTED_CONTROL_DIM,
  GRIPPER_CONTROL_INDEX as IMPORTED_GRIPPER_CONTROL_INDEX,
  resolveCemOptions,
  type CemDistribution,
  type CemOptions,
  type ResolvedCemOptions,
  type StandardNormalSampler,
} from "./options";
import { ACTION_COLUMN, applyExclusiveGripper, copyScores, fixedValues, initialDistribution, pinFixedAxes, refitToElite } from "./controls";
import { selectLowest } from "./selectLowest";

/**
 * Scores S action sequences; resolves to S energies (lower is better; NaN/±Inf are treated as +Inf).
 * @param actions [S, H, 7] row-major float32 actions [dx, dy, dz, droll, dpitch, dyaw, dgripper]. The
 *                buffer is reused by the next iteration: copy it if you keep it past the returned promise.
 * @param samples S
 * @param horizon H
 */
export type BatchEnergyFn = (actions: Float32Array, samples: number, horizon: number) => PromiseLike<ArrayLike<number>> | ArrayLike<number>;

/** What one CEM iteration saw. Energies are in the energy function's units. */
export interface CemIterationStats {
  /** Lowest finite energy of this iteration's samples. */
  readonly bestEnergy: number;
  /** Mean energy of the elite (the `topk` lowest). */
  readonly eliteMeanEnergy: number;
  /** Highest energy inside the elite (the selection threshold). */
  readonly eliteWorstEnergy: number;
  /** Samples whose energy was NaN or ±Infinity (scored as +Infinity). */
  readonly nonFiniteEnergies: number;
  /** Time spent awaiting the energy function (ms). */
  readonly energyMs: number;
  /** Time spent in the optimiser itself: sampling, clipping, selection, refit (ms). */
  readonly optimiserMs: number;
}

/** Outcome of `planCem`. Arrays are freshly allocated and owned by the caller. */
export interface CemResult extends CemDistribution {
  /** [H, 7] plan: xyz = final mean, rotations 0, gripper = mean rounded to 0 below `gripperRoundBelow`. Execute step 0. */
  readonly plan: Float64Array;
  /** [H, 4] final (unrounded) mean of the distribution: dx, dy, dz (m), dgripper. */
  readonly mean: Float64Array;
  /** [H, 4] final std of the distribution. */
  readonly std: Float64Array;
  /** Planning horizon H. */
  readonly horizon: number;
  /** [H, 7] the lowest-energy sequence scored in any iteration (as sent to the energy function). */
  readonly bestSample: Float64Array;
  /** Energy of `bestSample`. */
  readonly bestEnergy: number;
  /** Per-iteration statistics, in order. */
  readonly iterations: readonly CemIterationStats[];
  /** Total NaN/±Inf energies over all iterations. */
  readonly nonFiniteEnergies: number;
  /** Action sequences sent to the energy function (each costs H predictor evaluations). */
  readonly sequencesScored: number;
  /** Wall-clock split (ms): in the energy function, in the optimiser, and in total. */
  readonly timings: { readonly energyMs: number; readonly optimiserMs: number; readonly totalMs: number };
}

// Module-local copies: transpilers may turn imported bindings into getter calls, too slow for hot loops.
const ACTION_DIM = IMPORTED_ACTION_DIM;
const CONTROL_DIM = IMPORTED_CONTROL_DIM;
const GRIPPER_CONTROL_INDEX = IMPORTED_GRIPPER_CONTROL_INDEX;

/**
 * Runs CEM against `energy` and returns the plan. Options default to `CEM_DEFAULTS` (the paper's
 * settings); invalid options throw before the energy function is called.
 * @throws Error on invalid options, an energy result of the wrong length, or fewer than `topk` finite
 *         energies in an iteration.
 */
export async function planCem(energy: BatchEnergyFn, options: Partial<CemOptions> = {}): Promise<CemResult> {
  const o = resolveCemOptions(options);
  const now = o.now;
  const startedAt = now();
  const w = createWorkspace(o);
  const { horizon: H, samples: S, topk: K } = o;

  const iterations: CemIterationStats[] = [];
  let totalEnergyMs = 0;
  let totalNonFinite = 0;
  let bestEnergy = Infinity;

  for (let iteration = 0; iteration < o.iterations; iteration++) {
    const iterationStart = now();
    w.sample(w.noise);
    writeActionSamples(w);
    if (o.gripperExclusive) applyExclusiveGripper(w.actions, S, H, o.gripperRoundBelow);

    // One batched call scores every sample.
    const energyStart = now();
    const energies = await energy(w.actions, S, H);
    const energyMs = now() - energyStart;
    totalEnergyMs += energyMs;
    if (energies == null || typeof energies.length !== "number" || energies.length !== S) {
      throw new Error(
        `CEM energy function must return ${S} energies (one per sample), got ${energies == null || typeof energies.length !== "number" ? String(energies) : `length ${energies.length}`} in iteration ${iteration}`,
      );
    }
    const nonFinite = copyScores(energies, w.scores, S);
    totalNonFinite += nonFinite;
    if (S - nonFinite < K) {
      throw new Error(
        `CEM iteration ${iteration}: only ${S - nonFinite} of ${S} energies are finite (${nonFinite} NaN/Inf), fewer than topk = ${K}; check the energy function / model outputs`,
      );
    }

    selectLowest(w.scores, S, K, w.eliteIndices, w.eliteScores);
    if (w.eliteScores[0] < bestEnergy) {
      bestEnergy = w.eliteScores[0];
      const from = w.eliteIndices[0] * H * ACTION_DIM;
      for (let i = 0; i < H * ACTION_DIM; i++) w.bestSample[i] = w.actions[from + i];
    }
    refitDistribution(w, o);

    let eliteEnergySum = 0;
    for (let i = 0; i < K; i++) eliteEnergySum += w.eliteScores[i];
    const iterationMs = now() - iterationStart;
    iterations.push({
      bestEnergy: w.eliteScores[0],
      eliteMeanEnergy: eliteEnergySum / K,
      eliteWorstEnergy: w.eliteScores[K - 1],
      nonFiniteEnergies: nonFinite,
      energyMs,
      optimiserMs: iterationMs - energyMs,
    });
  }

  const plan = new Float64Array(H * ACTION_DIM);
  for (let h = 0; h < H; h++) {
    for (let d = 0; d < CONTROL_DIM; d++) {
      let value = w.mean[h * CONTROL_DIM + d];
      if (d === GRIPPER_CONTROL_INDEX && Math.abs(value) < o.gripperRoundBelow) value = 0;
      plan[h * ACTION_DIM + ACTION_COLUMN[d]] = value;
    }
  }
  if (o.gripperExclusive) applyExclusiveGripper(plan, 1, H, o.gripperRoundBelow);

  const totalMs = now() - startedAt;
  return {
    plan,
    mean: w.mean,
    std: w.std,
    horizon: H,
    bestSample: w.bestSample,
    bestEnergy,
    iterations,
    nonFiniteEnergies: totalNonFinite,
    sequencesScored: S * o.iterations,
    timings: { energyMs: totalEnergyMs, optimiserMs: totalMs - totalEnergyMs, totalMs },
  };
}

/**
 * Buffers and constants of one run, allocated once. The hot loops live in the plain functions below
 * rather than in the async `planCem`, whose locals V8 keeps in a generator context (measurably slower).
 */
interface CemWorkspace {
  readonly horizon: number;
  readonly samples: number;
  readonly topk: number;
  readonly maxnorm: number;
  readonly gripperClip: number;
  /** First step whose gripper is forced to 1.0 (horizon when never). */
  readonly closeFrom: number;
  /** Fixed value per control, NaN when free. */
  readonly fixedValue: Float64Array;
  readonly sample: StandardNormalSampler;
  /** [H, 4] */
  readonly mean: Float64Array;
  /** [H, 4] */
  readonly std: Float64Array;
  /** [H, S, 4] standard-normal draws. */
  readonly noise: Float64Array;
  /** [S, H, 7] actions sent to the energy function; rotation columns stay 0. */
  readonly actions: Float32Array;
  /** [S] energies with non-finite values replaced by +Infinity. */
  readonly scores: Float64Array;
  readonly eliteIndices: Int32Array;
  readonly eliteScores: Float64Array;
  /** [H, 7] lowest-energy sample so far. */
  readonly bestSample: Float64Array;
}

function createWorkspace(o: ResolvedCemOptions): CemWorkspace {
  const { horizon: H, samples: S, topk: K, maxnorm } = o;
  const fixedValue = fixedValues(o.axis);

  const { mean, std } = initialDistribution(H, maxnorm, o.warmStart, fixedValue);

  return {
    horizon: H,
    samples: S,
    topk: K,
    maxnorm,
    gripperClip: o.gripperClip,
    closeFrom: o.closeGripper === null ? H : o.closeGripper,
    fixedValue,
    sample: o.sampler ?? createStandardNormalSampler(o.seed),
    mean,
    std,
    noise: new Float64Array(H * S * CONTROL_DIM),
    actions: new Float32Array(S * H * ACTION_DIM),
    scores: new Float64Array(S),
    eliteIndices: new Int32Array(K),
    eliteScores: new Float64Array(K),
    bestSample: new Float64Array(H * ACTION_DIM),
  };
}

/** actions[s, h] = fix(clip(noise[h, s] · std[h] + mean[h])), gripper forced to 1.0 from `closeFrom`. */
function writeActionSamples(w: CemWorkspace): void {
  const { horizon: H, samples: S, maxnorm, gripperClip, noise, actions, mean, std, fixedValue } = w;
  const fixedX = fixedValue[0],
    fixedY = fixedValue[1],
    fixedZ = fixedValue[2],
    fixedG = fixedValue[3];
  const fixX = fixedX === fixedX,
    fixY = fixedY === fixedY,
    fixZ = fixedZ === fixedZ,
    fixG = fixedG === fixedG;
  for (let h = 0; h < H; h++) {
    const j = h * CONTROL_DIM;
    const meanX = mean[j],
      meanY = mean[j + 1],
      meanZ = mean[j + 2],
      meanG = mean[j + 3];
    const stdX = std[j],
      stdY = std[j + 1],
      stdZ = std[j + 2],
      stdG = std[j + 3];
    const gripperForced = h >= w.closeFrom;
    for (let s = 0; s < S; s++) {
      const n = (h * S + s) * CONTROL_DIM;
      const a = (s * H + h) * ACTION_DIM;
      // Math.min/max rather than branches: about a third of the draws clip, unpredictably.
      let x = Math.min(Math.max(noise[n] * stdX + meanX, -maxnorm), maxnorm);
      let y = Math.min(Math.max(noise[n + 1] * stdY + meanY, -maxnorm), maxnorm);
      let z = Math.min(Math.max(noise[n + 2] * stdZ + meanZ, -maxnorm), maxnorm);
      let g = Math.min(Math.max(noise[n + 3] * stdG + meanG, -gripperClip), gripperClip);
      if (fixX) x = fixedX;
      if (fixY) y = fixedY;
      if (fixZ) z = fixedZ;
      if (fixG) g = fixedG;
      if (gripperForced) g = 1.0;
      actions[a] = x;
      actions[a + 1] = y;
      actions[a + 2] = z;
      actions[a + 6] = g;
    }
  }
}

/** Refits the distribution to the elite's actions as scored (controls.refitToElite), fixed axes re-pinned exactly. */
function refitDistribution(w: CemWorkspace, o: ResolvedCemOptions): void {
  refitToElite(w.actions, w.eliteIndices, w.topk, w.horizon, w.mean, w.std, o);
  pinFixedAxes(w.mean, w.fixedValue, w.horizon, w.closeFrom);
}
