/**
 * Corruption fuzzing of the bag reader (src/bag/BagReader.ts) and the DROID episode reader
 * (src/bag/droidEpisode.ts, src/bag/convertDroid.ts).
 *
 * MCAP: a small bag written with the project's BagWriter (3 topics, 36 messages, several uncompressed
 * chunks), the same records rewritten with zstd-compressed chunks, and unchunked (rosbag2's `fastwrite`
 * preset: no chunks, no CRCs). Each mutant is written next to the bag's metadata.yaml (or alone, without
 * it), opened with `BagReader.open` as `bag-info` and `replay` do, and every message is read and decoded.
 * What the reader promises, and what each mutant is checked for:
 * - open() does not throw for damaged content (non-strict) and messages() does not throw, except that in
 *   an unchunked file (nothing protects its bytes) a corrupted payload may end the iteration with an
 *   error naming the file;
 * - no mutant takes more than {@link MCAP_TIME_LIMIT_MS}, grows rss, the JS heap, array buffers or
 *   external memory (WebAssembly decompressors' heaps) by more than {@link MEMORY_LIMIT_BYTES}, or asks
 *   for one buffer larger than that ({@link AllocationProbe});
 * - the messages before the damage come back exactly (topic, type, times, CDR bytes, decoded message):
 *   for a file cut at byte k, every message whose record ends by k (in an uncompressed chunk too); for
 *   any other damage at first changed byte d, every message of a chunk (or, unchunked, every message
 *   record) that ends by d;
 * - CRC-protected files (chunked) never return a message that is not in the original;
 * - messages come in log-time order;
 * - whenever a message of the original is missing, a damage report says so, and its count of lost
 *   messages, when given, is the true one; the report is self-consistent (offset within the file, the
 *   file size of the mutant, messagesRead = messages returned);
 * - every other mutant is read again: with `strict` (it throws a damage report exactly when the
 *   non-strict read reported damage), or for two topics in a time window (a fresh reader gives every
 *   message of the full read in that selection, nothing else).
 * Two exceptions follow from the format: a copied range may return a chunk's messages twice (the copy
 * passes its CRC), and, read through the index, a message whose own index entry has a changed log time
 * is dropped as lost (it is found after later messages were given). Findings outside src/bag are
 * counted, not failed: {@link KNOWN_OUTSIDE_BAG}.
 *
 * DROID: the synthetic episode of test/bag/droidFixture.ts; trajectory.h5 mutants are read with
 * readDroidEpisode (in-process, jsfive), MP4 mutants are converted with convertDroidEpisode (ffmpeg).
 * Each must give an episode whose arrays agree with each other (and whose step times can be computed),
 * or a clear error (an Error naming the file or the episode), within the time and memory limits. The
 * metadata JSON of an episode is not read by the project, so it is not fuzzed.
 *
 * Every mutant is reproducible from (seed, index): see runBagFuzz.ts `--seed S --only I`.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { isDeepStrictEqual } from "node:util";
import { McapStreamReader, McapWriter, TempBuffer, type McapTypes } from "@mcap/core";
import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from "pure-rand";
import { BagReader, formatDamage, type BagDamage } from "../../src/bag/BagReader";
import { BagWriter } from "../../src/bag/BagWriter";
import { convertDroidEpisode } from "../../src/bag/convertDroid";
import { readDroidEpisode, type DroidEpisode } from "../../src/bag/droidEpisode";
import { eulerXyzToQuaternion } from "../../src/pose/poseMath";
import { MessageTypes, timeFromNanoseconds, type Float64MultiArray, type JointState, type PoseStamped } from "../../src/ros/messages";
import { SERIALS, writeSyntheticDroidEpisode } from "../bag/droidFixture";

// ---------------------------------------------------------------------------------------------------
// Limits

/** A mutant that takes longer than this to open and read is a hang. */
export const MCAP_TIME_LIMIT_MS = 2000;
/** readDroidEpisode on one h5 mutant. */
export const H5_TIME_LIMIT_MS = 2000;
/** convertDroidEpisode on one MP4 mutant (two ffmpeg processes). */
export const MP4_TIME_LIMIT_MS = 20000;
/** Growth of rss / heap / array buffers over one mutant, and the largest single buffer asked for. */
export const MEMORY_LIMIT_BYTES = 256 * 1024 * 1024;

// ---------------------------------------------------------------------------------------------------
// Random numbers

/** A seeded stream (pure-rand xoroshiro128+). */
export class Rng {
  readonly #g: RandomGenerator;
  constructor(seed: number) {
    this.#g = xoroshiro128plus(seed | 0);
    for (let i = 0; i < 4; i++) this.#g.unsafeNext(); // the first draws of a 32-bit seed are correlated
  }
  /** Uniform integer in [lo, hi] (inclusive). */
  int(lo: number, hi: number): number {
    return hi <= lo ? lo : unsafeUniformIntDistribution(lo, hi, this.#g);
  }
  /** Uniform integer in [0, n). */
  below(n: number): number {
    return this.int(0, n - 1);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.below(xs.length)];
  }
  chance(p: number): boolean {
    return this.int(0, 999_999) < p * 1_000_000;
  }
  bytes(n: number): Uint8Array {
    const out = new Uint8Array(n);
    for (let i = 0; i < n; i++) out[i] = this.int(0, 255);
    return out;
  }
}

/** The seed of mutant `index` of a run seeded with `seed` (murmur3 finaliser), so any mutant can be rebuilt alone. */
export function mutantSeed(seed: number, index: number): number {
  let h = (seed | 0) ^ Math.imul(index + 1, 0x9e3779b1);
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) | 0;
}

// ---------------------------------------------------------------------------------------------------
// Memory: rss/heap growth and the largest buffer asked for

/**
 * Records the allocations asked for while installed through `new ArrayBuffer`, `new Array` or a typed
 * array constructor (a corrupted length field most often shows as one huge allocation, which may not
 * touch rss at all, or fail with a RangeError caught somewhere): the largest, in bytes, and where each
 * big one came from. Test instrumentation only: the constructors are wrapped in Proxies that forward
 * everything, and restored by uninstall().
 */
export class AllocationProbe {
  /** Bytes of the largest allocation since reset(). */
  largest = 0;
  /** Where the largest allocation over the limit was asked for (the first frames of its stack). */
  largestAt = "";
  /** Call sites of the allocations of 16 MiB or more since reset(). */
  bigSites: string[] = [];
  #saved: Array<[string, unknown]> = [];

  reset(): void {
    this.largest = 0;
    this.largestAt = "";
    this.bigSites = [];
  }

