/**
 * Options of the cross-entropy-method planner, their defaults and their validation.
 *
 * The distribution lives over H × 4 numbers per sequence, one "control vector" per step:
 * index 0..2 = dx, dy, dz (m per step) and index 3 = dgripper (closedness per step). Rotation deltas
 * are always 0 (as upstream). `axis` and the distribution arrays use this 4-index layout; the action
 * tensor handed to the energy function uses the 7-value action layout.
 */

/** Values per action: dx, dy, dz, droll, dpitch, dyaw, dgripper. */
export const ACTION_DIM = 7;

/** Values per step in the sampling distribution: dx, dy, dz, dgripper. */
export const CONTROL_DIM = 4;

/** Index of the gripper in the 4-value control vector. */
export const GRIPPER_CONTROL_INDEX = 3;

/** Fills `out` with independent standard-normal draws N(0, 1). Must be deterministic for a seed. */
export type StandardNormalSampler = (out: Float64Array) => void;

/** A sampling distribution over H steps: per-step mean and standard deviation, [H, 4] row-major. */
export interface CemDistribution {
  /** [H, 4] means: dx, dy, dz (m), dgripper (closedness units). */
  readonly mean: Float64Array;
  /** [H, 4] standard deviations, same units, ≥ 0. */
  readonly std: Float64Array;
}

/** Everything that shapes one CEM run. Numbers are per planning step unless stated. */
export interface CemOptions {
  /** Planning horizon H: number of actions per sequence (steps). Upstream `rollout`. */
  readonly horizon: number;
  /** Sequences sampled and scored per iteration (S). */
  readonly samples: number;
  /** CEM iterations (distribution refits). Upstream `cem_steps`. */
  readonly iterations: number;
  /** Number of lowest-energy sequences refitted to (elite size); 2 ≤ topk ≤ samples. */
  readonly topk: number;
  /** Box bound of each translation delta: dx, dy, dz are clipped to ±maxnorm (m); also the initial xyz std. */
  readonly maxnorm: number;
  /** Weight of the old mean in the xyz mean update `new = elite·(1 − m) + old·m` (0..1). */
  readonly momentumMean: number;
  /** Weight of the old std in the xyz std update (0..1). */
  readonly momentumStd: number;
  /** Weight of the old mean in the gripper mean update (0..1). */
  readonly momentumMeanGripper: number;
  /** Weight of the old std in the gripper std update (0..1). */
  readonly momentumStdGripper: number;
  /** Gripper deltas are clipped to ±gripperClip (closedness units); upstream hard-codes 0.75. */
  readonly gripperClip: number;
  /** In the returned plan, a gripper mean with |g| below this (closedness units) becomes exactly 0. */
  readonly gripperRoundBelow: number;
  /**
   * Control indices held fixed: key 0..3 (dx, dy, dz, dgripper) → value. Applied to the initial mean,
   * to every sample (after clipping) and to the returned plan.
   */
  readonly axis: Readonly<Record<number, number>>;
  /** If set, the gripper action is forced to 1.0 for steps h ≥ closeGripper (0 ≤ closeGripper < horizon). */
  readonly closeGripper: number | null;
  /**
   * A step either moves the arm or opens/closes the gripper, never both (as the Franka hand's grasp is
   * its own action): a sampled gripper delta of at least `gripperRoundBelow` becomes a full ±1 with xyz
   * 0, a smaller one 0; the plan follows the same rule. False: upstream's continuous delta with the motion.
   * Not with `closeGripper` or a fixed non-zero gripper.
   */
  readonly gripperExclusive: boolean;
  /**
   * Seed of the default sampler (any safe integer; folded to 32 bits). Same seed and same energies →
   * bit-identical plan. Vary it per planning step (e.g. base + step) for fresh noise.
   */
  readonly seed: number;
  /**
   * Initial distribution instead of the cold start (mean 0; std maxnorm for xyz, 1 for the gripper), e.g.
   * from `warmStartFromPrevious`. Fixed axes still override its mean. Null/undefined: cold start.
   */
  readonly warmStart?: CemDistribution | null;
  /** Replaces the seeded sampler (tests, or an external generator). Receives [H, S, 4] in that order. */
  readonly sampler?: StandardNormalSampler;
  /** Clock in milliseconds used for the timings; defaults to `performance.now`. */
  readonly now?: () => number;
}

