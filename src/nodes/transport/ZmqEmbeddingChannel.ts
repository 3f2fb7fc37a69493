/**
 * Embeddings across processes over ZeroMQ PUB/SUB (ipc:// on one machine, tcp:// across machines).
 * Each frame is a two-part message: a JSON header {stamp, frameId, encodedAt, dims} and the raw
 * little-endian float32 bytes. High-water marks of 2 drop old frames instead of queueing them: the
 * planner only ever wants the newest.
 */
import * as fs from "node:fs";
import * as zmq from "zeromq";
import type { Logger } from "../../log";
import { silentLogger } from "../../log";
import type { EmbeddingChannel, EncodedFrame } from "../embeddingChannel";

interface Header {
  stamp: number;
  frameId: string;
  encodedAt: number;
  dims: number[];
}

/** Decodes one two-part message; throws naming what is wrong. */
export function decodeFrameMessage(header: Buffer, payload: Buffer): EncodedFrame {
  let h: Header;
  try {
    h = JSON.parse(header.toString("utf8")) as Header;
  } catch {
    throw new Error("embedding message header is not JSON");
  }
  const count = Array.isArray(h.dims) ? h.dims.reduce((a, b) => a * b, 1) : Number.NaN;
  if (!(count > 0) || payload.byteLength !== count * 4) {
    throw new Error(`embedding payload has ${payload.byteLength} bytes, header dims [${String(h.dims)}] need ${count * 4}`);
  }
  // Copy into an aligned buffer owned by the receiver.
  const data = new Float32Array(count);
  new Uint8Array(data.buffer).set(payload);
  return { stamp: h.stamp, frameId: h.frameId, encodedAt: h.encodedAt, embedding: { data, dims: h.dims } };
}

/** Publishing side (the camera node's process). */
export class ZmqEmbeddingPublisher implements EmbeddingChannel {
  private readonly socket = new zmq.Publisher({ sendHighWaterMark: 2 });
  private sending: Promise<void> = Promise.resolve();

  private constructor(
    private readonly log: Logger,
    private readonly endpoint: string,
  ) {}

  /** Binds `endpoint` (e.g. `ipc:///tmp/vjepa2-mpc/embeddings`). */
  static async bind(endpoint: string, log: Logger = silentLogger): Promise<ZmqEmbeddingPublisher> {
    const p = new ZmqEmbeddingPublisher(log, endpoint);
    await p.socket.bind(endpoint);
    return p;
  }

  publish(frame: EncodedFrame): void {
    const header: Header = { stamp: frame.stamp, frameId: frame.frameId, encodedAt: frame.encodedAt, dims: [...frame.embedding.dims] };
    const d = frame.embedding.data;
    const payload = Buffer.from(d.buffer, d.byteOffset, d.byteLength);
    // Sends are serialised; a slow subscriber makes ZeroMQ drop at the high-water mark, not block us.
    this.sending = this.sending
      .then(() => this.socket.send([JSON.stringify(header), payload]))
      .catch((e: Error) => this.log.warn({ err: e.message }, "embedding send failed"));
  }

  subscribe(): () => void {
    throw new Error("ZmqEmbeddingPublisher only publishes; use ZmqEmbeddingSubscriber in the receiving process");
  }

  /** Stops publishing; an ipc endpoint's socket file is removed (libzmq leaves it when the process ends first). */
  async close(): Promise<void> {
    await this.sending;
    this.socket.close();
    if (this.endpoint.startsWith("ipc://")) fs.rmSync(this.endpoint.slice("ipc://".length), { force: true });
  }
}

/** Receiving side (the planner node's process). */
export class ZmqEmbeddingSubscriber implements EmbeddingChannel {
  private readonly socket = new zmq.Subscriber({ receiveHighWaterMark: 2 });
  private readonly subscribers = new Set<(frame: EncodedFrame) => void>();
  private loop: Promise<void> | null = null;

  private constructor(private readonly log: Logger) {}

  /** Connects to `endpoint` and starts receiving. */
  static connect(endpoint: string, log: Logger = silentLogger): ZmqEmbeddingSubscriber {
    const s = new ZmqEmbeddingSubscriber(log);
    s.socket.connect(endpoint);
    s.socket.subscribe();
    s.loop = s.receive();
    return s;
  }

  private async receive(): Promise<void> {
    try {
      for await (const parts of this.socket) {
        if (parts.length !== 2) {
          this.log.warn({ parts: parts.length }, "dropping embedding message: expected 2 parts");
          continue;
        }
        let frame: EncodedFrame;
        try {
          frame = decodeFrameMessage(parts[0], parts[1]);
        } catch (e) {
          this.log.warn({ err: (e as Error).message }, "dropping malformed embedding message");
          continue;
        }
        for (const s of this.subscribers) s(frame);
      }
    } catch (e) {
      if (!this.socket.closed) this.log.error({ err: (e as Error).message }, "embedding receive loop stopped");
    }
  }

  publish(): void {
    throw new Error("ZmqEmbeddingSubscriber only receives");
  }

  subscribe(callback: (frame: EncodedFrame) => void): () => void {
    this.subscribers.add(callback);
    return () => this.subscribers.delete(callback);
  }

  async close(): Promise<void> {
    this.socket.close();
    await this.loop;
  }
}
