/**
 * Every topic and service input the nodes accept, fuzzed with wrong types, sizes and values (issue:
 * "a clear response or log, the node alive, no state changed by a refused request").
 *
 * Inputs (node — topic or service — type):
 *   camera    camera/image_raw              sensor_msgs/Image             (nodes.camera_compressed false)
 *   camera    camera/image_raw/compressed   sensor_msgs/CompressedImage   (nodes.camera_compressed true)
 *   planner   robot/ee_pose                 geometry_msgs/PoseStamped
 *   planner   robot/gripper                 sensor_msgs/JointState        (not with gripper_adapter none)
 *   planner   actuator/status               vjepa2_mpc_interfaces/ActuatorStatus
 *   planner   embedding channel             EncodedFrame (from the camera in-process, or over ZeroMQ)
 *   planner   planner/set_goal  (service)   vjepa2_mpc_interfaces/srv/SetGoal
 *   planner   planner/clear_goals (service) std_srvs/srv/Trigger
 *   planner   planner/pause     (service)   std_srvs/srv/SetBool
 *   actuator  robot/ee_pose                 geometry_msgs/PoseStamped
 *   actuator  robot/gripper                 sensor_msgs/JointState
 *   actuator  planner/action                vjepa2_mpc_interfaces/EndEffectorDelta
 *   actuator  actuator/estop    (service)   std_srvs/srv/Trigger
 *   actuator  actuator/reset    (service)   std_srvs/srv/Trigger
 *   sim robot actuator/target_pose          geometry_msgs/PoseStamped
 *   sim robot actuator/gripper/move, grasp  franka_msgs/action/Move, Grasp (action goals)
 *
 * For every variant (messageFuzz.ts: generic spec-driven mutations plus hand-written ones) the checker
 * requires: nothing thrown out of the node (no "subscription callback threw", no rejected service call,
 * no unhandled rejection or uncaught exception); a refused input answered (success false with a message)
 * or logged, and the node's observable state unchanged by it; an accepted input leaving sane state
 * (finite, in range); and the variant's expectation met (a malformed input is never accepted, a valid
 * one never refused). After each batch a valid input still works. Actuator targets and gripper goals
 * published during the batches stay finite, unit-quaternion, inside the box and speed-limited.
 *
 * Decisions per input (what counts as the response):
 *  - Topics answer nothing: a refusal is a log line. Sensor-rate topics (poses, gripper states, actuator
 *    status, frames) warn on the first refusal of a kind and at most every 5 s after, with debug lines
 *    between (RefusalLog); the camera warns on every rejected frame (its stats count them too). A frame
 *    too old to encode, or with no robot state near its stamp, is a documented drop with a debug line.
 *  - The actuator's answer to any refused plan, malformed or non-finite, is to hold and say so in its
 *    status ("plan refused: ..."): holding is the response, not a state change; what must not change is
 *    the robot state, gripper state and target, e-stop latch, and (for a malformed message) the plan
 *    watchdog's clock.
 *  - A frame the planner cannot use (wrong embedding shape) may be answered by an INVALID_OBSERVATION
 *    status instead of a log line.
 *  - Trigger requests have no fields: whatever arrives, the e-stop latches (it must never be refused),
 *    reset releases, clear_goals clears.
 *  - Fields a node does not read are not checked (extra or wrong unread fields are accepted).
 *  - A frame stamped in the future is encoded (clock skew between machines); the planner then finds no
 *    robot state near it.
 *
 * Reproduce a run with FUZZ_SEED=<seed>; FUZZ_COUNT sets the generic variants per input; FUZZ_VERBOSE=1
 * prints the counts.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import * as vm from "node:vm";
import pino from "pino";
import { defaultConfig } from "../../src/config/configFile";
import { RecedingHorizonPlanner } from "../../src/mpc/RecedingHorizonPlanner";
import { ACTUATOR_CODES, ActuatorNode } from "../../src/nodes/ActuatorNode";
import { actuatorSettingsFrom, closednessFromJointState, type PoseStampedMsg } from "../../src/nodes/actuator";
import { CameraNode } from "../../src/nodes/CameraNode";
import { InProcessEmbeddingChannel, type EncodedFrame } from "../../src/nodes/embeddingChannel";
import type { SetGoalRequest } from "../../src/nodes/goalRequest";
import { endEffectorDeltaMsg, PLAN_STATUS_CODES, type EndEffectorDeltaMsg, type PlanStatusMsg } from "../../src/nodes/messages";
import { PlannerNode } from "../../src/nodes/PlannerNode";
import { SimulatedRobotNode } from "../../src/nodes/SimulatedRobotNode";
import { NODE_ACTIONS, NODE_SERVICES, NODE_TOPICS } from "../../src/nodes/topics";
import { SimClock } from "../../src/nodes/transport/clocks";
import { InProcessBus, InProcessTransport } from "../../src/nodes/transport/InProcessTransport";
import { timeFromSeconds } from "../../src/ros/messages";
import { encodePng } from "../../src/worldmodel/imageDecode";
import { AnalyticWorldModel } from "../helpers/analyticWorldModel";
import { flush, meanEncoder, plannerTestOptions, solidImage } from "../helpers/nodeFixtures";
import {
  bool,
  clone,
  finite,
  FuzzRng,
  headerSpec,
  imageVariants,
  int,
  list,
  mutate,
  numbers,
  pngHeaderClaiming,
  positionVariants,
  quaternionVariants,
  stampVariants,
  str,
  strings,
  struct,
  unread,
  bytes,
  hostileValues,
  show,
  type Expect,
  type Variant,
} from "./messageFuzz";

const SEED = Number(process.env.FUZZ_SEED ?? 20_251_201);
const COUNT = Number(process.env.FUZZ_COUNT ?? 150);
const VERBOSE = process.env.FUZZ_VERBOSE === "1";

// ---------------------------------------------------------------------------------------------------
// The checker

interface LogLine {
  level: number;
  node?: string;
  msg: string;
  [k: string]: unknown;
}

/** Log lines that mean the node let an exception escape to its transport. */
const CRASH_MESSAGES = new Set(["subscription callback threw", "service handler failed"]);

/**
 * Unhandled rejections and uncaught exceptions, attributed to the variant being delivered. Jest runs a
 * test file in a vm context whose `process` is a copy that Node never emits these on; the real one is
 * reached through a function of the host realm (setImmediate's constructor). jest-circus listens there
 * too and fails the running test on either; a rejection recorded here is marked handled, so that it
 * fails as a violation of the variant instead (an uncaught exception fails the test both ways).
 */
const hostProcess = (setImmediate as unknown as { constructor: FunctionConstructor }).constructor("return process")() as NodeJS.Process;
const processFailures: string[] = [];
const onRejection = (e: unknown, p: Promise<unknown>): void => {
  processFailures.push(`unhandled rejection: ${(e as Error)?.message ?? String(e)}`);
  p.catch(() => undefined);
};
const onException = (e: Error): void => void processFailures.push(`uncaught exception: ${e.message}`);

beforeAll(() => {
  expect(hostProcess).not.toBe(process);
  hostProcess.on("unhandledRejection", onRejection);
  hostProcess.on("uncaughtException", onException);
});
afterAll(() => {
  hostProcess.off("unhandledRejection", onRejection);
  hostProcess.off("uncaughtException", onException);
  if (VERBOSE) console.log(reports.map((r) => `${r.input}: ${r.variants} variants, ${r.accepted} accepted, ${r.refused} refused (${r.ms} ms)`).join("\n"));
});

/** An in-process bus on a simulated clock whose nodes log (debug and up) into `lines`. */
function fuzzWorld(start = 100) {
  const bus = new InProcessBus();
  const clock = new SimClock(start);
  const lines: LogLine[] = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  const node = (name: string) => new InProcessTransport(bus, name, clock, logger.child({ node: name }));
  return { bus, clock, lines, node };
}

