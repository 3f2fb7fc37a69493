import { defaultConfig } from "../../../src/config/configFile";
import { actuatorSettingsFrom } from "../../../src/nodes/actuator/actuatorSettings";
import { angleBetween, distance, quatFromEuler } from "../../../src/nodes/actuator/rigidPose";
import { flangeToTcp, tcpToFlange } from "../../../src/nodes/actuator/tcpFlange";
import { TargetStreamer, nextStreamTarget, type StreamLimits } from "../../../src/nodes/actuator/targetStreamer";
import { expectPoseClose, pose } from "./helpers";

const limits: StreamLimits = { maxLinearSpeed: 0.1, maxAngularSpeed: 0.5, maxLinearAcceleration: 0.5, maxAngularAcceleration: 2.5 };

function run(streamer: TargetStreamer, dt: number, maxTicks: number) {
  const out = [];
  for (let i = 0; i < maxTicks; i++) {
    const s = streamer.tick(dt)!;
    out.push(s);
    if (s.reached) break;
  }
  return out;
}

describe("target streamer", () => {
  it("ramps a large jump within the speed and acceleration limits, on a straight line, and arrives at rest", () => {
    const start = pose(0.5, 0, 0.4, Math.PI, 0, 0);
    const goal = pose(0.575, 0.0, 0.4, Math.PI, 0, 0);
    const s = new TargetStreamer(limits);
    s.start(start);
    s.setGoal(goal);
    const dt = 0.01;
    const steps = run(s, dt, 10000);
    expect(steps[steps.length - 1].reached).toBe(true);
    expectPoseClose(s.commanded!, goal, 15);
    let prev = start;
    let prevSpeed = 0;
    for (const st of steps) {
      const v = distance(prev.position, st.pose.position) / dt;
      expect(v).toBeLessThanOrEqual(0.1 + 1e-12);
      if (!st.reached) expect(Math.abs(v - prevSpeed)).toBeLessThanOrEqual(0.5 * dt + 1e-9);
      else expect(v).toBeLessThanOrEqual(0.5 * dt + 1e-9); // arrives at the lowest speed step
      expect(st.pose.position[1]).toBe(0); // straight line along x
      prev = st.pose;
      prevSpeed = v;
    }
    // 0.075 m at 0.1 m/s with 0.2 s ramps: ~0.95 s
    expect(steps.length * dt).toBeGreaterThan(0.9);
    expect(steps.length * dt).toBeLessThan(1.1);
    expect(s.moving).toBe(false);
  });

  it("moves translation and rotation together, rotation bounded by the angular speed", () => {
    const start = pose(0.5, 0, 0.4, Math.PI, 0, 0);
    const goal = pose(0.5, 0.001, 0.4, Math.PI, 0, 0.5); // rotation dominates
    const s = new TargetStreamer(limits);
    s.start(start);
    s.setGoal(goal);
    const dt = 0.002;
    let prev = start;
    const steps = run(s, dt, 100000);
    for (const st of steps) {
      expect(angleBetween(prev.orientation, st.pose.orientation) / dt).toBeLessThanOrEqual(0.5 + 1e-9);
      // same fraction on both: the remaining translation and rotation shrink in proportion
      const fracT = distance(st.pose.position, goal.position) / 0.001;
      const fracR = angleBetween(st.pose.orientation, goal.orientation) / 0.5;
      expect(fracT).toBeCloseTo(fracR, 6);
      prev = st.pose;
    }
    expectPoseClose(s.commanded!, goal, 12);
  });

  it("holds where it is on request and follows a new goal after", () => {
    const s = new TargetStreamer(limits);
    s.start(pose(0.5, 0, 0.4));
    s.setGoal(pose(0.6, 0, 0.4));
    for (let i = 0; i < 30; i++) s.tick(0.01);
    const here = s.commanded!;
    expect(s.moving).toBe(true);
    s.hold();
    expect(s.moving).toBe(false);
    const held = s.tick(0.01)!;
    expectPoseClose(held.pose, here, 15);
    expect(held.reached).toBe(true);
    s.setGoal(pose(0.6, 0, 0.4));
    expect(s.tick(0.01)!.linearSpeed).toBeLessThanOrEqual(0.5 * 0.01 + 1e-12); // restarts from rest
  });

  it("does nothing before start, and nothing for a bad dt", () => {
    const s = new TargetStreamer(limits);
    expect(s.tick(0.01)).toBeNull();
    expect(s.setGoal(pose(0, 0, 0))).toBe(false);
    const a = pose(0.5, 0, 0.4);
    const r = nextStreamTarget(a, pose(0.6, 0, 0.4, 0, 0, 0.1), Number.NaN, { linearSpeed: 0, angularSpeed: 0 }, limits);
    expectPoseClose(r.pose, a, 15);
    expect(r.reached).toBe(false);
    expect(quatFromEuler(0, 0, 0)).toEqual([0, 0, 0, 1]);
  });

  it("keeps the box's point (the TCP by default) on the straight line while the flange turns, the flange within the speed limit", () => {
    // Default settings: the box bounds the TCP, 0.1034 m from the flange. Both ends have the TCP on the
    // floor of the box (z = 0.05), tilted ∓0.125 rad about x; half-way the tool points straight down, and a
    // flange moving on a straight line would put the TCP 0.8 mm below the floor.
    const settings = actuatorSettingsFrom(defaultConfig().actuator);
    const floor = settings.envelope.workspace.min[2];
    const at = (tilt: number) => tcpToFlange(pose(0.5, 0, floor, Math.PI + tilt, 0, 0), settings.tcpOffset);
    const start = at(-0.125);
    const goal = at(0.125);
    const s = new TargetStreamer(settings.stream);
    s.start(start);
    s.setGoal(goal);
    const dt = settings.commandPeriod;
    let prev = start;
    for (const st of run(s, dt, 10000)) {
      expect(flangeToTcp(st.pose, settings.tcpOffset).position[2]).toBeGreaterThanOrEqual(floor - 1e-12);
      expect(distance(prev.position, st.pose.position)).toBeLessThanOrEqual(settings.stream.maxLinearSpeed * dt + 1e-12);
      expect(angleBetween(prev.orientation, st.pose.orientation)).toBeLessThanOrEqual(settings.stream.maxAngularSpeed * dt + 1e-12);
      prev = st.pose;
    }
    expectPoseClose(s.commanded!, goal, 12);
  });

  it("holds, never streams NaN, when the distance to the goal overflows", () => {
    const a = pose(-1.7e308, 0, 0.4);
    const r = nextStreamTarget(a, pose(1.7e308, 0, 0.4), 0.01, { linearSpeed: 0, angularSpeed: 0 }, limits);
    expect(r.pose.position).toEqual(a.position);
    expect(r.reached).toBe(false);
  });
});
