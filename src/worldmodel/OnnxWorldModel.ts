/**
 * The world model backed by a model package and ONNX Runtime sessions on a worker thread.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { latentL1 } from "./latentDistance";
import { computeNewPose } from "../pose/poseMath";
import { silentLogger, type Logger } from "../log";
import { parseModelPackage, type GraphSpec, type ModelPackage } from "./modelPackage";
import { SessionWorker } from "./SessionWorker";
import type { ProviderConfig, SessionValueInfo } from "./sessionProtocol";
import { checkTensor, tensor, type FloatTensor } from "../tensor/tensor";
import type { RolloutResult, WorldModel, WorldModelInfo } from "./WorldModel";

/** Options for loading a model package. */
export interface LoadOptions {
  /** Execution provider and fallback policy; default cpu. */
  provider?: Partial<ProviderConfig>;
  /**
   * Largest batch sent to one graph run (samples for rollouts, frames for encode); bigger requests are
   * split. Bounds peak memory (S·T·N·D floats in the step fallback). Default: no split.
   */
  maxBatch?: number;
  /** Use the step graph even where a fused rollout graph exists (to compare the two paths). */
  disableFusedRollout?: boolean;
  logger?: Logger;
}

/** Reads and validates `DIR/model.json` and checks that every graph file and external-data file is there. */
export function readModelPackage(dir: string): ModelPackage {
  const abs = path.resolve(dir);
  const manifest = path.join(abs, "model.json");
  if (!fs.existsSync(manifest)) {
    throw new Error(`no model package at ${abs}: model.json not found (export one with tools/export/export.py)`);
  }
  const pkg = parseModelPackage(fs.readFileSync(manifest, "utf8"), abs);
  for (const g of [pkg.graphs.encoder, pkg.graphs.predictor, ...pkg.graphs.rollout.values()]) {
    if (!fs.existsSync(path.join(abs, g.file))) throw new Error(`model package ${abs}: graph file ${g.file} listed in model.json is missing`);
  }
  // ONNX Runtime would fail on these too, but deep inside session creation and naming one graph only.
  for (const d of pkg.externalData) {
    const where = `model package ${abs}: weights file ${d.file} (used by ${d.usedBy.join(", ")})`;
    const stat = fs.statSync(path.join(abs, d.file), { throwIfNoEntry: false });
    if (stat === undefined) throw new Error(`${where} listed in model.json is missing: copy it along with the graphs`);
    if (stat.size !== d.bytes) throw new Error(`${where} is ${stat.size} bytes but model.json says ${d.bytes}: an incomplete copy or one from another export`);
  }
  return pkg;
}

/** Compares what ONNX Runtime reports about a session with model.json; throws naming the mismatch. */
function checkSession(spec: GraphSpec, inputs: SessionValueInfo[], outputs: SessionValueInfo[]): void {
  for (const [kind, declared, actual] of [
    ["input", spec.inputs, inputs],
    ["output", spec.outputs, outputs],
  ] as const) {
    const names = actual.map((v) => v.name).sort();
    const want = Object.keys(declared).sort();
    if (names.join() !== want.join()) {
      throw new Error(`${spec.file}: graph ${kind}s [${names.join(", ")}] do not match model.json [${want.join(", ")}]`);
    }
    for (const v of actual) {
      const d = declared[v.name];
      if (v.dtype !== d.dtype) throw new Error(`${spec.file}: ${kind} '${v.name}' is ${v.dtype} in the graph but ${d.dtype} in model.json`);
      const same =
        v.shape.length === d.shape.length && v.shape.every((dim, i) => typeof dim !== "number" || typeof d.shape[i] !== "number" || dim === d.shape[i]);
      if (!same) throw new Error(`${spec.file}: ${kind} '${v.name}' has shape [${v.shape.join(", ")}] in the graph but [${d.shape.join(", ")}] in model.json`);
    }
  }
}

export class OnnxWorldModel implements WorldModel {
  readonly info: WorldModelInfo;
  /** Execution provider each graph actually runs on. */
  readonly providers: Record<string, string>;

  private constructor(
    readonly pkg: ModelPackage,
    private readonly worker: SessionWorker,
    providers: Record<string, string>,
    private readonly maxBatch: number,
    private readonly fused: Set<number>,
  ) {
    this.providers = providers;
    this.info = {
      name: pkg.name,
      imageSize: pkg.imageSize,
      views: pkg.views,
      tokensPerFrame: pkg.tokensPerFrame,
      embedDim: pkg.embedDim,
      maxContextFrames: pkg.maxContextFrames,
      fusedHorizons: [...fused].sort((a, b) => a - b),
    };
  }

