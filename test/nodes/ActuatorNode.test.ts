import { defaultConfig } from "../../src/config/configFile";
import { computeNewPose, eulerXyzToQuaternion } from "../../src/pose/poseMath";
import { ACTUATOR_CODES, ActuatorNode, type ActuatorStatusMsg } from "../../src/nodes/ActuatorNode";
import { actuatorSettingsFrom, type PoseStampedMsg, type TwistStampedMsg } from "../../src/nodes/actuator";
import { endEffectorDeltaMsg, type EndEffectorDeltaMsg } from "../../src/nodes/messages";
import { SimulatedRobotNode } from "../../src/nodes/SimulatedRobotNode";
import { NODE_ACTIONS, NODE_SERVICES, NODE_TOPICS } from "../../src/nodes/topics";
import { flush, simWorld } from "../helpers/nodeFixtures";
import pino from "pino";
import { InProcessTransport } from "../../src/nodes/transport/InProcessTransport";

const START = [0.5, 0, 0.3, Math.PI, 0, 0, 0];

function setup(over: Record<string, unknown> = {}, robotOver: Partial<{ timeConstant: number; initial: number[]; absent: boolean }> = {}) {
  const w = simWorld(0);
  const a = { ...defaultConfig().actuator, state_is_tcp: false, workspace_point: "flange", ...over };
  const settings = actuatorSettingsFrom(a as ReturnType<typeof defaultConfig>["actuator"]);
  const node = new ActuatorNode(w.node("actuator"), { settings, settleTimeout: 5, statusEveryTicks: 10 });
  const robotT = w.node("robot");
  const robot = new SimulatedRobotNode(robotT, {
    initial: robotOver.initial ?? START,
    period: 0.01,
    timeConstant: robotOver.timeConstant ?? 0,
    frameId: "panda_link0",
    maxWidth: 0.08,
  });
  const op = w.node("operator");
  const targets: Array<{ t: number; msg: PoseStampedMsg }> = [];
  const twists: TwistStampedMsg[] = [];
  const statuses: ActuatorStatusMsg[] = [];
  op.subscribe<PoseStampedMsg>("geometry_msgs/msg/PoseStamped", NODE_TOPICS.targetPose, "reliable", (m) => targets.push({ t: w.clock.now(), msg: m }));
  op.subscribe<TwistStampedMsg>("geometry_msgs/msg/TwistStamped", NODE_TOPICS.twist, "reliable", (m) => twists.push(m));
  op.subscribe<ActuatorStatusMsg>("vjepa2_mpc_interfaces/msg/ActuatorStatus", NODE_TOPICS.actuatorStatus, "reliable", (m) => statuses.push(m));
  const plan = op.publisher<EndEffectorDeltaMsg>("vjepa2_mpc_interfaces/msg/EndEffectorDelta", NODE_TOPICS.plannedAction);
  node.start();
  if (!robotOver.absent) robot.start();
  /** Advances sim time in 5 ms steps, letting messages flow. */
  const run = async (seconds: number) => {
    const end = w.clock.now() + seconds;
    while (w.clock.now() < end - 1e-9) {
      w.clock.advanceTo(Math.min(end, w.clock.now() + 0.005));
      await flush(2);
    }
  };
  const send = (delta: number[]) => plan(endEffectorDeltaMsg(delta, w.clock.now(), "panda_link0"));
  return { ...w, actuator: node, robot, op, targets, twists, statuses, send, run, settings };
}

const position = (m: PoseStampedMsg) => [m.pose.position.x, m.pose.position.y, m.pose.position.z];

