/**
 * The model package: `model.json` plus ONNX graphs, written by `tools/export/export.py`.
 * This module parses and validates `model.json` against the contract (DESIGN §2); it does no I/O itself.
 */

/** Element type of a graph input or output, as ONNX Runtime names it. */
export type TensorDtype = "float32" | "float16";

/** One input or output: dtype and shape; strings are named dynamic dimensions. */
export interface TensorSpec {
  dtype: TensorDtype;
  shape: Array<number | string>;
}

/** One ONNX graph of the package. */
export interface GraphSpec {
  /** File name relative to the package directory. */
  file: string;
  inputs: Record<string, TensorSpec>;
  outputs: Record<string, TensorSpec>;
}

/**
 * A file of ONNX external data (tensor bytes a graph references by offset instead of holding them). Format 2
 * packages keep the predictor's weights once in `predictor.weights`, shared by predictor.onnx and every
 * rollout graph; an encoder above 1 GiB keeps its own `encoder.onnx.data`.
 */
export interface ExternalDataFile {
  /** File name relative to the package directory. */
  file: string;
  /** Size in bytes as exported (a different size means a truncated or mismatched copy). */
  bytes: number;
  /** Graph files that read from it. */
  usedBy: string[];
}

/** Everything the runtime needs to know about a package. */
export interface ModelPackage {
  /** Directory the package was loaded from (absolute). */
  dir: string;
  name: string;
  /** Where the weights came from: checkpoint file name and sha256 (null for random weights). */
  source: { checkpoint: string | null; sha256: string | null; preset: string | null; randomInit: boolean };
  /** Input image height in pixels, and the width of each view. */
  imageSize: number;
  /**
   * Camera views side by side in one input frame (model.json `views`, 1 when absent): the encoder takes
   * frames imageSize × views·imageSize, encodes each view alone and returns the views' tokens in a row.
   */
  views: number;
  patchSize: number;
  tubeletSize: number;
  /** Maximum number of frames of context the predictor accepts (its block-causal mask size). */
  maxContextFrames: number;
  /** Patch grid of one view [rows, cols]. */
  grid: [number, number];
  /** Tokens of one frame: views · rows · cols. */
  tokensPerFrame: number;
  /** Width D of the encoder tokens (the planner's latent). */
  embedDim: number;
  actionDim: number;
  stateDim: number;
  /** ImageNet-style per-channel mean and std, in [0, 1] units. */
  normalization: { mean: [number, number, number]; std: [number, number, number] };
  /** Precision of the weights and of the token tensors at the graph boundary. */
  dtype: "fp32" | "fp16";
  graphs: {
    encoder: GraphSpec;
    predictor: GraphSpec;
    /** Fused rollout + energy graphs by horizon. */
    rollout: Map<number, GraphSpec>;
  };
  /** External-data files the graphs need next to them (empty for format 1, which did not list its `<graph>.onnx.data` files). */
  externalData: ExternalDataFile[];
}

const FORMAT = "vjepa2-mpc-model";
/** Versions this runtime reads: 1 (every graph holds its own weights), 2 (adds `external_data`, shared weights). */
const FORMAT_VERSIONS = [1, 2];

function fail(where: string, message: string): never {
  throw new Error(`model.json: ${where}: ${message}`);
}

function field<T>(obj: Record<string, unknown>, key: string, where: string, check: (v: unknown) => v is T, kind: string): T {
  const v = obj[key];
  if (!check(v)) fail(where ? `${where}.${key}` : key, `expected ${kind}, found ${JSON.stringify(v)}`);
  return v;
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);
const isString = (v: unknown): v is string => typeof v === "string" && v.length > 0;
const isPositiveInt = (v: unknown): v is number => Number.isInteger(v) && (v as number) > 0;
const isTriple = (v: unknown): v is [number, number, number] =>
  Array.isArray(v) && v.length === 3 && v.every((x) => typeof x === "number" && Number.isFinite(x));

