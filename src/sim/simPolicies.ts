/**
 * Data-collection policies for the simulator: a smooth random walk (covers the workspace and, with
 * gripper toggles near the cube, accidental grasps) and scripted reach and pick-and-place motions
 * (cover the grasp, the carry and the release on purpose), and a fine approach (small, homing and
 * single-axis moves, what the planner makes near a goal). Each returns DROID deltas
 * [dx, dy, dz, 0, 0, 0, dgripper] with |dx|, |dy|, |dz| ≤ maxnorm, the bound the planner samples in.
 * Policies are stateful closures over their own seeded random stream.
 */
import type { SimConfig, Vec3 } from "./simConfig";
import type { SimRandom } from "./simRandom";

/** What a policy sees each step (privileged simulator state, not the image). */
export interface PolicyInput {
  /** Flange pose [x, y, z, roll, pitch, yaw, gripper]. */
  state: readonly number[];
  /** Cube centre (m). */
  cube: Vec3;
  cubeHeld: boolean;
  /** Place location x, y (m). */
  placeTarget: readonly [number, number];
}

/** A data-collection policy: the next action for an input. */
export type SimPolicy = (input: PolicyInput) => number[];

/** Options shared by the policies. */
export interface PolicyOptions {
  /** Bound of |dx|, |dy|, |dz| per step (m); 0.075 as in the paper. */
  maxnorm?: number;
}

function clip(v: number, bound: number): number {
  return v < -bound ? -bound : v > bound ? bound : v;
}

/**
 * Smooth random walk: a velocity that is an AR(1) process (momentum 0.6, per-axis noise of
 * 0.6·maxnorm), clipped to ±maxnorm, turned back at the workspace walls most of the time; the gripper
 * toggles open/closed with probability `toggleProbability` per step (one step in five to a random
 * closedness instead).
 */
export function createRandomWalkPolicy(
  rng: SimRandom,
  config: SimConfig,
  { maxnorm = 0.075, toggleProbability = 0.15 }: PolicyOptions & { toggleProbability?: number } = {},
): SimPolicy {
  const speed = rng.range(0.5, 1.2);
  const velocity = [0, 1, 2].map(() => clip(rng.normal() * 0.6 * maxnorm * speed, maxnorm));
  const ws = config.workspace;
  return ({ state }) => {
    const action = [0, 0, 0, 0, 0, 0, 0];
    for (let a = 0; a < 3; a++) {
      velocity[a] = clip(0.6 * velocity[a] + rng.normal() * 0.6 * maxnorm * speed, maxnorm);
      const next = state[a] + velocity[a];
      if ((next < ws.min[a] || next > ws.max[a]) && rng.chance(0.8)) velocity[a] = -velocity[a];
      action[a] = velocity[a];
    }
    if (rng.chance(toggleProbability)) {
      const target = rng.chance(0.2) ? rng.uniform() : state[6] > 0.5 ? 0 : 1;
      action[6] = target - state[6];
    }
    return action;
  };
}

/** `v` clamped to the workspace along axis `a`. */
function insideWorkspace(ws: SimConfig["workspace"], a: number, v: number): number {
  return Math.min(ws.max[a], Math.max(ws.min[a], v));
}

/** A bounded step towards a target position with a little noise (σ = noise m per axis). */
function stepTowards(rng: SimRandom, state: readonly number[], target: ArrayLike<number>, bound: number, noise: number): number[] {
  const action = [0, 0, 0, 0, 0, 0, 0];
  for (let a = 0; a < 3; a++) action[a] = clip(target[a] - state[a] + rng.normal() * noise, bound);
  return action;
}

function distance(state: readonly number[], target: ArrayLike<number>): number {
  return Math.hypot(state[0] - target[0], state[1] - target[1], state[2] - target[2]);
}

/**
 * Scripted reaching: straight, bounded steps to a random target in the workspace at a per-episode
 * speed (0.4..1 · maxnorm), a new target on arrival; the gripper is left alone, but occasionally
 * toggles so reaching is also seen with either state.
 */
export function createScriptedReachPolicy(rng: SimRandom, config: SimConfig, { maxnorm = 0.075 }: PolicyOptions = {}): SimPolicy {
  const ws = config.workspace;
  const bound = maxnorm * rng.range(0.4, 1);
  const newTarget = (): number[] => [0, 1, 2].map((a) => rng.range(ws.min[a], ws.max[a]));
  let target = newTarget();
  return ({ state }) => {
    if (distance(state, target) < 0.01) target = newTarget();
    const action = stepTowards(rng, state, target, bound, 0.003);
    if (rng.chance(0.05)) action[6] = (state[6] > 0.5 ? 0 : 1) - state[6];
    return action;
  };
}