  install(): void {
    if (this.#saved.length > 0) return;
    const g = globalThis as unknown as Record<string, unknown>;
    for (const name of [
      "ArrayBuffer",
      "Array",
      "Uint8Array",
      "Int8Array",
      "Uint16Array",
      "Int16Array",
      "Uint32Array",
      "Int32Array",
      "Float32Array",
      "Float64Array",
      "BigInt64Array",
      "BigUint64Array",
    ]) {
      const original = g[name] as { new (...args: unknown[]): object; BYTES_PER_ELEMENT?: number };
      const bytesPer = name === "ArrayBuffer" ? 1 : (original.BYTES_PER_ELEMENT ?? 8);
      this.#saved.push([name, original]);
      // eslint-disable-next-line @typescript-eslint/no-this-alias
      const probe = this;
      const proxy: object = new Proxy(original, {
        construct(target, args, newTarget) {
          probe.#note(args[0], bytesPer);
          return Reflect.construct(target, args, newTarget === proxy ? target : newTarget) as object;
        },
        apply(target, self, args) {
          if (name === "Array" && args.length === 1) probe.#note(args[0], bytesPer);
          return Reflect.apply(target as unknown as (...a: unknown[]) => unknown, self, args) as object;
        },
      });
      g[name] = proxy;
    }
  }

  uninstall(): void {
    const g = globalThis as unknown as Record<string, unknown>;
    for (const [name, original] of this.#saved) g[name] = original;
    this.#saved = [];
  }

  #note(length: unknown, bytesPer: number): void {
    if (typeof length !== "number" || !(length * bytesPer >= 16 * 2 ** 20)) return;
    const bytes = length * bytesPer;
    const site = (new Error().stack ?? "")
      .split("\n")
      .slice(3, 7)
      .map((l) => l.trim().replace(/^at /, ""))
      .join(" < ");
    this.bigSites.push(site);
    if (bytes > this.largest) {
      this.largest = bytes;
      this.largestAt = site;
    }
  }
}

interface MemorySample {
  rss: number;
  heapUsed: number;
  arrayBuffers: number;
  /** Memory outside the JS heap, WebAssembly memories included (the decompressors' heaps never shrink). */
  external: number;
}

function memory(): MemorySample {
  const m = process.memoryUsage();
  return { rss: m.rss, heapUsed: m.heapUsed, arrayBuffers: m.arrayBuffers, external: m.external };
}

/** Problems with memory over one mutant (empty when within limits). */
function memoryProblems(before: MemorySample, after: MemorySample, probe: AllocationProbe): string[] {
  const out: string[] = [];
  const mb = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;
  for (const k of ["rss", "heapUsed", "arrayBuffers", "external"] as const) {
    if (after[k] - before[k] > MEMORY_LIMIT_BYTES)
      out.push(`memory: ${k} grew by ${mb(after[k] - before[k])}${probe.bigSites.length > 0 ? `; big allocations at ${probe.bigSites.join(" | ")}` : ""}`);
  }
  if (probe.largest > MEMORY_LIMIT_BYTES) out.push(`memory: asked for one buffer of ${mb(probe.largest)}, at ${probe.largestAt}`);
  return out;
}

/** Runs `f`, measuring time and memory; the promise is raced against `limitMs` (for awaits that never settle). */
async function measured<T>(
  probe: AllocationProbe,
  limitMs: number,
  f: () => Promise<T>,
): Promise<{ value: T | undefined; error: unknown; elapsedMs: number; problems: string[] }> {
  probe.reset();
  const before = memory();
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  let value: T | undefined;
  let error: unknown = null;
  let timedOut = false;
  try {
    value = await Promise.race([
      f(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => {
          timedOut = true;
          reject(new Error(`no answer after ${limitMs * 3} ms`));
        }, limitMs * 3);
      }),
    ]);
  } catch (e) {
    error = e;
  } finally {
    clearTimeout(timer);
  }
  const elapsedMs = performance.now() - started;
  const problems = memoryProblems(before, memory(), probe);
  if (timedOut || elapsedMs > limitMs) problems.push(`hang: took ${Math.round(elapsedMs)} ms (limit ${limitMs} ms)`);
  return { value, error, elapsedMs, problems };
}

// ---------------------------------------------------------------------------------------------------
// MCAP fixtures and their layout

export type McapVariant = "chunked" | "zstd" | "unchunked";
export const MCAP_VARIANTS: readonly McapVariant[] = ["chunked", "zstd", "unchunked"];

/** One message of the original file and where its bytes are. */
export interface OriginalMessage {
  topic: string;
  type: string;
  logTime: bigint;
  publishTime: bigint;
  data: Uint8Array;
  /** Decoded by BagReader from the intact file. */
  message: unknown;
  /** Absolute byte range of the Message record (for a compressed chunk: the chunk's). */
  recordStart: number;
  recordEnd: number;
  /** Byte range of the top-level record holding it (the chunk, or the message itself when unchunked). */
  containerStart: number;
  containerEnd: number;
  /** Where the log time of its message index entry is (8 bytes), or -1 (unchunked: none). */
  indexTimeAt: number;
}

/** A top-level record. */
export interface RecordSpan {
  opcode: number;
  name: string;
  start: number;
  end: number;
}

/** A length (or offset) field of a record: where mutations that cause unbounded allocation aim. */
export interface LengthField {
  offset: number;
  width: 4 | 8;
  what: string;
}

export interface McapFixture {
  variant: McapVariant;
  /** The bag directory (metadata.yaml + the MCAP file). */
  dir: string;
  fileName: string;
  bytes: Uint8Array;
  messages: OriginalMessage[];
  records: RecordSpan[];
  lengthFields: LengthField[];
  /** Ends of Message records inside uncompressed chunks or at top level (truncation targets). */
  messageEnds: number[];
}

const OPCODES: Record<number, string> = {
  1: "Header",
  2: "Footer",
  3: "Schema",
  4: "Channel",
  5: "Message",
  6: "Chunk",
  7: "MessageIndex",
  8: "ChunkIndex",
  9: "Attachment",
  10: "AttachmentIndex",
  11: "Statistics",
  12: "Metadata",
  13: "MetadataIndex",
  14: "SummaryOffset",
  15: "DataEnd",
};

const T0 = 1_710_000_000_000_000_000n;
export const FIXTURE_STEPS = 12;

/** The bag every MCAP variant holds: 3 topics × 12 steps, 50 ms apart, small messages. */
async function writeSourceBag(dir: string): Promise<void> {
  // a small chunk size: several chunks, so damage can fall between, inside and after them
  const writer = await BagWriter.create(dir, { chunkSize: 700, fileName: "fuzz_0.mcap" });
  await writer.addTopic("/robot/ee_pose", MessageTypes.poseStamped);
  await writer.addTopic("/robot/gripper", MessageTypes.jointState);
  await writer.addTopic("/droid/action", MessageTypes.float64MultiArray);
  const q = new Float64Array(4);
  for (let k = 0; k < FIXTURE_STEPS; k++) {
    const t = T0 + BigInt(k) * 50_000_000n;
    const stamp = timeFromNanoseconds(t);
    eulerXyzToQuaternion(Math.PI - 0.01 * k, 0.02 * k, -0.3 + 0.015 * k, q);
    const pose: PoseStamped = {
      header: { stamp, frame_id: "base" },
      pose: { position: { x: 0.4 + 0.01 * k, y: -0.1, z: 0.3 - 0.002 * k }, orientation: { x: q[0], y: q[1], z: q[2], w: q[3] } },
    };
    await writer.write("/robot/ee_pose", pose, t);
    const gripper: JointState = { header: { stamp, frame_id: "" }, name: ["gripper"], position: [Math.min(1, k / 10)], velocity: [], effort: [] };
    await writer.write("/robot/gripper", gripper, t + 1000n);
    const action: Float64MultiArray = {
      layout: { dim: [{ label: "cartesian_position+gripper_position", size: 7, stride: 7 }], data_offset: 0 },
      data: [k, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6],
    };
    await writer.write("/droid/action", action, t + 2000n, t + 1500n);
  }
  await writer.close();
}