describe("ActuatorNode", () => {
  it("streams targets to computeNewPose(state, delta) within the speed limit and reports SETTLED", async () => {
    const s = setup();
    await s.run(0.1);
    const delta = [0.03, -0.02, 0.01, 0, 0, 0, 0];
    s.send(delta);
    await s.run(2);
    const want = computeNewPose(START, delta);
    const last = s.targets.at(-1)!.msg;
    position(last).forEach((v, i) => expect(v).toBeCloseTo(want[i], 6));
    for (let i = 1; i < s.targets.length; i++) {
      const step = Math.hypot(...position(s.targets[i].msg).map((v, k) => v - position(s.targets[i - 1].msg)[k]));
      expect(step).toBeLessThanOrEqual(s.settings.stream.maxLinearSpeed * s.settings.commandPeriod + 1e-9);
    }
    expect(s.statuses.some((m) => m.code === ACTUATOR_CODES.settled)).toBe(true);
    expect(s.actuator.lastStatus?.limits_applied).toEqual([]);
  });

  it("never commands a target outside the envelope, whatever the plans (randomised)", async () => {
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const s = setup({}, { initial: [0.75, 0.35, 0.6, Math.PI, 0, 0, 0] });
    await s.run(0.05);
    const box = s.settings.envelope.workspace;
    for (let k = 0; k < 60; k++) {
      const scale = k % 3 === 0 ? 1 : 0.1; // many plans far beyond the step limit
      const delta = [rnd() * scale, rnd() * scale, rnd() * scale, rnd() * 0.5, rnd() * 0.5, rnd() * 0.5, rnd()];
      if (k % 17 === 5) delta[1] = Number.NaN;
      const before = s.targets.length;
      const stateAtPlan = [...s.robot.state];
      s.send(delta);
      await s.run(0.3);
      for (const { msg } of s.targets.slice(before)) {
        const p = position(msg);
        p.forEach((v, i) => {
          // Inside the box (the robot starts inside; it may only approach the boundary)...
          expect(v).toBeGreaterThanOrEqual(box.min[i] - 1e-9);
          expect(v).toBeLessThanOrEqual(box.max[i] + 1e-9);
        });
        // ...and never further than one step from where the plan found the robot.
        expect(Math.hypot(p[0] - stateAtPlan[0], p[1] - stateAtPlan[1], p[2] - stateAtPlan[2])).toBeLessThanOrEqual(
          s.settings.envelope.maxStepTranslation + 1e-6,
        );
        const q = msg.pose.orientation;
        expect([q.x, q.y, q.z, q.w].every(Number.isFinite)).toBe(true);
      }
    }
    expect(s.statuses.some((m) => m.limits_applied.includes("step_translation"))).toBe(true);
    expect(s.statuses.some((m) => m.limits_applied.includes("workspace_box"))).toBe(true);
    expect(s.statuses.some((m) => m.limits_applied.includes("finite_input"))).toBe(true);
  });

  it("refuses NaN plans and holds", async () => {
    const s = setup();
    await s.run(0.05);
    s.send([Number.NaN, 0, 0, 0, 0, 0, 0]);
    await s.run(0.1);
    expect(s.actuator.lastStatus?.code).toBe(ACTUATOR_CODES.holding);
    expect(s.actuator.lastStatus?.message).toMatch(/plan refused: .*dx/);
    position(s.targets.at(-1)!.msg).forEach((v, i) => expect(v).toBeCloseTo(START[i], 9));
  });

  it("holds position when the robot state goes stale, and resumes when it returns", async () => {
    const s = setup();
    await s.run(0.05);
    await s.robot.stop(); // no more state
    s.send([0.05, 0, 0, 0, 0, 0, 0]);
    await s.run(1);
    expect(s.actuator.lastStatus?.code).toBe(ACTUATOR_CODES.holding);
    expect(s.actuator.lastStatus?.message).toMatch(/state/);
    expect(s.actuator.lastStatus?.state_fresh).toBe(false);
    const x = position(s.targets.at(-1)!.msg)[0];
    expect(x).toBeLessThan(START[0] + 1e-9 + s.settings.envelope.maxStepTranslation);
    const n = s.targets.length;
    await s.run(0.5);
    expect(s.targets.slice(n).every((t) => position(t.msg)[0] === x)).toBe(true); // frozen
  });

  it("stops a motion whose plan went stale", async () => {
    const s = setup({ plan_timeout: 0.2, max_linear_speed: 0.01 });
    await s.run(0.05);
    s.send([0.05, 0, 0, 0, 0, 0, 0]); // takes 5 s at 0.01 m/s
    await s.run(0.5);
    expect(s.actuator.lastStatus?.code).toBe(ACTUATOR_CODES.holding);
    expect(s.actuator.lastStatus?.message).toMatch(/plan/);
    const x = position(s.targets.at(-1)!.msg)[0];
    expect(x).toBeLessThan(START[0] + 0.01);
  });

  it("latches the e-stop until an explicit reset", async () => {
    const s = setup();
    await s.run(0.05);
    expect(await s.op.call("std_srvs/srv/Trigger", NODE_SERVICES.estop, {})).toMatchObject({ success: true });
    s.send([0.03, 0, 0, 0, 0, 0, 0]);
    await s.run(0.5);
    expect(s.actuator.lastStatus).toMatchObject({ code: ACTUATOR_CODES.estopped, estopped: true });
    position(s.targets.at(-1)!.msg).forEach((v, i) => expect(v).toBeCloseTo(START[i], 9));
    await s.run(1); // time alone does not release it
    expect(s.actuator.estopped).toBe(true);
    expect(await s.op.call("std_srvs/srv/Trigger", NODE_SERVICES.reset, {})).toMatchObject({ success: true, message: expect.stringMatching(/e-stop reset/) });
    s.send([0.03, 0, 0, 0, 0, 0, 0]);
    await s.run(1.5);
    expect(position(s.targets.at(-1)!.msg)[0]).toBeCloseTo(START[0] + 0.03, 6);
  });

  it("after an e-stop reset streams on from where the arm is, not from the pose commanded before", async () => {
    const s = setup({}, { absent: true });
    const pose = s.op.publisher<PoseStampedMsg>("geometry_msgs/msg/PoseStamped", NODE_TOPICS.eePose);
    const q = eulerXyzToQuaternion(Math.PI, 0, 0);
    const at = (x: number) =>
      pose({
        header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "panda_link0" },
        pose: { position: { x, y: 0, z: 0.3 }, orientation: { x: q[0], y: q[1], z: q[2], w: q[3] } },
      });
    const feed = async (x: number, seconds: number) => {
      for (let t = 0; t < seconds; t += 0.02) {
        at(x);
        await s.run(0.02);
      }
    };
    await feed(0.5, 0.2);
    await s.op.call("std_srvs/srv/Trigger", NODE_SERVICES.estop, {});
    await feed(0.6, 0.3); // moved by hand 10 cm while stopped
    await s.op.call("std_srvs/srv/Trigger", NODE_SERVICES.reset, {});
    const before = s.targets.length;
    s.send([0, 0, 0, 0, 0, 0, 0]);
    await feed(0.6, 0.3);
    const after = s.targets.slice(before).map((t) => position(t.msg)[0]);
    expect(after.length).toBeGreaterThan(0);
    // Before the fix the first command went back towards x = 0.5 (the old commanded pose).
    after.forEach((x) => expect(x).toBeCloseTo(0.6, 6));
  });

  it("says it has no target until the robot state arrives (not a target at the base origin)", async () => {
    const s = setup({}, { absent: true });
    await s.run(0.2);
    expect(s.actuator.lastStatus).toMatchObject({ code: ACTUATOR_CODES.holding, has_target: false });
    s.robot.start();
    await s.run(0.2);
    expect(s.actuator.lastStatus?.has_target).toBe(true);
    expect(position(s.actuator.lastStatus!.target)[2]).toBeGreaterThan(0.1);
  });

  it("sends gripper goals: Grasp when closing, Move when opening", async () => {
    const s = setup({}, { absent: true });
    const goals: Array<[string, unknown]> = [];
    const w2 = s.node("gripper-spy");
    w2.actionServer("franka_msgs/action/Grasp", NODE_ACTIONS.gripperGrasp, (g) => (goals.push(["grasp", g]), { success: true }));
    w2.actionServer("franka_msgs/action/Move", NODE_ACTIONS.gripperMove, (g) => (goals.push(["move", g]), { success: true }));
    const pose = s.op.publisher<PoseStampedMsg>("geometry_msgs/msg/PoseStamped", NODE_TOPICS.eePose);
    const grip = s.op.publisher<unknown>("sensor_msgs/msg/JointState", NODE_TOPICS.gripper);
    const q = eulerXyzToQuaternion(Math.PI, 0, 0);
    const feed = (g: number) => {
      pose({
        header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "panda_link0" },
        pose: { position: { x: 0.5, y: 0, z: 0.3 }, orientation: { x: q[0], y: q[1], z: q[2], w: q[3] } },
      });
      grip({ header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "" }, name: ["gripper"], position: [g], velocity: [], effort: [] });
    };
    feed(0);
    await s.run(0.02);
    s.send([0, 0, 0, 0, 0, 0, 0.75]);
    await s.run(0.02);
    feed(0.75);
    await s.run(0.02);
    s.send([0, 0, 0, 0, 0, 0, -0.75]);
    await s.run(0.02);
    expect(goals[0]).toEqual(["grasp", { width: 0.02, epsilon: { inner: 0.005, outer: 0.08 }, speed: 0.1, force: 20 }]);
    expect(goals[1][0]).toBe("move");
    expect((goals[1][1] as { width: number }).width).toBeCloseTo(0.08, 9);
  });

  it("twist adapter: fresh stamps every tick, zero while holding", async () => {
    const s = setup({ adapter: "twist" });
    await s.run(0.05);
    s.send([0.03, 0, 0, 0, 0, 0, 0]);
    await s.run(0.2);
    const stamps = s.twists.map((m) => m.header.stamp.sec + m.header.stamp.nanosec * 1e-9);
    expect(new Set(stamps).size).toBe(stamps.length);
    expect(s.twists.some((m) => m.twist.linear.x > 0)).toBe(true);
    await s.op.call("std_srvs/srv/Trigger", NODE_SERVICES.estop, {});
    await s.run(0.05);
    const t = s.twists.at(-1)!.twist;
    expect([t.linear.x, t.linear.y, t.linear.z, t.angular.x, t.angular.y, t.angular.z]).toEqual([0, 0, 0, 0, 0, 0]);
  });
});

