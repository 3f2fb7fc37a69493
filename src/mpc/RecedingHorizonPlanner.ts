/**
 * Receding-horizon latent MPC: for each observation, score the current frame against the current goal,
 * advance the sub-goal schedule, plan with CEM over the world model, and return the first action.
 * One step function (`step`) that live ROS, bag replay, tests and the demo all drive.
 */
import { CEM_DEFAULTS, optimizerByName, warmStartFromPrevious, type CemDistribution, type OptimizerName, type OptimizerOptions } from "../cem";
import type { FloatTensor } from "../tensor/tensor";
import type { WorldModel } from "../worldmodel/WorldModel";
import { GoalSchedule, type Goal, type GoalOutcome } from "./GoalSchedule";
import { latentL1 } from "../worldmodel/latentDistance";
import { POSE_DIM } from "../pose/poseMath";

/** What the planner needs from one moment of the robot. */
export interface Observation {
  /** Embedding of the current camera frame [1, N, D] (layer-normed encoder tokens). */
  embedding: FloatTensor;
  /** Robot state [x, y, z, roll, pitch, yaw, gripper] (flange in base frame, m / rad, closedness 0..1). */
  state: ArrayLike<number>;
  /** Capture time of the frame (s, wall or sim clock). */
  stamp: number;
}

/** Planner settings beyond the CEM options. */
export interface PlannerSettings {
  /** Optimiser options (horizon, samples, …; iCEM's too); `seed` is the base seed, step k uses seed + k. */
  cem: Omit<OptimizerOptions, "warmStart" | "sampler" | "now" | "previousElites">;
  /** Which optimiser plans (OPTIMIZERS in src/cem); default cem, the paper's. */
  optimizer?: OptimizerName;
  /** Start each plan from the previous one shifted by a step (off: cold start, as upstream). */
  warmStart: boolean;
  /** Score the final plan with one extra rollout (S = 1) to report its predicted energy. */
  evaluatePlan: boolean;
  /**
   * When the last goal's budget runs out without reaching its threshold, move back to the robot state
   * whose frame had the lowest energy to that goal (translation and gripper, steps of at most maxnorm)
   * before reporting done. The model's minimum can sit a few cm off the true one, so the arm can pass
   * the goal and drift away; the encoder's energy of frames actually seen is the better judge.
   * false: stop where the budget ran out (upstream).
   */
  returnToBest?: boolean;
}

/** A return move ends within this distance of the best frame's position (m). */
export const RETURN_TOLERANCE_M = 0.005;
/** At most this many return moves (the actuator may not reach a target in one). */
export const RETURN_MAX_MOVES = 4;

/** Outcome of a planning step, as a status code (the control loop reports, it does not throw). */
export type PlanStatusCode =
  /** An action was planned. */
  | "planned"
  /** No goals are set. */
  | "idle"
  /** Every goal has been reached or has used its budget. */
  | "done"
  /** The observation was unusable (wrong shape, NaN); nothing was planned. */
  | "invalid_observation"
  /** The world model failed; nothing was planned. */
  | "error"
  /** The last goal's budget ran out; the action moves back to its lowest-energy frame (returnToBest). */
  | "returning"
  /** The goals were replaced or cleared while this step ran: its plan belongs to no schedule and is dropped. */
  | "discarded";

/** What the planner reports after each step (published as PlanStatus). */
export interface PlanStatus {
  code: PlanStatusCode;
  message: string;
  /** Planning steps taken since the goals were set. */
  planningStep: number;
  /** Index of the goal pursued (= goalCount when done). */
  goalIndex: number;
  goalCount: number;
  /** Steps spent on the current goal, including this one, and its budget. */
  stepAtGoal: number;
  stepBudget: number;
  /** Goals passed before planning this step (reached or out of budget). */
  goalsPassed: Array<{ index: number; outcome: GoalOutcome }>;
  /** Energy of the current frame to the current goal (mean |z_t − z_goal|). */
  currentEnergy: number | null;
  /** Predicted energy of the returned plan (null unless evaluatePlan). */
  plannedEnergy: number | null;
  /** Lowest sampled energy of each CEM iteration. */
  energyPerIteration: number[];
  /**
   * Where the step's time went (ms): `modelMs` inside ONNX Runtime, `energyWaitMs` awaiting world-model
   * calls (model time plus the thread hand-off), `optimiserMs` in CEM itself, `totalMs` for the step;
   * `modelCalls` graph runs, `modelEvaluations` predictor evaluations (sequences scored × horizon).
   */
  timings: { modelMs: number; energyWaitMs: number; optimiserMs: number; totalMs: number; modelCalls: number; modelEvaluations: number };
  /** Stamp of the observation this status is about (s). */
  stamp: number;
}

/** One planning step's result. */
export interface PlanStep {
  /** First action of the plan [dx, dy, dz, droll, dpitch, dyaw, dgripper], or null when nothing to do. */
  action: number[] | null;
  /** Whole plan [H, 7] (null when nothing was planned). */
  plan: Float64Array | null;
  status: PlanStatus;
}

