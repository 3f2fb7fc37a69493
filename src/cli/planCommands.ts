/**
 * `vjepa2-mpc plan` (one planning step, as in the upstream demo notebook) and `vjepa2-mpc bench`
 * (planning-step latency and throughput).
 */
import { Command, Option } from "commander";
import { resolveConfig } from "../config/configFile";
import type { Config } from "../config/parameters";
import { plannerSettingsFromConfig } from "../mpc/plannerSettings";
import { RecedingHorizonPlanner, type PlanStep } from "../mpc/RecedingHorizonPlanner";
import { imagesToBatch, preprocessOptionsFor, readImages } from "../worldmodel/imageInput";
import { loadModelFromConfig } from "../worldmodel/modelFromConfig";
import { inputDims } from "../worldmodel/preprocess";
import type { OnnxWorldModel } from "../worldmodel/OnnxWorldModel";
import type { ProviderName } from "../worldmodel/sessionProtocol";
import { tensor, type FloatTensor } from "../tensor/tensor";
import { summarise, type Summary } from "../stats";
import { integerFlag } from "./flagValues";
import { OPTIMIZER_NAMES } from "../cem";

/** Planner flags and the `planner.*` parameter each one overrides. */
const PLANNER_FLAGS: Array<[flag: string, key: string, description: string, parse: (v: string) => number]> = [
  ["--samples <n>", "planner.samples", "action sequences per CEM iteration", Number],
  ["--iterations <n>", "planner.iterations", "CEM iterations", Number],
  ["--topk <n>", "planner.topk", "elite size", Number],
  ["--horizon <n>", "planner.horizon", "planning horizon (steps)", Number],
  ["--maxnorm <m>", "planner.maxnorm", "bound of dx, dy, dz per step (m)", Number],
  ["--seed <n>", "planner.seed", "sampler seed", Number],
];

function addPlannerOptions(cmd: Command): Command {
  cmd
    .option("--config <files...>", "YAML configuration file(s), applied in order over the defaults")
    .option("--model <dir>", "model package directory (overrides world_model.model)")
    .addOption(
      new Option("--provider <name>", "ONNX Runtime execution provider (overrides world_model.provider)").choices(["cpu", "cuda", "tensorrt", "webgpu"]),
    );
  cmd.addOption(new Option("--optimizer <name>", "planning optimiser (overrides planner.optimizer)").choices(OPTIMIZER_NAMES));
  for (const [flag, , description] of PLANNER_FLAGS) cmd.option(flag, description);
  return cmd;
}

interface PlannerFlags {
  config?: string[];
  model?: string;
  provider?: ProviderName;
  optimizer?: string;
  json?: boolean;
  [key: string]: unknown;
}

/** The resolved configuration: defaults, --config files, then flags. */
function configFromFlags(flags: PlannerFlags): Config {
  const overrides: Record<string, unknown> = {};
  for (const [flag, key, , parse] of PLANNER_FLAGS) {
    const name = flag.slice(2, flag.indexOf(" ")).replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    const v = flags[name];
    if (v !== undefined) {
      const n = parse(String(v));
      if (!Number.isFinite(n)) throw new Error(`${flag.split(" ")[0]} expects a number, got '${String(v)}'`);
      overrides[key] = n;
    }
  }
  if (flags.model !== undefined) overrides["world_model.model"] = flags.model;
  if (flags.provider !== undefined) overrides["world_model.provider"] = flags.provider;
  if (flags.optimizer !== undefined) overrides["planner.optimizer"] = flags.optimizer;
  return resolveConfig(flags.config ?? [], overrides);
}

/** Parses `x,y,z,roll,pitch,yaw,gripper`. */
export function parseState(text: string): number[] {
  const v = text.split(",").map((s) => Number(s.trim()));
  if (v.length !== 7 || v.some((x) => !Number.isFinite(x)))
    throw new Error(`--state expects 7 comma-separated numbers x,y,z,roll,pitch,yaw,gripper; got '${text}'`);
  if (v[6] < 0 || v[6] > 1) throw new Error(`--state gripper closedness must be in [0, 1], got ${v[6]}`);
  return v;
}

function frameOf(tokens: FloatTensor, i: number): FloatTensor {
  const [, n, d] = tokens.dims;
  return tensor(tokens.data.slice(i * n * d, (i + 1) * n * d), [1, n, d]);
}

