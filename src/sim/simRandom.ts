/**
 * Seeded random numbers for the simulator: pure-rand's xoroshiro128+ (the same generator the planner's
 * sampler uses), wrapped with the few draws the scene, the tasks and the policies need. Everything in
 * `src/sim` that is random draws from one of these, so a seed fixes an episode bit for bit.
 */
import { xoroshiro128plus } from "pure-rand";
import { foldSeed } from "../cem/normalSampler";

const TWO_TO_MINUS_32 = 1 / 4294967296;

/** A seeded stream of uniform and normal draws. */
export interface SimRandom {
  /** Uniform in [0, 1). */
  uniform(): number;
  /** Uniform in [lo, hi). */
  range(lo: number, hi: number): number;
  /** Standard normal N(0, 1) (Box–Muller). */
  normal(): number;
  /** True with probability `p`. */
  chance(p: number): boolean;
  /** Uniform integer in [0, n). */
  int(n: number): number;
}

/**
 * A random stream for `seed` (any safe integer). Two streams made with the same seed give the same
 * draws for the same call sequence.
 */
export function createSimRandom(seed: number): SimRandom {
  const rng = xoroshiro128plus(foldSeed(seed));
  // Discard a few outputs: xoroshiro128+ seeded from 32 bits starts with correlated low-entropy draws.
  for (let i = 0; i < 8; i++) rng.unsafeNext();
  const uniform = (): number => {
    // Take the high 21 bits of one draw and 32 of the next: 53 bits, no weak low bits alone.
    const hi = rng.unsafeNext() >>> 11;
    const lo = rng.unsafeNext() >>> 0;
    return ((hi * 4294967296 + lo) * TWO_TO_MINUS_32) / 2097152;
  };
  return {
    uniform,
    range: (lo, hi) => lo + (hi - lo) * uniform(),
    normal: () => {
      const u = 1 - uniform(); // (0, 1]
      const v = uniform();
      return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    },
    chance: (p) => uniform() < p,
    int: (n) => Math.min(n - 1, Math.floor(uniform() * n)),
  };
}

/**
 * A derived seed for item `index` of a run seeded with `seed` (e.g. episode e of a dataset), so items
 * can be generated independently and in any order. A 32-bit integer hash (murmur3 finaliser).
 */
export function deriveSeed(seed: number, index: number): number {
  let h = foldSeed(seed) ^ Math.imul(index + 1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}
