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
 * Decodes a JPEG or PNG (format from `hint` or the magic bytes). Throws an Error saying what is wrong
 * (unknown format, corrupt data, too large) and naming `what`.
 */
export function decodeImage(bytes: Uint8Array, what = "image", hint?: string): RawImage {
  const sniffed = sniffFormat(bytes);
  const format = sniffed ?? (hint?.toLowerCase().includes("png") ? "png" : hint?.toLowerCase().match(/jpe?g/) ? "jpeg" : null);
  if (format === null) throw new Error(`${what}: not a JPEG or PNG (first bytes ${Buffer.from(bytes.subarray(0, 4)).toString("hex")})`);
  try {
    if (format === "png") {
      const png = PNG.sync.read(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
      if (png.width * png.height > MAX_IMAGE_MEGAPIXELS * 1e6) throw new Error(`${png.width}×${png.height} exceeds ${MAX_IMAGE_MEGAPIXELS} MP`);
      return { width: png.width, height: png.height, encoding: "rgba8", data: new Uint8Array(png.data.buffer, png.data.byteOffset, png.data.byteLength) };
    }
    const img = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false, maxResolutionInMP: MAX_IMAGE_MEGAPIXELS, maxMemoryUsageInMB: 1024 });
    return { width: img.width, height: img.height, encoding: "rgb8", data: img.data };
  } catch (e) {
    throw new Error(`${what}: cannot decode ${format}: ${(e as Error).message}`);
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