function formatStep(step: PlanStep, encodeMs: number): string {
  const s = step.status;
  const a = step.action ?? [];
  const f = (x: number) => (x >= 0 ? "+" : "") + x.toFixed(4);
  const t = s.timings;
  const lines = [
    `action      dx ${f(a[0])} m  dy ${f(a[1])} m  dz ${f(a[2])} m  gripper ${f(a[6])}`,
    `energy      current ${s.currentEnergy?.toFixed(5)} → planned ${s.plannedEnergy?.toFixed(5)}`,
    `iterations  ${s.energyPerIteration.map((e) => e.toFixed(5)).join(" ")}`,
    `time        encode ${encodeMs.toFixed(0)} ms | model ${t.modelMs.toFixed(0)} ms in ${t.modelCalls} calls | optimiser ${t.optimiserMs.toFixed(2)} ms | step ${t.totalMs.toFixed(0)} ms`,
  ];
  return `${lines.join("\n")}\n`;
}

export function registerPlanCommands(program: Command): void {
  addPlannerOptions(program.command("plan"))
    .description("plan one action from the current image towards goal image(s), as the upstream demo notebook does")
    .requiredOption("--image <file>", "current camera image (JPEG/PNG, or .npy uint8 [H,W,3])")
    .requiredOption("--goal <files...>", "goal image(s); more than one: sub-goals, planning targets the first")
    .requiredOption("--state <x,y,z,roll,pitch,yaw,gripper>", "current robot state (flange pose in the base frame, m and rad; gripper closedness 0..1)")
    .option("--json", "print one JSON object instead of text")
    .action(async (flags: PlannerFlags & { image: string; goal: string[]; state: string }) => {
      const config = configFromFlags(flags);
      const state = parseState(flags.state);
      const model = await loadModelFromConfig(config);
      try {
        const images = readImages([flags.image, ...flags.goal]);
        const opts = preprocessOptionsFor(model.pkg, config.world_model.resize as "center_crop" | "squash");
        const t0 = performance.now();
        const tokens = await model.encode(imagesToBatch(images, opts));
        const encodeMs = performance.now() - t0;
        const planner = new RecedingHorizonPlanner(model, plannerSettingsFromConfig(config.planner));
        planner.setGoals(
          flags.goal.map((file, i) => ({
            embedding: frameOf(tokens, i + 1),
            stepBudget: config.planner.default_step_budget,
            energyThreshold: null,
            label: file,
          })),
        );
        const step = await planner.step({ embedding: frameOf(tokens, 0), state, stamp: 0 });
        if (step.status.code !== "planned") throw new Error(`no plan: ${step.status.message}`);
        if (flags.json) {
          const s = step.status;
          process.stdout.write(
            `${JSON.stringify({
              action: step.action,
              plan: Array.from(step.plan ?? []),
              current_energy: s.currentEnergy,
              planned_energy: s.plannedEnergy,
              energy_per_iteration: s.energyPerIteration,
              timings: {
                encode_ms: encodeMs,
                model_ms: s.timings.modelMs,
                energy_wait_ms: s.timings.energyWaitMs,
                optimiser_ms: s.timings.optimiserMs,
                step_ms: s.timings.totalMs,
                model_calls: s.timings.modelCalls,
              },
              planner: config.planner,
            })}\n`,
          );
        } else {
          process.stdout.write(formatStep(step, encodeMs));
        }
      } finally {
        await model.close();
      }
    });

  addPlannerOptions(program.command("bench"))
    .description("measure planning-step latency and throughput on synthetic frames")
    .option("--repeats <n>", "measured planning steps", "10")
    .option("--warmup <n>", "unmeasured steps first (session warm-up)", "2")
    .option("--json", "print one JSON object instead of text")
    .action(async (flags: PlannerFlags & { repeats: string; warmup: string }) => {
      const config = configFromFlags(flags);
      const repeats = integerFlag(flags.repeats, "--repeats", 1);
      const warmup = integerFlag(flags.warmup, "--warmup", 0);
      const model = await loadModelFromConfig(config);
      try {
        const result = await benchPlanner(model, config, repeats, warmup);
        if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
        else process.stdout.write(formatBench(result));
      } finally {
        await model.close();
      }
    });
}

