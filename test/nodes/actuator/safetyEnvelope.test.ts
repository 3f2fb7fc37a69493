import { defaultConfig } from "../../../src/config/configFile";
import { computeNewPose } from "../../../src/pose/poseMath";
import { actuatorSettingsFrom } from "../../../src/nodes/actuator/actuatorSettings";
import { EStopLatch } from "../../../src/nodes/actuator/estopLatch";
import { flangeToTcp } from "../../../src/nodes/actuator/tcpFlange";
import { poseFromVector, quatAngle, quatFromEuler } from "../../../src/nodes/actuator/rigidPose";
import { applySafetyEnvelope, tickGuards, type EnvelopeInput, type EnvelopeLimits } from "../../../src/nodes/actuator/safetyEnvelope";
import { STAGE_ORDER } from "../../../src/nodes/actuator/stage";

const limits: EnvelopeLimits = actuatorSettingsFrom(defaultConfig().actuator).envelope;
// A usual tabletop pose: flange at 0.5, 0, 0.4 pointing down, gripper half closed.
const STATE = [0.5, 0.0, 0.4, Math.PI, 0, 0, 0.5];
const free = new EStopLatch().snapshot();

function input(over: Partial<EnvelopeInput> = {}): EnvelopeInput {
  return { delta: [0.02, -0.01, 0.03, 0, 0, 0.1, 0.2], state: STATE, now: 100, stateReceivedAt: 99.99, planReceivedAt: 100, estop: free, ...over };
}

