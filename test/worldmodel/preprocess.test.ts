import * as path from "node:path";
import { readNpy } from "../../src/io/npyFile";
import { inputDims, inputLength, preprocessImage, sourceRect, type PreprocessOptions, type RawImage } from "../../src/worldmodel/preprocess";
import { describeWithReference } from "../helpers/reference";

const IMAGENET: Pick<PreprocessOptions, "mean" | "std"> = { mean: [0.485, 0.456, 0.406], std: [0.229, 0.224, 0.225] };

function gradient(width: number, height: number): RawImage {
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      data[i] = (x * 7) % 256;
      data[i + 1] = (y * 11) % 256;
      data[i + 2] = (x + y) % 256;
    }
  }
  return { width, height, encoding: "rgb8", data };
}

/** Re-packs an rgb8 image into another encoding (and optional row padding). */
function repack(img: RawImage, encoding: RawImage["encoding"], pad = 0): RawImage {
  const c = { rgb8: 3, bgr8: 3, rgba8: 4, bgra8: 4, mono8: 1 }[encoding];
  const step = img.width * c + pad;
  const data = new Uint8Array(step * img.height).fill(99);
  for (let y = 0; y < img.height; y++) {
    for (let x = 0; x < img.width; x++) {
      const s = (y * img.width + x) * 3;
      const [r, g, b] = [img.data[s], img.data[s + 1], img.data[s + 2]];
      const d = y * step + x * c;
      if (encoding === "mono8") data[d] = r;
      else {
        const px = encoding.startsWith("bgr") ? [b, g, r] : [r, g, b];
        data.set(px, d);
        if (c === 4) data[d + 3] = 7;
      }
    }
  }
  return { width: img.width, height: img.height, encoding, data, step };
}

