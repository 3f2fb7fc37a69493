/**
 * Episodes: a seeded rollout of a data-collection policy in the simulator, as the list of steps
 * {t, image, state, action} that the dataset writer (and a bag writer) consume.
 *
 * The recorded action is not the policy's command but `posesToDiff(state[t], state[t+1])`, the way
 * upstream derives DROID actions from recorded states; it differs from the command where the
 * workspace clamp or the gripper limits cut a step short. The last step has no action.
 */
import { posesToDiff } from "../pose/poseMath";
import type { RawImage } from "../worldmodel/preprocess";
import {
  createRandomWalkPolicy,
  createScriptedFineApproachPolicy,
  createScriptedGraspPlayPolicy,
  createScriptedPickPlacePolicy,
  createScriptedReachPolicy,
  type SimPolicy,
} from "./simPolicies";
import { createSimRandom, deriveSeed, type SimRandom } from "./simRandom";
import type { SimGoal, SimTask, TabletopSim } from "./TabletopSim";

/** Which policy drives an episode. */
export type SimPolicyName = "random" | "scripted_reach" | "scripted_fine_approach" | "scripted_pick_place" | "scripted_grasp_play";

/** Which mixture of policies a dataset draws episodes from. */
export type SimPolicyMix = "mixed" | "grasp_rich" | "random" | "scripted";

/** The mixtures, for option parsing. */
export const SIM_POLICY_MIXES: readonly SimPolicyMix[] = ["mixed", "grasp_rich", "random", "scripted"];

/** How an episode starts: anywhere, hovering just over the cube, or holding it. */
export type SimEpisodeStart = "random" | "near_cube" | "holding";

/** Probability of each (policy, start) pair in each mixture. */
export const POLICY_MIX_WEIGHTS: Record<SimPolicyMix, ReadonlyArray<{ policy: SimPolicyName; start: SimEpisodeStart; weight: number }>> = {
  mixed: [
    { policy: "random", start: "random", weight: 0.2 },
    { policy: "random", start: "near_cube", weight: 0.1 },
    { policy: "scripted_reach", start: "random", weight: 0.1 },
    { policy: "scripted_fine_approach", start: "random", weight: 0.25 },
    { policy: "scripted_pick_place", start: "random", weight: 0.1 },
    { policy: "scripted_pick_place", start: "near_cube", weight: 0.15 },
    { policy: "scripted_pick_place", start: "holding", weight: 0.1 },
  ],
  // The mixed policies with a fifth of the episodes given to grasp play (closes on and beside the cube, drops from heights).
  grasp_rich: [
    { policy: "random", start: "random", weight: 0.15 },
    { policy: "random", start: "near_cube", weight: 0.05 },
    { policy: "scripted_reach", start: "random", weight: 0.1 },
    { policy: "scripted_fine_approach", start: "random", weight: 0.2 },
    { policy: "scripted_pick_place", start: "random", weight: 0.1 },
    { policy: "scripted_pick_place", start: "near_cube", weight: 0.1 },
    { policy: "scripted_pick_place", start: "holding", weight: 0.1 },
    { policy: "scripted_grasp_play", start: "near_cube", weight: 0.12 },
    { policy: "scripted_grasp_play", start: "holding", weight: 0.08 },
  ],
  random: [
    { policy: "random", start: "random", weight: 0.7 },
    { policy: "random", start: "near_cube", weight: 0.3 },
  ],
  scripted: [
    { policy: "scripted_reach", start: "random", weight: 0.2 },
    { policy: "scripted_fine_approach", start: "random", weight: 0.2 },
    { policy: "scripted_pick_place", start: "random", weight: 0.2 },
    { policy: "scripted_pick_place", start: "near_cube", weight: 0.2 },
    { policy: "scripted_pick_place", start: "holding", weight: 0.2 },
  ],
};

/** One recorded step. */
export interface SimStep {
  /** Step index from 0. */
  index: number;
  /** Time since the episode start (s): index · stepDuration. */
  t: number;
  /** Camera image (rgb8, size × size). */
  image: RawImage;
  /** [x, y, z, roll, pitch, yaw, gripper] at this step. */
  state: number[];
  /** posesToDiff(state, next state); null on the last step. */
  action: number[] | null;
}

/** A recorded episode. */
export interface SimEpisode {
  /** Seed of the episode (scene, goals and policy). */
  seed: number;
  task: SimTask;
  policy: SimPolicyName;
  start: SimEpisodeStart;
  /** The task's goals (images only when asked for). */
  goals: SimGoal[];
  steps: SimStep[];
  /** Steps in which the cube was grasped / released. */
  grasps: number;
  releases: number;
}