export class RecedingHorizonPlanner {
  private schedule: GoalSchedule = new GoalSchedule([]);
  private planningStep = 0;
  private previous: CemDistribution | null = null;
  /** The previous plan's elites (iCEM), shifted into the next plan's first iteration. */
  private previousElites: { horizon: number; elites: Float64Array } | null = null;
  /** Lowest-energy frame seen for the last goal: its energy and the robot state at its capture. */
  private bestLast: { energy: number; state: number[]; step: number } | null = null;
  /** Return moves made since the schedule ran out (returnToBest); null once the return is over. */
  private returnMoves: number | null = 0;
  /** Counts goal schedules: a step whose schedule was replaced while it ran drops its result. */
  private scheduleGeneration = 0;

  constructor(
    private readonly model: WorldModel,
    private settings: PlannerSettings,
  ) {}

  /** Replaces the settings (a live parameter change); a step in progress finishes with the old ones. */
  updateSettings(settings: PlannerSettings): void {
    this.settings = settings;
  }

  /** Replaces the goals (and forgets the warm start). Throws for an invalid budget or embedding shape. */
  setGoals(goals: readonly Goal[]): void {
    const { tokensPerFrame: n, embedDim: d } = this.model.info;
    goals.forEach((g, i) => {
      const ok = g.embedding.dims.length === 3 && g.embedding.dims[0] === 1 && g.embedding.dims[1] === n && g.embedding.dims[2] === d;
      if (!ok) throw new Error(`goal ${i} (${g.label}): embedding shape [${g.embedding.dims.join(", ")}], expected [1, ${n}, ${d}]`);
    });
    this.schedule = new GoalSchedule(goals);
    this.scheduleGeneration++;
    this.planningStep = 0;
    this.previous = null;
    this.previousElites = null;
    this.bestLast = null;
    this.returnMoves = 0;
  }

  /** True when every goal is finished and no return move (returnToBest) is still due. */
  get finished(): boolean {
    return this.schedule.done && !this.returnDue();
  }

  /** returnToBest applies: the last goal ran out of budget, a best frame is known, the return is not over. */
  private returnDue(): boolean {
    return (
      this.settings.returnToBest === true && this.returnMoves !== null && this.bestLast !== null && this.schedule.traces.at(-1)?.outcome === "budget_exhausted"
    );
  }

  /** Drops every goal; the planner idles. */
  clearGoals(): void {
    this.setGoals([]);
  }

  /** The goal schedule with its per-goal energy traces. */
  get goals(): GoalSchedule {
    return this.schedule;
  }

  /** A status for the schedule as it stands, before anything was evaluated (`code` "planned", no energies). */
  private scheduleStatus(stamp: number): PlanStatus {
    const s = this.schedule;
    return {
      code: "planned",
      message: "",
      planningStep: this.planningStep,
      goalIndex: s.goalIndex,
      goalCount: s.length,
      stepAtGoal: s.stepsSpent,
      stepBudget: s.current?.stepBudget ?? 0,
      goalsPassed: [],
      currentEnergy: null,
      plannedEnergy: null,
      energyPerIteration: [],
      timings: { modelMs: 0, energyWaitMs: 0, optimiserMs: 0, totalMs: 0, modelCalls: 0, modelEvaluations: 0 },
      stamp,
    };
  }

  /**
   * The "idle" status a step would report now, for a caller that must say so without a frame to plan on
   * (a streaming node plans no frame while it has no goals). Null while goals are set.
   */
  idleStatus(stamp: number, message: string): PlanStatus | null {
    if (this.schedule.length > 0) return null;
    return { ...this.scheduleStatus(stamp), code: "idle", message };
  }

