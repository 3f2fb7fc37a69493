/**
 * Camera node: subscribes to camera images (sensor_msgs/Image or CompressedImage, sensor-data QoS),
 * encodes the newest frame with the world model's encoder (on its worker thread) and hands the embedding
 * with its stamp to the planner. Frames that arrive while one is being encoded replace each other (only
 * the newest waits); frames too old when encoding would start are dropped; malformed frames are rejected
 * with a logged reason and the node keeps running.
 */
import { LatestOnly } from "../mpc/LatestOnly";
import { decodeImage } from "../worldmodel/imageDecode";
import { channelsOf, checkRawImage, inputDims, preprocessImage, type PixelEncoding, type PreprocessOptions, type RawImage } from "../worldmodel/preprocess";
import type { FloatTensor } from "../tensor/tensor";
import type { CompressedImage as CompressedImageMsg, Image as ImageMsg } from "../ros/messages";
import { DIAGNOSTIC_LEVEL, type NodeHealth } from "./diagnostics";
import type { EmbeddingChannel } from "./embeddingChannel";
import { type Transport } from "./transport/Transport";
import { describeValue, isRecord, quoteInput, readStampSeconds, typedArrayKind } from "./inputChecks";

export type { CompressedImageMsg, ImageMsg };

export interface CameraNodeOptions {
  /** Image topic (sensor_msgs/Image, or CompressedImage when `compressed`). */
  topic: string;
  compressed: boolean;
  /** Frames older than this when encoding would start are dropped (s). */
  maxFrameAge: number;
  preprocess: PreprocessOptions;
}

/** What happened to the frames so far. */
export interface CameraStats {
  received: number;
  encoded: number;
  droppedStale: number;
  droppedSuperseded: number;
  rejected: number;
  /** Reason of the last rejection. */
  lastRejection: string | null;
}

const bytes = (d: Uint8Array | number[]): Uint8Array => (d instanceof Uint8Array ? d : Uint8Array.from(d));

/**
 * Checks a uint8[] field: a Uint8Array (what rclnodejs delivers) or an Array of bytes. Anything else
 * would be converted silently (a string's characters, a Float32Array's values wrapped to bytes).
 */
function checkBytes(d: unknown, what: string): asserts d is Uint8Array | number[] {
  if (typedArrayKind(d) === "Uint8Array") return;
  if (!Array.isArray(d)) throw new Error(`${what} is ${describeValue(d)}, not uint8[] bytes`);
  for (let i = 0; i < d.length; i++) {
    const v: unknown = d[i];
    if (typeof v !== "number" || !Number.isInteger(v) || v < 0 || v > 255) throw new Error(`${what}[${i}] is ${describeValue(v)}, not a byte`);
  }
}

/**
 * Checks a sensor_msgs/Image's pixel fields against each other; throws with the reason. Types first:
 * JavaScript arithmetic would take a NaN or fractional step, or an encoding named like an Object
 * property ("toString"), through the geometry check and yield an all-NaN frame.
 */
export function checkImageMsg(msg: unknown): asserts msg is ImageMsg {
  if (!isRecord(msg)) throw new Error(`image is ${describeValue(msg)}, not a sensor_msgs/Image`);
  const { encoding, width, height, step, data } = msg;
  if (typeof encoding !== "string") throw new Error(`image encoding is ${describeValue(encoding)}, not a string`);
  // channelsOf throws for an unknown name (8-bit encodings only: endianness is moot), except for names an
  // Object has ("constructor"), and echoes the name: a long or odd one is refused here, quoted.
  if (encoding.length > 32 || !/^[\x20-\x7e]*$/.test(encoding) || typeof channelsOf(encoding) !== "number") {
    throw new Error(`unsupported image encoding ${quoteInput(encoding, 32)}`);
  }
  for (const [k, v] of [
    ["width", width],
    ["height", height],
  ] as const) {
    if (typeof v !== "number" || !Number.isInteger(v) || v < 1) throw new Error(`image ${k} is ${describeValue(v)}, not a positive integer`);
  }
  if (step !== undefined && (typeof step !== "number" || !Number.isInteger(step) || step < 0))
    throw new Error(`image step is ${describeValue(step)}, not an integer`);
  checkBytes(data, "image data");
  checkRawImage({
    width: width as number,
    height: height as number,
    encoding: encoding as PixelEncoding,
    step: step as number | undefined,
    data: data as Uint8Array,
  });
}

