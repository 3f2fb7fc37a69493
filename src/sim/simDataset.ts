/**
 * Writes a training set of simulator episodes as NumPy arrays (the node: side of `src/sim`):
 *
 *   DIR/frames.npy   uint8   [E, T, H, W, 3]  RGB camera images (W = views · H: the cameras side by side)
 *   DIR/states.npy   float32 [E, T, 7]        [x, y, z, roll, pitch, yaw, gripper]
 *   DIR/actions.npy  float32 [E, T−1, 7]      actions[e, t] = posesToDiff(states[e, t], states[e, t+1])
 *   DIR/meta.json    image size, workspace, camera, seed, policy mix, per-episode policy, version
 *
 * Arrays are built in memory (500 × 16 frames at 64 px are 98 MB) and written atomically.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { writeNpy } from "../io/npyFile";
import {
  chooseEpisodeKind,
  POLICY_MIX_WEIGHTS,
  recordEpisode,
  type SimEpisode,
  type SimEpisodeStart,
  type SimPolicyMix,
  type SimPolicyName,
} from "./simEpisode";
import { DEFAULT_SIM_CONFIG, simCameras, type SimConfig } from "./simConfig";
import { PLACE_TOLERANCE, REACH_TOLERANCE, SIM_VIEWS, TabletopSim } from "./TabletopSim";

/** Version of the generator; bump when the images or the policies change. */
export const SIM_GENERATOR_VERSION = 1;

/** Largest frames array the writer builds in memory (bytes). */
export const MAX_DATASET_BYTES = 2 ** 31 - 1;

/** Options of a dataset. */
export interface SimDatasetOptions {
  /** Output directory (created). */
  out: string;
  /** Episodes E ≥ 1. */
  episodes: number;
  /** Frames per episode T ≥ 2. */
  steps: number;
  /** Image size (px), 16..512; 64 by default. */
  size?: number;
  /** Supersampling per axis; 2 by default. */
  supersample?: number;
  /** Cameras side by side in each frame (1 or 2; TabletopSimOptions.views); 1 by default. */
  views?: number;
  /** Base seed; episode e uses deriveSeed(seed, e). */
  seed?: number;
  /** Policy mixture. */
  policy?: SimPolicyMix;
  /** Bound of |dx|, |dy|, |dz| per step (m). */
  maxnorm?: number;
  /** Scene parameters. */
  config?: SimConfig;
  /** Called after each episode with (done, total). */
  onProgress?: (done: number, total: number) => void;
}

/** What was written. */
export interface SimDatasetSummary {
  out: string;
  episodes: number;
  steps: number;
  size: number;
  views: number;
  /** Episodes per (policy/start). */
  counts: Record<string, number>;
  /** Episodes with at least one grasp. */
  episodesWithGrasp: number;
  files: string[];
  elapsedMs: number;
}

/** The image, seed, policy and scene settings of a dataset, defaults filled in. */
export function simDatasetSettings(o: Omit<SimDatasetOptions, "out">): {
  size: number;
  supersample: number;
  views: number;
  seed: number;
  policy: SimPolicyMix;
  maxnorm: number;
  config: SimConfig;
} {
  return {
    size: o.size ?? 64,
    supersample: o.supersample ?? 2,
    views: o.views ?? 1,
    seed: o.seed ?? 0,
    policy: o.policy ?? "mixed",
    maxnorm: o.maxnorm ?? 0.075,
    config: o.config ?? DEFAULT_SIM_CONFIG,
  };
}

/**
 * Throws for impossible dataset options (count, length, policy mix, maxnorm) with the flag to change;
 * with `inMemory` also when the frames array would exceed {@link MAX_DATASET_BYTES}.
 */
export function checkSimDatasetOptions(options: Omit<SimDatasetOptions, "out">, inMemory = true): void {
  const { episodes, steps } = options;
  const { size, views, policy, maxnorm } = simDatasetSettings(options);
  if (!Number.isInteger(episodes) || episodes < 1) throw new Error(`--episodes must be a positive integer, got ${episodes}`);
  if (!Number.isInteger(steps) || steps < 2) throw new Error(`--steps must be an integer ≥ 2 (frames per episode), got ${steps}`);
  if (POLICY_MIX_WEIGHTS[policy] === undefined) throw new Error(`--policy must be mixed, random or scripted, got '${String(policy)}'`);
  if (!(maxnorm > 0)) throw new Error(`maxnorm must be positive, got ${maxnorm}`);
  if (!SIM_VIEWS.includes(views)) throw new Error(`--views must be 1 or 2, got ${views}`);
  const totalBytes = episodes * steps * size * size * views * 3;
  if (inMemory && totalBytes > MAX_DATASET_BYTES) {
    throw new Error(
      `frames would take ${(totalBytes / 2 ** 30).toFixed(2)} GiB (${episodes} × ${steps} × ${size}² × ${views} × 3), over the ${(MAX_DATASET_BYTES / 2 ** 30).toFixed(0)} GiB in-memory limit; write several datasets with different --seed`,
    );
  }
}

/**
 * Episode `index` of a dataset seeded with `seed`: its (policy, start) drawn from the mixture, recorded
 * in `sim` (which it resets). The .npy writer and the bag writer both use it, so a dataset's bags hold
 * exactly its episodes.
 */
