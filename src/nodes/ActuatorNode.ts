/**
 * Actuator node: turns planned end-effector deltas into controller commands inside the safety envelope.
 * On each plan it runs the ordered safety stages (src/nodes/actuator) against the freshest robot state
 * and sets the streamer's goal; at the command rate it re-checks the guards (e-stop, stale state, stale
 * plan), hands the streamed target to its command adapter (adapters/: a PoseStamped target, a
 * TwistStamped, ... by actuator.adapter) and gripper targets to its gripper adapter, and reports
 * ActuatorStatus — SETTLED once the measured pose has come to rest at the target (the planner's blocking
 * mode waits for it). It never plans or encodes: nothing here waits behind a model run.
 */
import { quaternionToEulerXyz } from "../pose/poseMath";
import {
  applySafetyEnvelope,
  EStopLatch,
  flangeToTcp,
  poseStamped,
  SettleDetector,
  TargetStreamer,
  tcpToFlange,
  tickGuards,
  closednessFromJointState,
  poseFromVector,
  type ActuatorSettings,
  type EnvelopeResult,
  type PoseStampedMsg,
  type RigidPose,
} from "./actuator";
import type { ActuatorStatus as ActuatorStatusMsg } from "../ros/messages";
import type { AdapterContext, CommandAdapter, SentCounters } from "./adapters/CommandAdapter";
import type { GripperAdapter } from "./adapters/GripperAdapter";
import { createCommandAdapter, createGripperAdapter } from "./adapters/registry";
import { ACTUATOR_CODES, endEffectorDeltaMsg, type EndEffectorDeltaMsg } from "./messages";
import type { JointStateMsg } from "./PlannerNode";
import { DIAGNOSTIC_LEVEL, type NodeHealth } from "./diagnostics";
import { NODE_SERVICES, NODE_TOPICS } from "./topics";
import { type Transport } from "./transport/Transport";
import { timeFromSeconds } from "../ros/messages";
import { describeValue, isRecord, readJointState, readPose, RefusalLog } from "./inputChecks";

/** ActuatorStatus.msg codes (defined with the other message constants in messages.ts). */
export { ACTUATOR_CODES };

export type { ActuatorStatusMsg };

export interface ActuatorNodeOptions {
  settings: ActuatorSettings;
  /** Longest wait for a motion to settle before reporting a timeout (s): planner.settle_timeout. */
  settleTimeout: number;
  /** Publish ActuatorStatus every this many command ticks (and on every event). */
  statusEveryTicks: number;
}

const ZERO_DELTA = [0, 0, 0, 0, 0, 0, 0];
const DELTA_FIELDS = ["dx", "dy", "dz", "droll", "dpitch", "dyaw", "dgripper"] as const;

/**
 * The 7-vector of a received EndEffectorDelta, or the reason it is no plan at all (not an object, a
 * field missing or not a number). NaN and ±Inf are numbers: the safety envelope refuses those itself.
 */
function readDelta(m: unknown): { delta: number[]; problem: string | null } {
  if (!isRecord(m)) return { delta: DELTA_FIELDS.map(() => Number.NaN), problem: `the message is ${describeValue(m)}, not an EndEffectorDelta` };
  const bad = DELTA_FIELDS.find((k) => typeof m[k] !== "number");
  const delta = DELTA_FIELDS.map((k) => (typeof m[k] === "number" ? (m[k] as number) : Number.NaN));
  return { delta, problem: bad === undefined ? null : `${bad} is ${describeValue(m[bad])}, not a number` };
}

export class ActuatorNode {
  private readonly streamer: TargetStreamer;
  private readonly settle: SettleDetector;
  /** Measured flange pose [x, y, z, roll, pitch, yaw] and when it arrived (actuator clock). */
  private state: { flange: number[]; pose: RigidPose; receivedAt: number } | null = null;
  private gripper: number | null = null;
  private planReceivedAt: number | null = null;
  private gripperTarget: number | null = null;
  private last: { requested: number[]; result: EnvelopeResult | null; stamp: number } = { requested: ZERO_DELTA, result: null, stamp: 0 };
  private mode: { code: number; message: string } = { code: ACTUATOR_CODES.holding, message: "waiting for robot state" };
  private ticks = 0;
  private stopTimer: (() => void) | null = null;
  private readonly cleanups: Array<() => void> = [];
  /** The arm controller (actuator.adapter) and the gripper (actuator.gripper_adapter). */
  private readonly command: CommandAdapter;
  private readonly gripperAdapter: GripperAdapter;
  private readonly publishStatus: (m: ActuatorStatusMsg) => void;
  /** Every target and twist sent, and every gripper goal (for tests, replay reports and logs). */
  readonly sent: SentCounters = { poses: 0, twists: 0, gripperGoals: 0 };
  /** Gripper goals that were rejected, aborted or found no server. */
  gripperFailures = 0;
  lastStatus: ActuatorStatusMsg | null = null;
  private readonly refusals: RefusalLog;

