/**
 * A newest-wins queue of one: items are handled one at a time, and an item offered while another is
 * being handled waits in a single slot, replacing whatever was waiting there (only the newest waits).
 * The camera node (frames to encode) and the streaming controller (observations to plan on) use it, so
 * that a slow model never builds a backlog of stale work.
 */

/** Handles one item; return a promise for work that finishes later (the next item waits for it). */
export type LatestOnlyHandler<T> = (item: T) => Promise<void> | void;

export class LatestOnly<T> {
  private waiting: { item: T } | null = null;
  private running: Promise<void> | null = null;

  /**
   * Offers an item. Handling starts at once when idle, with `handle`, which then handles every item
   * waiting until the slot is empty (an offer while busy only fills the slot). Returns true when the
   * item replaced one that was waiting (that one is dropped unhandled).
   */
  offer(item: T, handle: LatestOnlyHandler<T>): boolean {
    const superseded = this.waiting !== null;
    this.waiting = { item };
    this.running ??= this.drain(handle).finally(() => {
      this.running = null;
    });
    return superseded;
  }

  /** True while an item is being handled or waiting. */
  get busy(): boolean {
    return this.running !== null;
  }

  /** Resolves when no item is being handled and none is waiting. */
  async idle(): Promise<void> {
    while (this.running !== null) await this.running;
  }

  private async drain(handle: LatestOnlyHandler<T>): Promise<void> {
    while (this.waiting !== null) {
      const { item } = this.waiting;
      this.waiting = null;
      const done = handle(item);
      if (done !== undefined) await done;
    }
  }
}
