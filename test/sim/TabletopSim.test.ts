import { computeNewPose, posesToDiff } from "../../src/pose/poseMath";
import { DEFAULT_SIM_CONFIG } from "../../src/sim/simConfig";
import { TabletopSim, type SimGoal } from "../../src/sim/TabletopSim";

const DOWN = [Math.PI, 0, 0];

function imagesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

describe("TabletopSim: reset and determinism", () => {
  it("gives identical scenes, goals and steps for the same seed, and different ones for another seed", () => {
    const run = (seed: number) => {
      const sim = new TabletopSim({ size: 32 });
      const r = sim.reset(seed, "pick_place");
      const steps = [
        [0.05, -0.03, 0.02, 0, 0, 0, 0.6],
        [-0.02, 0.04, -0.05, 0, 0, 0, -0.6],
      ].map((a) => sim.step(a));
      return { r, steps };
    };
    const a = run(11);
    const b = run(11);
    expect(b.r.state).toEqual(a.r.state);
    expect(imagesEqual(b.r.image.data, a.r.image.data)).toBe(true);
    expect(b.r.goals.map((g) => g.pose)).toEqual(a.r.goals.map((g) => g.pose));
    b.r.goals.forEach((g, i) => expect(imagesEqual(g.image!.data, a.r.goals[i].image!.data)).toBe(true));
    b.steps.forEach((s, i) => {
      expect(s.state).toEqual(a.steps[i].state);
      expect(imagesEqual(s.image.data, a.steps[i].image.data)).toBe(true);
    });
    expect(run(12).r.state).not.toEqual(a.r.state);
  });

  it("starts inside the workspace, pointing down, open", () => {
    const sim = new TabletopSim({ size: 16 });
    const ws = DEFAULT_SIM_CONFIG.workspace;
    for (let seed = 0; seed < 50; seed++) {
      const { state, goals } = sim.reset(seed, "reach", { renderGoals: false });
      for (const p of [state, goals[0].pose]) {
        for (let i = 0; i < 3; i++) {
          expect(p[i]).toBeGreaterThanOrEqual(ws.min[i]);
          expect(p[i]).toBeLessThanOrEqual(ws.max[i]);
        }
        expect(p.slice(3, 6)).toEqual(DOWN);
      }
      expect(state[6]).toBe(0);
    }
  });

  it("rejects a step before reset and malformed actions, leaving the state unchanged", () => {
    const sim = new TabletopSim({ size: 16 });
    expect(() => sim.step([0, 0, 0, 0, 0, 0, 0])).toThrow("before reset");
    sim.reset(1);
    const before = sim.state;
    expect(() => sim.step([0, 0, NaN, 0, 0, 0, 0])).toThrow("action[2] must be a finite number");
    expect(() => sim.step([0, 0, 0])).toThrow("length 7");
    expect(sim.state).toEqual(before);
  });
});

