/** Lays rgb8 images of one height side by side (nearest-neighbour upscaled), for looking at scenes. */
import type { RawImage } from "../worldmodel/preprocess";

/**
 * One rgb8 image holding `images` left to right, each scaled by the integer `scale` and separated by
 * `gap` white pixels (after scaling). All images must be rgb8 with the same height and no row padding.
 */
export function imageStrip(images: readonly RawImage[], { scale = 1, gap = 2 }: { scale?: number; gap?: number } = {}): RawImage {
  if (images.length === 0) throw new Error("imageStrip: no images");
  if (!Number.isInteger(scale) || scale < 1 || scale > 16) throw new Error(`scale must be an integer in 1..16, got ${scale}`);
  const h = images[0].height;
  for (const img of images) {
    if (img.encoding !== "rgb8" || img.height !== h || (img.step !== undefined && img.step !== img.width * 3)) {
      throw new Error(`imageStrip: expected unpadded rgb8 images ${h} px high, got ${img.encoding} ${img.width}×${img.height}`);
    }
  }
  const width = images.reduce((w, img) => w + img.width * scale, 0) + gap * (images.length - 1);
  const height = h * scale;
  const data = new Uint8Array(width * height * 3).fill(255);
  let left = 0;
  for (const img of images) {
    for (let y = 0; y < height; y++) {
      const sy = Math.floor(y / scale);
      for (let x = 0; x < img.width * scale; x++) {
        const s = (sy * img.width + Math.floor(x / scale)) * 3;
        const d = (y * width + left + x) * 3;
        data[d] = img.data[s];
        data[d + 1] = img.data[s + 1];
        data[d + 2] = img.data[s + 2];
      }
    }
    left += img.width * scale + gap;
  }
  return { width, height, encoding: "rgb8", data };
}
