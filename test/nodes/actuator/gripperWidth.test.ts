import {
  closednessFromJointState,
  closednessToFingerPositions,
  closednessToWidth,
  fingerPositionsToClosedness,
  fingerPositionsToWidth,
  widthToClosedness,
  widthToFingerPosition,
} from "../../../src/nodes/actuator/gripperWidth";

describe("gripper closedness ↔ width", () => {
  it("maps 0 → 0.08 m, 1 → 0 m, linearly, and back", () => {
    expect(closednessToWidth(0)).toBe(0.08);
    expect(closednessToWidth(1)).toBe(0);
    expect(closednessToWidth(0.25)).toBeCloseTo(0.06, 15);
    expect(widthToClosedness(0.06)).toBeCloseTo(0.25, 15);
    for (const c of [0, 0.1, 0.5, 0.9, 1]) expect(widthToClosedness(closednessToWidth(c))).toBeCloseTo(c, 15);
    expect(closednessToWidth(1.5)).toBe(0);
    expect(widthToClosedness(0.085)).toBe(0);
    expect(closednessToWidth(0.5, 0.1)).toBeCloseTo(0.05, 15);
  });

  it("reads franka_gripper joint states (each finger at width / 2) both ways", () => {
    expect(widthToFingerPosition(0.06)).toBeCloseTo(0.03, 15);
    expect(closednessToFingerPositions(0.25)).toEqual([0.03, 0.03].map((x) => expect.closeTo(x, 15)));
    expect(fingerPositionsToWidth([0.03, 0.03])).toBeCloseTo(0.06, 15);
    expect(fingerPositionsToWidth([0.02])).toBeCloseTo(0.04, 15);
    expect(fingerPositionsToClosedness(closednessToFingerPositions(0.7))).toBeCloseTo(0.7, 14);
    expect(fingerPositionsToWidth([])).toBeNull();
    expect(fingerPositionsToWidth([0.01, Number.NaN])).toBeNull();
    expect(fingerPositionsToClosedness([0.01, 0.01, 0.01])).toBeNull();
  });

  it("reads either JointState convention: `gripper` = closedness, finger joints = width / 2 each", () => {
    expect(closednessFromJointState(["gripper"], [0.4])).toBe(0.4);
    expect(closednessFromJointState(["gripper"], [1.2])).toBe(1);
    expect(closednessFromJointState(["fr3_finger_joint1", "fr3_finger_joint2"], [0.01, 0.01])).toBeCloseTo(0.75, 15);
    expect(closednessFromJointState(["panda_finger_joint1"], [0.04])).toBe(0);
    expect(closednessFromJointState(["joint1"], [0.1])).toBeNull();
    expect(closednessFromJointState(["gripper"], [Number.NaN])).toBeNull();
  });
});