/** Converts a sensor_msgs/Image to a raw image; throws with the reason when it is malformed. */
export function imageFromMsg(msg: ImageMsg): RawImage {
  checkImageMsg(msg);
  return { width: msg.width, height: msg.height, encoding: msg.encoding as PixelEncoding, step: msg.step, data: bytes(msg.data) };
}

/** Checks a sensor_msgs/CompressedImage's fields (the bytes are checked when decoded). */
function checkCompressedMsg(msg: unknown): asserts msg is CompressedImageMsg {
  if (!isRecord(msg)) throw new Error(`image is ${describeValue(msg)}, not a sensor_msgs/CompressedImage`);
  if (typeof msg.format !== "string") throw new Error(`compressed image format is ${describeValue(msg.format)}, not a string`);
  checkBytes(msg.data, "compressed image data");
}

function decodeCompressed(msg: CompressedImageMsg): RawImage {
  // The format is only a hint for messages: a long or odd one is quoted, not echoed into logs.
  const f = msg.format;
  const hint = f.length <= 64 && /^[\x20-\x7e]*$/.test(f) ? f : quoteInput(f, 64);
  return decodeImage(bytes(msg.data), "compressed frame", hint);
}

/** Rejections kept for reports (the oldest are dropped beyond this). */
const MAX_REJECTIONS_KEPT = 1000;

