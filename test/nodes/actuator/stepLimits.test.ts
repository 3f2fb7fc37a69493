import { limitStepRotation, limitStepTranslation } from "../../../src/nodes/actuator/stepLimits";
import { quatAngle, quatFromEuler, quatToRotationVector } from "../../../src/nodes/actuator/rigidPose";

describe("per-step limits", () => {
  it("leaves small translations alone", () => {
    const d = [0.03, -0.04, 0, 0.1, 0, 0, 0.5];
    expect(limitStepTranslation(d, 0.075)).toEqual({ value: d, report: null });
  });

  it("scales long translations to the bound, keeping the direction and the other entries", () => {
    const { value, report } = limitStepTranslation([0.09, 0.12, 0, 0.1, 0.2, 0.3, 0.4], 0.075);
    expect(Math.hypot(value[0], value[1], value[2])).toBeCloseTo(0.075, 15);
    expect(value[0] / value[1]).toBeCloseTo(0.75, 15);
    expect(value.slice(3)).toEqual([0.1, 0.2, 0.3, 0.4]);
    expect(report).toEqual({ stage: "step_translation", code: "limited", reason: "translation 0.15 m > max_step_translation 0.075 m: scaled by 0.5" });
  });

  it("scales the rotation angle about the same axis", () => {
    const d = [0.01, 0, 0, 0.4, -0.3, 0.5, 0];
    const { value, report } = limitStepRotation(d, 0.25);
    const before = quatToRotationVector(quatFromEuler(0.4, -0.3, 0.5));
    const after = quatToRotationVector(quatFromEuler(value[3], value[4], value[5]));
    expect(quatAngle(quatFromEuler(value[3], value[4], value[5]))).toBeCloseTo(0.25, 14);
    const nb = Math.hypot(...before),
      na = Math.hypot(...after);
    for (let i = 0; i < 3; i++) expect(after[i] / na).toBeCloseTo(before[i] / nb, 14);
    expect(value[0]).toBe(0.01);
    expect(report?.stage).toBe("step_rotation");
    expect(report?.reason).toMatch(/^rotation 0\.7\d* rad > max_step_rotation 0\.25 rad: scaled by 0\.3\d*$/);
    expect(limitStepRotation([0, 0, 0, 0, 0, 0.2, 0], 0.25).report).toBeNull();
  });

  it("a zero bound stops all motion of that kind", () => {
    expect(limitStepTranslation([0.01, 0, 0, 0, 0, 0, 0], 0).value.slice(0, 3)).toEqual([0, 0, 0]);
    const r = limitStepRotation([0, 0, 0, 0.1, 0, 0, 0], 0).value;
    expect(Math.abs(r[3]) + Math.abs(r[4]) + Math.abs(r[5])).toBe(0);
  });
});
