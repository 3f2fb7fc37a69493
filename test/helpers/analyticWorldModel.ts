import type { FloatTensor } from "../../src/tensor/tensor";
import type { RolloutResult, WorldModel } from "../../src/worldmodel/WorldModel";

/**
 * A world model with a known energy landscape, for planner tests: the latent of a frame is
 * [x, y, z, gripper, 0, …] and the energy of an action sequence is the squared distance between the
 * goal's first four values and (state + Σ actions) in those four coordinates.
 */
export class AnalyticWorldModel implements WorldModel {
  readonly info = { name: "analytic", imageSize: 8, views: 1, tokensPerFrame: 2, embedDim: 3, maxContextFrames: 4, fusedHorizons: [1, 2, 3] };
  calls: Array<{ samples: number; horizon: number }> = [];
  failNext: Error | null = null;

  /** An embedding [1, 2, 3] that encodes a target (x, y, z, gripper). */
  static embedding(x: number, y: number, z: number, g: number): FloatTensor {
    return { data: Float32Array.from([x, y, z, g, 0, 0]), dims: [1, 2, 3] };
  }

  /**
   * Decodes frames drawn by `renderState` (normalised with mean 0, std 1, i.e. pixel/255): the channel
   * means carry x, y, z.
   */
  async encode(frames: FloatTensor): Promise<FloatTensor> {
    const [b, c, h, w] = frames.dims;
    const out = new Float32Array(b * 6);
    for (let i = 0; i < b; i++) {
      const mean = (ch: number) => {
        let s = 0;
        for (let j = 0; j < h * w; j++) s += frames.data[(i * c + ch) * h * w + j];
        return s / (h * w);
      };
      out.set([mean(0) * 0.8 + 0.2, mean(1) * 0.8 - 0.4, mean(2) * 0.8, 0, 0, 0], i * 6);
    }
    return { data: out, dims: [b, 2, 3] };
  }

  /** An 8×8 rgb8 image whose channel means encode the end-effector position (inverse of `encode`). */
  static renderState(state: readonly number[]): { width: number; height: number; encoding: "rgb8"; data: Uint8Array } {
    const v = [(state[0] - 0.2) / 0.8, (state[1] + 0.4) / 0.8, state[2] / 0.8].map((x) => Math.min(1, Math.max(0, x)) * 255);
    // Dither over the 64 pixels so the mean keeps sub-level precision.
    const data = new Uint8Array(8 * 8 * 3);
    for (let p = 0; p < 64; p++) for (let ch = 0; ch < 3; ch++) data[p * 3 + ch] = Math.min(255, Math.floor(v[ch] + (p + 0.5) / 64));
    return { width: 8, height: 8, encoding: "rgb8", data };
  }

  async predict(): Promise<FloatTensor> {
    throw new Error("not used");
  }

  async rolloutEnergy(context: FloatTensor, goal: FloatTensor, state: FloatTensor, actions: FloatTensor): Promise<RolloutResult> {
    if (this.failNext !== null) {
      const e = this.failNext;
      this.failNext = null;
      throw e;
    }
    const [s, h] = actions.dims;
    this.calls.push({ samples: s, horizon: h });
    const energy = new Float32Array(s);
    for (let i = 0; i < s; i++) {
      const end = [context.data[0], context.data[1], context.data[2], state.data[6]];
      for (let k = 0; k < h; k++) {
        const a = actions.data.subarray((i * h + k) * 7, (i * h + k + 1) * 7);
        end[0] += a[0];
        end[1] += a[1];
        end[2] += a[2];
        end[3] = Math.min(1, Math.max(0, end[3] + a[6]));
      }
      energy[i] = end.reduce((acc, v, d) => acc + (v - goal.data[d]) ** 2, 0);
    }
    return { energy, poses: new Float32Array(s * (h + 1) * 7), modelMs: 0, modelCalls: 1 };
  }

  async close(): Promise<void> {}
}