export class CameraNode {
  /** Counters at the last health report, and the encodings since (for rates and means). */
  private window = { at: Number.NaN, received: 0, encoded: 0, encodeMs: 0, frameAgeMs: 0 };
  readonly stats: CameraStats = { received: 0, encoded: 0, droppedStale: 0, droppedSuperseded: 0, rejected: 0, lastRejection: null };
  /** Rejected frames with their stamp (s; NaN when the stamp itself was bad) and reason. */
  readonly rejections: Array<{ stamp: number; reason: string }> = [];
  /** Frames to encode: one at a time, only the newest waits. */
  private readonly frames = new LatestOnly<{ msg: ImageMsg | CompressedImageMsg; stamp: number }>();
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly t: Transport,
    private options: CameraNodeOptions,
    /** frames [B,3,H,W] → tokens [B,N,D] (the world model's encode). */
    private readonly encode: (frames: FloatTensor) => Promise<FloatTensor>,
    private readonly channel: EmbeddingChannel,
  ) {}

  /** Replaces the options (a live parameter change: the frame age limit); the topic stays. */
  updateOptions(options: CameraNodeOptions): void {
    if (options.topic !== this.options.topic || options.compressed !== this.options.compressed)
      throw new Error("the camera topic cannot change while the node runs");
    this.options = options;
  }

  start(): void {
    const type = this.options.compressed ? "sensor_msgs/msg/CompressedImage" : "sensor_msgs/msg/Image";
    this.unsubscribe = this.t.subscribe<ImageMsg | CompressedImageMsg>(type, this.options.topic, "sensor_data", (msg) => this.onImage(msg));
    this.t.log.info({ topic: this.options.topic, type }, "camera node listening");
  }

  /**
   * Health for /diagnostics: counters, and since the previous call the frames received and encoded per
   * second, the mean encoding time and the mean age of a frame when its encoding finished.
   */
  health(): NodeHealth {
    const now = this.t.clock.now();
    const w = this.window;
    const s = this.stats;
    const dt = now - w.at;
    const encoded = s.encoded - w.encoded;
    const rate = (n: number): number | null => (Number.isFinite(dt) && dt > 0 ? n / dt : null);
    const values = {
      received: s.received,
      encoded: s.encoded,
      dropped_superseded: s.droppedSuperseded,
      dropped_stale: s.droppedStale,
      rejected: s.rejected,
      last_rejection: s.lastRejection,
      received_per_s: rate(s.received - w.received),
      encoded_per_s: rate(encoded),
      encode_ms: encoded > 0 ? w.encodeMs / encoded : null,
      frame_age_ms: encoded > 0 ? w.frameAgeMs / encoded : null,
    };
    this.window = { at: now, received: s.received, encoded: s.encoded, encodeMs: 0, frameAgeMs: 0 };
    if (s.received === 0) return { level: DIAGNOSTIC_LEVEL.warn, message: "no camera frame received yet", values };
    if (encoded === 0) return { level: DIAGNOSTIC_LEVEL.warn, message: "no frame encoded in the last period", values };
    return { level: DIAGNOSTIC_LEVEL.ok, message: "encoding frames", values };
  }

  /** Resolves when no frame is being encoded or waiting. */
  async idle(): Promise<void> {
    await this.frames.idle();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.idle();
  }

  private onImage(msg: ImageMsg | CompressedImageMsg): void {
    this.stats.received++;
    let stamp: number;
    try {
      stamp = readStampSeconds(msg);
    } catch (e) {
      return this.reject(`image without a valid header stamp: ${(e as Error).message}`, Number.NaN);
    }
    // Fields and geometry are checked on arrival (no pixel work): a malformed frame is always reported
    // and never replaces a good frame waiting to be encoded.
    try {
      if (typeof msg.header.frame_id !== "string") throw new Error(`header.frame_id is ${describeValue(msg.header.frame_id)}, not a string`);
      if (this.options.compressed) checkCompressedMsg(msg);
      else checkImageMsg(msg);
    } catch (e) {
      return this.reject((e as Error).message, stamp);
    }
    if (this.frames.offer({ msg, stamp }, (f) => this.encodeFrame(f.msg, f.stamp))) this.stats.droppedSuperseded++;
  }

  private reject(reason: string, stamp: number): void {
    this.stats.rejected++;
    this.stats.lastRejection = reason;
    this.rejections.push({ stamp, reason });
    if (this.rejections.length > MAX_REJECTIONS_KEPT) this.rejections.shift();
    this.t.log.warn({ reason, rejected: this.stats.rejected }, "camera frame rejected");
  }

  /** Encodes a frame and hands its embedding to the planner, unless it got too old while it waited. */
  private encodeFrame(msg: ImageMsg | CompressedImageMsg, stamp: number): Promise<void> | void {
    const age = this.t.clock.now() - stamp;
    if (age > this.options.maxFrameAge) {
      this.stats.droppedStale++;
      this.t.log.debug({ age, maxFrameAge: this.options.maxFrameAge }, "camera frame dropped: too old to encode");
      return;
    }
    let frames: Float32Array;
    try {
      const img = this.options.compressed ? decodeCompressed(msg as CompressedImageMsg) : imageFromMsg(msg as ImageMsg);
      frames = preprocessImage(img, this.options.preprocess);
    } catch (e) {
      this.reject((e as Error).message, stamp);
      return;
    }
    return this.encodeAndPublish(msg, stamp, frames);
  }

  private async encodeAndPublish(msg: ImageMsg | CompressedImageMsg, stamp: number, frames: Float32Array): Promise<void> {
    try {
      const started = performance.now();
      const tokens = await this.encode({ data: frames, dims: inputDims(this.options.preprocess, 1) });
      this.stats.encoded++;
      const encodedAt = this.t.clock.now();
      this.window.encodeMs += performance.now() - started;
      this.window.frameAgeMs += 1000 * (encodedAt - stamp);
      this.channel.publish({ stamp, frameId: msg.header.frame_id, embedding: tokens, encodedAt });
    } catch (e) {
      this.t.log.error({ err: (e as Error).message }, "encoding failed");
    }
  }
}
