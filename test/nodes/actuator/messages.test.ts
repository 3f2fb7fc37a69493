import {
  frankaGraspGoal,
  frankaGripperGoal,
  frankaMoveGoal,
  gripperCommandGoal,
  poseStamped,
  readPoseStamped,
  twistStamped,
  type GripperGoalSettings,
} from "../../../src/nodes/actuator/messages";

const g: GripperGoalSettings = { maxWidth: 0.08, speed: 0.1, force: 20, epsilonInner: 0.005, epsilonOuter: 0.08 };

describe("message builders", () => {
  it("geometry_msgs/PoseStamped, every field", () => {
    const msg = poseStamped({ position: [0.5, -0.1, 0.3], orientation: [1, 0, 0, 0] }, "panda_link0", 1700000000.25);
    expect(msg).toStrictEqual({
      header: { stamp: { sec: 1700000000, nanosec: 250000000 }, frame_id: "panda_link0" },
      pose: { position: { x: 0.5, y: -0.1, z: 0.3 }, orientation: { x: 1, y: 0, z: 0, w: 0 } },
    });
    expect(readPoseStamped(msg)).toStrictEqual({
      pose: { position: [0.5, -0.1, 0.3], orientation: [1, 0, 0, 0] },
      frameId: "panda_link0",
      stamp: 1700000000.25,
    });
  });

  it("geometry_msgs/TwistStamped, every field, stamped afresh", () => {
    const t = { linear: [0.01, 0.02, -0.03] as [number, number, number], angular: [0, 0.1, -0.2] as [number, number, number] };
    expect(twistStamped(t, "panda_link0", 5.5)).toStrictEqual({
      header: { stamp: { sec: 5, nanosec: 500000000 }, frame_id: "panda_link0" },
      twist: { linear: { x: 0.01, y: 0.02, z: -0.03 }, angular: { x: 0, y: 0.1, z: -0.2 } },
    });
    expect(twistStamped(t, "panda_link0", 5.51).header.stamp).toStrictEqual({ sec: 5, nanosec: 510000000 });
  });

  it("franka_msgs Move and Grasp goals, control_msgs GripperCommand goal", () => {
    expect(frankaMoveGoal(0, g)).toStrictEqual({ width: 0.08, speed: 0.1 });
    expect(frankaGraspGoal(1, g)).toStrictEqual({ width: 0, epsilon: { inner: 0.005, outer: 0.08 }, speed: 0.1, force: 20 });
    const half = gripperCommandGoal(0.5, g);
    expect(Object.keys(half)).toEqual(["command"]);
    expect(Object.keys(half.command)).toEqual(["position", "max_effort"]);
    expect(half.command.position).toBeCloseTo(0.02, 15); // per finger: width 0.04 / 2
    expect(half.command.max_effort).toBe(20);
  });

  it("franka adapter: grasp when closing, move when opening", () => {
    expect(frankaGripperGoal(1, 0, g)).toStrictEqual({ action: "grasp", goal: { width: 0, epsilon: { inner: 0.005, outer: 0.08 }, speed: 0.1, force: 20 } });
    expect(frankaGripperGoal(0, 1, g)).toStrictEqual({ action: "move", goal: { width: 0.08, speed: 0.1 } });
    expect(frankaGripperGoal(0.9, null, g).action).toBe("grasp");
    expect(frankaGripperGoal(0.1, null, g).action).toBe("move");
  });
});