/** Fields that have a default; `sampler`, `now` and `warmStart` are optional extras. */
type DefaultedCemOptions = Omit<CemOptions, "warmStart" | "sampler" | "now">;

/**
 * Defaults: the V-JEPA 2 paper's planning settings (800 samples, 10 iterations, top-k 10, horizon 1,
 * maxnorm 0.075 m), the momentum the upstream notebook wrapper passes for xyz (0.15, 0.15) and upstream
 * `cem`'s own gripper momentum (0.15, 0.15); gripper clip 0.75 and rounding 0.25 as upstream.
 */
export const CEM_DEFAULTS: Readonly<DefaultedCemOptions> = Object.freeze({
  /** Steps per plan (paper: 1; notebook wrapper: 2). */
  horizon: 1,
  /** Sequences per iteration (paper: 800; notebook wrapper: 400). */
  samples: 800,
  /** Refits per plan (paper and wrapper: 10). */
  iterations: 10,
  /** Elite size (paper and wrapper: 10). */
  topk: 10,
  /** Translation bound per step in metres (paper: 0.075; notebook wrapper: 0.05). */
  maxnorm: 0.075,
  /** Old-mean weight for xyz (notebook wrapper: 0.15; upstream cem default 0.25). */
  momentumMean: 0.15,
  /** Old-std weight for xyz (notebook wrapper: 0.15; upstream cem default 0.95). */
  momentumStd: 0.15,
  /** Old-mean weight for the gripper (upstream cem default). */
  momentumMeanGripper: 0.15,
  /** Old-std weight for the gripper (upstream cem default). */
  momentumStdGripper: 0.15,
  /** Gripper delta bound in closedness units (upstream: 0.75). */
  gripperClip: 0.75,
  /** Plan gripper values with |g| below this are set to 0 (upstream: 0.25). */
  gripperRoundBelow: 0.25,
  /** No fixed axes. */
  axis: Object.freeze({}) as Readonly<Record<number, number>>,
  /** Gripper not forced closed. */
  closeGripper: null,
  /** Gripper delta alongside the motion (upstream). */
  gripperExclusive: false,
  /** Default seed. */
  seed: 0,
});

/** Options after defaults and validation, with the optional extras resolved. */
export interface ResolvedCemOptions extends DefaultedCemOptions {
  readonly warmStart: CemDistribution | null;
  readonly sampler: StandardNormalSampler | null;
  readonly now: () => number;
}

function fail(field: string, message: string): never {
  throw new Error(`CEM option ${field}: ${message}`);
}

function checkPositiveInteger(field: string, value: unknown, minimum = 1): void {
  if (typeof value !== "number" || !Number.isInteger(value) || value < minimum) {
    fail(field, `must be an integer ≥ ${minimum}, got ${String(value)}`);
  }
}

function checkFinite(field: string, value: unknown, range: string, ok: (v: number) => boolean): void {
  if (typeof value !== "number" || !Number.isFinite(value) || !ok(value)) {
    fail(field, `must be a finite number ${range}, got ${String(value)}`);
  }
}

function checkDistribution(dist: CemDistribution, horizon: number): void {
  const expected = horizon * CONTROL_DIM;
  for (const key of ["mean", "std"] as const) {
    const values = dist[key];
    if (!(values instanceof Float64Array) || values.length !== expected) {
      fail(
        `warmStart.${key}`,
        `must be a Float64Array of horizon × 4 = ${expected} values, got ${values instanceof Float64Array ? `length ${values.length}` : String(values)} (build it with warmStartFromPrevious(previous, { horizon }))`,
      );
    }
    for (let i = 0; i < values.length; i++) {
      const v = values[i];
      if (!Number.isFinite(v) || (key === "std" && v < 0)) {
        fail(`warmStart.${key}`, `[${i}] must be finite${key === "std" ? " and ≥ 0" : ""}, got ${v}`);
      }
    }
  }
}

/**
 * Merges `options` over `CEM_DEFAULTS` and validates every field; throws an Error naming the field,
 * the bad value and the fix. Returns a frozen copy (the axis map is copied too).
 */
