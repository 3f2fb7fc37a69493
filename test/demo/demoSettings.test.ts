import * as path from "node:path";
import { EMBEDDED_MODEL_NAME, EMBEDDED_TWO_VIEW_MODEL_NAME, reportedModel } from "../../src/demo/demoSettings";
import { EMBEDDED_MODEL, EMBEDDED_TWO_VIEW_MODEL } from "../../src/worldmodel/modelFromConfig";
import { runCli } from "../helpers/cli";
import { TINY_MODEL } from "../helpers/fixtures";
import { repoRoot } from "../helpers/reference";

describe("the model the demo's reports name", () => {
  it("is models/vjepa2-ac-sim for the embedded model, however it was given", () => {
    expect(path.join(repoRoot, EMBEDDED_MODEL_NAME)).toBe(EMBEDDED_MODEL);
    expect(reportedModel("")).toBe("models/vjepa2-ac-sim");
    expect(reportedModel(EMBEDDED_MODEL)).toBe("models/vjepa2-ac-sim");
    expect(reportedModel(path.relative(process.cwd(), EMBEDDED_MODEL))).toBe("models/vjepa2-ac-sim");
    expect(reportedModel(`${EMBEDDED_MODEL}${path.sep}`)).toBe("models/vjepa2-ac-sim");
  });

  it("is models/vjepa2-ac-sim-2view for the embedded two-view model", () => {
    expect(path.join(repoRoot, EMBEDDED_TWO_VIEW_MODEL_NAME)).toBe(EMBEDDED_TWO_VIEW_MODEL);
    expect(reportedModel(EMBEDDED_TWO_VIEW_MODEL)).toBe("models/vjepa2-ac-sim-2view");
    expect(reportedModel(path.relative(process.cwd(), EMBEDDED_TWO_VIEW_MODEL))).toBe("models/vjepa2-ac-sim-2view");
  });

  it("is the absolute path for any other model", () => {
    expect(reportedModel(TINY_MODEL)).toBe(TINY_MODEL);
    expect(reportedModel(path.relative(process.cwd(), TINY_MODEL))).toBe(TINY_MODEL);
  });

  it("is what `demo --json` carries in settings.model (summary.json writes the same settings)", async () => {
    const quick = ["--samples", "16", "--iterations", "1", "--budgets", "1", "--subgoal-spacing", "0", "--episodes", "1", "--json"];
    const embedded = await runCli(["demo", ...quick]);
    expect(embedded.code).toBe(0);
    expect(JSON.parse(embedded.stdout).settings.model).toBe("models/vjepa2-ac-sim-2view"); // reach's embedded model
    // runCli runs in the project root, so this relative path is resolved against it
    const given = await runCli(["demo", ...quick, "--model", path.relative(repoRoot, TINY_MODEL)]);
    expect(given.code).toBe(0);
    expect(JSON.parse(given.stdout).settings.model).toBe(TINY_MODEL);
  }, 60_000);
});
