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

const goalRoot = fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-goals-"));
fs.writeFileSync(path.join(goalRoot, "red.png"), encodePng({ width: 8, height: 8, encoding: "rgb8", data: new Uint8Array(192).fill(0).map((_, i) => (i % 3 === 0 ? 255 : 0)) }));
fs.writeFileSync(path.join(os.tmpdir(), "outside.png"), encodePng({ width: 8, height: 8, encoding: "rgb8", data: new Uint8Array(192) }));

function options(mode: "blocking" | "streaming"): PlannerNodeOptions {
  return plannerTestOptions(mode, { goalLimits: { maxGoals: 4, maxPixels: 64 * 64, goalRoot } });
}

function setup(mode: "blocking" | "streaming", returnToBest = false) {
  const w = simWorld();
  const channel = new InProcessEmbeddingChannel();
  const model = new AnalyticWorldModel();
  const planner = new RecedingHorizonPlanner(model, { cem: { samples: 30, iterations: 2, topk: 5, seed: 1 }, warmStart: false, evaluatePlan: false, returnToBest });
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
    pose({ header: { stamp: timeFromSeconds(stamp), frame_id: "panda_link0" }, pose: { position: { x, y: 0, z: 0.3 }, orientation: { x: 1, y: 0, z: 0, w: 0 } } });
    grip({ header: { stamp: timeFromSeconds(stamp), frame_id: "" }, name: ["gripper"], position: [0], velocity: [], effort: [] });
  };
  const frame = (stamp: number) => channel.publish({ stamp, frameId: "camera", embedding: AnalyticWorldModel.embedding(0, 0, 0, 0), encodedAt: stamp });
  const setGoal = (req: Partial<SetGoalRequest>) =>
    client.call<SetGoalRequest, SetGoalResponse>("vjepa2_mpc_interfaces/srv/SetGoal", "/planner/set_goal", { images: [], image_paths: [], step_budgets: [], energy_threshold: 0, append: false, ...req });
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
    for (const [stamp, x] of [[100, 0.5], [101, 0.6], [102, 0.5], [103, 0.6]]) {
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
