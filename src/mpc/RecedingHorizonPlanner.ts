/**
 * Receding-horizon latent MPC: for each observation, score the current frame against the current goal,
 * advance the sub-goal schedule, plan with CEM over the world model, and return the first action.
 * One step function (`step`) that live ROS, bag replay, tests and the demo all drive.
 */
import { planCem, warmStartFromPrevious, type CemDistribution, type CemOptions } from "../cem";
import type { FloatTensor } from "../worldmodel/tensor";
import type { WorldModel } from "../worldmodel/WorldModel";
import { GoalSchedule, type Goal, type GoalOutcome } from "./GoalSchedule";
import { latentL1 } from "./latentDistance";
import { POSE_DIM } from "./poseMath";

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
  /** CEM options (horizon, samples, …); `seed` is the base seed, step k uses seed + k. */
  cem: Partial<Omit<CemOptions, "warmStart" | "sampler" | "now">>;
  /** Start each plan from the previous one shifted by a step (off: cold start, as upstream). */
  warmStart: boolean;
  /** Score the final plan with one extra rollout (S = 1) to report its predicted energy. */
  evaluatePlan: boolean;
}

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
  | "error";

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
   * calls (model time plus the thread hand-off), `optimiserMs` in CEM itself, `totalMs` for the step.
   */
  timings: { modelMs: number; energyWaitMs: number; optimiserMs: number; totalMs: number; modelCalls: number };
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

  constructor(
    private readonly model: WorldModel,
    private readonly settings: PlannerSettings,
  ) {}

  /** Replaces the goals (and forgets the warm start). Throws for an invalid budget or embedding shape. */
  setGoals(goals: readonly Goal[]): void {
    const { tokensPerFrame: n, embedDim: d } = this.model.info;
    goals.forEach((g, i) => {
      const ok = g.embedding.dims.length === 3 && g.embedding.dims[0] === 1 && g.embedding.dims[1] === n && g.embedding.dims[2] === d;
      if (!ok) throw new Error(`goal ${i} (${g.label}): embedding shape [${g.embedding.dims.join(", ")}], expected [1, ${n}, ${d}]`);
    });
    this.schedule = new GoalSchedule(goals);
    this.planningStep = 0;
    this.previous = null;
  }

  /** Drops every goal; the planner idles. */
  clearGoals(): void {
    this.setGoals([]);
  }

  /** The goal schedule with its per-goal energy traces. */
  get goals(): GoalSchedule {
    return this.schedule;
  }

  /** Plans one step for the observation. Never throws: failures come back as a status code. */
  async step(obs: Observation): Promise<PlanStep> {
    const start = performance.now();
    const s = this.schedule;
    const status: PlanStatus = {
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
      timings: { modelMs: 0, energyWaitMs: 0, optimiserMs: 0, totalMs: 0, modelCalls: 0 },
      stamp: obs.stamp,
    };
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
    if (s.done) return finish("done", `all ${s.length} goals finished`);

    status.goalsPassed = s.observe((goal) => latentL1(obs.embedding.data, goal.embedding.data));
    const goal = s.current;
    if (goal === null) return finish("done", `all ${s.length} goals finished`);
    status.currentEnergy = s.traces[s.goalIndex].energies.at(-1) ?? null;
    if (status.goalsPassed.length > 0) this.previous = null; // a new goal: the old plan says nothing about it

    const state = { data: Float32Array.from(obs.state), dims: [1, POSE_DIM] };
    const t = status.timings;
    const energy = async (actions: Float32Array, samples: number, horizon: number): Promise<Float32Array> => {
      const r = await this.model.rolloutEnergy(obs.embedding, goal.embedding, state, { data: actions, dims: [samples, horizon, 7] });
      t.modelMs += r.modelMs;
      t.modelCalls += r.modelCalls;
      return r.energy;
    };
    try {
      const cem = this.settings.cem;
      const horizon = cem.horizon ?? 1;
      const warm = this.settings.warmStart && this.previous !== null ? warmStartFromPrevious(this.previous, { horizon, maxnorm: cem.maxnorm }) : null;
      const result = await planCem(energy, { ...cem, seed: (cem.seed ?? 0) + this.planningStep, warmStart: warm });
      this.previous = { mean: result.mean, std: result.std };
      status.energyPerIteration = result.iterations.map((it) => it.bestEnergy);
      t.optimiserMs = result.timings.optimiserMs;
      t.energyWaitMs = result.timings.energyMs;
      if (this.settings.evaluatePlan) {
        const before = performance.now();
        status.plannedEnergy = (await energy(Float32Array.from(result.plan), 1, result.horizon))[0];
        t.energyWaitMs += performance.now() - before;
      }
      s.recordPlan(status.plannedEnergy ?? result.bestEnergy);
      this.planningStep++;
      const action = Array.from(result.plan.subarray(0, 7));
      return finish("planned", `goal ${s.goalIndex + 1}/${s.length} step ${s.stepsSpent}/${goal.stepBudget}`, action, result.plan);
    } catch (e) {
      return finish("error", `planning failed: ${(e as Error).message}`);
    }
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
