/**
 * The adapter registry: each name actuator.adapter / actuator.gripper_adapter accepts makes its adapter,
 * any other is refused naming the registered ones, and the registry and the parameters' choices are one list.
 */
import { defaultConfig } from "../../../src/config/configFile";
import { PARAMETERS } from "../../../src/config/parameters";
import { actuatorSettingsFrom, type ActuatorSettings, type PoseStampedMsg, type TwistStampedMsg } from "../../../src/nodes/actuator";
import type { AdapterContext, SentCounters } from "../../../src/nodes/adapters/CommandAdapter";
import { FrankaGripperAdapter } from "../../../src/nodes/adapters/frankaGripperAdapter";
import { GripperCommandAdapter } from "../../../src/nodes/adapters/gripperCommandAdapter";
import { NoGripperAdapter } from "../../../src/nodes/adapters/noGripperAdapter";
import { PoseTargetAdapter } from "../../../src/nodes/adapters/poseTargetAdapter";
import { COMMAND_ADAPTERS, createCommandAdapter, createGripperAdapter, GRIPPER_ADAPTERS } from "../../../src/nodes/adapters/registry";
import { TwistAdapter } from "../../../src/nodes/adapters/twistAdapter";
import { NODE_ACTIONS, NODE_TOPICS } from "../../../src/nodes/topics";
import { flush, simWorld } from "../../helpers/nodeFixtures";

const POSE = { position: [0.5, 0, 0.3] as [number, number, number], orientation: [1, 0, 0, 0] as [number, number, number, number] };
const AHEAD = { position: [0.52, 0, 0.3] as [number, number, number], orientation: [1, 0, 0, 0] as [number, number, number, number] };

function setup(over: Partial<ReturnType<typeof defaultConfig>["actuator"]> = {}) {
  const w = simWorld(0);
  const settings: ActuatorSettings = actuatorSettingsFrom({ ...defaultConfig().actuator, state_is_tcp: false, workspace_point: "flange", ...over });
  const sent: SentCounters = { poses: 0, twists: 0, gripperGoals: 0 };
  const context: AdapterContext = { transport: w.node("actuator"), settings: () => settings, sent };
  const op = w.node("operator");
  const poses: PoseStampedMsg[] = [];
  const twists: TwistStampedMsg[] = [];
  op.subscribe<PoseStampedMsg>("geometry_msgs/msg/PoseStamped", NODE_TOPICS.targetPose, "reliable", (m) => poses.push(m));
  op.subscribe<TwistStampedMsg>("geometry_msgs/msg/TwistStamped", NODE_TOPICS.twist, "reliable", (m) => twists.push(m));
  const goals: Array<[string, unknown]> = [];
  for (const [type, name] of [
    ["franka_msgs/action/Move", NODE_ACTIONS.gripperMove],
    ["franka_msgs/action/Grasp", NODE_ACTIONS.gripperGrasp],
    ["control_msgs/action/GripperCommand", NODE_ACTIONS.gripperCommand],
  ]) {
    op.actionServer(type, name, (g) => (goals.push([name, g]), {}));
  }
  return { context, sent, poses, twists, goals };
}