  /**
   * Loads the package in `dir`: validates model.json, starts the worker, creates the sessions and checks
   * their signatures. On any error the worker is stopped before the error is thrown.
   */
  static async load(dir: string, options: LoadOptions = {}): Promise<OnnxWorldModel> {
    const log = options.logger ?? silentLogger;
    const pkg = readModelPackage(dir);
    const provider: ProviderConfig = { name: "cpu", required: false, deviceId: 0, intraOpThreads: 0, ...options.provider };
    const fused = new Set(options.disableFusedRollout ? [] : pkg.graphs.rollout.keys());
    const graphs = [
      { key: "encoder", path: path.join(pkg.dir, pkg.graphs.encoder.file), spec: pkg.graphs.encoder },
      { key: "predictor", path: path.join(pkg.dir, pkg.graphs.predictor.file), spec: pkg.graphs.predictor },
      ...[...fused].map((h) => {
        const spec = pkg.graphs.rollout.get(h) as GraphSpec;
        return { key: `rollout_h${h}`, path: path.join(pkg.dir, spec.file), spec };
      }),
    ];
    const worker = new SessionWorker();
    try {
      const sessions = await worker.load(graphs, provider);
      const providers: Record<string, string> = {};
      for (const g of graphs) {
        const s = sessions[g.key];
        checkSession(g.spec, s.inputs, s.outputs);
        providers[g.key] = s.provider;
        if (s.fallbackReason !== null) log.warn({ graph: g.key, reason: s.fallbackReason }, `falling back to cpu for ${g.key}`);
      }
      log.info({ model: pkg.name, dtype: pkg.dtype, providers, fusedHorizons: [...fused] }, "world model loaded");
      return new OnnxWorldModel(pkg, worker, providers, options.maxBatch ?? Number.POSITIVE_INFINITY, fused);
    } catch (e) {
      await worker.close();
      throw e;
    }
  }

  async encode(frames: FloatTensor): Promise<FloatTensor> {
    const { imageSize: px, views } = this.pkg;
    checkTensor(frames, [null, 3, px, views * px], "encode: frames");
    const [b] = frames.dims;
    const { tokensPerFrame: n, embedDim: d } = this.pkg;
    const out = new Float32Array(b * n * d);
    const per = 3 * px * views * px;
    for (let start = 0; start < b; start += this.chunk(b)) {
      const count = Math.min(this.chunk(b), b - start);
      const data = frames.data.subarray(start * per, (start + count) * per);
      const { outputs } = await this.worker.run("encoder", { frames: { dims: [count, 3, px, views * px], data } });
      out.set(outputs.tokens.data, start * n * d);
    }
    return tensor(out, [b, n, d]);
  }

  async predict(tokens: FloatTensor, actions: FloatTensor, states: FloatTensor): Promise<FloatTensor> {
    const { tokensPerFrame: n, embedDim: d, actionDim, stateDim, maxContextFrames } = this.pkg;
    checkTensor(actions, [null, null, actionDim], "predict: actions");
    const [b, t] = actions.dims;
    if (t < 1 || t > maxContextFrames) throw new Error(`predict: ${t} context frames; this model accepts 1 to ${maxContextFrames}`);
    checkTensor(tokens, [b, t * n, d], "predict: tokens");
    checkTensor(states, [b, t, stateDim], "predict: states");
    const { outputs } = await this.worker.run("predictor", {
      tokens: { dims: [...tokens.dims], data: tokens.data },
      actions: { dims: [...actions.dims], data: actions.data },
      states: { dims: [...states.dims], data: states.data },
    });
    return tensor(outputs.next_tokens.data, [b, n, d], "predict: next_tokens");
  }

