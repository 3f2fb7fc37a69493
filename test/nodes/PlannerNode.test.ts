import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { RecedingHorizonPlanner } from "../../src/mpc/RecedingHorizonPlanner";
import { InProcessEmbeddingChannel } from "../../src/nodes/embeddingChannel";
import type { SetGoalRequest, SetGoalResponse } from "../../src/nodes/goalRequest";
import type { EndEffectorDeltaMsg, PlanStatusMsg } from "../../src/nodes/messages";
import { ACTUATOR_SETTLED, PlannerNode, type JointStateMsg, type PlannerNodeOptions, type PoseStampedMsg } from "../../src/nodes/PlannerNode";
import { timeFromSeconds } from "../../src/ros/messages";
import { encodePng } from "../../src/worldmodel/imageDecode";
import { AnalyticWorldModel } from "../helpers/analyticWorldModel";
import { flush, meanEncoder, plannerTestOptions, simWorld, solidImage } from "../helpers/nodeFixtures";
import pino from "pino";
import * as vm from "node:vm";
import type { EncodedFrame } from "../../src/nodes/embeddingChannel";
import { InProcessBus, InProcessTransport } from "../../src/nodes/transport/InProcessTransport";

const goalRoot = fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-goals-"));
fs.writeFileSync(
  path.join(goalRoot, "red.png"),
  encodePng({ width: 8, height: 8, encoding: "rgb8", data: new Uint8Array(192).fill(0).map((_, i) => (i % 3 === 0 ? 255 : 0)) }),
);
fs.writeFileSync(path.join(os.tmpdir(), "outside.png"), encodePng({ width: 8, height: 8, encoding: "rgb8", data: new Uint8Array(192) }));

function options(mode: "blocking" | "streaming"): PlannerNodeOptions {
  return plannerTestOptions(mode, { goalLimits: { maxGoals: 4, maxPixels: 64 * 64, goalRoot } });
}

function setup(mode: "blocking" | "streaming", returnToBest = false) {
  const w = simWorld();
  const channel = new InProcessEmbeddingChannel();
  const model = new AnalyticWorldModel();
  const planner = new RecedingHorizonPlanner(model, {
    cem: { samples: 30, iterations: 2, topk: 5, seed: 1 },
    warmStart: false,
    evaluatePlan: false,
    returnToBest,
  });
  const enc = meanEncoder();
  const t = w.node("planner");
  const node = new PlannerNode(t, planner, options(mode), channel, enc.encode);
  node.start();
  const client = w.node("operator");
  const actions: EndEffectorDeltaMsg[] = [];
  const statuses: PlanStatusMsg[] = [];
  client.subscribe<EndEffectorDeltaMsg>("vjepa2_mpc_interfaces/msg/EndEffectorDelta", "/planner/action", "reliable", (m) => actions.push(m));
  client.subscribe<PlanStatusMsg>("vjepa2_mpc_interfaces/msg/PlanStatus", "/planner/status", "reliable", (m) => statuses.push(m));
  const pose = client.publisher<PoseStampedMsg>("geometry_msgs/msg/PoseStamped", "/robot/ee_pose");
  const grip = client.publisher<JointStateMsg>("sensor_msgs/msg/JointState", "/robot/gripper");
  const actuator = client.publisher<{ header: unknown; code: number; message: string }>("vjepa2_mpc_interfaces/msg/ActuatorStatus", "/actuator/status");
  const state = (stamp: number, x = 0.5) => {
    pose({
      header: { stamp: timeFromSeconds(stamp), frame_id: "panda_link0" },
      pose: { position: { x, y: 0, z: 0.3 }, orientation: { x: 1, y: 0, z: 0, w: 0 } },
    });
    grip({ header: { stamp: timeFromSeconds(stamp), frame_id: "" }, name: ["gripper"], position: [0], velocity: [], effort: [] });
  };
  const frame = (stamp: number) => channel.publish({ stamp, frameId: "camera", embedding: AnalyticWorldModel.embedding(0, 0, 0, 0), encodedAt: stamp });
  const setGoal = (req: Partial<SetGoalRequest>) =>
    client.call<SetGoalRequest, SetGoalResponse>("vjepa2_mpc_interfaces/srv/SetGoal", "/planner/set_goal", {
      images: [],
      image_paths: [],
      step_budgets: [],
      energy_threshold: 0,
      append: false,
      ...req,
    });
  return { ...w, node, planner, client, actions, statuses, state, frame, setGoal, actuator, enc };
}

