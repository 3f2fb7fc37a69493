import * as fs from "node:fs";
import * as path from "node:path";
import { PARAMETERS } from "../../src/config/parameters";
import { renderParameterTable } from "../../src/nodes/parameterTable";
import { repoRoot } from "../helpers/reference";

describe("the README's parameter table", () => {
  it("is the table generated from the declarations (run `npm run docs:parameters` when this fails)", () => {
    const readme = fs.readFileSync(path.join(repoRoot, "README.md"), "utf8");
    const m = /<!-- parameters:begin[^>]*-->\n([\s\S]*?)<!-- parameters:end -->/.exec(readme);
    expect(m).not.toBeNull();
    expect((m as RegExpExecArray)[1]).toBe(renderParameterTable());
  });

  it("has one row per declared parameter, with the nodes that declare it and whether it is live", () => {
    const rows = renderParameterTable().trim().split("\n").slice(2);
    const declared = Object.entries(PARAMETERS).flatMap(([g, ps]) => Object.keys(ps).map((k) => `${g}.${k}`));
    expect(rows.map((r) => /^\| `([^`]+)`/.exec(r)?.[1])).toEqual(declared);
    expect(rows.find((r) => r.startsWith("| `planner.samples`"))).toMatch(/\| planner \| integer \| 800 \| 2 … 100000 \| yes \|/);
    expect(rows.find((r) => r.startsWith("| `world_model.model`"))).toMatch(/\| camera, planner \| string \|.*\| read-only \|/);
    expect(rows.find((r) => r.startsWith("| `planner.close_gripper`"))).toMatch(/unset.*-1 in ROS while unset/);
  });
});
