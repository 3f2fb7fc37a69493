/**
 * Seeded property test of the actuator's safety envelope, as it reaches the wire.
 *
 * Each episode draws valid `actuator` parameters (tiny and large boxes, zero and large step limits, slow and
 * fast command rates, TCP or flange bounded point, either adapter), then a sequence of events: robot poses
 * (inside, on and outside the box; NaN / Inf / huge components; non-unit and zero quaternions), gripper
 * states, planned deltas (NaN, ±Inf, ±1e300, 1e-300, -0, denormals, rotations near π, adversarial pushes
 * into one wall, oscillations, rotations at a wall), e-stop triggers and resets, robot and planner silence,
 * and clock jumps both ways, with control ticks in between.
 *
 * The events drive `ActuatorModel`, which chains the pure actuator pieces exactly as `ActuatorNode` does
 * (onPose / onGripper / onPlan / e-stop services / tick); `runEnvelopeFuzz` can also drive the real
 * `ActuatorNode` through a synchronous in-memory transport on the same events and require the same
 * commands bit for bit (`conformanceEvery`), so the model cannot drift from the node.
 *
 * `EnvelopeChecker` judges every command that goes out (pose target, or twist and the streamed target it
 * tracks, and gripper goals) against the documented promises, from its own record of the inputs:
 *   - nothing while the e-stop is latched or the state watchdog trips; no motion while the plan is stale;
 *   - no motion without an accepted plan since the last hold (hold means "command nothing new");
 *   - every plan target within the per-step bounds of the measured pose it was built from (rotation ≤
 *     max_step_rotation; flange translation ≤ max_step_translation, or, when the box bounds the TCP, ≤
 *     hypot(max_step_translation, the TCP's swing from the rotation): the box shifts the flange with the
 *     TCP) plus, from a measured point outside the box, the way back in; its bounded point inside the box;
 *     no plan accepted from a measured point farther outside than workspace_margin (workspaceBox.ts);
 *   - every streamed target within the speed limits of the one before (per tick of the command period),
 *     and never further out of the box than the previous target or the plan's target;
 *   - twists within the speed limits; gripper targets within [min, max] and one step of the state (of the
 *     state clipped into [min, max] when it is outside), gripper goals only for accepted plans;
 *   - everything finite, orientations unit quaternions.
 * Violations carry the seed, episode and event index, so `runEnvelopeFuzz({ seed, firstEpisode, episodes: 1,
 * trace })` replays one (or `runEnvelopeFuzz.ts --seed S --first-episode E --episodes 1 --trace`).
 */
import { xoroshiro128plus } from "pure-rand";
import { defaultConfig } from "../../src/config/configFile";
import type { Config } from "../../src/config/parameters";
import { quaternionToEulerXyz } from "../../src/pose/poseMath";
import { ActuatorNode } from "../../src/nodes/ActuatorNode";
// From the modules themselves, not the index: its re-exports are getters, costly in the hot loop.
import { actuatorSettingsFrom, type ActuatorSettings } from "../../src/nodes/actuator/actuatorSettings";
import { EStopLatch } from "../../src/nodes/actuator/estopLatch";
import { closednessFromJointState, closednessToWidth } from "../../src/nodes/actuator/gripperWidth";
import { frankaGripperGoal, gripperCommandGoal, poseStamped, type PoseStampedMsg, type TwistStampedMsg } from "../../src/nodes/actuator/messages";
import {
  angleBetween,
  distance,
  poseFromVector,
  quatFromEuler,
  quatNormalize,
  rotateVector,
  type Quat,
  type RigidPose,
  type Vec3,
} from "../../src/nodes/actuator/rigidPose";
import { applySafetyEnvelope, tickGuards, type EnvelopeResult } from "../../src/nodes/actuator/safetyEnvelope";
import type { StageName } from "../../src/nodes/actuator/stage";
import { TargetStreamer, type StreamLimits, type StreamStep } from "../../src/nodes/actuator/targetStreamer";
import { flangeToTcp, tcpToFlange } from "../../src/nodes/actuator/tcpFlange";
import { twistToward, zeroTwist, type Twist } from "../../src/nodes/actuator/twistCommand";
import { endEffectorDeltaMsg } from "../../src/nodes/messages";
import type { JointStateMsg } from "../../src/nodes/PlannerNode";
import { readJointState, readPose } from "../../src/nodes/inputChecks";
import { NODE_ACTIONS, NODE_SERVICES, NODE_TOPICS } from "../../src/nodes/topics";
import type { Clock, Transport } from "../../src/nodes/transport/Transport";
import { deriveSeed } from "../../src/sim/simRandom";
import { silentLogger } from "../../src/log";

// ---------------------------------------------------------------------------------------------------------
// Random numbers
// ---------------------------------------------------------------------------------------------------------

/** Uniform and derived draws from pure-rand's xoroshiro128+. */
export class FuzzRandom {
  private readonly rng: ReturnType<typeof xoroshiro128plus>;

  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed | 0);
    for (let i = 0; i < 8; i++) this.rng.unsafeNext(); // the first outputs of a 32-bit seed are weak
  }

  /** Uniform in [0, 1), 53 bits. */
  uniform(): number {
    const hi = this.rng.unsafeNext() >>> 11;
    const lo = this.rng.unsafeNext() >>> 0;
    return (hi * 4294967296 + lo) / 9007199254740992;
  }

  range(lo: number, hi: number): number {
    return lo + (hi - lo) * this.uniform();
  }

  /** Log-uniform in [lo, hi] (both > 0). */
  logRange(lo: number, hi: number): number {
    return Math.min(hi, lo * Math.exp(Math.log(hi / lo) * this.uniform()));
  }

  int(n: number): number {
    return Math.min(n - 1, Math.floor(this.uniform() * n));
  }

  chance(p: number): boolean {
    return this.uniform() < p;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)];
  }

  /** Picks by weight: `[[weight, value], ...]`. */
  weighted<T>(table: ReadonlyArray<readonly [number, T]>): T {
    let total = 0;
    for (const [w] of table) total += w;
    let u = this.uniform() * total;
    for (const [w, v] of table) {
      u -= w;
      if (u < 0) return v;
    }
    return table[table.length - 1][1];
  }

  normal(): number {
    const u = 1 - this.uniform();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.uniform());
  }

  sign(): number {
    return this.chance(0.5) ? 1 : -1;
  }

  /** A uniformly random unit vector. */
  direction(): Vec3 {
    for (;;) {
      const v: Vec3 = [this.normal(), this.normal(), this.normal()];
      const n = Math.hypot(v[0], v[1], v[2]);
      if (n > 1e-6) return [v[0] / n, v[1] / n, v[2] / n];
    }
  }
}

/** Values that break naive arithmetic: non-finite ones. */
export const NON_FINITE = [Number.NaN, Infinity, -Infinity] as const;
/** Finite values that break naive arithmetic: huge, tiny, denormal, signed zero, angles at ±π. */
export const FINITE_SPECIAL = [
  1e300,
  -1e300,
  Number.MAX_VALUE,
  -Number.MAX_VALUE,
  1.7e308,
  -1.7e308,
  1e30,
  -1e30,
  1e10,
  -1e10,
  1e-300,
  -1e-300,
  5e-324,
  -5e-324,
  2.2250738585072014e-308,
  1e-310,
  0,
  -0,
  Number.EPSILON,
  Math.PI,
  -Math.PI,
  Math.PI - 1e-12,
  -Math.PI + 1e-12,
  Math.PI / 2,
  -Math.PI / 2,
  2 * Math.PI,
  3 * Math.PI,
] as const;

// ---------------------------------------------------------------------------------------------------------
// Random, valid actuator parameters
// ---------------------------------------------------------------------------------------------------------

type ActuatorConfig = Config["actuator"];

/** Within the parameter's declared range: often the default, sometimes an end of the range. */
function param(r: FuzzRandom, def: number, lo: number, hi: number, log: boolean): number {
  const u = r.uniform();
  if (u < 0.25) return def;
  if (u < 0.32) return lo;
  if (u < 0.38) return hi;
  if (log && lo > 0) return r.logRange(lo, hi);
  if (log) return r.chance(0.2) ? lo : r.logRange(Math.max(hi * 1e-9, 1e-12), hi);
  return r.range(lo, hi);
}

/** A random actuator configuration that `actuatorSettingsFrom` accepts (every value within its range). */
let defaults: ActuatorConfig | null = null;