interface Delivery {
  response: unknown;
  threw: unknown;
  logs: LogLine[];
}

interface InputUnderTest<S> {
  /** "node topic (type)". */
  name: string;
  /** The logger name of the node whose lines count. */
  node: string;
  lines: LogLine[];
  deliver(msg: unknown): Promise<unknown>;
  /** What a refused input must leave unchanged. */
  snapshot(): S;
  /** Whether the node took the input. */
  accepted(d: Delivery, before: S, after: S, msg: unknown): boolean;
  /** Problems with state or output after a delivery. */
  invariants?(d: Delivery, before: S, after: S, msg: unknown, accepted: boolean): string[];
  /** The node's own answer to a refusal, when it is not a service response or a log line. */
  answered?(d: Delivery): boolean;
  /** Puts the node back where variants start from. */
  restore?(): Promise<void>;
}

interface Report {
  input: string;
  variants: number;
  accepted: number;
  refused: number;
  ms: number;
  violations: string[];
}
const reports: Report[] = [];

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null;
// eslint-disable-next-line no-control-regex
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f]/;

/** Text a node wrote for people (answers, log reasons) must be short and carry no raw control characters. */
function textProblems(where: string, s: unknown): string[] {
  if (typeof s !== "string") return [];
  const out: string[] = [];
  if (s.length > 2000) out.push(`${where} is ${s.length} characters long`);
  if (RAW_CONTROL.test(s)) out.push(`${where} carries raw control characters`);
  return out;
}

function refusalAnswered(d: Delivery, node: string): boolean {
  const r = d.response;
  if (isObject(r) && r.success === false && ((typeof r.message === "string" && r.message !== "") || (typeof r.error === "string" && r.error !== "")))
    return true;
  return d.logs.some((l) => l.node === node && !CRASH_MESSAGES.has(l.msg));
}

/** Delivers every variant and checks it; returns the report (violations listed, not thrown). */
async function fuzz<S>(input: InputUnderTest<S>, variants: Variant[]): Promise<Report> {
  const started = performance.now();
  const report: Report = { input: input.name, variants: variants.length, accepted: 0, refused: 0, ms: 0, violations: [] };
  for (let i = 0; i < variants.length; i++) {
    const v = variants[i];
    await input.restore?.();
    const before = clone(input.snapshot());
    const mark = input.lines.length;
    const failMark = processFailures.length;
    let response: unknown;
    let threw: unknown = null;
    try {
      response = await input.deliver(v.msg);
    } catch (e) {
      threw = e;
    }
    await flush(2);
    const after = clone(input.snapshot());
    const d: Delivery = { response, threw, logs: input.lines.slice(mark) };
    const problems: string[] = [];
    if (threw !== null) problems.push(`threw ${(threw as Error)?.message ?? String(threw)}`);
    for (const f of processFailures.slice(failMark)) problems.push(f);
    for (const l of d.logs) {
      if (l.node === input.node && CRASH_MESSAGES.has(l.msg)) problems.push(`logged "${l.msg}": ${String(l.err)}`);
      for (const k of ["msg", "reason", "err"]) problems.push(...textProblems(`log ${k}`, l[k]));
    }
    if (isObject(response)) problems.push(...textProblems("answer", response.message), ...textProblems("answer", response.error));
    const ok = threw === null && input.accepted(d, before, after, v.msg);
    if (ok) report.accepted++;
    else report.refused++;
    if (v.expect === "refuse" && ok) problems.push("accepted a malformed input");
    if (v.expect === "accept" && !ok) problems.push(`refused a valid input (${d.logs.map((l) => l.reason ?? l.err ?? l.msg).join("; ") || "no log"})`);
    if (!ok) {
      if (!isDeepStrictEqual(before, after)) problems.push(`refused but changed state: ${JSON.stringify(before)} → ${JSON.stringify(after)}`.slice(0, 600));
      if (!refusalAnswered(d, input.node) && !(input.answered?.(d) ?? false)) problems.push("refused without an answer or a log line (a silent drop)");
    }
    problems.push(...(input.invariants?.(d, before, after, v.msg, ok) ?? []));
    for (const p of problems) report.violations.push(`#${i} ${v.label} [${v.expect}]: ${p}`);
  }
  report.ms = Math.round(performance.now() - started);
  reports.push(report);
  return report;
}

/** Fails the test with the first violations, if any. */
function expectClean(r: Report): void {
  expect(r.violations.slice(0, 15)).toEqual([]);
  expect(r.variants).toBeGreaterThan(0);
}

/** Seeded generic variants of `base` under `spec`, plus hand-written ones; `seedOffset` separates inputs. */
function variantsOf(seedOffset: number, spec: Parameters<typeof mutate>[1], base: unknown, extra: Variant[] = []): Variant[] {
  return [{ label: "the valid message", msg: clone(base), expect: "accept" }, ...mutate(new FuzzRng(SEED + seedOffset), spec, base, COUNT), ...extra];
}

/** Whole-request variants for services whose request has no fields (Trigger): all must be accepted. */
function triggerVariants(): Variant[] {
  return [{}, { extra: 1 }, ...hostileValues()].map((v): Variant => ({ label: `request ${show(v)}`, msg: v, expect: "accept" }));
}

/** A typed array made in another realm, as a worker thread's results are under Jest. */
function foreign<T>(kind: string, values: ArrayLike<number>): T {
  return vm.runInNewContext(`${kind}.from(values)`, { values: Array.from(values) }) as T;
}

const allFinite = (xs: ArrayLike<number>): boolean => Array.from(xs).every((x) => typeof x === "number" && Number.isFinite(x));

// ---------------------------------------------------------------------------------------------------
// Messages

const stamp100 = { sec: 100, nanosec: 0 };
const DOWN = { x: 1, y: 0, z: 0, w: 0 }; // flange pointing down (roll π)

function poseMsg(x: number, stamp = stamp100, frameId = "panda_link0") {
  return { header: { stamp, frame_id: frameId }, pose: { position: { x, y: 0, z: 0.3 }, orientation: { ...DOWN } } };
}
function jointStateMsg(g: number, stamp = stamp100) {
  return { header: { stamp, frame_id: "" }, name: ["gripper"], position: [g], velocity: [], effort: [] };
}

const poseSpec = (readStamp: boolean) =>
  struct({
    header: headerSpec(readStamp),
    pose: struct({
      position: struct({ x: finite(), y: finite(), z: finite() }),
      orientation: struct({ x: finite({ cross: true }), y: finite({ cross: true }), z: finite({ cross: true }), w: finite({ cross: true }) }),
    }),
  });
const jointStateSpec = (readStamp: boolean) =>
  struct({ header: headerSpec(readStamp), name: strings({ cross: true }), position: numbers({ cross: true }), velocity: unread, effort: unread });

function poseVariants(valid: ReturnType<typeof poseMsg>, readStamp: boolean): Variant[] {
  return [...quaternionVariants(valid), ...positionVariants(valid), ...(readStamp ? stampVariants(valid) : [])];
}

