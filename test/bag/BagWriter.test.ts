import * as fs from "node:fs";
import * as path from "node:path";
import { McapIndexedReader, McapStreamReader, McapWriter, TempBuffer, type McapTypes } from "@mcap/core";
import { FileHandleReadable } from "@mcap/nodejs";
import { parse as parseYaml } from "yaml";
import { BagReader } from "../../src/bag/BagReader";
import { BagWriter } from "../../src/bag/BagWriter";
import { parseBagMetadata } from "../../src/bag/bagMetadata";
import { recoverMcap } from "../../src/bag/mcapRecovery";
import { MessageTypes } from "../../src/ros/messages";
import { SAMPLE_MESSAGES } from "../ros/sampleMessages";
import { tempDir } from "./tempDir";

const T0 = 1_700_000_000_000_000_000n;
const root = tempDir("bagwriter");

/** Writes every sample type on its own topic, `perTopic` messages each, 10 ms apart, interleaved. */
async function writeAllTypes(dir: string, perTopic: number, chunkSize?: number): Promise<{ topics: string[] }> {
  const writer = await BagWriter.create(dir, { chunkSize });
  const types = Object.keys(SAMPLE_MESSAGES);
  const topics = types.map((t) => `/test/${t.replace(/\//g, "_")}`);
  for (let i = 0; i < types.length; i++)
    await writer.addTopic(topics[i], types[i], i === 2 ? { qos: { reliability: "best_effort", durability: "volatile" } } : {});
  for (let k = 0; k < perTopic; k++) {
    for (let i = 0; i < types.length; i++) await writer.write(topics[i], SAMPLE_MESSAGES[types[i]], T0 + BigInt(k * 10_000_000 + i * 1000));
  }
  await writer.close();
  return { topics };
}

/** The top-level records of an MCAP file: opcode and byte range. */
function topLevelRecords(bytes: Uint8Array): Array<{ opcode: number; start: number; end: number }> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = [];
  for (let at = 8; at + 9 <= bytes.length - 8;) {
    const end = at + 9 + Number(view.getBigUint64(at + 1, true));
    out.push({ opcode: bytes[at], start: at, end });
    if (bytes[at] === 0x02) break; // Footer
    at = end;
  }
  return out;
}

/** The same schemas, channels and messages written without chunks (rosbag2's `fastwrite` preset), or with zstd chunks. */
async function rewritten(bytes: Uint8Array, chunks: "none" | "zstd" = "none"): Promise<Uint8Array> {
  const reader = new McapStreamReader();
  reader.append(bytes);
  const schemas = new Map<number, McapTypes.TypedMcapRecords["Schema"]>();
  const channels = new Map<number, McapTypes.TypedMcapRecords["Channel"]>();
  const messages: Array<McapTypes.TypedMcapRecords["Message"]> = [];
  for (let r; (r = reader.nextRecord()) !== undefined;) {
    if (r.type === "Schema" && !schemas.has(r.id)) schemas.set(r.id, r);
    if (r.type === "Channel" && !channels.has(r.id)) channels.set(r.id, r);
    if (r.type === "Message") messages.push(r);
  }
  const out = new TempBuffer();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const zstd = require("@foxglove/wasm-zstd") as { isLoaded: Promise<void>; compress(data: Uint8Array): Uint8Array };
  await zstd.isLoaded;
  const compressChunk = (data: Uint8Array) => ({ compression: "zstd", compressedData: new Uint8Array(zstd.compress(data)) });
  const writer = new McapWriter({ writable: out, useChunks: chunks === "zstd", chunkSize: 4096, compressChunk: chunks === "zstd" ? compressChunk : undefined });
  await writer.start({ profile: "ros2", library: "test" });
  const schemaIds = new Map<number, number>();
  for (const sc of schemas.values()) schemaIds.set(sc.id, await writer.registerSchema(sc));
  const channelIds = new Map<number, number>();
  for (const c of channels.values()) channelIds.set(c.id, await writer.registerChannel({ ...c, schemaId: schemaIds.get(c.schemaId) ?? 0 }));
  for (const m of messages) await writer.addMessage({ ...m, channelId: channelIds.get(m.channelId) ?? 0 });
  await writer.end();
  return out.get();
}

