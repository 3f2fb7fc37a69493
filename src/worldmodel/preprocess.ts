/**
 * Camera image → normalised model input [3,H,W] float32 (DESIGN §1): RGB, square crop or squash,
 * antialiased resize to the model size, then (x − 255·mean) / (255·std) per channel.
 * Pure functions on typed arrays; decoding of JPEG/PNG lives in imageDecode.ts.
 */

/** Pixel layouts of raw camera buffers (sensor_msgs/Image encodings). */
export type PixelEncoding = "rgb8" | "bgr8" | "rgba8" | "bgra8" | "mono8";

/** A raw 8-bit image: `step` bytes per row (≥ width · channels; ROS rows may be padded). */
export interface RawImage {
  width: number;
  height: number;
  encoding: PixelEncoding;
  data: Uint8Array;
  /** Bytes per row; defaults to width · channels. */
  step?: number;
}

/**
 * How a frame of another shape becomes the model's: `center_crop` keeps the central square (upstream
 * V-JEPA 2-AC evaluation; for a two-view model the central 2:1 rectangle), `squash` resizes the whole
 * frame and distorts the aspect ratio.
 */
export type ResizeMode = "squash" | "center_crop";

export interface PreprocessOptions {
  /** Side of the square model input (of each view), pixels. */
  size: number;
  /**
   * Views side by side in a frame (model.json `views`; 1 when absent): the model input is `size` high and
   * `views · size` wide, and a camera frame holds the views left to right.
   */
  views?: number;
  resize: ResizeMode;
  /** Per-channel mean and std in [0, 1] units (ImageNet by default in model packages). */
  mean: readonly [number, number, number];
  std: readonly [number, number, number];
}

const CHANNELS: Record<PixelEncoding, number> = { rgb8: 3, bgr8: 3, rgba8: 4, bgra8: 4, mono8: 1 };
/** Byte offset of R, G, B within a pixel for each encoding. */
const RGB_OFFSETS: Record<PixelEncoding, [number, number, number]> = {
  rgb8: [0, 1, 2],
  bgr8: [2, 1, 0],
  rgba8: [0, 1, 2],
  bgra8: [2, 1, 0],
  mono8: [0, 0, 0],
};

/** Number of bytes per pixel of an encoding; throws for an unknown one. */
export function channelsOf(encoding: string): number {
  const c = CHANNELS[encoding as PixelEncoding];
  if (c === undefined) throw new Error(`unsupported image encoding '${encoding}' (supported: ${Object.keys(CHANNELS).join(", ")})`);
  return c;
}

/** Validates a raw image's geometry against its buffer; throws with the numbers. */
export function checkRawImage(img: RawImage): void {
  const c = channelsOf(img.encoding);
  if (!Number.isInteger(img.width) || !Number.isInteger(img.height) || img.width < 1 || img.height < 1) {
    throw new Error(`image has invalid size ${img.width}×${img.height}`);
  }
  const step = img.step ?? img.width * c;
  if (step < img.width * c) throw new Error(`image step ${step} is smaller than width·channels = ${img.width * c}`);
  const need = step * (img.height - 1) + img.width * c;
  if (img.data.length < need) {
    throw new Error(`image buffer holds ${img.data.length} bytes; ${img.width}×${img.height} ${img.encoding} with step ${step} needs ${need}`);
  }
}

/** Model input dimensions [batch, 3, height, width] for `batch` frames. */
export function inputDims(opts: Pick<PreprocessOptions, "size" | "views">, batch: number): [number, number, number, number] {
  return [batch, 3, opts.size, opts.size * (opts.views ?? 1)];
}

/** Floats of one preprocessed frame (3 · height · width). */
export function inputLength(opts: Pick<PreprocessOptions, "size" | "views">): number {
  return 3 * opts.size * opts.size * (opts.views ?? 1);
}

/** Source rectangle that `mode` maps onto an output `aspect` times as wide as high (1: square). */
export function sourceRect(width: number, height: number, mode: ResizeMode, aspect = 1): { x: number; y: number; w: number; h: number } {
  if (mode === "squash") return { x: 0, y: 0, w: width, h: height };
  const h = Math.min(height, Math.floor(width / aspect));
  const w = Math.min(width, Math.round(h * aspect));
  return { x: Math.floor((width - w) / 2), y: Math.floor((height - h) / 2), w, h };
}

