import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { encodePng } from "../../src/worldmodel/imageDecode";
import { runCli } from "../helpers/cli";
import { TINY_MODEL } from "../helpers/fixtures";

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-plan-"));
function png(name: string, shift: number): string {
  const w = 80;
  const h = 64;
  const data = new Uint8Array(w * h * 3).map((_, i) => (Math.floor(i / 3) % w) * 3 + shift * ((i % 3) + 1));
  const f = path.join(dir, name);
  fs.writeFileSync(f, encodePng({ width: w, height: h, encoding: "rgb8", data }));
  return f;
}
const now = png("now.png", 0);
const goal = png("goal.png", 20);
const fast = ["--samples", "64", "--iterations", "3", "--topk", "5"];

describe("vjepa2-mpc plan", () => {
  it("prints the action, energies per iteration and the time split as JSON", async () => {
    const r = await runCli([
      "plan",
      "--model",
      TINY_MODEL,
      "--image",
      now,
      "--goal",
      goal,
      "--state",
      "0.5,0,0.3,3.14,0,0,0",
      ...fast,
      "--horizon",
      "2",
      "--json",
    ]);
    expect(r.stderr).not.toMatch(/vjepa2-mpc:/);
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout);
    expect(out.action).toHaveLength(7);
    expect(out.plan).toHaveLength(14);
    expect(out.energy_per_iteration).toHaveLength(3);
    expect(out.planned_energy).toBeGreaterThan(0);
    expect(out.timings).toMatchObject({ model_calls: 4, encode_ms: expect.any(Number), optimiser_ms: expect.any(Number) });
    expect(out.planner).toMatchObject({ samples: 64, iterations: 3, topk: 5, horizon: 2 });
    for (const i of [0, 1, 2]) expect(Math.abs(out.action[i])).toBeLessThanOrEqual(0.075);
  });

  it("prints a readable summary by default", async () => {
    const r = await runCli(["plan", "--model", TINY_MODEL, "--image", now, "--goal", goal, goal, "--state", "0.5,0,0.3,3.14,0,0,0", ...fast]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^action {6}dx [+-]\d\.\d{4} m {2}dy/m);
    expect(r.stdout).toMatch(/^iterations {2}\d\.\d{5}( \d\.\d{5}){2}$/m);
    expect(r.stdout).toMatch(/^time {8}encode \d+ ms \| model \d+ ms in 4 calls \| optimiser/m);
  });

  it("refuses a malformed state and a configuration that cannot work", async () => {
    const bad = await runCli(["plan", "--model", TINY_MODEL, "--image", now, "--goal", goal, "--state", "0.5,0,0.3"]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("--state expects 7 comma-separated numbers");
    const cfg = await runCli(["plan", "--model", TINY_MODEL, "--image", now, "--goal", goal, "--state", "0.5,0,0.3,0,0,0,0", "--samples", "5"]);
    expect(cfg.code).toBe(1);
    expect(cfg.stderr).toContain("planner.topk (10) exceeds planner.samples (5)");
  });
});

describe("vjepa2-mpc bench", () => {
  it("reports latency spread, throughput and the planner's own share", async () => {
    const r = await runCli([
      "bench",
      "--model",
      TINY_MODEL,
      "--samples",
      "32",
      "--iterations",
      "2",
      "--topk",
      "4",
      "--repeats",
      "3",
      "--warmup",
      "1",
      "--json",
    ]);
    expect(r.code).toBe(0);
    const b = JSON.parse(r.stdout);
    expect(b).toMatchObject({ model: "ac-tiny", provider: "cpu", samples: 32, iterations: 2, repeats: 3 });
    for (const k of ["stepMs", "modelMs", "plannerOverheadMs", "optimiserMs", "handoffMs"]) expect(b[k].median).toBeGreaterThanOrEqual(0);
    expect(b.stepMs.p10).toBeLessThanOrEqual(b.stepMs.p90);
    expect(b.modelCallsPerSecond).toBeGreaterThan(0);
    expect(b.samplesPerSecond).toBeGreaterThan(0);
    expect(b.plannerOverheadShare).toBeGreaterThan(0);
    expect(b.plannerOverheadShare).toBeLessThan(1);
  });
});

describe("vjepa2-mpc config", () => {
  it("validates a file and prints the resolved configuration", async () => {
    const f = path.join(dir, "c.yaml");
    fs.writeFileSync(f, "planner:\n  samples: 123\n");
    const r = await runCli(["config", "--config", f]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/samples: 123/);
    fs.writeFileSync(f, "planner:\n  samples: -1\n");
    const bad = await runCli(["config", "--config", f]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain("planner.samples: -1 is not an integer in [2, 100000]");
  });
});
