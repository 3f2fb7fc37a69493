/**
 * The planner recovers a known action: with the exported tiny package, a goal made by predicting one
 * step from the context under a*, CEM with the paper's settings plans a first action close to a*.
 */
import { RecedingHorizonPlanner } from "../../src/mpc/RecedingHorizonPlanner";
import { OnnxWorldModel } from "../../src/worldmodel/OnnxWorldModel";
import { tensor } from "../../src/tensor/tensor";
import { TINY_MODEL } from "../helpers/fixtures";

describe("planner recovers a known action (tiny package, paper settings)", () => {
  let model: OnnxWorldModel;
  beforeAll(async () => {
    model = await OnnxWorldModel.load(TINY_MODEL);
  });
  afterAll(async () => model.close());

  const state = [0.55, 0.02, 0.3, -3.05, 0.03, -1.91, 0.2];
  it.each([[[0.03, -0.02, 0.04, 0, 0, 0, 0]], [[-0.05, 0.01, -0.02, 0, 0, 0, 0.6]]])("a* = %j", async (aStar) => {
    const frame = Float32Array.from({ length: 3 * 64 * 64 }, (_, i) => Math.sin(i * 0.013) + Math.cos(i * 0.0007));
    const tokens = await model.encode(tensor(frame, [1, 3, 64, 64]));
    const goal = await model.predict(tokens, tensor(Float32Array.from(aStar), [1, 1, 7]), tensor(Float32Array.from(state), [1, 1, 7]));
    const planner = new RecedingHorizonPlanner(model, { cem: { seed: 7 }, warmStart: false, evaluatePlan: true });
    planner.setGoals([{ embedding: goal, stepBudget: 1, energyThreshold: null, label: "a*" }]);
    const step = await planner.step({ embedding: tokens, state, stamp: 0 });
    const a = step.action as number[];
    // Within 1 mm per axis (measured: ≈1e-5 m) and 0.01 in gripper; rotations are never planned.
    for (const i of [0, 1, 2]) expect(Math.abs(a[i] - aStar[i])).toBeLessThan(1e-3);
    expect(Math.abs(a[6] - aStar[6])).toBeLessThan(1e-2);
    expect(a.slice(3, 6)).toEqual([0, 0, 0]);
    expect(step.status.plannedEnergy as number).toBeLessThan(1e-5);
  });
});
