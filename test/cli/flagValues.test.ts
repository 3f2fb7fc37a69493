import { integerFlag, integerListFlag, numberFlag } from "../../src/cli/flagValues";

describe("numeric flag values", () => {
  it("integers: range checked, empty or fractional refused, the error names flag, range and value", () => {
    expect(integerFlag("12", "--n", 1)).toBe(12);
    expect(integerFlag(" 0 ", "--n")).toBe(0);
    expect(integerFlag("-5", "--seed", Number.MIN_SAFE_INTEGER)).toBe(-5);
    expect(() => integerFlag("", "--n")).toThrow("--n expects an integer ≥ 0, got ''");
    expect(() => integerFlag("1.5", "--n", 1)).toThrow("--n expects an integer ≥ 1, got '1.5'");
    expect(() => integerFlag("0", "--n", 1)).toThrow("--n expects an integer ≥ 1, got '0'");
    expect(() => integerFlag("600", "--size", 16, 512)).toThrow("--size expects an integer in 16..512, got '600'");
    expect(() => integerFlag("x", "--seed", Number.MIN_SAFE_INTEGER)).toThrow("--seed expects an integer, got 'x'");
  });

  it("integer lists: every entry checked", () => {
    expect(integerListFlag("4, 10,4", "--budgets", 1)).toEqual([4, 10, 4]);
    expect(() => integerListFlag("4,,4", "--budgets", 1)).toThrow("--budgets expects an integer ≥ 1, got ''");
    expect(() => integerListFlag("4,0", "--budgets", 1)).toThrow("--budgets expects an integer ≥ 1, got '0'");
  });

  it("numbers: inclusive or exclusive lower bound, finite, not empty", () => {
    expect(numberFlag("0", "--t", 0)).toBe(0);
    expect(numberFlag("0.075", "--maxnorm", 0, true)).toBe(0.075);
    expect(() => numberFlag("0", "--maxnorm", 0, true)).toThrow("--maxnorm expects a number > 0, got '0'");
    expect(() => numberFlag("-1", "--t", 0)).toThrow("--t expects a number ≥ 0, got '-1'");
    expect(() => numberFlag("", "--t", 0)).toThrow("--t expects a number ≥ 0, got ''");
    expect(() => numberFlag("Infinity", "--t", 0)).toThrow("--t expects a number ≥ 0, got 'Infinity'");
  });
});