describe("TabletopSim: stepping", () => {
  it("advances with computeNewPose and holds the orientation down", () => {
    const sim = new TabletopSim({ size: 16 });
    sim.reset(3, "reach", { eePosition: [0.5, 0, 0.2] });
    const actions = [
      [0.03, -0.02, 0.01, 0, 0, 0, 0.3],
      [-0.05, 0.07, -0.04, 0, 0, 0, 0.4],
      [0.01, 0.0, 0.06, 0.1, -0.05, 0.2, -1],
    ];
    for (const a of actions) {
      const before = sim.state;
      const r = sim.step(a);
      const expected = computeNewPose(before, a);
      expect(r.clamped).toBe(false);
      expect(r.state.slice(0, 3)).toEqual(expected.slice(0, 3));
      expect(r.state[6]).toBe(expected[6]);
      expect(r.state.slice(3, 6)).toEqual(DOWN);
    }
  });

  it("applies rotations exactly as computeNewPose when the orientation is not locked", () => {
    const sim = new TabletopSim({ size: 16, config: { ...DEFAULT_SIM_CONFIG, lockOrientation: false } });
    sim.reset(3, "reach", { eePosition: [0.5, 0, 0.2] });
    const before = sim.state;
    const a = [0.01, 0.02, -0.01, 0.05, -0.1, 0.3, 0.2];
    expect(sim.step(a).state).toEqual(computeNewPose(before, a));
    // And the recorded action recovers the command.
    const back = posesToDiff(before, sim.state);
    back.forEach((v, i) => expect(v).toBeCloseTo(a[i], 12));
  });

  it("clamps the position to the workspace box and says so", () => {
    const sim = new TabletopSim({ size: 16 });
    const ws = DEFAULT_SIM_CONFIG.workspace;
    sim.reset(4, "reach", { eePosition: [0.6, 0.15, 0.3] });
    const r = sim.step([0.5, 0.5, 0.5, 0, 0, 0, 0]);
    expect(r.clamped).toBe(true);
    expect(r.state.slice(0, 3)).toEqual([...ws.max]);
    const s = sim.step([-1, -1, -1, 0, 0, 0, 0]);
    expect(s.state.slice(0, 3)).toEqual([...ws.min]);
    expect(sim.step([0.01, 0.01, 0.01, 0, 0, 0, 0]).clamped).toBe(false);
    // Gripper closedness is clipped to [0, 1].
    expect(sim.step([0, 0, 0, 0, 0, 0, 5]).state[6]).toBe(1);
    expect(sim.step([0, 0, 0, 0, 0, 0, -5]).state[6]).toBe(0);
  });
});

describe("TabletopSim: grasp, carry, drop", () => {
  const cubeXY = [0.5, 0.05] as const;
  const half = DEFAULT_SIM_CONFIG.cubeSize / 2;

  function atCube(sim: TabletopSim, z: number, dx = 0): void {
    sim.reset(5, "pick_place", { cubeXY, eePosition: [cubeXY[0] + dx, cubeXY[1], z], renderGoals: false });
  }

  it("grasps when closing around the cube, carries it, and drops it onto the table when opening", () => {
    const sim = new TabletopSim({ size: 16 });
    atCube(sim, sim.graspHeight, 0.01);
    expect(sim.fingersAroundCube()).toBe(true);
    const close = sim.step([0, 0, 0, 0, 0, 0, 1]);
    expect(close.grasped).toBe(true);
    expect(sim.cubeHeld).toBe(true);
    // Centred between the fingers.
    expect(sim.cubePosition[0]).toBeCloseTo(sim.state[0], 12);
    sim.step([0, 0, 0.075, 0, 0, 0, 0]);
    sim.step([0.05, -0.06, 0.05, 0, 0, 0, 0]);
    const ee = sim.state;
    expect(sim.cubePosition).toEqual([ee[0], ee[1], ee[2] - (sim.graspHeight - half)]);
    // Partly opening but staying above 0.5 keeps it.
    sim.step([0, 0, 0, 0, 0, 0, -0.4]);
    expect(sim.cubeHeld).toBe(true);
    const open = sim.step([0, 0, 0, 0, 0, 0, -0.6]);
    expect(open.released).toBe(true);
    expect(sim.cubeHeld).toBe(false);
    expect(sim.cubePosition).toEqual([ee[0], ee[1], half]);
    // Moving away leaves it there.
    sim.step([0.05, 0.05, 0.05, 0, 0, 0, 0]);
    expect(sim.cubePosition).toEqual([ee[0], ee[1], half]);
  });

  it("does not grasp when closing too high, too far to the side, or when already closed", () => {
    const sim = new TabletopSim({ size: 16 });
    atCube(sim, sim.graspHeight + 0.04);
    expect(sim.step([0, 0, 0, 0, 0, 0, 1]).grasped).toBe(false);
    atCube(sim, sim.graspHeight, 0.04);
    expect(sim.step([0, 0, 0, 0, 0, 0, 1]).grasped).toBe(false);
    // Closed above the cube, then descending onto it: no grasp (the closed gripper passes through).
    atCube(sim, 0.2);
    sim.step([0, 0, 0, 0, 0, 0, 1]);
    sim.step([0, 0, -0.075, 0, 0, 0, 0]);
    sim.step([0, 0, -0.075, 0, 0, 0, 0]);
    expect(sim.cubeHeld).toBe(false);
    expect(sim.cubePosition).toEqual([cubeXY[0], cubeXY[1], half]);
  });

  it("succeeds at pick_place only with the cube released near the place location", () => {
    const sim = new TabletopSim({ size: 16 });
    sim.reset(6, "pick_place", { cubeXY, placeXY: [0.4, -0.1], eePosition: [cubeXY[0], cubeXY[1], sim.graspHeight], renderGoals: false });
    expect(sim.success()).toBe(false);
    sim.step([0, 0, 0, 0, 0, 0, 1]);
    for (let i = 0; i < 6 && Math.hypot(sim.state[0] - 0.4, sim.state[1] + 0.1) > 1e-9; i++) {
      const s = sim.state;
      sim.step([Math.max(-0.075, Math.min(0.075, 0.4 - s[0])), Math.max(-0.075, Math.min(0.075, -0.1 - s[1])), 0, 0, 0, 0, 0]);
    }
    expect(sim.cubeHeld).toBe(true);
    expect(sim.success()).toBe(false); // still held
    sim.step([0, 0, 0, 0, 0, 0, -1]);
    expect(sim.success()).toBe(true);
  });

  it("succeeds at reach within 2 cm of the goal", () => {
    const sim = new TabletopSim({ size: 16 });
    const r = sim.reset(8, "reach", { renderGoals: false });
    expect(sim.success()).toBe(false);
    const goal = r.goals[0].pose;
    const off = [goal[0] + 0.015, goal[1], goal[2]];
    for (let i = 0; i < 20; i++) {
      const s = sim.state;
      sim.step([0, 1, 2].map((a) => Math.max(-0.075, Math.min(0.075, off[a] - s[a]))).concat([0, 0, 0, 0]));
    }
    expect(sim.goalDistance(0)).toBeCloseTo(0.015, 9);
    expect(sim.success()).toBe(true);
    sim.step([0.01, 0, 0, 0, 0, 0, 0]);
    expect(sim.success()).toBe(false);
  });
});

