import { RecedingHorizonPlanner } from "../../src/mpc/RecedingHorizonPlanner";
import { InProcessEmbeddingChannel } from "../../src/nodes/embeddingChannel";
import type { SetGoalRequest, SetGoalResponse } from "../../src/nodes/goalRequest";
import type { EndEffectorDeltaMsg } from "../../src/nodes/messages";
import { PlannerNode, type PoseStampedMsg } from "../../src/nodes/PlannerNode";
import { timeFromSeconds } from "../../src/ros/messages";
import { AnalyticWorldModel } from "../helpers/analyticWorldModel";
import { flush, meanEncoder, plannerTestOptions, simWorld, solidImage } from "../helpers/nodeFixtures";

describe("PlannerNode in a cell without a gripper", () => {
  it("plans from the pose alone, with the gripper open, and needs no gripper state", async () => {
    const w = simWorld();
    const channel = new InProcessEmbeddingChannel();
    const model = new AnalyticWorldModel();
    const planner = new RecedingHorizonPlanner(model, { cem: { samples: 20, iterations: 1, topk: 4, seed: 1 }, warmStart: false, evaluatePlan: false });
    const node = new PlannerNode(w.node("planner"), planner, plannerTestOptions("streaming", { gripperTopic: null }), channel, meanEncoder().encode);
    node.start();
    const op = w.node("operator");
    const actions: EndEffectorDeltaMsg[] = [];
    op.subscribe<EndEffectorDeltaMsg>("vjepa2_mpc_interfaces/msg/EndEffectorDelta", "/planner/action", "reliable", (m) => actions.push(m));
    op.publisher<PoseStampedMsg>(
      "geometry_msgs/msg/PoseStamped",
      "/robot/ee_pose",
    )({ header: { stamp: timeFromSeconds(100), frame_id: "" }, pose: { position: { x: 0.5, y: 0, z: 0.3 }, orientation: { x: 1, y: 0, z: 0, w: 0 } } });
    await op.call<SetGoalRequest, SetGoalResponse>("vjepa2_mpc_interfaces/srv/SetGoal", "/planner/set_goal", {
      images: [solidImage(0, [200, 10, 10])],
      image_paths: [],
      step_budgets: [],
      energy_threshold: -1,
      append: false,
    });
    channel.publish({ stamp: 100, frameId: "camera", embedding: AnalyticWorldModel.embedding(0, 0, 0, 0), encodedAt: 100 });
    await flush(10);
    await node.idle();
    expect(actions).toHaveLength(1);
    expect(model.calls.length).toBeGreaterThan(0);
    await node.stop();
  });
});
