import { RETURN_MAX_MOVES, RecedingHorizonPlanner, type PlannerSettings } from "../../src/mpc/RecedingHorizonPlanner";
import { AnalyticWorldModel } from "../helpers/analyticWorldModel";
import { evaluationsPerAction } from "../../src/mpc/plannerSettings";

const E = AnalyticWorldModel.embedding;
const STATE = [0.5, 0, 0.3, Math.PI, 0, 0, 0];

function planner(over: Partial<PlannerSettings["cem"]> = {}, rest: Partial<Omit<PlannerSettings, "cem">> = {}) {
  const model = new AnalyticWorldModel();
  const p = new RecedingHorizonPlanner(model, {
    cem: { samples: 200, iterations: 8, topk: 10, horizon: 1, maxnorm: 0.075, seed: 1, ...over },
    warmStart: false,
    evaluatePlan: true,
    ...rest,
  });
  return { model, p };
}

describe("RecedingHorizonPlanner", () => {
  it("idles without goals and reports instead of throwing on bad observations", async () => {
    const { p } = planner();
    expect((await p.step({ embedding: E(0, 0, 0, 0), state: STATE, stamp: 1 })).status.code).toBe("idle");
    p.setGoals([{ embedding: E(0.02, 0, 0, 0), stepBudget: 3, energyThreshold: null, label: "g" }]);
    const bad = [
      [{ embedding: E(0, 0, 0, 0), state: [...STATE.slice(0, 6), Number.NaN], stamp: 1 }, /state\[6\] is NaN/],
      [{ embedding: E(0, 0, 0, 0), state: STATE.slice(0, 5), stamp: 1 }, /state has 5 values, expected 7/],
      [{ embedding: { data: new Float32Array(5), dims: [1, 5] }, state: STATE, stamp: 1 }, /embedding shape \[1, 5\], expected \[1, 2, 3\]/],
      [{ embedding: E(0, 0, 0, 0), state: [...STATE.slice(0, 6), 1.5], stamp: 1 }, /gripper closedness 1.5 outside \[0, 1\]/],
    ] as const;
    for (const [obs, msg] of bad) {
      const r = await p.step(obs);
      expect(r.status.code).toBe("invalid_observation");
      expect(r.status.message).toMatch(msg);
      expect(r.action).toBeNull();
    }
    expect(p.goals.stepsSpent).toBe(0); // bad frames do not spend the budget
  });

  it("plans towards the goal: the first action approaches the analytic minimum", async () => {
    const { p, model } = planner();
    // Gripper half closed and the goal's too: the gripper delta has a unique minimum at 0.
    p.setGoals([{ embedding: E(0.04, -0.03, 0.02, 0.5), stepBudget: 5, energyThreshold: null, label: "g" }]);
    const r = await p.step({ embedding: E(0, 0, 0, 0), state: [...STATE.slice(0, 6), 0.5], stamp: 1 });
    expect(r.status.code).toBe("planned");
    const a = r.action as number[];
    expect(a[0]).toBeCloseTo(0.04, 2);
    expect(a[1]).toBeCloseTo(-0.03, 2);
    expect(a[2]).toBeCloseTo(0.02, 2);
    expect(a.slice(3, 6)).toEqual([0, 0, 0]);
    expect(a[6]).toBe(0);
    // One batched call per iteration, plus one to evaluate the final plan.
    expect(model.calls).toEqual([...Array(8).fill({ samples: 200, horizon: 1 }), { samples: 1, horizon: 1 }]);
    expect(r.status.energyPerIteration).toHaveLength(8);
    expect(r.status.plannedEnergy as number).toBeLessThan(r.status.currentEnergy as number);
    expect(r.status.timings.modelCalls).toBe(9);
  });

  it("spends each goal's budget, then moves on, then reports done", async () => {
    const { p } = planner({ iterations: 1, samples: 20 });
    p.setGoals([
      { embedding: E(0.1, 0, 0, 0), stepBudget: 2, energyThreshold: null, label: "a" },
      { embedding: E(0, 0.1, 0, 0), stepBudget: 1, energyThreshold: null, label: "b" },
    ]);
    const obs = { embedding: E(0, 0, 0, 0), state: STATE, stamp: 1 };
    const codes = [];
    for (let i = 0; i < 4; i++) {
      const r = await p.step(obs);
      codes.push([r.status.code, r.status.goalIndex, r.status.goalsPassed.map((g) => g.outcome).join()]);
    }
    expect(codes).toEqual([
      ["planned", 0, ""],
      ["planned", 0, ""],
      ["planned", 1, "budget_exhausted"],
      ["done", 2, "budget_exhausted"],
    ]);
    expect(p.goals.traces.map((t) => [t.label, t.plannedEnergies.length, t.outcome])).toEqual([
      ["a", 2, "budget_exhausted"],
      ["b", 1, "budget_exhausted"],
    ]);
  });

  it("advances early when the frame's energy to the goal is below the threshold", async () => {
    const { p } = planner({ iterations: 1, samples: 20 });
    p.setGoals([
      { embedding: E(0.001, 0, 0, 0), stepBudget: 10, energyThreshold: 0.01, label: "near" },
      { embedding: E(0.5, 0, 0, 0), stepBudget: 10, energyThreshold: 0.01, label: "far" },
    ]);
    const r = await p.step({ embedding: E(0, 0, 0, 0), state: STATE, stamp: 1 });
    expect(r.status.goalsPassed).toEqual([{ index: 0, outcome: "reached" }]);
    expect(r.status.goalIndex).toBe(1);
    expect(r.status.currentEnergy).toBeCloseTo(0.5 / 6, 6); // mean |z − goal| over the 6 latent values
  });

  it("plans with the optimiser planner.optimizer names and counts its model evaluations", async () => {
    const goal = E(0.04, -0.03, 0.02, 0.5);
    const obs = { embedding: E(0, 0, 0, 0), state: [...STATE.slice(0, 6), 0.5], stamp: 1 };
    const cem = planner();
    cem.p.setGoals([{ embedding: goal, stepBudget: 5, energyThreshold: null, label: "g" }]);
    const c = await cem.p.step(obs);
    expect(c.status.timings.modelEvaluations).toBe(200 * 8 + 1);
    expect(evaluationsPerAction(cem.p["settings"])).toBe(200 * 8 + 1);

    const icem = planner({ samples: 200, iterations: 4 }, { optimizer: "icem" });
    icem.p.setGoals([{ embedding: goal, stepBudget: 5, energyThreshold: null, label: "g" }]);
    const i = await icem.p.step(obs);
    expect(i.status.code).toBe("planned");
    // Populations 200, 160, 128, 102 (+ the mean), then the plan's own evaluation.
    expect(icem.model.calls.map((x) => x.samples)).toEqual([200, 160, 128, 103, 1]);
    expect(i.status.timings.modelEvaluations).toBe(592);
    expect(evaluationsPerAction(icem.p["settings"])).toBe(592);
    const a = i.action as number[];
    expect(a[0]).toBeCloseTo(0.04, 1);
    expect(a[1]).toBeCloseTo(-0.03, 1);
    // H = 2: the elites of one step are shifted into the next step's first iteration.
    const h2 = planner({ samples: 100, iterations: 2, horizon: 2 }, { optimizer: "icem" });
    h2.p.setGoals([{ embedding: goal, stepBudget: 5, energyThreshold: null, label: "g" }]);
    await h2.p.step(obs);
    await h2.p.step(obs);
    expect(h2.model.calls.map((x) => x.samples)).toEqual([100, 81, 1, 103, 81, 1]);
  });

  it("is deterministic for a seed and varies the noise from step to step", async () => {
    const run = async () => {
      const { p } = planner({ iterations: 2, samples: 30 });
      p.setGoals([{ embedding: E(0.03, 0.01, 0, 0), stepBudget: 5, energyThreshold: null, label: "g" }]);
      const obs = { embedding: E(0, 0, 0, 0), state: STATE, stamp: 1 };
      return [(await p.step(obs)).action, (await p.step(obs)).action];
    };
    const [a1, a2] = await run();
    const [b1, b2] = await run();
    expect(b1).toEqual(a1);
    expect(b2).toEqual(a2);
    expect(a2).not.toEqual(a1);
  });

  it("reports a world-model failure as an error status", async () => {
    const { p, model } = planner();
    p.setGoals([{ embedding: E(0.03, 0, 0, 0), stepBudget: 5, energyThreshold: null, label: "g" }]);
    model.failNext = new Error("CUDA out of memory");
    const r = await p.step({ embedding: E(0, 0, 0, 0), state: STATE, stamp: 1 });
    expect(r.status.code).toBe("error");
    expect(r.status.message).toBe("planning failed: CUDA out of memory");
    expect(r.action).toBeNull();
    expect(p.goals.stepsSpent).toBe(0);
  });

  it("warm start begins where the last plan ended (one iteration is enough to stay on target)", async () => {
    const errorAfterTwoSteps = async (warmStart: boolean) => {
      const { p } = planner({ iterations: 1, samples: 50, topk: 5 }, { warmStart });
      p.setGoals([{ embedding: E(0.05, 0.05, -0.05, 0), stepBudget: 50, energyThreshold: null, label: "g" }]);
      let err = 0;
      for (let i = 0; i < 20; i++) {
        const a = (await p.step({ embedding: E(0, 0, 0, 0), state: STATE, stamp: 1 })).action as number[];
        if (i >= 10) err += Math.hypot(a[0] - 0.05, a[1] - 0.05, a[2] + 0.05);
      }
      return err / 10;
    };
    expect(await errorAfterTwoSteps(true)).toBeLessThan((await errorAfterTwoSteps(false)) / 2);
  });

  it("rejects goals of the wrong size and invalid budgets", () => {
    const { p } = planner();
    expect(() => p.setGoals([{ embedding: { data: new Float32Array(4), dims: [1, 2, 2] }, stepBudget: 1, energyThreshold: null, label: "x" }])).toThrow(
      /goal 0 \(x\): embedding shape \[1, 2, 2\], expected \[1, 2, 3\]/,
    );
    expect(() => p.setGoals([{ embedding: E(0, 0, 0, 0), stepBudget: 0, energyThreshold: null, label: "y" }])).toThrow(
      /goal 0 \(y\): step budget must be an integer ≥ 1, got 0/,
    );
  });
  describe("returnToBest", () => {
    // The goal's latent is x = 0.1; each observation's latent sets its energy, its state where it was taken.
    const at = (latentX: number, x: number, gripper = 0) => ({ embedding: E(latentX, 0, 0, 0), state: [x, 0, 0.3, Math.PI, 0, 0, gripper], stamp: 1 });
    const goal = (energyThreshold: number | null = null) => [{ embedding: E(0.1, 0, 0, 0), stepBudget: 3, energyThreshold, label: "g" }];

    it("moves back to the lowest-energy frame's state in steps of at most maxnorm once the last budget is spent", async () => {
      const { p } = planner({ iterations: 1, samples: 20 }, { returnToBest: true });
      p.setGoals(goal());
      for (const obs of [at(0, 0.4), at(0.09, 0.5, 0.2), at(0.2, 0.55)]) expect((await p.step(obs)).status.code).toBe("planned");
      expect(p.finished).toBe(false);
      // Budget spent; the best frame (energy 0.01/6) was taken at x = 0.5, gripper 0.2; the arm is at 0.6.
      const first = await p.step(at(0.3, 0.6, 1));
      expect(first.status.code).toBe("returning");
      expect(first.status.message).toMatch(
        /returning to the lowest-energy frame of the last goal \(energy 0\.001667 at planning step 1, 10\.0 cm away\), move 1/,
      );
      expect(first.action?.[0]).toBeCloseTo(-0.075, 12); // clipped to maxnorm
      expect(first.action?.slice(1, 6)).toEqual([0, 0, 0, 0, 0]);
      expect(first.action?.[6]).toBeCloseTo(-0.8, 12);
      expect(p.finished).toBe(false);
      const second = await p.step(at(0.3, 0.525, 0.2));
      expect(second.status.code).toBe("returning");
      expect(second.action?.[0]).toBeCloseTo(-0.025, 12);
      // Within 5 mm: done, and it stays done.
      expect((await p.step(at(0.1, 0.503, 0.2))).status.code).toBe("done");
      expect(p.finished).toBe(true);
      expect((await p.step(at(0.3, 0.6))).status.code).toBe("done");
    });

    it("does not return when the goal was reached by threshold, when it is off, or once the arm is at the best frame", async () => {
      const reached = planner({ iterations: 1, samples: 20 }, { returnToBest: true }).p;
      reached.setGoals(goal(0.01));
      await reached.step(at(0.3, 0.4));
      expect((await reached.step(at(0.1, 0.6))).status.code).toBe("done");

      const off = planner({ iterations: 1, samples: 20 }).p;
      off.setGoals(goal());
      for (const obs of [at(0, 0.4), at(0.09, 0.5), at(0.2, 0.55)]) await off.step(obs);
      expect((await off.step(at(0.3, 0.6))).status.code).toBe("done");
      expect(off.finished).toBe(true);

      const there = planner({ iterations: 1, samples: 20 }, { returnToBest: true }).p;
      there.setGoals(goal());
      for (const obs of [at(0, 0.4), at(0.2, 0.45), at(0.2, 0.55)]) await there.step(obs);
      expect((await there.step(at(0.09, 0.6))).status.code).toBe("done"); // the last frame is the best one
    });

    it("gives up after RETURN_MAX_MOVES moves when the arm does not get there", async () => {
      const { p } = planner({ iterations: 1, samples: 20 }, { returnToBest: true });
      p.setGoals(goal());
      for (const obs of [at(0.09, 0.5), at(0.2, 0.55), at(0.2, 0.55)]) await p.step(obs);
      const codes = [];
      for (let i = 0; i < RETURN_MAX_MOVES + 2; i++) codes.push((await p.step(at(0.3, 0.6))).status.code);
      expect(codes).toEqual([...Array(RETURN_MAX_MOVES).fill("returning"), "done", "done"]);
    });
  });
});
