import { SettleDetector, type SettleTolerances } from "../../../src/nodes/actuator/SettleDetector";
import { pose } from "./helpers";

const tol: SettleTolerances = { positionTolerance: 0.005, rotationTolerance: 0.03, linearSpeed: 0.01, angularSpeed: 0.05, settleTime: 0.2 };

describe("settle detection", () => {
  it("is idle before a motion is commanded", () => {
    expect(new SettleDetector(tol).update(pose(0, 0, 0), 0).state).toBe("idle");
  });

  it("settles once near the target and still for settle_time", () => {
    const d = new SettleDetector(tol);
    const target = pose(0.55, 0, 0.4);
    d.start(target, 0, 5);
    // approach at 0.1 m/s from 0.5, then sit at 0.553 (within 5 mm)
    let t = 0;
    let x = 0.5;
    let last = d.update(pose(x, 0, 0.4), t);
    while (x < 0.553) {
      t += 0.01;
      x = Math.min(0.553, x + 0.001);
      last = d.update(pose(x, 0, 0.4), t);
      expect(last.state).toBe("moving");
    }
    const arrived = t;
    while (last.state === "moving") {
      t += 0.01;
      last = d.update(pose(0.553, 0, 0.4), t);
    }
    expect(last.state).toBe("settled");
    expect(t - arrived).toBeGreaterThanOrEqual(0.2);
    expect(t - arrived).toBeLessThan(0.25);
    expect(last.positionError).toBeCloseTo(0.003, 12);
    expect(last.reason).toMatch(/^settled: 0\.003 m, 0 rad from the target, still for 0\.2\d* s$/);
    expect(d.update(pose(0.6, 0, 0.4), t + 0.01).state).toBe("settled"); // sticky until the next start
  });

  it("does not settle while moving through the target, and times out", () => {
    const d = new SettleDetector(tol);
    d.start(pose(0.5, 0, 0.4), 10, 1);
    let r = d.update(pose(0.49, 0, 0.4), 10);
    for (let t = 10.01; r.state === "moving"; t += 0.01) {
      // oscillates ±2 mm around the target at speed 0.4 m/s
      r = d.update(pose(0.5 + (Math.round(t * 100) % 2 === 0 ? 0.002 : -0.002), 0, 0.4), t);
    }
    expect(r.state).toBe("timeout");
    expect(r.reason).toMatch(/^not settled after 1\.0\d* s > 1 s: 0\.002 m, 0 rad from the target, moving at 0\.4\d* m\/s, 0 rad\/s$/);
  });

  it("checks the rotation too", () => {
    const d = new SettleDetector(tol);
    d.start(pose(0.5, 0, 0.4, 0, 0, 0.1), 0, Infinity);
    let r = d.update(pose(0.5, 0, 0.4), 0);
    for (let t = 0.01; t < 1; t += 0.01) r = d.update(pose(0.5, 0, 0.4), t);
    expect(r.state).toBe("moving");
    expect(r.rotationError).toBeCloseTo(0.1, 12);
  });
});