/**
 * Separable resampling weights for one axis (triangle filter widened by the scale factor when shrinking,
 * i.e. antialiased bilinear, as PIL does). For each output index: first source index and weights.
 */
function axisWeights(srcStart: number, srcLen: number, outLen: number): { first: Int32Array; count: Int32Array; weights: Float32Array; taps: number } {
  const scale = srcLen / outLen;
  const support = Math.max(1, scale); // filter half-width in source pixels
  const taps = Math.ceil(support) * 2 + 1;
  const first = new Int32Array(outLen);
  const count = new Int32Array(outLen);
  const weights = new Float32Array(outLen * taps);
  for (let o = 0; o < outLen; o++) {
    const center = (o + 0.5) * scale; // in source pixels, relative to srcStart
    const lo = Math.max(0, Math.floor(center - support));
    const hi = Math.min(srcLen, Math.ceil(center + support));
    let total = 0;
    let k = 0;
    for (let i = lo; i < hi && k < taps; i++, k++) {
      const w = Math.max(0, 1 - Math.abs((i + 0.5 - center) / support));
      weights[o * taps + k] = w;
      total += w;
    }
    for (let j = 0; j < k; j++) weights[o * taps + j] /= total;
    first[o] = srcStart + lo;
    count[o] = k;
  }
  return { first, count, weights, taps };
}

/**
 * Converts a raw camera image to the normalised model input [3, size, views·size] (channel-major). Writes
 * into `out` when given (length {@link inputLength}) so a camera loop can reuse one buffer.
 */
export function preprocessImage(img: RawImage, opts: PreprocessOptions, out = new Float32Array(inputLength(opts))): Float32Array {
  checkRawImage(img);
  const { size } = opts;
  const views = opts.views ?? 1;
  const width = size * views;
  if (out.length !== inputLength(opts)) throw new Error(`output buffer has ${out.length} floats, expected ${inputLength(opts)}`);
  const c = CHANNELS[img.encoding];
  const step = img.step ?? img.width * c;
  const offs = RGB_OFFSETS[img.encoding];
  const rect = sourceRect(img.width, img.height, opts.resize, views);
  const wx = axisWeights(rect.x, rect.w, width);
  const wy = axisWeights(rect.y, rect.h, size);
  // Horizontal pass: (rect.h rows) × width columns × 3 channels, float.
  const tmp = new Float32Array(rect.h * width * 3);
  for (let r = 0; r < rect.h; r++) {
    const row = (rect.y + r) * step;
    for (let o = 0; o < width; o++) {
      let r0 = 0;
      let g0 = 0;
      let b0 = 0;
      const base = o * wx.taps;
      for (let k = 0; k < wx.count[o]; k++) {
        const w = wx.weights[base + k];
        const p = row + (wx.first[o] + k) * c;
        r0 += w * img.data[p + offs[0]];
        g0 += w * img.data[p + offs[1]];
        b0 += w * img.data[p + offs[2]];
      }
      const t = (r * width + o) * 3;
      tmp[t] = r0;
      tmp[t + 1] = g0;
      tmp[t + 2] = b0;
    }
  }
  // Vertical pass and normalisation, written channel-major.
  const plane = size * width;
  const div = [0, 1, 2].map((ch) => 255 * opts.std[ch]);
  const shift = [0, 1, 2].map((ch) => 255 * opts.mean[ch]);
  for (let o = 0; o < size; o++) {
    const base = o * wy.taps;
    const r0 = wy.first[o] - rect.y;
    for (let x = 0; x < width; x++) {
      let rr = 0;
      let gg = 0;
      let bb = 0;
      for (let k = 0; k < wy.count[o]; k++) {
        const w = wy.weights[base + k];
        const t = ((r0 + k) * width + x) * 3;
        rr += w * tmp[t];
        gg += w * tmp[t + 1];
        bb += w * tmp[t + 2];
      }
      // Round to 8 bits as an image library would, so an identity resize reproduces the input exactly.
      const i = o * width + x;
      out[i] = (Math.round(rr) - shift[0]) / div[0];
      out[plane + i] = (Math.round(gg) - shift[1]) / div[1];
      out[2 * plane + i] = (Math.round(bb) - shift[2]) / div[2];
    }
  }
  return out;
}
