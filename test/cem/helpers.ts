import type { BatchEnergyFn, StandardNormalSampler } from "../../src/cem";

/** Values per action row. */
export const A = 7;

/** Sampler that replays the given noise blocks, one per call (the last repeats). */
export function replaySampler(blocks: number[][]): StandardNormalSampler {
  let call = 0;
  return (out) => {
    const block = blocks[Math.min(call++, blocks.length - 1)];
    if (block.length !== out.length) throw new Error(`noise block ${call - 1} has ${block.length} values, sampler asked ${out.length}`);
    out.set(block);
  };
}

/** Sampler that fills zeros (every sample equals the clipped mean). */
export const zeroSampler: StandardNormalSampler = (out) => out.fill(0);

/** Energy summing a weighted squared distance of every step's (dx, dy, dz, dgripper) to a target. */
export function quadraticBowl(target: readonly number[], gripperWeight = 1): BatchEnergyFn {
  return async (actions, samples, horizon) => {
    const energies = new Float32Array(samples);
    for (let s = 0; s < samples; s++) {
      let e = 0;
      for (let h = 0; h < horizon; h++) {
        const o = (s * horizon + h) * A;
        e += (actions[o] - target[0]) ** 2 + (actions[o + 1] - target[1]) ** 2 + (actions[o + 2] - target[2]) ** 2;
        e += gripperWeight * (actions[o + 6] - target[3]) ** 2;
      }
      energies[s] = e;
    }
    return energies;
  };
}

/** Wraps an energy function and records a copy of every actions tensor it was called with. */
export function recording(energy: BatchEnergyFn): {
  energy: BatchEnergyFn;
  calls: Array<{ actions: Float32Array; samples: number; horizon: number }>;
} {
  const calls: Array<{ actions: Float32Array; samples: number; horizon: number }> = [];
  return {
    calls,
    energy: (actions, samples, horizon) => {
      calls.push({ actions: actions.slice(), samples, horizon });
      return energy(actions, samples, horizon);
    },
  };
}

type Recorded = ReadonlyArray<{ actions: Float32Array }>;

/** Largest |value| in the given action columns over every recorded call. */
export function maxAbsColumn(calls: Recorded, columns: readonly number[]): number {
  let worst = 0;
  for (const { actions } of calls) {
    for (let row = 0; row < actions.length / A; row++) for (const c of columns) worst = Math.max(worst, Math.abs(actions[row * A + c]));
  }
  return worst;
}

/** Sorted distinct values of one action column over every recorded call. */
export function distinctColumnValues(calls: Recorded, column: number): number[] {
  const seen = new Set<number>();
  for (const { actions } of calls) for (let row = 0; row < actions.length / A; row++) seen.add(actions[row * A + column]);
  return [...seen].sort((a, b) => a - b);
}
