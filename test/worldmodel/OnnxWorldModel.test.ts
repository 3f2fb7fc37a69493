import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import pino from "pino";
import { OnnxWorldModel } from "../../src/worldmodel/OnnxWorldModel";
import { tensor, type FloatTensor } from "../../src/tensor/tensor";
import { FORMAT1_MODEL, TINY_MODEL, TINY_MODEL_FP16, VIEWS2_MODEL, maxAbsDiff } from "../helpers/fixtures";

const N = 16;
const D = 96;

/** Deterministic pseudo-random floats in [-1, 1). */
function noise(n: number, seed: number): Float32Array {
  const out = new Float32Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = ((x >>> 0) / 2 ** 32) * 2 - 1;
  }
  return out;
}

function copyPackage(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-pkg-"));
  for (const f of fs.readdirSync(TINY_MODEL)) fs.copyFileSync(path.join(TINY_MODEL, f), path.join(dir, f));
  return dir;
}

function captureLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

describe("OnnxWorldModel", () => {
  let model: OnnxWorldModel;
  const frames = tensor(noise(2 * 3 * 64 * 64, 1), [2, 3, 64, 64]);
  let context: FloatTensor;
  let goal: FloatTensor;
  const state = tensor(Float32Array.from([0.5, 0, 0.3, 3.1, 0, 0, 0.2]), [1, 7]);

  beforeAll(async () => {
    model = await OnnxWorldModel.load(TINY_MODEL);
    const tokens = await model.encode(frames);
    context = tensor(tokens.data.slice(0, N * D), [1, N, D]);
    goal = tensor(tokens.data.slice(N * D), [1, N, D]);
  });
  afterAll(async () => model.close());

  it("reports the package's dimensions and the provider each graph runs on", () => {
    expect(model.info).toEqual({
      name: expect.any(String),
      imageSize: 64,
      views: 1,
      tokensPerFrame: N,
      embedDim: D,
      maxContextFrames: 4,
      fusedHorizons: [1, 2],
    });
    expect(Object.values(model.providers)).toEqual(["cpu", "cpu", "cpu", "cpu"]);
  });

  it("keeps the event loop live while a model run is in flight", async () => {
    // Grow the batch until one run clearly outlasts the timer period.
    let samples = 256;
    for (;;) {
      const actions = tensor(
        noise(samples * 2 * 7, 3).map((v) => v * 0.05),
        [samples, 2, 7],
      );
      let ticks = 0;
      const timer = setInterval(() => ticks++, 5);
      const r = await model.rolloutEnergy(context, goal, state, actions);
      clearInterval(timer);
      if (r.modelMs < 150 && samples < 16384) {
        samples *= 4;
        continue;
      }
      // A run on the main thread would block every tick; in the worker the timer keeps firing.
      expect(ticks).toBeGreaterThanOrEqual(Math.floor(r.modelMs / 5 / 4));
      break;
    }
  });

  it("serialises concurrent calls and returns each caller its own result", async () => {
    const actions = tensor(
      noise(8 * 7, 9).map((v) => v * 0.05),
      [8, 1, 7],
    );
    const [a, b, c] = await Promise.all([model.encode(frames), model.rolloutEnergy(context, goal, state, actions), model.encode(frames)]);
    expect(maxAbsDiff(a.data, c.data)).toBe(0);
    const again = await model.rolloutEnergy(context, goal, state, actions);
    expect(maxAbsDiff(b.energy, again.energy)).toBe(0);
  });

  it("splits large batches across runs when maxBatch is set, with the same numbers", async () => {
    const small = await OnnxWorldModel.load(TINY_MODEL, { maxBatch: 3 });
    try {
      const actions = tensor(
        noise(10 * 2 * 7, 4).map((v) => v * 0.05),
        [10, 2, 7],
      );
      const whole = await model.rolloutEnergy(context, goal, state, actions);
      const split = await small.rolloutEnergy(context, goal, state, actions);
      expect(split.modelCalls).toBe(4);
      expect(maxAbsDiff(whole.energy, split.energy)).toBeLessThan(1e-6);
      expect(maxAbsDiff((await small.encode(frames)).data, (await model.encode(frames)).data)).toBeLessThan(1e-6);
    } finally {
      await small.close();
    }
  });

  it("rejects wrong shapes and non-finite values with the numbers", async () => {
    await expect(model.encode(tensor(new Float32Array(3 * 32 * 32), [1, 3, 32, 32]))).rejects.toThrow(
      /encode: frames: shape \[1, 3, 32, 32\] does not match \[\?, 3, 64, 64\]/,
    );
    const nan = new Float32Array(7).fill(0);
    nan[6] = Number.NaN;
    await expect(model.rolloutEnergy(context, goal, tensor(nan, [1, 7]), tensor(new Float32Array(7), [1, 1, 7]))).rejects.toThrow(
      /rollout: state: non-finite value NaN at flat index 6/,
    );
    await expect(model.rolloutEnergy(context, goal, state, tensor(new Float32Array(4 * 7), [1, 4, 7]))).rejects.toThrow(
      /horizon 4 needs 5 frames of context; this model accepts at most 4/,
    );
    await expect(
      model.predict(tensor(new Float32Array(2 * N * D), [1, 2 * N, D]), tensor(new Float32Array(7), [1, 1, 7]), tensor(new Float32Array(7), [1, 1, 7])),
    ).rejects.toThrow(/predict: tokens: shape \[1, 32, 96\] does not match \[1, 16, 96\]/);
  });

  it("rejects calls after close()", async () => {
    const m = await OnnxWorldModel.load(TINY_MODEL);
    await m.close();
    await expect(m.encode(frames)).rejects.toThrow(/closed/);
    await m.close();
  });
});

