import { SimulatedRobotNode } from "../../src/nodes/SimulatedRobotNode";
import { NODE_ACTIONS, NODE_TOPICS } from "../../src/nodes/topics";
import { flush, simWorld } from "../helpers/nodeFixtures";

describe("SimulatedRobotNode hostile inputs (test/fuzz/nodeInputs regressions)", () => {
  it("ignores a non-finite target and refuses a non-finite gripper width: its state stays finite", async () => {
    const w = simWorld(0);
    const robot = new SimulatedRobotNode(w.node("robot"), {
      initial: [0.5, 0, 0.3, Math.PI, 0, 0, 0],
      period: 0.01,
      timeConstant: 0,
      frameId: "panda_link0",
      maxWidth: 0.08,
    });
    robot.start();
    const op = w.node("operator");
    op.publisher<unknown>(
      "geometry_msgs/msg/PoseStamped",
      NODE_TOPICS.targetPose,
    )({
      header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "" },
      pose: { position: { x: Number.NaN, y: 0, z: 0.3 }, orientation: { x: 1, y: 0, z: 0, w: 0 } },
    });
    await flush();
    expect(await op.sendGoal("franka_msgs/action/Move", NODE_ACTIONS.gripperMove, { width: Number.NaN, speed: 0.1 })).toEqual({
      success: false,
      error: "width is NaN, not a finite number",
    });
    w.clock.advanceTo(0.05);
    expect(robot.state.every(Number.isFinite)).toBe(true); // a NaN target made it NaN for good
    expect(robot.state[0]).toBe(0.5);
    await robot.stop();
  });
});
