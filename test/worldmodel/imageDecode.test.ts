import * as jpeg from "jpeg-js";
import { decodeImage, encodePng, headerDimensions, MAX_IMAGE_MEGAPIXELS } from "../../src/worldmodel/imageDecode";

function rgb(width: number, height: number): { width: number; height: number; encoding: "rgb8"; data: Uint8Array } {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 251;
  return { width, height, encoding: "rgb8", data };
}

/** A PNG whose header claims `width`×`height` but carries almost no data (a decompression bomb's shape). */
function claimedPng(width: number, height: number): Uint8Array {
  const png = encodePng(rgb(4, 3));
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  view.setUint32(16, width);
  view.setUint32(20, height);
  return png;
}

describe("headerDimensions", () => {
  it("reads PNG and JPEG sizes without decoding", () => {
    expect(headerDimensions(encodePng(rgb(37, 21)), "png")).toEqual({ width: 37, height: 21 });
    const rgba = new Uint8Array(45 * 17 * 4).fill(128);
    const jpg = jpeg.encode({ width: 45, height: 17, data: rgba }, 80).data;
    expect(headerDimensions(new Uint8Array(jpg), "jpeg")).toEqual({ width: 45, height: 17 });
  });

  it("is null for truncated headers", () => {
    expect(headerDimensions(encodePng(rgb(5, 5)).subarray(0, 20), "png")).toBeNull();
    expect(headerDimensions(new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 0x00]), "jpeg")).toBeNull();
  });
});

describe("decodeImage", () => {
  it("refuses an image whose header is too large before decoding it", () => {
    expect(() => decodeImage(claimedPng(100_000, 100_000), "bomb.png")).toThrow(
      `bomb.png: 100000×100000 exceeds the limit of ${MAX_IMAGE_MEGAPIXELS * 1e6} pixels`,
    );
    expect(() => decodeImage(claimedPng(200, 200), "goal", undefined, 1000)).toThrow("goal: 200×200 exceeds the limit of 1000 pixels");
  });

  it("recognises formats by their bytes, not by the name or format field", () => {
    expect(() => decodeImage(new TextEncoder().encode("hello"), "goal image a.png", "a.png")).toThrow(
      "goal image a.png (a.png): not a JPEG or PNG (first bytes 68656c6c)",
    );
    const decoded = decodeImage(encodePng(rgb(6, 4)), "frame", "jpeg");
    expect([decoded.width, decoded.height, decoded.encoding]).toEqual([6, 4, "rgba8"]);
  });
});
