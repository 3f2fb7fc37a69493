import { registerThresholdCommand } from "../../src/cli/thresholdCommand";
import { DEMO_TASK_MODELS, EMBEDDED_ENERGY_THRESHOLDS } from "../../src/cli/demoCommand";
import { calibrateGoalEnergy, safeThresholdOf, thresholdRow, type CalibrationSample } from "../../src/demo/goalEnergyCalibration";
import { preprocessOptionsFor } from "../../src/worldmodel/imageInput";
import { OnnxWorldModel } from "../../src/worldmodel/OnnxWorldModel";
import { runCommandInProcess } from "../helpers/cli";

describe("threshold arithmetic", () => {
  const samples: CalibrationSample[] = [
    { distance: 0.004, energy: 0.01 },
    { distance: 0.012, energy: 0.02 },
    { distance: 0.03, energy: 0.028 },
    { distance: 0.018, energy: 0.031 },
    { distance: 0.04, energy: 0.06 },
  ];

  it("the safe threshold is the energy of the lowest-energy frame beyond the tolerance", () => {
    expect(safeThresholdOf(samples, 0.015)).toBe(0.028);
    expect(safeThresholdOf(samples, 0.035)).toBe(0.06);
    expect(safeThresholdOf(samples, 0.05)).toBe(Infinity);
  });

  it("a row counts the frames below, the farthest of them and the share of near frames below", () => {
    expect(thresholdRow(samples, 0.025)).toEqual({ threshold: 0.025, below: 2, maxDistance: 0.012, recallNear: 2 / 3 });
    expect(thresholdRow(samples, 0.005)).toEqual({ threshold: 0.005, below: 0, maxDistance: 0, recallNear: 0 });
  });
});

describe("calibrateGoalEnergy with the reach demo's embedded model", () => {
  let model: OnnxWorldModel;
  beforeAll(async () => {
    model = await OnnxWorldModel.load(DEMO_TASK_MODELS.reach);
  });
  afterAll(async () => {
    await model?.close();
  });

  it("keeps the reach demo's threshold safe: every render below it lies within 1.5 cm of its goal", async () => {
    const preprocess = preprocessOptionsFor(model.pkg, "squash");
    // A tenth of the command's default sample (rendering is slow under jest), on scenes of its own (seed 940000).
    const result = await calibrateGoalEnergy({ model, preprocess, goals: 40, rendersPerGoal: 15, seed: 940_000 });
    expect(result.samples).toHaveLength(600);
    for (const s of result.samples) {
      expect(s.distance).toBeLessThanOrEqual(0.035 + 1e-9);
      expect(Number.isFinite(s.energy)).toBe(true);
    }
    // On 6000 renders each of seeds 800000, 910000 and 930000: safe below 0.0287, 0.0321 and 0.0298.
    expect(EMBEDDED_ENERGY_THRESHOLDS.reach).toBeLessThan(result.safeThreshold);
    expect(thresholdRow(result.samples, EMBEDDED_ENERGY_THRESHOLDS.reach).maxDistance).toBeLessThanOrEqual(0.015);
    // and far frames are not mistaken for the goal: the energy grows with the distance
    const near = result.samples.filter((s) => s.distance < 0.01).map((s) => s.energy);
    const far = result.samples.filter((s) => s.distance > 0.03).map((s) => s.energy);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(far)).toBeGreaterThan(1.5 * mean(near));
  }, 60_000);

  it("is deterministic and rejects impossible options", async () => {
    const preprocess = preprocessOptionsFor(model.pkg, "squash");
    const a = await calibrateGoalEnergy({ model, preprocess, goals: 2, rendersPerGoal: 3, seed: 5 });
    const b = await calibrateGoalEnergy({ model, preprocess, goals: 2, rendersPerGoal: 3, seed: 5 });
    expect(b.samples).toEqual(a.samples);
    await expect(calibrateGoalEnergy({ model, preprocess, goals: 0 })).rejects.toThrow("goals and renders per goal");
    await expect(calibrateGoalEnergy({ model, preprocess, radius: -1 })).rejects.toThrow("radius and tolerance");
    // a model whose encoder gives NaN is refused, not reported safe
    const broken = {
      info: model.info,
      encode: async (frames: { dims: number[] }) => ({
        data: new Float32Array(frames.dims[0] * model.info.tokensPerFrame * 128).fill(NaN),
        dims: [frames.dims[0], model.info.tokensPerFrame, 128],
      }),
    } as unknown as OnnxWorldModel;
    await expect(calibrateGoalEnergy({ model: broken, preprocess, goals: 1, rendersPerGoal: 1 })).rejects.toThrow("non-finite energy");
  });
});

describe("vjepa2-mpc demo-threshold", () => {
  const run = (args: string[]) => runCommandInProcess(registerThresholdCommand, args);

  it("prints the table and the safe threshold as JSON", async () => {
    const out = JSON.parse(await run(["demo-threshold", "--goals", "4", "--renders", "5", "--radius", "0.06", "--json"]));
    expect(out.settings).toEqual({ goals: 4, rendersPerGoal: 5, radius: 0.06, tolerance: 0.015, seed: 800000 });
    expect(out.rows.map((r: { threshold: number }) => r.threshold)).toEqual([0.01, 0.0125, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05]);
    const below = out.rows.map((r: { below: number }) => r.below);
    expect([...below].sort((x, y) => x - y)).toEqual(below); // more frames below a higher threshold
    expect(out.safe_threshold === null || out.safe_threshold > 0).toBe(true);
  });

  it("prints a table with the safe threshold and the demo's as text", async () => {
    const text = await run(["demo-threshold", "--goals", "2", "--renders", "3"]);
    const lines = text.trim().split("\n");
    expect(lines[0]).toMatch(/^6 renders within 3\.5 cm of 2 reach goals/);
    expect(lines.filter((l) => /^\s+0\.0\d{3}\s+\d+\s+\d+\.\d\d cm\s+\d+ %$/.test(l))).toHaveLength(8);
    expect(text).toMatch(/safe threshold \(every frame below within 1\.5 cm\): below 0\.\d{4}|no render lay farther than 1\.5 cm/);
    expect(lines.at(-1)).toBe(
      `the demo uses ${EMBEDDED_ENERGY_THRESHOLDS.reach} for reach with this model (and ${EMBEDDED_ENERGY_THRESHOLDS.pick_place} to move on between pick_place's sub-goals with models/vjepa2-ac-sim)`,
    );
  });

  it("rejects bad flags and a missing model with the reason", async () => {
    await expect(run(["demo-threshold", "--goals", "0"])).rejects.toThrow("--goals");
    await expect(run(["demo-threshold", "--tolerance", "0"])).rejects.toThrow("--tolerance expects a number > 0");
    await expect(run(["demo-threshold", "--model", "/nonexistent"])).rejects.toThrow("no model package at /nonexistent");
  });
});
