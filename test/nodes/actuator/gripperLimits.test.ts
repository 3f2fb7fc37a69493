import { limitGripperRange, limitGripperStep } from "../../../src/nodes/actuator/gripperLimits";

describe("gripper limits", () => {
  it("bounds the step", () => {
    expect(limitGripperStep(0.5, 0.75)).toEqual({ value: 0.5, report: null });
    expect(limitGripperStep(-0.9, 0.75)).toEqual({
      value: -0.75,
      report: { stage: "gripper_step", code: "limited", reason: "gripper delta -0.9 exceeds max_step_gripper 0.75: clipped to -0.75" },
    });
  });

  it("clips the closedness range", () => {
    expect(limitGripperRange(0.5, 0, 1).report).toBeNull();
    expect(limitGripperRange(1.3, 0, 0.9)).toEqual({
      value: 0.9,
      report: { stage: "gripper_range", code: "limited", reason: "gripper target 1.3 outside [0, 0.9]: clipped to 0.9" },
    });
    expect(limitGripperRange(-0.2, 0.1, 1).value).toBe(0.1);
  });
});
