import { planWatchdog, stateWatchdog } from "../../../src/nodes/actuator/watchdogs";

describe("watchdogs", () => {
  it("state: holds when never received or older than the timeout", () => {
    expect(stateWatchdog(10, null, 0.5).report?.reason).toBe("no robot state received yet; holding");
    expect(stateWatchdog(10, Number.NaN, 0.5).report?.code).toBe("hold");
    expect(stateWatchdog(10, 9.5, 0.5).report).toBeNull();
    expect(stateWatchdog(10, 9.2, 0.5).report).toEqual({
      stage: "state_watchdog",
      code: "hold",
      reason: "robot state is 0.8 s old > state_timeout 0.5 s; holding",
    });
  });

  it("plan: an old plan only holds while its motion is pending (blocking mode plans take ~16 s)", () => {
    expect(planWatchdog(100, 80, 10, false).report).toBeNull();
    expect(planWatchdog(100, 95, 10, true).report).toBeNull();
    expect(planWatchdog(100, 88, 10, true).report).toEqual({
      stage: "plan_watchdog",
      code: "hold",
      reason: "plan received 12 s ago > plan_timeout 10 s with its motion unfinished; holding",
    });
    expect(planWatchdog(100, null, 10, true).report?.reason).toBe("no plan received; holding");
  });
});
