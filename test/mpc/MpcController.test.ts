import { errorBackoff, MAX_ERROR_RETRIES, MpcController, type RobotInterface } from "../../src/mpc/MpcController";
import { RecedingHorizonPlanner, type Observation, type PlanStep } from "../../src/mpc/RecedingHorizonPlanner";
import { AnalyticWorldModel } from "../helpers/analyticWorldModel";

const E = AnalyticWorldModel.embedding;

function setup(budget = 3) {
  const model = new AnalyticWorldModel();
  const planner = new RecedingHorizonPlanner(model, { cem: { samples: 20, iterations: 2, topk: 4, seed: 3 }, warmStart: false, evaluatePlan: false });
  planner.setGoals([{ embedding: E(0.1, 0, 0, 0), stepBudget: budget, energyThreshold: null, label: "g" }]);
  return { model, planner };
}

/** A robot whose end-effector x moves by the commanded dx; settles unless told otherwise. */
class FakeRobot implements RobotInterface {
  x = 0;
  sent: number[][] = [];
  settleResults: boolean[] = [];
  observations: Array<Partial<Observation>> = [];
  async observe(): Promise<Observation> {
    const o = this.observations.shift() ?? {};
    return { embedding: E(this.x, 0, 0, 0), state: [this.x, 0, 0.3, 0, 0, 0, 0], stamp: 0, ...o };
  }
  async sendAction(a: readonly number[]): Promise<readonly number[]> {
    this.sent.push([...a]);
    this.x += a[0];
    return a;
  }
  async waitSettled(): Promise<boolean> {
    return this.settleResults.shift() ?? true;
  }
}

