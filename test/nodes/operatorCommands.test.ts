/**
 * An operator's command wins over a planning step in flight: goals set, cleared or paused while the
 * world model runs leave no motion for a schedule that no longer exists.
 */
import { RecedingHorizonPlanner } from "../../src/mpc/RecedingHorizonPlanner";
import { InProcessEmbeddingChannel } from "../../src/nodes/embeddingChannel";
import type { SetGoalRequest, SetGoalResponse } from "../../src/nodes/goalRequest";
import { PLAN_STATUS_CODES, type EndEffectorDeltaMsg, type PlanStatusMsg } from "../../src/nodes/messages";
import { PlannerNode, type JointStateMsg, type PlannerNodeOptions, type PoseStampedMsg } from "../../src/nodes/PlannerNode";
import { timeFromSeconds } from "../../src/ros/messages";
import type { FloatTensor } from "../../src/tensor/tensor";
import { AnalyticWorldModel } from "../helpers/analyticWorldModel";
import { flush, meanEncoder, plannerTestOptions, simWorld, solidImage } from "../helpers/nodeFixtures";

/** A world model whose rollouts wait until the test releases them. */
class GatedModel extends AnalyticWorldModel {
  private waiting: Array<() => void> = [];
  get pending(): number {
    return this.waiting.length;
  }
  override async rolloutEnergy(context: FloatTensor, goal: FloatTensor, state: FloatTensor, actions: FloatTensor) {
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    return super.rolloutEnergy(context, goal, state, actions);
  }
  release(): void {
    for (const r of this.waiting.splice(0)) r();
  }
}

function options(mode: "blocking" | "streaming", defaultEnergyThreshold: number | null): PlannerNodeOptions {
  return plannerTestOptions(mode, { maxFrameAge: 5, maxStateAge: 5, defaultStepBudget: 5, defaultEnergyThreshold, gripperClosedness: () => 0 });
}

async function setup(mode: "blocking" | "streaming", defaultEnergyThreshold: number | null = null) {
  const w = simWorld();
  const channel = new InProcessEmbeddingChannel();
  const model = new GatedModel();
  const planner = new RecedingHorizonPlanner(model, { cem: { samples: 10, iterations: 1, topk: 3, seed: 1 }, warmStart: false, evaluatePlan: false });
  const node = new PlannerNode(w.node("planner"), planner, options(mode, defaultEnergyThreshold), channel, meanEncoder().encode);
  node.start();
  const op = w.node("operator");
  const actions: EndEffectorDeltaMsg[] = [];
  const statuses: PlanStatusMsg[] = [];
  op.subscribe<EndEffectorDeltaMsg>("vjepa2_mpc_interfaces/msg/EndEffectorDelta", "/planner/action", "reliable", (m) => actions.push(m));
  op.subscribe<PlanStatusMsg>("vjepa2_mpc_interfaces/msg/PlanStatus", "/planner/status", "reliable", (m) => statuses.push(m));
  const pose = op.publisher<PoseStampedMsg>("geometry_msgs/msg/PoseStamped", "/robot/ee_pose");
  const grip = op.publisher<JointStateMsg>("sensor_msgs/msg/JointState", "/robot/gripper");
  pose({ header: { stamp: timeFromSeconds(100), frame_id: "" }, pose: { position: { x: 0.5, y: 0, z: 0.3 }, orientation: { x: 1, y: 0, z: 0, w: 0 } } });
  grip({ header: { stamp: timeFromSeconds(100), frame_id: "" }, name: ["gripper"], position: [0], velocity: [], effort: [] });
  const frame = () => channel.publish({ stamp: 100, frameId: "camera", embedding: AnalyticWorldModel.embedding(0, 0, 0, 0), encodedAt: 100 });
  const call = <Req, Res>(type: string, name: string, req: Req) => op.call<Req, Res>(type, name, req);
  const setGoal = (req: Partial<SetGoalRequest> = {}) =>
    call<SetGoalRequest, SetGoalResponse>("vjepa2_mpc_interfaces/srv/SetGoal", "/planner/set_goal", {
      images: [solidImage(0, [200, 10, 10])],
      image_paths: [],
      step_budgets: [],
      energy_threshold: 0,
      append: false,
      ...req,
    });
  const midStep = async () => {
    frame();
    await flush(10);
    expect(model.pending).toBe(1); // a step is inside the world model
  };
  return { node, planner, model, actions, statuses, frame, call, setGoal, midStep };
}