/** Rewrites the records of `bytes` with @mcap/core's writer: zstd chunks, or no chunks. */
async function rewrite(bytes: Uint8Array, variant: "zstd" | "unchunked"): Promise<Uint8Array> {
  const reader = new McapStreamReader({ validateCrcs: true });
  reader.append(bytes);
  const schemas: Array<McapTypes.TypedMcapRecords["Schema"]> = [];
  const channels: Array<McapTypes.TypedMcapRecords["Channel"]> = [];
  const messages: Array<McapTypes.TypedMcapRecords["Message"]> = [];
  let header: McapTypes.TypedMcapRecords["Header"] | undefined;
  for (let r; (r = reader.nextRecord()) !== undefined;) {
    if (r.type === "Header") header = r;
    else if (r.type === "Schema" && !schemas.some((x) => x.id === r.id))
      schemas.push(r); // (the summary repeats them)
    else if (r.type === "Channel" && !channels.some((x) => x.id === r.id)) channels.push(r);
    else if (r.type === "Message") messages.push(r);
  }
  const out = new TempBuffer();
  let compressChunk: ((data: Uint8Array) => { compression: string; compressedData: Uint8Array }) | undefined;
  if (variant === "zstd") {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const zstd = require("@foxglove/wasm-zstd") as { isLoaded: Promise<void>; compress(data: Uint8Array, level?: number): Uint8Array };
    await zstd.isLoaded;
    compressChunk = (data) => ({ compression: "zstd", compressedData: new Uint8Array(zstd.compress(data, 3)) });
  }
  const writer = new McapWriter({ writable: out, useChunks: variant === "zstd", chunkSize: 700, compressChunk });
  await writer.start({ profile: header?.profile ?? "ros2", library: header?.library ?? "fuzz" });
  const schemaIds = new Map<number, number>();
  for (const s of schemas) schemaIds.set(s.id, await writer.registerSchema({ name: s.name, encoding: s.encoding, data: s.data }));
  const channelIds = new Map<number, number>();
  for (const c of channels)
    channelIds.set(
      c.id,
      await writer.registerChannel({ topic: c.topic, messageEncoding: c.messageEncoding, schemaId: schemaIds.get(c.schemaId) ?? 0, metadata: c.metadata }),
    );
  for (const m of messages) await writer.addMessage({ ...m, channelId: channelIds.get(m.channelId) ?? 0 });
  await writer.end();
  return out.get();
}

/** Walks the records of an intact file: top-level spans, length fields, message positions. */
interface Layout {
  records: RecordSpan[];
  lengthFields: LengthField[];
  messagePositions: Array<{ start: number; end: number; containerStart: number; containerEnd: number }>;
  messageEnds: number[];
  /** Message index entries: the entry's channel topic and log time, and where its log time is. */
  indexEntries: Array<{ topic: string; logTime: bigint; at: number }>;
}

function layoutOf(bytes: Uint8Array): Layout {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u32 = (at: number): number => view.getUint32(at, true);
  const u64 = (at: number): number => Number(view.getBigUint64(at, true));
  const records: RecordSpan[] = [];
  const lengthFields: LengthField[] = [];
  const messagePositions: Array<{ start: number; end: number; containerStart: number; containerEnd: number }> = [];
  const messageEnds: number[] = [];
  const topics = new Map<number, string>();
  const entries: Array<{ channel: number; logTime: bigint; at: number }> = [];
  const field = (offset: number, width: 4 | 8, what: string): void => {
    lengthFields.push({ offset, width, what });
  };
  /** A string (u32 length + bytes) at `at`: returns the offset after it. */
  const str = (at: number, what: string): number => {
    field(at, 4, what);
    return at + 4 + u32(at);
  };
  /** Records in [from, to): adds their fields; `container` is the top-level record holding them. */
  const walk = (from: number, to: number, container: RecordSpan | null): void => {
    let at = from;
    while (at + 9 <= to) {
      const opcode = bytes[at];
      const length = u64(at + 1);
      const start = at;
      const end = at + 9 + length;
      const name = OPCODES[opcode] ?? `0x${opcode.toString(16)}`;
      const span: RecordSpan = { opcode, name, start, end };
      if (container === null) records.push(span);
      field(at + 1, 8, `${name} record length${container === null ? "" : " (in chunk)"}`);
      const c = at + 9;
      switch (opcode) {
        case 1: // Header: profile, library
          str(str(c, "Header profile length"), "Header library length");
          break;
        case 2: // Footer
          field(c, 8, "Footer summary_start");
          field(c + 8, 8, "Footer summary_offset_start");
          break;
        case 3: {
          // Schema: id u16, name, encoding, data (u32 length)
          const afterEncoding = str(str(c + 2, "Schema name length"), "Schema encoding length");
          field(afterEncoding, 4, "Schema data length");
          break;
        }
        case 4: {
          // Channel: id u16, schema id u16, topic, encoding, metadata map
          const mapAt = str(str(c + 4, "Channel topic length"), "Channel encoding length");
          topics.set(view.getUint16(c, true), new TextDecoder().decode(bytes.subarray(c + 8, c + 8 + u32(c + 4))));
          field(mapAt, 4, "Channel metadata map length");
          let p = mapAt + 4;
          while (p < mapAt + 4 + u32(mapAt)) p = str(str(p, "Channel metadata key length"), "Channel metadata value length");
          break;
        }
        case 5: {
          const outer = container ?? span;
          messagePositions.push({ start, end, containerStart: outer.start, containerEnd: outer.end });
          messageEnds.push(end);
          break;
        }
        case 6: {
          // Chunk: start u64, end u64, uncompressed size u64, crc u32, compression, records (u64 length)
          field(c + 16, 8, "Chunk uncompressed_size");
          const recordsLengthAt = str(c + 28, "Chunk compression length");
          field(recordsLengthAt, 8, "Chunk records length");
          const compressionLength = u32(c + 28);
          const compression = new TextDecoder().decode(bytes.subarray(c + 32, c + 32 + compressionLength));
          const recordsAt = recordsLengthAt + 8;
          // a compressed chunk's messages are positioned at the whole chunk (buildMcapFixtures)
          if (compression === "") walk(recordsAt, recordsAt + u64(recordsLengthAt), span);
          else span.name = `Chunk(${compression})`;
          break;
        }
        case 7: // MessageIndex: channel id u16, records array (u32 byte length) of (log time u64, offset u64)
          field(c + 2, 4, "MessageIndex records length");
          for (let e = c + 6; e < c + 6 + u32(c + 2); e += 16) entries.push({ channel: view.getUint16(c, true), logTime: view.getBigUint64(e, true), at: e });
          break;
        case 8: {
          // ChunkIndex: start, end, chunk_start_offset, chunk_length, offsets map, index length, compression, sizes
          field(c + 16, 8, "ChunkIndex chunk_start_offset");
          field(c + 24, 8, "ChunkIndex chunk_length");
          field(c + 32, 4, "ChunkIndex message_index_offsets length");
          const afterMap = c + 36 + u32(c + 32);
          field(afterMap, 8, "ChunkIndex message_index_length");
          const afterCompression = str(afterMap + 8, "ChunkIndex compression length");
          field(afterCompression, 8, "ChunkIndex compressed_size");
          field(afterCompression + 8, 8, "ChunkIndex uncompressed_size");
          break;
        }
        case 11: // Statistics: message_count u64, ..., channel_message_counts map at +38
          field(c, 8, "Statistics message_count");
          field(c + 38, 4, "Statistics channel_message_counts length");
          break;
        case 14: // SummaryOffset: group opcode u8, group start u64, group length u64
          field(c + 1, 8, "SummaryOffset group_start");
          field(c + 9, 8, "SummaryOffset group_length");
          break;
        default:
          break;
      }
      if (opcode === 2) break; // Footer: then the magic
      at = end;
    }
  };
  walk(8, bytes.length - 8, null);
  const indexEntries = entries.map((e) => ({ topic: topics.get(e.channel) ?? "", logTime: e.logTime, at: e.at }));
  return { records, lengthFields, messagePositions, messageEnds, indexEntries };
}

/**
 * Writes the three MCAP variants under `root` (each a bag directory with metadata.yaml) and reads each
 * intact with BagReader: the reference every mutant is compared with.
 */