export function recordDatasetEpisode(
  sim: TabletopSim,
  options: { seed: number; policy: SimPolicyMix; steps: number; maxnorm: number },
  index: number,
): SimEpisode {
  const kind = chooseEpisodeKind(options.policy, options.seed, index);
  return recordEpisode(sim, { seed: kind.seed, steps: options.steps, policy: kind.policy, start: kind.start, maxnorm: options.maxnorm });
}

/** Generates and writes a dataset; throws (before writing anything) for impossible options. */
export function writeSimDataset(options: SimDatasetOptions): SimDatasetSummary {
  const { out, episodes, steps, onProgress } = options;
  const { size, supersample, views, seed, policy, maxnorm, config } = simDatasetSettings(options);
  checkSimDatasetOptions(options);
  const frameBytes = size * size * views * 3;
  const totalBytes = episodes * steps * frameBytes;
  const started = performance.now();
  const sim = new TabletopSim({ size, supersample, config, views });
  const frames = new Uint8Array(totalBytes); // [E, T, H, W, 3]
  const states = new Float32Array(episodes * steps * 7); // [E, T, 7]
  const actions = new Float32Array(episodes * (steps - 1) * 7); // [E, T−1, 7]
  const perEpisode: Array<{ seed: number; policy: SimPolicyName; start: SimEpisodeStart; task: string; grasps: number; releases: number }> = [];
  const counts: Record<string, number> = {};
  let episodesWithGrasp = 0;
  for (let e = 0; e < episodes; e++) {
    const ep = recordDatasetEpisode(sim, { seed, policy, steps, maxnorm }, e);
    ep.steps.forEach((s, t) => {
      frames.set(s.image.data, (e * steps + t) * frameBytes);
      states.set(s.state, (e * steps + t) * 7);
      if (s.action !== null) actions.set(s.action, (e * (steps - 1) + t) * 7);
    });
    const key = `${ep.policy}/${ep.start}`;
    counts[key] = (counts[key] ?? 0) + 1;
    if (ep.grasps > 0) episodesWithGrasp++;
    perEpisode.push({ seed: ep.seed, policy: ep.policy, start: ep.start, task: ep.task, grasps: ep.grasps, releases: ep.releases });
    onProgress?.(e + 1, episodes);
  }
  fs.mkdirSync(out, { recursive: true });
  const files = ["frames.npy", "states.npy", "actions.npy", "meta.json"].map((f) => path.join(out, f));
  writeNpy(files[0], { dtype: "uint8", shape: [episodes, steps, size, size * views, 3], data: frames });
  writeNpy(files[1], { dtype: "float32", shape: [episodes, steps, 7], data: states });
  writeNpy(files[2], { dtype: "float32", shape: [episodes, steps - 1, 7], data: actions });
  const meta = {
    generator: "vjepa2-mpc sim",
    generator_version: SIM_GENERATOR_VERSION,
    seed,
    episodes,
    steps,
    image_size: [size, size],
    views,
    supersample,
    step_duration_s: config.stepDuration,
    maxnorm_m: maxnorm,
    policy_mix: policy,
    policy_mix_weights: POLICY_MIX_WEIGHTS[policy],
    arrays: {
      frames: {
        file: "frames.npy",
        dtype: "uint8",
        shape: [episodes, steps, size, size * views, 3],
        layout: `RGB, row-major, top row first${views > 1 ? `; ${views} views of ${size} × ${size} px side by side, left to right as in cameras` : ""}`,
      },
      states: { file: "states.npy", dtype: "float32", shape: [episodes, steps, 7], fields: ["x", "y", "z", "roll", "pitch", "yaw", "gripper"] },
      actions: {
        file: "actions.npy",
        dtype: "float32",
        shape: [episodes, steps - 1, 7],
        fields: ["dx", "dy", "dz", "droll", "dpitch", "dyaw", "dgripper"],
        definition: "posesToDiff(states[:, t], states[:, t+1])",
      },
    },
    convention: "DROID: flange position (m) in the robot base frame, extrinsic 'xyz' Euler angles (rad), gripper closedness 0 (open)..1",
    workspace: config.workspace,
    camera: config.camera,
    cameras: simCameras(config, views),
    scene: {
      table: config.table,
      object_area: config.objectArea,
      cube_size_m: config.cubeSize,
      fingertip_offset_m: config.fingertipOffset,
      max_finger_gap_m: config.maxFingerGap,
      grasp_radius_m: config.graspRadius,
      down_orientation: config.downOrientation,
      lock_orientation: config.lockOrientation,
      reach_tolerance_m: REACH_TOLERANCE,
      place_tolerance_m: PLACE_TOLERANCE,
    },
    counts,
    episodes_with_grasp: episodesWithGrasp,
    episode_info: perEpisode,
  };
  const metaTmp = `${files[3]}.tmp-${process.pid}`;
  fs.writeFileSync(metaTmp, `${JSON.stringify(meta, null, 2)}\n`);
  fs.renameSync(metaTmp, files[3]);
  return { out, episodes, steps, size, views, counts, episodesWithGrasp, files, elapsedMs: performance.now() - started };
}