describe("TabletopSim: two views", () => {
  it("renders the first camera's image and the second camera's side by side, in every image it returns", () => {
    const one = new TabletopSim({ size: 32 });
    const two = new TabletopSim({ size: 32, views: 2 });
    expect([one.views, two.views, two.size]).toEqual([1, 2, 32]);
    const a = one.reset(5, "pick_place", { pickPlaceGoals: "staged" });
    const b = two.reset(5, "pick_place", { pickPlaceGoals: "staged" });
    expect(b.state).toEqual(a.state);
    const left = (img: { data: Uint8Array }, v: number) => {
      const out = new Uint8Array(32 * 32 * 3);
      for (let y = 0; y < 32; y++) out.set(img.data.subarray((y * 64 + v * 32) * 3, (y * 64 + (v + 1) * 32) * 3), y * 32 * 3);
      return out;
    };
    for (const [x, y] of [[a.image, b.image], ...a.goals.map((g, i) => [g.image!, b.goals[i].image!])]) {
      expect([y.width, y.height]).toEqual([64, 32]);
      expect(imagesEqual(left(y, 0), x.data)).toBe(true);
      expect(imagesEqual(left(y, 1), x.data)).toBe(false);
    }
    const action = [0.03, -0.02, 0.01, 0, 0, 0, 0];
    const [sa, sb] = [one.step(action), two.step(action)];
    expect(imagesEqual(left(sb.image, 0), sa.image.data)).toBe(true);
    // The right half is the second camera's render.
    const mirror = new TabletopSim({ size: 32, config: { ...DEFAULT_SIM_CONFIG, camera: DEFAULT_SIM_CONFIG.secondCamera } });
    const scene = two.scene();
    expect(imagesEqual(left(two.render(scene), 1), mirror.render(scene).data)).toBe(true);
    expect(two.step(action, false).image.width).toBe(64);
  });

  it("refuses other view counts", () => {
    expect(() => new TabletopSim({ views: 3 })).toThrow(/sim views must be 1 or 2/);
    expect(() => new TabletopSim({ views: 0 })).toThrow(/sim views must be 1 or 2/);
  });
});