describe("PlannerNode goals", () => {
  it("sets goals from inline images and files under the goal root, encoding them in one batch", async () => {
    const s = setup("streaming");
    const r = await s.setGoal({ images: [solidImage(0, [0, 255, 0])], image_paths: ["red.png"], step_budgets: [4, 10] });
    expect(r).toEqual({ success: true, message: "2 goals scheduled", goal_count: 2 });
    expect(s.enc.calls).toEqual([2]);
    expect(s.planner.goals.traces.map((t) => t.label)).toEqual(["images[0]", "red.png"]);
  });

  it("refuses bad requests with the reason and keeps the current goals", async () => {
    const s = setup("streaming");
    await s.setGoal({ image_paths: ["red.png"] });
    const cases: Array<[Partial<SetGoalRequest>, RegExp]> = [
      [{}, /no goal images/],
      [{ image_paths: Array(5).fill("red.png") }, /5 goals exceed the limit of 4 per request/],
      [{ image_paths: ["red.png"], step_budgets: [1, 2] }, /step_budgets has 2 entries for 1 goals/],
      [{ image_paths: ["red.png"], step_budgets: [0] }, /step_budgets\[0\] = 0/],
      [{ image_paths: ["../outside.png"] }, /resolves outside the goal root/],
      [{ image_paths: ["missing.png"] }, /not found under/],
      [{ images: [solidImage(0, [1, 1, 1], 65)] }, /images\[0\]: 65×65 exceeds the limit of 4096 pixels/],
      [{ images: [{ ...solidImage(0, [1, 1, 1]), encoding: "yuv422" }] }, /images\[0\]: unsupported image encoding 'yuv422'/],
    ];
    for (const [req, message] of cases) {
      const r = await s.setGoal(req);
      expect(r.success).toBe(false);
      expect(r.message).toMatch(message);
      expect(r.goal_count).toBe(1);
    }
    expect(s.planner.goals.traces.map((t) => t.label)).toEqual(["red.png"]);
  });

  it("appends after the remaining goals when asked", async () => {
    const s = setup("streaming");
    await s.setGoal({ image_paths: ["red.png"] });
    const r = await s.setGoal({ images: [solidImage(0, [0, 0, 255])], append: true });
    expect(r.goal_count).toBe(2);
  });
});

