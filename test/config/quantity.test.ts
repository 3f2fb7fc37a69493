import { resolveConfig } from "../../src/config/configFile";
import { withDeclaredUnits } from "../../src/config/quantity";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

describe("quantities with units in the YAML", () => {
  it("converts a quantity string to the parameter's unit, element by element for arrays", () => {
    expect(withDeclaredUnits("planner.maxnorm", { type: "double", units: "m" }, "7.5 cm")).toEqual({ value: 0.075 });
    expect(withDeclaredUnits("a.r", { type: "double", units: "rad" }, "180 deg")).toEqual({ value: Math.PI });
    expect(withDeclaredUnits("a.g", { type: "double", units: "1/s" }, "2 Hz")).toEqual({ value: 2 });
    expect(withDeclaredUnits("a.b", { type: "double_array", units: "m" }, ["30 cm", -0.4, "50 mm"])).toEqual({ value: [0.3, -0.4, 0.05] });
    expect(withDeclaredUnits("a.n", { type: "double", units: "m" }, 0.2)).toEqual({ value: 0.2 }); // numbers are in the unit already
    expect(withDeclaredUnits("a.s", { type: "string" }, "7.5 cm")).toEqual({ value: "7.5 cm" }); // no units: not a quantity
  });

  it("refuses a quantity of the wrong dimension or an unreadable one, naming the parameter", () => {
    expect(withDeclaredUnits("planner.maxnorm", { type: "double", units: "m" }, "5 kg")).toEqual({
      error: expect.stringMatching(/^planner\.maxnorm: "5 kg" is not a quantity in m \(Units do not match/),
    });
    expect(withDeclaredUnits("a.b", { type: "double_array", units: "m" }, [0.3, "far", 0.05])).toEqual({
      error: expect.stringMatching(/^a\.b: "far" is not a quantity in m/),
    });
  });

  it("applies in configuration files, and the converted value still meets the declared range", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-units-"));
    const ok = path.join(dir, "ok.yaml");
    fs.writeFileSync(
      ok,
      "planner: { maxnorm: 7.5 cm }\nactuator: { max_step_rotation: 15 deg, max_linear_speed: 10 cm/s, workspace_min: [30 cm, -0.4, 5 cm] }\n",
    );
    const c = resolveConfig([ok]);
    expect(c.planner.maxnorm).toBeCloseTo(0.075, 15);
    expect(c.actuator.max_step_rotation).toBeCloseTo((15 * Math.PI) / 180, 15);
    expect(c.actuator.max_linear_speed).toBeCloseTo(0.1, 15);
    expect(c.actuator.workspace_min).toEqual([0.3, -0.4, 0.05]);
    const far = path.join(dir, "far.yaml");
    fs.writeFileSync(far, "planner: { maxnorm: 2 m }\n");
    expect(() => resolveConfig([far])).toThrow(/planner\.maxnorm: 2 is not a number in \[0, 0\.5\] m/);
  });
});
