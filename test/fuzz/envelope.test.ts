/**
 * The actuator's safety envelope under 100,000 seeded random plans (test/fuzz/envelopeFuzz.ts), and proof
 * that the checker fails when a piece of the chain is broken. Longer runs:
 * `node -r @swc-node/register test/fuzz/runEnvelopeFuzz.ts --plans 1000000 --seed 7`.
 */
import { defaultConfig } from "../../src/config/configFile";
import { actuatorSettingsFrom } from "../../src/nodes/actuator/actuatorSettings";
import { EStopLatch } from "../../src/nodes/actuator/estopLatch";
import { quatFromEuler } from "../../src/nodes/actuator/rigidPose";
import { applySafetyEnvelope, tickGuards, type EnvelopeLimits } from "../../src/nodes/actuator/safetyEnvelope";
import { TargetStreamer } from "../../src/nodes/actuator/targetStreamer";
import { twistToward } from "../../src/nodes/actuator/twistCommand";
import { EnvelopeChecker, formatReport, runEnvelopeFuzz, type ActuatorParts, type ViolationKind } from "./envelopeFuzz";
import { runEnvelopeFuzzInWorkers } from "./envelopeFuzzWorkers";

const SEED = 20240607;

describe("safety envelope fuzz", () => {
  it("keeps every promise over 100,000 random plans, on the model and (every 20th episode) on ActuatorNode itself", async () => {
    // In worker threads: outside Jest's sandbox the pure math runs ~5x faster (see envelopeFuzzWorkers.ts).
    const rep = await runEnvelopeFuzzInWorkers({ seed: SEED, plans: 100_000, conformanceEvery: 20 }, 2);
    if (rep.violations.length > 0) throw new Error(formatReport(rep));
    expect(rep.violationCounts).toEqual({});
    const c = rep.counts;
    expect(c.plans).toBe(100_000);
    // Not vacuous: every kind of command went out, every stage acted, every guard held.
    expect(c.commands.poses).toBeGreaterThan(50_000);
    expect(c.commands.nonZeroTwists).toBeGreaterThan(50_000);
    expect(c.commands.gripperGoals).toBeGreaterThan(5_000);
    for (const code of ["ok", "limited", "hold", "estopped"] as const) expect(c.planOutcomes[code]).toBeGreaterThan(100);
    for (const stage of ["estop", "finite_input", "state_watchdog"] as const) expect(c.planHolds[stage]).toBeGreaterThan(100);
    for (const stage of ["step_translation", "step_rotation", "workspace_box", "gripper_step", "gripper_range"] as const)
      expect(c.planLimits[stage]).toBeGreaterThan(1000);
    for (const stage of ["estop", "state_watchdog", "plan_watchdog"] as const) expect(c.tickHolds[stage]).toBeGreaterThan(1000);
    expect(c.states.ignored).toBeGreaterThan(1000);
    expect(c.clockJumps.back).toBeGreaterThan(1000);
    expect(c.estop.resets).toBeGreaterThan(1000);
    expect(c.conformanceEpisodes).toBeGreaterThan(100);
  });

  it("replays an episode bit for bit from its seed and index", () => {
    const lines = (): string[] => {
      const out: string[] = [];
      runEnvelopeFuzz({ seed: SEED, plans: Infinity, firstEpisode: 42, episodes: 1, trace: (l) => out.push(l) });
      return out;
    };
    const a = lines();
    expect(a.length).toBeGreaterThan(5);
    expect(lines()).toEqual(a);
  });

  describe("fails when a piece is broken", () => {
    const widen = (l: EnvelopeLimits, over: Partial<EnvelopeLimits>): EnvelopeLimits => ({ ...l, ...over });
    const cases: Array<[string, Partial<ActuatorParts>, ViolationKind]> = [
      [
        "an envelope without the workspace box",
        { envelope: (i, l) => applySafetyEnvelope(i, widen(l, { workspace: { min: [-1e9, -1e9, -1e9], max: [1e9, 1e9, 1e9] } })) },
        "workspace_box",
      ],
      [
        "an envelope with 10x the translation step",
        { envelope: (i, l) => applySafetyEnvelope(i, widen(l, { maxStepTranslation: 10 * l.maxStepTranslation + 0.01 })) },
        "step_translation",
      ],
      [
        "an envelope with 10x the rotation step",
        { envelope: (i, l) => applySafetyEnvelope(i, widen(l, { maxStepRotation: Math.min(Math.PI, 10 * l.maxStepRotation + 0.01) })) },
        "step_rotation",
      ],
      [
        "an envelope without the gripper range",
        { envelope: (i, l) => applySafetyEnvelope(i, widen(l, { gripperMin: -1, gripperMax: 2, maxStepGripper: 2 })) },
        "gripper",
      ],
      ["an envelope that ignores the e-stop", { envelope: (i, l) => applySafetyEnvelope({ ...i, estop: new EStopLatch().snapshot() }, l) }, "estop"],
      [
        "a streamer with 10x the speeds",
        { streamer: (s) => new TargetStreamer({ ...s.stream, maxLinearSpeed: 10 * s.stream.maxLinearSpeed, maxLinearAcceleration: 1e6 }) },
        "speed_linear",
      ],
      [
        "a streamer with 10x the angular speed",
        { streamer: (s) => new TargetStreamer({ ...s.stream, maxAngularSpeed: 10 * s.stream.maxAngularSpeed, maxAngularAcceleration: 1e6 }) },
        "speed_angular",
      ],
      // What the streamer did before it moved the box's point on straight lines: the TCP swung out of the box.
      [
        "a streamer that moves the flange, not the TCP, on straight lines",
        { streamer: (s) => new TargetStreamer({ ...s.stream, linePoint: undefined }) },
        "workspace_box",
      ],
      ["tick guards that ignore the e-stop", { guards: (n, st, p, _e, m, l) => tickGuards(n, st, p, new EStopLatch().snapshot(), m, l) }, "estop"],
      ["tick guards that ignore a stale state", { guards: (n, _st, p, e, m, l) => tickGuards(n, n, p, e, m, l) }, "state_watchdog"],
      ["tick guards that ignore a stale plan", { guards: (n, st, _p, e, m, l) => tickGuards(n, st, n, e, m, l) }, "plan_watchdog"],
      ["a twist adapter with 10x the speed", { twist: (c, t, l) => twistToward(c, t, { ...l, maxLinearSpeed: 10 * l.maxLinearSpeed }) }, "twist_linear"],
    ];
    it.each(cases)("%s", (_name, parts, kind) => {
      const rep = runEnvelopeFuzz({ seed: SEED, plans: 20_000, parts, stopOnViolation: true });
      expect(rep.violationCounts[kind]).toBeGreaterThan(0);
      const v = rep.violations.find((x) => x.kind === kind)!;
      // Reproducible: the same episode alone shows it again.
      const again = runEnvelopeFuzz({ seed: v.seed, plans: Infinity, firstEpisode: v.episode, episodes: 1, parts });
      expect(again.violations.find((x) => x.kind === kind && x.event === v.event)?.message).toBe(v.message);
    });

    it("a model that differs from ActuatorNode (conformance)", () => {
      const rep = runEnvelopeFuzz({
        seed: SEED,
        plans: 5_000,
        conformanceEvery: 1,
        parts: { guards: (n, st, _p, e, m, l) => tickGuards(n, st, n, e, m, l) },
        stopOnViolation: true,
      });
      expect(rep.violationCounts.conformance).toBeGreaterThan(0);
    });
  });

  it("reports hand-made commands outside the envelope", () => {
    const settings = actuatorSettingsFrom({ ...defaultConfig().actuator, state_is_tcp: false, workspace_point: "flange", adapter: "pose_target" });
    const found: Array<[ViolationKind, string]> = [];
    const checker = new EnvelopeChecker(settings, (kind, message) => found.push([kind, message]));
    const down = quatFromEuler(Math.PI, 0, 0);
    checker.pose({ position: [0.79, 0, 0.4], orientation: down }, 0);
    checker.gripper(["gripper"], [0]);
    const delta = [0.05, 0, 0, 0, 0, 0, 0];
    const state = [0.79, 0, 0.4, Math.PI, 0, 0, 0];
    const result = applySafetyEnvelope({ delta, state, now: 0, stateReceivedAt: 0, planReceivedAt: 0, estop: new EStopLatch().snapshot() }, settings.envelope);
    expect(result.target![0]).toBeCloseTo(0.8, 15); // clamped to the wall
    checker.plan(delta, 0, { result, gripperGoal: null });
    expect(found).toEqual([]);
    const tick = (x: number, t: number) => checker.tick(t, { guards: [], pose: { position: [x, 0, 0.4], orientation: down }, twist: null, streamTarget: null });
    tick(0.7905, 0.01); // towards the wall, within 0.1 m/s
    expect(found).toEqual([]);
    tick(0.8006, 0.02); // past the wall (x ≤ 0.8), and 1.01 mm in a tick of 10 ms
    expect(found.map(([k]) => k).sort()).toEqual(["speed_linear", "workspace_box"]);
    found.length = 0;
    checker.estop();
    tick(0.8006, 0.03); // no motion, but any pose while e-stopped is a command
    expect(found.map(([k]) => k)).toEqual(["estop"]);
  });
});
