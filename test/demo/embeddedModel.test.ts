/**
 * The trained demo models shipped in models/: for each, the energy landscape has its minimum at the action
 * that produced the goal image; closed-loop planning with the reach demo's model reaches goal images. These
 * are properties of the trained weights (a random-weight package fails them; see the README's figures).
 */
import {
  DEMO_APPROACH_SUBGOALS,
  DEMO_STEP_BUDGETS,
  DEMO_TASK_MODELS,
  DEMO_TASK_PRESETS,
  EMBEDDED_ENERGY_THRESHOLDS,
  EMBEDDED_MODEL,
  EMBEDDED_TWO_VIEW_MODEL,
} from "../../src/cli/demoCommand";
import { resolveConfig } from "../../src/config/configFile";
import { runDemo } from "../../src/demo/runDemo";
import { TabletopSim } from "../../src/sim";
import { preprocessOptionsFor } from "../../src/worldmodel/imageInput";
import { OnnxWorldModel } from "../../src/worldmodel/OnnxWorldModel";
import { inputDims, preprocessImage, type RawImage } from "../../src/worldmodel/preprocess";
import type { FloatTensor } from "../../src/tensor/tensor";

const loaded = new Map<string, OnnxWorldModel>();
beforeAll(async () => {
  for (const dir of [EMBEDDED_MODEL, EMBEDDED_TWO_VIEW_MODEL]) loaded.set(dir, await OnnxWorldModel.load(dir));
});
afterAll(async () => {
  await Promise.all([...loaded.values()].map((m) => m.close()));
});

async function encode(model: OnnxWorldModel, image: RawImage): Promise<FloatTensor> {
  const opts = preprocessOptionsFor(model.pkg, "squash");
  return model.encode({ data: preprocessImage(image, opts), dims: inputDims(opts, 1) });
}

// A grid of one-step actions: dx, dy, dz in −6..6 cm every 1.5 cm (9³ = 729 samples, one batched call).
const STEP = 0.015;
const GRID: number[][] = [];
for (let i = -4; i <= 4; i++) for (let j = -4; j <= 4; j++) for (let k = -4; k <= 4; k++) GRID.push([i * STEP, j * STEP, k * STEP]);

describe.each([
  ["models/vjepa2-ac-sim", EMBEDDED_MODEL, "vjepa2-ac-sim", 1],
  ["models/vjepa2-ac-sim-2view", EMBEDDED_TWO_VIEW_MODEL, "vjepa2-ac-sim-2view", 2],
])("embedded demo model %s", (_name, dir, packageName, views) => {
  const model = (): OnnxWorldModel => loaded.get(dir) as OnnxWorldModel;

  it("is the project's trained miniature V-JEPA 2-AC", () => {
    expect(model().pkg.name).toBe(packageName);
    expect(model().info.views).toBe(views);
    expect(model().pkg.source.randomInit).toBe(false);
    expect(model().info.fusedHorizons).toContain(1);
  });

  it("has the minimum of its energy landscape near the action that produced the goal image", async () => {
    const sim = new TabletopSim({ size: model().info.imageSize, views: model().info.views });
    // Known actions a*, in grid steps (1.5 cm): six along the axes and diagonals, then 18 drawn at random
    // (Python random.Random(6), at least 3 cm along some axis). The goal image is rendered after applying a*
    // to a random start; the reference is the displacement the simulator actually made (the workspace
    // clamps some moves).
    const known = [
      [3, 0, 0],
      [0, -3, 0],
      [0, 0, 3],
      [-2, 2, -2],
      [2, 2, 0],
      [0, -2, -3],
      [-3, 3, 0],
      [-4, -4, -2],
      [3, 1, 1],
      [-4, 0, 3],
      [-1, 2, 4],
      [4, -3, -1],
      [4, 0, -3],
      [2, 1, -3],
      [1, 2, 0],
      [3, -3, -1],
      [0, -3, -4],
      [-1, 1, 3],
      [-1, 4, 4],
      [-4, 1, -1],
      [2, 0, 1],
      [-3, -3, 4],
      [4, -1, -3],
      [2, 3, -1],
    ];
    const errors: number[] = [];
    const beats: number[] = [];
    for (const [n, steps] of known.entries()) {
      const start = sim.reset(900_000 + n, "reach", { renderGoals: false });
      const context = await encode(model(), start.image);
      const state = Float32Array.from(start.state);
      const moved = sim.step([steps[0] * STEP, steps[1] * STEP, steps[2] * STEP, 0, 0, 0, 0]).state;
      const a = [0, 1, 2].map((k) => moved[k] - start.state[k]);
      const goal = await encode(model(), sim.observe().image);
      // the grid, then the true displacement as one more sample
      const actions = new Float32Array((GRID.length + 1) * 7);
      GRID.forEach((g, i) => actions.set([g[0], g[1], g[2], 0, 0, 0, 0], i * 7));
      actions.set([a[0], a[1], a[2], 0, 0, 0, 0], GRID.length * 7);
      const { energy } = await model().rolloutEnergy(context, goal, { data: state, dims: [1, 7] }, { data: actions, dims: [GRID.length + 1, 1, 7] });
      let best = 0;
      for (let i = 1; i < GRID.length; i++) if (energy[i] < energy[best]) best = i;
      const b = GRID[best];
      errors.push(Math.hypot(b[0] - a[0], b[1] - a[1], b[2] - a[2]));
      const atTrue = energy[GRID.length];
      beats.push(Array.from(energy.subarray(0, GRID.length)).filter((e) => e > atTrue).length / GRID.length);
    }
    // Measured (shipped model): the minimum is 1.5 cm from a* in the median (0 in 9 cases), within 4.5 cm in
    // 22 of 24 cases; the true action beats over 90 % of the grid in all 24 (the previous model: 1.5 cm, 21,
    // 24; a package smoke-trained for 3 steps fails at 10.5 cm). Bounds: median within one grid neighbour
    // (diagonals included: 1.5·√3 = 2.6 cm), and 20 of 24 cases on the other two.
    const sorted = [...errors].sort((x, y) => x - y);
    expect(sorted[Math.floor(sorted.length / 2)]).toBeLessThanOrEqual(STEP * Math.sqrt(3) + 1e-9);
    expect(errors.filter((e) => e <= 0.045 + 1e-9).length).toBeGreaterThanOrEqual(20);
    expect(beats.filter((b) => b > 0.9).length).toBeGreaterThanOrEqual(20);
  }, 60_000);
});

describe("the reach demo's embedded model", () => {
  it("reaches goal images closed-loop through the in-process nodes", async () => {
    const model = loaded.get(DEMO_TASK_MODELS.reach) as OnnxWorldModel;
    // the demo's reach defaults (iCEM 800 × 3, gripper held, return to the best frame, sub-goals, threshold, budget)
    const config = resolveConfig([], {}, DEMO_TASK_PRESETS.reach);
    const { summary } = await runDemo({
      model,
      config,
      task: "reach",
      episodes: 3,
      seed: 424242,
      preprocess: preprocessOptionsFor(model.pkg, "squash"),
      stepBudgets: DEMO_STEP_BUDGETS,
      approachSubgoals: DEMO_APPROACH_SUBGOALS.reach,
      energyThreshold: EMBEDDED_ENERGY_THRESHOLDS.reach,
    });
    expect(summary.successes).toBeGreaterThanOrEqual(2);
    expect(summary.meanFinalDistance).toBeLessThan(0.05);
  }, 240_000); // ~60 s alone on 2 cores; twice that beside other suites
});
