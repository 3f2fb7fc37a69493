/**
 * Main-thread handle on the ONNX Runtime worker thread: request/response over postMessage.
 * After `close()` or a worker crash every pending and later call rejects with the reason.
 */
import * as path from "node:path";
import { Worker } from "node:worker_threads";
import type { GraphSpec } from "./modelPackage";
import type { HostRequest, HostResponse, ProviderConfig, WireTensor } from "./sessionProtocol";

type Pending = { resolve: (r: HostResponse) => void; reject: (e: Error) => void };
type LoadResponse = Extract<HostResponse, { op: "load" }>;
type RunResponse = Extract<HostResponse, { op: "run" }>;

/** Spawns the worker script next to this file, from TypeScript sources (dev, tests) or compiled JS. */
function spawnHost(): Worker {
  const fromSource = __filename.endsWith(".ts");
  const script = path.join(__dirname, fromSource ? "sessionHost.ts" : "sessionHost.js");
  return new Worker(script, { execArgv: fromSource ? ["--require", require.resolve("@swc-node/register")] : [] });
}

export class SessionWorker {
  private readonly worker: Worker;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private failure: Error | null = null;

  constructor() {
    this.worker = spawnHost();
    this.worker.on("message", (res: HostResponse) => {
      const p = this.pending.get(res.id);
      if (p === undefined) return;
      this.pending.delete(res.id);
      if (res.ok) p.resolve(res);
      else p.reject(new Error(res.error));
    });
    const die = (e: Error): void => {
      this.failure ??= e; // keep the first cause (e.g. "closed"), not the exit that follows it
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    this.worker.on("error", (e) => die(new Error(`ONNX Runtime worker crashed: ${e.message}`)));
    this.worker.on("exit", (code) => die(new Error(`ONNX Runtime worker exited (code ${code})`)));
    // The worker must not keep a finished CLI alive; pending requests keep their own promises.
    this.worker.unref();
  }

  private request(req: HostRequest): Promise<HostResponse> {
    if (this.failure !== null) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.pending.set(req.id, { resolve, reject });
      this.worker.ref();
      this.worker.postMessage(req);
    }).finally(() => {
      if (this.pending.size === 0) this.worker.unref();
    }) as Promise<HostResponse>;
  }

  /** Creates one session per graph; resolves to what each session reports about itself. */
  async load(graphs: Array<{ key: string; path: string; spec: GraphSpec }>, provider: ProviderConfig): Promise<LoadResponse["sessions"]> {
    const res = (await this.request({ id: this.nextId++, op: "load", graphs, provider })) as LoadResponse;
    return res.sessions;
  }

  /** Runs one graph. Input arrays are copied to the worker, so the caller keeps ownership of them. */
  async run(key: string, feeds: Record<string, WireTensor>): Promise<{ outputs: Record<string, WireTensor>; runMs: number }> {
    const res = (await this.request({ id: this.nextId++, op: "run", key, feeds })) as RunResponse;
    return { outputs: res.outputs, runMs: res.runMs };
  }

  /** Releases the sessions and stops the worker. Safe to call twice. */
  async close(): Promise<void> {
    if (this.failure === null) {
      try {
        await this.request({ id: this.nextId++, op: "close" });
      } catch {
        // Already dead: nothing to release.
      }
    }
    this.failure ??= new Error("world model is closed");
    await this.worker.terminate();
  }
}