export function resolveCemOptions(options: Partial<CemOptions> = {}): ResolvedCemOptions {
  const merged = { ...CEM_DEFAULTS, ...stripUndefined(options) };
  checkPositiveInteger("horizon", merged.horizon);
  checkPositiveInteger("samples", merged.samples, 2);
  checkPositiveInteger("iterations", merged.iterations);
  checkPositiveInteger("topk", merged.topk, 2);
  if (merged.topk > merged.samples) {
    fail("topk", `must be ≤ samples (${merged.samples}), got ${merged.topk}; lower topk or raise samples`);
  }
  checkFinite("maxnorm", merged.maxnorm, "> 0 (metres per step)", (v) => v > 0);
  for (const field of ["momentumMean", "momentumStd", "momentumMeanGripper", "momentumStdGripper"] as const) {
    checkFinite(field, merged[field], "in [0, 1] (weight of the previous value)", (v) => v >= 0 && v <= 1);
  }
  checkFinite("gripperClip", merged.gripperClip, "≥ 0", (v) => v >= 0);
  checkFinite("gripperRoundBelow", merged.gripperRoundBelow, "≥ 0", (v) => v >= 0);
  if (!Number.isSafeInteger(merged.seed)) fail("seed", `must be a safe integer, got ${String(merged.seed)}`);

  const axisIn = merged.axis;
  if (axisIn === null || typeof axisIn !== "object") fail("axis", `must be an object {index: value}, got ${String(axisIn)}`);
  const axis: Record<number, number> = {};
  for (const [key, value] of Object.entries(axisIn)) {
    const index = Number(key);
    if (!Number.isInteger(index) || index < 0 || index >= CONTROL_DIM) {
      fail("axis", `keys must be control indices 0..3 (0 dx, 1 dy, 2 dz, 3 dgripper), got key ${JSON.stringify(key)}`);
    }
    if (typeof value !== "number" || !Number.isFinite(value)) {
      fail(`axis[${index}]`, `must be a finite number, got ${String(value)}`);
    }
    axis[index] = value;
  }

  const closeGripper = merged.closeGripper;
  if (closeGripper !== null) {
    if (typeof closeGripper !== "number" || !Number.isInteger(closeGripper) || closeGripper < 0 || closeGripper >= merged.horizon) {
      fail("closeGripper", `must be null or an integer step in [0, horizon) = [0, ${merged.horizon}), got ${String(closeGripper)}`);
    }
  }

  if (typeof merged.gripperExclusive !== "boolean") fail("gripperExclusive", `must be a boolean, got ${String(merged.gripperExclusive)}`);
  if (merged.gripperExclusive && closeGripper !== null) {
    fail("gripperExclusive", `cannot be combined with closeGripper (${closeGripper}): a forced close would stop the arm on every step from there`);
  }
  if (merged.gripperExclusive && axis[GRIPPER_CONTROL_INDEX] !== undefined && Math.abs(axis[GRIPPER_CONTROL_INDEX]) >= merged.gripperRoundBelow) {
    fail("gripperExclusive", `cannot be combined with a fixed gripper delta of ${axis[GRIPPER_CONTROL_INDEX]} (≥ gripperRoundBelow): the arm would never move`);
  }

  const warmStart = options.warmStart ?? null;
  if (warmStart !== null) checkDistribution(warmStart, merged.horizon);
  const sampler = options.sampler ?? null;
  if (sampler !== null && typeof sampler !== "function") fail("sampler", "must be a function (out: Float64Array) => void");
  const now = options.now ?? defaultClock;
  if (typeof now !== "function") fail("now", "must be a function returning milliseconds");

  return Object.freeze({
    horizon: merged.horizon,
    samples: merged.samples,
    iterations: merged.iterations,
    topk: merged.topk,
    maxnorm: merged.maxnorm,
    momentumMean: merged.momentumMean,
    momentumStd: merged.momentumStd,
    momentumMeanGripper: merged.momentumMeanGripper,
    momentumStdGripper: merged.momentumStdGripper,
    gripperClip: merged.gripperClip,
    gripperRoundBelow: merged.gripperRoundBelow,
    axis: Object.freeze(axis),
    closeGripper,
    gripperExclusive: merged.gripperExclusive,
    seed: merged.seed,
    warmStart,
    sampler,
    now,
  });
}

/** `performance.now` where available (Node ≥ 16, browsers), else `Date.now`. */
function defaultClock(): number {
  return typeof performance !== "undefined" ? performance.now() : Date.now();
}

/** Drops keys whose value is undefined, so `{ horizon: undefined }` keeps the default. */
function stripUndefined<T extends object>(value: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [key, v] of Object.entries(value)) {
    if (v !== undefined) (out as Record<string, unknown>)[key] = v;
  }
  return out;
}
