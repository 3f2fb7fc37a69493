/**
 * JPEG and PNG decoding (jpeg-js, pngjs: pure JS, no native build) to a raw image for preprocessing.
 */
import * as jpeg from "jpeg-js";
import { PNG } from "pngjs";
import type { RawImage } from "./preprocess";

/** Compressed formats accepted for camera frames and goal images. */
export type CompressedFormat = "jpeg" | "png";

/** Largest image accepted, in megapixels: bounds memory for hostile or corrupt inputs. */
export const MAX_IMAGE_MEGAPIXELS = 50;

/** Identifies JPEG or PNG by its magic bytes; null for anything else. */
export function sniffFormat(bytes: Uint8Array): CompressedFormat | null {
  if (bytes.length >= 8 && bytes[0] === 0x89 && bytes[1] === 0x50 && bytes[2] === 0x4e && bytes[3] === 0x47) return "png";
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return "jpeg";
  return null;
}

/**
 * Width and height from a PNG's IHDR or a JPEG's frame header, read without decoding any pixels; null
 * when the header is missing or truncated.
 */
export function headerDimensions(bytes: Uint8Array, format: CompressedFormat): { width: number; height: number } | null {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (format === "png") {
    // Signature (8), IHDR length (4) and type (4), then width and height (big-endian uint32).
    if (bytes.length < 24 || String.fromCharCode(...bytes.subarray(12, 16)) !== "IHDR") return null;
    return { width: view.getUint32(16), height: view.getUint32(20) };
  }
  // JPEG: walk the marker segments to the first start-of-frame (SOF0..SOF15 but DHT, JPG, DAC).
  let i = 2;
  while (i + 4 <= bytes.length) {
    if (bytes[i] !== 0xff) return null;
    const marker = bytes[i + 1];
    if (marker === 0xff) {
      i++; // fill byte
      continue;
    }
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) {
      i += 2; // markers without a length
      continue;
    }
    const length = view.getUint16(i + 2);
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (i + 9 > bytes.length) return null;
      return { width: view.getUint16(i + 7), height: view.getUint16(i + 5) };
    }
    if (marker === 0xda || length < 2) return null; // scan data before any frame header
    i += 2 + length;
  }
  return null;
}

/**
 * Decodes a JPEG or PNG, recognised by its magic bytes (`hint`, e.g. a CompressedImage's format or a file
 * name, only goes into the error). The size is read from the header first and refused above
 * `maxPixels` (and MAX_IMAGE_MEGAPIXELS) before anything is decoded, so a small hostile file cannot make
 * a huge allocation. Throws an Error saying what is wrong (unknown format, corrupt data, too large) and
 * naming `what`.
 */
export function decodeImage(bytes: Uint8Array, what = "image", hint?: string, maxPixels = MAX_IMAGE_MEGAPIXELS * 1e6): RawImage {
  const format = sniffFormat(bytes);
  if (format === null) {
    const claimed = hint === undefined ? "" : ` (${hint})`;
    throw new Error(`${what}${claimed}: not a JPEG or PNG (first bytes ${Buffer.from(bytes.subarray(0, 4)).toString("hex")})`);
  }
  const dims = headerDimensions(bytes, format);
  if (dims === null) throw new Error(`${what}: ${format} without a readable size header (truncated or corrupt)`);
  const limit = Math.min(maxPixels, MAX_IMAGE_MEGAPIXELS * 1e6);
  if (dims.width * dims.height > limit) throw new Error(`${what}: ${dims.width}×${dims.height} exceeds the limit of ${limit} pixels`);
  try {
    if (format === "png") {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      return { width: png.width, height: png.height, encoding: "rgba8", data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_IMAGE_MEGAPIXELS, maxMemoryUsageInMB: 1024 });
    return { width: img.width, height: img.height, encoding: "rgb8", data: img.data };
  } catch (e) {
    throw new Error(`${what}: cannot decode ${format}: ${(e as Error).message}`, { cause: e });
  }
}

/** Encodes an RGB or RGBA image as PNG (for reports, demos and test fixtures). */
export function encodePng(img: RawImage): Uint8Array {
  if (img.encoding !== "rgb8" && img.encoding !== "rgba8") throw new Error(`encodePng: expected rgb8 or rgba8, found ${img.encoding}`);
  const png = new PNG({ width: img.width, height: img.height });
  const c = img.encoding === "rgb8" ? 3 : 4;
  const step = img.step ?? img.width * c;
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const s = y * step + x * c;
      const d = (y * img.width + x) * 4;
      png.data[d] = img.data[s];
      png.data[d + 1] = img.data[s + 1];
      png.data[d + 2] = img.data[s + 2];
      png.data[d + 3] = c === 4 ? img.data[s + 3] : 255;
    }
  }
  return PNG.sync.write(png);
}
