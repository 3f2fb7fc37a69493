/**
 * Seeded standard-normal sampler for the planner.
 *
 * Uniform bits come from pure-rand's xoroshiro128+ (small, fast, well tested; the planner needs
 * reproducibility, not cryptographic quality). Normals come from the ziggurat method of Marsaglia &
 * Tsang (2000, "The Ziggurat Method for Generating Random Variables", 128 layers): one 32-bit draw per
 * normal in ~99% of cases (a table lookup and one multiply, no logarithm), with exact rejection sampling
 * for the wedges and the tail, so the output is exactly N(0, 1) up to the 2⁻²⁴ resolution of the draw.
 * The layer index takes the top 7 bits of the draw and the signed value the other 25, so the two are
 * independent (the original shared bits between them, a known flaw; Doornik 2005) and the weak lowest
 * bits of xoroshiro128+ only ever land in the least significant digits.
 */
import { xoroshiro128plus } from "pure-rand";
import type { StandardNormalSampler } from "./options";

const LAYERS = 128;
/** Start of the tail (right edge of the base layer). */
const TAIL_START = 3.442619855899;
/** Area of each layer. */
const LAYER_AREA = 9.91256303526217e-3;
const TWO_TO_31 = 2147483648;
const TWO_TO_32 = 4294967296;
const TWO_TO_MINUS_32 = 1 / TWO_TO_32;

/** Acceptance thresholds per layer, on the scale of a signed 32-bit draw. */
const KN = new Float64Array(LAYERS);
/** Layer widths divided by 2³¹ (draw → x). */
const WN = new Float64Array(LAYERS);
/** exp(−x²/2) at each layer's right edge. */
const FN = new Float64Array(LAYERS);
(function buildTables(): void {
  let dn = TAIL_START;
  let tn = dn;
  const q = LAYER_AREA / Math.exp(-0.5 * dn * dn);
  KN[0] = (dn / q) * TWO_TO_31;
  KN[1] = 0;
  WN[0] = q / TWO_TO_31;
  WN[LAYERS - 1] = dn / TWO_TO_31;
  FN[0] = 1;
  FN[LAYERS - 1] = Math.exp(-0.5 * dn * dn);
  for (let i = LAYERS - 2; i >= 1; i--) {
    dn = Math.sqrt(-2 * Math.log(LAYER_AREA / dn + Math.exp(-0.5 * dn * dn)));
    KN[i + 1] = (dn / tn) * TWO_TO_31;
    tn = dn;
    FN[i] = Math.exp(-0.5 * dn * dn);
    WN[i] = dn / TWO_TO_31;
  }
})();

/** What the sampler needs from a generator: uniformly distributed signed 32-bit integers. */
interface Int32Source {
  unsafeNext(): number;
}

/** Uniform in the open interval (0, 1), so its logarithm is finite. */
function openUniform(rng: Int32Source): number {
  return ((rng.unsafeNext() >>> 0) + 0.5) * TWO_TO_MINUS_32;
}

/** The rare path (~1%): wedge rejection, or the tail beyond TAIL_START (Marsaglia 1964). */
function sampleSlow(rng: Int32Source, value: number, layer: number): number {
  for (;;) {
    const x = value * WN[layer];
    if (layer === 0) {
      let tail: number;
      let y: number;
      do {
        tail = -Math.log(openUniform(rng)) / TAIL_START;
        y = -Math.log(openUniform(rng));
      } while (y + y < tail * tail);
      return value > 0 ? TAIL_START + tail : -TAIL_START - tail;
    }
    if (FN[layer] + openUniform(rng) * (FN[layer - 1] - FN[layer]) < Math.exp(-0.5 * x * x)) return x;
    const draw = rng.unsafeNext();
    layer = draw >>> 25;
    value = draw << 7;
    if (Math.abs(value) < KN[layer]) return value * WN[layer];
  }
}

/**
 * Folds any safe integer into the 32 bits xoroshiro128+ is seeded with (pure-rand only reads 32):
 * low word XOR a mixed high word, so seeds that differ only above bit 31 still differ.
 */
export function foldSeed(seed: number): number {
  if (!Number.isSafeInteger(seed)) throw new Error(`seed must be a safe integer, got ${String(seed)}`);
  const low = seed >>> 0;
  const high = Math.floor(seed / TWO_TO_32) | 0;
  return (low ^ Math.imul(high, 0x9e3779b1)) | 0;
}

/**
 * A sampler that fills a Float64Array with N(0, 1) draws from a xoroshiro128+ stream seeded by `seed`.
 * The stream continues across calls; two samplers made with the same seed give identical sequences
 * for identical call sequences.
 */
export function createStandardNormalSampler(seed: number): StandardNormalSampler {
  const rng: Int32Source = xoroshiro128plus(foldSeed(seed));
  return (out: Float64Array): void => {
    const n = out.length;
    for (let i = 0; i < n; i++) {
      const draw = rng.unsafeNext();
      const layer = draw >>> 25; // top 7 bits
      const value = draw << 7; // other 25 bits, as a signed 32-bit value
      out[i] = Math.abs(value) < KN[layer] ? value * WN[layer] : sampleSlow(rng, value, layer);
    }
  };
}
