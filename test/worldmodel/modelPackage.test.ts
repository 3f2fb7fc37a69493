import { parseModelPackage } from "../../src/worldmodel/modelPackage";

type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

function spec(dtype: string, shape: Array<number | string>) {
  return { dtype, shape };
}

/** A valid manifest of a tiny fp32 package (64 px, 16 tokens of 96). */
function manifest(dtype: "fp32" | "fp16" = "fp32"): Json {
  const tok = dtype === "fp16" ? "float16" : "float32";
  const rollout = (h: number) => ({
    horizon: h,
    file: `rollout_h${h}.onnx`,
    inputs: { context: spec(tok, [1, 16, 96]), goal: spec(tok, [1, 16, 96]), state: spec("float32", [1, 7]), actions: spec("float32", ["samples", h, 7]) },
    outputs: { energy: spec("float32", ["samples"]), poses: spec("float32", ["samples", h + 1, 7]) },
  });
  return {
    format: "vjepa2-mpc-model",
    format_version: 2,
    name: "tiny",
    source: { checkpoint: "checkpoint.pt", sha256: "ab", preset: null, random_init: false },
    image_size: 64,
    patch_size: 16,
    tubelet_size: 2,
    num_frames: 8,
    max_context_frames: 4,
    grid: [4, 4],
    tokens_per_frame: 16,
    embed_dim: 96,
    predictor_embed_dim: 128,
    action_dim: 7,
    state_dim: 7,
    normalization: { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] },
    dtype,
    graphs: {
      encoder: { file: "encoder.onnx", inputs: { frames: spec(tok, ["batch", 3, 64, 64]) }, outputs: { tokens: spec(tok, ["batch", 16, 96]) } },
      predictor: {
        file: "predictor.onnx",
        inputs: {
          tokens: spec(tok, ["batch", "context_tokens", 96]),
          actions: spec("float32", ["batch", "frames", 7]),
          states: spec("float32", ["batch", "frames", 7]),
        },
        outputs: { next_tokens: spec(tok, ["batch", 16, 96]) },
      },
      rollout: [rollout(1), rollout(2)],
    },
    external_data: [{ file: "predictor.weights", bytes: 1743104, used_by: ["predictor.onnx", "rollout_h1.onnx", "rollout_h2.onnx"] }],
  };
}

const parse = (m: Json) => parseModelPackage(JSON.stringify(m), "/pkg");

describe("parseModelPackage", () => {
  it("accepts a valid fp32 and fp16 manifest", () => {
    const pkg = parse(manifest());
    expect(pkg.tokensPerFrame).toBe(16);
    expect(pkg.embedDim).toBe(96);
    expect([...pkg.graphs.rollout.keys()]).toEqual([1, 2]);
    expect(pkg.source.sha256).toBe("ab");
    expect(parse(manifest("fp16")).dtype).toBe("fp16");
    expect(pkg.externalData).toEqual([{ file: "predictor.weights", bytes: 1743104, usedBy: ["predictor.onnx", "rollout_h1.onnx", "rollout_h2.onnx"] }]);
  });

  it("reads views: absent means 1; a two-view package takes frames two views wide and has both views' tokens", () => {
    expect(parse(manifest()).views).toBe(1);
    const m = manifest();
    m.views = 2;
    m.tokens_per_frame = 32;
    m.graphs.encoder.inputs.frames.shape = ["batch", 3, 64, 128];
    m.graphs.encoder.outputs.tokens.shape = ["batch", 32, 96];
    m.graphs.predictor.outputs.next_tokens.shape = ["batch", 32, 96];
    for (const r of m.graphs.rollout) {
      r.inputs.context.shape = [1, 32, 96];
      r.inputs.goal.shape = [1, 32, 96];
    }
    const pkg = parse(m);
    expect(pkg).toMatchObject({ views: 2, grid: [4, 4], tokensPerFrame: 32, imageSize: 64 });
    m.graphs.encoder.inputs.frames.shape = ["batch", 3, 64, 64];
    expect(() => parse(m)).toThrow(/graphs.encoder.inputs.frames.shape: \[batch, 3, 64, 64\] does not match the contract \[\?, 3, 64, 128\]/);
    m.tokens_per_frame = 16;
    expect(() => parse(m)).toThrow(/tokens_per_frame: 16 ≠ 2 views × grid 4×4/);
    m.views = 0;
    expect(() => parse(m)).toThrow(/views: expected a positive integer, found 0/);
  });

  it("reads format 1 manifests, which list no external data", () => {
    const m = manifest();
    m.format_version = 1;
    delete m.external_data;
    expect(parse(m).externalData).toEqual([]);
  });

  const broken: Array<[string, (m: Json) => void, RegExp]> = [
    ["wrong format", (m) => (m.format = "other"), /format: expected "vjepa2-mpc-model"/],
    ["newer version", (m) => (m.format_version = 3), /format_version: this runtime reads versions 1 and 2, found 3/],
    ["format 2 without external_data", (m) => delete m.external_data, /external_data: expected a list of \{file, bytes, used_by\}, found undefined/],
    ["escaping weights file", (m) => (m.external_data[0].file = "../w"), /external_data\[0\].file: must be a file inside the package/],
    ["weights size", (m) => (m.external_data[0].bytes = -1), /external_data\[0\].bytes: expected a size in bytes, found -1/],
    [
      "weights used by an unknown graph",
      (m) => m.external_data[0].used_by.push("rollout_h3.onnx"),
      /external_data\[0\].used_by: \[rollout_h3.onnx\] are not graphs of this package/,
    ],
    ["bad image size", (m) => (m.image_size = 60), /image_size: 60 is not a multiple of patch_size 16/],
    ["token count", (m) => (m.tokens_per_frame = 15), /tokens_per_frame: 15 ≠ grid 4×4/],
    ["negative std", (m) => (m.normalization.std = [0.2, 0, 0.2]), /normalization.std: must be positive/],
    [
      "missing input",
      (m) => delete m.graphs.predictor.inputs.states,
      /graphs.predictor.inputs: names \[tokens, actions\] do not match the contract \[tokens, actions, states\]/,
    ],
    [
      "wrong shape",
      (m) => (m.graphs.encoder.outputs.tokens.shape = ["batch", 16, 95]),
      /graphs.encoder.outputs.tokens.shape: \[batch, 16, 95\] does not match the contract \[\?, 16, 96\]/,
    ],
    ["rollout horizon", (m) => (m.graphs.rollout[1].inputs.actions.shape = ["samples", 3, 7]), /graphs.rollout\[1\].inputs.actions.shape/],
    ["duplicate horizon", (m) => (m.graphs.rollout[1].horizon = 1), /horizon 1 listed twice/],
    ["escaping file", (m) => (m.graphs.encoder.file = "../x.onnx"), /must be a file inside the package/],
    [
      "dtype mismatch",
      (m) => (m.graphs.encoder.inputs.frames.dtype = "float16"),
      /graphs.encoder.inputs.frames.dtype: expected float32 for a fp32 package, found float16/,
    ],
    ["unknown dtype", (m) => (m.graphs.encoder.inputs.frames.dtype = "int8"), /expected float32 or float16, found "int8"/],
  ];
  it.each(broken)("rejects %s with a message naming the field", (_name, mutate, message) => {
    const m = manifest();
    mutate(m);
    expect(() => parse(m)).toThrow(message);
  });

  it("rejects text that is not JSON", () => {
    expect(() => parseModelPackage("{", "/pkg")).toThrow(/model.json in \/pkg is not valid JSON/);
  });
});
