/** Wall and simulated clocks for the transports. */
import type { Clock } from "./Transport";

/** Wall-clock time (s since the epoch) with real timers. */
export class WallClock implements Clock {
  now(): number {
    return Date.now() / 1000;
  }

  every(periodS: number, callback: () => void): () => void {
    if (!(periodS > 0)) throw new Error(`timer period must be > 0 s, got ${periodS}`);
    const id = setInterval(callback, periodS * 1000);
    return () => clearInterval(id);
  }
}

/**
 * Simulated time that only moves when told to (bag replay, tests): `advanceTo(t)` fires due timers in
 * time order, each seeing `now()` equal to its due time.
 */
export class SimClock implements Clock {
  private t: number;
  private timers: Array<{ start: number; fired: number; next: number; period: number; callback: () => void; live: boolean }> = [];

  constructor(start = 0) {
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  every(periodS: number, callback: () => void): () => void {
    if (!(periodS > 0)) throw new Error(`timer period must be > 0 s, got ${periodS}`);
    const timer = { start: this.t, fired: 0, next: this.t + periodS, period: periodS, callback, live: true };
    this.timers.push(timer);
    return () => {
      timer.live = false;
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }

  /** Moves time forward to `t` (never backwards), firing every timer due on the way. */
  advanceTo(t: number): void {
    if (t < this.t) throw new Error(`sim time cannot go back from ${this.t} to ${t}`);
    for (;;) {
      let due: (typeof this.timers)[number] | null = null;
      for (const timer of this.timers) if (timer.live && timer.next <= t && (due === null || timer.next < due.next)) due = timer;
      if (due === null) break;
      this.t = due.next;
      // start + k·period, not repeated addition: no drift over long replays
      due.fired++;
      due.next = due.start + (due.fired + 1) * due.period;
      due.callback();
    }
    this.t = t;
  }
}
