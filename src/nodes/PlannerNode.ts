/**
 * Planner node: the receding-horizon controller over ROS-shaped topics. Frame embeddings come from the
 * camera node's channel, the robot state from a PoseStamped (flange pose after the TCP offset) and a
 * JointState (gripper); goals are set through the SetGoal service; every step publishes the chosen action
 * (EndEffectorDelta) and a PlanStatus. Blocking mode waits for the actuator to report the motion settled
 * before planning on a frame captured after it; streaming mode plans on every fresh frame.
 */
import { MAX_ERROR_RETRIES, MpcController, type RobotInterface } from "../mpc/MpcController";
import type { Observation, PlannerSettings, PlanStep, RecedingHorizonPlanner } from "../mpc/RecedingHorizonPlanner";
import type { PreprocessOptions } from "../worldmodel/preprocess";
import { inputDims, inputLength, preprocessImage } from "../worldmodel/preprocess";
import type { FloatTensor } from "../tensor/tensor";
import type { ActuatorStatus as ActuatorStatusMsg, JointState as JointStateMsg, PoseStamped as PoseStampedMsg } from "../ros/messages";
import type { EmbeddingChannel, EncodedFrame } from "./embeddingChannel";
import { goalImagesFromRequest, type GoalRequestLimits, type SetGoalRequest, type SetGoalResponse } from "./goalRequest";
import { DIAGNOSTIC_LEVEL, type NodeHealth } from "./diagnostics";
import { ACTUATOR_CODES, endEffectorDeltaMsg, PLAN_STATUS_CODES, planStatusMsg, type EndEffectorDeltaMsg, type PlanStatusMsg } from "./messages";
import { type Transport } from "./transport/Transport";
import { describeValue, isRecord, readJointState, readPose, readStampSeconds, RefusalLog, typedArrayKind } from "./inputChecks";

export type { JointStateMsg, PoseStampedMsg };

/** ActuatorStatus.msg SETTLED: the code the blocking mode waits for (ACTUATOR_CODES, messages.ts). */
export const ACTUATOR_SETTLED = ACTUATOR_CODES.settled;

export interface PlannerNodeOptions {
  stateTopic: string;
  /** JointState topic of the gripper; null for a cell without one (closedness is 0, always open). */
  gripperTopic: string | null;
  actionTopic: string;
  statusTopic: string;
  actuatorStatusTopic: string;
  /** Service names. */
  setGoalService: string;
  clearGoalsService: string;
  pauseService: string;
  mode: "blocking" | "streaming";
  /** Blocking mode: longest wait for the actuator to report the motion settled (s). */
  settleTimeout: number;
  /** Frames older than this when planning would start are dropped (s). */
  maxFrameAge: number;
  /** Robot state older than this relative to the frame is not used (s). */
  maxStateAge: number;
  /** Base frame the actions are expressed in (header.frame_id of EndEffectorDelta). */
  baseFrame: string;
  goalLimits: GoalRequestLimits;
  defaultStepBudget: number;
  /** Energy threshold of goals whose request gives 0 (planner.energy_threshold; null: step budgets only). */
  defaultEnergyThreshold: number | null;
  preprocess: PreprocessOptions;
  /** PoseStamped (as published, e.g. the TCP) → model state [x, y, z, roll, pitch, yaw] of the flange. */
  poseToState: (pose: PoseStampedMsg["pose"]) => number[];
  /** JointState → gripper closedness 0..1, or null when the message has no gripper. */
  gripperClosedness: (js: JointStateMsg) => number | null;
}

export class PlannerNode {
  private pose: { state: number[]; stamp: number } | null = null;
  private gripper: { value: number; stamp: number } | null = null;
  private paused = false;
  private running: Promise<void> | null = null;
  private frameWaiters: Array<{ resolve: (f: EncodedFrame) => void; reject: (e: Error) => void }> = [];
  private notBefore = Number.NEGATIVE_INFINITY;
  private settleWaiter: { after: number; resolve: (ok: boolean) => void } | null = null;
  private stopped = false;
  /** Wake-ups of backoff waits in progress. */
  private readonly sleeping = new Set<() => void>();
  private readonly controller: MpcController;
  private readonly publishAction: (m: EndEffectorDeltaMsg) => void;
  private readonly publishStatus: (m: PlanStatusMsg) => void;
  private readonly cleanups: Array<() => void> = [];
  /** Last status published (for tests and diagnostics). */
  lastStatus: PlanStatusMsg | null = null;
  private readonly refusals: RefusalLog;

