/**
 * The e-stop latch: set by the e-stop service (or by the node on a fatal condition), cleared only by an
 * explicit reset. While latched the envelope holds position whatever the plan says. Pure state, no I/O.
 */
import type { StageOutcome } from "./stage";

/** Snapshot of the latch, for the status message. */
export interface EStopState {
  latched: boolean;
  /** Why it was latched (empty when not latched). */
  reason: string;
  /** When it was latched (s, actuator clock; NaN when not latched). */
  since: number;
}

export class EStopLatch {
  private state: EStopState = { latched: false, reason: "", since: Number.NaN };

  /** Latches the e-stop (idempotent: a second trigger keeps the first reason and time). */
  trigger(reason: string, now: number): EStopState {
    if (!this.state.latched) this.state = { latched: true, reason: reason || "e-stop requested", since: now };
    return this.snapshot();
  }

  /** Clears the latch; the only way out of the e-stop. Returns what was cleared (for the reply). */
  reset(): { wasLatched: boolean; message: string } {
    const was = this.state;
    this.state = { latched: false, reason: "", since: Number.NaN };
    return was.latched ? { wasLatched: true, message: `e-stop reset (was latched: ${was.reason})` } : { wasLatched: false, message: "e-stop was not latched" };
  }

  get latched(): boolean {
    return this.state.latched;
  }

  snapshot(): EStopState {
    return { ...this.state };
  }
}

/** Stage 1: while the e-stop is latched, hold. */
export function estopStage(estop: EStopState): StageOutcome<null> {
  if (!estop.latched) return { value: null, report: null };
  return { value: null, report: { stage: "estop", code: "hold", reason: `e-stop latched: ${estop.reason}; holding until reset` } };
}