describe("BagWriter → BagReader", () => {
  const dir = path.join(root, "all_types");
  let topics: string[] = [];
  beforeAll(async () => {
    ({ topics } = await writeAllTypes(dir, 3));
  });

  it("round-trips every message type in log-time order", async () => {
    const reader = await BagReader.open(dir);
    const types = Object.keys(SAMPLE_MESSAGES);
    const seen: bigint[] = [];
    let n = 0;
    for await (const m of reader.messages()) {
      const i = topics.indexOf(m.topic);
      expect(m.type).toBe(types[i]);
      expect(m.message).toEqual(SAMPLE_MESSAGES[types[i]]);
      seen.push(m.logTime);
      n++;
    }
    expect(n).toBe(3 * types.length);
    expect(seen).toEqual([...seen].sort((a, b) => (a < b ? -1 : 1)));
    expect(reader.damage).toEqual([]);
    expect(reader.topics().map((t) => [t.name, t.messageCount])).toEqual(topics.map((t) => [t, 3]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))));
    await reader.close();
  });

  it("filters by topic and inclusive time range", async () => {
    const reader = await BagReader.open(dir);
    const got = [];
    for await (const m of reader.messages({ topics: [topics[0], topics[4]], startTime: T0 + 10_000_000n, endTime: T0 + 20_000_000n }))
      got.push([m.topic, m.logTime]);
    expect(got).toEqual([
      [topics[0], T0 + 10_000_000n],
      [topics[4], T0 + 10_004_000n],
      [topics[0], T0 + 20_000_000n],
    ]);
    await reader.close();
  });

  it("opens with @mcap/core's indexed reader as a ros2-profile file", async () => {
    const file = path.join(dir, "all_types_0.mcap");
    const handle = await fs.promises.open(file, "r");
    try {
      const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle) });
      expect(reader.header.profile).toBe("ros2");
      expect(reader.chunkIndexes.length).toBeGreaterThan(0);
      expect(reader.statistics?.messageCount).toBe(BigInt(3 * topics.length));
      for (const channel of reader.channelsById.values()) {
        expect(channel.messageEncoding).toBe("cdr");
        const schema = reader.schemasById.get(channel.schemaId);
        expect(schema?.encoding).toBe("ros2msg");
        expect(schema?.name).toMatch(/^[a-z0-9_]+\/msg\/[A-Za-z0-9]+$/);
        expect(channel.metadata.get("topic_type_hash")).toBe("");
        const qosText = channel.metadata.get("offered_qos_profiles") ?? "";
        expect(qosText).not.toMatch(/[&*]a\d/); // no YAML anchors: plain text as rosbag2 writes it
        const qos = parseYaml(qosText) as Array<Record<string, unknown>>;
        expect(qos[0]).toMatchObject({ history: 3, depth: 0, durability: 2, liveliness: 1, deadline: { sec: 9223372036, nsec: 854775807 } });
        expect(qos[0].reliability).toBe(channel.topic === topics[2] ? 2 : 1);
      }
      let count = 0;
      for await (const m of reader.readMessages({ topics: [topics[2]] })) {
        expect(m.data.byteLength).toBeGreaterThan(8 * 6 * 3);
        count++;
      }
      expect(count).toBe(3);
    } finally {
      await handle.close();
    }
  });

  it("writes metadata.yaml with the fields rosbag2 reads", () => {
    const text = fs.readFileSync(path.join(dir, "metadata.yaml"), "utf8");
    const info = (parseYaml(text, { intAsBigInt: true }) as { rosbag2_bagfile_information: Record<string, unknown> }).rosbag2_bagfile_information;
    expect(info.version).toBe(8n);
    expect(info.storage_identifier).toBe("mcap");
    expect(info.relative_file_paths).toEqual(["all_types_0.mcap"]);
    expect(info.message_count).toBe(BigInt(3 * topics.length));
    expect(info.starting_time).toEqual({ nanoseconds_since_epoch: T0 });
    const last = T0 + BigInt(2 * 10_000_000 + (topics.length - 1) * 1000);
    expect(info.duration).toEqual({ nanoseconds: last - T0 });
    expect(info.compression_format).toBe("");
    expect(info.compression_mode).toBe("");
    const twmc = info.topics_with_message_count as Array<{ topic_metadata: Record<string, unknown>; message_count: bigint }>;
    expect(twmc).toHaveLength(topics.length);
    for (const t of twmc) {
      expect(Object.keys(t.topic_metadata).sort()).toEqual(["name", "offered_qos_profiles", "serialization_format", "type", "type_description_hash"]);
      expect(t.topic_metadata.serialization_format).toBe("cdr");
      expect(typeof t.topic_metadata.offered_qos_profiles).toBe("string"); // version ≤ 8: a YAML string
      expect(t.message_count).toBe(3n);
    }
    expect(info.files).toEqual([
      {
        path: "all_types_0.mcap",
        starting_time: { nanoseconds_since_epoch: T0 },
        duration: { nanoseconds: last - T0 },
        message_count: BigInt(3 * topics.length),
      },
    ]);
    expect(parseBagMetadata(text).topics_with_message_count[0].topic_metadata.name).toBe(topics[0]);
  });

  it("refuses a non-empty directory, undeclared topics and a second close", async () => {
    await expect(BagWriter.create(dir)).rejects.toThrow(/already exists and is not empty/);
    const w = await BagWriter.create(path.join(root, "errors"));
    await expect(w.write("/nope", {}, 0n)).rejects.toThrow(/topic \/nope was not declared/);
    await w.addTopic("/a", "std_msgs/msg/Header");
    await expect(w.addTopic("/a", "sensor_msgs/msg/Image")).rejects.toThrow(/already declared as std_msgs\/msg\/Header/);
    await w.close();
    await expect(w.close()).rejects.toThrow(/already closed/);
  });
});

