/**
 * The demo driver with an analytic world model (latent = end-effector position drawn into the image):
 * proves the episode loop, goal setting, blocking execution on the simulator and scoring. The trained
 * model's own success rate is measured by `vjepa2-mpc demo` (see README).
 */
import { resolveConfig } from "../../src/config/configFile";
import { cubeMilestones, LIFT_HEIGHT, runDemo } from "../../src/demo/runDemo";
import { TabletopSim } from "../../src/sim";
import { AnalyticWorldModel } from "../helpers/analyticWorldModel";

describe("runDemo (analytic world model)", () => {
  it("reaches the goal pose in every episode and reports steps, distance and latency", async () => {
    const config = resolveConfig([], { "planner.samples": 64, "planner.iterations": 4, "planner.topk": 8, "planner.settle_timeout": 2 });
    const seen: number[] = [];
    const progress: Array<{ index: number; steps: number; distance: number }> = [];
    const { summary, episodes } = await runDemo({
      model: new AnalyticWorldModel(),
      config,
      task: "reach",
      episodes: 3,
      seed: 11,
      preprocess: { size: 8, resize: "squash", mean: [0, 0, 0], std: [1, 1, 1] },
      simSize: 32,
      stepBudgets: { reach: [8], pick_place: [4, 10, 4] },
      view: (sim) => AnalyticWorldModel.renderState(sim.state),
      goalView: (sim, i) => AnalyticWorldModel.renderState(sim.goals[i].pose),
      onEpisode: (_r, i) => seen.push(i),
      onStep: (index, p) => progress.push({ index, ...p }),
    });
    expect(seen).toEqual([0, 1, 2]);
    expect(summary).toMatchObject({ task: "reach", episodes: 3, successes: 3, successRate: 1 });
    for (const e of episodes) {
      expect(e.finalDistance).toBeLessThan(0.02);
      expect(e.steps).toBeGreaterThan(0);
      expect(e.steps).toBeLessThanOrEqual(8);
      expect(e.path.length).toBeGreaterThanOrEqual(e.steps);
      expect(e.latencyMs).toHaveLength(e.steps);
    }
    expect(new Set(episodes.map((e) => e.seed)).size).toBe(3);
    // progress per planning status, ending at each episode's final step count and distance
    for (const [i, e] of episodes.entries()) {
      const mine = progress.filter((p) => p.index === i);
      expect(mine.length).toBeGreaterThanOrEqual(e.steps);
      expect(mine.at(-1)?.steps).toBe(e.steps);
      expect(mine.at(-1)?.distance).toBeCloseTo(e.finalDistance, 2);
    }
  }, 120000);
});

describe("pick_place milestones", () => {
  it("count the cube as grasped while held, and lifted once held LIFT_HEIGHT above the table", () => {
    const sim = new TabletopSim({ size: 16 });
    sim.reset(3, "pick_place", { renderGoals: false });
    expect(cubeMilestones(sim)).toEqual({ held: false, lifted: false });
    const cube = sim.cubePosition;
    sim.reset(3, "pick_place", { renderGoals: false, holding: true, eePosition: [cube[0], cube[1], sim.graspHeight] });
    expect(cubeMilestones(sim)).toEqual({ held: true, lifted: false });
    sim.step([0, 0, LIFT_HEIGHT - 0.005, 0, 0, 0, 0], false);
    expect(cubeMilestones(sim)).toEqual({ held: true, lifted: false });
    sim.step([0, 0, 0.01, 0, 0, 0, 0], false);
    expect(cubeMilestones(sim)).toEqual({ held: true, lifted: true });
    sim.step([0, 0, 0, 0, 0, 0, -1], false); // let go: the cube drops
    expect(cubeMilestones(sim)).toEqual({ held: false, lifted: false });
  });
});
