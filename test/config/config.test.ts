import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { defaultConfig, renderDefaultsYaml, resolveConfig } from "../../src/config/configFile";
import { checkValue, rosDescriptors } from "../../src/config/parameter";
import { PARAMETERS } from "../../src/config/parameters";
import { CEM_DEFAULTS } from "../../src/cem";
import { repoRoot } from "../helpers/reference";

function yamlFile(text: string): string {
  const f = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-cfg-")), "c.yaml");
  fs.writeFileSync(f, text);
  return f;
}

describe("parameter declarations", () => {
  it("every default satisfies its own declaration", () => {
    for (const [g, group] of Object.entries(PARAMETERS)) {
      for (const [k, p] of Object.entries(group)) expect(checkValue(`${g}.${k}`, p, p.default)).toBeNull();
    }
  });

  it("planner defaults are the paper's CEM settings", () => {
    const c = defaultConfig();
    expect([c.planner.samples, c.planner.iterations, c.planner.topk, c.planner.horizon, c.planner.maxnorm]).toEqual([800, 10, 10, 1, 0.075]);
    expect(c.planner.samples).toBe(CEM_DEFAULTS.samples);
  });

  it("config/default.yaml is the rendering of the declarations (regenerate with `vjepa2-mpc config --defaults`)", () => {
    expect(fs.readFileSync(path.join(repoRoot, "config", "default.yaml"), "utf8")).toBe(renderDefaultsYaml());
    expect(resolveConfig([path.join(repoRoot, "config", "default.yaml")])).toEqual(defaultConfig());
  });

  it("ROS parameter descriptors carry ranges, units and read-only flags", () => {
    const d = rosDescriptors(PARAMETERS);
    expect(d.find((x) => x.name === "planner.maxnorm")).toMatchObject({
      type: "double",
      description: expect.stringContaining("[m]"),
      floating_point_range: [{ from_value: 0, to_value: 0.5, step: 0 }],
    });
    expect(d.find((x) => x.name === "planner.samples")).toMatchObject({ type: "integer", integer_range: [{ from_value: 2, to_value: 100000, step: 0 }] });
    expect(d.find((x) => x.name === "world_model.model")?.read_only).toBe(true);
  });
});

describe("resolveConfig", () => {
  it("applies files in order, then overrides", () => {
    const a = yamlFile("planner:\n  samples: 400\n  horizon: 2\n");
    const b = yamlFile("planner:\n  samples: 300\nworld_model:\n  provider: cuda\n");
    const c = resolveConfig([a, b], { "planner.topk": 5 });
    expect([c.planner.samples, c.planner.horizon, c.planner.topk, c.world_model.provider]).toEqual([300, 2, 5, "cuda"]);
  });

  it("puts a command's presets above the defaults and below the user's files", () => {
    const presets = { "planner.fix_gripper": 0, "planner.samples": 100 };
    expect(resolveConfig([], {}, presets).planner.fix_gripper).toBe(0);
    const c = resolveConfig([yamlFile("planner:\n  fix_gripper: null\n")], { "planner.topk": 5 }, presets);
    expect([c.planner.fix_gripper, c.planner.samples, c.planner.topk]).toEqual([null, 100, 5]);
    expect(() => resolveConfig([], {}, { "planner.fix_grip": 0 })).toThrow(/command presets.*unknown parameter 'planner.fix_grip'/s);
  });

  it("lists every problem with the key, the value and what is expected", () => {
    const f = yamlFile("planner:\n  sampels: 400\n  maxnorm: 2\n  mode: fast\nplaner: {}\n");
    let message = "";
    try {
      resolveConfig([f]);
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message.split("\n").map((l) => l.replace(/ \(.*\)$/, ""))).toEqual([
      `${f}: invalid configuration:`,
      "  - unknown parameter 'planner.sampels'",
      "  - planner.maxnorm: 2 is not a number in [0, 0.5] m",
      '  - planner.mode: "fast" is not one of blocking, streaming',
      "  - unknown section 'planer'",
    ]);
    expect(message).toContain("(did you mean samples?)");
    expect(message).toContain("(did you mean planner?)");
  });

  it("checks relations between parameters and says how to fix them", () => {
    expect(() => resolveConfig([], { "planner.topk": 50, "planner.samples": 20 })).toThrow(
      /planner.topk \(50\) exceeds planner.samples \(20\): lower topk or raise samples/,
    );
    expect(() => resolveConfig([], { "planner.close_gripper": 1 })).toThrow(/planner.close_gripper \(1\) must be below planner.horizon \(1\)/);
    expect(() => resolveConfig([], { "planner.gripper_exclusive": true, "planner.close_gripper": 0 })).toThrow(
      /planner.gripper_exclusive cannot be combined with planner.close_gripper \(0\)/,
    );
    expect(() => resolveConfig([], { "planner.gripper_exclusive": true, "planner.fix_gripper": 1 })).toThrow(/would never move the arm/);
    expect(resolveConfig([], { "planner.gripper_exclusive": true, "planner.fix_gripper": 0 }).planner.gripper_exclusive).toBe(true);
  });

  it("accepts null for nullable parameters only", () => {
    expect(resolveConfig([yamlFile("planner:\n  close_gripper: ~\n  energy_threshold: 0.2\n")]).planner.energy_threshold).toBe(0.2);
    expect(() => resolveConfig([yamlFile("planner:\n  samples: null\n")])).toThrow(/planner.samples: null is not an integer/);
  });

  it("names unreadable and malformed files", () => {
    expect(() => resolveConfig(["/nope.yaml"])).toThrow("cannot read config /nope.yaml: ENOENT");
    expect(() => resolveConfig([yamlFile("planner: [1, 2\n")])).toThrow(/is not valid YAML/);
  });
});