describe("TabletopSim: goals", () => {
  it("reach goal images equal a render of the goal pose with the cube where it is", () => {
    const sim = new TabletopSim({ size: 64 });
    for (const seed of [0, 1, 2]) {
      const r = sim.reset(seed, "reach");
      const goal = r.goals[0];
      const again = sim.render({ ee: goal.pose, cube: sim.cubePosition, cubeHeld: false });
      expect(imagesEqual(goal.image!.data, again.data)).toBe(true);
      expect(imagesEqual(goal.image!.data, r.image.data)).toBe(false);
      // Driving there reproduces the goal image (up to last-bit differences of the pose).
      sim.step(posesToDiff(r.state, goal.pose));
      const obs = sim.observe();
      let diff = 0;
      obs.image.data.forEach((v, i) => (diff += Math.abs(v - goal.image!.data[i])));
      expect(diff / obs.image.data.length).toBeLessThan(0.01);
    }
  });

  it("reach sub-goals lie evenly on the line to the same goal, at most the spacing apart; success counts the goal only", () => {
    const sim = new TabletopSim({ size: 16 });
    for (const seed of [0, 1, 2, 3]) {
      const plain = sim.reset(seed, "reach", { renderGoals: false });
      const r = sim.reset(seed, "reach", { approachSubgoalSpacing: 0.05 });
      const goal = plain.goals[0].pose;
      expect(r.goals.at(-1)?.pose).toEqual(goal); // the draw is unchanged
      expect(r.goals.at(-1)?.label).toBe("reach");
      const start = r.state.slice(0, 3);
      const distance = Math.hypot(goal[0] - start[0], goal[1] - start[1], goal[2] - start[2]);
      const n = r.goals.length - 1;
      expect(n).toBe(Math.ceil(distance / 0.05) - 1);
      const points = [start, ...r.goals.map((g) => g.pose.slice(0, 3))];
      for (let i = 1; i < points.length; i++) {
        const leg = Math.hypot(points[i][0] - points[i - 1][0], points[i][1] - points[i - 1][1], points[i][2] - points[i - 1][2]);
        expect(leg).toBeCloseTo(distance / (n + 1), 9);
        expect(leg).toBeLessThanOrEqual(0.05 + 1e-12);
      }
      r.goals.forEach((g, i) => {
        expect(g.label).toBe(i === n ? "reach" : `sub-goal ${i + 1}/${n}`);
        expect(g.pose.slice(3)).toEqual(goal.slice(3));
        expect(imagesEqual(g.image!.data, sim.render({ ee: g.pose, cube: sim.cubePosition, cubeHeld: false }).data)).toBe(true);
      });
      // Standing on the first sub-goal is not success; the goal is.
      sim.step(posesToDiff(sim.state, r.goals[0].pose));
      expect(sim.success()).toBe(false);
      expect(sim.distanceToTarget()).toBeCloseTo(sim.goalDistance(n), 12);
      expect(sim.distanceToTarget()).toBeGreaterThan(0.02);
      sim.step(posesToDiff(sim.state, goal));
      expect(sim.success()).toBe(true);
      expect(sim.distanceToTarget()).toBeLessThan(1e-6);
    }
    expect(sim.reset(0, "reach", { approachSubgoalSpacing: 10 }).goals).toHaveLength(1);
    expect(sim.reset(0, "reach", { approachSubgoalSpacing: 0 }).goals).toHaveLength(1);
    expect(() => sim.reset(0, "reach", { approachSubgoalSpacing: -0.1 })).toThrow(/approach sub-goal spacing must be a finite number ≥ 0 \(m\), got -0.1/);
    expect(() => sim.reset(0, "pick_place", { approachSubgoalSpacing: Number.NaN })).toThrow(
      /approach sub-goal spacing must be a finite number ≥ 0 \(m\), got NaN/,
    );
  });

  it("pick_place approach sub-goals lie on the line to the grasp, gripper open, before grasp, lift and place", () => {
    const sim = new TabletopSim({ size: 16 });
    const plain = sim.reset(4, "pick_place", { renderGoals: false });
    const r = sim.reset(4, "pick_place", { approachSubgoalSpacing: 0.05 });
    const grasp = plain.goals[0].pose;
    const start = r.state.slice(0, 3);
    const distance = Math.hypot(grasp[0] - start[0], grasp[1] - start[1], grasp[2] - start[2]);
    const n = Math.ceil(distance / 0.05) - 1;
    expect(n).toBeGreaterThan(0);
    expect(r.goals.map((g) => g.label)).toEqual([...Array.from({ length: n }, (_, i) => `approach ${i + 1}/${n}`), "grasp", "lift", "place"]);
    expect(r.goals.slice(n).map((g) => g.pose)).toEqual(plain.goals.map((g) => g.pose));
    expect([r.approachSubgoals, plain.approachSubgoals]).toEqual([n, 0]);
    r.goals.slice(0, n).forEach((g, i) => {
      const f = (i + 1) / (n + 1);
      for (let a = 0; a < 3; a++) expect(g.pose[a]).toBeCloseTo(start[a] + f * (grasp[a] - start[a]), 12);
      expect(g.pose[6]).toBe(0);
      expect(g.cubeHeld).toBe(false);
      expect(g.cube).toEqual(plain.goals[0].cube);
      expect(g.subgoal).toBe("approach");
    });
  });

  it("pick_place has grasp → lift → place sub-goals with their poses", () => {
    const sim = new TabletopSim({ size: 32 });
    const r = sim.reset(9, "pick_place");
    expect(r.goals.map((g) => g.label)).toEqual(["grasp", "lift", "place"]);
    const cube = sim.cubePosition;
    const place = sim.placeTarget;
    const [grasp, lift, placeGoal] = r.goals;
    expect(grasp.pose.slice(0, 3)).toEqual([cube[0], cube[1], sim.graspHeight]);
    expect(grasp.pose[6]).toBe(0);
    expect(lift.pose.slice(0, 3)).toEqual([cube[0], cube[1], sim.liftHeight]);
    expect(lift.pose[6]).toBe(1);
    expect(lift.cubeHeld).toBe(true);
    expect(placeGoal.pose.slice(0, 2)).toEqual(place);
    expect(placeGoal.cube).toEqual([place[0], place[1], DEFAULT_SIM_CONFIG.cubeSize / 2]);
    expect(Math.hypot(place[0] - cube[0], place[1] - cube[1])).toBeGreaterThanOrEqual(0.1);
    // The grasp goal is reachable by the grasp model.
    expect(sim.fingersAroundCube(grasp.pose)).toBe(true);
    for (const g of r.goals) expect(g.image!.data.length).toBe(32 * 32 * 3);
  });

  it("pick_place adds carry (held above the target), or close and set down (held on the table at the target), on request", () => {
    const paper = new TabletopSim({ size: 32 }).reset(9, "pick_place");
    const sim = new TabletopSim({ size: 32 });
    const withCarry = sim.reset(9, "pick_place", { pickPlaceGoals: "carry" });
    expect(withCarry.goals.map((g) => g.label)).toEqual(["grasp", "lift", "carry", "place"]);
    const carry = withCarry.goals[2];
    const r = sim.reset(9, "pick_place", { pickPlaceGoals: "staged" });
    expect(r.goals.map((g) => g.label)).toEqual(["grasp", "close", "lift", "set down", "place"]);
    const [grasp, close, lift, setDown, place] = r.goals;
    // The paper's three are unchanged, images included.
    expect([grasp, lift, place]).toEqual(paper.goals);
    const cube = sim.cubePosition;
    const target = sim.placeTarget;
    expect(close).toMatchObject({ pose: [...grasp.pose.slice(0, 6), 1], cube, cubeHeld: true });
    expect(carry.pose).toEqual([target[0], target[1], sim.liftHeight, ...lift.pose.slice(3)]);
    expect(carry.cube).toEqual([target[0], target[1], lift.cube[2]]);
    expect(carry.cubeHeld).toBe(true);
    expect(setDown).toMatchObject({ pose: [target[0], target[1], sim.graspHeight, ...lift.pose.slice(3)], cube: place.cube, cubeHeld: true });
    // Each new image differs from its neighbours (closed fingers; the cube moved).
    const differ = (a: SimGoal, b: SimGoal) => a.image!.data.some((v, i) => v !== b.image!.data[i]);
    expect(differ(grasp, close) && differ(close, lift) && differ(lift, setDown) && differ(setDown, place)).toBe(true);
    expect(differ(lift, carry) && differ(carry, place)).toBe(true);
    // The episode draws the same start, cube and target either way; the success test is the same.
    expect(r.state).toEqual(paper.state);
    expect(() => sim.reset(9, "pick_place", { pickPlaceGoals: "five" as never })).toThrow(
      /unknown pick_place goals 'five' \(expected one of paper, carry, staged\)/,
    );
  });

  it("pick_place carry sub-goals hold the cube at lift height on the line to above the target, right after lift", () => {
    const sim = new TabletopSim({ size: 16 });
    for (const [seed, goals] of [
      [9, "staged"],
      [4, "paper"],
      [11, "carry"],
    ] as const) {
      const plain = sim.reset(seed, "pick_place", { pickPlaceGoals: goals });
      const r = sim.reset(seed, "pick_place", { pickPlaceGoals: goals, carrySubgoalSpacing: 0.03 });
      const cube = sim.cubePosition;
      const target = sim.placeTarget;
      const lift = sim.liftHeight;
      const carry = Math.hypot(target[0] - cube[0], target[1] - cube[1]);
      const n = Math.ceil(carry / 0.03) - 1;
      expect(n).toBeGreaterThan(1);
      const at = plain.goals.findIndex((g) => g.label === "lift") + 1;
      expect(r.goals.map((g) => g.label)).toEqual([
        ...plain.goals.slice(0, at).map((g) => g.label),
        ...Array.from({ length: n }, (_, i) => `carry ${i + 1}/${n}`),
        ...plain.goals.slice(at).map((g) => g.label),
      ]);
      // The task's own goals are unchanged, images included, and marked as such.
      expect(r.goals.filter((g) => g.subgoal === null)).toEqual(plain.goals);
      expect(plain.goals.every((g) => g.subgoal === null)).toBe(true);
      const liftGoal = r.goals[at - 1];
      r.goals.slice(at, at + n).forEach((g, i) => {
        const f = (i + 1) / (n + 1);
        expect(g.subgoal).toBe("carry");
        expect(g.pose[0]).toBeCloseTo(cube[0] + f * (target[0] - cube[0]), 12);
        expect(g.pose[1]).toBeCloseTo(cube[1] + f * (target[1] - cube[1]), 12);
        expect(g.pose[2]).toBe(lift);
        expect(g.pose.slice(3)).toEqual(liftGoal.pose.slice(3)); // gripper closed, orientation as lift's
        expect(g.cubeHeld).toBe(true);
        expect(g.cube).toEqual([g.pose[0], g.pose[1], liftGoal.cube[2]]);
        expect(imagesEqual(g.image!.data, sim.render({ ee: g.pose, cube: g.cube, cubeHeld: true }).data)).toBe(true);
      });
      expect(r.state).toEqual(plain.state);
    }
    // A carry no longer than the spacing gets none; reach ignores the option.
    expect(sim.reset(9, "pick_place", { carrySubgoalSpacing: 10 }).goals.map((g) => g.label)).toEqual(["grasp", "lift", "place"]);
    expect(sim.reset(9, "reach", { carrySubgoalSpacing: 0.01 }).goals).toHaveLength(1);
    expect(() => sim.reset(9, "pick_place", { carrySubgoalSpacing: -1 })).toThrow(/carry sub-goal spacing must be a finite number ≥ 0 \(m\), got -1/);
    expect(() => sim.reset(9, "pick_place", { carrySubgoalSpacing: Number.POSITIVE_INFINITY })).toThrow(/carry sub-goal spacing must be a finite number ≥ 0/);
  });
});
