/**
 * Reads rosbag2 MCAP bags (a bag directory or a single `.mcap`): topics with types and counts, and the
 * messages in log-time order, decoded from CDR with the bag's own schemas. An intact file is read
 * through its index; a file without a usable summary (recording killed, truncated copy) is read with
 * the streaming reader up to the damage, which is reported (file, byte offset, messages lost) instead
 * of thrown, so the messages before it still reach the caller.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { McapIndexedReader, type McapTypes } from "@mcap/core";
import { FileHandleReadable } from "@mcap/nodejs";
import { loadDecompressHandlers } from "@mcap/support";
import { silentLogger, type Logger } from "../log";
import { CdrCodec } from "../ros/CdrCodec";
import { MessageRegistry } from "../ros/MessageRegistry";
import { parseBagMetadata, type BagMetadata } from "./bagMetadata";
import { recoverMcap, type RecoveredMcap } from "./mcapRecovery";

type Channel = McapTypes.TypedMcapRecords["Channel"];
type Schema = McapTypes.TypedMcapRecords["Schema"];
type RawMessage = McapTypes.TypedMcapRecords["Message"];

/** One topic of the bag. */
export interface BagTopic {
  name: string;
  /** `pkg/msg/Type`. */
  type: string;
  /** Messages on the topic (the readable ones, for a damaged file). */
  messageCount: number;
  /** `cdr` for ROS 2 bags. */
  messageEncoding: string;
  /** The channel's `offered_qos_profiles` YAML, "" when absent. */
  offeredQosProfiles: string;
}

/** One message, in log-time order. */
export interface BagMessage<T = Record<string, unknown>> {
  topic: string;
  type: string;
  /** Receive time, ns since the epoch. */
  logTime: bigint;
  /** Send time, ns since the epoch. */
  publishTime: bigint;
  /** The decoded message (absent when reading with `decode: false`). */
  message: T;
  /** The CDR bytes. */
  data: Uint8Array;
}

/** The part of a bag that could not be read. */
export interface BagDamage {
  /** The damaged MCAP file. */
  file: string;
  /** Byte offset where reading stopped. */
  offset: number;
  fileSize: number;
  reason: string;
  /** Messages read from this file. */
  messagesRead: number;
  /** Messages lost: exact when metadata.yaml gives the file's count or the data section was complete; null when unknown. */
  messagesLost: number | null;
}

/** Options of {@link BagReader.open}. */
export interface BagReaderOptions {
  /** Definitions for types whose schema the bag lacks (default: the project's registry). */
  registry?: MessageRegistry;
  /** Where the damage warning goes (default: nowhere; read `damage`). */
  logger?: Logger;
  /** Throw instead of recovering when a file is damaged (default false). */
  strict?: boolean;
}

/** Options of {@link BagReader.messages}. */
export interface ReadMessagesOptions {
  /** Only these topics (default all). */
  topics?: readonly string[];
  /** Earliest log time, ns, inclusive. */
  startTime?: bigint;
  /** Latest log time, ns, inclusive. */
  endTime?: bigint;
  /** Decode CDR (default true). */
  decode?: boolean;
}

interface Source {
  file: string;
  channels: Map<number, Channel>;
  schemas: Map<number, Schema>;
  indexed: McapIndexedReader | null;
  handle: fs.promises.FileHandle | null;
  /** Messages of a damaged file, sorted by log time. */
  recovered: RawMessage[] | null;
  counts: Map<number, number>;
}

export class BagReader {
  /** Damage found in any of the bag's files (empty for an intact bag). */
  readonly damage: BagDamage[];

  private constructor(
    /** The path given to open(). */
    readonly path: string,
    /** metadata.yaml, when the bag has one. */
    readonly metadata: BagMetadata | null,
    private readonly sources: Source[],
    private readonly codec: CdrCodec,
    damage: BagDamage[],
  ) {
    this.damage = damage;
  }