  constructor(
    private readonly t: Transport,
    private options: ActuatorNodeOptions,
    /** The e-stop latch; a managed node passes one that outlives this node (deactivate / activate keep it). */
    private readonly estop: EStopLatch = new EStopLatch(),
  ) {
    const s = options.settings;
    this.streamer = new TargetStreamer(s.stream);
    this.settle = new SettleDetector(s.settle);
    const context: AdapterContext = { transport: t, settings: (): ActuatorSettings => this.options.settings, sent: this.sent };
    this.command = createCommandAdapter(s.adapter, context);
    this.gripperAdapter = createGripperAdapter(s.gripperAdapter, context);
    this.publishStatus = t.publisher<ActuatorStatusMsg>("vjepa2_mpc_interfaces/msg/ActuatorStatus", NODE_TOPICS.actuatorStatus, "reliable");
    this.refusals = new RefusalLog(t.log, t.clock);
  }

  /** Serves `name` until the node stops (a reactivated managed node serves it again). */
  private serve<Req, Res>(type: string, name: string, handler: (req: Req) => Promise<Res> | Res): void {
    this.cleanups.push(this.t.service(type, name, handler));
  }

  start(): void {
    const t = this.t;
    this.cleanups.push(t.subscribe<PoseStampedMsg>("geometry_msgs/msg/PoseStamped", NODE_TOPICS.eePose, "sensor_data", (m) => this.onPose(m)));
    this.cleanups.push(t.subscribe<JointStateMsg>("sensor_msgs/msg/JointState", NODE_TOPICS.gripper, "sensor_data", (m) => this.onGripper(m)));
    this.cleanups.push(
      t.subscribe<EndEffectorDeltaMsg>("vjepa2_mpc_interfaces/msg/EndEffectorDelta", NODE_TOPICS.plannedAction, "reliable", (m) => this.onPlan(m)),
    );
    this.serve<Record<string, never>, { success: boolean; message: string }>("std_srvs/srv/Trigger", NODE_SERVICES.estop, () => {
      const s = this.estop.trigger("e-stop service called", t.clock.now());
      this.streamer.hold();
      this.setMode(ACTUATOR_CODES.estopped, `e-stop latched: ${s.reason}`);
      return { success: true, message: "e-stop latched; call the reset service to release it" };
    });
    this.serve<Record<string, never>, { success: boolean; message: string }>("std_srvs/srv/Trigger", NODE_SERVICES.reset, () => {
      const r = this.estop.reset();
      this.planReceivedAt = null; // a plan from before the e-stop must not resume
      // The arm may have been moved while stopped (hand guiding, a reflex): stream on from where it is,
      // not from the pose commanded before, which the first command would pull it back to.
      if (this.state !== null) this.streamer.start(this.state.pose);
      this.setMode(ACTUATOR_CODES.holding, r.message);
      return { success: true, message: r.message };
    });
    this.stopTimer = t.clock.every(this.options.settings.commandPeriod, () => this.tick());
    t.log.info({ adapter: this.options.settings.adapter, rateHz: 1 / this.options.settings.commandPeriod }, "actuator node ready");
  }

  /**
   * Applies new settings (a live parameter change): limits, tolerances and timeouts hold from the next
   * plan or control tick. Adapters, frame and command rate are fixed while the node runs.
   */
  reconfigure(options: ActuatorNodeOptions): void {
    const a = this.options.settings;
    const b = options.settings;
    if (a.adapter !== b.adapter || a.gripperAdapter !== b.gripperAdapter || a.commandPeriod !== b.commandPeriod || a.frameId !== b.frameId) {
      throw new Error("adapters, frame_id and command_rate cannot change while the actuator runs");
    }
    this.options = options;
    this.streamer.limits = b.stream;
    this.settle.tolerances = b.settle;
  }