function parseTensorSpec(v: unknown, where: string): TensorSpec {
  if (!isObject(v)) fail(where, `expected {dtype, shape}, found ${JSON.stringify(v)}`);
  const dtype = v.dtype;
  if (dtype !== "float32" && dtype !== "float16") fail(`${where}.dtype`, `expected float32 or float16, found ${JSON.stringify(dtype)}`);
  const shape = v.shape;
  if (!Array.isArray(shape) || !shape.every((d) => isPositiveInt(d) || isString(d))) {
    fail(`${where}.shape`, `expected an array of positive integers and dimension names, found ${JSON.stringify(shape)}`);
  }
  return { dtype, shape: shape as Array<number | string> };
}

function packageFile(v: Record<string, unknown>, where: string): string {
  const file = field(v, "file", where, isString, "a file name");
  if (file.includes("..") || file.startsWith("/")) fail(`${where}.file`, `must be a file inside the package, found ${file}`);
  return file;
}

function parseGraph(v: unknown, where: string): GraphSpec {
  if (!isObject(v)) fail(where, `expected a graph description, found ${JSON.stringify(v)}`);
  const file = packageFile(v, where);
  const io = (key: "inputs" | "outputs"): Record<string, TensorSpec> => {
    const m = field(v, key, where, isObject, "an object of tensor specs");
    return Object.fromEntries(Object.entries(m).map(([name, spec]) => [name, parseTensorSpec(spec, `${where}.${key}.${name}`)]));
  };
  return { file, inputs: io("inputs"), outputs: io("outputs") };
}

/** Expected signature of each graph: input/output names with their shapes (numbers fixed, strings dynamic). */
export function contractSignature(
  pkg: Pick<ModelPackage, "imageSize" | "views" | "tokensPerFrame" | "embedDim" | "actionDim" | "stateDim">,
  graph: "encoder" | "predictor" | "rollout",
  horizon = 1,
): { inputs: Record<string, Array<number | null>>; outputs: Record<string, Array<number | null>> } {
  const { imageSize: px, views, tokensPerFrame: n, embedDim: d, actionDim: a, stateDim: s } = pkg;
  switch (graph) {
    case "encoder":
      return { inputs: { frames: [null, 3, px, views * px] }, outputs: { tokens: [null, n, d] } };
    case "predictor":
      return {
        inputs: { tokens: [null, null, d], actions: [null, null, a], states: [null, null, s] },
        outputs: { next_tokens: [null, n, d] },
      };
    case "rollout":
      return {
        inputs: { context: [1, n, d], goal: [1, n, d], state: [1, s], actions: [null, horizon, a] },
        outputs: { energy: [null], poses: [null, horizon + 1, s] },
      };
  }
}

/** Checks a graph spec against the contract; throws naming the first mismatch. */
export function checkGraphAgainstContract(spec: GraphSpec, expected: ReturnType<typeof contractSignature>, where: string): void {
  for (const kind of ["inputs", "outputs"] as const) {
    const have = spec[kind];
    const want = expected[kind];
    const missing = Object.keys(want).filter((k) => !(k in have));
    const extra = Object.keys(have).filter((k) => !(k in want));
    if (missing.length > 0 || extra.length > 0) {
      fail(`${where}.${kind}`, `names [${Object.keys(have).join(", ")}] do not match the contract [${Object.keys(want).join(", ")}]`);
    }
    for (const [name, dims] of Object.entries(want)) {
      const shape = have[name].shape;
      const ok = shape.length === dims.length && dims.every((dim, i) => dim === null || shape[i] === dim);
      if (!ok) {
        const wanted = dims.map((x) => (x === null ? "?" : String(x))).join(", ");
        fail(`${where}.${kind}.${name}.shape`, `[${shape.join(", ")}] does not match the contract [${wanted}]`);
      }
    }
  }
}