  constructor(
    private readonly t: Transport,
    private readonly planner: RecedingHorizonPlanner,
    private options: PlannerNodeOptions,
    private readonly channel: EmbeddingChannel,
    /** frames [B,3,H,W] → tokens [B,N,D], for goal images. */
    private readonly encode: (frames: FloatTensor) => Promise<FloatTensor>,
  ) {
    this.controller = new MpcController(planner, this.controllerOptions(options));
    this.publishAction = t.publisher<EndEffectorDeltaMsg>("vjepa2_mpc_interfaces/msg/EndEffectorDelta", options.actionTopic, "reliable");
    this.publishStatus = t.publisher<PlanStatusMsg>("vjepa2_mpc_interfaces/msg/PlanStatus", options.statusTopic, "reliable");
    this.refusals = new RefusalLog(t.log, t.clock);
  }

  /**
   * Applies new options and planner settings (a live parameter change): the planner uses them from its
   * next step, a step in progress finishes with the old ones. Topic and service names stay.
   */
  reconfigure(options: PlannerNodeOptions, settings: PlannerSettings): void {
    this.options = options;
    this.planner.updateSettings(settings);
    this.controller.updateOptions(this.controllerOptions(options));
  }

  /** Health for /diagnostics: the last status, its latency, and what happened to frames. */
  health(): NodeHealth {
    const s = this.lastStatus;
    const names = Object.fromEntries(Object.entries(PLAN_STATUS_CODES).map(([k, v]) => [v, k]));
    const values = {
      status: s === null ? null : names[s.code],
      goal: s === null ? null : `${s.goal_index}/${s.goal_count}`,
      planning_step: s?.planning_step ?? null,
      latency_ms: s?.latency_ms ?? null,
      current_energy: s?.current_energy ?? null,
      paused: this.paused,
      mode: this.options.mode,
      frames_planned: this.controller.stats.framesPlanned,
      frames_dropped: this.controller.stats.droppedStale + this.controller.stats.droppedSuperseded,
      settle_timeouts: this.controller.stats.settleTimeouts,
    };
    if (s === null) return { level: DIAGNOSTIC_LEVEL.ok, message: "no planning step yet", values };
    const level =
      s.code === PLAN_STATUS_CODES.error
        ? DIAGNOSTIC_LEVEL.error
        : s.code === PLAN_STATUS_CODES.invalid_observation
          ? DIAGNOSTIC_LEVEL.warn
          : DIAGNOSTIC_LEVEL.ok;
    return { level, message: s.message, values };
  }

  /** The controller's options: the node's limits, on the node's clock (wall or sim time). */
  private controllerOptions(o: PlannerNodeOptions): ConstructorParameters<typeof MpcController>[1] {
    // A backoff ends early when the node stops, so that stopping never waits for it.
    const sleep = (s: number): Promise<void> =>
      new Promise((resolve) => {
        const done = (): void => {
          cancel();
          this.sleeping.delete(done);
          resolve();
        };
        const cancel = this.t.clock.every(Math.max(s, 1e-3), done);
        this.sleeping.add(done);
      });
    return { settleTimeout: o.settleTimeout, maxFrameAge: o.maxFrameAge, clock: () => this.t.clock.now(), sleep };
  }

  /** Counters of frames offered, planned and dropped. */
  get stats(): MpcController["stats"] {
    return this.controller.stats;
  }

  /** Serves `name` until the node stops (a reactivated managed node serves it again). */
  private serve<Req, Res>(type: string, name: string, handler: (req: Req) => Promise<Res> | Res): void {
    this.cleanups.push(this.t.service(type, name, handler));
  }