  async stop(): Promise<void> {
    this.stopTimer?.();
    for (const c of this.cleanups.splice(0)) c();
    this.streamer.hold();
    // Deactivated or stopping: the controller is left at rest (a twist controller gets one zero twist now
    // rather than keep moving on the last one until its own timeout; a pose-tracking one holds its target).
    this.command.stop(this.t.clock.now());
  }

  /** Health for /diagnostics: mode, latch and watchdog state, what was sent. */
  health(): NodeHealth {
    const st = this.lastStatus;
    const values = {
      mode: Object.entries(ACTUATOR_CODES).find(([, v]) => v === this.mode.code)?.[0] ?? this.mode.code,
      estopped: this.estop.latched,
      state_fresh: st?.state_fresh ?? false,
      plan_fresh: st?.plan_fresh ?? false,
      limits_applied: st?.limits_applied.join(", ") ?? "",
      poses_sent: this.sent.poses,
      twists_sent: this.sent.twists,
      gripper_goals: this.sent.gripperGoals,
      gripper_failures: this.gripperFailures,
    };
    const level = this.estop.latched || this.mode.code === ACTUATOR_CODES.holding ? DIAGNOSTIC_LEVEL.warn : DIAGNOSTIC_LEVEL.ok;
    return { level, message: this.mode.message, values };
  }

  /** True while the e-stop is latched. */
  get estopped(): boolean {
    return this.estop.latched;
  }

  private onPose(m: PoseStampedMsg): void {
    let pose: RigidPose;
    try {
      // Finite, and a unit quaternion: a zero one would be streamed back to the robot as the held target.
      pose = readPose(m);
    } catch (e) {
      return this.refusals.refuse("pose", (e as Error).message, "ignoring robot pose");
    }
    const flangePose = this.options.settings.stateIsTcp ? tcpToFlange(pose, this.options.settings.tcpOffset) : pose;
    const euler = Array.from(quaternionToEulerXyz(flangePose.orientation));
    const first = this.state === null;
    this.state = { flange: [...flangePose.position, ...euler], pose: flangePose, receivedAt: this.t.clock.now() };
    if (first) {
      this.streamer.start(flangePose); // hold where the robot is until a plan arrives
      this.setMode(ACTUATOR_CODES.holding, "holding the current pose until a plan arrives");
    }
  }

  private onGripper(m: JointStateMsg): void {
    let g: number | null;
    try {
      const js = readJointState(m);
      g = closednessFromJointState(js.name, js.position, this.options.settings.gripper.maxWidth);
    } catch (e) {
      return this.refusals.refuse("gripper", (e as Error).message, "ignoring gripper state");
    }
    // Logged (rate-limited), not dropped silently: plans are refused for want of a gripper state.
    if (g === null)
      return this.refusals.refuse("gripper", "no usable gripper joint (a 'gripper' joint or finger joints with finite positions)", "ignoring gripper state");
    this.gripper = g;
  }

  private onPlan(m: EndEffectorDeltaMsg): void {
    const now = this.t.clock.now();
    const { delta, problem } = readDelta(m);
    if (problem !== null) {
      // Refused like a non-finite plan (hold, and say why), but it is no plan: it must not refresh the plan
      // watchdog, which would keep a motion going on a stream of malformed messages.
      this.t.log.warn({ reason: problem }, "plan refused");
      this.last = { requested: delta, result: null, stamp: now };
      this.streamer.hold();
      this.setMode(this.estop.latched ? ACTUATOR_CODES.estopped : ACTUATOR_CODES.holding, `plan refused: ${problem}; holding`);
      return;
    }
    this.planReceivedAt = now;
    // A cell without a gripper (gripper_adapter none) has no gripper state: it counts as open.
    const gripper = this.gripperAdapter.hasGripper ? (this.gripper ?? Number.NaN) : 0;
    const state = this.state === null ? [Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN] : [...this.state.flange, gripper];
    const result = applySafetyEnvelope(
      { delta, state, now, stateReceivedAt: this.state?.receivedAt ?? null, planReceivedAt: now, estop: this.estop.snapshot() },
      this.options.settings.envelope,
    );
    this.last = { requested: delta, result, stamp: now };
    if (result.target === null) {
      this.streamer.hold();
      this.setMode(result.code === "estopped" ? ACTUATOR_CODES.estopped : ACTUATOR_CODES.holding, `plan refused: ${result.message}`);
      return;
    }
    const goal = poseFromVector(result.target);
    this.streamer.setGoal(goal);
    this.settle.start(goal, now, this.options.settleTimeout);
    this.commandGripper(result.target[6]);
    this.setMode(ACTUATOR_CODES.tracking, result.code === "limited" ? `tracking a limited plan: ${result.message}` : "tracking the plan");
  }

