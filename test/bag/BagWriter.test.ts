import * as fs from "node:fs";
import * as path from "node:path";
import { McapIndexedReader } from "@mcap/core";
import { FileHandleReadable } from "@mcap/nodejs";
import { parse as parseYaml } from "yaml";
import { BagReader } from "../../src/bag/BagReader";
import { BagWriter } from "../../src/bag/BagWriter";
import { parseBagMetadata } from "../../src/bag/bagMetadata";
import { SAMPLE_MESSAGES } from "../ros/sampleMessages";
import { tempDir } from "./tempDir";

const T0 = 1_700_000_000_000_000_000n;
const root = tempDir("bagwriter");

/** Writes every sample type on its own topic, `perTopic` messages each, 10 ms apart, interleaved. */
async function writeAllTypes(dir: string, perTopic: number, chunkSize?: number): Promise<{ topics: string[] }> {
  const writer = await BagWriter.create(dir, { chunkSize });
  const types = Object.keys(SAMPLE_MESSAGES);
  const topics = types.map((t) => `/test/${t.replace(/\//g, "_")}`);
  for (let i = 0; i < types.length; i++) await writer.addTopic(topics[i], types[i], i === 2 ? { qos: { reliability: "best_effort", durability: "volatile" } } : {});
  for (let k = 0; k < perTopic; k++) {
    for (let i = 0; i < types.length; i++) await writer.write(topics[i], SAMPLE_MESSAGES[types[i]], T0 + BigInt(k * 10_000_000 + i * 1000));
  }
  await writer.close();
  return { topics };
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
    for await (const m of reader.messages({ topics: [topics[0], topics[4]], startTime: T0 + 10_000_000n, endTime: T0 + 20_000_000n })) got.push([m.topic, m.logTime]);
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
    expect(info.files).toEqual([{ path: "all_types_0.mcap", starting_time: { nanoseconds_since_epoch: T0 }, duration: { nanoseconds: last - T0 }, message_count: BigInt(3 * topics.length) }]);
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
    expect(warnings[0]).toMatch(new RegExp(`cut_0\\.mcap is damaged at byte ${d.offset} of ${length}.*read ${got.length} message\\(s\\) before it, ${total - got.length} message\\(s\\) lost`));
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

  it("rejects db3 bags with the conversion command", async () => {
    const db3 = path.join(root, "sqlite_bag");
    fs.mkdirSync(db3);
    fs.writeFileSync(path.join(db3, "sqlite_bag_0.db3"), "");
    await expect(BagReader.open(db3)).rejects.toThrow(/db3 bags are not supported: convert with `ros2 bag convert`/);
  });
});