export function randomActuatorConfig(r: FuzzRandom): ActuatorConfig {
  defaults ??= defaultConfig().actuator;
  const d = defaults;
  const a: ActuatorConfig = { ...d };
  a.adapter = r.pick(["pose_target", "twist"]);
  a.gripper_adapter = r.pick(["franka", "gripper_command", "none"]);
  a.command_rate = param(r, d.command_rate, 1, 1000, true);
  a.state_timeout = param(r, d.state_timeout, 0.001, 60, true);
  a.plan_timeout = param(r, d.plan_timeout, 0.001, 3600, true);
  a.max_step_translation = param(r, d.max_step_translation, 0, 0.5, true);
  a.max_step_rotation = param(r, d.max_step_rotation, 0, 3.14159, true);
  a.max_linear_speed = param(r, d.max_linear_speed, 0.001, 2, true);
  a.max_angular_speed = param(r, d.max_angular_speed, 0.001, 3, true);
  a.max_linear_acceleration = param(r, d.max_linear_acceleration, 0.001, 13, true);
  a.max_angular_acceleration = param(r, d.max_angular_acceleration, 0.001, 25, true);
  a.twist_gain = param(r, d.twist_gain, 0.01, 100, true);
  a.workspace_point = r.pick(["tcp", "flange"]);
  a.workspace_margin = param(r, d.workspace_margin, 0, 0.5, false);
  const box = r.weighted<"default" | "random" | "tiny" | "large" | "thin">([
    [3, "default"],
    [3, "random"],
    [1.5, "tiny"],
    [1, "large"],
    [1.5, "thin"],
  ]);
  if (box === "large") {
    a.workspace_min = [-2, -2, -2];
    a.workspace_max = [2, 2, 2];
  } else if (box !== "default") {
    const min: number[] = [];
    const max: number[] = [];
    for (let i = 0; i < 3; i++) {
      const thin = box === "tiny" || (box === "thin" && r.chance(0.5));
      const w = thin ? r.logRange(1e-9, 1e-3) : r.range(0.01, 4);
      const lo = r.range(-2, 2 - w);
      min.push(lo);
      max.push(Math.min(2, lo + w));
      if (!(min[i] < max[i])) max[i] = 2; // rounding at the top of the range
    }
    a.workspace_min = min;
    a.workspace_max = max;
  }
  const gLo = r.chance(0.6) ? 0 : r.uniform();
  const gHi = r.chance(0.6) ? 1 : r.range(gLo, 1);
  a.gripper_min = Math.min(gLo, gHi);
  a.gripper_max = Math.max(gLo, gHi);
  a.max_step_gripper = param(r, d.max_step_gripper, 0, 1, false);
  a.gripper_deadband = param(r, d.gripper_deadband, 0, 1, false);
  a.gripper_max_width = param(r, d.gripper_max_width, 0.001, 0.5, true);
  const tcp = r.weighted<"default" | "zero" | "random">([
    [3, "default"],
    [1, "zero"],
    [2, "random"],
  ]);
  if (tcp === "zero") {
    a.tcp_offset_xyz = [0, 0, 0];
    a.tcp_offset_rpy = [0, 0, 0];
  } else if (tcp === "random") {
    a.tcp_offset_xyz = [r.range(-1, 1), r.range(-1, 1), r.range(-1, 1)];
    a.tcp_offset_rpy = [r.range(-Math.PI, Math.PI), r.range(-Math.PI, Math.PI), r.range(-Math.PI, Math.PI)];
  }
  a.state_is_tcp = r.chance(0.6);
  a.settle_position_tolerance = param(r, d.settle_position_tolerance, 0, 0.5, true);
  a.settle_rotation_tolerance = param(r, d.settle_rotation_tolerance, 0, 3.14159, true);
  return a;
}

// ---------------------------------------------------------------------------------------------------------
// The command path of ActuatorNode, on the pure pieces
// ---------------------------------------------------------------------------------------------------------

/** The streamer interface the node uses (so a test can swap in a broken one). */
export interface StreamerLike {
  limits: StreamLimits;
  start(pose: RigidPose): void;
  setGoal(goal: RigidPose): boolean;
  hold(): void;
  tick(dt: number): StreamStep | null;
  readonly moving: boolean;
}

/** The pieces `ActuatorModel` chains; defaults are the real ones. Tests swap in broken ones to see the checker fail. */
export interface ActuatorParts {
  envelope: typeof applySafetyEnvelope;
  guards: typeof tickGuards;
  twist: typeof twistToward;
  streamer: (settings: ActuatorSettings) => StreamerLike;
}

export const REAL_PARTS: ActuatorParts = {
  envelope: applySafetyEnvelope,
  guards: tickGuards,
  twist: twistToward,
  streamer: (s) => new TargetStreamer(s.stream),
};

/** A gripper goal as sent: the action, the goal message, and the closedness it was made from. */
export interface GripperGoalOut {
  action: string;
  goal: unknown;
  closedness: number;
}

export interface PlanOut {
  result: EnvelopeResult;
  gripperGoal: GripperGoalOut | null;
}

export interface TickOut {
  /** Stages of the tick guards that refused (the node held). */
  guards: StageName[];
  /** The pose published on the target topic (TCP or flange, as `state_is_tcp`), or null. */
  pose: RigidPose | null;
  /** The twist published, or null. */
  twist: Twist | null;
  /** The streamer's step (flange), the target a twist tracks; null when not ticked. */
  streamTarget: RigidPose | null;
}

/** The command path of `ActuatorNode` (src/nodes/ActuatorNode.ts), statement for statement, without I/O. */
export class ActuatorModel {
  private readonly estop = new EStopLatch();
  private readonly streamer: StreamerLike;
  private state: { flange: number[]; pose: RigidPose; receivedAt: number } | null = null;
  private gripper: number | null = null;
  private planReceivedAt: number | null = null;
  private gripperTarget: number | null = null;

  constructor(
    private readonly s: ActuatorSettings,
    private readonly parts: ActuatorParts = REAL_PARTS,
  ) {
    this.streamer = parts.streamer(s);
  }

  /** ActuatorNode.onPose (of the message `poseStamped(msg)`); returns whether the pose was taken. */
  onPose(msg: RigidPose, now: number): boolean {
    let pose: RigidPose;
    try {
      pose = readPose(poseStamped(msg, this.s.frameId, now));
    } catch {
      return false;
    }
    const flangePose = this.s.stateIsTcp ? tcpToFlange(pose, this.s.tcpOffset) : pose;
    const euler = Array.from(quaternionToEulerXyz(flangePose.orientation));
    const first = this.state === null;
    this.state = { flange: [...flangePose.position, ...euler], pose: flangePose, receivedAt: now };
    if (first) this.streamer.start(flangePose);
    return true;
  }

  /** ActuatorNode.onGripper. */
  onGripper(names: readonly string[], positions: readonly number[]): void {
    let g: number | null;
    try {
      const js = readJointState({ name: [...names], position: [...positions] });
      g = closednessFromJointState(js.name, js.position, this.s.gripper.maxWidth);
    } catch {
      return;
    }
    if (g !== null) this.gripper = g;
  }

  /** The e-stop service. */
  estopService(now: number): void {
    this.estop.trigger("e-stop service called", now);
    this.streamer.hold();
  }

  /** The reset service. */
  resetService(): void {
    this.estop.reset();
    this.planReceivedAt = null;
    if (this.state !== null) this.streamer.start(this.state.pose);
  }

  /** ActuatorNode.onPlan. */
  onPlan(delta: readonly number[], now: number): PlanOut {
    this.planReceivedAt = now;
    const gripper = this.s.gripperAdapter === "none" ? 0 : (this.gripper ?? Number.NaN);
    const state = this.state === null ? [Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN, Number.NaN] : [...this.state.flange, gripper];
    const result = this.parts.envelope(
      { delta: [...delta], state, now, stateReceivedAt: this.state?.receivedAt ?? null, planReceivedAt: now, estop: this.estop.snapshot() },
      this.s.envelope,
    );
    if (result.target === null) {
      this.streamer.hold();
      return { result, gripperGoal: null };
    }
    this.streamer.setGoal(poseFromVector(result.target));
    return { result, gripperGoal: this.commandGripper(result.target[6]) };
  }