export async function buildMcapFixtures(root: string): Promise<McapFixture[]> {
  const sourceDir = path.join(root, "source");
  await writeSourceBag(sourceDir);
  const source = new Uint8Array(fs.readFileSync(path.join(sourceDir, "fuzz_0.mcap")));
  const metadataYaml = fs.readFileSync(path.join(sourceDir, "metadata.yaml"));
  const fixtures: McapFixture[] = [];
  for (const variant of MCAP_VARIANTS) {
    const bytes = variant === "chunked" ? source : await rewrite(source, variant);
    const dir = path.join(root, variant);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "fuzz_0.mcap"), bytes);
    fs.writeFileSync(path.join(dir, "metadata.yaml"), metadataYaml);
    const { records, lengthFields, messagePositions, messageEnds, indexEntries } = layoutOf(bytes);
    const reader = await BagReader.open(dir);
    if (reader.damage.length > 0 && process.env.FUZZ_TOLERATE !== "1")
      throw new Error(`fixture ${variant} reads as damaged: ${reader.damage.map(formatDamage).join("; ")}`);
    const read: Array<Omit<OriginalMessage, "recordStart" | "recordEnd" | "containerStart" | "containerEnd" | "indexTimeAt">> = [];
    for await (const m of reader.messages())
      read.push({ topic: m.topic, type: m.type, logTime: m.logTime, publishTime: m.publishTime, data: new Uint8Array(m.data), message: m.message });
    await reader.close();
    // file order is log-time order in these files (written in time order), so the i-th message read is the
    // i-th Message record; compressed chunks give each message the chunk's range
    const chunks = records.filter((r) => r.opcode === 6);
    const positions =
      messagePositions.length === read.length
        ? messagePositions
        : read.map((m) => {
            const chunk = chunksHolding(chunks, bytes, m.logTime);
            return { start: chunk.start, end: chunk.end, containerStart: chunk.start, containerEnd: chunk.end };
          });
    const indexTimeAt = (m: { topic: string; logTime: bigint }): number => indexEntries.find((e) => e.topic === m.topic && e.logTime === m.logTime)?.at ?? -1;
    const messages = read.map((m, i) => ({
      ...m,
      recordStart: positions[i].start,
      recordEnd: positions[i].end,
      containerStart: positions[i].containerStart,
      containerEnd: positions[i].containerEnd,
      indexTimeAt: indexTimeAt(m),
    }));
    if (variant !== "unchunked" && messages.some((m) => m.indexTimeAt < 0)) throw new Error(`fixture ${variant}: a message without its message index entry`);
    fixtures.push({ variant, dir, fileName: "fuzz_0.mcap", bytes, messages, records, lengthFields, messageEnds: variant === "zstd" ? [] : messageEnds });
  }
  return fixtures;
}

/** The compressed chunk whose time range holds `logTime` (chunks of these fixtures do not overlap). */
function chunksHolding(chunks: RecordSpan[], bytes: Uint8Array, logTime: bigint): RecordSpan {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const found = chunks.find((c) => view.getBigUint64(c.start + 9, true) <= logTime && logTime <= view.getBigUint64(c.start + 17, true));
  if (found === undefined) throw new Error(`no chunk holds log time ${logTime}`);
  return found;
}

// ---------------------------------------------------------------------------------------------------
// Mutations

export const MCAP_MUTATIONS = ["truncate", "bitflip", "multiflip", "overwrite", "length", "duplicate", "remove"] as const;
export type McapMutation = (typeof MCAP_MUTATIONS)[number];

export interface Mutant {
  kind: string;
  bytes: Uint8Array;
  /** What was done, with the record it hit. */
  description: string;
  /** For truncation: the new length. */
  truncatedAt: number | null;
}

const U64_VALUES = [2n ** 64n - 1n, 2n ** 63n, 2n ** 53n + 1n, 2n ** 53n - 1n, 2n ** 40n, 2n ** 32n + 5n, 2n ** 32n - 1n, 2n ** 31n, 2n ** 30n, 2n ** 28n];
const U32_VALUES = [0xffffffff, 0x80000000, 0x7fffffff, 0x40000000, 0x10000000, 0x01000000];

function where(records: readonly RecordSpan[], offset: number): string {
  if (offset < 8) return "in the leading magic";
  const r = records.find((s) => s.start <= offset && offset < s.end);
  return r === undefined ? "in the trailing magic" : `in ${r.name} [${r.start}, ${r.end}) at +${offset - r.start}`;
}

/** An offset in [0, size): uniform, or aimed at a region (header, footer, summary, a chunk, a record start). */
function aim(rng: Rng, f: { bytes: Uint8Array; records: readonly RecordSpan[]; messageEnds: readonly number[] }): number {
  const size = f.bytes.length;
  const r = rng.below(8);
  const clamp = (x: number): number => Math.max(0, Math.min(size - 1, x));
  switch (r) {
    case 0:
      return rng.below(size);
    case 1: {
      const header = f.records[0];
      return rng.int(0, header.end + 4);
    }
    case 2:
      return clamp(size - rng.int(1, 60)); // footer + magic
    case 3: {
      const summary = f.records.filter((s) => s.opcode !== 5 && s.opcode !== 6 && s.opcode !== 7 && s.opcode !== 1);
      const s = rng.pick(summary);
      return rng.int(s.start, s.end - 1);
    }
    case 4: {
      const chunks = f.records.filter((s) => s.opcode === 6 || s.opcode === 5);
      const c = rng.pick(chunks);
      return rng.int(c.start, c.end - 1);
    }
    case 5: {
      const s = rng.pick(f.records);
      return clamp(s.start + rng.int(0, 12)); // opcode, length, first field
    }
    case 6:
      return f.messageEnds.length > 0 ? clamp(rng.pick(f.messageEnds) + rng.int(-3, 3)) : rng.below(size);
    default: {
      const s = rng.pick(f.records);
      return clamp(s.end + rng.int(-2, 1));
    }
  }
}

