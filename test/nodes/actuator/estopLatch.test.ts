import { EStopLatch, estopStage } from "../../../src/nodes/actuator/estopLatch";

describe("e-stop latch", () => {
  it("latches until an explicit reset, keeping the first reason", () => {
    const latch = new EStopLatch();
    expect(estopStage(latch.snapshot()).report).toBeNull();
    latch.trigger("operator pressed stop", 12.5);
    latch.trigger("second press", 13);
    expect(latch.snapshot()).toEqual({ latched: true, reason: "operator pressed stop", since: 12.5 });
    expect(estopStage(latch.snapshot()).report).toEqual({ stage: "estop", code: "hold", reason: "e-stop latched: operator pressed stop; holding until reset" });
    expect(latch.reset()).toEqual({ wasLatched: true, message: "e-stop reset (was latched: operator pressed stop)" });
    expect(latch.latched).toBe(false);
    expect(latch.reset().wasLatched).toBe(false);
    expect(estopStage(latch.snapshot()).report).toBeNull();
  });

  it("a snapshot does not change with the latch", () => {
    const latch = new EStopLatch();
    const s = latch.snapshot();
    latch.trigger("x", 1);
    expect(s.latched).toBe(false);
  });
});
