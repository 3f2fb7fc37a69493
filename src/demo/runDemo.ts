/**
 * The embedded demo: the three nodes in-process against the tabletop simulator. Each episode resets the
 * scene, sets the goal (or the pick-and-place sub-goal) images through the SetGoal service, lets the
 * planner drive the simulated arm in blocking mode (plan, execute, settle) until the schedule is done,
 * and scores it with the simulator's own success check.
 */
import { imageMessage } from "../bag/imageMessages";
import type { Summary } from "../stats";
import { summarise } from "../stats";
import type { Config } from "../config/parameters";
import { silentLogger, type Logger } from "../log";
import { posesToDiff } from "../pose/poseMath";
import { InProcessPipeline } from "../nodes/InProcessPipeline";
import type { PlanStatusMsg } from "../nodes/messages";
import { NODE_TOPICS } from "../nodes/topics";
import { deriveSeed, TabletopSim, type PickPlaceGoals, type SimTask } from "../sim";
import type { PreprocessOptions, RawImage } from "../worldmodel/preprocess";
import type { WorldModel } from "../worldmodel/WorldModel";

export interface DemoOptions {
  model: WorldModel;
  config: Config;
  task: SimTask;
  episodes: number;
  /** Base seed; episode e uses a seed derived from (seed, e). */
  seed: number;
  preprocess: PreprocessOptions;
  /** Simulator image size in pixels (default: the model's input size). */
  simSize?: number;
  /** Planning steps per goal (reach: one goal; pick_place: one per image of `pickPlaceGoals`). */
  stepBudgets: { reach: number[]; pick_place: number[] };
  /** pick_place's sub-goal images (default "paper": grasp, lift, place; see PickPlaceGoals). */
  pickPlaceGoals?: PickPlaceGoals;
  /**
   * Sub-goal images on the straight line to a far first goal (reach: the goal; pick_place: the grasp),
   * at most `spacing` m apart, each with `budget` planning steps, before it (absent or spacing 0: none).
   * Success is judged as without them.
   */
  approachSubgoals?: { spacing: number; budget: number };
  /**
   * pick_place: sub-goal images of the cube held at lift height on the line from above the cube to above
   * the target, at most `spacing` m apart, each with `budget` planning steps, right after lift (absent or
   * spacing 0: none).
   */
  carrySubgoals?: { spacing: number; budget: number };
  /**
   * SetGoal's energy threshold: a goal counts as reached, and the arm holds, once the current frame's
   * energy to it is below this (0: step budgets only, as the paper).
   */
  energyThreshold?: number;
  /** Camera period in simulated seconds. */
  cameraPeriod?: number;
  /** Images the model sees, for a state of the simulator (default: the simulator's render). Tests swap it. */
  view?: (sim: TabletopSim) => RawImage;
  /** Goal images (default: the simulator's goal renders). */
  goalView?: (sim: TabletopSim, goalIndex: number) => RawImage;
  onEpisode?: (result: EpisodeResult, index: number) => void;
  /** After every planning status of episode `index`: steps executed so far and the distance to the target (m). */
  onStep?: (index: number, progress: { steps: number; distance: number }) => void;
  log?: Logger;
}

/** What happened in one episode. */
export interface EpisodeResult {
  seed: number;
  task: SimTask;
  success: boolean;
  /** Planning steps taken (actions executed). */
  steps: number;
  /** Distance of the end-effector (reach) or cube (pick_place) to its target at the end (m). */
  finalDistance: number;
  /** End-effector positions: start, then after each executed step (m). */
  path: number[][];
  /** Planning latency per step (ms). */
  latencyMs: number[];
  /** Energy of the current frame to the goal pursued, at each planning status (aligned with `path[1..]`; NaN: unknown). */
  energies: number[];
  /** Distance to the target (as `finalDistance`) at each planning status, aligned with `energies` (m). */
  distances: number[];
  /** pick_place: the cube was held at some point (false for reach). */
  grasped: boolean;
  /** pick_place: the cube was held at least LIFT_HEIGHT above the table at some point (false for reach). */
  lifted: boolean;
  /** Outcome of each goal (reached, budget_exhausted, …) as the planner reported it. */
  goalsReached: number;
  /** First frame, goal images, last frame (for the pictures). */
  start: RawImage;
  goals: RawImage[];
  /** What each goal image shows, as the simulator names it ("sub-goal 1/2", "reach", "grasp", "lift", "place"). */
  goalLabels: string[];
  final: RawImage;
  /** Simulated seconds the episode took. */
  simSeconds: number;
}