  private commandGripper(target: number): GripperGoalOut | null {
    const s = this.s;
    if (s.gripperAdapter === "none") return null;
    if (this.gripperTarget !== null && Math.abs(target - this.gripperTarget) < s.gripperDeadband) return null;
    this.gripperTarget = target;
    if (s.gripperAdapter === "franka") {
      const g = frankaGripperGoal(target, this.gripper, s.gripper);
      return { action: g.action === "grasp" ? NODE_ACTIONS.gripperGrasp : NODE_ACTIONS.gripperMove, goal: g.goal, closedness: target };
    }
    return { action: NODE_ACTIONS.gripperCommand, goal: gripperCommandGoal(target, s.gripper), closedness: target };
  }

  /** ActuatorNode.tick (the command part). */
  tick(now: number): TickOut {
    const s = this.s;
    const guards = this.parts.guards(now, this.state?.receivedAt ?? null, this.planReceivedAt, this.estop.snapshot(), this.streamer.moving, s.envelope);
    const out: TickOut = { guards: guards.map((g) => g.stage), pose: null, twist: null, streamTarget: null };
    if (guards.length > 0) {
      this.streamer.hold();
      if (s.adapter === "twist") out.twist = zeroTwist();
    } else if (this.state !== null) {
      const step = this.streamer.tick(s.commandPeriod);
      if (step !== null) {
        out.streamTarget = step.pose;
        if (s.adapter === "pose_target") out.pose = s.stateIsTcp ? flangeToTcp(step.pose, s.tcpOffset) : step.pose;
        else out.twist = this.parts.twist(poseFromVector(this.state.flange), step.pose, s.twist);
      }
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------------------
// The real ActuatorNode on a synchronous in-memory transport (for conformance)
// ---------------------------------------------------------------------------------------------------------

class ManualClock implements Clock {
  t = 0;
  timer: (() => void) | null = null;
  now(): number {
    return this.t;
  }
  every(_periodS: number, callback: () => void): () => void {
    this.timer = callback;
    return () => {
      this.timer = null;
    };
  }
}

/** Delivers synchronously and records what is published and every action goal sent. */
class SyncTransport implements Transport {
  readonly nodeName = "actuator";
  readonly log = silentLogger;
  readonly clock = new ManualClock();
  readonly subs = new Map<string, (m: unknown) => void>();
  readonly services = new Map<string, (req: unknown) => unknown>();
  published: Array<{ topic: string; msg: unknown }> = [];
  goals: Array<{ name: string; goal: unknown }> = [];

  publisher<T>(_type: string, topic: string): (msg: T) => void {
    return (msg: T) => {
      if (topic !== NODE_TOPICS.actuatorStatus) this.published.push({ topic, msg });
    };
  }
  subscribe<T>(_type: string, topic: string, _qos: unknown, callback: (msg: T) => void): () => void {
    this.subs.set(topic, callback as (m: unknown) => void);
    return () => this.subs.delete(topic);
  }
  service<Req, Res>(_type: string, name: string, handler: (req: Req) => Promise<Res> | Res): () => void {
    this.services.set(name, handler as (req: unknown) => unknown);
    return () => this.services.delete(name);
  }
  sendGoal<Goal, Result>(_type: string, name: string, goal: Goal): Promise<Result> {
    this.goals.push({ name, goal });
    return new Promise<Result>(() => undefined); // never answers: no failure path to interleave
  }
  async close(): Promise<void> {}
}

/** The real node, driven event by event; outputs in the model's shapes. */
class NodeUnderTest {
  private readonly t = new SyncTransport();
  private readonly node: ActuatorNode;

  constructor(
    private readonly s: ActuatorSettings,
    statusEveryTicks: number,
  ) {
    this.node = new ActuatorNode(this.t, { settings: s, settleTimeout: 5, statusEveryTicks });
    this.node.start();
  }

  private deliver(topic: string, msg: unknown, now: number): void {
    this.t.clock.t = now;
    this.t.subs.get(topic)!(msg);
  }

  /** Commands published since the last tick (the node only commands from its timer: must be 0). */
  publishedBetweenTicks(): number {
    const n = this.t.published.length;
    this.t.published = [];
    return n;
  }

  /** Header stamps are anything but the receipt time: the actuator must judge ages by receipt only. */
  private stamp(now: number): number {
    return [now, now - 1000, 0, now + 100][this.stamps++ % 4];
  }
  private stamps = 0;

  pose(p: RigidPose, now: number): void {
    this.deliver(NODE_TOPICS.eePose, poseStamped(p, this.s.frameId, this.stamp(now)), now);
  }

  gripper(names: readonly string[], positions: readonly number[], now: number): void {
    const m: JointStateMsg = { header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "" }, name: [...names], position: [...positions], velocity: [], effort: [] };
    this.deliver(NODE_TOPICS.gripper, m, now);
  }

  plan(delta: readonly number[], now: number): Array<{ name: string; goal: unknown }> {
    this.t.goals = [];
    this.deliver(NODE_TOPICS.plannedAction, endEffectorDeltaMsg(delta, this.stamp(now), this.s.frameId), now);
    return this.t.goals;
  }

  estop(now: number): void {
    this.t.clock.t = now;
    this.t.services.get(NODE_SERVICES.estop)!({});
  }

  reset(now: number): void {
    this.t.clock.t = now;
    this.t.services.get(NODE_SERVICES.reset)!({});
  }

  tick(now: number): { pose: RigidPose | null; twist: Twist | null; count: number } {
    this.t.clock.t = now;
    this.t.clock.timer!();
    let pose: RigidPose | null = null;
    let twist: Twist | null = null;
    for (const { topic, msg } of this.t.published) {
      if (topic === NODE_TOPICS.targetPose) {
        const m = (msg as PoseStampedMsg).pose;
        pose = { position: [m.position.x, m.position.y, m.position.z], orientation: [m.orientation.x, m.orientation.y, m.orientation.z, m.orientation.w] };
      } else if (topic === NODE_TOPICS.twist) {
        const m = (msg as TwistStampedMsg).twist;
        twist = { linear: [m.linear.x, m.linear.y, m.linear.z], angular: [m.angular.x, m.angular.y, m.angular.z] };
      }
    }
    const count = this.t.published.length;
    this.t.published = [];
    return { pose, twist, count };
  }
}

function sameNumbers(a: ArrayLike<number>, b: ArrayLike<number>): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return false;
  return true;
}

function samePose(a: RigidPose | null, b: RigidPose | null): boolean {
  if (a === null || b === null) return a === b;
  return sameNumbers(a.position, b.position) && sameNumbers(a.orientation, b.orientation);
}

function sameTwist(a: Twist | null, b: Twist | null): boolean {
  if (a === null || b === null) return a === b;
  return sameNumbers(a.linear, b.linear) && sameNumbers(a.angular, b.angular);
}

// ---------------------------------------------------------------------------------------------------------
// The checker
// ---------------------------------------------------------------------------------------------------------

export type ViolationKind =
  | "finite"
  | "estop"
  | "state_watchdog"
  | "plan_watchdog"
  | "hold"
  | "step_translation"
  | "step_rotation"
  | "workspace_box"
  | "speed_linear"
  | "speed_angular"
  | "twist_linear"
  | "twist_angular"
  | "gripper"
  | "conformance";

export interface Violation {
  seed: number;
  episode: number;
  /** Index of the event in the episode (see `trace`). */
  event: number;
  kind: ViolationKind;
  message: string;
}

/**
 * Tolerances for float rounding. Absolute ones are tiny; positions also get a relative part because a
 * huge (finite) measured coordinate carries a huge absolute rounding error. `rotation` covers the Euler
 * round trips (state and target travel as extrinsic xyz angles, which lose up to ~2e-7 rad within
 * GIMBAL_LOCK_TOLERANCE of pitch ±π/2); the box allows what that moves a TCP at the end of its lever.
 */
export const TOLERANCE = { position: 1e-9, relative: 1e-12, rotation: 1e-6, speedRelative: 1e-9 } as const;

/**
 * Per invariant, the closest call: the value's excess over its bound (negative: the margin left) and the
 * float tolerance allowed there, for the check with the largest excess / tolerance.
 */
export type Excess = Partial<Record<ViolationKind, { excess: number; tolerance: number }>>;

/** Keeps in `into` whichever of its entry and `e` came closer to the tolerance. */
export function worseExcess(into: Excess, kind: ViolationKind, e: { excess: number; tolerance: number }): void {
  const ratio = (x: { excess: number; tolerance: number }): number => (Number.isNaN(x.excess) ? Infinity : x.excess / Math.max(x.tolerance, Number.MIN_VALUE));
  const cur = into[kind];
  if (cur === undefined || ratio(e) > ratio(cur)) into[kind] = { excess: Number.isNaN(e.excess) ? Infinity : e.excess, tolerance: e.tolerance };
}

const BOX_AXES = ["x", "y", "z"];

function finiteAll(xs: ArrayLike<number>): boolean {
  for (let i = 0; i < xs.length; i++) if (!Number.isFinite(xs[i])) return false;
  return true;
}

function magnitude(p: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < p.length; i++) m = Math.max(m, Math.abs(p[i]));
  return m;
}

