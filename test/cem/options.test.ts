import { CEM_DEFAULTS, resolveCemOptions, type CemOptions } from "../../src/cem";

describe("CEM defaults", () => {
  it("are the paper's settings with upstream momenta and gripper handling", () => {
    expect(CEM_DEFAULTS).toEqual({
      horizon: 1,
      samples: 800,
      iterations: 10,
      topk: 10,
      maxnorm: 0.075,
      momentumMean: 0.15,
      momentumStd: 0.15,
      momentumMeanGripper: 0.15,
      momentumStdGripper: 0.15,
      gripperClip: 0.75,
      gripperRoundBelow: 0.25,
      axis: {},
      closeGripper: null,
      gripperExclusive: false,
      seed: 0,
    });
    expect(Object.isFrozen(CEM_DEFAULTS)).toBe(true);
  });

  it("fill in missing and undefined fields", () => {
    const o = resolveCemOptions({ horizon: 2, samples: undefined });
    expect(o.horizon).toBe(2);
    expect(o.samples).toBe(800);
    expect(o.warmStart).toBeNull();
    expect(o.sampler).toBeNull();
    expect(typeof o.now).toBe("function");
  });
});

describe("CEM option validation", () => {
  const cases: Array<[string, Partial<CemOptions>, string | RegExp]> = [
    ["topk above samples", { samples: 50, topk: 60 }, "CEM option topk: must be ≤ samples (50), got 60; lower topk or raise samples"],
    ["topk 1 (unbiased std needs 2)", { topk: 1 }, "CEM option topk: must be an integer ≥ 2, got 1"],
    ["samples 1", { samples: 1, topk: 2 }, "CEM option samples: must be an integer ≥ 2, got 1"],
    ["fractional horizon", { horizon: 1.5 }, "CEM option horizon: must be an integer ≥ 1, got 1.5"],
    ["zero iterations", { iterations: 0 }, "CEM option iterations: must be an integer ≥ 1, got 0"],
    ["negative maxnorm", { maxnorm: -0.1 }, "CEM option maxnorm: must be a finite number > 0 (metres per step), got -0.1"],
    ["NaN maxnorm", { maxnorm: NaN }, /maxnorm: must be a finite number > 0.*got NaN/],
    ["momentum above 1", { momentumStd: 1.5 }, "CEM option momentumStd: must be a finite number in [0, 1] (weight of the previous value), got 1.5"],
    ["negative gripper momentum", { momentumMeanGripper: -0.1 }, /momentumMeanGripper: must be a finite number in \[0, 1\]/],
    ["negative gripper clip", { gripperClip: -1 }, "CEM option gripperClip: must be a finite number ≥ 0, got -1"],
    ["infinite rounding", { gripperRoundBelow: Infinity }, /gripperRoundBelow: must be a finite number ≥ 0, got Infinity/],
    ["axis index 4", { axis: { 4: 0 } }, 'CEM option axis: keys must be control indices 0..3 (0 dx, 1 dy, 2 dz, 3 dgripper), got key "4"'],
    ["axis non-numeric key", { axis: { x: 0 } as unknown as Record<number, number> }, /keys must be control indices 0..3.*got key "x"/],
    ["axis NaN value", { axis: { 2: NaN } }, "CEM option axis[2]: must be a finite number, got NaN"],
    ["closeGripper = horizon", { horizon: 2, closeGripper: 2 }, "CEM option closeGripper: must be null or an integer step in [0, horizon) = [0, 2), got 2"],
    ["negative closeGripper", { closeGripper: -1 }, /closeGripper: must be null or an integer step/],
    ["fractional seed", { seed: 1.5 }, "CEM option seed: must be a safe integer, got 1.5"],
    [
      "warm start of the wrong length",
      { horizon: 2, warmStart: { mean: new Float64Array(4), std: new Float64Array(8) } },
      /warmStart.mean: must be a Float64Array of horizon × 4 = 8 values, got length 4/,
    ],
    [
      "negative warm-start std",
      { warmStart: { mean: new Float64Array(4), std: Float64Array.of(0.1, 0.1, -0.1, 1) } },
      "CEM option warmStart.std: [2] must be finite and ≥ 0, got -0.1",
    ],
    ["sampler not a function", { sampler: 3 as unknown as CemOptions["sampler"] }, /sampler: must be a function/],
  ];

  it.each(cases)("rejects %s", (_name, options, message) => {
    expect(() => resolveCemOptions(options)).toThrow(message);
  });

  it("accepts the boundaries", () => {
    expect(() => resolveCemOptions({ samples: 2, topk: 2, momentumMean: 0, momentumStd: 1, gripperClip: 0, closeGripper: 0 })).not.toThrow();
    expect(() => resolveCemOptions({ horizon: 3, closeGripper: 2, axis: { 0: 0, 3: 1 }, seed: -(2 ** 40) })).not.toThrow();
  });
});