/** What `bench` measures. */
export interface BenchResult {
  model: string;
  provider: string;
  samples: number;
  iterations: number;
  horizon: number;
  repeats: number;
  /** Planning step wall time (ms). */
  stepMs: Summary;
  /** Time inside ONNX Runtime per step (ms). */
  modelMs: Summary;
  /** Everything in the step except awaiting the world model (ms): optimiser, goal bookkeeping. */
  plannerOverheadMs: Summary;
  /** Of which the CEM optimiser itself (ms). */
  optimiserMs: Summary;
  /** Thread hand-off: awaiting the model minus time inside ONNX Runtime (ms). */
  handoffMs: Summary;
  modelCallsPerSecond: number;
  samplesPerSecond: number;
  /** Planning optimiser (planner.optimizer). */
  optimizer: string;
  /** Predictor evaluations per planned action (sequences scored × horizon; the paper's CEM: 8000). */
  evaluationsPerAction: number;
  /** Predictor evaluations per second of planning. */
  evaluationsPerSecond: number;
  /** Median planner overhead / median step. */
  plannerOverheadShare: number;
}

/** Runs `warmup + repeats` planning steps on two synthetic frames and summarises the timings. */
export async function benchPlanner(model: OnnxWorldModel, config: Config, repeats: number, warmup: number): Promise<BenchResult> {
  const dims = inputDims(preprocessOptionsFor(model.pkg, "squash"), 2);
  // Two deterministic textured frames: the current one and a shifted copy as the goal.
  const frames = new Float32Array(dims.reduce((a, b) => a * b));
  for (let i = 0; i < frames.length; i++) frames[i] = Math.sin(i * 0.37) * 1.5 + (i >= frames.length / 2 ? 0.3 : 0);
  const tokens = await model.encode(tensor(frames, dims));
  const planner = new RecedingHorizonPlanner(model, plannerSettingsFromConfig(config.planner, false));
  planner.setGoals([{ embedding: frameOf(tokens, 1), stepBudget: 1_000_000, energyThreshold: null, label: "bench" }]);
  const obs = { embedding: frameOf(tokens, 0), state: [0.5, 0, 0.3, Math.PI, 0, 0, 0], stamp: 0 };
  const steps: PlanStep[] = [];
  for (let i = 0; i < warmup + repeats; i++) {
    const step = await planner.step(obs);
    if (step.status.code !== "planned") throw new Error(`bench: planning failed: ${step.status.message}`);
    if (i >= warmup) steps.push(step);
  }
  const t = steps.map((s) => s.status.timings);
  const step = summarise(t.map((x) => x.totalMs));
  const overhead = summarise(t.map((x) => x.totalMs - x.energyWaitMs));
  const totalS = t.reduce((a, x) => a + x.totalMs, 0) / 1000;
  const p = config.planner;
  return {
    model: model.info.name,
    provider: model.providers.encoder,
    samples: p.samples,
    iterations: p.iterations,
    horizon: p.horizon,
    repeats,
    stepMs: step,
    modelMs: summarise(t.map((x) => x.modelMs)),
    plannerOverheadMs: overhead,
    optimiserMs: summarise(t.map((x) => x.optimiserMs)),
    handoffMs: summarise(t.map((x) => x.energyWaitMs - x.modelMs)),
    modelCallsPerSecond: t.reduce((a, x) => a + x.modelCalls, 0) / totalS,
    samplesPerSecond: t.reduce((a, x) => a + x.modelEvaluations, 0) / p.horizon / totalS,
    optimizer: p.optimizer,
    evaluationsPerAction: t.reduce((a, x) => a + x.modelEvaluations, 0) / repeats,
    evaluationsPerSecond: t.reduce((a, x) => a + x.modelEvaluations, 0) / totalS,
    plannerOverheadShare: overhead.median / step.median,
  };
}

function formatBench(r: BenchResult): string {
  const row = (name: string, s: Summary) =>
    `${name.padEnd(18)} median ${s.median.toFixed(2).padStart(9)}  p10 ${s.p10.toFixed(2).padStart(9)}  p90 ${s.p90.toFixed(2).padStart(9)}  (ms)`;
  return [
    `${r.model} on ${r.provider}: ${r.optimizer}, ${r.samples} samples × ${r.iterations} iterations, horizon ${r.horizon}, ${r.repeats} steps`,
    row("planning step", r.stepMs),
    row("  in the model", r.modelMs),
    row("  thread hand-off", r.handoffMs),
    row("  planner overhead", r.plannerOverheadMs),
    row("    CEM optimiser", r.optimiserMs),
    `model evaluations ${r.evaluationsPerAction.toFixed(0)} per action, ${r.evaluationsPerSecond.toFixed(0)} per second`,
    `model calls/s ${r.modelCallsPerSecond.toFixed(1)}   samples/s ${r.samplesPerSecond.toFixed(0)}   planner overhead ${(100 * r.plannerOverheadShare).toFixed(2)}% of a step`,
    "",
  ].join("\n");
}
