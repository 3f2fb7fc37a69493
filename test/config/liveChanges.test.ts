import { applyChanges, defaultConfig } from "../../src/config/configFile";
import { fromRosValue, rosDescriptors, ROS_UNSET, toRosValue } from "../../src/config/parameter";
import { PARAMETERS, type Config } from "../../src/config/parameters";

describe("ROS forms of nullable parameters", () => {
  it("writes null as NaN (doubles) or -1 (integers) and reads them back as null", () => {
    const fixDx = PARAMETERS.planner.fix_dx;
    const close = PARAMETERS.planner.close_gripper;
    expect(toRosValue(fixDx, null)).toBeNaN();
    expect(fromRosValue(fixDx, Number.NaN)).toBeNull();
    expect(fromRosValue(fixDx, 0.01)).toBe(0.01);
    expect(toRosValue(close, null)).toBe(ROS_UNSET.integer);
    expect(fromRosValue(close, -1)).toBeNull();
    expect(fromRosValue(PARAMETERS.planner.samples, -1)).toBe(-1); // not nullable: stays, and is then refused
  });

  it("describes the unset value and widens an integer range to include it", () => {
    const d = rosDescriptors(PARAMETERS, ["planner"]);
    expect(d.find((x) => x.name === "planner.fix_dx")?.additional_constraints).toContain("unset: .nan");
    expect(d.find((x) => x.name === "planner.close_gripper")).toMatchObject({
      integer_range: [{ from_value: -1, to_value: 16, step: 0 }],
      additional_constraints: expect.stringContaining("unset: -1"),
    });
  });

  it("declares only the names asked for", () => {
    expect(rosDescriptors(PARAMETERS, Object.keys(PARAMETERS), ["planner.samples", "actuator.adapter"]).map((d) => d.name)).toEqual([
      "planner.samples",
      "actuator.adapter",
    ]);
  });
});

describe("applyChanges", () => {
  const base: Config = defaultConfig();

  it("applies valid changes without touching the original", () => {
    const next = applyChanges(base, { "planner.samples": 400, "actuator.workspace_max": [0.8, 0.4, 0.5] }) as Config;
    expect(next.planner.samples).toBe(400);
    expect(next.actuator.workspace_max).toEqual([0.8, 0.4, 0.5]);
    expect(base.planner.samples).toBe(800);
  });

  it.each([
    [{ "planner.samples": 1 }, /^planner\.samples: 1 is not an integer in \[2, 100000\]/],
    [{ "planner.topk": 900 }, /^planner\.topk \(900\) exceeds planner\.samples \(800\)/],
    [{ "actuator.workspace_min": [0.3, -0.4, 0.9] }, /^actuator\.workspace_min\[2\] \(z = 0\.9 m\) must be below actuator\.workspace_max\[2\]/],
    [{ "actuator.gripper_min": 0.9, "actuator.gripper_max": 0.1 }, /actuator\.gripper_min \(0\.9\) exceeds actuator\.gripper_max \(0\.1\)/],
    [{ "planner.bogus": 1 }, /unknown parameter 'planner\.bogus'/],
  ])("refuses %j with the reason on one line", (changes, reason) => {
    const r = applyChanges(base, changes);
    expect(typeof r).toBe("string");
    expect(r).toMatch(reason);
    expect(r).not.toContain("\n");
  });
});
