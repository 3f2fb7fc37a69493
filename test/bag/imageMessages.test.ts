import { imageMessage, rgbImageMessage } from "../../src/bag/imageMessages";

const header = { stamp: { sec: 1, nanosec: 2 }, frame_id: "camera" };

describe("imageMessage", () => {
  it("keeps the frame's encoding, and its rows' step or width · channels", () => {
    const data = new Uint8Array(2 * 3 * 4);
    expect(imageMessage(header, { width: 3, height: 2, encoding: "bgra8", data })).toEqual({
      header,
      height: 2,
      width: 3,
      encoding: "bgra8",
      is_bigendian: 0,
      step: 12,
      data,
    });
    expect(imageMessage(header, { width: 3, height: 2, encoding: "mono8", data }).step).toBe(3);
    expect(imageMessage(header, { width: 3, height: 2, encoding: "rgb8", step: 10, data }).step).toBe(10);
    expect(imageMessage(header, { width: 3, height: 2, encoding: "rgb8", data }).data).toBe(data); // not copied
  });

  it("is what rgbImageMessage builds for an rgb8 frame", () => {
    const rgb = new Uint8Array(2 * 3 * 3);
    expect(rgbImageMessage(header, 3, 2, rgb)).toEqual(imageMessage(header, { width: 3, height: 2, encoding: "rgb8", data: rgb }));
    expect(() => rgbImageMessage(header, 3, 2, new Uint8Array(5))).toThrow("rgb frame has 5 bytes, expected 3×2×3 = 18");
  });
});
