/**
 * sensor_msgs/Image and sensor_msgs/CompressedImage messages from raw frames: the one builder of an Image
 * from a RawImage (bags, the in-process pipeline, bag replay and the demo all publish through it).
 */
import * as jpeg from "jpeg-js";
import type { CompressedImage, Header, Image } from "../ros/messages";
import { channelsOf, type RawImage } from "../worldmodel/preprocess";

/** The sensor_msgs/Image of a raw frame, in its own encoding; rows of `step` bytes (default width · channels). The data is not copied. */
export function imageMessage(header: Header, img: RawImage): Image {
  return {
    header,
    height: img.height,
    width: img.width,
    encoding: img.encoding,
    is_bigendian: 0,
    step: img.step ?? img.width * channelsOf(img.encoding),
    data: img.data,
  };
}

/** An rgb8 sensor_msgs/Image of `width`×`height` px; `rgb` is row-major, 3 bytes per pixel (not copied). */
export function rgbImageMessage(header: Header, width: number, height: number, rgb: Uint8Array): Image {
  if (rgb.length !== width * height * 3) throw new Error(`rgb frame has ${rgb.length} bytes, expected ${width}×${height}×3 = ${width * height * 3}`);
  return imageMessage(header, { width, height, encoding: "rgb8", data: rgb });
}

/** A JPEG sensor_msgs/CompressedImage (format "jpeg") of an rgb frame; `quality` 1..100. */
export function jpegImageMessage(header: Header, width: number, height: number, rgb: Uint8Array, quality = 90): CompressedImage {
  if (rgb.length !== width * height * 3) throw new Error(`rgb frame has ${rgb.length} bytes, expected ${width}×${height}×3 = ${width * height * 3}`);
  const rgba = new Uint8Array(width * height * 4);
  for (let p = 0, q = 0; p < rgb.length; p += 3, q += 4) {
    rgba[q] = rgb[p];
    rgba[q + 1] = rgb[p + 1];
    rgba[q + 2] = rgb[p + 2];
    rgba[q + 3] = 255;
  }
  const encoded = jpeg.encode({ data: rgba, width, height }, quality);
  return { header, format: "jpeg", data: new Uint8Array(encoded.data.buffer, encoded.data.byteOffset, encoded.data.byteLength) };
}