  /**
   * Opens a bag directory (metadata.yaml + .mcap files, or just .mcap files) or one `.mcap` file.
   * Throws for sqlite3 bags (with the conversion command), missing files, or, with `strict`, damage.
   */
  static async open(bagPath: string, options: BagReaderOptions = {}): Promise<BagReader> {
    const { registry = MessageRegistry.withProjectMessages(), logger = silentLogger, strict = false } = options;
    if (!fs.existsSync(bagPath)) throw new Error(`bag ${bagPath} does not exist`);
    let metadata: BagMetadata | null = null;
    let files: string[];
    if (fs.statSync(bagPath).isDirectory()) {
      const metadataFile = path.join(bagPath, "metadata.yaml");
      if (fs.existsSync(metadataFile)) {
        metadata = parseBagMetadata(fs.readFileSync(metadataFile, "utf8"), metadataFile);
        if (metadata.storage_identifier === "sqlite3") throw db3Error(bagPath);
        if (metadata.storage_identifier !== "mcap") throw new Error(`${metadataFile}: storage '${metadata.storage_identifier}' is not supported (only mcap)`);
        files = metadata.relative_file_paths.map((f) => path.join(bagPath, f));
      } else {
        const names = fs.readdirSync(bagPath).sort();
        if (names.some((n) => n.endsWith(".db3"))) throw db3Error(bagPath);
        files = names.filter((n) => n.endsWith(".mcap")).map((n) => path.join(bagPath, n));
      }
      if (files.length === 0) throw new Error(`bag ${bagPath} has no .mcap file`);
    } else {
      if (bagPath.endsWith(".db3")) throw db3Error(bagPath);
      files = [bagPath];
    }
    const decompressHandlers = await loadDecompressHandlers();
    const sources: Source[] = [];
    const damage: BagDamage[] = [];
    try {
      for (const file of files) {
        if (!fs.existsSync(file)) throw new Error(`bag file ${file} is missing`);
        const indexed = await openIndexed(file, decompressHandlers);
        if (indexed !== null) {
          const counts = new Map<number, number>();
          for (const [id, n] of indexed.reader.statistics?.channelMessageCounts ?? []) counts.set(id, Number(n));
          sources.push({ file, channels: new Map(indexed.reader.channelsById), schemas: new Map(indexed.reader.schemasById), indexed: indexed.reader, handle: indexed.handle, recovered: null, counts });
          continue;
        }
        const recovered = await recoverMcap(file, decompressHandlers);
        const d = damageReport(file, recovered, metadata);
        if (d !== null) {
          if (strict) throw new Error(formatDamage(d));
          logger.warn({ file, offset: d.offset, lost: d.messagesLost }, formatDamage(d));
          damage.push(d);
        }
        const counts = new Map<number, number>();
        for (const m of recovered.messages) counts.set(m.channelId, (counts.get(m.channelId) ?? 0) + 1);
        const sorted = [...recovered.messages].sort((a, b) => (a.logTime < b.logTime ? -1 : a.logTime > b.logTime ? 1 : 0));
        sources.push({ file, channels: recovered.channels, schemas: recovered.schemas, indexed: null, handle: null, recovered: sorted, counts });
      }
    } catch (e) {
      await Promise.all(sources.map((s) => s.handle?.close()));
      throw e;
    }
    const codec = new CdrCodec(registry);
    const seen = new Set<string>();
    for (const source of sources) {
      for (const channel of source.channels.values()) {
        const schema = source.schemas.get(channel.schemaId);
        if (schema === undefined || seen.has(schema.name)) continue;
        seen.add(schema.name);
        if (schema.encoding === "ros2msg" && schema.data.length > 0) codec.registerSchema(schema.name, new TextDecoder().decode(schema.data));
      }
    }
    return new BagReader(bagPath, metadata, sources, codec, damage);
  }

