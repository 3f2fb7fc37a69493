import { clampToWorkspace, workspaceStateCheck } from "../../../src/nodes/actuator/workspaceBox";

const box = { min: [0.3, -0.4, 0.05] as [number, number, number], max: [0.8, 0.4, 0.7] as [number, number, number] };

describe("workspace box", () => {
  it("passes targets inside the box", () => {
    expect(clampToWorkspace([0.55, 0.1, 0.2], box)).toEqual({ value: [0.55, 0.1, 0.2], report: null });
  });

  it("clamps targets leaving the box, axis by axis, naming the axes", () => {
    const { value, report } = clampToWorkspace([0.85, 0.1, 0.0], box);
    expect(value).toEqual([0.8, 0.1, 0.05]);
    expect(report).toEqual({ stage: "workspace_box", code: "limited", reason: "target clamped to the workspace box: x 0.85 > 0.8, z 0 < 0.05 m" });
  });

  it("targets from a point outside the box go back in", () => {
    // the arm was pushed to x = 0.81: whatever the plan, the target is inside
    expect(clampToWorkspace([0.82, 0, 0.3], box).value).toEqual([0.8, 0, 0.3]);
    expect(clampToWorkspace([0.1, 0, 0.3], box).value).toEqual([0.3, 0, 0.3]);
  });

  it("holds when the measured point is farther outside than the margin (a bogus reading, or an arm pushed out)", () => {
    expect(workspaceStateCheck([0.5, 0, 0.3], box, 0.02).report).toBeNull();
    expect(workspaceStateCheck([0.815, 0, 0.3], box, 0.02).report).toBeNull(); // within the margin
    expect(workspaceStateCheck([5, 0, 0.3], box, 0.02).report).toEqual({
      stage: "workspace_box",
      code: "hold",
      reason: "measured point outside the workspace box by more than the margin: x 5 > 0.8 + 0.02 m",
    });
    expect(workspaceStateCheck([0.5, 0, 0.01], box, 0.02).report?.code).toBe("hold");
  });
});
