/**
 * Every runtime parameter of vjepa2-mpc, declared once. config/default.yaml mirrors this table (a test
 * keeps them in sync), the YAML loader validates against it, and the ROS nodes declare their parameters
 * from it.
 */
import { CEM_DEFAULTS } from "../cem";
import { param, type ParameterTable, type ValuesOf } from "./parameter";

export const PARAMETERS = {
  world_model: {
    model: param({ type: "string", default: "", description: "model package directory (model.json + ONNX graphs); empty: the embedded demo model", readOnly: true }),
    provider: param({ type: "string", default: "cpu", choices: ["cpu", "cuda", "tensorrt", "webgpu"], description: "ONNX Runtime execution provider", readOnly: true }),
    provider_required: param({ type: "bool", default: false, description: "fail at start-up instead of falling back to cpu when the provider is unavailable", readOnly: true }),
    device_id: param({ type: "integer", default: 0, range: [0, 64], description: "GPU index for cuda/tensorrt", readOnly: true }),
    threads: param({ type: "integer", default: 0, range: [0, 256], description: "ONNX Runtime intra-op threads (0: one per core)", readOnly: true }),
    max_batch: param({ type: "integer", default: 0, range: [0, 1_000_000], description: "split model runs larger than this many samples (0: never); bounds GPU memory", readOnly: true }),
    resize: param({ type: "string", default: "center_crop", choices: ["center_crop", "squash"], description: "how non-square camera frames and goal images become square (upstream: center_crop)" }),
  },
  planner: {
    samples: param({ type: "integer", default: CEM_DEFAULTS.samples, range: [2, 100_000], description: "action sequences sampled and scored per CEM iteration (paper: 800)" }),
    iterations: param({ type: "integer", default: CEM_DEFAULTS.iterations, range: [1, 1000], description: "CEM iterations per planning step (paper: 10)" }),
    topk: param({ type: "integer", default: CEM_DEFAULTS.topk, range: [2, 100_000], description: "elite sequences the distribution is refitted to (paper: 10)" }),
    horizon: param({ type: "integer", default: CEM_DEFAULTS.horizon, range: [1, 16], description: "actions per planned sequence (paper: 1; must fit the model's context)" }),
    maxnorm: param({ type: "double", default: CEM_DEFAULTS.maxnorm, range: [0, 0.5], units: "m", description: "bound of dx, dy, dz per step, and their initial std (paper: 0.075)" }),
    momentum_mean: param({ type: "double", default: CEM_DEFAULTS.momentumMean, range: [0, 1], description: "weight of the old xyz mean in the CEM update" }),
    momentum_std: param({ type: "double", default: CEM_DEFAULTS.momentumStd, range: [0, 1], description: "weight of the old xyz std in the CEM update" }),
    momentum_mean_gripper: param({ type: "double", default: CEM_DEFAULTS.momentumMeanGripper, range: [0, 1], description: "weight of the old gripper mean in the CEM update" }),
    momentum_std_gripper: param({ type: "double", default: CEM_DEFAULTS.momentumStdGripper, range: [0, 1], description: "weight of the old gripper std in the CEM update" }),
    gripper_clip: param({ type: "double", default: CEM_DEFAULTS.gripperClip, range: [0, 1], description: "bound of the gripper delta per step (closedness units)" }),
    gripper_round_below: param({ type: "double", default: CEM_DEFAULTS.gripperRoundBelow, range: [0, 1], description: "planned gripper deltas smaller than this become 0" }),
    close_gripper: param({ type: "integer", default: null, range: [0, 16], nullable: true, description: "force the gripper closed (1.0) from this step of the horizon on; null: never" }),
    fix_dx: param({ type: "double", default: null, nullable: true, units: "m", range: [-0.5, 0.5], description: "hold dx at this value (null: planned)" }),
    fix_dy: param({ type: "double", default: null, nullable: true, units: "m", range: [-0.5, 0.5], description: "hold dy at this value (null: planned)" }),
    fix_dz: param({ type: "double", default: null, nullable: true, units: "m", range: [-0.5, 0.5], description: "hold dz at this value (null: planned)" }),
    fix_gripper: param({ type: "double", default: null, nullable: true, range: [-1, 1], description: "hold the gripper delta at this value (null: planned)" }),
    warm_start: param({ type: "bool", default: false, description: "start each plan from the previous plan shifted by one step instead of a cold start" }),
    seed: param({ type: "integer", default: CEM_DEFAULTS.seed, range: [0, 2 ** 31 - 1], description: "base seed of the sampler; planning step k uses seed + k" }),
    mode: param({ type: "string", default: "blocking", choices: ["blocking", "streaming"], description: "blocking: plan, execute, wait for the motion to settle (paper); streaming: re-plan on every fresh frame" }),
    settle_timeout: param({ type: "double", default: 5, range: [0, 600], units: "s", description: "blocking mode: longest wait for a commanded motion to settle before planning again" }),
    max_frame_age: param({ type: "double", default: 1, range: [0, 60], units: "s", description: "frames older than this when planning would start are dropped as stale" }),
    default_step_budget: param({ type: "integer", default: 10, range: [1, 100_000], description: "planning steps per goal when a goal does not set its own" }),
    energy_threshold: param({ type: "double", default: null, nullable: true, range: [0, 100], description: "advance to the next goal early when the current frame's energy to the goal falls below this; null: use the step budget only" }),
  },
} satisfies ParameterTable;

/** The resolved configuration. */
export type Config = ValuesOf<typeof PARAMETERS>;

/** Relations between parameters that single declarations cannot express; each message says what to change. */
export function crossCheck(c: Config): string[] {
  const p = c.planner;
  const problems: string[] = [];
  if (p.topk > p.samples) problems.push(`planner.topk (${p.topk}) exceeds planner.samples (${p.samples}): lower topk or raise samples`);
  if (p.close_gripper !== null && p.close_gripper >= p.horizon) {
    problems.push(`planner.close_gripper (${p.close_gripper}) must be below planner.horizon (${p.horizon}): use a step index 0..${p.horizon - 1} or null`);
  }
  if (p.fix_dx !== null && Math.abs(p.fix_dx) > p.maxnorm) problems.push(`planner.fix_dx (${p.fix_dx}) is outside ±planner.maxnorm (${p.maxnorm})`);
  if (p.fix_dy !== null && Math.abs(p.fix_dy) > p.maxnorm) problems.push(`planner.fix_dy (${p.fix_dy}) is outside ±planner.maxnorm (${p.maxnorm})`);
  if (p.fix_dz !== null && Math.abs(p.fix_dz) > p.maxnorm) problems.push(`planner.fix_dz (${p.fix_dz}) is outside ±planner.maxnorm (${p.maxnorm})`);
  return problems;
}
