import { defaultConfig } from "../../../src/config/configFile";
import { actuatorConfigProblems } from "../../../src/config/parameters";
import { actuatorSettingsFrom } from "../../../src/nodes/actuator/actuatorSettings";

describe("actuator settings", () => {
  it("resolves the defaults: conservative tabletop Franka limits", () => {
    const s = actuatorSettingsFrom(defaultConfig().actuator);
    expect(s.adapter).toBe("pose_target");
    expect(s.commandPeriod).toBeCloseTo(0.01, 15);
    expect(s.envelope).toMatchObject({
      maxStepTranslation: 0.075,
      maxStepRotation: 0.25,
      stateTimeout: 0.5,
      planTimeout: 10,
      workspace: { min: [0.3, -0.4, 0.05], max: [0.8, 0.4, 0.7] },
      workspacePoint: "tcp",
    });
    expect(s.stream).toEqual({ maxLinearSpeed: 0.1, maxAngularSpeed: 0.5, maxLinearAcceleration: 0.5, maxAngularAcceleration: 2.5, linePoint: [0, 0, 0.1034] });
    expect(actuatorSettingsFrom({ ...defaultConfig().actuator, workspace_point: "flange" }).stream.linePoint).toEqual([0, 0, 0]);
    expect(s.tcpOffset.position).toEqual([0, 0, 0.1034]);
    expect(s.gripper).toEqual({ maxWidth: 0.08, speed: 0.1, force: 20, epsilonInner: 0.005, epsilonOuter: 0.08 });
  });

  it("rejects contradictory parameters, saying what to change", () => {
    const a = { ...defaultConfig().actuator, workspace_min: [0.3, 0.5, 0.05], gripper_min: 0.8, gripper_max: 0.2 };
    expect(actuatorConfigProblems(a)).toEqual([
      "actuator.workspace_min[1] (y = 0.5 m) must be below actuator.workspace_max[1] (0.4 m)",
      "actuator.gripper_min (0.8) exceeds actuator.gripper_max (0.2)",
    ]);
    expect(() => actuatorSettingsFrom(a)).toThrow(/invalid actuator configuration:\n {2}- actuator.workspace_min\[1\]/);
  });
});