  start(): void {
    const o = this.options;
    // franka_robot_state_broadcaster publishes current_pose best-effort: a reliable subscription would not match.
    this.cleanups.push(this.t.subscribe<PoseStampedMsg>("geometry_msgs/msg/PoseStamped", o.stateTopic, "sensor_data", (m) => this.onPose(m)));
    if (o.gripperTopic !== null)
      this.cleanups.push(this.t.subscribe<JointStateMsg>("sensor_msgs/msg/JointState", o.gripperTopic, "sensor_data", (m) => this.onGripper(m)));
    this.cleanups.push(
      this.t.subscribe<ActuatorStatusMsg>("vjepa2_mpc_interfaces/msg/ActuatorStatus", o.actuatorStatusTopic, "reliable", (m) => this.onActuatorStatus(m)),
    );
    this.cleanups.push(this.channel.subscribe((f) => this.onFrame(f)));
    this.serve<SetGoalRequest, SetGoalResponse>("vjepa2_mpc_interfaces/srv/SetGoal", o.setGoalService, (req) => this.setGoal(req));
    this.serve<Record<string, never>, { success: boolean; message: string }>("std_srvs/srv/Trigger", o.clearGoalsService, () => {
      this.planner.clearGoals();
      void this.reportIdleAfterClear();
      return { success: true, message: "goals cleared" };
    });
    this.serve<{ data: boolean }, { success: boolean; message: string }>("std_srvs/srv/SetBool", o.pauseService, (req) => {
      // Only a boolean decides: a request without `data` must not resume planning, nor "false" pause it.
      const data: unknown = isRecord(req) ? req.data : undefined;
      if (typeof data !== "boolean") {
        const message = `SetBool.data is ${describeValue(data)}, not a boolean: planning stays ${this.paused ? "paused" : "running"}`;
        this.t.log.warn({ err: message }, "pause request refused");
        return { success: false, message };
      }
      this.paused = data;
      if (!this.paused) this.kick();
      return { success: true, message: this.paused ? "planning paused" : "planning resumed" };
    });
    this.t.log.info({ mode: o.mode }, "planner node ready");
    // A reactivated managed node resumes the goals its planner kept (nothing to do for a fresh one).
    this.kick();
  }

  /** Stops planning (the current step finishes) and releases subscriptions. */
  async stop(): Promise<void> {
    this.stopped = true;
    for (const c of this.cleanups.splice(0)) c();
    this.settleWaiter?.resolve(false);
    for (const wake of [...this.sleeping]) wake();
    for (const w of this.frameWaiters.splice(0)) w.reject(new Error("planner node stopped"));
    await this.running;
    await this.controller.idle();
  }

  /** Resolves when no blocking loop is running and no streaming plan is pending. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
    await this.controller.idle();
  }

  private onPose(m: PoseStampedMsg): void {
    try {
      // The stamp is checked too: a NaN stamp would pass every age comparison and never go stale.
      const stamp = readStampSeconds(m);
      const { position: p, orientation: q } = readPose(m);
      const s = this.options.poseToState({ position: { x: p[0], y: p[1], z: p[2] }, orientation: { x: q[0], y: q[1], z: q[2], w: q[3] } });
      if (s.length !== 6 || s.some((v) => !Number.isFinite(v))) throw new Error(`pose gives state [${s.join(", ")}]`);
      this.pose = { state: s, stamp };
    } catch (e) {
      this.refusals.refuse("pose", (e as Error).message, "ignoring robot pose");
    }
  }

  private onGripper(m: JointStateMsg): void {
    let g: number | null;
    let stamp: number;
    try {
      stamp = readStampSeconds(m);
      const js = readJointState(m);
      g = this.options.gripperClosedness({ header: m.header, name: js.name, position: js.position, velocity: [], effort: [] });
    } catch (e) {
      return this.refusals.refuse("gripper", (e as Error).message, "ignoring gripper state");
    }
    // Logged (rate-limited) rather than dropped silently: a gripper topic that never carries the gripper
    // leaves the planner with "no gripper state" and nothing else to say why.
    if (g === null)
      return this.refusals.refuse("gripper", "no usable gripper joint (a 'gripper' joint or finger joints with finite positions)", "ignoring gripper state");
    if (!Number.isFinite(g)) return this.refusals.refuse("gripper", `non-finite gripper closedness ${g}`, "ignoring gripper state");
    this.gripper = { value: Math.min(1, Math.max(0, g)), stamp };
  }

  private onActuatorStatus(m: ActuatorStatusMsg): void {
    let stamp: number;
    try {
      stamp = readStampSeconds(m);
      if (typeof m.code !== "number" || !Number.isInteger(m.code) || m.code < 0 || m.code > 255)
        throw new Error(`code is ${describeValue(m.code)}, not a uint8`);
    } catch (e) {
      return this.refusals.refuse("actuator status", (e as Error).message, "ignoring actuator status");
    }
    const w = this.settleWaiter;
    if (w !== null && m.code === ACTUATOR_SETTLED && stamp >= w.after) {
      this.settleWaiter = null;
      w.resolve(true);
    }
  }

  /** The observation for a frame, or a reason why there is none (no or stale state). */
  private observation(f: EncodedFrame): Observation | string {
    if (this.pose === null) return "no robot pose received yet";
    // Without a gripper (gripper_adapter none) the model sees it open, as in the goal images of such a cell.
    const gripper = this.options.gripperTopic === null ? { value: 0, stamp: this.pose.stamp } : this.gripper;
    if (gripper === null) return "no gripper state received yet";
    // Both parts of the state, before or after the frame (the older one alone would let a pose stamped
    // far after the frame through).
    const age = Math.max(Math.abs(f.stamp - this.pose.stamp), Math.abs(f.stamp - gripper.stamp));
    if (!(age <= this.options.maxStateAge)) return `robot state is ${age.toFixed(3)} s away from the frame (max ${this.options.maxStateAge} s)`;
    return { embedding: f.embedding, state: [...this.pose.state, gripper.value], stamp: f.stamp };
  }