  private commandGripper(target: number): void {
    if (!this.gripperAdapter.hasGripper) return;
    if (this.gripperTarget !== null && Math.abs(target - this.gripperTarget) < this.options.settings.gripperDeadband) return;
    this.gripperTarget = target;
    this.sent.gripperGoals++;
    const goal = this.gripperAdapter.send(target, this.gripper);
    goal.result.catch((e: Error) => {
      // Not reached: forget it, so that the next plan asking for it sends it again (the deadband
      // would otherwise take the failed target for the current one).
      if (this.gripperTarget === target) this.gripperTarget = null;
      this.gripperFailures++;
      this.t.log.warn({ action: goal.action, target, err: e.message }, "gripper goal failed");
    });
  }

  private tick(): void {
    const s = this.options.settings;
    const now = this.t.clock.now();
    this.ticks++;
    const guards = tickGuards(now, this.state?.receivedAt ?? null, this.planReceivedAt, this.estop.snapshot(), this.streamer.moving, s.envelope);
    if (guards.length > 0) {
      this.streamer.hold();
      this.command.hold(now);
      const estopped = guards.some((g) => g.stage === "estop");
      this.setMode(estopped ? ACTUATOR_CODES.estopped : ACTUATOR_CODES.holding, guards.map((g) => g.reason).join("; "), false);
    } else if (this.state !== null) {
      const step = this.streamer.tick(s.commandPeriod);
      const measured = poseFromVector(this.state.flange);
      if (step !== null) this.command.send({ target: step.pose, measured }, now);
      if (this.mode.code === ACTUATOR_CODES.tracking) {
        const u = this.settle.update(measured, now);
        if (u.state === "settled") this.setMode(ACTUATOR_CODES.settled, u.reason);
        else if (u.state === "timeout") this.setMode(ACTUATOR_CODES.holding, u.reason);
      }
    }
    if (this.ticks % this.options.statusEveryTicks === 0) this.emitStatus();
  }

  /** Changes the reported mode; publishes at once when it changed (events are never rate-limited). */
  private setMode(code: number, message: string, force = true): void {
    const changed = code !== this.mode.code || (force && message !== this.mode.message);
    this.mode = { code, message };
    if (changed) this.emitStatus();
  }

  private emitStatus(): void {
    const s = this.options.settings;
    const now = this.t.clock.now();
    const result = this.last.result;
    const commanded = result?.commanded ?? ZERO_DELTA;
    const delta = (d: readonly number[]): EndEffectorDeltaMsg => endEffectorDeltaMsg(d, this.last.stamp, s.frameId);
    const goal = this.streamer.goal;
    const target: RigidPose = goal ?? { position: [0, 0, 0], orientation: [0, 0, 0, 1] };
    this.lastStatus = {
      header: { stamp: timeFromSeconds(now), frame_id: s.frameId },
      code: this.mode.code,
      message: this.mode.message,
      estopped: this.estop.latched,
      state_fresh: this.state !== null && now - this.state.receivedAt <= s.envelope.stateTimeout,
      plan_fresh: this.planReceivedAt !== null && now - this.planReceivedAt <= s.envelope.planTimeout,
      limits_applied: result?.limitsApplied ? [...result.limitsApplied] : [],
      requested: delta(this.last.requested),
      commanded: delta(commanded),
      has_target: goal !== null,
      target: poseStamped(s.stateIsTcp ? flangeToTcp(target, s.tcpOffset) : target, s.frameId, now),
      gripper_target: this.gripperTarget ?? Number.NaN,
    };
    this.publishStatus(this.lastStatus);
  }
}
