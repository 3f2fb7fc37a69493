/**
 * The three nodes wired together in-process close the loop: camera frames in, goals through the SetGoal
 * service handler, plans out, the actuator streams targets, the simulated robot moves and reaches the goal.
 * The world model is analytic (latent = end-effector position) so success is a property of the pipeline.
 */
import { resolveConfig } from "../../src/config/configFile";
import { ACTUATOR_CODES } from "../../src/nodes/ActuatorNode";
import { InProcessPipeline } from "../../src/nodes/InProcessPipeline";
import type { PlanStatusMsg } from "../../src/nodes/messages";
import { NODE_TOPICS } from "../../src/nodes/topics";
import { AnalyticWorldModel } from "../helpers/analyticWorldModel";

const START = [0.5, 0, 0.3, Math.PI, 0, 0, 0];
const GOAL = [0.56, -0.05, 0.24, Math.PI, 0, 0, 0];

function pipeline(mode: "blocking" | "streaming") {
  const config = resolveConfig([], {
    "planner.mode": mode,
    "planner.samples": 64,
    "planner.iterations": 4,
    "planner.topk": 8,
    "planner.settle_timeout": 3,
    "planner.default_step_budget": 8,
  });
  const p = new InProcessPipeline({
    config,
    model: new AnalyticWorldModel(),
    simulation: { render: AnalyticWorldModel.renderState, initialState: START, cameraPeriod: 0.1 },
    preprocess: { size: 8, resize: "squash", mean: [0, 0, 0], std: [1, 1, 1] },
  });
  const statuses: PlanStatusMsg[] = [];
  p.bus.subscribe(NODE_TOPICS.planStatus, "vjepa2_mpc_interfaces/msg/PlanStatus", (m) => statuses.push(m as PlanStatusMsg));
  return { p, statuses };
}

describe.each(["blocking", "streaming"] as const)("in-process pipeline, %s mode", (mode) => {
  it("reaches a goal set as an image through the SetGoal service", async () => {
    const { p, statuses } = pipeline(mode);
    p.start();
    await p.advance(0.3);
    const goal = AnalyticWorldModel.renderState(GOAL);
    const r = await p.setGoal({
      images: [{ header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "" }, height: 8, width: 8, encoding: "rgb8", is_bigendian: 0, step: 24, data: goal.data }],
    });
    expect(r).toMatchObject({ success: true, goal_count: 1 });
    await p.advance(mode === "blocking" ? 12 : 6);
    const s = p.robot?.state ?? [];
    expect(Math.hypot(s[0] - GOAL[0], s[1] - GOAL[1], s[2] - GOAL[2])).toBeLessThan(0.01);
    // Every step of the budget was planned, then the schedule reported done.
    expect(statuses.map((m) => m.code)).toEqual([...Array(8).fill(0), 2]);
    expect(p.camera.stats.encoded).toBeGreaterThan(0);
    expect(p.camera.stats.rejected).toBe(0);
    expect(p.actuator.sent.poses).toBeGreaterThan(0);
    expect(p.actuator.lastStatus?.code).not.toBe(ACTUATOR_CODES.estopped);
    await p.stop();
  }, 60000);
});
