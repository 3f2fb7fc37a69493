import { CdrCodec } from "../../src/ros/CdrCodec";
import { MessageRegistry } from "../../src/ros/MessageRegistry";
import { MessageTypes, secondsToNanoseconds, timeFromNanoseconds, timeToNanoseconds } from "../../src/ros/messages";
import { SAMPLE_MESSAGES } from "./sampleMessages";

const registry = MessageRegistry.withProjectMessages();
const codec = new CdrCodec(registry);

describe("CdrCodec round trip", () => {
  it.each(Object.keys(SAMPLE_MESSAGES))("%s", (type) => {
    const sample = SAMPLE_MESSAGES[type];
    const bytes = codec.encode(type, sample);
    expect(bytes.subarray(0, 4)).toEqual(new Uint8Array([0, 1, 0, 0])); // CDR_LE encapsulation
    const decoded = codec.decode(type, bytes);
    expect(decoded).toEqual(sample);
  });

  it("PlanStatus codes are the constants of PlanStatus.msg (constants take no bytes)", () => {
    const constants = Object.fromEntries(
      registry
        .definitions(MessageTypes.planStatus)[0]
        .definitions.filter((f) => f.isConstant === true)
        .map((f) => [f.name, f.value]),
    );
    const sample = { ...SAMPLE_MESSAGES[MessageTypes.planStatus], code: constants.PAUSED };
    const decoded = codec.decode(MessageTypes.planStatus, codec.encode(MessageTypes.planStatus, sample));
    expect(decoded.code).toBe(5);
    expect(Object.keys(decoded)).not.toContain("PAUSED");
  });
});

describe("CDR bytes", () => {
  it("std_msgs/Header matches hand-computed CDR", () => {
    const bytes = codec.encode(MessageTypes.header, { stamp: { sec: 0x01020304, nanosec: 500_000_000 }, frame_id: "base" });
    // prettier-ignore
    const expected = [
      0x00, 0x01, 0x00, 0x00,             // encapsulation: CDR little-endian, options 0
      0x04, 0x03, 0x02, 0x01,             // stamp.sec int32 LE
      0x00, 0x65, 0xcd, 0x1d,             // stamp.nanosec uint32 LE (500000000 = 0x1DCD6500)
      0x05, 0x00, 0x00, 0x00,             // frame_id length incl. NUL
      0x62, 0x61, 0x73, 0x65, 0x00,       // "base\0"
    ];
    expect(Array.from(bytes)).toEqual(expected);
  });

  it("float64 fields align to 8 bytes after the 4-byte encapsulation (XCDR1)", () => {
    const bytes = codec.encode(MessageTypes.jointState, {
      header: { stamp: { sec: 1, nanosec: 2 }, frame_id: "" },
      name: ["g"],
      position: [0.5],
      velocity: [],
      effort: [],
    });
    // header: 4 sec + 4 nanosec + 4 len + 1 "\0" = 13 → name: pad to 16, count 1, len 2, "g\0" → 26
    // position: pad to 28, count 1 (→ 32), float64 aligned to 8 relative to offset 4 → at 36
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    expect(view.getUint32(4 + 28, true)).toBe(1);
    expect(view.getFloat64(4 + 32, true)).toBe(0.5);
    expect(bytes.byteLength).toBe(4 + 40 + 8); // + velocity and effort counts
  });

  it("names the type when bytes are short", () => {
    expect(() => codec.decode(MessageTypes.poseStamped, new Uint8Array([0, 1, 0, 0, 1]))).toThrow(/cannot decode 5 bytes as geometry_msgs\/msg\/PoseStamped/);
  });

  it("uses a registered schema over the registry's definition", () => {
    const own = new CdrCodec(MessageRegistry.withProjectMessages());
    own.registerSchema("custom_msgs/msg/Pair", "int32 a\nint32 b\n");
    expect(own.decode("custom_msgs/Pair", own.encode("custom_msgs/msg/Pair", { a: -1, b: 7 }))).toEqual({ a: -1, b: 7 });
  });
});

describe("time conversions", () => {
  it("round-trip nanoseconds and reject negatives", () => {
    expect(timeFromNanoseconds(1_700_000_000_123_456_789n)).toEqual({ sec: 1_700_000_000, nanosec: 123_456_789 });
    expect(timeToNanoseconds({ sec: 3, nanosec: 5 })).toBe(3_000_000_005n);
    expect(secondsToNanoseconds(1.5)).toBe(1_500_000_000n);
    expect(() => timeFromNanoseconds(-1n)).toThrow(/negative/);
  });
});