  /** Why a frame from the embedding channel (another process, through ZeroMQ) is unusable, or null. */
  private frameProblem(f: unknown): string | null {
    if (!isRecord(f)) return `frame is ${describeValue(f)}`;
    if (typeof f.stamp !== "number" || !Number.isFinite(f.stamp)) return `frame stamp is ${describeValue(f.stamp)}`;
    const e = f.embedding;
    if (!isRecord(e) || typedArrayKind(e.data) !== "Float32Array" || !Array.isArray(e.dims)) return "frame embedding is not a float32 tensor";
    // [1, N, D]; which N and D is the planner's to check (an invalid_observation status, which lists the dims).
    if (e.dims.length !== 3 || !e.dims.every((d) => Number.isInteger(d) && d > 0)) return `frame embedding has ${e.dims.length} dims, not 3 positive integers`;
    // A NaN would enter the goal's energy trace and every sample's energy; the shape is the planner's to
    // check (an invalid_observation status).
    const data = e.data as Float32Array;
    for (let i = 0; i < data.length; i++) if (!Number.isFinite(data[i])) return `frame embedding has the non-finite value ${data[i]} at ${i}`;
    return null;
  }

  private onFrame(f: EncodedFrame): void {
    if (this.stopped) return;
    const problem = this.frameProblem(f);
    if (problem !== null) return this.refusals.refuse("frame", problem, "ignoring camera frame");
    if (this.options.mode === "blocking") {
      if (this.paused || f.stamp < this.notBefore) return; // paused, or captured before the last motion settled
      for (const w of this.frameWaiters.splice(0)) w.resolve(f);
      return;
    }
    if (this.paused || this.planner.finished) return;
    const obs = this.observation(f);
    if (typeof obs === "string") {
      this.t.log.debug({ reason: obs }, "frame not planned");
      return;
    }
    // The controller drops it too (counted in stats), but without a word.
    const age = this.t.clock.now() - f.stamp;
    if (age > this.options.maxFrameAge)
      this.t.log.debug({ reason: `frame is ${age.toFixed(3)} s old (max ${this.options.maxFrameAge} s)` }, "frame not planned");
    this.controller.offerFrame(obs, (step) => this.emit(step, true));
  }

  /**
   * Publishes a step's status, and its action unless the caller sends it itself (blocking mode). A plan
   * that finished after a pause is reported PAUSED and not sent.
   */
  private emit(step: PlanStep, withAction: boolean): void {
    const held = step.action !== null && this.paused;
    if (withAction && step.action !== null) this.sendAction(step.action, step.status.stamp);
    this.lastStatus = planStatusMsg(
      held ? { ...step.status, message: `paused: plan not sent (${step.status.message})` } : step.status,
      step.action,
      this.options.baseFrame,
      held,
    );
    this.publishStatus(this.lastStatus);
  }

  /**
   * Publishes an action unless planning was paused or stopped since it was planned (checked right before
   * sending: an operator's pause wins over a step in flight). Returns what was sent, or null.
   */
  private sendAction(action: readonly number[], stamp: number): readonly number[] | null {
    if (this.paused || this.stopped) return null;
    this.publishAction(endEffectorDeltaMsg(action, stamp, this.options.baseFrame));
    return action;
  }

  /**
   * After clear_goals, publishes one IDLE status once the step in flight (if any) has reported. Without
   * goals a streaming node plans no frame, so no step would say that the planner is idle; a blocking loop
   * says it itself on its next frame, and then nothing more is published. Goals set in the meantime win.
   */
  private async reportIdleAfterClear(): Promise<void> {
    const before = this.lastStatus;
    await this.idle();
    if (this.stopped || (this.lastStatus !== before && this.lastStatus?.code === PLAN_STATUS_CODES.idle)) return;
    const status = this.planner.idleStatus(this.t.clock.now(), "goals cleared");
    if (status !== null) this.emit({ action: null, plan: null, status }, false);
  }