function jointStateVariants(valid: ReturnType<typeof jointStateMsg>, fingersUsable: boolean): Variant[] {
  const v = (over: Record<string, unknown>, label: string, expect: Expect): Variant => ({ label, msg: { ...clone(valid), ...over }, expect });
  return [
    v({ name: [], position: [] }, "no joints", "refuse"),
    v({ name: ["fr3_joint1"], position: [0.1] }, "an arm joint only", "refuse"),
    v({ name: ["fr3_finger_joint1", "fr3_finger_joint2"], position: [0.01, 0.01] }, "finger joints", fingersUsable ? "accept" : "refuse"),
    v({ name: ["fr3_finger_joint1", "fr3_finger_joint2"], position: [Number.NaN, 0.01] }, "a NaN finger joint", "refuse"),
    v({ name: ["fr3_finger_joint1", "fr3_finger_joint2", "fr3_finger_joint3"], position: [0.01, 0.01, 0.01] }, "three finger joints", "refuse"),
    v({ position: Float64Array.of(0.7) }, "position a Float64Array", "accept"),
    v({ position: foreign("Float64Array", [0.7]) }, "position a Float64Array of another realm", "accept"),
    v({ position: [5] }, "closedness 5 (clipped)", "accept"),
    v({ position: [-1] }, "closedness -1 (clipped)", "accept"),
    v({ position: [Number.NaN] }, "closedness NaN", "refuse"),
    v({ position: [Number.POSITIVE_INFINITY] }, "closedness Infinity", "refuse"),
    v({ position: ["0.5"] }, "closedness a string", "refuse"),
    v({ position: [0.5, 0.1] }, "two positions for one name", "refuse"),
    v({ position: [] }, "no positions", "refuse"),
    v({ position: BigInt64Array.of(1n) }, "position a BigInt64Array", "refuse"),
    v({ position: "0.5" }, "position a string", "refuse"),
    v({ name: "gripper" }, "name a string", "refuse"),
    v({ name: [7] }, "name holds a number", "refuse"),
    v({ name: ["gripper", "gripper"], position: [0.7, 0.2] }, "the gripper joint twice (the first counts)", "accept"),
    v({ velocity: "fast", effort: null }, "unread velocity and effort of the wrong type", "accept"),
  ];
}

// ---------------------------------------------------------------------------------------------------
// Goal files for SetGoal

const goalRoot = fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-fuzz-goals-"));
const outside = fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-fuzz-outside-"));
const rgb = (w: number, h: number, c: number) => ({ width: w, height: h, encoding: "rgb8" as const, data: new Uint8Array(w * h * 3).fill(c) });
fs.writeFileSync(path.join(goalRoot, "red.png"), encodePng(rgb(8, 8, 200)));
fs.writeFileSync(path.join(goalRoot, "big.png"), encodePng(rgb(65, 64, 10))); // 1 pixel row over the 4096-pixel limit
fs.writeFileSync(path.join(goalRoot, "claims-huge.png"), pngHeaderClaiming(100_000, 100_000));
fs.writeFileSync(path.join(goalRoot, "not-an-image.png"), "hello");
fs.writeFileSync(path.join(outside, "secret.png"), encodePng(rgb(8, 8, 1)));
fs.symlinkSync(path.join(outside, "secret.png"), path.join(goalRoot, "escape.png"));
fs.mkdirSync(path.join(goalRoot, "dir.png"));
afterAll(() => {
  fs.rmSync(goalRoot, { recursive: true, force: true });
  fs.rmSync(outside, { recursive: true, force: true });
});

const LIMITS = { maxGoals: 4, maxPixels: 64 * 64, goalRoot };

// ---------------------------------------------------------------------------------------------------
// Node set-ups

function plannerSetup(mode: "blocking" | "streaming") {
  const w = fuzzWorld();
  const channel = new InProcessEmbeddingChannel();
  const model = new AnalyticWorldModel();
  const planner = new RecedingHorizonPlanner(model, { cem: { samples: 12, iterations: 1, topk: 3, seed: 1 }, warmStart: false, evaluatePlan: false });
  const options = plannerTestOptions(mode, {
    goalLimits: LIMITS,
    defaultStepBudget: 1_000_000,
    // As the nodes' options build it (nodeOptions.ts): 'gripper' joint or finger joints.
    gripperClosedness: (js) => closednessFromJointState(js.name, Array.from(js.position)),
  });
  const node = new PlannerNode(w.node("planner"), planner, options, channel, meanEncoder().encode);
  node.start();
  const op = w.node("operator");
  const actions: EndEffectorDeltaMsg[] = [];
  const statuses: PlanStatusMsg[] = [];
  op.subscribe<EndEffectorDeltaMsg>("vjepa2_mpc_interfaces/msg/EndEffectorDelta", options.actionTopic, "reliable", (m) => actions.push(m));
  op.subscribe<PlanStatusMsg>("vjepa2_mpc_interfaces/msg/PlanStatus", options.statusTopic, "reliable", (m) => statuses.push(m));
  const pose = op.publisher<unknown>("geometry_msgs/msg/PoseStamped", options.stateTopic);
  const grip = op.publisher<unknown>("sensor_msgs/msg/JointState", options.gripperTopic!);
  const actuatorStatus = op.publisher<unknown>("vjepa2_mpc_interfaces/msg/ActuatorStatus", options.actuatorStatusTopic);
  const call = (type: string, name: string, req: unknown) => op.call<unknown, unknown>(type, name, req);
  const setGoal = (req: unknown) => call("vjepa2_mpc_interfaces/srv/SetGoal", options.setGoalService, req);
  const validGoal: SetGoalRequest = { images: [solidImage(0, [200, 50, 50])], image_paths: [], step_budgets: [], energy_threshold: 0, append: false };
  const state = async (stamp: number, x = 0.5, g = 0.5) => {
    pose(poseMsg(x, timeFromSeconds(stamp)));
    grip(jointStateMsg(g, timeFromSeconds(stamp)));
    await flush(2);
  };
  const frame = (stamp: number): EncodedFrame => ({ stamp, frameId: "camera", embedding: AnalyticWorldModel.embedding(0.1, 0, 0, 0), encodedAt: stamp });
  const goals = () => {
    const s = planner.goals;
    return { labels: s.traces.map((t) => t.label), index: s.goalIndex, length: s.length, embeddings: s["goals"].map((g) => Array.from(g.embedding.data)) };
  };
  return { ...w, planner, node, options, op, channel, actions, statuses, pose, grip, actuatorStatus, call, setGoal, validGoal, state, frame, goals };
}