describe("PlannerNode streaming mode", () => {
  it("plans on fresh frames with a fresh state and publishes the action and status", async () => {
    const s = setup("streaming");
    s.frame(100); // no state yet: not planned
    await flush();
    expect(s.actions).toHaveLength(0);
    await s.setGoal({ images: [solidImage(0, [255, 0, 0])] });
    s.state(100);
    await flush();
    s.frame(100);
    await flush(10);
    await s.node.idle();
    await flush();
    expect(s.actions).toHaveLength(1);
    expect(s.actions[0].header).toEqual({ stamp: timeFromSeconds(100), frame_id: "panda_link0" });
    expect(s.actions[0].dx).toBeGreaterThan(0); // towards the red goal's x
    expect(s.statuses.at(-1)).toMatchObject({ code: 0, goal_index: 0, goal_count: 1, step_at_goal: 1, step_budget: 3, model_calls: 2 });
    expect(s.statuses.at(-1)?.action).toHaveLength(7);
  });

  it("with return_to_best, moves back to the best frame's state once the budget is spent, then stops planning", async () => {
    const s = setup("streaming", true);
    await s.setGoal({ images: [solidImage(0, [255, 0, 0])], step_budgets: [1] });
    // Same frame energy each time: the first frame stays the best; the arm has since moved 10 cm in x.
    for (const [stamp, x] of [
      [100, 0.5],
      [101, 0.6],
      [102, 0.5],
      [103, 0.6],
    ]) {
      s.state(stamp, x);
      await flush();
      s.frame(stamp);
      await flush(10);
      await s.node.idle();
      await flush();
    }
    expect(s.statuses.map((m) => m.code)).toEqual([0, 6, 2]); // planned, returning, done; the last frame is not planned
    expect(s.actions).toHaveLength(2);
    expect(s.actions[1].dx).toBeCloseTo(-0.075, 9);
    expect(s.statuses[1].message).toMatch(/returning to the lowest-energy frame of the last goal/);
  });

  it("pauses, resumes and clears goals through its services", async () => {
    const s = setup("streaming");
    await s.setGoal({ images: [solidImage(0, [255, 0, 0])] });
    s.state(100);
    await s.client.call("std_srvs/srv/SetBool", "/planner/pause", { data: true });
    s.frame(100);
    await flush(10);
    expect(s.actions).toHaveLength(0);
    await s.client.call("std_srvs/srv/SetBool", "/planner/pause", { data: false });
    s.frame(100.1);
    await flush(10);
    await s.node.idle();
    expect(s.actions).toHaveLength(1);
    expect(await s.client.call("std_srvs/srv/Trigger", "/planner/clear_goals", {})).toEqual({ success: true, message: "goals cleared" });
    s.frame(100.2);
    await flush(10);
    await s.node.idle();
    expect(s.actions).toHaveLength(1);
  });
});

describe("PlannerNode blocking mode", () => {
  it("waits for the actuator to settle, then plans on a frame captured after it", async () => {
    const s = setup("blocking");
    s.state(100);
    await s.setGoal({ images: [solidImage(0, [255, 0, 0])], step_budgets: [2] });
    s.frame(100);
    await flush(10);
    expect(s.actions).toHaveLength(1);
    s.frame(100.1); // motion not settled: ignored
    await flush(10);
    expect(s.actions).toHaveLength(1);
    s.clock.advanceTo(100.5);
    s.actuator({ header: { stamp: timeFromSeconds(100.5), frame_id: "" }, code: ACTUATOR_SETTLED, message: "settled" });
    await flush(10);
    s.frame(100.4); // captured before the settle: ignored
    await flush(10);
    expect(s.actions).toHaveLength(1);
    s.state(100.6);
    s.frame(100.6);
    await flush(10);
    expect(s.actions).toHaveLength(2);
    // The budget of 2 is spent: the next settled frame reports done and the loop ends.
    s.clock.advanceTo(101);
    s.actuator({ header: { stamp: timeFromSeconds(101), frame_id: "" }, code: ACTUATOR_SETTLED, message: "settled" });
    await flush(10);
    s.state(101.1);
    s.frame(101.1);
    await flush(10);
    await s.node.idle();
    expect(s.actions).toHaveLength(2);
    expect(s.statuses.at(-1)?.code).toBe(2);
    await s.node.stop();
  });

  it("gives up waiting after the settle timeout and plans again", async () => {
    const s = setup("blocking");
    s.state(100);
    await s.setGoal({ images: [solidImage(0, [255, 0, 0])], step_budgets: [5] });
    s.frame(100);
    await flush(10);
    s.clock.advanceTo(102.5); // settle_timeout = 2 s passes without a SETTLED status
    await flush(10);
    s.state(102.6);
    s.frame(102.6);
    await flush(10);
    expect(s.actions).toHaveLength(2);
    expect(s.node.stats.settleTimeouts).toBe(1);
    await s.node.stop();
  });
});