/** How high (m) a held cube's bottom must rise above the table for an episode to count as lifted. */
export const LIFT_HEIGHT = 0.05;

/** Whether the simulator's cube is held now, and held with its bottom at least LIFT_HEIGHT above the table. */
export function cubeMilestones(sim: TabletopSim): { held: boolean; lifted: boolean } {
  const held = sim.cubeHeld;
  return { held, lifted: held && sim.cubePosition[2] - sim.config.cubeSize / 2 >= LIFT_HEIGHT };
}

export interface DemoSummary {
  task: SimTask;
  episodes: number;
  successes: number;
  successRate: number;
  /** pick_place: share of episodes that grasped / lifted the cube (null for reach). */
  graspRate: number | null;
  liftRate: number | null;
  meanSteps: number;
  meanFinalDistance: number;
  latencyMs: Summary | null;
}

/** The demo's configuration: the user's, with the actuator box set to the simulator's workspace. */
export function demoConfig(config: Config, sim: TabletopSim): Config {
  const ws = sim.config.workspace;
  return {
    ...config,
    planner: { ...config.planner, mode: "blocking" },
    actuator: { ...config.actuator, workspace_min: [...ws.min], workspace_max: [...ws.max], workspace_point: "flange", state_is_tcp: false },
  };
}

/** Runs one episode (`index` only labels progress callbacks). */
export async function runEpisode(o: DemoOptions, seed: number, index = 0): Promise<EpisodeResult> {
  const sim = new TabletopSim({ size: o.simSize ?? o.preprocess.size, views: o.preprocess.views ?? 1 });
  const reset = sim.reset(seed, o.task, {
    renderGoals: true,
    approachSubgoalSpacing: o.approachSubgoals?.spacing ?? 0,
    carrySubgoalSpacing: o.carrySubgoals?.spacing ?? 0,
    pickPlaceGoals: o.pickPlaceGoals,
  });
  const view = o.view ?? ((s: TabletopSim) => s.observe().image);
  const goalView = o.goalView ?? ((s: TabletopSim, i: number) => s.goals[i].image as RawImage);
  const start = view(sim);
  const goals = reset.goals.map((_, i) => goalView(sim, i));
  // Sub-goals get their kind's budget; the task's budgets cover its own goals, in order.
  const taskGoals = reset.goals.filter((g) => g.subgoal === null).length;
  const taskBudgets = o.stepBudgets[o.task];
  if (taskBudgets.length !== taskGoals) throw new Error(`${o.task} has ${taskGoals} goals but ${taskBudgets.length} step budgets`);
  let next = 0;
  const subgoalBudget = { approach: o.approachSubgoals?.budget ?? 0, carry: o.carrySubgoals?.budget ?? 0 };
  const budgets = reset.goals.map((g) => (g.subgoal === null ? taskBudgets[next++] : subgoalBudget[g.subgoal]));
  const config = demoConfig(o.config, sim);
  let grasped = false;
  let lifted = false;
  const pipeline = new InProcessPipeline({
    config,
    model: o.model,
    preprocess: o.preprocess,
    log: o.log ?? silentLogger,
    simulation: {
      initialState: reset.state,
      cameraPeriod: o.cameraPeriod ?? 0.1,
      // The arm follows the actuator's targets; the simulator follows the arm (grasping included).
      render: (state) => {
        sim.step(posesToDiff(sim.state, state), false);
        const cube = cubeMilestones(sim);
        grasped ||= cube.held;
        lifted ||= cube.lifted;
        return view(sim);
      },
    },
  });
  const statuses: PlanStatusMsg[] = [];
  const path: number[][] = [sim.state.slice(0, 3)];
  const distances: number[] = [];
  let stepsPlanned = 0;
  let finished = false; // DONE or ERROR: the schedule is over
  pipeline.bus.subscribe(NODE_TOPICS.planStatus, "vjepa2_mpc_interfaces/msg/PlanStatus", (m) => {
    const status = m as PlanStatusMsg;
    statuses.push(status);
    path.push(sim.state.slice(0, 3));
    const distance = sim.distanceToTarget();
    distances.push(distance);
    if (status.code === 0) stepsPlanned++;
    if (status.code === 2 || status.code === 4) finished = true;
    o.onStep?.(index, { steps: stepsPlanned, distance });
  });
  pipeline.start();
  try {
    await pipeline.advance(0.3);
    const r = await pipeline.setGoal({
      images: goals.map((g) => imageMessage({ stamp: { sec: 0, nanosec: 0 }, frame_id: "camera" }, g)),
      step_budgets: budgets,
      energy_threshold: o.energyThreshold ?? 0,
    });
    if (!r.success) throw new Error(`SetGoal failed: ${r.message}`);
    // Enough simulated time for every step to plan, move and settle; stop early once the schedule is done.
    const limit = budgets.reduce((a, b) => a + b, 0) * (config.planner.settle_timeout + 1) + 5;
    while (pipeline.clock.now() < limit && !finished) await pipeline.advance(0.5);
    await pipeline.advance(0.5); // let the last motion finish
  } finally {
    await pipeline.stop();
  }
  const planned = statuses.filter((s) => s.code === 0);
  const last = statuses.at(-1);
  return {
    seed,
    task: o.task,
    success: sim.success(),
    steps: planned.length,
    finalDistance: sim.distanceToTarget(),
    path,
    latencyMs: planned.map((s) => s.latency_ms),
    energies: statuses.map((s) => s.current_energy),
    distances,
    grasped: o.task === "pick_place" && grasped,
    lifted: o.task === "pick_place" && lifted,
    goalsReached: last === undefined ? 0 : last.goal_index,
    start,
    goals,
    goalLabels: reset.goals.map((g) => g.label),
    final: view(sim),
    simSeconds: pipeline.clock.now(),
  };
}