function clonePose(p: RigidPose): RigidPose {
  return { position: [p.position[0], p.position[1], p.position[2]], orientation: [p.orientation[0], p.orientation[1], p.orientation[2], p.orientation[3]] };
}

function isZeroTwist(t: Twist): boolean {
  const l = t.linear;
  const a = t.angular;
  return l[0] === 0 && l[1] === 0 && l[2] === 0 && a[0] === 0 && a[1] === 0 && a[2] === 0;
}

const f = (x: number): string => (Number.isFinite(x) ? Number(x.toPrecision(6)).toString() : String(x));
const fv = (xs: ArrayLike<number>): string => `[${Array.from(xs, f).join(", ")}]`;

/**
 * Judges what the actuator does from its own record of the inputs (it never reads the actuator's state).
 * Feed it every event in order; it calls `report` for each broken promise.
 */
export class EnvelopeChecker {
  private latched = false;
  private stateAt: number | null = null;
  /** The last usable measured pose: flange (unit quaternion) and the bounded point. */
  private measured: { flange: RigidPose; point: Vec3 } | null = null;
  private gripperState: number | null = null;
  private planAt: number | null = null;
  /** The pose the actuator commands now (flange), as the checker followed it. */
  private commanded: RigidPose | null = null;
  /** Where it may move to: the last accepted plan's target, or `commanded` after a hold. */
  private goal: RigidPose | null = null;
  readonly excess: Excess = {};
  /** Commands sent while the last state's receipt time was ahead of the clock (it went back). */
  futureStateCommands = 0;

  /** Box tolerance (m): float rounding, plus the TCP's share of the Euler round trips' rotation error. */
  private readonly boxTolerance: number;

  constructor(
    private readonly s: ActuatorSettings,
    private readonly report: (kind: ViolationKind, message: string) => void,
  ) {
    const lever = s.envelope.workspacePoint === "tcp" ? Math.hypot(...s.envelope.tcpOffset.position) : 0;
    this.boxTolerance = TOLERANCE.position + lever * TOLERANCE.rotation;
  }

  /** Whether the checker's own record says the e-stop is latched. */
  get estopLatched(): boolean {
    return this.latched;
  }

  /** The bounded point (TCP or flange) of a flange pose. */
  point(flange: RigidPose): Vec3 {
    const p = flange.position;
    if (this.s.envelope.workspacePoint !== "tcp") return [p[0], p[1], p[2]];
    const r = rotateVector(flange.orientation, this.s.envelope.tcpOffset.position); // flangeToTcp's position
    return [p[0] + r[0], p[1] + r[1], p[2] + r[2]];
  }

  private bound(kind: ViolationKind, value: number, limit: number, tol: number, what: () => string): void {
    worseExcess(this.excess, kind, { excess: value - limit, tolerance: tol });
    if (!(value <= limit + tol)) this.report(kind, `${what()}: ${f(value)} > ${f(limit)}`);
  }

  private stateStale(now: number): boolean {
    return this.stateAt === null || now - this.stateAt > this.s.envelope.stateTimeout;
  }

  private planStale(now: number): boolean {
    return this.planAt === null || now - this.planAt > this.s.envelope.planTimeout;
  }

  private holdHere(): void {
    this.goal = this.commanded === null ? null : clonePose(this.commanded);
  }

