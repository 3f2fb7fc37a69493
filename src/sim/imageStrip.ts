/** Lays rgb8 images of one height side by side (nearest-neighbour upscaled), for looking at scenes. */
import type { RawImage } from "../worldmodel/preprocess";
import { drawText, GLYPH_HEIGHT, textWidth, wrapText } from "./bitmapFont";

export interface ImageStripOptions {
  /** Integer upscaling of every image (1..16). */
  scale?: number;
  /** White pixels between images (after scaling). */
  gap?: number;
  /**
   * Caption lines per image, drawn centred in a white band under the strip (lines too wide for their
   * panel wrap at spaces); absent: no band.
   */
  captions?: readonly (readonly string[])[];
  /** Integer scale of the 5×7 caption font. */
  textScale?: number;
}

/** Height in pixels of one caption line at `textScale`, leading included. */
const lineHeight = (textScale: number): number => (GLYPH_HEIGHT + 3) * textScale;

/**
 * One rgb8 image holding `images` left to right, each scaled by the integer `scale` and separated by
 * `gap` white pixels (after scaling), with an optional caption band below. All images must be rgb8 with
 * the same height and no row padding.
 */
export function imageStrip(images: readonly RawImage[], { scale = 1, gap = 2, captions, textScale = 1 }: ImageStripOptions = {}): RawImage {
  if (images.length === 0) throw new Error("imageStrip: no images");
  if (!Number.isInteger(scale) || scale < 1 || scale > 16) throw new Error(`scale must be an integer in 1..16, got ${scale}`);
  if (!Number.isInteger(textScale) || textScale < 1 || textScale > 16) throw new Error(`textScale must be an integer in 1..16, got ${textScale}`);
  if (captions !== undefined && captions.length !== images.length) throw new Error(`imageStrip: ${captions.length} captions for ${images.length} images`);
  const h = images[0].height;
  for (const img of images) {
    if (img.encoding !== "rgb8" || img.height !== h || (img.step !== undefined && img.step !== img.width * 3)) {
      throw new Error(`imageStrip: expected unpadded rgb8 images ${h} px high, got ${img.encoding} ${img.width}×${img.height}`);
    }
  }
  const margin = { x: textScale, y: 3 * textScale };
  // Wrapped to each panel's width, so a long caption grows the band instead of running into its neighbour.
  const lines = captions?.map((c, i) => c.flatMap((line) => wrapText(line, images[i].width * scale - 2 * margin.x, textScale)));
  const captionLines = lines === undefined ? 0 : Math.max(0, ...lines.map((l) => l.length));
  const band = captionLines === 0 ? 0 : captionLines * lineHeight(textScale) + margin.y;
  const width = images.reduce((w, img) => w + img.width * scale, 0) + gap * (images.length - 1);
  const height = h * scale + band;
  const data = new Uint8Array(width * height * 3).fill(255);
  const strip: RawImage = { width, height, encoding: "rgb8", data };
  let left = 0;
  for (const [i, img] of images.entries()) {
    const panelWidth = img.width * scale;
    for (let y = 0; y < h * scale; y++) {
      const sy = Math.floor(y / scale);
      for (let x = 0; x < panelWidth; x++) {
        const s = (sy * img.width + Math.floor(x / scale)) * 3;
        const d = (y * width + left + x) * 3;
        data[d] = img.data[s];
        data[d + 1] = img.data[s + 1];
        data[d + 2] = img.data[s + 2];
      }
    }
    lines?.[i].forEach((line, k) => {
      const x = left + Math.max(margin.x, Math.floor((panelWidth - textWidth(line, textScale)) / 2));
      drawText(strip, line, x, h * scale + margin.y + k * lineHeight(textScale), { scale: textScale });
    });
    left += panelWidth + gap;
  }
  return strip;
}
