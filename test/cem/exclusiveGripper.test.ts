import { planCem, planIcem, resolveCemOptions, type BatchEnergyFn, type CemOptions } from "../../src/cem";
import { applyExclusiveGripper } from "../../src/cem/controls";
import { A, quadraticBowl, recording } from "./helpers";

const fast = { samples: 200, iterations: 4, topk: 10, seed: 5, gripperExclusive: true } as const;
const planners: Array<[string, (e: BatchEnergyFn, o: Partial<CemOptions>) => Promise<{ plan: Float64Array }>]> = [
  ["cem", planCem],
  ["icem", planIcem],
];

/** Every action row obeys the rule: the gripper delta is −1, 0 or 1, and a non-zero one comes with no motion. */
function exclusive(actions: ArrayLike<number>): boolean {
  for (let r = 0; r < actions.length / A; r++) {
    const g = actions[r * A + 6];
    if (g !== 0 && g !== 1 && g !== -1) return false;
    if (g !== 0 && (actions[r * A] !== 0 || actions[r * A + 1] !== 0 || actions[r * A + 2] !== 0)) return false;
  }
  return true;
}

describe("applyExclusiveGripper", () => {
  it("turns gripper deltas ≥ the rounding bound into a full open or close with no motion, and smaller ones into 0", () => {
    const rows = Float32Array.from([0.05, -0.02, 0.01, 0, 0, 0, 0.3, 0.05, -0.02, 0.01, 0, 0, 0, -0.2, 0.01, 0.02, 0.03, 0, 0, 0, -0.6]);
    applyExclusiveGripper(rows, 3, 1, 0.25);
    expect(Array.from(rows)).toEqual([0, 0, 0, 0, 0, 0, 1, 0.05, -0.02, 0.01, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, -1].map(Math.fround));
    // only the rows asked for
    const two = Float64Array.from([0, 0, 0.07, 0, 0, 0, 0.5, 0, 0, 0.07, 0, 0, 0, 0.5]);
    applyExclusiveGripper(two.subarray(7), 1, 1, 0.25);
    expect(Array.from(two)).toEqual([0, 0, 0.07, 0, 0, 0, 0.5, 0, 0, 0, 0, 0, 0, 1]);
  });
});

describe.each(planners)("%s with gripperExclusive", (_name, plan) => {
  it("scores and returns only moves or full gripper toggles, never both in one step", async () => {
    const { energy, calls } = recording(quadraticBowl([0.03, -0.02, 0.01, 0.5]));
    const result = await plan(energy, { ...fast, horizon: 2 });
    expect(calls.length).toBeGreaterThan(0);
    for (const c of calls) expect(exclusive(c.actions)).toBe(true);
    expect(exclusive(result.plan)).toBe(true);
  });

  it("chooses the toggle when the gripper matters more than the motion, and the motion otherwise", async () => {
    const close = await plan(quadraticBowl([0.02, 0, 0, 1], 10), fast);
    expect(Array.from(close.plan)).toEqual([0, 0, 0, 0, 0, 0, 1]);
    const move = await plan(quadraticBowl([0.03, -0.02, 0.01, 0], 1), fast);
    expect(move.plan[6]).toBe(0);
    expect(Math.abs(move.plan[0] - 0.03)).toBeLessThan(5e-3);
    expect(Math.abs(move.plan[1] + 0.02)).toBeLessThan(5e-3);
  });
});

describe("gripperExclusive option", () => {
  it("is off by default and rejects what would contradict it", () => {
    expect(resolveCemOptions({}).gripperExclusive).toBe(false);
    expect(() => resolveCemOptions({ gripperExclusive: "yes" as unknown as boolean })).toThrow("CEM option gripperExclusive: must be a boolean, got yes");
    expect(() => resolveCemOptions({ gripperExclusive: true, horizon: 2, closeGripper: 1 })).toThrow(/cannot be combined with closeGripper \(1\)/);
    expect(() => resolveCemOptions({ gripperExclusive: true, axis: { 3: 0.5 } })).toThrow(/fixed gripper delta of 0.5/);
    expect(() => resolveCemOptions({ gripperExclusive: true, axis: { 3: 0 } })).not.toThrow();
  });
});
