import { clampToWorkspace } from "../../../src/nodes/actuator/workspaceBox";

const box = { min: [0.3, -0.4, 0.05] as [number, number, number], max: [0.8, 0.4, 0.7] as [number, number, number] };

describe("workspace box", () => {
  it("passes targets inside the box", () => {
    expect(clampToWorkspace([0.5, 0, 0.3], [0.55, 0.1, 0.2], box)).toEqual({ value: [0.55, 0.1, 0.2], report: null });
  });

  it("clamps targets leaving the box, axis by axis, naming the axes", () => {
    const { value, report } = clampToWorkspace([0.78, 0, 0.06], [0.85, 0.1, 0.0], box);
    expect(value).toEqual([0.8, 0.1, 0.05]);
    expect(report).toEqual({ stage: "workspace_box", code: "limited", reason: "target clamped to the workspace box: x 0.85 > 0.8, z 0 < 0.05 m" });
  });

  it("outside the box: may move back in or stay, never further out", () => {
    // the arm was pushed to x = 0.9
    expect(clampToWorkspace([0.9, 0, 0.3], [0.85, 0, 0.3], box).value).toEqual([0.85, 0, 0.3]); // back in: allowed
    expect(clampToWorkspace([0.9, 0, 0.3], [0.9, 0, 0.3], box).report).toBeNull(); // staying: allowed
    const out = clampToWorkspace([0.9, 0, 0.3], [0.95, 0, 0.3], box);
    expect(out.value).toEqual([0.9, 0, 0.3]);
    expect(out.report?.reason).toBe("target clamped to the workspace box: x 0.95 > 0.9 (outside the box: not further out) m");
    expect(clampToWorkspace([0.9, 0, 0.3], [0.1, 0, 0.3], box).value).toEqual([0.3, 0, 0.3]); // through the box: stops at its far side
  });
});