/** A planner on a transport whose log lines (debug and up) are kept. */
function loggedSetup() {
  const lines: Array<{ level: number; msg: string; reason?: string; refused_since_last_warning?: number }> = [];
  const w = simWorld();
  const bus = new InProcessBus();
  const t = new InProcessTransport(bus, "planner", w.clock, pino({ level: "debug" }, { write: (l: string) => void lines.push(JSON.parse(l)) }));
  const op = new InProcessTransport(bus, "operator", w.clock);
  const planner = new RecedingHorizonPlanner(new AnalyticWorldModel(), {
    cem: { samples: 10, iterations: 1, topk: 3, seed: 1 },
    warmStart: false,
    evaluatePlan: false,
  });
  const channel = new InProcessEmbeddingChannel();
  const node = new PlannerNode(t, planner, options("streaming"), channel, meanEncoder().encode);
  node.start();
  const statuses: PlanStatusMsg[] = [];
  op.subscribe<PlanStatusMsg>("vjepa2_mpc_interfaces/msg/PlanStatus", "/planner/status", "reliable", (m) => statuses.push(m));
  return {
    node,
    channel,
    statuses,
    clock: w.clock,
    lines,
    call: (type: string, name: string, req: unknown) => op.call<unknown, unknown>(type, name, req),
    publish: (type: string, topic: string, m: unknown) => op.publisher<unknown>(type, topic)(m),
  };
}

