/**
 * A WorldModel wrapper that knows whether calls are in flight, so a simulation can hold its clock while
 * the model thinks (planning then looks instantaneous in simulated time). Counts calls for reports.
 */
import type { FloatTensor } from "../tensor/tensor";
import type { RolloutResult, WorldModel } from "./WorldModel";

export class TrackedWorldModel implements WorldModel {
  private inFlight = 0;
  private pending: Promise<unknown> = Promise.resolve();
  readonly calls = { encode: 0, predict: 0, rollout: 0 };

  constructor(private readonly inner: WorldModel) {}

  get info(): WorldModel["info"] {
    return this.inner.info;
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.inFlight++;
    const done = p.finally(() => {
      this.inFlight--;
    });
    this.pending = done.catch(() => undefined);
    return done;
  }

  encode(frames: FloatTensor): Promise<FloatTensor> {
    this.calls.encode++;
    return this.track(this.inner.encode(frames));
  }

  predict(tokens: FloatTensor, actions: FloatTensor, states: FloatTensor): Promise<FloatTensor> {
    this.calls.predict++;
    return this.track(this.inner.predict(tokens, actions, states));
  }

  rolloutEnergy(context: FloatTensor, goal: FloatTensor, state: FloatTensor, actions: FloatTensor): Promise<RolloutResult> {
    this.calls.rollout++;
    return this.track(this.inner.rolloutEnergy(context, goal, state, actions));
  }

  /**
   * Resolves once no call is in flight and none starts during a few event-loop turns (CEM issues its
   * calls back to back, each from the previous one's continuation).
   */
  async quiescent(): Promise<void> {
    for (let quiet = 0; quiet < 3;) {
      if (this.inFlight > 0) {
        quiet = 0;
        await this.pending;
      } else {
        quiet++;
      }
      await new Promise((r) => setImmediate(r));
    }
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
