import { selectLowest } from "../../src/cem";

function run(values: number[], k: number): { indices: number[]; values: number[] } {
  const indices = new Int32Array(k);
  const out = new Float64Array(k);
  selectLowest(Float64Array.from(values), values.length, k, indices, out);
  return { indices: Array.from(indices), values: Array.from(out) };
}

describe("selectLowest", () => {
  it("returns the k smallest in ascending order", () => {
    expect(run([5, 1, 4, 0, 3, 2], 3)).toEqual({ indices: [3, 1, 5], values: [0, 1, 2] });
  });

  it("keeps the earlier index on ties", () => {
    expect(run([2, 1, 1, 0, 1], 3).indices).toEqual([3, 1, 2]);
    expect(run([1, 1, 1, 1], 2).indices).toEqual([0, 1]);
  });

  it("handles +Infinity and k = count", () => {
    expect(run([Infinity, 3, Infinity, 1], 2).indices).toEqual([3, 1]);
    expect(run([3, 1, 2], 3).indices).toEqual([1, 2, 0]);
  });

  it("matches a full stable sort on random data, including descending worst cases", () => {
    let state = 99;
    const next = () => (state = (Math.imul(state, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let trial = 0; trial < 50; trial++) {
      const values = Array.from({ length: 300 }, () => Math.round(next() * 100) / 10);
      if (trial % 10 === 0) values.sort((a, b) => b - a);
      const k = 1 + (trial % 25);
      const expected = values
        .map((v, i) => [v, i])
        .sort((a, b) => a[0] - b[0] || a[1] - b[1])
        .slice(0, k)
        .map(([, i]) => i);
      expect(run(values, k).indices).toEqual(expected);
    }
  });

  it("validates its sizes", () => {
    expect(() => selectLowest(new Float64Array(3), 3, 4, new Int32Array(4), new Float64Array(4))).toThrow(/k \(4\) ≤ count \(3\)/);
    expect(() => selectLowest(new Float64Array(3), 3, 2, new Int32Array(1), new Float64Array(2))).toThrow(/buffers of length ≥ k/);
  });
});