/** What to record. */
export interface EpisodeSpec {
  seed: number;
  /** Number of frames T ≥ 1 (T − 1 actions). */
  steps: number;
  policy: SimPolicyName;
  start?: SimEpisodeStart;
  /** Render goal images too (default false). */
  renderGoals?: boolean;
  /** Bound of |dx|, |dy|, |dz| per step (m); 0.075 by default. */
  maxnorm?: number;
}

/** Draws the (policy, start) pair of episode `index` of a dataset seeded with `seed`. */
export function chooseEpisodeKind(mix: SimPolicyMix, seed: number, index: number): { seed: number; policy: SimPolicyName; start: SimEpisodeStart } {
  const weights = POLICY_MIX_WEIGHTS[mix];
  if (weights === undefined) throw new Error(`unknown policy mix '${String(mix)}' (expected ${SIM_POLICY_MIXES.join(", ")})`);
  const episodeSeed = deriveSeed(seed, index);
  const u = createSimRandom(deriveSeed(episodeSeed, 0x6b696e64)).uniform();
  let acc = 0;
  for (const w of weights) {
    acc += w.weight;
    if (u < acc) return { seed: episodeSeed, policy: w.policy, start: w.start };
  }
  const last = weights[weights.length - 1];
  return { seed: episodeSeed, policy: last.policy, start: last.start };
}

function createPolicy(name: SimPolicyName, rng: SimRandom, sim: TabletopSim, maxnorm: number): SimPolicy {
  switch (name) {
    case "random":
      return createRandomWalkPolicy(rng, sim.config, { maxnorm });
    case "scripted_reach":
      return createScriptedReachPolicy(rng, sim.config, { maxnorm });
    case "scripted_fine_approach":
      return createScriptedFineApproachPolicy(rng, sim.config, { maxnorm });
    case "scripted_pick_place":
      return createScriptedPickPlacePolicy(rng, sim.config, { grasp: sim.graspHeight, lift: sim.liftHeight }, { maxnorm });
    case "scripted_grasp_play":
      return createScriptedGraspPlayPolicy(rng, sim.config, { grasp: sim.graspHeight, lift: sim.liftHeight }, { maxnorm });
    default:
      throw new Error(`unknown sim policy '${String(name)}'`);
  }
}

/**
 * Records one episode in `sim` (which it resets). Deterministic for the spec.
 * @throws Error for steps < 1 or an unknown policy
 */
export function recordEpisode(sim: TabletopSim, spec: EpisodeSpec): SimEpisode {
  const { seed, steps, policy, start = "random", renderGoals = false, maxnorm = 0.075 } = spec;
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`episode steps must be a positive integer, got ${steps}`);
  const task: SimTask = policy === "scripted_pick_place" || policy === "scripted_grasp_play" ? "pick_place" : "reach";
  const rng = createSimRandom(deriveSeed(seed, 0x706f6c));
  const startRng = createSimRandom(deriveSeed(seed, 0x737461));
  // Sample the scene first (the cube position is needed for the near-cube start).
  sim.reset(seed, task, { renderGoals: false, renderObservation: false });
  const cube = sim.cubePosition;
  let reset;
  if (start === "near_cube") {
    const eePosition = [cube[0] + startRng.range(-0.04, 0.04), cube[1] + startRng.range(-0.04, 0.04), sim.graspHeight + startRng.range(0, 0.1)];
    reset = sim.reset(seed, task, { eePosition, renderGoals });
  } else if (start === "holding") {
    reset = sim.reset(seed, task, { holding: true, eePosition: [cube[0], cube[1], sim.graspHeight + startRng.range(0, 0.12)], renderGoals });
  } else {
    reset = sim.reset(seed, task, { renderGoals, gripper: policy === "random" && startRng.chance(0.3) ? 1 : 0 });
  }
  const act = createPolicy(policy, rng, sim, maxnorm);
  const dt = sim.config.stepDuration;
  const recorded: SimStep[] = [{ index: 0, t: 0, image: reset.image, state: reset.state, action: null }];
  let grasps = 0;
  let releases = 0;
  for (let i = 1; i < steps; i++) {
    const command = act({ state: sim.state, cube: sim.cubePosition, cubeHeld: sim.cubeHeld, placeTarget: sim.placeTarget });
    const r = sim.step(command);
    if (r.grasped) grasps++;
    if (r.released) releases++;
    recorded[i - 1].action = posesToDiff(recorded[i - 1].state, r.state);
    recorded.push({ index: i, t: i * dt, image: r.image, state: r.state, action: null });
  }
  return { seed, task, policy, start, goals: reset.goals, steps: recorded, grasps, releases };
}