  /** Topics, sorted by name, with counts summed over the bag's files. */
  topics(): BagTopic[] {
    const byName = new Map<string, BagTopic>();
    for (const source of this.sources) {
      for (const channel of source.channels.values()) {
        const type = source.schemas.get(channel.schemaId)?.name ?? "";
        const t = byName.get(channel.topic) ?? { name: channel.topic, type, messageCount: 0, messageEncoding: channel.messageEncoding, offeredQosProfiles: channel.metadata.get("offered_qos_profiles") ?? "" };
        t.messageCount += source.counts.get(channel.id) ?? 0;
        byName.set(channel.topic, t);
      }
    }
    return [...byName.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Messages in log-time order (ties keep file order), optionally filtered by topic and time. */
  async *messages<T = Record<string, unknown>>(options: ReadMessagesOptions = {}): AsyncGenerator<BagMessage<T>> {
    const { topics, startTime, endTime, decode = true } = options;
    const iterators = this.sources.map((s) => this.#raw(s, topics, startTime, endTime));
    const heads: Array<{ source: Source; message: RawMessage } | null> = [];
    for (let i = 0; i < iterators.length; i++) {
      const next = await iterators[i].next();
      heads.push(next.done === true ? null : { source: this.sources[i], message: next.value });
    }
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h !== null && (best < 0 || h.message.logTime < (heads[best] as { message: RawMessage }).message.logTime)) best = i;
      }
      if (best < 0) return;
      const { source, message } = heads[best] as { source: Source; message: RawMessage };
      const next = await iterators[best].next();
      heads[best] = next.done === true ? null : { source, message: next.value };
      const channel = source.channels.get(message.channelId);
      if (channel === undefined) throw new Error(`${source.file}: message on unknown channel ${message.channelId}`);
      const type = source.schemas.get(channel.schemaId)?.name ?? "";
      let decoded = undefined as unknown as T;
      if (decode) {
        if (channel.messageEncoding !== "cdr") throw new Error(`${source.file}: topic ${channel.topic} is encoded as '${channel.messageEncoding}', not cdr`);
        try {
          decoded = this.codec.decode<T>(type, message.data);
        } catch (e) {
          throw new Error(`${source.file}: topic ${channel.topic} at log time ${message.logTime} ns: ${(e as Error).message}`);
        }
      }
      yield { topic: channel.topic, type, logTime: message.logTime, publishTime: message.publishTime, message: decoded, data: message.data };
    }
  }

  /** Closes the files. The reader cannot be used afterwards. */
  async close(): Promise<void> {
    await Promise.all(this.sources.map((s) => s.handle?.close()));
  }

  async *#raw(source: Source, topics: readonly string[] | undefined, startTime: bigint | undefined, endTime: bigint | undefined): AsyncGenerator<RawMessage> {
    if (source.indexed !== null) {
      yield* source.indexed.readMessages({ topics, startTime, endTime });
      return;
    }
    const wanted = topics === undefined ? null : new Set(topics);
    for (const m of source.recovered ?? []) {
      if (startTime !== undefined && m.logTime < startTime) continue;
      if (endTime !== undefined && m.logTime > endTime) break;
      if (wanted !== null && !wanted.has(source.channels.get(m.channelId)?.topic ?? "")) continue;
      yield m;
    }
  }
}

/** A one-line description of damage: file, offset, counts. */
export function formatDamage(d: BagDamage): string {
  const lost = d.messagesLost === null ? "an unknown number of messages lost" : `${d.messagesLost} message(s) lost`;
  return `${d.file} is damaged at byte ${d.offset} of ${d.fileSize} (${d.reason}); read ${d.messagesRead} message(s) before it, ${lost}`;
}

function db3Error(bagPath: string): Error {
  return new Error(`${bagPath}: db3 bags are not supported: convert with \`ros2 bag convert\` to storage_id mcap`);
}

async function openIndexed(file: string, decompressHandlers: McapTypes.DecompressHandlers): Promise<{ reader: McapIndexedReader; handle: fs.promises.FileHandle } | null> {
  const handle = await fs.promises.open(file, "r");
  try {
    const reader = await McapIndexedReader.Initialize({ readable: new FileHandleReadable(handle), decompressHandlers });
    if (reader.chunkIndexes.length === 0 && (reader.statistics?.messageCount ?? 0n) > 0n) throw new Error("no chunk index");
    return { reader, handle };
  } catch {
    await handle.close();
    return null;
  }
}

function damageReport(file: string, recovered: RecoveredMcap, metadata: BagMetadata | null): BagDamage | null {
  if (recovered.damage === null) {
    // Read to the end, but the summary was unusable: report it as damage of the summary section.
    return { file, offset: 0, fileSize: fs.statSync(file).size, reason: "summary unusable; read with the streaming reader", messagesRead: recovered.messages.length, messagesLost: 0 };
  }
  const read = recovered.messages.length;
  let lost: number | null = null;
  if (recovered.dataComplete) lost = 0;
  else {
    const expected = metadata?.files.find((f) => path.basename(f.path) === path.basename(file))?.message_count ?? (metadata !== null && metadata.relative_file_paths.length === 1 ? metadata.message_count : undefined);
    if (expected !== undefined && expected > 0) lost = Math.max(0, expected - read);
  }
  return { file, offset: recovered.damage.offset, fileSize: recovered.damage.fileSize, reason: recovered.damage.reason, messagesRead: read, messagesLost: lost };
}