  /** Starts the blocking loop if there is work and none is running. */
  private kick(): void {
    if (this.options.mode !== "blocking" || this.running !== null || this.paused || this.stopped || this.planner.finished) return;
    this.running = this.blockingLoop().finally(() => {
      this.running = null;
    });
  }

  private async blockingLoop(): Promise<void> {
    let stamp = 0;
    const robot: RobotInterface = {
      observe: async () => {
        const obs = await this.nextObservation();
        stamp = obs.stamp;
        return obs;
      },
      sendAction: async (a) => {
        const sent = this.sendAction(a, stamp);
        if (sent !== null) this.notBefore = Number.POSITIVE_INFINITY; // no frame counts until the motion settles
        return sent;
      },
      waitSettled: (timeoutS) => this.waitSettled(timeoutS),
    };
    try {
      await this.controller.runBlocking(robot, {
        maxSteps: Number.MAX_SAFE_INTEGER,
        shouldStop: () => this.paused || this.stopped,
        onPlan: (step) => this.emit(step, false),
        onRetry: (step, attempt, delayS) =>
          this.t.log.warn({ attempt, of: MAX_ERROR_RETRIES, retryInS: delayS, err: step.status.message }, "planning step failed: retrying"),
      });
    } catch (e) {
      if (!this.stopped) this.t.log.error({ err: (e as Error).message }, "planning loop stopped");
    }
  }

  /** Next frame (after the last settle) that has a usable robot state. */
  private async nextObservation(): Promise<Observation> {
    for (;;) {
      const f = await new Promise<EncodedFrame>((resolve, reject) => this.frameWaiters.push({ resolve, reject }));
      const obs = this.observation(f);
      if (typeof obs !== "string") return obs;
      this.t.log.debug({ reason: obs }, "frame not planned");
    }
  }

  private waitSettled(timeoutS: number): Promise<boolean> {
    const sentAt = this.t.clock.now();
    return new Promise<boolean>((resolve) => {
      let cancelTimer: () => void = () => undefined;
      const done = (ok: boolean): void => {
        cancelTimer();
        this.settleWaiter = null;
        // Plan only on frames captured after the motion ended (or the wait gave up).
        this.notBefore = this.t.clock.now();
        resolve(ok);
      };
      this.settleWaiter = { after: sentAt, resolve: done };
      cancelTimer = this.t.clock.every(Math.max(timeoutS, 1e-3), () => done(false));
    });
  }

  private async setGoal(req: SetGoalRequest): Promise<SetGoalResponse> {
    const current = this.planner.goals;
    try {
      const images = goalImagesFromRequest(req, this.options.goalLimits, this.options.defaultStepBudget);
      const per = inputLength(this.options.preprocess);
      const frames = new Float32Array(images.length * per);
      images.forEach((g, i) => preprocessImage(g.image, this.options.preprocess, frames.subarray(i * per, (i + 1) * per)));
      const tokens = await this.encode({ data: frames, dims: inputDims(this.options.preprocess, images.length) });
      const [, n, d] = tokens.dims;
      // > 0: the request's own; 0: the planner's energy_threshold parameter; < 0: step budgets only.
      const threshold = req.energy_threshold > 0 ? req.energy_threshold : req.energy_threshold === 0 ? this.options.defaultEnergyThreshold : null;
      const goals = images.map((g, i) => ({
        embedding: { data: tokens.data.slice(i * n * d, (i + 1) * n * d), dims: [1, n, d] },
        stepBudget: g.stepBudget,
        energyThreshold: threshold,
        label: g.label,
      }));
      const keep = req.append ? current.remaining() : [];
      this.planner.setGoals([...keep, ...goals]);
      this.t.log.info({ goals: goals.map((g) => g.label), appended: keep.length }, "goals set");
      this.kick();
      return { success: true, message: `${keep.length + goals.length} goals scheduled`, goal_count: keep.length + goals.length };
    } catch (e) {
      this.t.log.warn({ err: (e as Error).message }, "SetGoal refused");
      return { success: false, message: (e as Error).message, goal_count: current.length - current.goalIndex };
    }
  }
}
