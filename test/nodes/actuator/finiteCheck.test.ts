import { DELTA_LABELS, findNonFinite, finiteStage } from "../../../src/nodes/actuator/finiteCheck";

describe("finite check", () => {
  it("names the first non-finite value with its label", () => {
    expect(findNonFinite("delta", [0, 0, 0, Number.NaN, 0, 0, 0], DELTA_LABELS)).toBe("delta[3] (droll) is NaN");
    expect(findNonFinite("delta", [0, Infinity], DELTA_LABELS)).toBe("delta[1] (dy) is Infinity");
    expect(findNonFinite("state", [1, 2, 3], undefined, 7)).toBe("state has 3 values, expected 7");
    expect(findNonFinite("state", null)).toBe("state is missing");
    expect(findNonFinite("ok", new Float64Array([1, -2, 0]))).toBeNull();
  });

  it("holds with the reason, or passes", () => {
    expect(finiteStage("finite_input", [{ name: "delta", values: [0, 0, -Infinity], labels: DELTA_LABELS }]).report).toEqual({
      stage: "finite_input",
      code: "hold",
      reason: "refusing non-finite input: delta[2] (dz) is -Infinity; holding",
    });
    expect(finiteStage("finite_target", [{ name: "target", values: [0, 1] }]).report).toBeNull();
  });
});
