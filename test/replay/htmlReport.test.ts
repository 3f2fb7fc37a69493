import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { renderReplayHtml } from "../../src/replay/htmlReport";
import type { ReplayReport, ReplayStep } from "../../src/replay/ReplayReport";
import { escapeXml, formatNumber, heatmap, linePlot, niceTicks } from "../../src/replay/svgPlots";
import { runCli } from "../helpers/cli";
import { TINY_MODEL } from "../helpers/fixtures";
import { repoRoot } from "../helpers/reference";

function step(i: number, over: Partial<ReplayStep> = {}): ReplayStep {
  return {
    frameIndex: i,
    time: i * 0.25,
    goalFrameIndex: i < 3 ? 3 : 5,
    status: "planned",
    message: `goal step ${i}`,
    planned: [0.02, -0.01, 0.03, 0, 0, 0, 0.5],
    recorded: [0.01, 0.005, 0.02, 0, 0, 0, 0.2],
    commanded: [0.015, -0.008, 0.02, 0, 0, 0, 0.5],
    limitsApplied: ["step_translation"],
    currentEnergy: 0.5 - 0.05 * i,
    plannedEnergy: 0.45 - 0.05 * i,
    energyPerIteration: [0.5, 0.47, 0.45 - 0.05 * i],
    latencyMs: 40 + i,
    modelMs: 30 + i,
    ...over,
  };
}

function report(over: Partial<ReplayReport> = {}): ReplayReport {
  const grid = 7;
  const axis = Array.from({ length: grid }, (_, k) => -0.075 + (0.15 * k) / (grid - 1));
  return {
    bag: "/data/bags/run_<script>alert(1)</script>&co",
    model: "ac-tiny <b>bold</b>",
    createdAt: "2025-03-04T05:06:07.000Z",
    settings: { goalEvery: 3, goalFrame: null, samples: 64, iterations: 3, horizon: 1, maxnorm: 0.075 },
    frames: { read: 6, encoded: 6, droppedStale: 0, droppedSuperseded: 0, rejected: 0, planned: 6 },
    problems: [],
    damage: [],
    agreement: { steps: 5, meanCosine: 0.81, signAgreement: 0.6, signAgreementPerAxis: [1, 0, 1], gripperAgreement: 1 },
    latencyMs: { median: 42, p10: 40.5, p90: 44.5, min: 40, max: 45 },
    steps: [0, 1, 2, 3, 4, 5].map((i) => step(i, i === 5 ? { recorded: null } : {})),
    landscape: {
      frameIndex: 0,
      goalFrameIndex: 3,
      dx: axis,
      dz: axis,
      energy: axis.map((dz) => axis.map((dx) => (dx - 0.02) ** 2 + (dz - 0.03) ** 2)),
      recorded: [0.01, 0.02],
      planned: [0.02, 0.03],
    },
    ...over,
  };
}

/** The text outside tags (what a reader sees), roughly. */
const visibleText = (html: string): string => html.replace(/<style>[\s\S]*?<\/style>/, "").replace(/<[^>]*>/g, " ");

/** Checks that the tags of an SVG/XML fragment nest and close; returns the first problem or null. */
function tagBalance(xml: string): string | null {
  const stack: string[] = [];
  for (const m of xml.matchAll(/<(\/?)([a-zA-Z][\w:-]*)([^>]*?)(\/?)>/g)) {
    const [, close, name, , selfClose] = m;
    if (selfClose) continue;
    if (close) {
      const top = stack.pop();
      if (top !== name) return `</${name}> closes <${top ?? "nothing"}>`;
    } else stack.push(name);
  }
  return stack.length === 0 ? null : `unclosed <${stack.join("> <")}>`;
}

const svgs = (html: string): string[] => [...html.matchAll(/<svg[\s\S]*?<\/svg>/g)].map((m) => m[0]);