/**
 * Parses and validates the text of `model.json` for the package in `dir`. Throws an Error naming the
 * offending field (and the values) for anything the runtime could not use.
 */
export function parseModelPackage(text: string, dir: string): ModelPackage {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (e) {
    throw new Error(`model.json in ${dir} is not valid JSON: ${(e as Error).message}`, { cause: e });
  }
  if (!isObject(raw)) fail("", "expected an object");
  if (raw.format !== FORMAT) fail("format", `expected "${FORMAT}", found ${JSON.stringify(raw.format)}`);
  if (!FORMAT_VERSIONS.includes(raw.format_version as number)) {
    fail(
      "format_version",
      `this runtime reads versions ${FORMAT_VERSIONS.join(" and ")}, found ${JSON.stringify(raw.format_version)}: re-export the package with tools/export/export.py`,
    );
  }
  const name = field(raw, "name", "", isString, "a name");
  const imageSize = field(raw, "image_size", "", isPositiveInt, "a positive integer");
  const patchSize = field(raw, "patch_size", "", isPositiveInt, "a positive integer");
  const tubeletSize = field(raw, "tubelet_size", "", isPositiveInt, "a positive integer");
  const maxContextFrames = field(raw, "max_context_frames", "", isPositiveInt, "a positive integer");
  const tokensPerFrame = field(raw, "tokens_per_frame", "", isPositiveInt, "a positive integer");
  const embedDim = field(raw, "embed_dim", "", isPositiveInt, "a positive integer");
  const actionDim = field(raw, "action_dim", "", isPositiveInt, "a positive integer");
  const stateDim = field(raw, "state_dim", "", isPositiveInt, "a positive integer");
  const grid = field(raw, "grid", "", (v): v is [number, number] => Array.isArray(v) && v.length === 2 && v.every(isPositiveInt), "[rows, cols]");
  const views = raw.views === undefined ? 1 : field(raw, "views", "", isPositiveInt, "a positive integer");
  if (imageSize % patchSize !== 0) fail("image_size", `${imageSize} is not a multiple of patch_size ${patchSize}`);
  if (views * grid[0] * grid[1] !== tokensPerFrame) {
    fail("tokens_per_frame", `${tokensPerFrame} ≠ ${views === 1 ? "" : `${views} views × `}grid ${grid[0]}×${grid[1]}`);
  }
  if (grid[0] !== imageSize / patchSize || grid[1] !== imageSize / patchSize) {
    fail("grid", `[${grid.join(", ")}] does not match image_size/patch_size = ${imageSize / patchSize}`);
  }
  if (actionDim !== 7 || stateDim !== 7) fail("action_dim", `the planner uses 7-d DROID actions and states, found ${actionDim}/${stateDim}`);
  const norm = field(raw, "normalization", "", isObject, "{mean, std}");
  const mean = field(norm, "mean", "normalization", isTriple, "three numbers");
  const std = field(norm, "std", "normalization", isTriple, "three numbers");
  if (std.some((x) => x <= 0)) fail("normalization.std", `must be positive, found [${std.join(", ")}]`);
  const dtype = raw.dtype;
  if (dtype !== "fp32" && dtype !== "fp16") fail("dtype", `expected "fp32" or "fp16", found ${JSON.stringify(dtype)}`);
  const src = isObject(raw.source) ? raw.source : {};
  const source = {
    checkpoint: typeof src.checkpoint === "string" ? src.checkpoint : null,
    sha256: typeof src.sha256 === "string" ? src.sha256 : null,
    preset: typeof src.preset === "string" ? src.preset : null,
    randomInit: src.random_init === true,
  };

  const graphsRaw = field(raw, "graphs", "", isObject, "an object");
  const dims = { imageSize, views, tokensPerFrame, embedDim, actionDim, stateDim };
  const encoder = parseGraph(graphsRaw.encoder, "graphs.encoder");
  checkGraphAgainstContract(encoder, contractSignature(dims, "encoder"), "graphs.encoder");
  const predictor = parseGraph(graphsRaw.predictor, "graphs.predictor");
  checkGraphAgainstContract(predictor, contractSignature(dims, "predictor"), "graphs.predictor");
  const rollout = new Map<number, GraphSpec>();
  const rolloutRaw = graphsRaw.rollout ?? [];
  if (!Array.isArray(rolloutRaw)) fail("graphs.rollout", "expected a list of {horizon, file, inputs, outputs}");
  rolloutRaw.forEach((entry: unknown, i: number) => {
    const where = `graphs.rollout[${i}]`;
    if (!isObject(entry)) fail(where, "expected an object");
    const horizon = field(entry, "horizon", where, isPositiveInt, "a positive integer");
    if (rollout.has(horizon)) fail(where, `horizon ${horizon} listed twice`);
    const spec = parseGraph(entry, where);
    checkGraphAgainstContract(spec, contractSignature(dims, "rollout", horizon), where);
    rollout.set(horizon, spec);
  });
  // Token tensors carry the package dtype; small vectors (actions, states, energy, poses) stay float32.
  const tokenDtype: TensorDtype = dtype === "fp16" ? "float16" : "float32";
  const tokenNames = new Set(["frames", "tokens", "next_tokens", "context", "goal"]);
  const graphList: Array<[string, GraphSpec]> = [
    ["graphs.encoder", encoder],
    ["graphs.predictor", predictor],
    ...[...rollout].map(([h, g]): [string, GraphSpec] => [`graphs.rollout(h=${h})`, g]),
  ];
  for (const [where, g] of graphList) {
    for (const [kind, specs] of [
      ["inputs", g.inputs],
      ["outputs", g.outputs],
    ] as const) {
      for (const [n, spec] of Object.entries(specs)) {
        const want = tokenNames.has(n) ? tokenDtype : "float32";
        if (spec.dtype !== want) fail(`${where}.${kind}.${n}.dtype`, `expected ${want} for a ${dtype} package, found ${spec.dtype}`);
      }
    }
  }
  const graphFiles = graphList.map(([, g]) => g.file);
  const externalData = parseExternalData(raw.external_data, raw.format_version as number, graphFiles);
  return {
    dir,
    name,
    source,
    imageSize,
    views,
    patchSize,
    tubeletSize,
    maxContextFrames,
    grid,
    tokensPerFrame,
    embedDim,
    actionDim,
    stateDim,
    normalization: { mean, std },
    dtype,
    graphs: { encoder, predictor, rollout },
    externalData,
  };
}

