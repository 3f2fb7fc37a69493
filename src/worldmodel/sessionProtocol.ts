/**
 * Messages between the main thread and the ONNX Runtime worker (`sessionHost.ts`). Tensors travel as
 * float32 typed arrays; the worker converts to and from float16 where a graph wants it, so the conversion
 * cost stays off the main thread too.
 */
import type { GraphSpec } from "./modelPackage";

/** Execution providers the runtime knows how to ask ONNX Runtime for. */
export type ProviderName = "cpu" | "cuda" | "tensorrt" | "webgpu";

/** Which execution provider to use and what to do when it is unavailable. */
export interface ProviderConfig {
  /** Preferred execution provider. */
  name: ProviderName;
  /** When true, an unavailable provider is an error instead of a fallback to cpu. */
  required: boolean;
  /** GPU index for cuda/tensorrt. */
  deviceId: number;
  /** ONNX Runtime intra-op threads (0: ONNX Runtime's default, one per core). */
  intraOpThreads: number;
}

/** A float32 tensor crossing the thread boundary. */
export interface WireTensor {
  dims: number[];
  data: Float32Array;
}

/** Input or output as ONNX Runtime reports it once a session is created. */
export interface SessionValueInfo {
  name: string;
  dtype: string;
  shape: Array<number | string>;
}

export type HostRequest =
  | { id: number; op: "load"; graphs: Array<{ key: string; path: string; spec: GraphSpec }>; provider: ProviderConfig }
  | { id: number; op: "run"; key: string; feeds: Record<string, WireTensor> }
  | { id: number; op: "close" };

export type HostResponse =
  | {
      id: number;
      ok: true;
      op: "load";
      sessions: Record<string, { provider: ProviderName; fallbackReason: string | null; inputs: SessionValueInfo[]; outputs: SessionValueInfo[] }>;
    }
  | { id: number; ok: true; op: "run"; outputs: Record<string, WireTensor>; runMs: number }
  | { id: number; ok: true; op: "close" }
  | { id: number; ok: false; error: string };