describe("safety envelope", () => {
  it("passes an in-bounds plan unchanged: target = upstream compute_new_pose", () => {
    const r = applySafetyEnvelope(input(), limits);
    expect(r.code).toBe("ok");
    expect(r.limitsApplied).toEqual([]);
    expect(r.message).toBe("");
    const expected = computeNewPose(STATE, [0.02, -0.01, 0.03, 0, 0, 0.1, 0.2]);
    for (let i = 0; i < 7; i++) expect(r.target![i]).toBeCloseTo(expected[i], 12);
    for (let i = 0; i < 7; i++) expect(r.commanded[i]).toBeCloseTo([0.02, -0.01, 0.03, 0, 0, 0.1, 0.2][i], 15);
  });

  it("holds on a measured pose far outside the box (a bogus reading): no target is built on it", () => {
    const r = applySafetyEnvelope(input({ state: [5, 0.0, 0.4, Math.PI, 0, 0, 0.5], delta: [0, 0, 0, 0, 0, 0, 0] }), limits);
    expect(r.code).toBe("hold");
    expect(r.target).toBeNull();
    expect(r.limitsApplied).toEqual(["workspace_box"]);
    expect(r.message).toMatch(/measured point outside the workspace box by more than the margin: x 5(\.\d+)? > 0\.8 \+ 0\.02 m/);
    // Just outside (within the margin): planned from, and the target goes back into the box.
    const near = applySafetyEnvelope(input({ state: [0.81, 0.0, 0.4, Math.PI, 0, 0, 0.5], delta: [0.01, 0, 0, 0, 0, 0, 0] }), limits);
    expect(near.code).toBe("limited");
    expect(flangeToTcp(poseFromVector(near.target!), limits.tcpOffset).position[0]).toBeCloseTo(0.8, 12);
  });

  it("the e-stop wins over everything, even garbage input", () => {
    const latch = new EStopLatch();
    latch.trigger("service /actuator/estop", 5);
    const r = applySafetyEnvelope(input({ estop: latch.snapshot(), delta: [Number.NaN, 0, 0, 0, 0, 0, 0], stateReceivedAt: null }), limits);
    expect(r).toEqual({
      code: "estopped",
      message: "e-stop latched: service /actuator/estop; holding until reset",
      commanded: [0, 0, 0, 0, 0, 0, 0],
      target: null,
      limitsApplied: ["estop"],
      reports: [expect.objectContaining({ stage: "estop", code: "hold" })],
    });
  });

  it("refuses NaN / Inf in the delta or the state, naming the value", () => {
    expect(applySafetyEnvelope(input({ delta: [0, 0, 0, 0, Number.NaN, 0, 0] }), limits)).toMatchObject({
      code: "hold",
      target: null,
      limitsApplied: ["finite_input"],
      message: "refusing non-finite input: delta[4] (dpitch) is NaN; holding",
    });
    expect(applySafetyEnvelope(input({ state: [0.5, 0, Infinity, 0, 0, 0, 0] }), limits).message).toBe(
      "refusing non-finite input: state[2] (z) is Infinity; holding",
    );
    expect(applySafetyEnvelope(input({ delta: [0, 0, 0] }), limits).message).toBe("refusing non-finite input: delta has 3 values, expected 7; holding");
  });

  it("holds on stale state or a stale plan, saying which", () => {
    expect(applySafetyEnvelope(input({ stateReceivedAt: 98 }), limits)).toMatchObject({
      code: "hold",
      limitsApplied: ["state_watchdog"],
      message: "robot state is 2 s old > state_timeout 0.5 s; holding",
    });
    expect(applySafetyEnvelope(input({ planReceivedAt: 80 }), limits)).toMatchObject({ code: "hold", limitsApplied: ["plan_watchdog"] });
  });

  it("scales a too-long step and reports every stage that acted, in order", () => {
    const r = applySafetyEnvelope(input({ delta: [0.3, 0, 0, 0, 0, 0.6, 0.9] }), limits);
    expect(r.code).toBe("limited");
    // 0.3 m → 0.075 m; 0.6 rad → 0.25 rad; gripper 0.9 → 0.75 → 0.5 + 0.75 clipped to 1
    expect(r.limitsApplied).toEqual(["step_translation", "step_rotation", "gripper_step", "gripper_range"]);
    expect(r.commanded[0]).toBeCloseTo(0.075, 15);
    expect(quatAngle(quatFromEuler(r.commanded[3], r.commanded[4], r.commanded[5]))).toBeCloseTo(0.25, 14);
    expect(r.target![6]).toBe(1);
    expect(r.commanded[6]).toBe(0.5);
    const order = r.limitsApplied.map((s) => STAGE_ORDER.indexOf(s));
    expect([...order].sort((a, b) => a - b)).toEqual(order);
  });

  it("clamps the TCP into the workspace box by shifting the flange", () => {
    // flange at z 0.2 pointing down: TCP at 0.0966; 0.06 down would put the TCP at 0.0366 < 0.05
    const state = [0.5, 0, 0.2, Math.PI, 0, 0, 0];
    const r = applySafetyEnvelope(input({ state, delta: [0, 0, -0.06, 0, 0, 0, 0] }), limits);
    expect(r.limitsApplied).toEqual(["workspace_box"]);
    const tcp = flangeToTcp(poseFromVector(r.target!), limits.tcpOffset);
    expect(tcp.position[2]).toBeCloseTo(0.05, 14);
    expect(r.target![2]).toBeCloseTo(0.05 + 0.1034, 14);
    expect(r.commanded[2]).toBeCloseTo(0.05 + 0.1034 - 0.2, 14);
    // the same with the flange as the bounded point: flange 0.14 is inside
    expect(applySafetyEnvelope(input({ state, delta: [0, 0, -0.06, 0, 0, 0, 0] }), { ...limits, workspacePoint: "flange" }).code).toBe("ok");
  });

  it("tick guards report e-stop and watchdogs between plans", () => {
    const latch = new EStopLatch();
    expect(tickGuards(100, 99.9, 50, latch.snapshot(), false, limits)).toEqual([]); // idle at target, old plan: fine
    expect(tickGuards(100, 99.9, 50, latch.snapshot(), true, limits).map((r) => r.stage)).toEqual(["plan_watchdog"]);
    latch.trigger("x", 1);
    expect(tickGuards(100, 90, 99, latch.snapshot(), true, limits).map((r) => r.stage)).toEqual(["estop", "state_watchdog"]);
  });
});