describe("adapter registry", () => {
  it("registers exactly the names the parameters accept (one list)", () => {
    expect(Object.keys(COMMAND_ADAPTERS).sort()).toEqual([...PARAMETERS.actuator.adapter.choices].sort());
    expect(Object.keys(GRIPPER_ADAPTERS).sort()).toEqual([...PARAMETERS.actuator.gripper_adapter.choices].sort());
  });

  it("refuses an unknown name, listing the registered ones", () => {
    const { context } = setup();
    expect(() => createCommandAdapter("joint_velocity", context)).toThrow(
      'actuator.adapter: no adapter is registered as "joint_velocity" (registered: pose_target, twist)',
    );
    expect(() => createGripperAdapter("robotiq", context)).toThrow(
      'actuator.gripper_adapter: no adapter is registered as "robotiq" (registered: franka, gripper_command, none)',
    );
    // Names that are properties of every object are no adapters either.
    expect(() => createCommandAdapter("toString", context)).toThrow(/registered: pose_target, twist/);
    expect(() => createGripperAdapter("__proto__", context)).toThrow(/registered: franka, gripper_command, none/);
  });

  it.each([
    ["pose_target", PoseTargetAdapter],
    ["twist", TwistAdapter],
  ] as const)("creates the %s command adapter by its name", (name, kind) => {
    expect(createCommandAdapter(name, setup().context)).toBeInstanceOf(kind);
  });

  it.each([
    ["franka", FrankaGripperAdapter, true],
    ["gripper_command", GripperCommandAdapter, true],
    ["none", NoGripperAdapter, false],
  ] as const)("creates the %s gripper adapter by its name", (name, kind, hasGripper) => {
    const a = createGripperAdapter(name, setup().context);
    expect(a).toBeInstanceOf(kind);
    expect(a.hasGripper).toBe(hasGripper);
  });
});

describe("command adapters", () => {
  it("pose_target publishes the streamed target, holds and stops silently", async () => {
    const s = setup();
    const a = createCommandAdapter("pose_target", s.context);
    a.send({ target: AHEAD, measured: POSE }, 1);
    a.hold(2);
    a.stop(3);
    await flush(2);
    expect(s.poses).toHaveLength(1);
    expect(s.poses[0].pose.position).toEqual({ x: 0.52, y: 0, z: 0.3 });
    expect(s.poses[0].header.frame_id).toBe("panda_link0");
    expect(s.twists).toHaveLength(0);
    expect(s.sent).toEqual({ poses: 1, twists: 0, gripperGoals: 0 });
  });

  it("twist moves towards the target, sends zero while held and once on stop", async () => {
    const s = setup();
    const a = createCommandAdapter("twist", s.context);
    a.stop(0); // nothing sent yet: nothing to stop
    a.send({ target: AHEAD, measured: POSE }, 1);
    a.hold(2);
    a.stop(3);
    await flush(2);
    expect(s.twists.map((m) => m.header.stamp.sec)).toEqual([1, 2, 3]);
    expect(s.twists[0].twist.linear.x).toBeGreaterThan(0);
    for (const m of s.twists.slice(1)) expect(m.twist).toEqual({ linear: { x: 0, y: 0, z: 0 }, angular: { x: 0, y: 0, z: 0 } });
    expect(s.poses).toHaveLength(0);
    expect(s.sent).toEqual({ poses: 0, twists: 3, gripperGoals: 0 });
  });
});

describe("gripper adapters", () => {
  it("franka grasps when closing and moves when opening", async () => {
    const s = setup();
    const a = createGripperAdapter("franka", s.context);
    expect(a.send(0.75, 0).action).toBe(NODE_ACTIONS.gripperGrasp);
    expect(a.send(0, 0.75).action).toBe(NODE_ACTIONS.gripperMove);
    await flush(2);
    expect(s.goals.map(([name]) => name)).toEqual([NODE_ACTIONS.gripperGrasp, NODE_ACTIONS.gripperMove]);
  });

  it("gripper_command sends control_msgs GripperCommand with the per-finger position", async () => {
    const s = setup();
    const a = createGripperAdapter("gripper_command", s.context);
    await a.send(0.5, null).result;
    expect(s.goals).toEqual([[NODE_ACTIONS.gripperCommand, { command: { position: 0.02, max_effort: 20 } }]]);
  });

  it("a goal that finds no server rejects its result", async () => {
    const s = setup();
    const t = s.context.transport;
    const lonely: AdapterContext = { ...s.context, transport: { ...t, sendGoal: () => Promise.reject(new Error("no action server")) } as typeof t };
    await expect(createGripperAdapter("gripper_command", lonely).send(1, null).result).rejects.toThrow("no action server");
  });
});