const codes = (s: PlanStatusMsg[]) => s.map((m) => m.code);

describe.each(["blocking", "streaming"] as const)("operator commands during a planning step (%s)", (mode) => {
  it("a new goal set mid-step drops the old step's plan", async () => {
    const s = await setup(mode);
    await s.setGoal();
    await s.midStep();
    await s.setGoal({ images: [solidImage(0, [10, 200, 10]), solidImage(0, [10, 10, 200])] });
    s.model.release();
    await flush(10);
    expect(s.actions).toHaveLength(0);
    expect(codes(s.statuses)).toEqual([PLAN_STATUS_CODES.discarded]);
    expect(s.statuses[0].message).toMatch(/goals changed/);
    if (mode === "blocking") {
      // The loop goes on with the new goals on the next frame.
      await s.midStep();
      s.model.release();
      await flush(10);
      expect(s.actions).toHaveLength(1);
      expect(s.statuses.at(-1)).toMatchObject({ code: PLAN_STATUS_CODES.planned, goal_count: 2 });
    }
    await s.node.stop();
  });

  it("clear mid-step sends nothing and reports IDLE once, after the step in flight reported DISCARDED", async () => {
    const s = await setup(mode);
    await s.setGoal();
    await s.midStep();
    await s.call("std_srvs/srv/Trigger", "/planner/clear_goals", {});
    s.model.release();
    await flush(10);
    expect(s.actions).toHaveLength(0);
    // Blocking mode's loop reports IDLE itself, on the next frame it waits for.
    if (mode === "blocking") s.frame();
    await flush(10);
    s.frame(); // without goals, no frame is planned and nothing more is reported
    await flush(10);
    await s.node.idle();
    expect(codes(s.statuses)).toEqual([PLAN_STATUS_CODES.discarded, PLAN_STATUS_CODES.idle]);
    expect(s.statuses[1]).toMatchObject({ goal_count: 0, action: [] });
    expect(s.node.health().values.status).toBe("idle");
    await s.node.stop();
  });

  it("clear with no step in flight reports IDLE at once; goals set before it could are not reported idle", async () => {
    const s = await setup(mode);
    await s.setGoal();
    await s.call("std_srvs/srv/Trigger", "/planner/clear_goals", {});
    await flush(10);
    expect(codes(s.statuses)).toEqual(mode === "streaming" ? [PLAN_STATUS_CODES.idle] : []);
    // A blocking loop waits for a frame to report; goals set meanwhile are planned, not reported idle.
    await s.setGoal();
    await s.midStep();
    s.model.release();
    await flush(10);
    expect(codes(s.statuses)).toEqual(mode === "streaming" ? [PLAN_STATUS_CODES.idle, PLAN_STATUS_CODES.planned] : [PLAN_STATUS_CODES.planned]);
    await s.node.stop();
  });

  it("pause mid-step reports the plan PAUSED and does not send it; resume plans again", async () => {
    const s = await setup(mode);
    await s.setGoal();
    await s.midStep();
    await s.call("std_srvs/srv/SetBool", "/planner/pause", { data: true });
    s.model.release();
    await flush(10);
    expect(s.actions).toHaveLength(0);
    expect(s.statuses).toHaveLength(1);
    expect(s.statuses[0]).toMatchObject({ code: PLAN_STATUS_CODES.paused, message: expect.stringMatching(/^paused: plan not sent/) });
    await s.call("std_srvs/srv/SetBool", "/planner/pause", { data: false });
    await s.midStep();
    s.model.release();
    await flush(10);
    expect(s.actions).toHaveLength(1);
    await s.node.stop();
  });
});

describe("SetGoal energy threshold", () => {
  it("0 takes planner.energy_threshold, a positive value its own, a negative one none", async () => {
    const s = await setup("streaming", 0.001);
    await s.setGoal();
    expect(s.planner.goals.current?.energyThreshold).toBe(0.001);
    await s.setGoal({ energy_threshold: 0.2 });
    expect(s.planner.goals.current?.energyThreshold).toBe(0.2);
    await s.setGoal({ energy_threshold: -1 });
    expect(s.planner.goals.current?.energyThreshold).toBeNull();
    await s.node.stop();
  });
});