  /**
   * A robot pose message (TCP or flange as `state_is_tcp`). Usable: finite, and a unit quaternion within
   * tf2's tolerance (|q|² − 1 ≤ 0.01, as src/nodes/inputChecks.ts), taken normalised.
   */
  pose(msg: RigidPose, now: number): void {
    if (!finiteAll(msg.position) || !finiteAll(msg.orientation)) return;
    const q = msg.orientation;
    if (!(Math.abs(q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3] - 1) <= 0.01)) return;
    const p: RigidPose = { position: [...msg.position] as Vec3, orientation: quatNormalize(q) };
    const flange = this.s.stateIsTcp ? tcpToFlange(p, this.s.tcpOffset) : p;
    this.measured = { flange, point: this.point(flange) };
    this.stateAt = now;
    if (this.commanded === null) {
      this.commanded = clonePose(flange); // the streamer starts (and holds) where the robot is
      this.goal = clonePose(flange);
    }
  }

  gripper(names: readonly string[], positions: readonly number[]): void {
    const g = closednessFromJointState(names, positions, this.s.gripper.maxWidth);
    if (g !== null) this.gripperState = g;
  }

  estop(): void {
    this.latched = true;
    this.holdHere();
  }

  reset(): void {
    this.latched = false;
    this.planAt = null; // a plan from before the e-stop must not resume
    // The stream restarts at rest where the arm was measured (it may have been moved while stopped).
    if (this.measured !== null) {
      this.commanded = clonePose(this.measured.flange);
      this.goal = clonePose(this.measured.flange);
    }
  }

  plan(delta: readonly number[], now: number, out: PlanOut): void {
    const s = this.s;
    const e = s.envelope;
    this.planAt = now;
    const r = out.result;
    if (r.target === null) {
      if (out.gripperGoal !== null) this.report("gripper", "gripper goal sent for a refused plan");
      this.holdHere();
      return;
    }
    if (this.latched) this.report("estop", "plan accepted while the e-stop is latched");
    if (this.stateStale(now))
      this.report("state_watchdog", `plan accepted with a stale state (received ${this.stateAt === null ? "never" : `${f(now - this.stateAt)} s ago`})`);
    if (delta.length !== 7 || !finiteAll(delta)) this.report("finite", `plan with a non-finite delta ${fv(delta)} accepted`);
    const gripperNow = s.gripperAdapter === "none" ? 0 : this.gripperState;
    if (gripperNow === null) this.report("finite", "plan accepted without a gripper state");
    const t = r.target;
    if (t.length !== 7 || !finiteAll(t)) {
      this.report("finite", `non-finite target ${fv(t)}`);
      this.holdHere();
      return;
    }
    if (this.measured === null) {
      this.report("state_watchdog", "plan accepted before any usable state");
      this.holdHere();
      return;
    }
    const m = this.measured;
    const goal = poseFromVector(t);
    const scale = Math.max(1, magnitude(m.flange.position), magnitude(goal.position));
    const tolP = TOLERANCE.position + TOLERANCE.relative * scale;
    // Per-step bounds relative to the measured pose. The box shifts the flange with the bounded point; for
    // the TCP that shift can add the TCP's swing from the rotation (|R_goal·l − R_state·l|) to the flange
    // translation, never more (see workspaceBox.ts / safetyEnvelope.ts).
    const lever = e.tcpOffset.position;
    const swing = e.workspacePoint === "tcp" ? distance(rotateVector(goal.orientation, lever), rotateVector(m.flange.orientation, lever)) : 0;
    // From outside the box (within the margin) the target goes back in: that way back is allowed on top.
    const excess = [0, 1, 2].map((i) => Math.max(0, e.workspace.min[i] - m.point[i], m.point[i] - e.workspace.max[i]));
    const stepLimit = Math.hypot(e.maxStepTranslation, swing) + Math.hypot(excess[0], excess[1], excess[2]);
    this.bound(
      "workspace_box",
      Math.max(...excess),
      e.workspaceMargin,
      1e-12,
      () => `plan accepted from a measured ${e.workspacePoint} ${fv(m.point)} outside the box by more than the margin`,
    );
    this.bound(
      "step_translation",
      distance(goal.position, m.flange.position),
      stepLimit,
      tolP,
      () => `plan target ${fv(goal.position)} from measured flange ${fv(m.flange.position)}: translation`,
    );
    this.bound(
      "step_rotation",
      angleBetween(goal.orientation, m.flange.orientation),
      e.maxStepRotation,
      TOLERANCE.rotation,
      () => `plan target rotation from the measured one`,
    );
    // Box: inside.
    const gp = this.point(goal);
    const tolB = this.boxTolerance + TOLERANCE.relative * scale;
    for (let i = 0; i < 3; i++) {
      const lo = e.workspace.min[i];
      const hi = e.workspace.max[i];
      this.bound(
        "workspace_box",
        Math.max(lo - gp[i], gp[i] - hi),
        0,
        tolB,
        () =>
          `plan target ${e.workspacePoint} ${BOX_AXES[i]} = ${f(gp[i])} outside [${f(lo)}, ${f(hi)}] (box [${f(e.workspace.min[i])}, ${f(e.workspace.max[i])}], measured ${f(m.point[i])})`,
      );
    }
    // Gripper: in range, within a step of the state (of the state clipped into the range when it is outside).
    const g = t[6];
    this.bound("gripper", Math.max(e.gripperMin - g, g - e.gripperMax), 0, 0, () => `gripper target ${f(g)} outside [${f(e.gripperMin)}, ${f(e.gripperMax)}]`);
    if (gripperNow !== null) {
      const from = Math.min(e.gripperMax, Math.max(e.gripperMin, gripperNow));
      this.bound("gripper", Math.abs(g - from), e.maxStepGripper, 1e-12, () => `gripper target ${f(g)} from state ${f(gripperNow)}: step`);
    }
    const gg = out.gripperGoal;
    if (gg !== null) {
      if (s.gripperAdapter === "none") this.report("gripper", "gripper goal sent with gripper_adapter none");
      if (!Object.is(gg.closedness, g)) this.report("gripper", `gripper goal for ${f(gg.closedness)}, plan target ${f(g)}`);
      const width = (gg.goal as { width?: number }).width ?? 2 * (gg.goal as { command: { position: number } }).command.position;
      const wLo = closednessToWidth(e.gripperMax, s.gripper.maxWidth);
      const wHi = closednessToWidth(e.gripperMin, s.gripper.maxWidth);
      if (!(width >= wLo - 1e-12 && width <= wHi + 1e-12)) this.report("gripper", `gripper goal width ${f(width)} outside [${f(wLo)}, ${f(wHi)}]`);
    }
    this.goal = goal;
  }

  /** One control tick's output. For the twist adapter `streamTarget` is the pose the twist tracks. */
  tick(now: number, out: TickOut): void {
    const s = this.s;
    const e = s.envelope;
    const twistNonZero = out.twist !== null && !isZeroTwist(out.twist);
    if (out.twist !== null) {
      const v = Math.hypot(...out.twist.linear);
      const w = Math.hypot(...out.twist.angular);
      if (!finiteAll(out.twist.linear) || !finiteAll(out.twist.angular))
        this.report("finite", `non-finite twist ${fv(out.twist.linear)} ${fv(out.twist.angular)}`);
      this.bound("twist_linear", v, s.twist.maxLinearSpeed, s.twist.maxLinearSpeed * TOLERANCE.speedRelative, () => "twist linear speed");
      this.bound("twist_angular", w, s.twist.maxAngularSpeed, s.twist.maxAngularSpeed * TOLERANCE.speedRelative, () => "twist angular speed");
    }
    const target = s.adapter === "pose_target" ? (out.pose === null ? null : s.stateIsTcp ? tcpToFlange(out.pose, s.tcpOffset) : out.pose) : out.streamTarget;
    const commands = out.pose !== null || twistNonZero || target !== null;
    // Not a documented promise, counted for the report: after the clock went back, a state received "in the
    // future" has a negative age and passes the state watchdog until the clock catches up.
    if (commands && this.stateAt !== null && now < this.stateAt) this.futureStateCommands++;
    if (this.latched || this.stateStale(now)) {
      if (commands) {
        const why = this.latched ? "estop" : "state_watchdog";
        this.report(
          why,
          `${out.pose !== null ? "pose" : twistNonZero ? "non-zero twist" : "streamed target"} commanded while ${this.latched ? "the e-stop is latched" : `the state is stale (received ${this.stateAt === null ? "never" : `${f(now - this.stateAt)} s ago`})`}`,
        );
      }
      this.holdHere();
      return;
    }
    if (target === null) {
      if (twistNonZero) this.report("hold", "non-zero twist without a streamed target");
      this.holdHere(); // the node held (a tick guard): the goal is where it stands
      return;
    }
    if (out.pose !== null) {
      const q = out.pose.orientation;
      if (!finiteAll(out.pose.position) || !finiteAll(q)) this.report("finite", `non-finite pose command ${fv(out.pose.position)} ${fv(q)}`);
      else if (Math.abs(Math.hypot(q[0], q[1], q[2], q[3]) - 1) > 1e-9) this.report("finite", `pose command with a non-unit quaternion ${fv(q)}`);
    }
    if (!finiteAll(target.position) || !finiteAll(target.orientation)) {
      this.report("finite", `non-finite streamed target ${fv(target.position)} ${fv(target.orientation)}`);
      return;
    }
    if (this.commanded === null || this.goal === null) {
      this.report("state_watchdog", "command before any usable state");
      this.commanded = clonePose(target);
      this.goal = clonePose(target);
      return;
    }
    const c = this.commanded;
    const scale = Math.max(1, magnitude(c.position), magnitude(target.position), magnitude(this.goal.position));
    const tolP = TOLERANCE.position + TOLERANCE.relative * scale;
    const dt = s.commandPeriod;
    const moved = distance(c.position, target.position);
    const turned = angleBetween(c.orientation, target.orientation);
    const isMotion = moved > 2e-9 + tolP || turned > 2e-9 + 1e-12;
    if (isMotion && this.planStale(now))
      this.report(
        "plan_watchdog",
        `moved ${f(moved)} m, ${f(turned)} rad with the plan ${this.planAt === null ? "cleared" : `received ${f(now - this.planAt)} s ago`} > plan_timeout ${f(e.planTimeout)} s`,
      );
    const goalDist = distance(c.position, this.goal.position);
    const goalTurn = angleBetween(c.orientation, this.goal.orientation);
    if (isMotion && goalDist <= 1e-9 + tolP && goalTurn <= 1e-9 + 1e-12)
      this.report("hold", `moved ${f(moved)} m, ${f(turned)} rad with no accepted plan since the last hold`);
    this.bound(
      "speed_linear",
      moved,
      s.stream.maxLinearSpeed * dt,
      tolP + s.stream.maxLinearSpeed * dt * TOLERANCE.speedRelative,
      () => `streamed target moved in one tick of ${f(dt)} s`,
    );
    this.bound(
      "speed_angular",
      turned,
      s.stream.maxAngularSpeed * dt,
      1e-12 + s.stream.maxAngularSpeed * dt * TOLERANCE.speedRelative,
      () => `streamed target turned in one tick of ${f(dt)} s`,
    );
    // Box: inside, or no further out than where it came from or where it is going.
    const cp = this.point(c);
    const gp = this.point(this.goal);
    const tp = this.point(target);
    const tolB = this.boxTolerance + TOLERANCE.relative * scale;
    for (let i = 0; i < 3; i++) {
      const lo = Math.min(e.workspace.min[i], cp[i], gp[i]);
      const hi = Math.max(e.workspace.max[i], cp[i], gp[i]);
      this.bound(
        "workspace_box",
        Math.max(lo - tp[i], tp[i] - hi),
        0,
        tolB,
        () =>
          `streamed ${e.workspacePoint} ${BOX_AXES[i]} = ${f(tp[i])} outside [${f(lo)}, ${f(hi)}] (box [${f(e.workspace.min[i])}, ${f(e.workspace.max[i])}], from ${f(cp[i])} towards ${f(gp[i])})`,
      );
    }
    this.commanded = clonePose(target);
  }
}

// ---------------------------------------------------------------------------------------------------------
// Episode generation
// ---------------------------------------------------------------------------------------------------------

type PlanStyle = "random" | "push" | "oscillate" | "rotate" | "near_pi" | "special" | "tiny";