/** `external_data`: required from format 2 on (the exporter always writes it), absent in format 1. */
function parseExternalData(v: unknown, version: number, graphFiles: string[]): ExternalDataFile[] {
  if (v === undefined && version < 2) return [];
  if (!Array.isArray(v)) fail("external_data", `expected a list of {file, bytes, used_by}, found ${JSON.stringify(v)}`);
  const seen = new Set<string>();
  return v.map((entry: unknown, i: number) => {
    const where = `external_data[${i}]`;
    if (!isObject(entry)) fail(where, `expected {file, bytes, used_by}, found ${JSON.stringify(entry)}`);
    const file = packageFile(entry, where);
    if (seen.has(file)) fail(`${where}.file`, `${file} listed twice`);
    seen.add(file);
    const bytes = field(entry, "bytes", where, (b): b is number => Number.isInteger(b) && (b as number) >= 0, "a size in bytes");
    const usedBy = field(entry, "used_by", where, (u): u is string[] => Array.isArray(u) && u.every(isString), "a list of graph files");
    const unknown = usedBy.filter((g) => !graphFiles.includes(g));
    if (unknown.length > 0) fail(`${where}.used_by`, `[${unknown.join(", ")}] are not graphs of this package [${graphFiles.join(", ")}]`);
    return { file, bytes, usedBy };
  });
}
