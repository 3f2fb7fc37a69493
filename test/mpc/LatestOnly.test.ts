import { LatestOnly } from "../../src/mpc/LatestOnly";

describe("LatestOnly", () => {
  it("handles one item at a time; an item offered meanwhile waits, replaced by a newer one", async () => {
    const q = new LatestOnly<number>();
    const handled: number[] = [];
    const release: Array<() => void> = [];
    const handle = (n: number) => {
      handled.push(n);
      return new Promise<void>((r) => release.push(r));
    };
    expect(q.offer(1, handle)).toBe(false); // handled at once
    expect(handled).toEqual([1]);
    expect(q.offer(2, handle)).toBe(false); // waits
    expect(q.offer(3, handle)).toBe(true); // replaces 2
    expect(q.busy).toBe(true);
    release.shift()!();
    await new Promise((r) => setImmediate(r));
    expect(handled).toEqual([1, 3]);
    release.shift()!();
    await q.idle();
    expect(handled).toEqual([1, 3]);
    expect(q.busy).toBe(false);
  });

  it("goes on synchronously past items the handler skips", async () => {
    const q = new LatestOnly<number>();
    const handled: number[] = [];
    q.offer(1, (n) => void handled.push(n));
    expect(handled).toEqual([1]);
    await q.idle();
    expect(q.busy).toBe(false);
  });
});
