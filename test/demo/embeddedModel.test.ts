/**
 * The trained demo model shipped in models/vjepa2-ac-sim: its energy landscape has its minimum at the
 * action that produced the goal image, and closed-loop planning with it reaches goal images. These are
 * properties of the trained weights (a random-weight package fails them; see the README's figures).
 */
import { DEMO_REACH_SUBGOALS, DEMO_STEP_BUDGETS, DEMO_TASK_PRESETS, EMBEDDED_ENERGY_THRESHOLD, EMBEDDED_MODEL } from "../../src/cli/demoCommand";
import { resolveConfig } from "../../src/config/configFile";
import { runDemo } from "../../src/demo/runDemo";
import { TabletopSim } from "../../src/sim";
import { preprocessOptionsFor } from "../../src/worldmodel/imageInput";
import { OnnxWorldModel } from "../../src/worldmodel/OnnxWorldModel";
import { preprocessImage, type RawImage } from "../../src/worldmodel/preprocess";
import type { FloatTensor } from "../../src/worldmodel/tensor";

let model: OnnxWorldModel;
beforeAll(async () => {
  model = await OnnxWorldModel.load(EMBEDDED_MODEL);
});
afterAll(async () => {
  await model?.close();
});

async function encode(image: RawImage): Promise<FloatTensor> {
  const opts = preprocessOptionsFor(model.pkg, "squash");
  return model.encode({ data: preprocessImage(image, opts), dims: [1, 3, opts.size, opts.size] });
}

// A grid of one-step actions: dx, dy, dz in −6..6 cm every 1.5 cm (9³ = 729 samples, one batched call).
const STEP = 0.015;
const GRID: number[][] = [];
for (let i = -4; i <= 4; i++) for (let j = -4; j <= 4; j++) for (let k = -4; k <= 4; k++) GRID.push([i * STEP, j * STEP, k * STEP]);

describe("embedded demo model (models/vjepa2-ac-sim)", () => {
  it("is the project's trained miniature V-JEPA 2-AC", () => {
    expect(model.pkg.name).toBe("vjepa2-ac-sim");
    expect(model.pkg.source.randomInit).toBe(false);
    expect(model.info.fusedHorizons).toContain(1);
  });

  it("has the minimum of its energy landscape near the action that produced the goal image", async () => {
    const sim = new TabletopSim({ size: model.info.imageSize });
    // Known actions a*: the goal image is rendered after applying a* to the start pose.
    const known = [
      [0.045, 0.0, 0.0],
      [0.0, -0.045, 0.0],
      [0.0, 0.0, 0.045],
      [-0.03, 0.03, -0.03],
      [0.03, 0.03, 0.0],
      [0.0, -0.03, -0.045],
    ];
    const errors: number[] = [];
    const beats: number[] = [];
    for (const [n, a] of known.entries()) {
      const start = sim.reset(900_000 + n, "reach", { renderGoals: false });
      const context = await encode(start.image);
      const state = Float32Array.from(start.state);
      sim.step([a[0], a[1], a[2], 0, 0, 0, 0]);
      const goal = await encode(sim.observe().image);
      const actions = new Float32Array(GRID.length * 7);
      GRID.forEach((g, i) => actions.set([g[0], g[1], g[2], 0, 0, 0, 0], i * 7));
      const { energy } = await model.rolloutEnergy(context, goal, { data: state, dims: [1, 7] }, { data: actions, dims: [GRID.length, 1, 7] });
      let best = 0;
      for (let i = 1; i < energy.length; i++) if (energy[i] < energy[best]) best = i;
      const b = GRID[best];
      errors.push(Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]));
      // the true action itself scores better than most of the grid
      const atTrue = energy[GRID.findIndex((g) => g.every((v, k) => Math.abs(v - a[k]) < 1e-9))];
      const worse = Array.from(energy).filter((e) => e > atTrue).length;
      beats.push(worse / energy.length);
    }
    // Measured: minimum 0, 2.1, 7.3, 0, 3.7, 1.5 cm from a*; the true action beats 69-100 % of the grid.
    // The weak case is the pure 4.5 cm lift (height is the model's least certain direction), so the bounds
    // are on the typical case (median within one grid neighbour, diagonals included: 1.5·√3 = 2.6 cm) and on
    // 5 of 6 cases (minimum within 4.5 cm, true action better than 90 % of the grid).
    const within = errors.filter((e) => e <= 0.045 + 1e-9).length;
    errors.sort((x, y) => x - y);
    expect(errors[Math.floor(errors.length / 2)]).toBeLessThanOrEqual(STEP * Math.sqrt(3) + 1e-9);
    expect(within).toBeGreaterThanOrEqual(5);
    expect(beats.filter((b) => b > 0.9).length).toBeGreaterThanOrEqual(5);
  }, 60_000);

  it("reaches goal images closed-loop through the in-process nodes", async () => {
    // the paper's CEM settings (800 × 10) and the demo's reach defaults (gripper held, return to the best frame, sub-goals, threshold, budget)
    const config = resolveConfig([], {}, DEMO_TASK_PRESETS.reach);
    const { summary } = await runDemo({
      model,
      config,
      task: "reach",
      episodes: 3,
      seed: 424242,
      preprocess: preprocessOptionsFor(model.pkg, "squash"),
      stepBudgets: DEMO_STEP_BUDGETS,
      reachSubgoals: DEMO_REACH_SUBGOALS,
      energyThreshold: EMBEDDED_ENERGY_THRESHOLD,
    });
    expect(summary.successes).toBeGreaterThanOrEqual(2);
    expect(summary.meanFinalDistance).toBeLessThan(0.05);
  }, 240_000); // ~60 s alone on 2 cores; twice that beside other suites
});