describe("svgPlots", () => {
  it("escapes text and formats numbers without NaN", () => {
    expect(escapeXml(`<a href="x">&'`)).toBe("&lt;a href=&quot;x&quot;&gt;&amp;&#39;");
    expect(formatNumber(Number.NaN, 2)).toBe("–");
    expect(formatNumber(null, 2)).toBe("–");
    expect(formatNumber(-0.0001, 2)).toBe("0.00");
    expect(formatNumber(-1.5, 1)).toBe("\u22121.5");
  });

  it("nice ticks enclose the range with 1-2-5 steps", () => {
    const t = niceTicks(0.013, 0.87, 5);
    expect(t.step).toBeCloseTo(0.2, 12);
    expect(t.ticks[0]).toBeLessThanOrEqual(0.013);
    expect(t.ticks.at(-1)).toBeGreaterThanOrEqual(0.87);
    expect(niceTicks(2, 2).ticks.length).toBeGreaterThan(1);
    expect(niceTicks(Number.NaN, 1).ticks).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it("line plots break at gaps and are well-formed", () => {
    const svg = linePlot({
      width: 300,
      height: 120,
      title: "a<b",
      series: [
        {
          label: "s&t",
          color: "red",
          points: [
            [0, 1],
            [1, null],
            [2, Number.NaN],
            [3, 2],
            [4, 3],
          ],
        },
      ],
    });
    expect(tagBalance(svg)).toBeNull();
    expect(svg).toContain("a&lt;b");
    expect(svg).toContain("s&amp;t");
    // Two runs: M at x=0, then M again at x=3 after the gap.
    const d = /<path d="([^"]+)"/.exec(svg)?.[1] ?? "";
    expect(d.match(/M/g)).toHaveLength(2);
    expect(visibleText(svg)).not.toMatch(/NaN|undefined/);
  });

  it("an empty line plot says so", () => {
    const svg = linePlot({ width: 300, height: 120, series: [{ label: "s", color: "red", points: [] }], emptyText: "nothing here" });
    expect(svg).toContain("nothing here");
    expect(tagBalance(svg)).toBeNull();
  });

  it("a heatmap has one cell per grid point, hatched where not finite", () => {
    const z = [
      [1, 2, 3],
      [4, Number.NaN, 6],
    ];
    const svg = heatmap({ width: 400, height: 300, x: [0, 1, 2], y: [0, 1], z, markers: [{ x: 9, y: 0, label: "far", shape: "circle", color: "#fff" }] });
    expect(svg.match(/class="cell"/g)).toHaveLength(6);
    expect(svg).toContain("no value");
    expect(svg).toContain("far (off grid)");
    expect(tagBalance(svg)).toBeNull();
  });
});