/** A random orientation of a kind that tends to break things. */
function randomQuat(r: FuzzRandom): Quat {
  const kind = r.weighted<string>([
    [5, "uniform"],
    [3, "down"],
    [1, "gimbal"],
    [1, "identity"],
    [1, "half_turn"],
    [0.5, "negative_w"],
  ]);
  switch (kind) {
    case "down":
      return quatFromEuler(Math.PI + r.normal() * 0.2, r.normal() * 0.2, r.range(-Math.PI, Math.PI));
    case "gimbal":
      return quatFromEuler(r.range(-Math.PI, Math.PI), r.sign() * (Math.PI / 2 + r.pick([0, 1e-9, -1e-9, 1e-7, -1e-7, 1e-5])), r.range(-Math.PI, Math.PI));
    case "identity":
      return [0, 0, 0, 1];
    case "half_turn": {
      const d = r.direction();
      return [d[0], d[1], d[2], r.pick([0, 1e-12, -1e-12])];
    }
    case "negative_w": {
      const q = quatFromEuler(r.range(-Math.PI, Math.PI), r.range(-1.5, 1.5), r.range(-Math.PI, Math.PI));
      return q[3] > 0 ? [-q[0], -q[1], -q[2], -q[3]] : q;
    }
    default: {
      const q: Quat = [r.normal(), r.normal(), r.normal(), r.normal()];
      return quatNormalize(q);
    }
  }
}

/** A quaternion as a broken driver might send it: slightly or badly non-unit, zero, tiny, huge. */
function brokenQuat(r: FuzzRandom, q: Quat): Quat {
  const k = r.pick([1 + 1e-7, 1 - 1e-7, 1.004, 0.996, 2, 0.5, 1e-3, 1e3, 1e-200, 1e200, 0]);
  return [q[0] * k, q[1] * k, q[2] * k, q[3] * k];
}

interface EpisodeContext {
  r: FuzzRandom;
  s: ActuatorSettings;
  checker: EnvelopeChecker;
  /** The last streamed target (flange), what a tracking robot follows. */
  commanded: RigidPose | null;
}

/** A measured pose message (TCP or flange as `state_is_tcp`). */
function measuredPose(ctx: EpisodeContext, style: { outside: number; broken: number }): RigidPose {
  const { r, s } = ctx;
  const e = s.envelope;
  const toMessage = (flange: RigidPose): RigidPose => (s.stateIsTcp ? flangeToTcp(flange, s.tcpOffset) : flange);
  const fromPoint = (point: Vec3, q: Quat): RigidPose => {
    const pose: RigidPose = { position: point, orientation: q };
    return toMessage(e.workspacePoint === "tcp" ? tcpToFlange(pose, e.tcpOffset) : pose);
  };
  const kind = r.weighted<string>([
    [ctx.commanded === null ? 0 : 6, "tracking"],
    [2, "inside"],
    [1, "wall"],
    [style.outside, "outside"],
    [style.broken, "huge"],
    [style.broken, "non_finite"],
  ]);
  let msg: RigidPose;
  const min = e.workspace.min;
  const max = e.workspace.max;
  switch (kind) {
    case "tracking": {
      const c = ctx.commanded!;
      const noise = r.pick([0, 0, 1e-6, 1e-4, 1e-3, 1e-2]);
      const pos: Vec3 = [c.position[0] + noise * r.normal(), c.position[1] + noise * r.normal(), c.position[2] + noise * r.normal()];
      const rot = quatFromEuler(noise * r.normal(), noise * r.normal(), noise * r.normal());
      const q = quatNormalize([
        rot[3] * c.orientation[0] + c.orientation[3] * rot[0] + (rot[1] * c.orientation[2] - rot[2] * c.orientation[1]),
        rot[3] * c.orientation[1] + c.orientation[3] * rot[1] + (rot[2] * c.orientation[0] - rot[0] * c.orientation[2]),
        rot[3] * c.orientation[2] + c.orientation[3] * rot[2] + (rot[0] * c.orientation[1] - rot[1] * c.orientation[0]),
        rot[3] * c.orientation[3] - rot[0] * c.orientation[0] - rot[1] * c.orientation[1] - rot[2] * c.orientation[2],
      ]);
      msg = toMessage({ position: pos, orientation: q });
      break;
    }
    case "inside":
      msg = fromPoint([r.range(min[0], max[0]), r.range(min[1], max[1]), r.range(min[2], max[2])], randomQuat(r));
      break;
    case "wall": {
      const p: Vec3 = [r.range(min[0], max[0]), r.range(min[1], max[1]), r.range(min[2], max[2])];
      const n = 1 + r.int(3); // a face, an edge or a corner
      for (let k = 0; k < n; k++) {
        const i = r.int(3);
        p[i] = r.chance(0.5) ? min[i] : max[i];
      }
      msg = fromPoint(p, randomQuat(r));
      break;
    }
    case "outside": {
      const p: Vec3 = [r.range(min[0], max[0]), r.range(min[1], max[1]), r.range(min[2], max[2])];
      const n = 1 + r.int(3);
      for (let k = 0; k < n; k++) {
        const i = r.int(3);
        const by = r.pick([1e-9, 1e-6, 1e-3, 0.05, 0.5, 3]) * r.uniform();
        p[i] = r.chance(0.5) ? min[i] - by : max[i] + by;
      }
      msg = fromPoint(p, randomQuat(r));
      break;
    }
    case "huge": {
      const p: Vec3 = [r.range(-1, 1), r.range(-1, 1), r.range(-1, 1)];
      p[r.int(3)] = r.pick(FINITE_SPECIAL);
      if (r.chance(0.3)) p[r.int(3)] = r.pick(FINITE_SPECIAL);
      msg = { position: p, orientation: randomQuat(r) };
      break;
    }
    default: {
      msg = fromPoint([r.range(min[0], max[0]), r.range(min[1], max[1]), r.range(min[2], max[2])], randomQuat(r));
      const values = [...msg.position, ...msg.orientation];
      values[r.int(7)] = r.pick(NON_FINITE);
      msg = { position: [values[0], values[1], values[2]], orientation: [values[3], values[4], values[5], values[6]] };
    }
  }
  if (r.chance(style.broken)) msg = { position: msg.position, orientation: brokenQuat(r, msg.orientation) };
  return msg;
}

interface PlanGenerator {
  next(r: FuzzRandom, index: number): number[];
}

function planGenerator(r: FuzzRandom, s: ActuatorSettings): PlanGenerator {
  const e = s.envelope;
  const style = r.weighted<PlanStyle>([
    [4, "random"],
    [2, "push"],
    [1.5, "oscillate"],
    [1.5, "rotate"],
    [1, "near_pi"],
    [1, "special"],
    [0.5, "tiny"],
  ]);
  const tScale = r.pick([0.1, 1, 3, 30]) * Math.max(e.maxStepTranslation, 1e-3) * (r.chance(0.1) ? 1e6 : 1);
  const rScale = r.pick([0.1, 1, 3, 10]) * Math.max(e.maxStepRotation, 1e-3);
  const dir = r.chance(0.5)
    ? r.direction()
    : ((): Vec3 => {
        const v: Vec3 = [0, 0, 0];
        v[r.int(3)] = r.sign();
        return v;
      })();
  const axis = r.direction();
  const fixedRot = quatFromAxisAngleEuler(axis, r.range(0, Math.PI));
  const gripper = (): number =>
    r.weighted<number>([
      [3, r.range(-1.5, 1.5)],
      [1, r.sign() * e.maxStepGripper],
      [1, r.pick([0, -0, 1, -1, 5e-324])],
    ]);
  const randomDelta = (): number[] => [
    tScale * r.normal(),
    tScale * r.normal(),
    tScale * r.normal(),
    rScale * r.normal(),
    rScale * r.normal(),
    rScale * r.normal(),
    gripper(),
  ];
  return {
    next(rr, index) {
      let d: number[];
      switch (style) {
        case "push": {
          const m = tScale * (1 + rr.uniform());
          d = [dir[0] * m, dir[1] * m, dir[2] * m, ...(rr.chance(0.5) ? fixedRot : [0, 0, 0]), gripper()];
          break;
        }
        case "oscillate": {
          const sg = index % 2 === 0 ? 1 : -1;
          d = [sg * dir[0] * tScale, sg * dir[1] * tScale, sg * dir[2] * tScale, ...fixedRot.map((x) => sg * x), sg * 2];
          break;
        }
        case "rotate": {
          // No translation: only the rotation moves the TCP (into a wall, when the state is at one).
          const a = quatFromAxisAngleEuler(
            rr.chance(0.5) ? axis : rr.direction(),
            rr.range(0, Math.PI) * (rr.chance(0.5) ? 1 : Math.min(1, e.maxStepRotation + 1e-3)),
          );
          d = [0, 0, 0, ...a, gripper()];
          break;
        }
        case "near_pi": {
          const k = rr.pick([0, 1e-12, 1e-9, 1e-6, 1e-3]);
          const eul = rr.pick<Vec3>([
            [Math.PI - k, 0, 0],
            [0, Math.PI - k, 0],
            [0, 0, Math.PI - k],
            [Math.PI, Math.PI, Math.PI],
            [-Math.PI + k, k, -k],
            [0, Math.PI / 2 + k, 0],
            [k, -Math.PI / 2, k],
            [1e10, -1e10, 3e5],
          ]);
          d = [tScale * rr.normal(), tScale * rr.normal(), tScale * rr.normal(), ...eul, gripper()];
          break;
        }
        case "special": {
          d = randomDelta();
          for (let i = 0; i < 7; i++) if (rr.chance(0.35)) d[i] = rr.pick(FINITE_SPECIAL);
          break;
        }
        case "tiny":
          d = [0, 1, 2, 3, 4, 5, 6].map(() => rr.pick([0, -0, 5e-324, -5e-324, 1e-310, 1e-300, -1e-300, Number.EPSILON, 2.2250738585072014e-308]));
          break;
        default:
          d = randomDelta();
      }
      if (rr.chance(0.03)) d[rr.int(7)] = rr.pick(NON_FINITE);
      if (rr.chance(0.03)) d[rr.int(7)] = rr.pick(FINITE_SPECIAL);
      return d;
    },
  };
}

