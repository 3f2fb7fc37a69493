/**
 * Worker-thread entry that owns the ONNX Runtime sessions. onnxruntime-node runs inference on the calling
 * thread, so model runs live here to keep the main thread's event loop (ROS callbacks, watchdogs) live.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parentPort } from "node:worker_threads";
import * as ort from "onnxruntime-node";
import { float16ToFloat32, float32ToFloat16 } from "../tensor/float16";
import type { GraphSpec } from "./modelPackage";
import type { HostRequest, HostResponse, ProviderConfig, ProviderName, SessionValueInfo, WireTensor } from "./sessionProtocol";

interface LoadedGraph {
  session: ort.InferenceSession;
  spec: GraphSpec;
}

const graphs = new Map<string, LoadedGraph>();

function providerOption(p: ProviderConfig): ort.InferenceSession.ExecutionProviderConfig {
  switch (p.name) {
    case "cuda":
      return { name: "cuda", deviceId: p.deviceId };
    case "tensorrt":
      return { name: "tensorrt", deviceId: p.deviceId };
    default:
      return p.name;
  }
}

function describe(meta: readonly ort.InferenceSession.ValueMetadata[]): SessionValueInfo[] {
  return meta.map((m) => (m.isTensor ? { name: m.name, dtype: m.type, shape: [...m.shape] } : { name: m.name, dtype: "non-tensor", shape: [] }));
}

/** Provider libraries that onnxruntime-node installs only on request (not bundled in the npm package). */
const PROVIDER_LIBRARIES: Partial<Record<ProviderName, string>> = {
  cuda: "libonnxruntime_providers_cuda.so",
  tensorrt: "libonnxruntime_providers_tensorrt.so",
};

/** Why a provider cannot work in this install, or null if it may (ONNX Runtime has the last word). */
function missingProviderLibrary(name: ProviderName): string | null {
  const lib = PROVIDER_LIBRARIES[name];
  if (lib === undefined || process.platform !== "linux") return null;
  const dir = path.join(path.dirname(require.resolve("onnxruntime-node/package.json")), "bin", "napi-v6", process.platform, process.arch);
  if (fs.existsSync(path.join(dir, lib))) return null;
  return `onnxruntime-node was installed without the ${name} provider (${lib} not in ${dir}); on a GPU machine run: ONNXRUNTIME_NODE_INSTALL=cuda12 npm rebuild onnxruntime-node --ignore-scripts=false`;
}

async function createSession(
  file: string,
  provider: ProviderConfig,
): Promise<{ session: ort.InferenceSession; used: ProviderName; fallbackReason: string | null }> {
  // No spin-waiting between runs: with the camera and planner in separate processes (or anything else on
  // the CPU) idle ONNX Runtime threads spinning took the cores from the other model. Measured with the
  // embedded model, paper CEM, 2 cores: a planning step 7.7 s beside a 5 Hz encoding loop with spinning,
  // 5.9 s without; alone 5.8 s and 5.9 s.
  const base: ort.InferenceSession.SessionOptions = { graphOptimizationLevel: "all", extra: { session: { intra_op: { allow_spinning: "0" } } } };
  if (provider.intraOpThreads > 0) base.intraOpNumThreads = provider.intraOpThreads;
  if (provider.name === "cpu") {
    return { session: await ort.InferenceSession.create(file, { ...base, executionProviders: ["cpu"] }), used: "cpu", fallbackReason: null };
  }
  try {
    const missing = missingProviderLibrary(provider.name);
    if (missing !== null) throw new Error(missing);
    const session = await ort.InferenceSession.create(file, { ...base, executionProviders: [providerOption(provider)] });
    return { session, used: provider.name, fallbackReason: null };
  } catch (e) {
    const reason = `${provider.name} execution provider unavailable: ${(e as Error).message.split("\n")[0]}`;
    if (provider.required) throw new Error(`${reason} (config says it is required)`, { cause: e });
    const session = await ort.InferenceSession.create(file, { ...base, executionProviders: ["cpu"] });
    return { session, used: "cpu", fallbackReason: reason };
  }
}

async function handle(req: HostRequest): Promise<{ res: HostResponse; transfer: ArrayBuffer[] }> {
  switch (req.op) {
    case "load": {
      const sessions: Extract<HostResponse, { op: "load" }>["sessions"] = {};
      for (const g of req.graphs) {
        const { session, used, fallbackReason } = await createSession(g.path, req.provider).catch((e: Error) => {
          throw new Error(`cannot load ${g.spec.file}: ${e.message}`);
        });
        graphs.set(g.key, { session, spec: g.spec });
        sessions[g.key] = { provider: used, fallbackReason, inputs: describe(session.inputMetadata), outputs: describe(session.outputMetadata) };
      }
      return { res: { id: req.id, ok: true, op: "load", sessions }, transfer: [] };
    }
    case "run": {
      const g = graphs.get(req.key);
      if (g === undefined) throw new Error(`no graph '${req.key}' loaded`);
      const feeds: Record<string, ort.Tensor> = {};
      for (const [name, t] of Object.entries(req.feeds)) {
        const spec = g.spec.inputs[name];
        if (spec === undefined) throw new Error(`graph '${req.key}' has no input '${name}'`);
        feeds[name] = spec.dtype === "float16" ? new ort.Tensor("float16", float32ToFloat16(t.data), t.dims) : new ort.Tensor("float32", t.data, t.dims);
      }
      const start = performance.now();
      const results = await g.session.run(feeds);
      const runMs = performance.now() - start;
      const outputs: Record<string, WireTensor> = {};
      const transfer: ArrayBuffer[] = [];
      for (const [name, value] of Object.entries(results)) {
        const t = value as ort.Tensor;
        const data = t.type === "float16" ? float16ToFloat32(t.data as Uint16Array) : new Float32Array(t.data as Float32Array);
        outputs[name] = { dims: [...t.dims], data };
        transfer.push(data.buffer as ArrayBuffer);
        t.dispose();
      }
      return { res: { id: req.id, ok: true, op: "run", outputs, runMs }, transfer };
    }
    case "close": {
      for (const g of graphs.values()) await g.session.release();
      graphs.clear();
      return { res: { id: req.id, ok: true, op: "close" }, transfer: [] };
    }
  }
}

const port = parentPort;
if (port === null) throw new Error("sessionHost.ts must run in a worker thread");
// Requests are handled one at a time: sessions are not re-entrant and CPU cores are shared anyway.
let queue: Promise<void> = Promise.resolve();
port.on("message", (req: HostRequest) => {
  queue = queue.then(async () => {
    try {
      const { res, transfer } = await handle(req);
      port.postMessage(res, transfer);
    } catch (e) {
      port.postMessage({ id: req.id, ok: false, error: (e as Error).message } satisfies HostResponse);
    }
  });
});