/**
 * Scripted fine approach: what the planner does in the last centimetres, which the other policies rarely
 * show. A proportional controller (gain 0.3..0.9 per episode) homes in on a target, so the steps shrink
 * towards it and sometimes overshoot; new targets are often close by (within ±6 cm per axis); one step
 * in six is a probe along a single axis (often z, the direction a single image resolves worst) and one
 * in ten a near-zero move. The gripper stays as it starts, bar a rare toggle.
 */
export function createScriptedFineApproachPolicy(rng: SimRandom, config: SimConfig, { maxnorm = 0.075 }: PolicyOptions = {}): SimPolicy {
  const ws = config.workspace;
  const gain = rng.range(0.3, 0.9);
  const inside = (a: number, v: number): number => insideWorkspace(ws, a, v);
  const newTarget = (state: readonly number[]): number[] =>
    rng.chance(0.6) ? [0, 1, 2].map((a) => inside(a, state[a] + rng.range(-0.06, 0.06))) : [0, 1, 2].map((a) => rng.range(ws.min[a], ws.max[a]));
  let target: number[] | null = null;
  return ({ state }) => {
    if (target === null || distance(state, target) < 0.008 || rng.chance(0.1)) target = newTarget(state);
    const action = [0, 0, 0, 0, 0, 0, 0];
    const u = rng.uniform();
    if (u < 1 / 6) {
      const axis = rng.chance(0.5) ? 2 : rng.chance(0.5) ? 0 : 1;
      action[axis] = clip(inside(axis, state[axis] + rng.normal() * 0.4 * maxnorm) - state[axis], maxnorm);
    } else if (u < 1 / 6 + 0.1) {
      for (let a = 0; a < 3; a++) action[a] = rng.normal() * 0.002;
    } else {
      for (let a = 0; a < 3; a++) action[a] = clip(gain * (target[a] - state[a]) + rng.normal() * 0.003, maxnorm);
    }
    if (rng.chance(0.03)) action[6] = (state[6] > 0.5 ? 0 : 1) - state[6];
    return action;
  };
}

type PickPhase = "approach" | "descend" | "close" | "lift" | "carry" | "lower" | "open" | "retreat" | "wander";

/**
 * Scripted pick-and-place, a small state machine driven by the simulator state: open and hover over
 * the cube → descend to the grasp height → close → lift → carry over the place location → lower →
 * open → retreat, then wander to random targets. A missed grasp goes back to the approach. Speed
 * varies per episode (0.6..1 · maxnorm) and the way-points get a few millimetres of noise.
 */
export function createScriptedPickPlacePolicy(
  rng: SimRandom,
  config: SimConfig,
  heights: { grasp: number; lift: number },
  { maxnorm = 0.075 }: PolicyOptions = {},
): SimPolicy {
  const ws = config.workspace;
  const bound = maxnorm * rng.range(0.6, 1);
  const hover = Math.min(ws.max[2], heights.grasp + 0.08);
  const jitter = (): number => rng.normal() * 0.004;
  let phase: PickPhase = "approach";
  let wanderTarget: number[] = [];
  return ({ state, cube, cubeHeld, placeTarget }) => {
    const open = state[6] <= 0.5;
    // Re-synchronise with the world: holding means carrying; losing the cube means approaching again.
    if (cubeHeld && (phase === "approach" || phase === "descend" || phase === "close")) phase = "lift";
    if (!cubeHeld && (phase === "lift" || phase === "carry" || phase === "lower")) phase = "approach";
    const grasp = [cube[0] + jitter(), cube[1] + jitter(), heights.grasp];
    switch (phase) {
      case "approach": {
        if (!open) return [0, 0, 0, 0, 0, 0, -state[6]];
        const target = [cube[0], cube[1], Math.max(state[2], hover)];
        if (Math.hypot(state[0] - cube[0], state[1] - cube[1]) < 0.012) phase = "descend";
        else return stepTowards(rng, state, target, bound, 0.002);
        return stepTowards(rng, state, grasp, bound, 0.002);
      }
      case "descend":
        if (distance(state, grasp) < 0.012) {
          phase = "close";
          return [0, 0, 0, 0, 0, 0, 1 - state[6]];
        }
        return stepTowards(rng, state, grasp, bound, 0.002);
      case "close":
        // Closed but nothing held: the grasp missed.
        phase = cubeHeld ? "lift" : "approach";
        return phase === "approach" ? [0, 0, 0, 0, 0, 0, -state[6]] : stepTowards(rng, state, [state[0], state[1], heights.lift], bound, 0.002);
      case "lift": {
        const target = [state[0], state[1], heights.lift];
        if (state[2] > heights.lift - 0.01) phase = "carry";
        else return stepTowards(rng, state, target, bound, 0.002);
        return stepTowards(rng, state, [placeTarget[0], placeTarget[1], heights.lift], bound, 0.002);
      }
      case "carry": {
        const target = [placeTarget[0], placeTarget[1], heights.lift];
        if (Math.hypot(state[0] - placeTarget[0], state[1] - placeTarget[1]) < 0.012) phase = "lower";
        else return stepTowards(rng, state, target, bound, 0.003);
        return stepTowards(rng, state, [placeTarget[0], placeTarget[1], heights.grasp], bound, 0.002);
      }
      case "lower": {
        const target = [placeTarget[0], placeTarget[1], heights.grasp + 0.005];
        if (distance(state, target) < 0.012) {
          phase = "open";
          return [0, 0, 0, 0, 0, 0, -state[6]];
        }
        return stepTowards(rng, state, target, bound, 0.002);
      }
      case "open":
        phase = "retreat";
        return stepTowards(rng, state, [state[0], state[1], hover], bound, 0.002);
      case "retreat":
        if (state[2] >= hover - 0.01) {
          phase = "wander";
          wanderTarget = [0, 1, 2].map((a) => rng.range(ws.min[a], ws.max[a]));
        }
        return stepTowards(rng, state, [state[0], state[1], hover], bound, 0.002);
      case "wander":
        if (distance(state, wanderTarget) < 0.01) wanderTarget = [0, 1, 2].map((a) => rng.range(ws.min[a], ws.max[a]));
        return stepTowards(rng, state, wanderTarget, bound, 0.003);
    }
  };
}