describe("renderReplayHtml", () => {
  it("renders every section of a hand-built report, self-contained", () => {
    const html = renderReplayHtml(report());
    expect(html.startsWith("<!DOCTYPE html>")).toBe(true);
    for (const id of ["summary", "problems", "agreement", "energy", "landscape", "steps"]) expect(html).toContain(`<section id="${id}"`);
    expect(html).toContain("<details open>");
    expect(html).toContain("None: every frame was read, encoded and planned.");
    expect(html).toContain("2025-03-04 05:06:07 UTC");
    expect(html).toContain("every 3 frames");
    expect(html).toContain("0.810"); // mean cosine
    expect(html).toContain("42.0 ms"); // median latency
    // Self-contained: no scripts, no external resources.
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/\b(src|href)=/i);
    expect(html).not.toMatch(/url\(/i);
    // Goal changes are marked.
    expect(html).toContain("goal 3");
    expect(html).toContain("goal 5");
    expect(visibleText(html)).not.toMatch(/NaN|undefined|null|Infinity/);
  });

  it("escapes all report text (a bag path with <script>)", () => {
    const html = renderReplayHtml(
      report({
        problems: [{ frameIndex: 2, time: 0.5, reason: 'frame rejected: <img src="x">' }],
        steps: [step(0, { status: "error", message: "<oops>", limitsApplied: ["<lim>"] })],
      }),
    );
    expect(html).toContain("run_&lt;script&gt;alert(1)&lt;/script&gt;&amp;co");
    expect(html).toContain("ac-tiny &lt;b&gt;bold&lt;/b&gt;");
    expect(html).toContain("frame rejected: &lt;img src=&quot;x&quot;&gt;");
    expect(html).toContain("&lt;oops&gt;");
    expect(html).toContain("&lt;lim&gt;");
    expect(html).not.toMatch(/<script|<img|<oops|<lim|<b>/);
  });

  it("lists problems and damage prominently, damage once", () => {
    const damage = "sample_0.mcap damaged at byte 1234 of 5000: truncated";
    const html = renderReplayHtml(
      report({
        damage: [damage],
        problems: [
          { frameIndex: null, time: null, reason: damage },
          { frameIndex: 4, time: 1, reason: "not planned (invalid_observation): stale state" },
        ],
      }),
    );
    expect(html).toContain('class="problems"');
    expect(html).toContain("Problems (2)");
    expect(html.split("damaged at byte 1234").length - 1).toBe(1);
    expect(html).toContain("not planned (invalid_observation): stale state");
  });

  it("the heatmap has grid² cells and marks the recorded, planned and minimum actions", () => {
    const html = renderReplayHtml(report());
    const landscape = html.slice(html.indexOf('<section id="landscape"'), html.indexOf('<section id="steps"'));
    expect(landscape.match(/class="cell"/g)).toHaveLength(49);
    for (const m of ["recorded action", "planned action", "grid minimum"]) expect(landscape).toContain(m);
    // Minimum of (dx − 20 mm)² + (dz − 30 mm)² on the 25 mm grid is at (+25, +25) mm.
    expect(landscape).toContain("(+25.0, +25.0) mm");
  });

  it("renders a degenerate report: no steps, no landscape, null agreement, NaN energies", () => {
    const empty = renderReplayHtml(
      report({
        frames: { read: 0, encoded: 0, droppedStale: 0, droppedSuperseded: 0, rejected: 0, planned: 0 },
        agreement: { steps: 0, meanCosine: null, signAgreement: null, signAgreementPerAxis: [null, null, null], gripperAgreement: null },
        latencyMs: null,
        steps: [],
        landscape: null,
        settings: { goalEvery: null, goalFrame: "last", samples: 1, iterations: 1, horizon: 1, maxnorm: 0.05 },
        createdAt: "not a date",
      }),
    );
    expect(empty).toContain("No planning steps.");
    expect(empty).toContain("No energy landscape");
    expect(empty).toContain("the last frame");
    expect(visibleText(empty)).not.toMatch(/NaN|undefined|null|Infinity/);
    for (const s of svgs(empty)) expect(tagBalance(s)).toBeNull();

    const nan = renderReplayHtml(
      report({
        steps: [
          step(0, {
            time: Number.NaN,
            frameIndex: -1,
            planned: null,
            commanded: null,
            currentEnergy: null,
            plannedEnergy: null,
            energyPerIteration: [],
            latencyMs: Number.NaN,
            modelMs: Number.NaN,
            status: "invalid_observation",
          }),
          step(1, { currentEnergy: Number.NaN, plannedEnergy: Number.NaN, energyPerIteration: [Number.NaN] }),
        ],
        landscape: {
          frameIndex: 0,
          goalFrameIndex: 1,
          dx: [-0.05, 0.05],
          dz: [-0.05, 0.05],
          energy: [
            [Number.NaN, Number.NaN],
            [Number.NaN, Number.NaN],
          ],
          recorded: null,
          planned: null,
        },
      }),
    );
    expect(nan).toContain("no finite energies");
    expect(visibleText(nan)).not.toMatch(/NaN|undefined|null|Infinity/);
    for (const s of svgs(nan)) expect(tagBalance(s)).toBeNull();
  });

  it("every SVG in the page is balanced", () => {
    const html = renderReplayHtml(report());
    const all = svgs(html);
    expect(all.length).toBeGreaterThanOrEqual(8); // 5 agreement panels, energy, latency, landscape
    for (const s of all) expect(tagBalance(s)).toBeNull();
    expect(tagBalance(html.slice(html.indexOf("<body>"), html.indexOf("</body>") + 7).replace(/<(meta|br|hr|img|input)\b[^>]*>/g, ""))).toBeNull();
  });
});

describe("vjepa2-mpc replay", () => {
  it("replays the sample bag and writes the JSON and HTML reports", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-replay-"));
    const bag = path.join(repoRoot, "test", "fixtures", "bags", "sample");
    const r = await runCli([
      "replay",
      bag,
      "--model",
      TINY_MODEL,
      "--goal-every",
      "5",
      "--samples",
      "32",
      "--iterations",
      "2",
      "--landscape-grid",
      "5",
      "--report",
      path.join(dir, "r.json"),
      path.join(dir, "r.html"),
    ]);
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