/** Runs every episode in turn and summarises them. */
export async function runDemo(o: DemoOptions): Promise<{ summary: DemoSummary; episodes: EpisodeResult[] }> {
  if (!Number.isInteger(o.episodes) || o.episodes < 1) throw new Error(`episodes must be an integer ≥ 1, got ${o.episodes}`);
  const episodes: EpisodeResult[] = [];
  for (let e = 0; e < o.episodes; e++) {
    const result = await runEpisode(o, deriveSeed(o.seed, e), e);
    episodes.push(result);
    o.onEpisode?.(result, e);
  }
  const successes = episodes.filter((e) => e.success).length;
  const latencies = episodes.flatMap((e) => e.latencyMs);
  return {
    summary: {
      task: o.task,
      episodes: episodes.length,
      successes,
      successRate: successes / episodes.length,
      graspRate: o.task === "pick_place" ? episodes.filter((e) => e.grasped).length / episodes.length : null,
      liftRate: o.task === "pick_place" ? episodes.filter((e) => e.lifted).length / episodes.length : null,
      meanSteps: episodes.reduce((a, e) => a + e.steps, 0) / episodes.length,
      meanFinalDistance: episodes.reduce((a, e) => a + e.finalDistance, 0) / episodes.length,
      latencyMs: latencies.length > 0 ? summarise(latencies) : null,
    },
    episodes,
  };
}