describe("OnnxWorldModel execution providers", () => {
  it("falls back to cpu with a logged reason when the provider is unavailable", async () => {
    const { logger, lines } = captureLogger();
    const m = await OnnxWorldModel.load(TINY_MODEL, { provider: { name: "cuda" }, logger });
    try {
      expect(Object.values(m.providers).every((p) => p === "cpu")).toBe(true);
      const warn = lines.find((l) => l.level === 40);
      expect(String(warn?.reason)).toMatch(/cuda execution provider unavailable/);
    } finally {
      await m.close();
    }
  });

  it("fails when the provider is required", async () => {
    await expect(OnnxWorldModel.load(TINY_MODEL, { provider: { name: "cuda", required: true } })).rejects.toThrow(
      /cannot load encoder.onnx: cuda execution provider unavailable: .*required/,
    );
  });
});

describe("OnnxWorldModel package errors", () => {
  it("says when there is no package", async () => {
    await expect(OnnxWorldModel.load("/nonexistent/pkg")).rejects.toThrow(/no model package at \/nonexistent\/pkg: model.json not found/);
  });

  it("names a missing graph file", async () => {
    const dir = copyPackage();
    fs.rmSync(path.join(dir, "rollout_h2.onnx"));
    await expect(OnnxWorldModel.load(dir)).rejects.toThrow(/graph file rollout_h2.onnx listed in model.json is missing/);
  });

  it("names a missing weights file and the graphs that need it", async () => {
    const dir = copyPackage();
    fs.rmSync(path.join(dir, "predictor.weights"));
    await expect(OnnxWorldModel.load(dir)).rejects.toThrow(
      /weights file predictor.weights \(used by predictor.onnx, rollout_h1.onnx, rollout_h2.onnx\) listed in model.json is missing/,
    );
  });

  it("names a truncated weights file", async () => {
    const dir = copyPackage();
    fs.truncateSync(path.join(dir, "predictor.weights"), 4096);
    await expect(OnnxWorldModel.load(dir)).rejects.toThrow(/weights file predictor.weights .* is 4096 bytes but model.json says \d+/);
  });

  it("loads a format 1 package, whose graphs hold their own weights, and plans with it", async () => {
    expect(JSON.parse(fs.readFileSync(path.join(FORMAT1_MODEL, "model.json"), "utf8")).format_version).toBe(1);
    const m = await OnnxWorldModel.load(FORMAT1_MODEL);
    try {
      expect(m.pkg.externalData).toEqual([]);
      expect(m.info.fusedHorizons).toEqual([1]);
      const n = m.info.tokensPerFrame * m.info.embedDim;
      const latent = (v: number): FloatTensor => ({ data: new Float32Array(n).fill(v), dims: [1, m.info.tokensPerFrame, m.info.embedDim] });
      const state: FloatTensor = { data: Float32Array.of(0.5, 0, 0.2, Math.PI, 0, 0, 0), dims: [1, 7] };
      const actions: FloatTensor = { data: new Float32Array(2 * 7).fill(0.01), dims: [2, 1, 7] };
      const r = await m.rolloutEnergy(latent(0.1), latent(0.2), state, actions);
      expect(r.energy).toHaveLength(2);
      for (const e of r.energy) expect(Number.isFinite(e) && e > 0).toBe(true);
    } finally {
      await m.close();
    }
  });

  it("names a corrupt graph file", async () => {
    const dir = copyPackage();
    fs.writeFileSync(path.join(dir, "predictor.onnx"), "not an onnx graph");
    await expect(OnnxWorldModel.load(dir)).rejects.toThrow(/cannot load predictor.onnx: /);
  });

  it("detects a graph whose signature disagrees with model.json", async () => {
    const dir = copyPackage();
    fs.copyFileSync(path.join(dir, "rollout_h1.onnx"), path.join(dir, "rollout_h2.onnx"));
    await expect(OnnxWorldModel.load(dir)).rejects.toThrow(/rollout_h2.onnx: input 'actions' has shape \[.*1, 7\] in the graph but \[.*2, 7\] in model.json/);
  });
});