describe("PlannerNode hostile inputs (test/fuzz/nodeInputs regressions)", () => {
  const publishRaw = (s: ReturnType<typeof setup>, stamp: unknown, poseStamp = stamp) => {
    s.client.publisher<unknown>(
      "geometry_msgs/msg/PoseStamped",
      "/robot/ee_pose",
    )({ header: { stamp: poseStamp, frame_id: "" }, pose: { position: { x: 0.5, y: 0, z: 0.3 }, orientation: { x: 1, y: 0, z: 0, w: 0 } } });
    s.client.publisher<unknown>(
      "sensor_msgs/msg/JointState",
      "/robot/gripper",
    )({ header: { stamp, frame_id: "" }, name: ["gripper"], position: [0], velocity: [], effort: [] });
  };

  it("never plans on a robot state whose stamp is no time (a NaN stamp passed every age check)", async () => {
    const s = setup("streaming");
    await s.setGoal({ images: [solidImage(0, [255, 0, 0])] });
    publishRaw(s, { sec: Number.NaN, nanosec: 0 });
    await flush();
    s.frame(100);
    await flush(10);
    await s.node.idle();
    expect(s.actions).toHaveLength(0);
    s.state(100); // a real state is still taken
    await flush();
    s.frame(100);
    await flush(10);
    await s.node.idle();
    expect(s.actions).toHaveLength(1);
  });

  it("does not use a pose stamped long after the frame (only the older part of the state was checked)", async () => {
    const s = setup("streaming");
    await s.setGoal({ images: [solidImage(0, [255, 0, 0])] });
    publishRaw(s, timeFromSeconds(100), timeFromSeconds(101)); // gripper at the frame, pose 1 s later
    await flush();
    s.frame(100);
    await flush(10);
    await s.node.idle();
    expect(s.actions).toHaveLength(0);
  });

  it("refuses a pause request without a boolean, leaving planning as it was", async () => {
    const s = setup("streaming");
    const pause = (req: unknown) => s.client.call<unknown, { success: boolean; message: string }>("std_srvs/srv/SetBool", "/planner/pause", req);
    expect(await pause({ data: true })).toMatchObject({ success: true });
    expect(await pause({})).toEqual({ success: false, message: "SetBool.data is missing, not a boolean: planning stays paused" }); // resumed before
    expect(await pause(null)).toMatchObject({ success: false }); // threw before
    expect(await pause({ data: false })).toMatchObject({ success: true });
    expect(await pause({ data: "false" })).toEqual({ success: false, message: 'SetBool.data is the string "false", not a boolean: planning stays running' }); // paused before
    await s.setGoal({ images: [solidImage(0, [255, 0, 0])] });
    s.state(100);
    await flush();
    s.frame(100);
    await flush(10);
    await s.node.idle();
    expect(s.actions).toHaveLength(1);
  });

  it("refuses SetGoal fields of the wrong type, with short printable answers, and keeps the goals", async () => {
    const s = setup("streaming");
    await s.setGoal({ image_paths: ["red.png"] });
    const cases: Array<[unknown, RegExp]> = [
      [{ image_paths: ["red.png"], append: "false" }, /^append is the string "false", not a boolean$/], // appended before
      [{ images: [{ ...solidImage(0, [1, 1, 1]), step: Number.NaN }] }, /^images\[0\]: image step is NaN, not an integer$/], // a NaN goal before
      [{ images: [{ ...solidImage(0, [1, 1, 1]), step: 24.5, data: new Uint8Array(400) }] }, /^images\[0\]: image step is 24.5/],
      [{ images: [{ ...solidImage(0, [1, 1, 1]), encoding: "toString" }] }, /^images\[0\]: unsupported image encoding "toString"$/],
      [
        { images: [{ ...solidImage(0, [1, 1, 1]), data: "\u0001".repeat(192) }] },
        /^images\[0\]: image data is a string of 192 characters, not uint8\[\] bytes$/,
      ],
      [{ image_paths: ["red.png"], step_budgets: [2 ** 32] }, /budgets are integers ≥ 1 and ≤ 4294967295/],
      [{ image_paths: "red.png" }, /^image_paths is the string "red.png", not an array$/],
      [{ image_paths: [7] }, /^image_paths\[0\] is 7, not a string$/],
      [{ image_paths: ["\u001b[2J" + "x".repeat(100_000)] }, /^goal image "\\u001b\[2Jx+"… \(100004 characters\) not found under/],
    ];
    for (const [req, message] of cases) {
      const r = await s.setGoal(req as Partial<SetGoalRequest>);
      expect(r).toMatchObject({ success: false, goal_count: 1 });
      expect(r.message).toMatch(message);
      expect(r.message.length).toBeLessThan(400);
    }
    const raw = (req: unknown) => s.client.call<unknown, SetGoalResponse>("vjepa2_mpc_interfaces/srv/SetGoal", "/planner/set_goal", req);
    expect(await raw(null)).toEqual({ success: false, message: "the request is null, not a SetGoal request", goal_count: 1 });
    expect(s.planner.goals.traces.map((t) => t.label)).toEqual(["red.png"]);
  });

  it("drops a frame with an unusable embedding or stamp with a log, and keeps planning (it was an unhandled rejection)", async () => {
    const s = loggedSetup();
    expect(
      await s.call("vjepa2_mpc_interfaces/srv/SetGoal", "/planner/set_goal", {
        images: [solidImage(0, [255, 0, 0])],
        image_paths: [],
        step_budgets: [],
        energy_threshold: 0,
        append: false,
      }),
    ).toMatchObject({ success: true });
    const { channel, statuses } = s;
    s.publish("geometry_msgs/msg/PoseStamped", "/robot/ee_pose", {
      header: { stamp: timeFromSeconds(100), frame_id: "" },
      pose: { position: { x: 0.5, y: 0, z: 0.3 }, orientation: { x: 1, y: 0, z: 0, w: 0 } },
    });
    s.publish("sensor_msgs/msg/JointState", "/robot/gripper", {
      header: { stamp: timeFromSeconds(100), frame_id: "" },
      name: ["gripper"],
      position: [0],
      velocity: [],
      effort: [],
    });
    await flush();
    const good = AnalyticWorldModel.embedding(0, 0, 0, 0);
    for (const f of [
      { stamp: 100, frameId: "camera", embedding: { dims: [1, 2, 3] }, encodedAt: 100 },
      { stamp: 100, frameId: "camera", embedding: { data: Float32Array.from([Number.NaN, 0, 0, 0, 0, 0]), dims: [1, 2, 3] }, encodedAt: 100 },
      { stamp: Number.NaN, frameId: "camera", embedding: good, encodedAt: 100 },
      { stamp: 100, frameId: "camera", embedding: { data: good.data, dims: new Array(1_000_000).fill(1) }, encodedAt: 100 }, // a 3 MB status message before
    ]) {
      channel.publish(f as unknown as EncodedFrame);
      await flush(10);
      await s.node.idle();
    }
    expect(statuses).toHaveLength(0);
    expect(s.lines.filter((l) => l.msg === "ignoring camera frame").map((l) => l.reason)).toEqual([
      "frame embedding is not a float32 tensor",
      "frame embedding has the non-finite value NaN at 0",
      "frame stamp is NaN",
      "frame embedding has 1000000 dims, not 3 positive integers",
    ]);
    channel.publish({ stamp: 100, frameId: "camera", embedding: good, encodedAt: 100 });
    await flush(10);
    await s.node.idle();
    expect(statuses.map((m) => m.code)).toEqual([0]);
    await s.node.stop();
  });

  it("plans on an embedding made in another realm (a worker thread's result under Jest)", async () => {
    const s = loggedSetup();
    await s.call("vjepa2_mpc_interfaces/srv/SetGoal", "/planner/set_goal", {
      images: [solidImage(0, [255, 0, 0])],
      image_paths: [],
      step_budgets: [],
      energy_threshold: 0,
      append: false,
    });
    s.publish("geometry_msgs/msg/PoseStamped", "/robot/ee_pose", {
      header: { stamp: timeFromSeconds(100), frame_id: "" },
      pose: { position: { x: 0.5, y: 0, z: 0.3 }, orientation: { x: 1, y: 0, z: 0, w: 0 } },
    });
    s.publish("sensor_msgs/msg/JointState", "/robot/gripper", {
      header: { stamp: timeFromSeconds(100), frame_id: "" },
      name: ["gripper"],
      position: vm.runInNewContext("Float64Array.of(0)"),
      velocity: [],
      effort: [],
    });
    await flush();
    const data = vm.runInNewContext("new Float32Array(6)") as Float32Array;
    expect(data instanceof Float32Array).toBe(false);
    s.channel.publish({ stamp: 100, frameId: "camera", embedding: { data, dims: [1, 2, 3] }, encodedAt: 100 });
    await flush(10);
    await s.node.idle();
    expect(s.statuses.map((m) => m.code)).toEqual([0]);
    await s.node.stop();
  });

  it("logs gripper states it cannot use, rate-limited, instead of dropping them silently", async () => {
    const s = loggedSetup();
    const js = (name: string[], position: unknown) =>
      s.publish("sensor_msgs/msg/JointState", "/robot/gripper", {
        header: { stamp: timeFromSeconds(100), frame_id: "" },
        name,
        position,
        velocity: [],
        effort: [],
      });
    js(["fr3_joint1"], [0.1]); // no gripper joint: dropped without a word before
    js(["gripper"], [Number.NaN]);
    js(["gripper"], "0.5"); // threw before
    await flush();
    s.clock.advanceTo(106);
    js(["fr3_joint1"], [0.1]);
    await flush();
    const refusals = s.lines.filter((l) => l.msg === "ignoring gripper state");
    expect(refusals.map((l) => [l.level, l.reason])).toEqual([
      [40, "no usable gripper joint (a 'gripper' joint or finger joints with finite positions)"],
      [20, "non-finite gripper closedness NaN"],
      [20, 'position is the string "0.5", not an array of numbers'],
      [40, "no usable gripper joint (a 'gripper' joint or finger joints with finite positions)"],
    ]);
    expect(refusals[3].refused_since_last_warning).toBe(2);
    expect(s.node["gripper"]).toBeNull();
  });
});