describe("BagReader on damaged files", () => {
  const dir = path.join(root, "cut");
  let topics: string[] = [];
  let bytes: Buffer;
  const total = 40 * Object.keys(SAMPLE_MESSAGES).length;
  beforeAll(async () => {
    ({ topics } = await writeAllTypes(dir, 40, 4096));
    bytes = fs.readFileSync(path.join(dir, "cut_0.mcap"));
  });

  /** A copy of the bag with the MCAP file cut to `length` bytes. */
  function cutCopy(length: number): string {
    const copy = path.join(root, `cut_at_${length}`);
    fs.mkdirSync(copy);
    fs.copyFileSync(path.join(dir, "metadata.yaml"), path.join(copy, "metadata.yaml"));
    fs.writeFileSync(path.join(copy, "cut_0.mcap"), bytes.subarray(0, length));
    return copy;
  }

  it.each([0.25, 0.5, 0.9, 0.999])("reads up to a cut at %f of the file and reports it", async (fraction) => {
    const length = Math.floor(bytes.length * fraction);
    const warnings: string[] = [];
    const logger = { warn: (_o: unknown, msg: string) => warnings.push(msg) } as unknown as import("../../src/log").Logger;
    const reader = await BagReader.open(cutCopy(length), { logger });
    const got = [];
    for await (const m of reader.messages()) got.push(m);
    expect(reader.damage).toHaveLength(1);
    const d = reader.damage[0];
    expect(d.file).toMatch(/cut_0\.mcap$/);
    expect(d.fileSize).toBe(length);
    expect(d.offset).toBeLessThanOrEqual(length);
    expect(d.messagesRead).toBe(got.length);
    expect(d.messagesLost).toBe(total - got.length);
    expect(warnings[0]).toMatch(
      new RegExp(
        `cut_0\\.mcap is damaged at byte ${d.offset} of ${length}.*read ${got.length} message\\(s\\) before it, ${total - got.length} message\\(s\\) lost`,
      ),
    );
    // what comes back is exactly the first messages written, intact
    expect(got.length).toBeGreaterThan(fraction < 0.5 ? 0 : total / 3);
    const types = Object.keys(SAMPLE_MESSAGES);
    got.forEach((m, k) => {
      expect(m.topic).toBe(topics[k % types.length]);
      expect(m.message).toEqual(SAMPLE_MESSAGES[types[k % types.length]]);
    });
    // a cut inside an uncompressed chunk still yields that chunk's complete messages
    if (fraction === 0.5) expect(got.length).toBeGreaterThanOrEqual(Math.floor((d.offset / bytes.length) * total));
    await reader.close();
  });

  it("loses nothing when only the summary is cut", async () => {
    const reader = await BagReader.open(cutCopy(bytes.length - 20));
    let n = 0;
    for await (const _ of reader.messages()) n++;
    expect(n).toBe(total);
    expect(reader.damage[0].messagesLost).toBe(0);
    await reader.close();
  });

  it("throws with strict, naming the file and offset", async () => {
    await expect(BagReader.open(cutCopy(1000), { strict: true })).rejects.toThrow(/cut_0\.mcap is damaged at byte \d+ of 1000/);
  });

  it("reads a lone truncated .mcap without metadata (loss unknown)", async () => {
    const file = path.join(root, "lone.mcap");
    fs.writeFileSync(file, bytes.subarray(0, Math.floor(bytes.length / 2)));
    const reader = await BagReader.open(file);
    expect(reader.damage[0].messagesLost).toBeNull();
    expect(reader.topics().reduce((a, t) => a + t.messageCount, 0)).toBe(reader.damage[0].messagesRead);
    await reader.close();
  });

  /** A copy of the bag (with its metadata.yaml unless `lone`: then a .mcap file alone) with the MCAP bytes `mcap`. */
  let copies = 0;
  function damagedCopy(mcap: Uint8Array, lone = false): string {
    const copy = path.join(root, `damaged_${copies++}`);
    fs.mkdirSync(copy);
    if (lone) {
      fs.writeFileSync(path.join(copy, "cut.mcap"), mcap);
      return path.join(copy, "cut.mcap");
    }
    fs.copyFileSync(path.join(dir, "metadata.yaml"), path.join(copy, "metadata.yaml"));
    fs.writeFileSync(path.join(copy, "cut_0.mcap"), mcap);
    return copy;
  }

  async function readAll(
    bag: string,
    options: Parameters<BagReader["messages"]>[0] = {},
  ): Promise<{ reader: BagReader; got: Array<{ topic: string; message: unknown; logTime: bigint }> }> {
    const reader = await BagReader.open(bag);
    const got = [];
    for await (const m of reader.messages(options)) got.push({ topic: m.topic, message: m.message, logTime: m.logTime });
    await reader.close();
    return { reader, got };
  }

  /** The k-th message written, as the reader gives it. */
  const types = Object.keys(SAMPLE_MESSAGES);
  function expectWritten(got: Array<{ topic: string; message: unknown }>): void {
    got.forEach((m, k) => {
      expect(m.topic).toBe(topics[k % types.length]);
      expect(m.message).toEqual(SAMPLE_MESSAGES[types[k % types.length]]);
    });
  }

  it("reports a chunk failing its CRC in an indexed file, instead of throwing, and reads up to it", async () => {
    // regression: @mcap/core's indexed reader threw "Incorrect chunk CRC" out of messages()
    const chunk = topLevelRecords(bytes).filter((r) => r.opcode === 0x06)[2];
    const damaged = Uint8Array.from(bytes);
    damaged[(chunk.start + chunk.end) >> 1] ^= 0x10;
    const { reader, got } = await readAll(damagedCopy(damaged));
    expect(reader.damage).toHaveLength(1);
    expect(reader.damage[0].reason).toMatch(/Incorrect chunk CRC/);
    expect(reader.damage[0].offset).toBe(chunk.start);
    expect(got.length).toBeGreaterThan(0);
    expect(got.length).toBeLessThan(total);
    expect(reader.damage[0].messagesLost).toBe(total - got.length);
    expectWritten(got);
  });

  it("does not lose messages silently to a damaged message index", async () => {
    // regression: @mcap/core skips a record of another kind where a message index should be (here its
    // opcode turned into Message's), dropping that channel's messages of the chunk without a word
    const index = topLevelRecords(bytes).find((r) => r.opcode === 0x07) as { start: number };
    const damaged = Uint8Array.from(bytes);
    damaged[index.start] = 0x05;
    const { reader, got } = await readAll(damagedCopy(damaged));
    expect(got).toHaveLength(total); // the stray "message" is not one: it is outside the chunks
    expectWritten(got);
    expect(reader.damage).toHaveLength(1);
    expect(reader.damage[0].reason).toMatch(/damaged message index at byte \d+/);
    expect(reader.damage[0].messagesLost).toBe(0);
  });

  it("does not drop a topic's messages when its message index names another channel", async () => {
    // regression: with a topic filter, @mcap/core skips the entries of a message index whose (unprotected)
    // channel id is not wanted
    const index = topLevelRecords(bytes).find((r) => r.opcode === 0x07) as { start: number };
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const channel = view.getUint16(index.start + 9, true);
    const damaged = Uint8Array.from(bytes);
    new DataView(damaged.buffer).setUint16(index.start + 9, channel + 100, true);
    const before = await readAll(dir, { topics });
    const after = await readAll(damagedCopy(damaged), { topics });
    expect(after.got.map((m) => [m.topic, m.logTime])).toEqual(before.got.map((m) => [m.topic, m.logTime]));
    expect(after.reader.damage).toHaveLength(1);
  });

  it("does not drop a message from a time window when its index entry has a damaged log time", async () => {
    // regression: @mcap/core picks a window's messages by their index entries' (unprotected) log times
    const endTime = T0 + 20_000_000n; // topic 0, step 2
    const view = new DataView(bytes.buffer, bytes.byteOffset);
    const damaged = Uint8Array.from(bytes);
    for (const r of topLevelRecords(bytes).filter((x) => x.opcode === 0x07)) {
      for (let e = r.start + 15; e < r.end; e += 16) if (view.getBigUint64(e, true) === endTime) damaged[e] ^= 0x02; // 2 ns later: outside
    }
    const window = { startTime: T0 + 10_000_000n, endTime };
    const before = await readAll(dir, window);
    const after = await readAll(damagedCopy(damaged), window);
    expect(after.got.map((m) => [m.topic, m.logTime])).toEqual(before.got.map((m) => [m.topic, m.logTime]));
    expect(after.got[after.got.length - 1].logTime).toBe(endTime);
    expect(after.reader.damage).toHaveLength(1);
  });

  it("asks for no read past the end of the file when the header's length is damaged", async () => {
    // regression: FileHandleReadable allocated the length read from the file (here 2^40 bytes) before
    // finding the file shorter
    const damaged = Uint8Array.from(bytes);
    new DataView(damaged.buffer).setBigUint64(9, 2n ** 40n, true);
    const read = jest.spyOn(FileHandleReadable.prototype, "read");
    try {
      const { reader } = await readAll(damagedCopy(damaged));
      expect(reader.damage).toHaveLength(1);
      for (const [, length] of read.mock.calls) expect(length).toBeLessThanOrEqual(BigInt(bytes.length));
    } finally {
      read.mockRestore();
    }
  });

  it("keeps the data section's schemas when the summary is damaged", async () => {
    // regression: the streaming reader took the summary's copies of the schemas too, replacing the intact
    // ones: here a field type changed in the summary decoded every message of the type wrongly
    const summaryStart = Number(new DataView(bytes.buffer, bytes.byteOffset).getBigUint64(bytes.length - 28, true));
    const at = Buffer.from(bytes).lastIndexOf("float64");
    expect(at).toBeGreaterThan(summaryStart);
    const damaged = Uint8Array.from(bytes);
    damaged.set(Buffer.from("float32"), at);
    const { reader, got } = await readAll(damagedCopy(damaged));
    expect(reader.damage[0].reason).toMatch(/summary unusable/);
    expect(got).toHaveLength(total);
    expectWritten(got);
  });

  it("reads an intact unchunked file (rosbag2's fastwrite preset) without reporting damage", async () => {
    // regression: a file without chunk indexes was reported as "summary unusable"
    const { reader, got } = await readAll(damagedCopy(await rewritten(bytes)));
    expect(reader.damage).toEqual([]);
    expect(got).toHaveLength(total);
    expectWritten(got);
  });

  it("reads the other topics of an unchunked file when one schema does not parse", async () => {
    // regression: open() threw the schema's parse error, so no message at all could be read
    const file = await rewritten(bytes);
    const schema = topLevelRecords(file).find((r) => r.opcode === 0x03) as { start: number };
    const view = new DataView(file.buffer, file.byteOffset);
    const nameLength = view.getUint32(schema.start + 11, true);
    const encodingAt = schema.start + 15 + nameLength;
    const dataAt = encodingAt + 4 + view.getUint32(encodingAt, true) + 4;
    file[dataAt] = "@".charCodeAt(0); // its first line no longer parses
    const warnings: string[] = [];
    const logger = { warn: (_o: unknown, msg: string) => warnings.push(msg) } as unknown as import("../../src/log").Logger;
    const reader = await BagReader.open(damagedCopy(file), { logger });
    expect(warnings.join("\n")).toMatch(/ignoring the bag's schema of/);
    let n = 0;
    for await (const _ of reader.messages()) n++; // the type's messages decode with the project's definition
    expect(n).toBe(total);
    await reader.close();
  });

  it("does not claim nothing was lost when a whole chunk is cut out", async () => {
    // regression: a data section read to its end counted as complete, so "0 message(s) lost"
    const chunk = topLevelRecords(bytes)
      .filter((r) => r.opcode === 0x06)
      .slice(-2)[0]; // all channels defined before it
    const damaged = new Uint8Array(bytes.length - (chunk.end - chunk.start));
    damaged.set(bytes.subarray(0, chunk.start));
    damaged.set(bytes.subarray(chunk.end), chunk.start);
    const withMetadata = await readAll(damagedCopy(damaged));
    expect(withMetadata.got.length).toBeLessThan(total);
    expect(withMetadata.reader.damage[0].messagesLost).toBe(total - withMetadata.got.length);
    const lone = await readAll(damagedCopy(damaged, true));
    expect(lone.reader.damage[0].messagesLost).toBeNull(); // the summary after the data counts more: unknown
  });

  it("allocates no more than a zstd chunk holds when its uncompressed_size is damaged", async () => {
    // regression: the WebAssembly zstd decompressor allocated the (CRC-less) size field, 1 GiB here, in a
    // heap that never shrinks
    const zstd = await rewritten(bytes, "zstd");
    const chunk = topLevelRecords(zstd).find((r) => r.opcode === 0x06) as { start: number };
    new DataView(zstd.buffer, zstd.byteOffset).setBigUint64(chunk.start + 9 + 16, 2n ** 30n, true);
    const before = process.memoryUsage().external;
    const { reader, got } = await readAll(damagedCopy(zstd));
    expect(process.memoryUsage().external - before).toBeLessThan(64 << 20);
    expect(reader.damage).toEqual([]); // the data is intact: the chunk's CRC says so
    expect(got).toHaveLength(total);
  });

  it("stops at a record whose length runs past the end of the file instead of buffering the rest", async () => {
    // regression: the streaming reader kept reading (and holding) the whole rest of the file for a chunk
    // whose length field was damaged, all of a multi-gigabyte bag if need be
    const big = path.join(root, "big");
    const writer = await BagWriter.create(big, { fileName: "big_0.mcap" });
    await writer.addTopic("/camera/image_raw", MessageTypes.image);
    const data = new Uint8Array(256 * 256 * 3).fill(7);
    for (let k = 0; k < 96; k++)
      await writer.write(
        "/camera/image_raw",
        { header: { stamp: { sec: k, nanosec: 0 }, frame_id: "c" }, height: 256, width: 256, encoding: "rgb8", is_bigendian: 0, step: 768, data },
        T0 + BigInt(k),
      );
    await writer.close();
    const file = path.join(big, "big_0.mcap");
    const mcap = new Uint8Array(fs.readFileSync(file));
    const chunk = topLevelRecords(mcap).find((r) => r.opcode === 0x06) as { start: number };
    new DataView(mcap.buffer).setBigUint64(chunk.start + 1, 2n ** 50n, true);
    fs.writeFileSync(file, mcap);
    const probe = await fs.promises.open(file, "r");
    const read = jest.spyOn(Object.getPrototypeOf(probe) as { read: (...a: unknown[]) => Promise<{ bytesRead: number }> }, "read");
    await probe.close();
    try {
      const recovered = await recoverMcap(file);
      expect(recovered.damage?.offset).toBe(chunk.start);
      expect(recovered.damage?.reason).toMatch(/file ends inside a chunk/);
      let bytesRead = 0;
      for (const r of read.mock.results) bytesRead += ((await r.value) as { bytesRead: number }).bytesRead;
      expect(mcap.length).toBeGreaterThan(16 << 20);
      expect(bytesRead).toBeLessThan(mcap.length / 2);
    } finally {
      read.mockRestore();
    }
  });

  it("rejects db3 bags with the conversion command", async () => {
    const db3 = path.join(root, "sqlite_bag");
    fs.mkdirSync(db3);
    fs.writeFileSync(path.join(db3, "sqlite_bag_0.db3"), "");
    await expect(BagReader.open(db3)).rejects.toThrow(/db3 bags are not supported: convert with `ros2 bag convert`/);
  });
});