/** Extrinsic xyz Euler angles of the rotation `angle` about `axis` (what a planner would send). */
function quatFromAxisAngleEuler(axis: Vec3, angle: number): Vec3 {
  const h = angle / 2;
  const sn = Math.sin(h);
  const e = quaternionToEulerXyz([axis[0] * sn, axis[1] * sn, axis[2] * sn, Math.cos(h)]);
  return [e[0], e[1], e[2]];
}

function gripperMessage(r: FuzzRandom): { names: string[]; positions: number[] } {
  const kind = r.weighted<string>([
    [3, "direct"],
    [2, "fingers"],
    [0.5, "empty"],
    [0.5, "broken"],
  ]);
  switch (kind) {
    case "direct":
      return { names: ["gripper"], positions: [r.range(-0.2, 1.2)] };
    case "fingers": {
      const w = r.range(-0.01, 0.1);
      return { names: ["fr3_finger_joint1", "fr3_finger_joint2"], positions: [w / 2, w / 2] };
    }
    case "empty":
      return { names: [], positions: [] };
    default:
      return { names: r.chance(0.5) ? ["gripper"] : ["panda_finger_joint1"], positions: [r.pick([...NON_FINITE, ...FINITE_SPECIAL])] };
  }
}

// ---------------------------------------------------------------------------------------------------------
// The run
// ---------------------------------------------------------------------------------------------------------

export interface FuzzOptions {
  seed: number;
  /** Stop after this many plans (the last episode is cut short to fit). */
  plans: number;
  /** Index of the first episode (to replay one: firstEpisode = its index, episodes = 1). */
  firstEpisode?: number;
  /** Run every `stride`-th episode from `firstEpisode` (how workers share a run); default 1. */
  stride?: number;
  /** Stop after this many episodes, whatever `plans` says. */
  episodes?: number;
  /** Also drive the real ActuatorNode on every n-th episode and require identical commands (0: never). */
  conformanceEvery?: number;
  /** Broken parts, to show the checker failing. */
  parts?: Partial<ActuatorParts>;
  /** Violations kept in the report (all are counted). */
  maxViolations?: number;
  /** Stop at the end of the episode with the first violation (to show that a broken part is caught, fast). */
  stopOnViolation?: boolean;
  /** Gets one line per event (for replaying one episode). */
  trace?: (line: string) => void;
  /** Called after each episode with the counts so far (progress of long runs). */
  onEpisode?: (counts: FuzzCounts) => void;
}

export interface FuzzCounts {
  episodes: number;
  plans: number;
  ticks: number;
  /** Poses published, twists published (all, and non-zero), gripper goals sent. */
  commands: { poses: number; twists: number; nonZeroTwists: number; gripperGoals: number };
  /** Plans by envelope outcome. */
  planOutcomes: Record<EnvelopeResult["code"], number>;
  /** Refused plans by the stage that refused. */
  planHolds: Partial<Record<StageName, number>>;
  /** Accepted plans by each stage that limited them. */
  planLimits: Partial<Record<StageName, number>>;
  /** Ticks held, by each tick guard that refused. */
  tickHolds: Partial<Record<StageName, number>>;
  /** Robot poses sent, and those the actuator ignored. */
  states: { sent: number; ignored: number };
  estop: { triggers: number; resets: number };
  /** Clock jumps, and commands sent while the last state had been received "after" now (clock went back). */
  clockJumps: { back: number; forward: number; commandsOnFutureState: number };
  /** Episodes also run on the real ActuatorNode. */
  conformanceEpisodes: number;
}

export interface FuzzReport {
  seed: number;
  counts: FuzzCounts;
  /** Violations by kind (all of them). */
  violationCounts: Partial<Record<ViolationKind, number>>;
  /** The first `maxViolations` violations. */
  violations: Violation[];
  /** Per invariant, the check that came closest to its tolerance: excess over the bound (≤ 0: within, by that margin), tolerance. */
  excess: Excess;
  seconds: number;
}

function emptyCounts(): FuzzCounts {
  return {
    episodes: 0,
    plans: 0,
    ticks: 0,
    commands: { poses: 0, twists: 0, nonZeroTwists: 0, gripperGoals: 0 },
    planOutcomes: { ok: 0, limited: 0, hold: 0, estopped: 0 },
    planHolds: {},
    planLimits: {},
    tickHolds: {},
    states: { sent: 0, ignored: 0 },
    estop: { triggers: 0, resets: 0 },
    clockJumps: { back: 0, forward: 0, commandsOnFutureState: 0 },
    conformanceEpisodes: 0,
  };
}

const inc = <K extends string>(rec: Partial<Record<K, number>>, k: K): void => {
  rec[k] = (rec[k] ?? 0) + 1;
};

/** Runs episodes until `plans` plans have been sent; never throws on a violation (it reports it). */
export function runEnvelopeFuzz(options: FuzzOptions): FuzzReport {
  const started = Date.now();
  const parts: ActuatorParts = { ...REAL_PARTS, ...options.parts };
  const counts = emptyCounts();
  const violationCounts: Partial<Record<ViolationKind, number>> = {};
  const violations: Violation[] = [];
  const maxViolations = options.maxViolations ?? 50;
  const excess: Excess = {};
  let episode = options.firstEpisode ?? 0;
  const stride = options.stride ?? 1;
  const lastEpisode = options.episodes === undefined ? Infinity : episode + options.episodes * stride;
  let violated = false;
  while (counts.plans < options.plans && episode < lastEpisode && !(violated && options.stopOnViolation)) {
    const conformance = (options.conformanceEvery ?? 0) > 0 && episode % options.conformanceEvery! === 0;
    runEpisode(
      options.seed,
      episode,
      options.plans - counts.plans,
      parts,
      conformance,
      counts,
      (v) => {
        violated = true;
        inc(violationCounts, v.kind);
        if (violations.length < maxViolations) violations.push(v);
      },
      excess,
      options.trace,
    );
    episode += stride;
    options.onEpisode?.(counts);
  }
  return { seed: options.seed, counts, violationCounts, violations, excess, seconds: (Date.now() - started) / 1000 };
}