  async rolloutEnergy(context: FloatTensor, goal: FloatTensor, state: FloatTensor, actions: FloatTensor): Promise<RolloutResult> {
    const { tokensPerFrame: n, embedDim: d, actionDim, stateDim } = this.pkg;
    checkTensor(context, [1, n, d], "rollout: context");
    checkTensor(goal, [1, n, d], "rollout: goal");
    checkTensor(state, [1, stateDim], "rollout: state");
    checkTensor(actions, [null, null, actionDim], "rollout: actions");
    const [s, h] = actions.dims;
    if (h < 1 || h + 1 > this.pkg.maxContextFrames) {
      throw new Error(`rollout: horizon ${h} needs ${h + 1} frames of context; this model accepts at most ${this.pkg.maxContextFrames}`);
    }
    const energy = new Float32Array(s);
    const poses = new Float32Array(s * (h + 1) * stateDim);
    let modelMs = 0;
    let modelCalls = 0;
    const step = this.chunk(s);
    for (let start = 0; start < s; start += step) {
      const count = Math.min(step, s - start);
      const chunk = actions.data.subarray(start * h * actionDim, (start + count) * h * actionDim);
      const r = this.fused.has(h)
        ? await this.fusedRollout(context, goal, state, chunk, count, h)
        : await this.stepRollout(context, goal, state, chunk, count, h);
      energy.set(r.energy, start);
      poses.set(r.poses, start * (h + 1) * stateDim);
      modelMs += r.modelMs;
      modelCalls += r.modelCalls;
    }
    return { energy, poses, modelMs, modelCalls };
  }

  async close(): Promise<void> {
    await this.worker.close();
  }

  private chunk(total: number): number {
    return Math.max(1, Math.min(total, this.maxBatch));
  }

  private async fusedRollout(context: FloatTensor, goal: FloatTensor, state: FloatTensor, actions: Float32Array, s: number, h: number): Promise<RolloutResult> {
    const { outputs, runMs } = await this.worker.run(`rollout_h${h}`, {
      context: { dims: [...context.dims], data: context.data },
      goal: { dims: [...goal.dims], data: goal.data },
      state: { dims: [...state.dims], data: state.data },
      actions: { dims: [s, h, this.pkg.actionDim], data: actions },
    });
    return { energy: outputs.energy.data, poses: outputs.poses.data, modelMs: runMs, modelCalls: 1 };
  }

  /**
   * Rollout with the one-step predictor graph: the upstream loop (DESIGN §3) with pose advance and the
   * L1 energy in TypeScript. Same numbers as the fused graph, more traffic across the thread boundary.
   */
  private async stepRollout(context: FloatTensor, goal: FloatTensor, state: FloatTensor, actions: Float32Array, s: number, h: number): Promise<RolloutResult> {
    const { tokensPerFrame: n, embedDim: d, actionDim: a, stateDim: sd } = this.pkg;
    const frame = n * d;
    // (S, H+1, N·D): context repeated, then one predicted frame per step.
    const frames = new Float32Array(s * (h + 1) * frame);
    for (let i = 0; i < s; i++) frames.set(context.data, i * (h + 1) * frame);
    // (S, H+1, 7): current state, then one advanced pose per step.
    const poses = new Float32Array(s * (h + 1) * sd);
    for (let i = 0; i < s; i++) poses.set(state.data, i * (h + 1) * sd);
    let modelMs = 0;
    for (let step = 0; step < h; step++) {
      const t = step + 1;
      const tok = new Float32Array(s * t * frame);
      const act = new Float32Array(s * t * a);
      const st = new Float32Array(s * t * sd);
      for (let i = 0; i < s; i++) {
        tok.set(frames.subarray(i * (h + 1) * frame, (i * (h + 1) + t) * frame), i * t * frame);
        act.set(actions.subarray(i * h * a, (i * h + t) * a), i * t * a);
        st.set(poses.subarray(i * (h + 1) * sd, (i * (h + 1) + t) * sd), i * t * sd);
      }
      const { outputs, runMs } = await this.worker.run("predictor", {
        tokens: { dims: [s, t * n, d], data: tok },
        actions: { dims: [s, t, a], data: act },
        states: { dims: [s, t, sd], data: st },
      });
      modelMs += runMs;
      const next = outputs.next_tokens.data;
      for (let i = 0; i < s; i++) {
        frames.set(next.subarray(i * frame, (i + 1) * frame), (i * (h + 1) + t) * frame);
        const prev = Array.from(poses.subarray((i * (h + 1) + step) * sd, (i * (h + 1) + t) * sd));
        const act7 = Array.from(actions.subarray((i * h + step) * a, (i * h + t) * a));
        poses.set(computeNewPose(prev, act7), (i * (h + 1) + t) * sd);
      }
    }
    const energy = new Float32Array(s);
    for (let i = 0; i < s; i++) energy[i] = latentL1(frames.subarray((i * (h + 1) + h) * frame, (i * (h + 1) + h + 1) * frame), goal.data);
    return { energy, poses, modelMs, modelCalls: h };
  }
}