/** Mutant `index` of a run seeded with `seed` (kind chosen by the mutant's own rng). */
export function mutateMcap(f: McapFixture, seed: number, index: number, kinds: readonly McapMutation[] = MCAP_MUTATIONS): Mutant {
  const rng = new Rng(mutantSeed(seed, index));
  const kind = rng.pick(kinds);
  const src = f.bytes;
  const size = src.length;
  switch (kind) {
    case "truncate": {
      const k = aim(rng, f);
      return { kind, bytes: src.slice(0, k), description: `truncate to ${k} bytes (${where(f.records, k)})`, truncatedAt: k };
    }
    case "bitflip":
    case "multiflip": {
      const out = src.slice();
      const n = kind === "bitflip" ? 1 : rng.int(2, 8);
      const clustered = rng.chance(0.5);
      const base = aim(rng, f);
      const flips: string[] = [];
      for (let i = 0; i < n; i++) {
        const at = clustered ? Math.min(size - 1, base + rng.int(0, 16)) : i === 0 ? base : rng.below(size);
        const bit = rng.int(0, 7);
        out[at] ^= 1 << bit;
        flips.push(`${at}.${bit}`);
      }
      return {
        kind,
        bytes: out,
        description: `flip bit(s) ${flips.join(", ")} (first ${where(f.records, Number(flips[0].split(".")[0]))})`,
        truncatedAt: null,
      };
    }
    case "overwrite": {
      const out = src.slice();
      const at = aim(rng, f);
      const len = Math.min(size - at, rng.chance(0.1) ? rng.int(65, 600) : rng.int(1, 64));
      const fill = rng.pick(["random", "zero", "0xff"] as const);
      out.set(fill === "random" ? rng.bytes(len) : new Uint8Array(len).fill(fill === "zero" ? 0 : 0xff), at);
      return { kind, bytes: out, description: `overwrite [${at}, ${at + len}) with ${fill} bytes (${where(f.records, at)})`, truncatedAt: null };
    }
    case "length": {
      const out = src.slice();
      const field = rng.pick(f.lengthFields);
      const view = new DataView(out.buffer);
      let value: string;
      if (field.width === 8) {
        const original = view.getBigUint64(field.offset, true);
        const v = rng.pick([...U64_VALUES, BigInt(size), BigInt(size) + 1n, original + 1n, original > 0n ? original - 1n : 1n, original * 2n, 0n]);
        view.setBigUint64(field.offset, BigInt.asUintN(64, v), true);
        value = `${v}`;
      } else {
        const original = view.getUint32(field.offset, true);
        const v = rng.pick([...U32_VALUES, size, original + 1, original > 0 ? original - 1 : 1, 0]);
        view.setUint32(field.offset, v >>> 0, true);
        value = `${v >>> 0}`;
      }
      return { kind, bytes: out, description: `set ${field.what} at ${field.offset} to ${value}`, truncatedAt: null };
    }
    case "duplicate": {
      const whole = rng.chance(0.3);
      const s = rng.pick(f.records);
      const from = whole ? s.start : aim(rng, f);
      const len = whole ? s.end - s.start : Math.min(size - from, rng.int(1, 256));
      const to = rng.chance(0.5) ? from + len : aim(rng, f);
      const out = new Uint8Array(size + len);
      out.set(src.subarray(0, to), 0);
      out.set(src.subarray(from, from + len), to);
      out.set(src.subarray(to), to + len);
      return { kind, bytes: out, description: `insert a copy of [${from}, ${from + len}) at ${to} (${where(f.records, to)})`, truncatedAt: null };
    }
    case "remove": {
      const whole = rng.chance(0.3);
      const s = rng.pick(f.records);
      const from = whole ? s.start : aim(rng, f);
      const len = whole ? s.end - s.start : Math.min(size - from, rng.int(1, 256));
      const out = new Uint8Array(size - len);
      out.set(src.subarray(0, from), 0);
      out.set(src.subarray(from + len), from);
      return { kind, bytes: out, description: `remove [${from}, ${from + len}) (${where(f.records, from)})`, truncatedAt: null };
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Reading a mutant and checking it

/** One message as returned by the reader. */
export interface ReturnedMessage {
  topic: string;
  type: string;
  logTime: bigint;
  publishTime: bigint;
  data: Uint8Array;
  message: unknown;
}

/** What reading a bag gave: messages before any error, damage reports, the error (open or iteration). */
export interface ReadOutcome {
  messages: ReturnedMessage[];
  damage: BagDamage[];
  /** Thrown by open(), or by messages() mid-iteration; null when none. */
  error: { phase: "open" | "messages"; error: unknown } | null;
}

/** How a mutant is read (the real BagReader, or a stub in the self-test). */
export type ReadBag = (bagPath: string) => Promise<ReadOutcome>;

/** Reads `bagPath` the way `bag-info` and `replay` do: open (non-strict), topics, every message decoded. */
export const readWithBagReader: ReadBag = async (bagPath) => {
  const out: ReadOutcome = { messages: [], damage: [], error: null };
  let reader: BagReader;
  try {
    reader = await BagReader.open(bagPath);
  } catch (error) {
    out.error = { phase: "open", error };
    return out;
  }
  try {
    reader.topics();
    for await (const m of reader.messages())
      out.messages.push({ topic: m.topic, type: m.type, logTime: m.logTime, publishTime: m.publishTime, data: new Uint8Array(m.data), message: m.message });
  } catch (error) {
    out.error = { phase: "messages", error };
  } finally {
    out.damage = [...reader.damage];
    for (const d of out.damage) formatDamage(d);
    await reader.close();
  }
  return out;
};

/**
 * Reads `bagPath` with `strict`: it must throw a damage error (from open or messages) exactly when the
 * non-strict read `main` reported damage, and otherwise read the same messages.
 */
async function strictProblems(bagPath: string, main: ReadOutcome): Promise<string[]> {
  let count = 0;
  let error: unknown = null;
  try {
    const reader = await BagReader.open(bagPath, { strict: true });
    try {
      for await (const _ of reader.messages({ decode: false })) count++;
    } finally {
      await reader.close();
    }
  } catch (e) {
    error = e;
  }
  if (main.damage.length === 0) {
    if (error !== null) return [`strict: threw ${errorText(error)} where the non-strict read found no damage`];
    return main.error === null && count !== main.messages.length ? [`strict: read ${count} messages, non-strict ${main.messages.length}`] : [];
  }
  if (error === null) return [`strict: read the damaged file without throwing (${formatDamage(main.damage[0])})`];
  return error instanceof Error && / is damaged at byte \d+ of \d+ /.test(error.message) ? [] : [`strict: threw ${errorText(error)}, not a damage report`];
}

const FILTER_TOPICS = ["/robot/ee_pose", "/droid/action"];
const FILTER_START = T0 + 100_000_000n;
const FILTER_END = T0 + 450_000_000n;

/**
 * Reads `bagPath` again (a fresh reader) for two topics in a time window: it must give every message of
 * the full read `main` in that selection, only original messages (CRC-protected files) and only the
 * selection, in log-time order.
 */
async function filteredProblems(f: McapFixture, bagPath: string, main: ReadOutcome): Promise<string[]> {
  if (main.error !== null) return [];
  const got = await (async () => {
    const reader = await BagReader.open(bagPath);
    try {
      const out: ReturnedMessage[] = [];
      for await (const m of reader.messages({ topics: FILTER_TOPICS, startTime: FILTER_START, endTime: FILTER_END }))
        out.push({ topic: m.topic, type: m.type, logTime: m.logTime, publishTime: m.publishTime, data: new Uint8Array(m.data), message: m.message });
      return out;
    } finally {
      await reader.close();
    }
  })();
  const problems: string[] = [];
  if (got.some((m) => !FILTER_TOPICS.includes(m.topic) || m.logTime < FILTER_START || m.logTime > FILTER_END))
    problems.push("filtered: a message outside the topics or time window");
  if (got.some((m, i) => i > 0 && m.logTime < got[i - 1].logTime)) problems.push("filtered: messages out of log-time order");
  if (f.variant !== "unchunked" && got.some((m) => !f.messages.some((o) => sameMessage(m, o)))) problems.push("filtered: a message not in the original");
  const pool = [...got];
  const missing = main.messages
    .filter((m) => FILTER_TOPICS.includes(m.topic) && m.logTime >= FILTER_START && m.logTime <= FILTER_END)
    .filter((m) => {
      const i = pool.findIndex((g) => sameMessage(g, m));
      if (i >= 0) pool.splice(i, 1);
      return i < 0;
    });
  if (missing.length > 0) problems.push(`filtered: ${missing.length} message(s) of the full read missing, first ${missing[0].topic} @${missing[0].logTime}`);
  return problems;
}

function sameMessage(a: ReturnedMessage | OriginalMessage, b: ReturnedMessage | OriginalMessage): boolean {
  return (
    a.topic === b.topic && a.type === b.type && a.logTime === b.logTime && a.publishTime === b.publishTime && Buffer.from(a.data).equals(Buffer.from(b.data))
  );
}

function errorText(e: unknown): string {
  return e instanceof Error ? `${e.constructor.name}: ${e.message}` : `non-Error thrown: ${String(e)}`;
}

/**
 * The problems of one read of a mutant (empty: it passed). `file` is the MCAP path the reader opened;
 * `withMetadata` whether metadata.yaml was next to it.
 */
export function checkMcapOutcome(f: McapFixture, mutant: Mutant, outcome: ReadOutcome, file: string, withMetadata: boolean): string[] {
  const problems: string[] = [];
  const total = f.messages.length;
  const protectedByCrc = f.variant !== "unchunked";
  // first changed byte
  let d = 0;
  const n = Math.min(mutant.bytes.length, f.bytes.length);
  while (d < n && mutant.bytes[d] === f.bytes[d]) d++;
  const unchanged = d === n && mutant.bytes.length === f.bytes.length;

  if (outcome.error !== null) {
    const { phase, error } = outcome.error;
    const clearPayloadError = !protectedByCrc && phase === "messages" && error instanceof Error && error.message.includes(file);
    if (!clearPayloadError) problems.push(`crash: ${phase} threw ${errorText(error)}`);
  }

  // the messages before the damage, exactly
  // a cut keeps the whole messages of an uncompressed chunk before it; other damage spoils its chunk's CRC
  const cutInside = mutant.truncatedAt !== null && f.variant !== "zstd";
  const required = unchanged ? f.messages : f.messages.filter((m) => (cutInside ? m.recordEnd <= d : m.containerEnd <= d));
  const pool = [...outcome.messages];
  const missing: OriginalMessage[] = [];
  for (const m of required) {
    const i = pool.findIndex((r) => sameMessage(r, m));
    if (i < 0) missing.push(m);
    else {
      if (!isDeepStrictEqual(pool[i].message, m.message)) problems.push(`message ${m.topic} @${m.logTime}: decoded differently from the original`);
      pool.splice(i, 1);
    }
  }
  // Read through the index, a message whose own index entry has a changed log time is found out of order,
  // after later messages were given: the reader drops it (reported lost) to keep the log-time order.
  const entryChanged = (m: OriginalMessage): boolean =>
    m.indexTimeAt >= 0 &&
    !Buffer.from(mutant.bytes.subarray(m.indexTimeAt, m.indexTimeAt + 8)).equals(Buffer.from(f.bytes.subarray(m.indexTimeAt, m.indexTimeAt + 8)));
  missing.splice(0, missing.length, ...missing.filter((m) => !entryChanged(m)));
  if (missing.length > 0 && outcome.error === null) {
    problems.push(
      `lost before the damage (first changed byte ${d}): ${missing.length} message(s), first ${missing[0].topic} @${missing[0].logTime} [${missing[0].recordStart}, ${missing[0].recordEnd})`,
    );
  }

  // nothing made up (CRC-protected variants): each message returned is one of the original's, at most as
  // often as there (except after a range was duplicated: a copied chunk passes its CRC again)
  const originalPool = [...f.messages];
  let foreign = 0;
  let repeated = 0;
  for (const r of outcome.messages) {
    const i = originalPool.findIndex((m) => sameMessage(r, m));
    if (i >= 0) originalPool.splice(i, 1);
    else if (f.messages.some((m) => sameMessage(r, m))) repeated++;
    else foreign++;
  }
  if (protectedByCrc && foreign > 0) problems.push(`returned ${foreign} message(s) that are not in the original`);
  if (protectedByCrc && repeated > 0 && mutant.kind !== "duplicate") problems.push(`returned ${repeated} message(s) more often than the original has them`);
  // lost: the original's messages not returned; in an unchunked file, whose bytes nothing protects, a
  // changed message cannot be told from an intact one, so only the count is held against the reader
  const intact = protectedByCrc ? f.messages.length - originalPool.length : Math.min(total, outcome.messages.length);

  for (let i = 1; i < outcome.messages.length; i++) {
    if (outcome.messages[i].logTime < outcome.messages[i - 1].logTime) {
      problems.push(`messages out of log-time order at ${i}`);
      break;
    }
  }

  // damage reported when anything was lost
  const lost = total - intact;
  if (lost > 0 && outcome.damage.length === 0 && outcome.error === null) problems.push(`${lost} message(s) lost without a damage report`);
  for (const dmg of outcome.damage) {
    if (dmg.fileSize !== mutant.bytes.length) problems.push(`damage.fileSize ${dmg.fileSize}, file has ${mutant.bytes.length} bytes`);
    if (!(dmg.offset >= 0 && dmg.offset <= mutant.bytes.length)) problems.push(`damage.offset ${dmg.offset} outside the file (${mutant.bytes.length} bytes)`);
    if (mutant.truncatedAt !== null && dmg.offset > mutant.truncatedAt) problems.push(`damage.offset ${dmg.offset} after the cut at ${mutant.truncatedAt}`);
    if (outcome.error === null && dmg.messagesRead !== outcome.messages.length)
      problems.push(`damage.messagesRead ${dmg.messagesRead}, ${outcome.messages.length} returned`);
    if (protectedByCrc && dmg.messagesLost !== null && dmg.messagesLost !== lost && outcome.error === null)
      problems.push(`damage.messagesLost ${dmg.messagesLost}, truly lost ${lost}`);
    if (withMetadata && protectedByCrc && lost > 0 && dmg.messagesLost === null)
      problems.push(`damage.messagesLost unknown although metadata.yaml gives the count`);
  }
  return problems;
}

// ---------------------------------------------------------------------------------------------------
// The MCAP run

export interface Failure {
  target: string;
  seed: number;
  index: number;
  kind: string;
  description: string;
  problems: string[];
}

/**
 * Findings outside src/bag, counted instead of failed: decoding a corrupted CDR payload of an unchunked
 * file (nothing protects its bytes) makes @foxglove/cdr's CdrReader allocate 8 × a sequence length read
 * from the payload (up to 32 GiB asked for; V8 refuses above 4 GiB, below it the allocation is virtual
 * until the bounds check throws, which BagReader turns into an error naming the file). The fix belongs in
 * the CDR reader (check the length against the bytes left before allocating).
 */
export const KNOWN_OUTSIDE_BAG = [
  { name: "cdr-sequence-allocation", variant: "unchunked", site: /^\S+ \(\S*node_modules\/@foxglove\/(cdr|rosmsg2-serialization)\// },
] as const;

/**
 * `problems` less the memory problems of a {@link KNOWN_OUTSIDE_BAG} finding (counted in `notes`): those
 * whose big allocations were all asked for at the finding's call site.
 */
function withoutKnownOutsideBag(problems: string[], variant: McapVariant, notes: Record<string, number>): string[] {
  let noted = false;
  const kept = problems.filter((p) => {
    const sites =
      /^memory: asked for one buffer of [\d.]+ MiB, at (.*)$/.exec(p)?.[1] ?? /^memory: \w+ grew by [\d.]+ MiB; big allocations at (.*)$/.exec(p)?.[1];
    const known =
      sites === undefined ? undefined : KNOWN_OUTSIDE_BAG.find((k) => k.variant === variant && sites.split(" | ").every((site) => k.site.test(site)));
    if (known !== undefined && !noted) {
      bump(notes, known.name);
      noted = true;
    }
    return known === undefined;
  });
  return kept;
}

export interface FuzzReport {
  mutants: number;
  /** Occurrences of {@link KNOWN_OUTSIDE_BAG} findings, by name (not failures). */
  notes: Record<string, number>;
  /** Mutants per `target/kind`. */
  counts: Record<string, number>;
  /** Mutants whose read reported damage or an error, per `target/kind`. */
  damaged: Record<string, number>;
  failures: Failure[];
  elapsedMs: number;
  /** The slowest mutant (ms). */
  slowestMs: number;
}

export interface McapFuzzOptions {
  seed: number;
  mutants: number;
  /** First mutant index (default 0): a run covers [first, first + mutants). */
  first?: number;
  kinds?: readonly McapMutation[];
  read?: ReadBag;
  /** Called before each mutant (progress, watchdogs). */
  onMutant?: (index: number) => void;
  /** Stop after this many failures (default 50). */
  maxFailures?: number;
  /** A read taking longer is a hang (default {@link MCAP_TIME_LIMIT_MS}). */
  timeLimitMs?: number;
}

function emptyReport(): FuzzReport {
  return { mutants: 0, notes: {}, counts: {}, damaged: {}, failures: [], elapsedMs: 0, slowestMs: 0 };
}

function bump(record: Record<string, number>, key: string): void {
  record[key] = (record[key] ?? 0) + 1;
}

/**
 * Runs `mutants` MCAP mutants (round-robin over the fixtures) in `work` (a scratch directory). Mutant i
 * uses fixture i mod 3, is read through the bag directory (with metadata.yaml) unless i mod 4 = 3 (then
 * as a lone .mcap).
 */
export async function runMcapFuzz(fixtures: readonly McapFixture[], work: string, options: McapFuzzOptions): Promise<FuzzReport> {
  const { seed, mutants, first = 0, kinds = MCAP_MUTATIONS, read = readWithBagReader, onMutant, maxFailures = 50, timeLimitMs = MCAP_TIME_LIMIT_MS } = options;
  const report = emptyReport();
  const started = performance.now();
  const probe = new AllocationProbe();
  const bagDir = path.join(work, "bag");
  const loneDir = path.join(work, "lone");
  fs.mkdirSync(bagDir, { recursive: true });
  fs.mkdirSync(loneDir, { recursive: true });
  fs.copyFileSync(path.join(fixtures[0].dir, "metadata.yaml"), path.join(bagDir, "metadata.yaml"));
  probe.install();
  try {
    for (let index = first; index < first + mutants && report.failures.length < maxFailures; index++) {
      onMutant?.(index);
      const f = fixtures[index % fixtures.length];
      const mutant = mutateMcap(f, seed, index, kinds);
      const lone = index % 4 === 3;
      const file = lone ? path.join(loneDir, "fuzz.mcap") : path.join(bagDir, f.fileName);
      fs.writeFileSync(file, mutant.bytes);
      const run = await measured(probe, timeLimitMs, () => read(lone ? file : bagDir));
      let problems = [...run.problems];
      if (run.error !== null) problems.push(`crash: the read itself threw ${errorText(run.error)}`);
      else if (run.value !== undefined) {
        problems.push(...checkMcapOutcome(f, mutant, run.value, file, !lone));
        // every other mutant is read again with the real reader: strict, or two topics in a time window
        if (index % 2 === 0) {
          const again = await measured(probe, timeLimitMs, () =>
            index % 4 === 0
              ? strictProblems(lone ? file : bagDir, run.value as ReadOutcome)
              : filteredProblems(f, lone ? file : bagDir, run.value as ReadOutcome),
          );
          problems.push(...again.problems, ...(again.value ?? []));
          if (again.error !== null) problems.push(`crash: the second read threw ${errorText(again.error)}`);
        }
      }
      problems = withoutKnownOutsideBag(problems, f.variant, report.notes);
      const key = `mcap-${f.variant}/${mutant.kind}`;
      bump(report.counts, key);
      if (run.value !== undefined && (run.value.damage.length > 0 || run.value.error !== null)) bump(report.damaged, key);
      report.slowestMs = Math.max(report.slowestMs, run.elapsedMs);
      report.mutants++;
      if (problems.length > 0)
        report.failures.push({
          target: `mcap-${f.variant}${lone ? " (lone .mcap)" : ""}`,
          seed,
          index,
          kind: mutant.kind,
          description: mutant.description,
          problems,
        });
    }
  } finally {
    probe.uninstall();
  }
  report.elapsedMs = performance.now() - started;
  return report;
}

// ---------------------------------------------------------------------------------------------------
// DROID episodes

export interface DroidFixture {
  /** The intact episode. */
  dir: string;
  h5: Uint8Array;
  /** The exterior camera's MP4 (the one convert-droid picks by default). */
  videoName: string;
  video: Uint8Array;
  episode: DroidEpisode;
  /** 8-byte fields of trajectory.h5 holding a dataset dimension (the step count): dataspace sizes. */
  dimFields: number[];
  /** 8-byte fields holding a plausible file address or length (1 .. file size). */
  addressFields: number[];
}

export const DROID_STEPS = 12;
export const DROID_MUTATIONS = ["truncate", "bitflip", "multiflip", "overwrite", "size", "duplicate", "remove"] as const;

/** Writes the synthetic episode (test/bag/droidFixture.ts: h5wasm in a child process, ffmpeg) under `root` and reads it as the reference. */
export async function buildDroidFixture(root: string): Promise<DroidFixture> {
  const dir = path.join(root, "episode");
  writeSyntheticDroidEpisode(dir, DROID_STEPS, DROID_STEPS, 4);
  return loadDroidFixture(dir);
}

/** The reference of an episode written by {@link buildDroidFixture}. */
export function loadDroidFixture(dir: string): DroidFixture {
  const h5 = new Uint8Array(fs.readFileSync(path.join(dir, "trajectory.h5")));
  const videoName = `${SERIALS.ext1}.mp4`;
  const video = new Uint8Array(fs.readFileSync(path.join(dir, "recordings", "MP4", videoName)));
  const view = new DataView(h5.buffer, h5.byteOffset, h5.byteLength);
  const dimFields: number[] = [];
  const addressFields: number[] = [];
  for (let at = 0; at + 8 <= h5.length; at++) {
    const v = view.getBigUint64(at, true);
    if (v === BigInt(DROID_STEPS)) dimFields.push(at);
    else if (v > 8n && v < BigInt(h5.length) && at % 8 === 0) addressFields.push(at);
  }
  return { dir, h5, videoName, video, episode: readDroidEpisode(dir), dimFields, addressFields };
}

/** A generic mutant of `bytes` (records unknown: offsets aimed uniformly, near the start, or near the end). */
function mutateBytes(src: Uint8Array, rng: Rng, kind: string, sizeFields: { dims: readonly number[]; addresses: readonly number[] } | null): Mutant {
  const size = src.length;
  const aimAt = (): number => {
    const r = rng.below(4);
    return r === 0 ? rng.below(Math.min(size, 2048)) : r === 1 ? Math.max(0, size - 1 - rng.below(Math.min(size, 2048))) : rng.below(size);
  };
  switch (kind) {
    case "truncate": {
      const k = aimAt();
      return { kind, bytes: src.slice(0, k), description: `truncate to ${k} bytes`, truncatedAt: k };
    }
    case "bitflip":
    case "multiflip": {
      const out = src.slice();
      const n = kind === "bitflip" ? 1 : rng.int(2, 8);
      const flips: string[] = [];
      for (let i = 0; i < n; i++) {
        const at = aimAt();
        const bit = rng.int(0, 7);
        out[at] ^= 1 << bit;
        flips.push(`${at}.${bit}`);
      }
      return { kind, bytes: out, description: `flip bit(s) ${flips.join(", ")}`, truncatedAt: null };
    }
    case "overwrite": {
      const out = src.slice();
      const at = aimAt();
      const len = Math.min(size - at, rng.int(1, 64));
      const fill = rng.pick(["random", "zero", "0xff"] as const);
      out.set(fill === "random" ? rng.bytes(len) : new Uint8Array(len).fill(fill === "zero" ? 0 : 0xff), at);
      return { kind, bytes: out, description: `overwrite [${at}, ${at + len}) with ${fill} bytes`, truncatedAt: null };
    }
    case "size": {
      const out = src.slice();
      const view = new DataView(out.buffer);
      const dims = sizeFields?.dims ?? [];
      const fields = dims.length > 0 && rng.chance(0.6) ? dims : (sizeFields?.addresses ?? []);
      const at = fields.length > 0 ? rng.pick(fields) : Math.max(0, Math.min(size - 8, aimAt()));
      const v = rng.pick([...U64_VALUES, BigInt(size), BigInt(DROID_STEPS) * 1000n, BigInt(DROID_STEPS + 1), 0n]);
      view.setBigUint64(at, BigInt.asUintN(64, v), true);
      return { kind, bytes: out, description: `set the 8 bytes at ${at} to ${v}`, truncatedAt: null };
    }
    case "duplicate": {
      const from = aimAt();
      const len = Math.min(size - from, rng.int(1, 512));
      const to = rng.chance(0.5) ? from + len : aimAt();
      const out = new Uint8Array(size + len);
      out.set(src.subarray(0, to), 0);
      out.set(src.subarray(from, from + len), to);
      out.set(src.subarray(to), to + len);
      return { kind, bytes: out, description: `insert a copy of [${from}, ${from + len}) at ${to}`, truncatedAt: null };
    }
    default: {
      const from = aimAt();
      const len = Math.min(size - from, rng.int(1, 512));
      const out = new Uint8Array(size - len);
      out.set(src.subarray(0, from), 0);
      out.set(src.subarray(from + len), from);
      return { kind: "remove", bytes: out, description: `remove [${from}, ${from + len})`, truncatedAt: null };
    }
  }
}

/** Mutant `index` of trajectory.h5. */
export function mutateH5(f: DroidFixture, seed: number, index: number): Mutant {
  const rng = new Rng(mutantSeed(seed ^ 0x4835, index));
  return mutateBytes(f.h5, rng, rng.pick(DROID_MUTATIONS), { dims: f.dimFields, addresses: f.addressFields });
}

/** Mutant `index` of the exterior camera's MP4 (no size fields targeted: ffmpeg parses it, in its own process). */
export function mutateVideo(f: DroidFixture, seed: number, index: number): Mutant {
  const rng = new Rng(mutantSeed(seed ^ 0x4d50, index));
  return mutateBytes(f.video, rng, rng.pick(DROID_MUTATIONS.filter((k) => k !== "size")), null);
}

/** An Error that says which file or episode it is about. */
function clearError(e: unknown, names: readonly string[]): boolean {
  return e instanceof Error && !(e instanceof TypeError) && names.some((n) => e.message.includes(n));
}

/**
 * The problems of an episode read from a mutant (empty: consistent): every per-step array has the episode's
 * length, poses and actions have 6 numbers a row, and the step times of every camera (and of the robot
 * state) can be computed: T of them, or a clear error.
 */
export function checkDroidEpisode(e: DroidEpisode, h5Path: string): string[] {
  const problems: string[] = [];
  const n = e.length;
  if (!Number.isInteger(n) || n < 0) problems.push(`length ${n}`);
  if (e.cartesianPosition.length !== n || e.cartesianPosition.some((r) => r.length !== 6)) problems.push("cartesianPosition is not T×6");
  if (e.gripperPosition.length !== n) problems.push(`gripperPosition has ${e.gripperPosition.length} rows, T = ${n}`);
  if (e.action !== null && (e.action.cartesian.length !== n || e.action.cartesian.some((r) => r.length !== 6) || e.action.gripper.length !== n)) {
    problems.push(`action has ${e.action.cartesian.length} / ${e.action.gripper.length} rows, T = ${n}`);
  }
  for (const serial of [...e.cameras.map((c) => c.serial), null]) {
    try {
      const times = e.stepTimes(serial);
      if (times.length !== n || times.some((t) => typeof t !== "bigint")) problems.push(`stepTimes(${serial}) gives ${times.length} times, T = ${n}`);
    } catch (err) {
      if (!clearError(err, [h5Path])) problems.push(`stepTimes(${serial}) threw ${errorText(err)}`);
    }
  }
  return problems;
}

export interface DroidFuzzOptions {
  seed: number;
  /** trajectory.h5 mutants (read in-process). */
  h5Mutants: number;
  /** Of those read whole, every n-th is also converted (ffmpeg; 0: none). */
  convertEvery?: number;
  /** MP4 mutants (each converted: ffprobe + ffmpeg). */
  videoMutants: number;
  first?: number;
  maxFailures?: number;
  onMutant?: (what: string, index: number) => void;
}

/** Runs the DROID mutants in `work`: the episode with a mutated trajectory.h5, then with a mutated MP4. */
export async function runDroidFuzz(f: DroidFixture, work: string, options: DroidFuzzOptions): Promise<FuzzReport> {
  const { seed, h5Mutants, videoMutants, convertEvery = 0, first = 0, maxFailures = 50, onMutant } = options;
  const report = emptyReport();
  const started = performance.now();
  const probe = new AllocationProbe();
  const episode = path.join(work, "episode");
  fs.rmSync(episode, { recursive: true, force: true });
  fs.cpSync(f.dir, episode, { recursive: true });
  const h5Path = path.join(episode, "trajectory.h5");
  const videoPath = path.join(episode, "recordings", "MP4", f.videoName);
  let converted = 0;
  const convert = async (): Promise<{ problems: string[]; elapsedMs: number; failed: boolean }> => {
    const out = path.join(work, `bag_${converted++}`);
    const run = await measured(probe, MP4_TIME_LIMIT_MS, async () => {
      const result = await convertDroidEpisode(episode, out, { fps: 5 });
      const reader = await BagReader.open(out);
      let n = 0;
      for await (const _ of reader.messages({ decode: false })) n++;
      await reader.close();
      return { result, n, damage: reader.damage };
    });
    fs.rmSync(out, { recursive: true, force: true });
    const problems = [...run.problems];
    if (run.error !== null && !clearError(run.error, [episode])) problems.push(`convert-droid threw ${errorText(run.error)}`);
    if (run.value !== undefined) {
      const { result, n, damage } = run.value;
      if (damage.length > 0) problems.push(`the converted bag is damaged: ${formatDamage(damage[0])}`);
      if (result.frames < 1 || n < result.frames * 3) problems.push(`converted ${result.frames} frames into ${n} messages`);
    }
    return { problems, elapsedMs: run.elapsedMs, failed: run.error !== null };
  };
  const record = (target: string, index: number, mutant: Mutant, problems: string[], damaged: boolean, elapsedMs: number): void => {
    const key = `${target}/${mutant.kind}`;
    bump(report.counts, key);
    if (damaged) bump(report.damaged, key);
    report.mutants++;
    report.slowestMs = Math.max(report.slowestMs, elapsedMs);
    if (problems.length > 0) report.failures.push({ target, seed, index, kind: mutant.kind, description: mutant.description, problems });
  };
  probe.install();
  try {
    for (let index = first; index < first + h5Mutants && report.failures.length < maxFailures; index++) {
      onMutant?.("droid-h5", index);
      const mutant = mutateH5(f, seed, index);
      fs.writeFileSync(h5Path, mutant.bytes);
      const run = await measured(probe, H5_TIME_LIMIT_MS, async () => {
        const e = readDroidEpisode(episode);
        return { e, problems: checkDroidEpisode(e, h5Path) };
      });
      const problems = [...run.problems, ...(run.value?.problems ?? [])];
      if (run.error !== null && !clearError(run.error, [h5Path, episode])) problems.push(`readDroidEpisode threw ${errorText(run.error)}`);
      let elapsedMs = run.elapsedMs;
      if (run.value !== undefined && run.value.problems.length === 0 && convertEvery > 0 && index % convertEvery === 0) {
        const c = await convert();
        problems.push(...c.problems);
        elapsedMs += c.elapsedMs;
      }
      record("droid-h5", index, mutant, problems, run.error !== null, elapsedMs);
    }
    fs.writeFileSync(h5Path, f.h5);
    for (let index = first; index < first + videoMutants && report.failures.length < maxFailures; index++) {
      onMutant?.("droid-mp4", index);
      const mutant = mutateVideo(f, seed, index);
      fs.writeFileSync(videoPath, mutant.bytes);
      const c = await convert();
      record("droid-mp4", index, mutant, c.problems, c.failed, c.elapsedMs);
    }
  } finally {
    probe.uninstall();
    fs.writeFileSync(h5Path, f.h5);
    fs.writeFileSync(videoPath, f.video);
  }
  report.elapsedMs = performance.now() - started;
  return report;
}