function runEpisode(
  seed: number,
  episode: number,
  planBudget: number,
  parts: ActuatorParts,
  conformance: boolean,
  counts: FuzzCounts,
  onViolation: (v: Violation) => void,
  excess: Excess,
  trace?: (line: string) => void,
): void {
  const r = new FuzzRandom(deriveSeed(seed, episode));
  const config = randomActuatorConfig(r);
  const s = actuatorSettingsFrom(config);
  let event = 0;
  const report = (kind: ViolationKind, message: string): void => onViolation({ seed, episode, event, kind, message });
  const checker = new EnvelopeChecker(s, report);
  const model = new ActuatorModel(s, parts);
  const statusEveryTicks = 1 + r.int(20); // drawn either way: conformance must not change the episode
  const node = conformance ? new NodeUnderTest(s, statusEveryTicks) : null;
  if (conformance) counts.conformanceEpisodes++;
  const ctx: EpisodeContext = { r, s, checker, commanded: null };
  const plans = planGenerator(r, s);
  const nPlans = Math.min(planBudget, 1 + r.int(16));
  const stateStyle = { outside: r.pick([0, 0.5, 2]), broken: r.pick([0, 0.02, 0.1]) };
  const stateEveryTick = r.pick([1, 0.25, 0.08, 0.02]);
  const period = s.commandPeriod;
  let now = r.pick([0, r.range(0, 1e5), 1.7e9]);
  let robotAlive: boolean;
  counts.episodes++;
  trace?.(`episode ${episode} (seed ${seed}): ${JSON.stringify(config)}`);

  const send = {
    pose(): void {
      const msg = measuredPose(ctx, stateStyle);
      counts.states.sent++;
      trace?.(`#${event} t=${now} pose ${fv(msg.position)} ${fv(msg.orientation)}`);
      if (!model.onPose(msg, now)) counts.states.ignored++;
      node?.pose(msg, now);
      checker.pose(msg, now);
      event++;
    },
    gripper(): void {
      const g = gripperMessage(r);
      trace?.(`#${event} t=${now} gripper ${JSON.stringify(g.names)} ${fv(g.positions)}`);
      model.onGripper(g.names, g.positions);
      node?.gripper(g.names, g.positions, now);
      checker.gripper(g.names, g.positions);
      event++;
    },
    plan(index: number): void {
      const delta = plans.next(r, index);
      counts.plans++;
      const out = model.onPlan(delta, now);
      trace?.(
        `#${event} t=${now} plan ${fv(delta)} -> ${out.result.code} ${out.result.target === null ? "" : fv(out.result.target)} [${out.result.limitsApplied.join(", ")}]${out.gripperGoal ? ` gripper goal ${f(out.gripperGoal.closedness)}` : ""}`,
      );
      counts.planOutcomes[out.result.code]++;
      if (out.result.target === null) inc(counts.planHolds, out.result.limitsApplied[out.result.limitsApplied.length - 1]);
      else for (const st of out.result.limitsApplied) inc(counts.planLimits, st);
      if (out.gripperGoal !== null) counts.commands.gripperGoals++;
      if (node !== null) {
        const goals = node.plan(delta, now);
        const mine = out.gripperGoal === null ? [] : [{ name: out.gripperGoal.action, goal: out.gripperGoal.goal }];
        if (JSON.stringify(goals) !== JSON.stringify(mine))
          report("conformance", `gripper goals: node ${JSON.stringify(goals)}, model ${JSON.stringify(mine)}`);
      }
      checker.plan(delta, now, out);
      event++;
    },
    estop(): void {
      counts.estop.triggers++;
      trace?.(`#${event} t=${now} e-stop`);
      model.estopService(now);
      node?.estop(now);
      checker.estop();
      event++;
    },
    reset(): void {
      counts.estop.resets++;
      trace?.(`#${event} t=${now} reset`);
      model.resetService();
      node?.reset(now);
      checker.reset();
      event++;
    },
    tick(): void {
      counts.ticks++;
      const out = model.tick(now);
      for (const g of out.guards) inc(counts.tickHolds, g);
      if (out.pose !== null) counts.commands.poses++;
      if (out.twist !== null) {
        counts.commands.twists++;
        if (!isZeroTwist(out.twist)) counts.commands.nonZeroTwists++;
      }
      trace?.(
        `#${event} t=${now} tick${out.guards.length > 0 ? ` hold [${out.guards.join(", ")}]` : ""}${out.pose ? ` pose ${fv(out.pose.position)} ${fv(out.pose.orientation)}` : ""}${out.twist ? ` twist ${fv(out.twist.linear)} ${fv(out.twist.angular)}` : ""}`,
      );
      if (node !== null) {
        const between = node.publishedBetweenTicks();
        if (between > 0) report("conformance", `node published ${between} commands outside its timer`);
        const n = node.tick(now);
        const expected = (out.pose === null ? 0 : 1) + (out.twist === null ? 0 : 1);
        if (n.count !== expected || !samePose(n.pose, out.pose) || !sameTwist(n.twist, out.twist))
          report("conformance", `tick: node ${JSON.stringify(n)}, model ${JSON.stringify({ pose: out.pose, twist: out.twist })}`);
      }
      checker.tick(now, out);
      if (out.streamTarget !== null) ctx.commanded = out.streamTarget;
      event++;
    },
  };

  const jumpClock = (): void => {
    if (r.chance(0.4)) {
      counts.clockJumps.back++;
      now -= r.pick([period * 0.5, r.logRange(1e-4, 1), s.envelope.stateTimeout * r.range(0.5, 2), r.logRange(1, 1e4)]);
    } else {
      counts.clockJumps.forward++;
      now += r.pick([s.envelope.stateTimeout * r.range(0.5, 2), s.envelope.planTimeout * r.range(0.5, 2), r.logRange(1e-3, 1e4)]);
    }
  };

  // The robot usually speaks first; sometimes the planner does.
  if (r.chance(0.9)) send.pose();
  if (r.chance(0.7)) send.gripper();
  for (let p = 0; p < nPlans; p++) {
    // Before the plan.
    if (checker.estopLatched) {
      if (r.chance(0.4)) send.reset();
    } else if (r.chance(0.06)) send.estop();
    if (r.chance(0.06)) jumpClock();
    robotAlive = !r.chance(0.08); // silent for this plan's ticks now and then
    if (robotAlive && r.chance(0.7)) send.pose();
    if (r.chance(0.25)) send.gripper();
    send.plan(p);
    // Control ticks until the next plan.
    const ticks = r.weighted<number>([
      [1, 0],
      [4, 1 + r.int(3)],
      [3, 4 + r.int(5)],
      [0.4, 10 + r.int(40)],
    ]);
    for (let k = 0; k < ticks; k++) {
      now += period * (r.chance(0.05) ? r.range(0.5, 1.5) : 1);
      if (r.chance(0.003)) jumpClock();
      if (r.chance(0.002)) robotAlive = !robotAlive;
      if (robotAlive && r.chance(stateEveryTick)) send.pose();
      if (checker.estopLatched) {
        if (r.chance(0.02)) send.reset();
      } else if (r.chance(0.002)) send.estop();
      send.tick();
    }
  }
  for (const [k, v] of Object.entries(checker.excess) as Array<[ViolationKind, { excess: number; tolerance: number }]>) worseExcess(excess, k, v);
  counts.clockJumps.commandsOnFutureState += checker.futureStateCommands;
}

/** One line per count, for the command line and test logs. */
export function formatReport(rep: FuzzReport): string {
  const c = rep.counts;
  const lines = [
    `seed ${rep.seed}: ${c.episodes} episodes, ${c.plans} plans, ${c.ticks} ticks in ${rep.seconds.toFixed(1)} s (${Math.round(c.plans / Math.max(rep.seconds, 1e-3))} plans/s)`,
    `commands: ${c.commands.poses} poses, ${c.commands.twists} twists (${c.commands.nonZeroTwists} non-zero), ${c.commands.gripperGoals} gripper goals`,
    `plans: ${JSON.stringify(c.planOutcomes)}`,
    `plan holds by stage: ${JSON.stringify(c.planHolds)}`,
    `plan limits by stage: ${JSON.stringify(c.planLimits)}`,
    `tick holds by guard: ${JSON.stringify(c.tickHolds)}`,
    `states: ${c.states.sent} sent, ${c.states.ignored} ignored; e-stop: ${c.estop.triggers} triggers, ${c.estop.resets} resets; clock jumps: ${c.clockJumps.back} back, ${c.clockJumps.forward} forward (${c.clockJumps.commandsOnFutureState} commands on a state received "after" now); ${c.conformanceEpisodes} episodes also on ActuatorNode`,
    `closest calls (excess over the bound / float tolerance allowed): ${Object.entries(rep.excess)
      .map(([k, v]) => `${k} ${f(v.excess)} / ${f(v.tolerance)}`)
      .join(", ")}`,
    `violations: ${Object.keys(rep.violationCounts).length === 0 ? "none" : JSON.stringify(rep.violationCounts)}`,
  ];
  for (const v of rep.violations) lines.push(`  seed ${v.seed} episode ${v.episode} event ${v.event} [${v.kind}] ${v.message}`);
  return lines.join("\n");
}