  /** Plans one step for the observation. Never throws: failures come back as a status code. */
  async step(obs: Observation): Promise<PlanStep> {
    const start = performance.now();
    const settings = this.settings;
    const generation = this.scheduleGeneration;
    const s = this.schedule;
    const status = this.scheduleStatus(obs.stamp);
    const finish = (code: PlanStatusCode, message: string, action: number[] | null = null, plan: Float64Array | null = null): PlanStep => {
      status.code = code;
      status.message = message;
      status.goalIndex = s.goalIndex;
      status.stepAtGoal = s.stepsSpent;
      status.stepBudget = s.current?.stepBudget ?? 0;
      status.timings.totalMs = performance.now() - start;
      return { action, plan, status };
    };

    const problem = this.checkObservation(obs);
    if (problem !== null) return finish("invalid_observation", problem);
    if (s.length === 0) return finish("idle", "no goals set");
    const doneOrReturn = (): PlanStep => {
      const back = this.returnMove(obs.state);
      if (back === null) return finish("done", `all ${s.length} goals finished`);
      return finish("returning", back.message, back.action, Float64Array.from(back.action));
    };
    if (s.done) return doneOrReturn();

    const last = s.traces[s.length - 1];
    const seen = last.energies.length;
    status.goalsPassed = s.observe((goal) => latentL1(obs.embedding.data, goal.embedding.data));
    const e = last.energies.at(-1);
    if (last.energies.length > seen && e !== undefined && Number.isFinite(e) && (this.bestLast === null || e < this.bestLast.energy)) {
      this.bestLast = { energy: e, state: Array.from(obs.state), step: this.planningStep };
    }
    const goal = s.current;
    if (goal === null) return doneOrReturn();
    status.currentEnergy = s.traces[s.goalIndex].energies.at(-1) ?? null;
    if (status.goalsPassed.length > 0) {
      // a new goal: the old plan says nothing about it
      this.previous = null;
      this.previousElites = null;
    }

    const state = { data: Float32Array.from(obs.state), dims: [1, POSE_DIM] };
    const t = status.timings;
    const energy = async (actions: Float32Array, samples: number, horizon: number): Promise<Float32Array> => {
      const r = await this.model.rolloutEnergy(obs.embedding, goal.embedding, state, { data: actions, dims: [samples, horizon, 7] });
      t.modelMs += r.modelMs;
      t.modelCalls += r.modelCalls;
      t.modelEvaluations += samples * horizon;
      return r.energy;
    };
    try {
      const cem = settings.cem;
      const horizon = cem.horizon ?? 1;
      const warm = settings.warmStart && this.previous !== null ? warmStartFromPrevious(this.previous, { horizon, maxnorm: cem.maxnorm }) : null;
      const optimize = optimizerByName(settings.optimizer ?? "cem");
      const result = await optimize(energy, {
        ...cem,
        seed: (cem.seed ?? 0) + this.planningStep,
        warmStart: warm,
        previousElites: this.previousElites?.horizon === horizon ? this.previousElites.elites : null,
      });
      this.previous = { mean: result.mean, std: result.std };
      this.previousElites = result.elites ? { horizon, elites: result.elites } : null;
      status.energyPerIteration = result.iterations.map((it) => it.bestEnergy);
      t.optimiserMs = result.timings.optimiserMs;
      t.energyWaitMs = result.timings.energyMs;
      if (settings.evaluatePlan && generation === this.scheduleGeneration) {
        const before = performance.now();
        status.plannedEnergy = (await energy(Float32Array.from(result.plan), 1, result.horizon))[0];
        t.energyWaitMs += performance.now() - before;
      }
      // The model calls took time: if the goals changed meanwhile, this plan serves no schedule.
      if (generation !== this.scheduleGeneration) return finish("discarded", "the goals changed while this step was planned: its plan was dropped");
      s.recordPlan(status.plannedEnergy ?? result.bestEnergy);
      this.planningStep++;
      const action = Array.from(result.plan.subarray(0, 7));
      return finish("planned", `goal ${s.goalIndex + 1}/${s.length} step ${s.stepsSpent}/${goal.stepBudget}`, action, result.plan);
    } catch (e) {
      return finish("error", `planning failed: ${(e as Error).message}`);
    }
  }

  /**
   * The move back to the last goal's lowest-energy frame once its budget ran out (returnToBest), or
   * null when none is due: the option is off, the goal was reached by threshold, the arm is already
   * there, or RETURN_MAX_MOVES were made.
   */
  private returnMove(state: ArrayLike<number>): { action: number[]; message: string } | null {
    const best = this.bestLast;
    if (!this.returnDue() || best === null || this.returnMoves === null) return null;
    const d = [0, 1, 2].map((i) => best.state[i] - state[i]);
    const distance = Math.hypot(d[0], d[1], d[2]);
    if (distance <= RETURN_TOLERANCE_M || this.returnMoves >= RETURN_MAX_MOVES) {
      this.returnMoves = null;
      return null;
    }
    this.returnMoves++;
    const maxnorm = this.settings.cem.maxnorm ?? CEM_DEFAULTS.maxnorm;
    const scale = distance > maxnorm ? maxnorm / distance : 1;
    const action = [d[0] * scale, d[1] * scale, d[2] * scale, 0, 0, 0, best.state[6] - state[6]];
    const message = `budget spent: returning to the lowest-energy frame of the last goal (energy ${best.energy.toPrecision(4)} at planning step ${best.step}, ${(100 * distance).toFixed(1)} cm away), move ${this.returnMoves}`;
    return { action, message };
  }

  private checkObservation(obs: Observation): string | null {
    const { tokensPerFrame: n, embedDim: d } = this.model.info;
    const dims = obs.embedding.dims;
    if (dims.length !== 3 || dims[0] !== 1 || dims[1] !== n || dims[2] !== d || obs.embedding.data.length !== n * d) {
      return `embedding shape [${dims.join(", ")}], expected [1, ${n}, ${d}]`;
    }
    if (obs.state.length !== POSE_DIM) return `state has ${obs.state.length} values, expected ${POSE_DIM}`;
    for (let i = 0; i < POSE_DIM; i++) if (!Number.isFinite(obs.state[i])) return `state[${i}] is ${obs.state[i]}`;
    const g = obs.state[6];
    if (g < -1e-6 || g > 1 + 1e-6) return `gripper closedness ${g} outside [0, 1]`;
    if (!Number.isFinite(obs.stamp)) return `stamp is ${obs.stamp}`;
    return null;
  }
}