/**
 * Scripted grasp play: the gripper's effects, which the pick-and-place script shows only on its one
 * clean path. Around the cube, it moves to a spot near it (within the grasp radius two times in three,
 * else a few centimetres off, so some closes miss), then opens or closes in place; holding the cube it
 * lifts, carries and lowers it by random amounts and opens anywhere, from a few millimetres to 15 cm up
 * (so the cube is seen to drop where it is let go). Gripper steps never move the arm.
 */
export function createScriptedGraspPlayPolicy(
  rng: SimRandom,
  config: SimConfig,
  heights: { grasp: number; lift: number },
  { maxnorm = 0.075 }: PolicyOptions = {},
): SimPolicy {
  const ws = config.workspace;
  const bound = maxnorm * rng.range(0.5, 1);
  const inside = (a: number, v: number): number => insideWorkspace(ws, a, v);
  let target: number[] | null = null;
  let moves = 0;
  const toggle = (state: readonly number[]): number[] => {
    target = null;
    moves = 0;
    return [0, 0, 0, 0, 0, 0, (state[6] > 0.5 ? 0 : 1) - state[6]];
  };
  const nearCube = (cube: Vec3): number[] => {
    const r = rng.chance(2 / 3) ? rng.range(0, config.graspRadius * 0.8) : rng.range(config.graspRadius, 0.06);
    const angle = rng.range(0, 2 * Math.PI);
    const z = rng.chance(0.7) ? heights.grasp + rng.range(0, 0.01) : heights.grasp + rng.range(0.01, 0.08);
    return [inside(0, cube[0] + r * Math.cos(angle)), inside(1, cube[1] + r * Math.sin(angle)), inside(2, z)];
  };
  return ({ state, cube, cubeHeld }) => {
    if (cubeHeld) {
      // Holding: carry to random spots (up to the lift height), and after two moves open anywhere.
      if (moves >= 2 && rng.chance(0.3)) return toggle(state);
      if (target === null || distance(state, target) < 0.01) {
        target = [
          inside(0, state[0] + rng.range(-0.08, 0.08)),
          inside(1, state[1] + rng.range(-0.08, 0.08)),
          inside(2, heights.grasp + rng.range(0, heights.lift - heights.grasp)),
        ];
      }
      moves++;
      return stepTowards(rng, state, target, bound, 0.002);
    }
    // Not holding: usually open first if closed, then home in on a spot near the cube and toggle there.
    if (state[6] > 0.5 && rng.chance(0.65)) return toggle(state);
    target ??= nearCube(cube);
    if (distance(state, target) < 0.008 || moves > 4) return toggle(state);
    moves++;
    return stepTowards(rng, state, target, bound, 0.001);
  };
}
