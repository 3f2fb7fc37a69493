/**
 * Image files and uint8 image arrays → the encoder's normalised input batch [B,3,H,W].
 */
import * as fs from "node:fs";
import { readNpy } from "../io/npyFile";
import { decodeImage } from "./imageDecode";
import type { ModelPackage } from "./modelPackage";
import { inputDims, inputLength, preprocessImage, type PreprocessOptions, type RawImage, type ResizeMode } from "./preprocess";
import { tensor, type FloatTensor } from "../tensor/tensor";

/** Preprocessing options of a package: its image size, views and normalisation, with the chosen resize mode. */
export function preprocessOptionsFor(pkg: Pick<ModelPackage, "imageSize" | "views" | "normalization">, resize: ResizeMode): PreprocessOptions {
  return { size: pkg.imageSize, views: pkg.views, resize, mean: pkg.normalization.mean, std: pkg.normalization.std };
}

/** Reads images from a `.npy` of uint8 [B,H,W,3] (RGB) or [H,W,3], or from JPEG/PNG files. */
export function readImages(files: string[]): RawImage[] {
  const images: RawImage[] = [];
  for (const file of files) {
    if (file.endsWith(".npy")) {
      const a = readNpy(file);
      if (a.dtype !== "uint8") throw new Error(`${file}: expected uint8 RGB images, found ${a.dtype}`);
      const shape = a.shape.length === 3 ? [1, ...a.shape] : a.shape;
      if (shape.length !== 4 || shape[3] !== 3) throw new Error(`${file}: expected shape [B,H,W,3] or [H,W,3], found [${a.shape.join(", ")}]`);
      const [b, h, w] = shape;
      for (let i = 0; i < b; i++) {
        images.push({ width: w, height: h, encoding: "rgb8", data: (a.data as Uint8Array).subarray(i * h * w * 3, (i + 1) * h * w * 3) });
      }
    } else {
      let bytes: Buffer;
      try {
        bytes = fs.readFileSync(file);
      } catch (e) {
        throw new Error(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
      }
      images.push(decodeImage(bytes, file, file));
    }
  }
  if (images.length === 0) throw new Error("no images given");
  return images;
}

/** Preprocesses a list of images into one batch [B,3,H,W]. */
export function imagesToBatch(images: RawImage[], opts: PreprocessOptions): FloatTensor {
  const per = inputLength(opts);
  const out = new Float32Array(images.length * per);
  images.forEach((img, i) => preprocessImage(img, opts, out.subarray(i * per, (i + 1) * per)));
  return tensor(out, inputDims(opts, images.length));
}
