import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderReplayHtml } from "../../src/replay/htmlReport";
import type { ReplayReport, ReplayStep } from "../../src/replay/ReplayReport";
import { escapeXml, niceTicks } from "../../src/replay/svgPlots";
import { runCli } from "../helpers/cli";
import { TINY_MODEL } from "../helpers/fixtures";
import { repoRoot } from "../helpers/reference";

function step(i: number, over: Partial<ReplayStep> = {}): ReplayStep {
  return {
    frameIndex: i,
    time: i * 0.25,
    goalFrameIndex: 5,
    status: "planned",
    message: "",
    planned: [0.01 * i, -0.01, 0.02, 0, 0, 0, 0],
    recorded: [0.01, 0.005, -0.01, 0, 0, 0, 0.2],
    commanded: [0.01 * i, -0.01, 0.02, 0, 0, 0, 0],
    limitsApplied: i === 2 ? ["step_translation"] : [],
    currentEnergy: 0.5 - i * 0.01,
    plannedEnergy: 0.4,
    energyPerIteration: [0.45, 0.42, 0.4],
    latencyMs: 50 + i,
    modelMs: 45 + i,
    ...over,
  };
}

function report(over: Partial<ReplayReport> = {}): ReplayReport {
  const grid = [-0.05, 0, 0.05];
  return {
    bag: "bags/<script>alert(1)</script>",
    model: "ac-tiny",
    createdAt: "2026-11-22T00:00:00Z",
    settings: { goalEvery: 5, goalFrame: null, samples: 64, iterations: 3, horizon: 1, maxnorm: 0.05 },
    frames: { read: 4, encoded: 4, droppedStale: 0, droppedSuperseded: 0, rejected: 0, planned: 4 },
    problems: [],
    damage: [],
    agreement: { steps: 3, meanCosine: 0.5, signAgreement: 0.66, signAgreementPerAxis: [1, 0.5, 0.5], gripperAgreement: 1 },
    latencyMs: { median: 51, p10: 50, p90: 53, min: 50, max: 53 },
    steps: [step(0), step(1), step(2), step(3, { recorded: null, plannedEnergy: null })],
    landscape: { frameIndex: 0, goalFrameIndex: 5, dx: grid, dz: grid, energy: [[3, 2, 3], [2, 1, 2], [3, 2, 3]], recorded: [0.01, -0.01], planned: [0, 0] },
    ...over,
  };
}

describe("renderReplayHtml", () => {
  it("renders every section, escapes text and draws grid² heatmap cells", () => {
    const html = renderReplayHtml(report());
    for (const id of ["summary", "problems", "agreement", "energy", "landscape", "steps"]) expect(html).toContain(`id="${id}"`);
    expect(html).not.toContain("<script>alert(1)</script>");
    expect(html).toContain(escapeXml("bags/<script>alert(1)</script>"));
    expect(html.match(/<rect class="cell"/g)).toHaveLength(9);
    expect(html).not.toMatch(/NaN|undefined/);
    expect(html).not.toMatch(/<script|(?:src|href)=["']https?:/); // self-contained: no scripts or remote resources
    expect((html.match(/<svg/g) ?? []).length).toBe((html.match(/<\/svg>/g) ?? []).length);
  });

  it("lists problems and damage prominently", () => {
    const html = renderReplayHtml(report({ problems: [{ frameIndex: 3, time: 0.75, reason: "frame rejected: cannot decode jpeg" }], damage: ["x.mcap is damaged at byte 10"] }));
    expect(html).toContain("Problems (");
    expect(html).toContain("frame rejected: cannot decode jpeg");
  });

  it("renders a degenerate report (nothing planned, no landscape, NaN energies) without NaN or undefined", () => {
    const html = renderReplayHtml(
      report({
        frames: { read: 2, encoded: 0, droppedStale: 0, droppedSuperseded: 0, rejected: 2, planned: 0 },
        agreement: { steps: 0, meanCosine: null, signAgreement: null, signAgreementPerAxis: [null, null, null], gripperAgreement: null },
        latencyMs: null,
        steps: [],
        landscape: null,
      }),
    );
    expect(html).toContain("No planning steps");
    expect(html).not.toMatch(/NaN|undefined/);
  });

  it("chooses readable axis ticks", () => {
    expect(niceTicks(0, 1).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });
});

describe("vjepa2-mpc replay", () => {
  it("replays the sample bag and writes the JSON and HTML reports", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-replay-"));
    const bag = path.join(repoRoot, "test", "fixtures", "bags", "sample");
    const r = await runCli(["replay", bag, "--model", TINY_MODEL, "--goal-every", "5", "--samples", "32", "--iterations", "2", "--landscape-grid", "5", "--report", path.join(dir, "r.json"), path.join(dir, "r.html")]);
    expect(r.stderr).not.toMatch(/vjepa2-mpc:/);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^frames {4}read 20, encoded 20, planned 20, dropped 0, rejected 0$/m);
    const json = JSON.parse(fs.readFileSync(path.join(dir, "r.json"), "utf8")) as ReplayReport;
    expect(json.steps).toHaveLength(20);
    expect(json.landscape?.energy).toHaveLength(5);
    expect(fs.readFileSync(path.join(dir, "r.html"), "utf8")).toContain('id="landscape"');
    const bad = await runCli(["replay", bag, "--model", TINY_MODEL, "--goal-every", "2", "--goal-frame", "last"]);
    expect(bad.stderr).toContain("give either --goal-every K or --goal-frame last, not both");
  }, 60000);
});
