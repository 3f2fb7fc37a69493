/**
 * Calibrating SetGoal's energy threshold for a model on the simulator: render the arm at random points
 * near reach goals, encode each render and its goal image, and relate the energy (latent L1) to the true
 * distance. A threshold is safe when every frame whose energy falls below it lies within a tolerance of its
 * goal pose, since the planner stops and holds there. The threshold depends on the encoder alone, so this
 * is rerun whenever the encoder changes.
 */
import { latentL1 } from "../worldmodel/latentDistance";
import { createSimRandom, deriveSeed, TabletopSim } from "../sim";
import { imagesToBatch } from "../worldmodel/imageInput";
import type { PreprocessOptions, RawImage } from "../worldmodel/preprocess";
import type { WorldModel } from "../worldmodel/WorldModel";

/**
 * Defaults of a calibration. 6000 renders (~20 s on 2 cores): 600 within 4.5 cm missed the frames 2-3 cm
 * off with the lowest energies.
 */
export const GOAL_ENERGY_CALIBRATION_DEFAULTS = { goals: 200, rendersPerGoal: 30, radius: 0.035, tolerance: 0.015, seed: 800_000 } as const;

export interface GoalEnergyCalibrationOptions {
  model: WorldModel;
  preprocess: PreprocessOptions;
  /** Reach goals (scenes) to sample (default 200). */
  goals?: number;
  /** Renders per goal (default 30). */
  rendersPerGoal?: number;
  /** Renders lie uniformly in a ball of this radius around the goal pose (m; default 0.035: the frames that matter lie 1.5-3.5 cm off). */
  radius?: number;
  /** A safe threshold keeps every frame below it within this distance of its goal pose (m; default 0.015). */
  tolerance?: number;
  /** Seed of the scenes and offsets (default 800000). */
  seed?: number;
}

/** One render: its distance to the goal pose (m, after the workspace clamp) and its energy to the goal image. */
export interface CalibrationSample {
  distance: number;
  energy: number;
}

export interface GoalEnergyCalibration {
  samples: CalibrationSample[];
  /**
   * The largest threshold that keeps every sample below it within `tolerance`: the energy of the
   * lowest-energy sample farther than that (Infinity when none is).
   */
  safeThreshold: number;
}

/** Frames below `threshold`, the farthest of them (m), and the share of frames within `near` (m) that are below it. */
export function thresholdRow(
  samples: readonly CalibrationSample[],
  threshold: number,
  near = 0.02,
): { threshold: number; below: number; maxDistance: number; recallNear: number } {
  const below = samples.filter((s) => s.energy < threshold);
  const close = samples.filter((s) => s.distance < near);
  return {
    threshold,
    below: below.length,
    maxDistance: below.reduce((m, s) => Math.max(m, s.distance), 0),
    recallNear: close.length === 0 ? 0 : close.filter((s) => s.energy < threshold).length / close.length,
  };
}

/** The largest threshold whose frames below it all lie within `tolerance` of their goal. */
export function safeThresholdOf(samples: readonly CalibrationSample[], tolerance: number): number {
  return samples.reduce((m, s) => (s.distance > tolerance && s.energy < m ? s.energy : m), Infinity);
}

/**
 * Samples renders near reach goals and their energies. Deterministic for the options.
 * @throws Error for non-positive counts, radius or tolerance, or a non-finite energy
 */
export async function calibrateGoalEnergy(o: GoalEnergyCalibrationOptions): Promise<GoalEnergyCalibration> {
  const d = GOAL_ENERGY_CALIBRATION_DEFAULTS;
  const { model, preprocess, goals = d.goals, rendersPerGoal = d.rendersPerGoal, radius = d.radius, tolerance = d.tolerance, seed = d.seed } = o;
  if (!Number.isInteger(goals) || goals < 1 || !Number.isInteger(rendersPerGoal) || rendersPerGoal < 1) {
    throw new Error(`goals and renders per goal must be integers ≥ 1, got ${goals} and ${rendersPerGoal}`);
  }
  if (!(radius > 0) || !(tolerance > 0)) throw new Error(`radius and tolerance must be > 0 m, got ${radius} and ${tolerance}`);
  // One encoder call per goal: the goal image and its renders in a batch.
  const encode = async (images: RawImage[]): Promise<Float32Array> => (await model.encode(imagesToBatch(images, preprocess))).data;
  const { tokensPerFrame, embedDim } = model.info;
  const frameSize = tokensPerFrame * embedDim;
  const sim = new TabletopSim({ size: model.info.imageSize, views: model.info.views });
  const rng = createSimRandom(seed);
  const samples: CalibrationSample[] = [];
  for (let g = 0; g < goals; g++) {
    const scene = deriveSeed(seed, g);
    const reset = sim.reset(scene, "reach", { renderGoals: true });
    const goal = reset.goals[reset.goals.length - 1];
    if (goal.image === undefined) throw new Error("the simulator rendered no goal image");
    const renders: Array<{ image: RawImage; distance: number }> = [];
    for (let k = 0; k < rendersPerGoal; k++) {
      let offset: number[];
      do offset = [0, 1, 2].map(() => rng.range(-radius, radius));
      while (Math.hypot(offset[0], offset[1], offset[2]) > radius);
      const at = sim.reset(scene, "reach", { eePosition: [0, 1, 2].map((a) => goal.pose[a] + offset[a]), renderGoals: false });
      renders.push({ image: at.image, distance: Math.hypot(at.state[0] - goal.pose[0], at.state[1] - goal.pose[1], at.state[2] - goal.pose[2]) });
    }
    const latents = await encode([goal.image, ...renders.map((r) => r.image)]);
    const goalLatent = latents.subarray(0, frameSize);
    renders.forEach((r, k) => {
      const energy = latentL1(latents.subarray((k + 1) * frameSize, (k + 2) * frameSize), goalLatent);
      // A NaN would compare false against every threshold and pass as "safe".
      if (!Number.isFinite(energy))
        throw new Error(`the model gave a non-finite energy (${energy}) for render ${k} of goal ${g}: its encoder output is not usable`);
      samples.push({ distance: r.distance, energy });
    });
  }
  return { samples, safeThreshold: safeThresholdOf(samples, tolerance) };
}