describe("two-view package", () => {
  // views2-micro: 32 px views, 2 × 4 tokens of 32 per frame.
  const px = 32;
  const n = 4;
  const d = 32;
  /** Frames [B,3,32,64] with the given left and right halves. */
  function sideBySide(halves: Array<[Float32Array, Float32Array]>): FloatTensor {
    const out = new Float32Array(halves.length * 3 * px * 2 * px);
    halves.forEach(([left, right], b) => {
      for (let c = 0; c < 3; c++) {
        for (let y = 0; y < px; y++) {
          const row = ((b * 3 + c) * px + y) * 2 * px;
          out.set(left.subarray((c * px + y) * px, (c * px + y + 1) * px), row);
          out.set(right.subarray((c * px + y) * px, (c * px + y + 1) * px), row + px);
        }
      }
    });
    return tensor(out, [halves.length, 3, px, 2 * px]);
  }

  it("encodes each view alone: a frame's tokens are its views' tokens in a row", async () => {
    const m = await OnnxWorldModel.load(VIEWS2_MODEL);
    try {
      expect(m.info).toMatchObject({ imageSize: px, views: 2, tokensPerFrame: 2 * n, embedDim: d });
      const [a, b, c] = [1, 2, 3].map((seed) => noise(3 * px * px, seed));
      const z = await m.encode(
        sideBySide([
          [a, b],
          [a, c],
          [c, b],
        ]),
      );
      expect(z.dims).toEqual([3, 2 * n, d]);
      const view = (frame: number, v: number) => z.data.subarray((frame * 2 + v) * n * d, (frame * 2 + v + 1) * n * d);
      expect(maxAbsDiff(view(0, 0), view(1, 0))).toBeLessThan(1e-5); // same left view, other right view
      expect(maxAbsDiff(view(0, 1), view(2, 1))).toBeLessThan(1e-5); // same right view
      expect(maxAbsDiff(view(0, 1), view(1, 1))).toBeGreaterThan(1e-2);
      await expect(m.encode(tensor(new Float32Array(3 * px * px), [1, 3, px, px]))).rejects.toThrow(/encode: frames/);
    } finally {
      await m.close();
    }
  });

  it("gives the same energies with the fused rollout graph and the step graph", async () => {
    const [fused, stepped] = await Promise.all([OnnxWorldModel.load(VIEWS2_MODEL), OnnxWorldModel.load(VIEWS2_MODEL, { disableFusedRollout: true })]);
    try {
      const z = await fused.encode(
        sideBySide([
          [noise(3 * px * px, 4), noise(3 * px * px, 5)],
          [noise(3 * px * px, 6), noise(3 * px * px, 7)],
        ]),
      );
      const context = tensor(z.data.slice(0, 2 * n * d), [1, 2 * n, d]);
      const goal = tensor(z.data.slice(2 * n * d), [1, 2 * n, d]);
      const state = tensor(Float32Array.from([0.5, 0, 0.3, 3.1, 0, 0, 0.2]), [1, 7]);
      // This package's predictor takes 2 frames of context: horizon 1 only.
      const actions = tensor(
        noise(5 * 7, 9).map((v) => v * 0.05),
        [5, 1, 7],
      );
      const a = await fused.rolloutEnergy(context, goal, state, actions);
      const b = await stepped.rolloutEnergy(context, goal, state, actions);
      expect(maxAbsDiff(a.energy, b.energy)).toBeLessThan(1e-5);
      expect(maxAbsDiff(a.poses, b.poses)).toBeLessThan(1e-5);
    } finally {
      await Promise.all([fused.close(), stepped.close()]);
    }
  });
});

describe("fp16 package", () => {
  it("agrees with the fp32 package within the stated tolerance", async () => {
    const [m32, m16] = await Promise.all([OnnxWorldModel.load(TINY_MODEL), OnnxWorldModel.load(TINY_MODEL_FP16)]);
    try {
      const frames = tensor(noise(2 * 3 * 64 * 64, 5), [2, 3, 64, 64]);
      const [t32, t16] = await Promise.all([m32.encode(frames), m16.encode(frames)]);
      expect(maxAbsDiff(t32.data, t16.data)).toBeLessThan(1e-2); // measured 3.5e-3 on the reference frames
      const ctx = tensor(t32.data.slice(0, N * D), [1, N, D]);
      const goal = tensor(t32.data.slice(N * D), [1, N, D]);
      const state = tensor(Float32Array.from([0.5, 0, 0.3, 3.1, 0, 0, 0.2]), [1, 7]);
      const actions = tensor(
        noise(64 * 2 * 7, 6).map((v) => v * 0.05),
        [64, 2, 7],
      );
      const [r32, r16] = await Promise.all([m32.rolloutEnergy(ctx, goal, state, actions), m16.rolloutEnergy(ctx, goal, state, actions)]);
      expect(maxAbsDiff(r32.energy, r16.energy)).toBeLessThan(1e-4); // measured 4e-5 on the reference rollouts
      expect(maxAbsDiff(r32.poses, r16.poses)).toBeLessThan(1e-6);
    } finally {
      await Promise.all([m32.close(), m16.close()]);
    }
  });
});