describe("MpcController blocking mode", () => {
  it("retries a failed step after a growing, bounded backoff, and gives up after MAX_ERROR_RETRIES in a row", async () => {
    expect([1, 2, 3, 4, 5, 6, 7].map(errorBackoff)).toEqual([0.5, 1, 2, 4, 8, 8, 8]);
    const { planner, model } = setup(3);
    const robot = new FakeRobot();
    const slept: number[] = [];
    const retries: number[] = [];
    const c = new MpcController(planner, { settleTimeout: 1, maxFrameAge: 1, clock: () => 0, sleep: async (s) => void slept.push(s) });
    // Two transient failures, then the model works again: the run goes on to the end of the budget.
    let failures = 2;
    const rollout = model.rolloutEnergy.bind(model);
    model.rolloutEnergy = async (...args) => {
      if (failures-- > 0) throw new Error("CUDA hiccup");
      return rollout(...args);
    };
    const steps = await c.runBlocking(robot, { maxSteps: 20, onRetry: (_s, attempt) => retries.push(attempt) });
    expect(steps.map((s) => s.step.status.code)).toEqual(["error", "error", "planned", "planned", "planned", "done"]);
    expect(slept).toEqual([0.5, 1]);
    expect(retries).toEqual([1, 2]);
    // A model that keeps failing: MAX_ERROR_RETRIES retries, then the loop ends.
    planner.setGoals([{ embedding: E(0.1, 0, 0, 0), stepBudget: 3, energyThreshold: null, label: "g" }]);
    model.rolloutEnergy = async () => {
      throw new Error("device lost");
    };
    slept.length = 0;
    const failed = await c.runBlocking(robot, { maxSteps: 20 });
    expect(failed).toHaveLength(MAX_ERROR_RETRIES + 1);
    expect(slept).toHaveLength(MAX_ERROR_RETRIES);
    expect(robot.sent).toHaveLength(3);
  });

  it("plans, executes and waits for each step until the goal's budget is spent", async () => {
    const { planner } = setup(3);
    const robot = new FakeRobot();
    robot.settleResults = [true, false, true];
    const c = new MpcController(planner, { settleTimeout: 1, maxFrameAge: 1, clock: () => 0 });
    const steps = await c.runBlocking(robot, { maxSteps: 10 });
    expect(steps.map((s) => s.step.status.code)).toEqual(["planned", "planned", "planned", "done"]);
    expect(robot.sent).toHaveLength(3);
    expect(steps.map((s) => s.settled)).toEqual([true, false, true, null]);
    expect(c.stats.settleTimeouts).toBe(1);
    expect(robot.x).toBeGreaterThan(0.05); // moved towards x = 0.1
  });

  it("executes return moves (returnToBest) and stops once the planner is done", async () => {
    const model = new AnalyticWorldModel();
    const planner = new RecedingHorizonPlanner(model, {
      cem: { samples: 20, iterations: 2, topk: 4, seed: 3 },
      warmStart: false,
      evaluatePlan: false,
      returnToBest: true,
    });
    planner.setGoals([{ embedding: E(0.1, 0, 0, 0), stepBudget: 2, energyThreshold: null, label: "g" }]);
    const robot = new FakeRobot();
    // The arm's latent says x = 0.1 (the goal) only on the first frame; later frames look worse.
    robot.x = 0.02;
    robot.observations = [{ embedding: E(0.1, 0, 0, 0) }, { embedding: E(0.3, 0, 0, 0) }, { embedding: E(0.3, 0, 0, 0) }];
    const c = new MpcController(planner, { settleTimeout: 1, maxFrameAge: 1, clock: () => 0 });
    const steps = await c.runBlocking(robot, { maxSteps: 10 });
    expect(steps.map((s) => s.step.status.code)).toEqual(["planned", "planned", "returning", "done"]);
    expect(robot.sent).toHaveLength(3);
    expect(robot.x).toBeCloseTo(0.02, 9); // back where the best frame was taken
  });

  it("stops at maxSteps and when asked to", async () => {
    const { planner } = setup(100);
    const c = new MpcController(planner, { settleTimeout: 1, maxFrameAge: 1, clock: () => 0 });
    expect(await c.runBlocking(new FakeRobot(), { maxSteps: 2 })).toHaveLength(2);
    let n = 0;
    expect(await c.runBlocking(new FakeRobot(), { maxSteps: 50, shouldStop: () => ++n > 3 })).toHaveLength(3);
  });

  it("skips an invalid observation without moving, and gives up after three in a row", async () => {
    const { planner } = setup(5);
    const robot = new FakeRobot();
    robot.observations = [{ state: [0, 0, 0, 0, 0, 0, Number.NaN] }, {}];
    const c = new MpcController(planner, { settleTimeout: 1, maxFrameAge: 1, clock: () => 0 });
    const steps = await c.runBlocking(robot, { maxSteps: 2 });
    expect(steps.map((s) => s.step.status.code)).toEqual(["invalid_observation", "planned"]);
    expect(robot.sent).toHaveLength(1);

    const robot2 = new FakeRobot();
    robot2.observations = Array(5).fill({ state: [0, 0, 0, 0, 0, 0, Number.NaN] });
    expect(await new MpcController(planner, { settleTimeout: 1, maxFrameAge: 1, clock: () => 0 }).runBlocking(robot2, { maxSteps: 10 })).toHaveLength(3);
  });
});

describe("MpcController streaming mode", () => {
  it("plans the newest frame, drops frames superseded while planning and frames that went stale", async () => {
    const { planner } = setup(100);
    let now = 10;
    const c = new MpcController(planner, { settleTimeout: 1, maxFrameAge: 0.5, clock: () => now });
    const planned: PlanStep[] = [];
    const frame = (stamp: number): Observation => ({ embedding: E(0, 0, 0, 0), state: [0, 0, 0.3, 0, 0, 0, 0], stamp });
    c.offerFrame(frame(10), (s) => planned.push(s)); // starts planning at once
    c.offerFrame(frame(10.1), (s) => planned.push(s)); // waits
    c.offerFrame(frame(10.2), (s) => planned.push(s)); // replaces 10.1
    await c.idle();
    expect(planned.map((p) => p.status.stamp)).toEqual([10, 10.2]);
    expect(c.stats).toMatchObject({ framesOffered: 3, framesPlanned: 2, droppedSuperseded: 1, droppedStale: 0 });

    now = 20;
    c.offerFrame(frame(19), (s) => planned.push(s)); // 1 s old > 0.5 s
    await c.idle();
    expect(planned).toHaveLength(2);
    expect(c.stats.droppedStale).toBe(1);
  });
});
