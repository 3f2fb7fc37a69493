import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { nodeKeyMatches, paramsFileOverrides, paramsFilePaths } from "../../../src/nodes/transport/paramsFiles";

describe("params files", () => {
  it("finds --params-file inside --ros-args sections only", () => {
    const argv = [
      "node",
      "cli.js",
      "node",
      "planner",
      "--params-file",
      "not-ros.yaml",
      "--ros-args",
      "--log-level",
      "info",
      "--ros-args",
      "-r",
      "__node:=planner",
      "--params-file",
      "/tmp/a.yaml",
      "--",
      "--params-file",
      "after.yaml",
      "--ros-args",
      "--params-file",
      "/tmp/b.yaml",
    ];
    expect(paramsFilePaths(argv)).toEqual(["/tmp/a.yaml", "/tmp/b.yaml"]);
  });

  it.each([
    ["/planner", "/planner", true],
    ["planner", "/planner", true],
    ["/planner", "/arm1/planner", false],
    ["/arm1/planner", "/arm1/planner", true],
    ["/**", "/arm1/planner", true],
    ["/**/planner", "/planner", true],
    ["/**/planner", "/a/b/planner", true],
    ["/*/planner", "/arm1/planner", true],
    ["/*/planner", "/planner", false],
    ["/plan*", "/planner", true],
    ["/camera", "/planner", false],
  ])("key %s names node %s: %s", (key, fqn, expected) => {
    expect(nodeKeyMatches(key, fqn)).toBe(expected);
  });

  it("merges matching sections, flattening nested names, later files winning", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-params-"));
    const a = path.join(dir, "a.yaml");
    const b = path.join(dir, "b.yaml");
    fs.writeFileSync(
      a,
      "/**:\n  ros__parameters:\n    use_sim_time: true\n/planner:\n  ros__parameters:\n    planner: { samples: 64, maxnorm: 0.05 }\n/camera:\n  ros__parameters:\n    nodes.camera_compressed: true\n",
    );
    fs.writeFileSync(b, "/planner:\n  ros__parameters:\n    planner.samples: 32\n");
    expect(paramsFileOverrides([a, b], "/planner")).toEqual({ use_sim_time: true, "planner.samples": 32, "planner.maxnorm": 0.05 });
    expect(() => paramsFileOverrides([path.join(dir, "missing.yaml")], "/planner")).toThrow(/parameter file .*missing.yaml/);
  });
});