describe("ActuatorNode hostile inputs (test/fuzz/nodeInputs regressions)", () => {
  it("holds on a stream of malformed plan messages instead of letting them feed the plan watchdog", async () => {
    const s = setup({ plan_timeout: 0.2, max_linear_speed: 0.01 });
    await s.run(0.05);
    s.send([0.05, 0, 0, 0, 0, 0, 0]); // 5 s at 0.01 m/s
    await s.run(0.1);
    const raw = s.op.publisher<unknown>("vjepa2_mpc_interfaces/msg/EndEffectorDelta", NODE_TOPICS.plannedAction);
    const bad = [
      null,
      { dx: 0.01 },
      { ...endEffectorDeltaMsg([0.05, 0, 0, 0, 0, 0, 0], 0, "b"), dy: "0" },
      { ...endEffectorDeltaMsg([0.05, 0, 0, 0, 0, 0, 0], 0, "b"), dx: Object.create(null) },
    ];
    for (let i = 0; i < 20; i++) {
      raw(bad[i % bad.length]);
      await s.run(0.1);
    }
    // Each one used to refresh the watchdog, then throw: the motion went on for the 2 s.
    expect(position(s.targets.at(-1)!.msg)[0]).toBeLessThan(START[0] + 0.002);
    expect(s.actuator.lastStatus).toMatchObject({ code: ACTUATOR_CODES.holding, plan_fresh: false });
    expect(s.actuator.lastStatus?.message).toMatch(
      /^plan refused: (the message is null, not an EndEffectorDelta|dy is missing, not a number|dy is the string "0", not a number|dx is an object, not a number); holding$/,
    );
    expect([s.actuator.lastStatus!.requested.dx, s.actuator.lastStatus!.requested.dy].some(Number.isNaN)).toBe(true); // numbers in the status, never a string
  });

  it("logs a gripper state it cannot use instead of dropping it silently", async () => {
    const w = simWorld(0);
    const lines: Array<{ msg: string; reason?: string }> = [];
    const t = new InProcessTransport(w.bus, "actuator", w.clock, pino({ level: "debug" }, { write: (l: string) => void lines.push(JSON.parse(l)) }));
    const settings = actuatorSettingsFrom({ ...defaultConfig().actuator, state_is_tcp: false });
    const node = new ActuatorNode(t, { settings, settleTimeout: 5, statusEveryTicks: 10 });
    node.start();
    const grip = w.node("operator").publisher<unknown>("sensor_msgs/msg/JointState", NODE_TOPICS.gripper);
    grip({ header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "" }, name: ["fr3_joint1"], position: [0.1], velocity: [], effort: [] });
    grip({ header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "" }, name: null, position: [0.1], velocity: [], effort: [] }); // threw before
    await flush();
    expect(lines.filter((l) => l.msg === "ignoring gripper state").map((l) => l.reason)).toEqual([
      "no usable gripper joint (a 'gripper' joint or finger joints with finite positions)",
      "name is null, not an array of strings",
    ]);
    await node.stop();
  });

  it("refuses a robot pose whose orientation is no unit quaternion (a zero one was streamed back as the target)", async () => {
    const s = setup({}, { absent: true });
    const pose = s.op.publisher<unknown>("geometry_msgs/msg/PoseStamped", NODE_TOPICS.eePose);
    const at = (q: { x: number; y: number; z: number; w: number }) =>
      pose({ header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "" }, pose: { position: { x: 0.5, y: 0, z: 0.3 }, orientation: q } });
    at({ x: 0, y: 0, z: 0, w: 0 });
    await s.run(0.05);
    at({ x: 0, y: 0, z: 0, w: 2 });
    await s.run(0.05);
    expect(s.targets).toHaveLength(0);
    expect(s.actuator.lastStatus?.has_target).toBe(false);
    at({ x: 1.001, y: 0, z: 0, w: 0 }); // within tf2's tolerance: normalised
    await s.run(0.05);
    expect(s.targets.length).toBeGreaterThan(0);
    for (const { msg } of s.targets) {
      const q = msg.pose.orientation;
      expect(Math.hypot(q.x, q.y, q.z, q.w)).toBeCloseTo(1, 12);
    }
  });
});