function actuatorSetup() {
  const w = fuzzWorld(0);
  const config = { ...defaultConfig().actuator, state_is_tcp: false, workspace_point: "flange" };
  const settings = actuatorSettingsFrom(config as ReturnType<typeof defaultConfig>["actuator"]);
  const node = new ActuatorNode(w.node("actuator"), { settings, settleTimeout: 5, statusEveryTicks: 10 });
  const op = w.node("operator");
  const targets: PoseStampedMsg[] = [];
  const gripperGoals: Array<{ width: number }> = [];
  // With each target, where the node measured the arm then: after an e-stop reset the stream restarts there.
  const measuredAt: Array<number[] | null> = [];
  op.subscribe<PoseStampedMsg>("geometry_msgs/msg/PoseStamped", NODE_TOPICS.targetPose, "reliable", (m) => {
    targets.push(m);
    measuredAt.push(((node as unknown as { state: { flange: number[] } | null }).state?.flange ?? null)?.slice(0, 3) ?? null);
  });
  op.actionServer<{ width: number }, { success: boolean }>(
    "franka_msgs/action/Grasp",
    NODE_ACTIONS.gripperGrasp,
    (g) => (gripperGoals.push(g), { success: true }),
  );
  op.actionServer<{ width: number }, { success: boolean }>(
    "franka_msgs/action/Move",
    NODE_ACTIONS.gripperMove,
    (g) => (gripperGoals.push(g), { success: true }),
  );
  const pose = op.publisher<unknown>("geometry_msgs/msg/PoseStamped", NODE_TOPICS.eePose);
  const grip = op.publisher<unknown>("sensor_msgs/msg/JointState", NODE_TOPICS.gripper);
  const plan = op.publisher<unknown>("vjepa2_mpc_interfaces/msg/EndEffectorDelta", NODE_TOPICS.plannedAction);
  node.start();
  /** The robot holding still at x = 0.5 with the gripper at `g`, for `ticks` command periods. */
  const hold = async (ticks: number, g = 0.5) => {
    for (let i = 0; i < Math.max(ticks, 1); i++) {
      pose(poseMsg(0.5, { sec: 0, nanosec: 0 }));
      grip(jointStateMsg(g, { sec: 0, nanosec: 0 }));
      await flush(2);
      if (ticks > 0) w.clock.advanceTo(w.clock.now() + settings.commandPeriod);
      await flush(2);
    }
  };
  const view = () => {
    const a = node as unknown as Record<string, unknown>;
    const streamer = a.streamer as { goal: unknown; commanded: unknown };
    return {
      state: (a.state as { flange: number[] } | null)?.flange ?? null,
      gripper: a.gripper as number | null,
      gripperTarget: a.gripperTarget as number | null,
      planReceivedAt: a.planReceivedAt as number | null,
      estopped: node.estopped,
      mode: a.mode as { code: number; message: string },
      goal: streamer.goal,
      commanded: streamer.commanded,
      gripperGoals: node.sent.gripperGoals,
    };
  };
  /** What went to the robot: every target finite, a unit quaternion, inside the box, speed-limited. */
  const commandProblems = (): string[] => {
    const out: string[] = [];
    const box = settings.envelope.workspace;
    const maxStep = settings.stream.maxLinearSpeed * settings.commandPeriod + 1e-9;
    targets.forEach((t, i) => {
      const p = [t.pose.position.x, t.pose.position.y, t.pose.position.z];
      const q = [t.pose.orientation.x, t.pose.orientation.y, t.pose.orientation.z, t.pose.orientation.w];
      if (!allFinite([...p, ...q])) out.push(`target ${i} not finite`);
      if (Math.abs(Math.hypot(...q) - 1) > 1e-9) out.push(`target ${i} orientation norm ${Math.hypot(...q)}`);
      p.forEach((v, k) => {
        if (v < box.min[k] - 1e-9 || v > box.max[k] + 1e-9) out.push(`target ${i} outside the box: ${p}`);
      });
      if (i > 0) {
        const prev = targets[i - 1].pose.position;
        const step = Math.hypot(p[0] - prev.x, p[1] - prev.y, p[2] - prev.z);
        const m = measuredAt[i];
        const resync = m !== null && Math.hypot(p[0] - m[0], p[1] - m[1], p[2] - m[2]) < 1e-9;
        if (step > maxStep && !resync) out.push(`target ${i} moved ${step} m in one period`);
      }
    });
    gripperGoals.forEach((g, i) => {
      if (!(Number.isFinite(g.width) && g.width >= 0 && g.width <= settings.gripper.maxWidth)) out.push(`gripper goal ${i} width ${g.width}`);
    });
    return out;
  };
  return { ...w, node, op, settings, targets, gripperGoals, pose, grip, plan, hold, view, commandProblems };
}

function cameraSetup(compressed: boolean) {
  const w = fuzzWorld();
  const channel = new InProcessEmbeddingChannel();
  const frames: EncodedFrame[] = [];
  channel.subscribe((f) => frames.push(f));
  const preprocess = { size: 8, resize: "center_crop" as const, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };
  const node = new CameraNode(
    w.node("camera"),
    { topic: compressed ? NODE_TOPICS.compressedImage : NODE_TOPICS.image, compressed, maxFrameAge: 0.5, preprocess },
    meanEncoder().encode,
    channel,
  );
  node.start();
  const pub = w
    .node("driver")
    .publisher<unknown>(compressed ? "sensor_msgs/msg/CompressedImage" : "sensor_msgs/msg/Image", compressed ? NODE_TOPICS.compressedImage : NODE_TOPICS.image);
  const input: InputUnderTest<{ published: number }> = {
    name: `camera ${compressed ? "camera/image_raw/compressed (sensor_msgs/CompressedImage)" : "camera/image_raw (sensor_msgs/Image)"}`,
    node: "camera",
    lines: w.lines,
    deliver: async (msg) => {
      pub(msg);
      await flush(2);
      await node.idle();
      await flush(2);
    },
    snapshot: () => ({ published: frames.length }),
    accepted: (_d, before, after) => after.published > before.published,
    invariants: (_d, before, after, _msg, ok) => {
      if (!ok) return [];
      const f = frames.at(-1)!;
      const out: string[] = [];
      if (after.published !== before.published + 1) out.push(`${after.published - before.published} frames published for one`);
      if (!allFinite(f.embedding.data)) out.push("published a non-finite embedding");
      if (!Number.isFinite(f.stamp) || typeof f.frameId !== "string") out.push(`published stamp ${f.stamp}, frame id ${show(f.frameId)}`);
      return out;
    },
  };
  return { ...w, node, frames, pub, input };
}

// ---------------------------------------------------------------------------------------------------

