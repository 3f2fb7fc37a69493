/**
 * Camera → planner hand-off of frame embeddings. Embeddings are large (256×1408 float32 ≈ 1.4 MB for the
 * official model), so they never go through ROS messages or JS number arrays: in one process they are
 * passed by reference; across processes they travel as raw bytes over ZeroMQ (ZmqEmbeddingChannel).
 */
import type { FloatTensor } from "../tensor/tensor";

/** One encoded camera frame. */
export interface EncodedFrame {
  /** Capture time of the image (s, from its header stamp). */
  stamp: number;
  /** Camera frame id from the image header. */
  frameId: string;
  /** Layer-normed encoder tokens [1, N, D]. */
  embedding: FloatTensor;
  /** When encoding finished (s, same clock as the stamp). */
  encodedAt: number;
}

export interface EmbeddingChannel {
  publish(frame: EncodedFrame): void;
  /** Returns an unsubscribe function. */
  subscribe(callback: (frame: EncodedFrame) => void): () => void;
  close(): Promise<void>;
}

/** Same-process channel: subscribers get the publisher's object itself (read-only by convention). */
export class InProcessEmbeddingChannel implements EmbeddingChannel {
  private readonly subscribers = new Set<(frame: EncodedFrame) => void>();

  publish(frame: EncodedFrame): void {
    for (const s of this.subscribers) queueMicrotask(() => s(frame));
  }

  subscribe(callback: (frame: EncodedFrame) => void): () => void {
    this.subscribers.add(callback);
    return () => this.subscribers.delete(callback);
  }

  async close(): Promise<void> {
    this.subscribers.clear();
  }
}