describe("preprocessImage", () => {
  const opts: PreprocessOptions = { size: 16, resize: "squash", ...IMAGENET };

  it("normalises an image already at model size without resampling it", () => {
    const img = gradient(16, 16);
    const out = preprocessImage(img, opts);
    for (let ch = 0; ch < 3; ch++) {
      for (let i = 0; i < 256; i++) {
        const want = (img.data[i * 3 + ch] - 255 * IMAGENET.mean[ch]) / (255 * IMAGENET.std[ch]);
        expect(out[ch * 256 + i]).toBeCloseTo(want, 5);
      }
    }
  });

  it("gives the same tensor for rgb8, bgr8, rgba8, bgra8 and padded rows", () => {
    const img = gradient(24, 20);
    const want = preprocessImage(img, { ...opts, resize: "center_crop" });
    for (const enc of ["bgr8", "rgba8", "bgra8"] as const) {
      expect(preprocessImage(repack(img, enc, 5), { ...opts, resize: "center_crop" })).toEqual(want);
    }
  });

  it("replicates mono8 into three channels", () => {
    const mono = repack(gradient(16, 16), "mono8");
    const out = preprocessImage(mono, opts);
    for (let i = 0; i < 256; i++) {
      const v = mono.data[i];
      for (let ch = 0; ch < 3; ch++) expect(out[ch * 256 + i]).toBeCloseTo((v - 255 * IMAGENET.mean[ch]) / (255 * IMAGENET.std[ch]), 5);
    }
  });

  it("center_crop keeps the central square; squash keeps the whole frame", () => {
    expect(sourceRect(320, 180, "center_crop")).toEqual({ x: 70, y: 0, w: 180, h: 180 });
    expect(sourceRect(180, 320, "center_crop")).toEqual({ x: 0, y: 70, w: 180, h: 180 });
    expect(sourceRect(320, 180, "squash")).toEqual({ x: 0, y: 0, w: 320, h: 180 });
    // A frame whose left and right thirds are red and the centre square blue: the crop sees only blue.
    const w = 48;
    const h = 16;
    const data = new Uint8Array(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(x >= 16 && x < 32 ? [0, 0, 255] : [255, 0, 0], (y * w + x) * 3);
    const img: RawImage = { width: w, height: h, encoding: "rgb8", data };
    const crop = preprocessImage(img, { ...opts, resize: "center_crop" });
    const red0 = (0 - 255 * 0.485) / (255 * 0.229);
    expect(Math.max(...crop.subarray(0, 256))).toBeCloseTo(red0, 5);
    const squash = preprocessImage(img, opts);
    expect(squash[0]).toBeCloseTo((255 - 255 * 0.485) / (255 * 0.229), 5); // left edge is red
  });

  it("two views: the input is views · size wide, a side-by-side frame of that size passes unresampled, crops keep 2:1", () => {
    const two = { ...opts, views: 2 };
    expect(inputDims(two, 3)).toEqual([3, 3, 16, 32]);
    expect(inputLength(two)).toBe(3 * 16 * 32);
    expect(inputDims(opts, 1)).toEqual([1, 3, 16, 16]);
    const img = gradient(32, 16);
    const out = preprocessImage(img, two);
    expect(out).toHaveLength(3 * 16 * 32);
    for (let ch = 0; ch < 3; ch++) {
      for (let i = 0; i < 16 * 32; i++) {
        expect(out[ch * 512 + i]).toBeCloseTo((img.data[i * 3 + ch] - 255 * IMAGENET.mean[ch]) / (255 * IMAGENET.std[ch]), 5);
      }
    }
    expect(preprocessImage(gradient(64, 32), { ...two, resize: "center_crop" })).toEqual(preprocessImage(gradient(64, 32), two));
    expect(sourceRect(100, 40, "center_crop", 2)).toEqual({ x: 10, y: 0, w: 80, h: 40 });
    expect(sourceRect(60, 40, "center_crop", 2)).toEqual({ x: 0, y: 5, w: 60, h: 30 });
    expect(() => preprocessImage(img, two, new Float32Array(3 * 16 * 16))).toThrow(/output buffer has 768 floats, expected 1536/);
  });

  it("downscales with an area-weighted (antialiased) filter", () => {
    // A 1-pixel checkerboard shrunk 4× must average to grey, not alias to black or white.
    const w = 64;
    const data = new Uint8Array(w * w * 3);
    for (let y = 0; y < w; y++) for (let x = 0; x < w; x++) data.fill((x + y) % 2 === 0 ? 255 : 0, (y * w + x) * 3, (y * w + x) * 3 + 3);
    const out = preprocessImage({ width: w, height: w, encoding: "rgb8", data }, opts);
    const grey = (t: number) => Math.round(t * 0.229 * 255 + 0.485 * 255);
    for (let i = 0; i < 256; i++) expect(Math.abs(grey(out[i]) - 127.5)).toBeLessThanOrEqual(8);
  });

  it("rejects malformed buffers with the numbers", () => {
    expect(() => preprocessImage({ width: 10, height: 10, encoding: "rgb8", data: new Uint8Array(299) }, opts)).toThrow(
      /buffer holds 299 bytes; 10×10 rgb8 with step 30 needs 300/,
    );
    expect(() => preprocessImage({ width: 10, height: 10, encoding: "rgb8", data: new Uint8Array(300), step: 20 }, opts)).toThrow(/step 20 is smaller/);
    expect(() => preprocessImage({ width: 0, height: 10, encoding: "rgb8", data: new Uint8Array(300) }, opts)).toThrow(/invalid size/);
    expect(() => preprocessImage({ width: 4, height: 4, encoding: "yuv422" as never, data: new Uint8Array(64) }, opts)).toThrow(
      /unsupported image encoding 'yuv422'/,
    );
  });
});

describeWithReference("preprocessing parity", (dir) => {
  it("reproduces upstream frames_normalized from images_u8", () => {
    const images = readNpy(path.join(dir, "ac-tiny", "images_u8.npy"));
    const want = readNpy(path.join(dir, "ac-tiny", "frames_normalized.npy")).data as Float32Array;
    const [b, h, w] = images.shape;
    let maxErr = 0;
    for (let i = 0; i < b; i++) {
      const img: RawImage = { width: w, height: h, encoding: "rgb8", data: (images.data as Uint8Array).subarray(i * h * w * 3, (i + 1) * h * w * 3) };
      const out = preprocessImage(img, { size: 64, resize: "center_crop", ...IMAGENET });
      for (let j = 0; j < out.length; j++) maxErr = Math.max(maxErr, Math.abs(out[j] - want[i * out.length + j]));
    }
    expect(maxErr).toBeLessThan(1e-5);
  });
});