describe("fuzzed node inputs", () => {
  it("camera: sensor_msgs/Image", async () => {
    const s = cameraSetup(false);
    const valid = { ...solidImage(100, [200, 100, 50]), header: { stamp: stamp100, frame_id: "camera" } };
    const spec = struct({
      header: headerSpec(true, true),
      height: int(1, 2 ** 31, { cross: true }),
      width: int(1, 2 ** 31, { cross: true }),
      encoding: str({ cross: true }),
      is_bigendian: unread,
      step: int(0, 2 ** 32, { cross: true, optional: true }),
      data: bytes({ cross: true }),
    });
    const extra = [...imageVariants(valid as Parameters<typeof imageVariants>[0]), ...stampVariants(valid)];
    extra.push({ label: "frame_id a number", msg: { ...clone(valid), header: { stamp: stamp100, frame_id: 7 } }, expect: "refuse" });
    extra.push({
      label: "data a Uint8Array of another realm",
      msg: { ...clone(valid), data: foreign("Uint8Array", valid.data as Uint8Array) },
      expect: "accept",
    });
    expectClean(await fuzz(s.input, variantsOf(1, spec, valid, extra)));
    // Alive: a valid frame is still encoded.
    const n = s.frames.length;
    s.pub(solidImage(100, [10, 20, 30]));
    await flush(2);
    await s.node.idle();
    await flush(2);
    expect(s.frames.length).toBe(n + 1);
  });

  it("camera: sensor_msgs/CompressedImage", async () => {
    const s = cameraSetup(true);
    const png = encodePng(rgb(8, 8, 120));
    const valid = { header: { stamp: stamp100, frame_id: "camera" }, format: "png", data: png };
    const spec = struct({ header: headerSpec(true, true), format: str(), data: bytes({ cross: true }) });
    const v = (over: Record<string, unknown>, label: string, expect: Expect): Variant => ({ label, msg: { ...clone(valid), ...over }, expect });
    const extra: Variant[] = [
      v({ data: png.subarray(0, png.length - 20) }, "truncated PNG", "refuse"),
      v({ data: pngHeaderClaiming(100_000, 100_000) }, "PNG header claiming 10^10 pixels", "refuse"),
      v({ data: pngHeaderClaiming(0, 0) }, "PNG header claiming 0×0", "refuse"),
      v({ data: Uint8Array.from([0xff, 0xd8, 0xff, 0xc0, 0, 17, 8, 0xff, 0xff, 0xff, 0xff, 3]) }, "JPEG header claiming 65535², nothing after", "refuse"),
      v({ data: Uint8Array.from({ length: 5000 }, (_, i) => (i * 7919) % 256) }, "noise", "refuse"),
      v({ data: new Uint8Array(0) }, "empty data", "refuse"),
      v({ data: Array.from(png) }, "data a plain array", "accept"),
      v({ data: new Float32Array(png.length) }, "data a Float32Array", "refuse"),
      v({ data: "\u0089PNG" }, "data a string", "refuse"),
      v({ format: "jpeg" }, "format jpeg for a PNG (a hint only)", "accept"),
      v({ format: "" }, "empty format", "accept"),
      v({ format: "\u001b[31m".repeat(3000) }, "format of control characters", "accept"),
      v({ format: 5 }, "format a number", "refuse"),
      v({ format: undefined }, "format missing", "refuse"),
      ...stampVariants(valid),
    ];
    expectClean(await fuzz(s.input, variantsOf(2, spec, valid, extra)));
    const n = s.frames.length;
    s.pub(valid);
    await flush(2);
    await s.node.idle();
    await flush(2);
    expect(s.frames.length).toBe(n + 1);
  });

  it("planner: robot/ee_pose (PoseStamped)", async () => {
    const s = plannerSetup("streaming");
    const valid = poseMsg(0.52);
    const input: InputUnderTest<unknown> = {
      name: "planner robot/ee_pose (geometry_msgs/PoseStamped)",
      node: "planner",
      lines: s.lines,
      restore: async () => {
        s.pose(poseMsg(0.45, { sec: 50, nanosec: 0 }));
        await flush(2);
      },
      deliver: async (msg) => s.pose(msg),
      snapshot: () => s.node["pose"],
      accepted: (_d, before, after) => !isDeepStrictEqual(before, after),
      invariants: (_d, _b, after, _m, ok) => {
        const p = after as { state: number[]; stamp: number };
        return ok && !(allFinite(p.state) && p.state.length === 6 && Number.isFinite(p.stamp)) ? [`stored pose ${JSON.stringify(p)}`] : [];
      },
    };
    expectClean(await fuzz(input, variantsOf(3, poseSpec(true), valid, poseVariants(valid, true))));
  });

  it("planner: robot/gripper (JointState)", async () => {
    const s = plannerSetup("streaming");
    const valid = jointStateMsg(0.6);
    const input: InputUnderTest<unknown> = {
      name: "planner robot/gripper (sensor_msgs/JointState)",
      node: "planner",
      lines: s.lines,
      restore: async () => {
        s.grip(jointStateMsg(0.25, { sec: 50, nanosec: 0 }));
        await flush(2);
      },
      deliver: async (msg) => s.grip(msg),
      snapshot: () => s.node["gripper"],
      accepted: (_d, before, after) => !isDeepStrictEqual(before, after),
      invariants: (_d, _b, after, _m, ok) => {
        const g = after as { value: number; stamp: number };
        return ok && !(g.value >= 0 && g.value <= 1 && Number.isFinite(g.stamp)) ? [`stored gripper ${JSON.stringify(g)}`] : [];
      },
    };
    expectClean(await fuzz(input, variantsOf(4, jointStateSpec(true), valid, [...jointStateVariants(valid, true), ...stampVariants(valid)])));
  });

  it("planner: actuator/status (ActuatorStatus) while waiting for a motion to settle", async () => {
    const s = plannerSetup("blocking");
    expect(await s.setGoal(s.validGoal)).toMatchObject({ success: true });
    /** Plans once and waits for SETTLED (re-armed whenever a variant released the wait). */
    const arm = async () => {
      if (s.node["settleWaiter"] !== null) return;
      s.clock.advanceTo(s.clock.now() + 0.01);
      await s.state(s.clock.now());
      s.channel.publish(s.frame(s.clock.now()));
      await flush(6);
      expect(s.node["settleWaiter"]).not.toBeNull();
    };
    await arm();
    const valid = {
      header: { stamp: { sec: 10_000, nanosec: 0 }, frame_id: "panda_link0" },
      code: ACTUATOR_CODES.settled,
      message: "settled",
      estopped: false,
    };
    const spec = struct({ header: headerSpec(true), code: int(0, 255, { cross: true }), message: unread, estopped: unread });
    const v = (over: Record<string, unknown>, label: string, expect: Expect): Variant => ({ label, msg: { ...clone(valid), ...over }, expect });
    const extra = [
      v({ code: "1" }, "code a string", "refuse"),
      v({ code: 1.5 }, "code 1.5", "refuse"),
      v({ code: true }, "code true", "refuse"),
      v({ code: 1n }, "code a bigint", "refuse"),
      v({ code: ACTUATOR_CODES.tracking }, "TRACKING (ignored while waiting)", "accept"),
      v({ code: 99 }, "an unknown code (ignored)", "accept"),
      v({ code: 256 }, "code 256 (not a uint8)", "refuse"),
      v({ code: -1 }, "code -1", "refuse"),
      v({ header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "" } }, "SETTLED stamped before the motion (ignored)", "accept"),
      ...stampVariants(valid),
    ];
    const waiting = () => ({ waiting: s.node["settleWaiter"] !== null, notBefore: s.node["notBefore"], actions: s.actions.length });
    const input: InputUnderTest<ReturnType<typeof waiting>> = {
      name: "planner actuator/status (vjepa2_mpc_interfaces/ActuatorStatus)",
      node: "planner",
      lines: s.lines,
      restore: arm,
      deliver: async (msg) => {
        s.actuatorStatus(msg);
        await flush(4);
      },
      snapshot: waiting,
      // Consumed (settled or rightly ignored) unless the planner says it refused it.
      accepted: (d) => !d.logs.some((l) => l.node === "planner" && l.msg === "ignoring actuator status"),
      invariants: (_d, before, after, msg) => {
        if (!(before.waiting && !after.waiting)) return [];
        const m = msg as { code: unknown; header: { stamp: { sec: number } } };
        return m.code === ACTUATOR_CODES.settled && m.header.stamp.sec >= 100 ? [] : ["a status that is no SETTLED after the motion released the wait"];
      },
    };
    expectClean(await fuzz(input, variantsOf(5, spec, valid, extra)));
    await s.node.stop();
  });

  it("planner: frames from the embedding channel", async () => {
    const s = plannerSetup("streaming");
    expect(await s.setGoal(s.validGoal)).toMatchObject({ success: true });
    await s.state(100);
    const valid = s.frame(100);
    const spec = struct({
      stamp: finite({ cross: true }),
      frameId: unread,
      embedding: struct({ data: numbers({ cross: true }), dims: numbers({ cross: true }) }),
      encodedAt: unread,
    });
    const withEmbedding = (e: unknown, label: string, expect: Expect): Variant => ({ label, msg: { ...valid, embedding: e }, expect });
    const data = valid.embedding.data;
    const extra: Variant[] = [
      ...[Number.NaN, Number.POSITIVE_INFINITY, "100", null, undefined, 1e308, -1, 99, 100.4].map((stamp): Variant => ({
        label: `stamp ${show(stamp)}`,
        msg: { ...valid, stamp },
        expect: stamp === 100.4 ? "accept" : "refuse",
      })),
      withEmbedding(null, "embedding null", "refuse"),
      withEmbedding({ data, dims: [1, 3, 2] }, "dims [1, 3, 2]", "refuse"),
      withEmbedding({ data, dims: [6] }, "dims [6]", "refuse"),
      withEmbedding({ data, dims: ["1", "2", "3"] }, "dims as strings", "refuse"),
      withEmbedding({ data, dims: [1, 1e6, 1e6] }, "dims claiming 10^12 values", "refuse"),
      withEmbedding({ data: data.slice(0, 5), dims: [1, 2, 3] }, "5 values for [1, 2, 3]", "refuse"),
      withEmbedding({ data: Float32Array.from([Number.NaN, 0, 0, 0, 0, 0]), dims: [1, 2, 3] }, "a NaN value", "refuse"),
      withEmbedding({ data: Float32Array.from([0, 0, 0, 0, 0, Number.NEGATIVE_INFINITY]), dims: [1, 2, 3] }, "an -Infinity value", "refuse"),
      withEmbedding({ data: Float64Array.from(data), dims: [1, 2, 3] }, "data a Float64Array", "refuse"),
      withEmbedding({ data: Array.from(data), dims: [1, 2, 3] }, "data a plain array", "refuse"),
      withEmbedding({ data: Float32Array.from([1e30, 0, 0, 0, 0, 0]), dims: [1, 2, 3] }, "a 1e30 value (finite)", "accept"),
      withEmbedding({ data: foreign("Float32Array", data), dims: [1, 2, 3] }, "data a Float32Array of another realm (a worker's)", "accept"),
      { label: "frame null", msg: null, expect: "refuse" },
      { label: "frame a string", msg: "frame", expect: "refuse" },
    ];
    const view = () => ({ actions: s.actions.length, step: s.planner["planningStep"], energies: s.planner.goals.traces.map((t) => t.energies.length) });
    const input: InputUnderTest<ReturnType<typeof view>> = {
      name: "planner embedding channel (EncodedFrame)",
      node: "planner",
      lines: s.lines,
      deliver: async (msg) => {
        const n = s.statuses.length;
        s.channel.publish(msg as EncodedFrame);
        await flush(4);
        await s.node.idle();
        await flush(2);
        return s.statuses.length > n ? s.statuses.at(-1) : undefined;
      },
      snapshot: view,
      accepted: (d) => isObject(d.response) && d.response.code !== PLAN_STATUS_CODES.invalid_observation,
      answered: (d) => isObject(d.response) && d.response.code === PLAN_STATUS_CODES.invalid_observation && d.response.message !== "",
      invariants: (_d, before, after, msg, ok) => {
        const out: string[] = [];
        for (const a of s.actions.slice(before.actions)) {
          if (!allFinite([a.dx, a.dy, a.dz, a.droll, a.dpitch, a.dyaw, a.dgripper])) out.push("sent a non-finite action");
        }
        if (ok && !(isObject(msg) && typeof msg.stamp === "number" && Number.isFinite(msg.stamp))) out.push("planned a frame without a finite stamp");
        if (after.actions > before.actions + 1) out.push("more than one action for one frame");
        return out;
      },
    };
    expectClean(await fuzz(input, variantsOf(6, spec, valid, extra)));
    // Alive: a valid frame is still planned and its action sent.
    const n = s.actions.length;
    s.channel.publish(s.frame(100));
    await flush(4);
    await s.node.idle();
    await flush(2);
    expect(s.actions.length).toBe(n + 1);
  });

  it("planner: planner/set_goal (SetGoal), at and over its size limits", async () => {
    const s = plannerSetup("streaming");
    const img = solidImage(0, [200, 50, 50]);
    const valid: SetGoalRequest = { images: [img], image_paths: ["red.png"], step_budgets: [3, 4], energy_threshold: 0, append: false };
    const imageSpec = struct({
      header: unread,
      height: int(1, 2 ** 31, { cross: true }),
      width: int(1, 2 ** 31, { cross: true }),
      encoding: str({ cross: true }),
      is_bigendian: unread,
      step: int(0, 2 ** 32, { cross: true, optional: true }),
      data: bytes({ cross: true }),
    });
    const spec = struct({
      images: list(imageSpec, { optional: true, cross: true }),
      image_paths: strings({ optional: true, cross: true }),
      step_budgets: numbers({ optional: true, cross: true }),
      energy_threshold: finite(),
      append: bool({ optional: true }),
    });
    const r = (over: Record<string, unknown>, label: string, expect: Expect): Variant => ({
      label,
      msg: { ...clone(valid), step_budgets: [], ...over },
      expect,
    });
    const big = { ...solidImage(0, [1, 2, 3], 64) };
    const extra: Variant[] = [
      // Limits: nodes.max_goals goals per request (4 here), nodes.max_goal_pixels per image (4096 here).
      r({ images: Array(4).fill(img), image_paths: [] }, "max_goals images", "accept"),
      r({ images: Array(5).fill(img), image_paths: [] }, "max_goals + 1 images", "refuse"),
      r({ images: Array(3).fill(img), image_paths: ["red.png", "red.png"] }, "max_goals + 1 images and paths", "refuse"),
      r({ images: Array(1_000_000).fill(img) }, "a million images", "refuse"),
      r({ images: new Array(2 ** 32 - 1) }, "an array claiming 2^32 - 1 images", "refuse"),
      r({ image_paths: Array(1_000_000).fill("red.png") }, "a million paths", "refuse"),
      r({ images: [big] }, "a 64×64 image (the pixel limit)", "accept"),
      r({ images: [{ ...solidImage(0, [1, 2, 3], 65) }] }, "a 65×65 image", "refuse"),
      r({ images: [{ ...img, width: 1_000_000, height: 1_000_000, step: 3_000_000 }] }, "10^12 pixels declared, 192 bytes given", "refuse"),
      r({ images: [{ ...img, width: -64, height: -64 }] }, "negative sides with a product under the limit", "refuse"),
      r({ image_paths: ["big.png"], images: [] }, "a file over the pixel limit", "refuse"),
      r({ image_paths: ["claims-huge.png"], images: [] }, "a file whose header claims 10^10 pixels", "refuse"),
      // Paths.
      r({ images: [], image_paths: ["red.png/"] }, "path red.png/ (resolved lexically to red.png)", "either"),
      ...[
        "../outside.png",
        "/etc/hostname",
        "escape.png",
        "dir.png",
        "",
        ".",
        "missing.png",
        "not-an-image.png",
        "red.png\u0000.txt",
        "\u001b[2Jred.png",
        "x".repeat(100_000),
        "a/".repeat(5000) + "red.png",
      ].map((p) => r({ images: [], image_paths: [p] }, `path ${show(p)}`, "refuse")),
      r({ images: [], image_paths: ["./red.png"] }, "path ./red.png", "accept"),
      r({ images: [], image_paths: ["nowhere/../red.png"] }, "path nowhere/../red.png", "accept"),
      r({ images: [], image_paths: "red.png" }, "image_paths a string", "refuse"),
      r({ images: [], image_paths: [["red.png"]] }, "a path inside an array", "refuse"),
      r({ images: "img" }, "images a string", "refuse"),
      r({ images: { length: 1, 0: img } }, "images an array-like object", "refuse"),
      // Budgets (uint32[]; rclnodejs delivers a Uint32Array).
      ...[[0], [-1], [1.5], [Number.NaN], [Number.POSITIVE_INFINITY], [2 ** 32], ["3"], [null], [3, 3, 3]].map((b) =>
        r({ image_paths: [], step_budgets: b }, `step_budgets ${JSON.stringify(b)}`, "refuse"),
      ),
      r({ image_paths: [], step_budgets: Uint32Array.of(7) }, "step_budgets a Uint32Array", "accept"),
      r({ image_paths: [], step_budgets: foreign("Uint32Array", [7]) }, "step_budgets a Uint32Array of another realm", "accept"),
      r({ image_paths: [], step_budgets: [2 ** 32 - 1] }, "step budget uint32 max", "accept"),
      r({ image_paths: [], step_budgets: "3" }, "step_budgets a string", "refuse"),
      r({ image_paths: [], step_budgets: new Array(1_000_000).fill(1) }, "a million budgets", "refuse"),
      // energy_threshold and append.
      ...[Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY, "0.5", null, undefined, true, 1n].map((e) =>
        r({ image_paths: [], energy_threshold: e }, `energy_threshold ${show(e)}`, "refuse"),
      ),
      ...[1e308, -1e308, -0, 5e-324].map((e) => r({ image_paths: [], energy_threshold: e }, `energy_threshold ${show(e)}`, "accept")),
      ...["false", "true", 0, 1, null].map((a) => r({ image_paths: [], append: a }, `append ${show(a)}`, "refuse")),
      r({ image_paths: [], append: undefined }, "append missing (false)", "accept"),
      r({ image_paths: [], append: true }, "append true", "accept"),
      // Inline image fields, labelled.
      ...imageVariants(img as Parameters<typeof imageVariants>[0]).map((v): Variant => ({
        label: `images[0]: ${v.label}`,
        msg: { ...clone(valid), image_paths: [], step_budgets: [], images: [v.msg] },
        expect: v.expect,
      })),
      ...[null, 5, "img", {}, []].map((m) => r({ images: [m], image_paths: [] }, `images[0] = ${show(m)}`, "refuse")),
      ...[null, undefined, "", 5, [], {}, true].map((q): Variant => ({ label: `request ${show(q)}`, msg: q, expect: "refuse" })),
    ];
    const view = () => ({ goals: s.goals(), paused: s.node["paused"] });
    const input: InputUnderTest<ReturnType<typeof view>> = {
      name: "planner planner/set_goal (vjepa2_mpc_interfaces/srv/SetGoal)",
      node: "planner",
      lines: s.lines,
      deliver: (msg) => s.setGoal(msg),
      snapshot: view,
      accepted: (d) => isObject(d.response) && d.response.success === true,
      invariants: (d, _b, after, _m, ok) => {
        const out: string[] = [];
        const res = d.response;
        if (!isObject(res) || typeof res.success !== "boolean" || typeof res.message !== "string" || !Number.isInteger(res.goal_count))
          return [`answer ${JSON.stringify(res)}`];
        if (res.goal_count !== after.goals.length - after.goals.index)
          out.push(`goal_count ${String(res.goal_count)} but ${after.goals.length - after.goals.index} goals remain`);
        if (ok && !after.goals.embeddings.every(allFinite)) out.push("a goal with a non-finite embedding");
        if (!ok && !d.logs.some((l) => l.msg === "SetGoal refused")) out.push("a refusal not logged");
        return out;
      },
    };
    expectClean(await fuzz(input, variantsOf(7, spec, valid, extra)));
    // Alive: a valid request is accepted and replaces the goals.
    expect(await s.setGoal({ ...s.validGoal })).toMatchObject({ success: true, goal_count: 1 });
  });

  it("planner: planner/pause (SetBool) and planner/clear_goals (Trigger)", async () => {
    const s = plannerSetup("streaming");
    const pause = (req: unknown) => s.call("std_srvs/srv/SetBool", s.options.pauseService, req);
    const extra: Variant[] = ["false", "true", 0, 1, null, undefined, [true], { value: true }].map((data) => ({
      label: `data ${show(data)}`,
      msg: { data },
      expect: "refuse",
    }));
    extra.push(
      { label: "data false", msg: { data: false }, expect: "accept" },
      { label: "data true with extra fields", msg: { data: true, toString: 1 }, expect: "accept" },
    );
    const pauseInput: InputUnderTest<{ paused: boolean }> = {
      name: "planner planner/pause (std_srvs/srv/SetBool)",
      node: "planner",
      lines: s.lines,
      deliver: pause,
      snapshot: () => ({ paused: s.node["paused"] }),
      accepted: (d) => isObject(d.response) && d.response.success === true,
      invariants: (d, _b, after, msg, ok) =>
        ok && after.paused !== (msg as { data: boolean }).data ? [`paused is ${after.paused} after ${JSON.stringify(d.response)}`] : [],
    };
    expectClean(await fuzz(pauseInput, variantsOf(8, struct({ data: bool() }), { data: true }, extra)));
    expect(await pause({ data: false })).toMatchObject({ success: true });

    const clearInput: InputUnderTest<unknown> = {
      name: "planner planner/clear_goals (std_srvs/srv/Trigger)",
      node: "planner",
      lines: s.lines,
      restore: async () => void (await s.setGoal(s.validGoal)),
      deliver: (msg) => s.call("std_srvs/srv/Trigger", s.options.clearGoalsService, msg),
      snapshot: () => s.goals(),
      accepted: (d) => isObject(d.response) && d.response.success === true && typeof d.response.message === "string",
      invariants: (_d, _b, after) => ((after as { length: number }).length === 0 ? [] : ["goals left after clear_goals"]),
    };
    expectClean(await fuzz(clearInput, triggerVariants()));
  });

  it("actuator: robot/ee_pose, robot/gripper, planner/action, estop and reset; nothing unsafe reaches the robot", async () => {
    const s = actuatorSetup();
    await s.hold(5);
    expect(s.node["state"]).not.toBeNull();

    const validPose = poseMsg(0.52, { sec: 0, nanosec: 0 });
    const poseInput: InputUnderTest<unknown> = {
      name: "actuator robot/ee_pose (geometry_msgs/PoseStamped)",
      node: "actuator",
      lines: s.lines,
      restore: () => s.hold(1),
      deliver: async (msg) => s.pose(msg),
      snapshot: () => s.view().state,
      accepted: (_d, before, after) => !isDeepStrictEqual(before, after),
      invariants: (_d, _b, after, _m, ok) => (ok && !allFinite(after as number[]) ? [`stored state ${JSON.stringify(after)}`] : []),
    };
    expectClean(await fuzz(poseInput, variantsOf(9, poseSpec(false), validPose, poseVariants(validPose, false))));

    const validGrip = jointStateMsg(0.6, { sec: 0, nanosec: 0 });
    const gripInput: InputUnderTest<unknown> = {
      name: "actuator robot/gripper (sensor_msgs/JointState)",
      node: "actuator",
      lines: s.lines,
      restore: () => s.hold(1),
      deliver: async (msg) => s.grip(msg),
      snapshot: () => s.view().gripper,
      accepted: (_d, before, after) => before !== after,
      invariants: (_d, _b, after, _m, ok) => (ok && !(typeof after === "number" && after >= 0 && after <= 1) ? [`stored gripper ${String(after)}`] : []),
    };
    expectClean(await fuzz(gripInput, variantsOf(10, jointStateSpec(false), validGrip, jointStateVariants(validGrip, true))));

    // Plans: a refused one holds (the answer) and says so; the robot and gripper state, the gripper target,
    // the latch and (for a malformed message) the plan watchdog's clock stay as they were.
    const validPlan = endEffectorDeltaMsg([0.01, 0, 0, 0, 0, 0, 0.2], 0, "panda_link0");
    const planSpec = struct({
      header: headerSpec(false),
      dx: finite(),
      dy: finite(),
      dz: finite(),
      droll: finite(),
      dpitch: finite(),
      dyaw: finite(),
      dgripper: finite(),
    });
    const plans = variantsOf(11, planSpec, validPlan, [
      ...["dx", "dgripper"].flatMap((k) =>
        [Number.NaN, Number.POSITIVE_INFINITY, "0.01", null, undefined, 1n, Object.create(null) as unknown, { valueOf: () => 0.01 }].map((x): Variant => ({
          label: `${k} = ${show(x)}`,
          msg: { ...validPlan, [k]: x },
          expect: "refuse",
        })),
      ),
      ...[1e308, -1e308, 5, -0].map((x): Variant => ({ label: `dx = ${show(x)} (limited)`, msg: { ...validPlan, dx: x }, expect: "accept" })),
      { label: "dyaw 100 rad (limited)", msg: { ...validPlan, dyaw: 100 }, expect: "accept" },
    ]);
    const planView = () => {
      const v = s.view();
      return { state: v.state, gripper: v.gripper, gripperTarget: v.gripperTarget, estopped: v.estopped, gripperGoals: v.gripperGoals };
    };
    let planAt: number | null = null;
    const planInput: InputUnderTest<ReturnType<typeof planView>> = {
      name: "actuator planner/action (vjepa2_mpc_interfaces/EndEffectorDelta)",
      node: "actuator",
      lines: s.lines,
      restore: async () => {
        await s.hold(3, 0.5);
        planAt = s.view().planReceivedAt;
      },
      deliver: async (msg) => {
        s.plan(msg);
        await flush(2);
        return { message: s.view().mode.message };
      },
      snapshot: planView,
      accepted: () => !s.view().mode.message.startsWith("plan refused"),
      answered: (d) => isObject(d.response) && typeof d.response.message === "string" && d.response.message.startsWith("plan refused"),
      invariants: (_d, _b, _a, msg, ok) => {
        const v = s.view();
        const out: string[] = [];
        if (ok && v.mode.code !== ACTUATOR_CODES.tracking) out.push(`accepted but mode ${v.mode.code}`);
        if (!ok && !isDeepStrictEqual(v.goal, v.commanded)) out.push("refused but still moving");
        const isPlan = isObject(msg) && ["dx", "dy", "dz", "droll", "dpitch", "dyaw", "dgripper"].every((k) => typeof msg[k] === "number");
        if (!isPlan && v.planReceivedAt !== planAt) out.push("a malformed message fed the plan watchdog");
        return out;
      },
    };
    expectClean(await fuzz(planInput, plans));

    const estop = (req: unknown) => s.op.call<unknown, unknown>("std_srvs/srv/Trigger", NODE_SERVICES.estop, req);
    const reset = (req: unknown) => s.op.call<unknown, unknown>("std_srvs/srv/Trigger", NODE_SERVICES.reset, req);
    const trigger = (name: string, call: typeof estop, other: typeof estop, latched: boolean): InputUnderTest<boolean> => ({
      name: `actuator ${name} (std_srvs/srv/Trigger)`,
      node: "actuator",
      lines: s.lines,
      restore: async () => void (await other({})),
      deliver: call,
      snapshot: () => s.node.estopped,
      accepted: (d) => isObject(d.response) && d.response.success === true && typeof d.response.message === "string",
      invariants: (_d, _b, after) => (after === latched ? [] : [`e-stop latched is ${after}`]),
    });
    expectClean(await fuzz(trigger("actuator/estop", estop, reset, true), triggerVariants()));
    expectClean(await fuzz(trigger("actuator/reset", reset, estop, false), triggerVariants()));

    // Alive: after a reset, a valid plan moves the target and the gripper goal goes out.
    expect(await reset({})).toMatchObject({ success: true });
    await s.hold(2);
    s.plan(endEffectorDeltaMsg([0.02, 0, 0, 0, 0, 0, 0], s.clock.now(), "panda_link0"));
    await s.hold(40);
    expect(s.targets.at(-1)!.pose.position.x).toBeCloseTo(0.5 + 0.02, 6); // the measured x + dx
    expect(s.targets.length).toBeGreaterThan(100);
    expect(s.commandProblems()).toEqual([]);
    await s.node.stop();
  });

  it("simulated robot: actuator/target_pose and the gripper actions", async () => {
    const w = fuzzWorld(0);
    const robotT = w.node("robot");
    const robot = new SimulatedRobotNode(robotT, {
      initial: [0.5, 0, 0.3, Math.PI, 0, 0, 0],
      period: 0.01,
      timeConstant: 0,
      frameId: "panda_link0",
      maxWidth: 0.08,
    });
    robot.start();
    const op = w.node("operator");
    const target = op.publisher<unknown>("geometry_msgs/msg/PoseStamped", NODE_TOPICS.targetPose);
    const valid = poseMsg(0.52);
    const targetInput: InputUnderTest<unknown> = {
      name: "simulated robot actuator/target_pose (geometry_msgs/PoseStamped)",
      node: "robot",
      lines: w.lines,
      restore: async () => {
        target(poseMsg(0.5));
        await flush(2);
      },
      deliver: async (msg) => target(msg),
      snapshot: () => robot["target"],
      accepted: (_d, before, after) => !isDeepStrictEqual(before, after),
      invariants: (_d, _b, after, _m, ok) => (ok && !allFinite(after as number[]) ? [`target ${JSON.stringify(after)}`] : []),
    };
    expectClean(await fuzz(targetInput, variantsOf(12, poseSpec(false), valid, poseVariants(valid, false))));

    for (const [type, name] of [
      ["franka_msgs/action/Move", NODE_ACTIONS.gripperMove],
      ["franka_msgs/action/Grasp", NODE_ACTIONS.gripperGrasp],
    ] as const) {
      const goal = (g: unknown) => op.sendGoal<unknown, unknown>(type, name, g);
      const input: InputUnderTest<number> = {
        name: `simulated robot ${name} (${type})`,
        node: "robot",
        lines: w.lines,
        restore: async () => void (await goal({ width: 0.08, speed: 0.1 })),
        deliver: goal,
        snapshot: () => robot.state[6],
        accepted: (d) => isObject(d.response) && d.response.success === true,
        invariants: (_d, _b, after) => (after >= 0 && after <= 1 ? [] : [`gripper state ${after}`]),
      };
      expectClean(await fuzz(input, variantsOf(13, struct({ width: finite(), speed: unread, force: unread, epsilon: unread }), { width: 0.04, speed: 0.1 })));
    }
    await robot.stop();
  });

  it("the checker catches a node that changes state, throws, drops silently or takes garbage", async () => {
    const w = fuzzWorld();
    const t = w.node("leaky");
    const state = { received: 0, value: 0 };
    // Counts before validating, throws on a wrong type, drops null silently, takes a string as a number.
    t.subscribe<{ data: unknown } | null>("std_msgs/msg/Float64", "leaky", "reliable", (m) => {
      if (m === null) return;
      state.received++;
      if (typeof m.data === "object") throw new Error("bad data");
      state.value = Number(m.data);
    });
    const pub = w.node("op").publisher<unknown>("std_msgs/msg/Float64", "leaky");
    const input: InputUnderTest<typeof state> = {
      name: "a leaky test node",
      node: "leaky",
      lines: w.lines,
      deliver: async (msg) => pub(msg),
      snapshot: () => ({ ...state }),
      accepted: (_d, before, after) => before.value !== after.value,
    };
    const r = await fuzz(input, [
      { label: "valid", msg: { data: 2 }, expect: "accept" },
      { label: "object", msg: { data: {} }, expect: "refuse" },
      { label: "null", msg: null, expect: "refuse" },
      { label: "string", msg: { data: "3" }, expect: "refuse" },
    ]);
    expect(r.violations).toEqual([
      expect.stringMatching(/^#1 object \[refuse\]: logged "subscription callback threw": bad data$/),
      expect.stringMatching(/^#1 object \[refuse\]: refused but changed state/),
      expect.stringMatching(/^#1 object \[refuse\]: refused without an answer or a log line/), // a crash is no answer
      expect.stringMatching(/^#2 null \[refuse\]: refused without an answer or a log line/),
      expect.stringMatching(/^#3 string \[refuse\]: accepted a malformed input$/),
    ]);
    reports.pop();

    // An unhandled rejection out of a handler is caught and attributed.
    t.subscribe<unknown>("std_msgs/msg/Float64", "rejecting", "reliable", () => void Promise.reject(new Error("lost")));
    const rej = w.node("op").publisher<unknown>("std_msgs/msg/Float64", "rejecting");
    const r2 = await fuzz({ ...input, name: "a rejecting node", deliver: async (msg) => rej(msg), accepted: () => true }, [
      { label: "any", msg: {}, expect: "accept" },
    ]);
    expect(r2.violations).toEqual([expect.stringMatching(/unhandled rejection: lost/)]);
    reports.pop();
  });
});
