import { CameraNode } from "../../src/nodes/CameraNode";
import { InProcessEmbeddingChannel, type EncodedFrame } from "../../src/nodes/embeddingChannel";
import { encodePng } from "../../src/worldmodel/imageDecode";
import { timeFromSeconds } from "../../src/ros/messages";
import { flush, meanEncoder, simWorld, solidImage } from "../helpers/nodeFixtures";

const PREPROCESS = { size: 8, resize: "center_crop" as const, mean: [0, 0, 0] as [number, number, number], std: [1, 1, 1] as [number, number, number] };

function setup(compressed = false, delayMs = 0) {
  const w = simWorld();
  const channel = new InProcessEmbeddingChannel();
  const frames: EncodedFrame[] = [];
  channel.subscribe((f) => frames.push(f));
  const enc = meanEncoder(delayMs);
  const node = new CameraNode(w.node("camera"), { topic: "/camera/image_raw", compressed, maxFrameAge: 0.5, preprocess: PREPROCESS }, enc.encode, channel);
  node.start();
  const pub = w.node("driver").publisher<unknown>(compressed ? "sensor_msgs/msg/CompressedImage" : "sensor_msgs/msg/Image", "/camera/image_raw");
  return { ...w, node, pub, frames, enc };
}

describe("CameraNode", () => {
  it("encodes a frame and hands the embedding over with its stamp", async () => {
    const s = setup();
    s.pub(solidImage(100, [255, 0, 0]));
    await flush();
    await s.node.idle();
    await flush();
    expect(s.frames).toHaveLength(1);
    expect(s.frames[0].stamp).toBe(100);
    expect(s.frames[0].frameId).toBe("camera");
    expect(Array.from(s.frames[0].embedding.data.slice(0, 3))).toEqual([1, 0, 0].map((v) => Math.fround(v * (1 / 255) * 255 * 0.01)));
  });

  it("rejects malformed frames with a reason and keeps running", async () => {
    const s = setup();
    const short = solidImage(100, [1, 2, 3]);
    short.data = (short.data as Uint8Array).subarray(0, 10);
    s.pub(short);
    await flush();
    await s.node.idle();
    s.pub({ ...solidImage(100, [1, 2, 3]), encoding: "16UC1" });
    await flush();
    await s.node.idle();
    s.pub({ ...solidImage(100, [1, 2, 3]), header: { stamp: { sec: Number.NaN, nanosec: 0 }, frame_id: "x" } });
    await flush();
    s.pub(solidImage(100, [1, 2, 3]));
    await flush();
    await s.node.idle();
    await flush();
    expect(s.node.stats).toMatchObject({ received: 4, rejected: 3, encoded: 1 });
    expect(s.frames).toHaveLength(1);
  });

  it("drops frames that are stale when encoding would start", async () => {
    const s = setup();
    s.pub(solidImage(99, [0, 0, 0])); // 1 s old at t = 100
    await flush();
    await s.node.idle();
    expect(s.node.stats).toMatchObject({ received: 1, droppedStale: 1, encoded: 0 });
  });

  it("encodes only the newest of a burst that arrives while busy", async () => {
    const s = setup(false, 20);
    for (let i = 0; i < 5; i++) s.pub(solidImage(100 + i * 0.01, [i * 10, 0, 0]));
    await flush();
    await s.node.idle();
    await flush();
    expect(s.node.stats).toMatchObject({ received: 5, encoded: 2, droppedSuperseded: 3 });
    expect(s.frames.map((f) => f.stamp)).toEqual([100, 100.04]);
  });

  it("decodes compressed PNG frames and rejects corrupt ones", async () => {
    const s = setup(true);
    const data = new Uint8Array(8 * 8 * 3).fill(255);
    const png = encodePng({ width: 8, height: 8, encoding: "rgb8", data });
    const header = { stamp: timeFromSeconds(100), frame_id: "camera" };
    s.pub({ header, format: "png", data: png });
    await flush();
    await s.node.idle();
    s.pub({ header, format: "jpeg", data: Uint8Array.from([0xff, 0xd8, 0xff, 0x00, 1, 2]) });
    await flush();
    await s.node.idle();
    await flush();
    expect(s.node.stats).toMatchObject({ encoded: 1, rejected: 1 });
    expect(s.node.stats.lastRejection).toMatch(/jpeg without a readable size header/);
  });
});

describe("CameraNode hostile inputs (test/fuzz/nodeInputs regressions)", () => {
  it("rejects fields of the wrong type or value instead of encoding an all-NaN frame", async () => {
    const s = setup();
    const good = solidImage(100, [1, 2, 3]);
    const cases: Array<[Record<string, unknown>, RegExp]> = [
      [{ step: Number.NaN }, /^image step is NaN, not an integer$/],
      [{ step: 24.5, data: new Uint8Array(400) }, /^image step is 24.5, not an integer$/],
      [{ height: 1, step: Number.POSITIVE_INFINITY }, /^image step is Infinity, not an integer$/],
      [{ encoding: "toString" }, /^unsupported image encoding "toString"$/],
      [{ encoding: "__proto__" }, /^unsupported image encoding "__proto__"$/],
      [{ data: "\u0001".repeat(192) }, /^image data is a string of 192 characters, not uint8\[\] bytes$/],
      [{ data: new Float32Array(192) }, /^image data is a Float32Array, not uint8\[\] bytes$/],
      [{ header: { stamp: timeFromSeconds(100), frame_id: 7 } }, /^header.frame_id is 7, not a string$/],
      [
        { header: { stamp: { sec: 100n, nanosec: 0 }, frame_id: "camera" } },
        /^image without a valid header stamp: header.stamp.sec is the bigint 100, not an int32$/,
      ],
    ];
    for (const [over] of cases) {
      s.pub({ ...good, ...over });
      await flush();
      await s.node.idle();
    }
    await flush();
    expect(s.frames).toHaveLength(0);
    expect(s.node.rejections.map((r) => r.reason)).toEqual(cases.map(([, m]) => expect.stringMatching(m)));
    s.pub(good);
    await flush();
    await s.node.idle();
    await flush();
    expect(s.frames).toHaveLength(1);
    expect(Array.from(s.frames[0].embedding.data).every(Number.isFinite)).toBe(true);
  });
});
