/**
 * Reads rosbag2 MCAP bags (a bag directory or a single `.mcap`): topics with types and counts, and the
 * messages in log-time order, decoded from CDR with the bag's own schemas. An intact file is read
 * through its index; a file without a usable summary (recording killed, truncated copy) is read with
 * the streaming reader up to the damage, which is reported (file, byte offset, messages lost) instead
 * of thrown, so the messages before it still reach the caller. Damage the summary cannot show (a chunk
 * failing its CRC, a broken message index) is met while reading messages: the file is then read again
 * with the streaming reader, the iteration goes on with the messages the index had not given yet, and
 * the damage is added to `damage`. An unchunked file (no chunk index to read by) is streamed too.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { McapIndexedReader, Opcode, type McapTypes } from "@mcap/core";
import { FileHandleReadable } from "@mcap/nodejs";
import { loadDecompressHandlers } from "@mcap/support";
import { silentLogger, type Logger } from "../log";
import { CdrCodec } from "../ros/CdrCodec";
import { MessageRegistry } from "../ros/MessageRegistry";
import { parseBagMetadata, type BagMetadata } from "./bagMetadata";
import { checkedDecompressHandlers, recoverMcap, type RecoveredMcap } from "./mcapRecovery";

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

/** The part of a bag that could not be read (found at open, or, in a file with a usable index, while reading messages). */
export interface BagDamage {
  /** The damaged MCAP file. */
  file: string;
  /** Byte offset where reading stopped. */
  offset: number;
  fileSize: number;
  reason: string;
  /** Messages read from this file. */
  messagesRead: number;
  /** Messages lost: exact when the file's summary or metadata.yaml counts its messages, or the data section was read whole; null when unknown. */
  messagesLost: number | null;
}

/** Options of {@link BagReader.open}. */
export interface BagReaderOptions {
  /** Definitions for types whose schema the bag lacks (default: the project's registry). */
  registry?: MessageRegistry;
  /** Where the damage warning goes (default: nowhere; read `damage`). */
  logger?: Logger;
  /** Throw instead of recovering when a file is damaged (default false): from open(), or from messages() for damage found there. */
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
  /** Messages of a damaged (or unchunked) file, sorted by log time. */
  recovered: RawMessage[] | null;
  counts: Map<number, number>;
  /** The streaming re-read after the index failed (shared by concurrent iterations). */
  fallback: Promise<void> | null;
  /** Its damage report, and the recovered messages that came too late to be given in log-time order. */
  fallbackDamage?: BagDamage;
  outOfOrder?: Set<RawMessage>;
}

/** What {@link BagReader.open} keeps for re-reading a file whose index fails while reading messages. */
interface RecoveryContext {
  metadata: BagMetadata | null;
  decompressHandlers: McapTypes.DecompressHandlers;
  logger: Logger;
  strict: boolean;
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
    private readonly recovery: RecoveryContext,
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
    const decompressHandlers = checkedDecompressHandlers(await loadDecompressHandlers());
    const sources: Source[] = [];
    const damage: BagDamage[] = [];
    try {
      for (const file of files) {
        if (!fs.existsSync(file)) throw new Error(`bag file ${file} is missing`);
        const indexed = await openIndexed(file, decompressHandlers);
        if ("reader" in indexed) {
          const counts = new Map<number, number>();
          for (const [id, n] of indexed.reader.statistics?.channelMessageCounts ?? []) counts.set(id, Number(n));
          sources.push({
            file,
            channels: new Map(indexed.reader.channelsById),
            schemas: new Map(indexed.reader.schemasById),
            indexed: indexed.reader,
            handle: indexed.handle,
            recovered: null,
            counts,
            fallback: null,
          });
          continue;
        }
        const recovered = await recoverMcap(file, decompressHandlers);
        const d = damageReport(file, recovered, indexed.messageCount ?? metadataCount(metadata, file), indexed.problem);
        if (d !== null) {
          if (strict) throw new Error(formatDamage(d));
          logger.warn({ file, offset: d.offset, lost: d.messagesLost }, formatDamage(d));
          damage.push(d);
        }
        sources.push({
          file,
          channels: recovered.channels,
          schemas: recovered.schemas,
          indexed: null,
          handle: null,
          ...recoveredMessages(recovered),
          fallback: null,
        });
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
        if (schema.encoding !== "ros2msg" || schema.data.length === 0) continue;
        try {
          codec.registerSchema(schema.name, new TextDecoder().decode(schema.data));
        } catch (e) {
          // A schema that does not parse (an unchunked file has no CRC over it) is as good as absent: its
          // messages decode with the registry's definition, or fail naming the file, and the rest still read.
          logger.warn({ file: source.file, schema: schema.name }, `${source.file}: ignoring the bag's schema of ${schema.name}: ${(e as Error).message}`);
        }
      }
    }
    return new BagReader(bagPath, metadata, sources, codec, damage, { metadata, decompressHandlers, logger, strict });
  }

  /** Topics, sorted by name, with counts summed over the bag's files. */
  topics(): BagTopic[] {
    const byName = new Map<string, BagTopic>();
    for (const source of this.sources) {
      for (const channel of source.channels.values()) {
        const type = source.schemas.get(channel.schemaId)?.name ?? "";
        const t = byName.get(channel.topic) ?? {
          name: channel.topic,
          type,
          messageCount: 0,
          messageEncoding: channel.messageEncoding,
          offeredQosProfiles: channel.metadata.get("offered_qos_profiles") ?? "",
        };
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
          throw new Error(`${source.file}: topic ${channel.topic} at log time ${message.logTime} ns: ${(e as Error).message}`, { cause: e });
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
    let given: GivenMessages | null = null;
    if (source.indexed !== null) {
      given = new GivenMessages(source.indexed.chunkIndexes);
      // The index entries' log times are not CRC-protected, and @mcap/core picks a time window's messages
      // by them: a damaged one would drop its message unseen. So whole chunks are read (@mcap/core checks
      // each message against its entry) and the window is applied to the messages' own log times.
      let from = startTime;
      let to = endTime;
      for (const c of source.indexed.chunkIndexes) {
        if ((startTime !== undefined && c.messageEndTime < startTime) || (endTime !== undefined && c.messageStartTime > endTime)) continue;
        if (from !== undefined && c.messageStartTime < from) from = c.messageStartTime;
        if (to !== undefined && c.messageEndTime > to) to = c.messageEndTime;
      }
      try {
        for await (const m of source.indexed.readMessages({ topics, startTime: from, endTime: to })) {
          if ((startTime !== undefined && m.logTime < startTime) || (endTime !== undefined && m.logTime > endTime)) continue;
          given.add(m);
          yield m;
        }
        return;
      } catch (e) {
        await this.#fallBack(source, e as Error);
      }
    }
    // served from the streaming read (a damaged file, or one whose index failed above: then without the
    // messages the index gave already)
    const wanted = topics === undefined ? null : new Set(topics);
    for (const m of source.recovered ?? []) {
      if (startTime !== undefined && m.logTime < startTime) continue;
      if (endTime !== undefined && m.logTime > endTime) break;
      if (wanted !== null && !wanted.has(source.channels.get(m.channelId)?.topic ?? "")) continue;
      if (given !== null && given.has(m)) continue;
      if (given !== null && given.last !== null && m.logTime < given.last) {
        // A message the index hid (a damaged entry) and later messages were given before it: it cannot
        // come in log-time order any more, so it counts as lost.
        this.#lostOutOfOrder(source, m);
        continue;
      }
      yield m;
    }
  }

  #lostOutOfOrder(source: Source, m: RawMessage): void {
    const d = source.fallbackDamage;
    source.outOfOrder ??= new Set();
    if (d === undefined || source.outOfOrder.has(m)) return;
    source.outOfOrder.add(m);
    d.messagesRead--;
    d.messagesLost = (d.messagesLost ?? 0) + 1;
  }

  /**
   * The index of `source` failed mid-read (`error`): re-read the file with the streaming reader (up to its
   * first damage), report the damage and serve the source from what was recovered. With `strict`, throws.
   */
  async #fallBack(source: Source, error: Error): Promise<void> {
    source.fallback ??= (async () => {
      const { metadata, decompressHandlers, logger, strict } = this.recovery;
      const statistics = source.indexed?.statistics;
      const recovered = await recoverMcap(source.file, decompressHandlers);
      const expected = statistics !== undefined ? Number(statistics.messageCount) : metadataCount(metadata, source.file);
      const d = damageReport(source.file, recovered, expected, `index unusable: ${error.message}`) as BagDamage;
      if (strict) throw new Error(formatDamage(d));
      logger.warn({ file: source.file, offset: d.offset, lost: d.messagesLost }, formatDamage(d));
      this.damage.push(d);
      source.fallbackDamage = d;
      for (const [id, c] of recovered.channels) if (!source.channels.has(id)) source.channels.set(id, c);
      for (const [id, s] of recovered.schemas) if (!source.schemas.has(id)) source.schemas.set(id, s);
      Object.assign(source, recoveredMessages(recovered), { indexed: null });
      await source.handle?.close();
      source.handle = null;
    })();
    await source.fallback;
  }
}

/** A recovered file's messages sorted by log time (ties in file order) and counted per channel. */
function recoveredMessages(recovered: RecoveredMcap): { recovered: RawMessage[]; counts: Map<number, number> } {
  const counts = new Map<number, number>();
  for (const m of recovered.messages) counts.set(m.channelId, (counts.get(m.channelId) ?? 0) + 1);
  const sorted = [...recovered.messages].sort((a, b) => (a.logTime < b.logTime ? -1 : a.logTime > b.logTime ? 1 : 0));
  return { recovered: sorted, counts };
}

/**
 * The messages an indexed read has given, as far as a re-read after its failure must tell them apart.
 * @mcap/core's reader takes chunks in log-time order and checks each message against its index entry, so
 * every message of a chunk that ends before the latest log time given was given; only those given from
 * chunks still open are kept (a chunk's worth or so), to be matched one by one.
 */
class GivenMessages {
  /** Chunk end times, ascending, and the earliest start time of the chunks from each one on. */
  readonly #ends: bigint[];
  readonly #startsFrom: bigint[];
  #next = 0;
  #last: bigint | null = null;
  /** Given messages in log-time order; those before #head are out of the window. */
  #kept: RawMessage[] = [];
  #head = 0;

  constructor(chunks: readonly McapTypes.TypedMcapRecords["ChunkIndex"][]) {
    const byEnd = [...chunks].sort((a, b) => (a.messageEndTime < b.messageEndTime ? -1 : a.messageEndTime > b.messageEndTime ? 1 : 0));
    this.#ends = byEnd.map((c) => c.messageEndTime);
    this.#startsFrom = new Array<bigint>(byEnd.length);
    for (let i = byEnd.length - 1; i >= 0; i--)
      this.#startsFrom[i] = i + 1 < byEnd.length && this.#startsFrom[i + 1] < byEnd[i].messageStartTime ? this.#startsFrom[i + 1] : byEnd[i].messageStartTime;
  }

  /** The latest log time given. */
  get last(): bigint | null {
    return this.#last;
  }

  add(m: RawMessage): void {
    if (this.#last === null || m.logTime > this.#last) this.#last = m.logTime;
    this.#kept.push(m);
    const from = this.#windowStart();
    while (this.#head < this.#kept.length - 1 && this.#kept[this.#head].logTime < from) this.#head++;
    if (this.#head > 1024 && this.#head * 2 > this.#kept.length) {
      this.#kept = this.#kept.slice(this.#head);
      this.#head = 0;
    }
  }

  /** Whether `m` was given (each given message answers true once). */
  has(m: RawMessage): boolean {
    if (this.#last === null) return false;
    if (m.logTime < this.#windowStart()) return true;
    const i = this.#kept.findIndex((k, j) => j >= this.#head && sameMessage(k, m));
    if (i >= 0) this.#kept.splice(i, 1);
    return i >= 0;
  }

  /** Messages before this log time were all given: the earliest start of the chunks not ended by the latest given. */
  #windowStart(): bigint {
    const last = this.#last as bigint;
    while (this.#next < this.#ends.length && this.#ends[this.#next] < last) this.#next++;
    return this.#next < this.#ends.length && this.#startsFrom[this.#next] < last ? this.#startsFrom[this.#next] : last;
  }
}

function sameMessage(a: RawMessage, b: RawMessage): boolean {
  return (
    a.channelId === b.channelId &&
    a.logTime === b.logTime &&
    a.sequence === b.sequence &&
    a.publishTime === b.publishTime &&
    Buffer.from(a.data.buffer, a.data.byteOffset, a.data.byteLength).equals(b.data)
  );
}

/** A one-line description of damage: file, offset, counts. */
export function formatDamage(d: BagDamage): string {
  const lost = d.messagesLost === null ? "an unknown number of messages lost" : `${d.messagesLost} message(s) lost`;
  return `${d.file} is damaged at byte ${d.offset} of ${d.fileSize} (${d.reason}); read ${d.messagesRead} message(s) before it, ${lost}`;
}

function db3Error(bagPath: string): Error {
  return new Error(`${bagPath}: db3 bags are not supported: convert with \`ros2 bag convert\` to storage_id mcap`);
}

/**
 * The file's indexed reader; else why not (`problem`: the summary is unusable), or, for an intact unchunked
 * file (no chunk index to read messages by, `problem` null), the message count of its summary.
 */
async function openIndexed(
  file: string,
  decompressHandlers: McapTypes.DecompressHandlers,
): Promise<{ reader: McapIndexedReader; handle: fs.promises.FileHandle } | { problem: string | null; messageCount?: number }> {
  const handle = await fs.promises.open(file, "r");
  try {
    const readable = new CheckedReadable(new FileHandleReadable(handle), BigInt((await handle.stat()).size));
    const reader = await McapIndexedReader.Initialize({ readable, decompressHandlers });
    if (reader.chunkIndexes.length === 0 && (reader.statistics?.messageCount ?? 0n) > 0n) {
      await handle.close();
      return { problem: null, messageCount: Number(reader.statistics?.messageCount) };
    }
    readable.watchMessageIndexes(reader.chunkIndexes);
    return { reader, handle };
  } catch (e) {
    await handle.close();
    return { problem: `summary unusable (${(e as Error).message})` };
  }
}

/**
 * The file as @mcap/core's indexed reader reads it, with two checks the library leaves out:
 * - no read past the end of the file: FileHandleReadable allocates the length it is asked for (up to
 *   2^53 bytes, from a corrupted header length or index entry) before finding the file shorter;
 * - a chunk's message index, when read, must be whole MessageIndex records, each where the (CRC-checked)
 *   chunk index puts its channel's: the library skips any other record there, reads only as many entries
 *   as a record's (unprotected) count says, and skips the entries of a record whose channel id is not
 *   wanted, so a damaged message index would silently drop messages of the chunk instead of failing.
 */
class CheckedReadable implements McapTypes.IReadable {
  /** Start offsets of the chunks' message index records → the end of that chunk's message indexes. */
  readonly #indexEnds = new Map<bigint, bigint>();
  /** Start offsets of the message index records → their channel id. */
  readonly #indexChannels = new Map<bigint, number>();

  constructor(
    private readonly inner: McapTypes.IReadable,
    private readonly fileSize: bigint,
  ) {}

  watchMessageIndexes(chunkIndexes: readonly McapTypes.TypedMcapRecords["ChunkIndex"][]): void {
    for (const c of chunkIndexes) {
      const offsets = [...c.messageIndexOffsets.values()];
      if (offsets.length === 0) continue;
      const end = offsets.reduce((a, b) => (b < a ? b : a)) + c.messageIndexLength;
      for (const o of offsets) this.#indexEnds.set(o, end);
      for (const [channel, o] of c.messageIndexOffsets) this.#indexChannels.set(o, channel);
    }
  }

  async size(): Promise<bigint> {
    return this.fileSize;
  }

  async read(offset: bigint, length: bigint): Promise<Uint8Array> {
    if (offset < 0n || length < 0n || offset + length > this.fileSize)
      throw new Error(`read of ${length} bytes at byte ${offset} is past the end of the file (${this.fileSize} bytes)`);
    const bytes = await this.inner.read(offset, length);
    if (this.#indexEnds.get(offset) === offset + length) this.#checkMessageIndexes(bytes, offset);
    return bytes;
  }

  /** Throws unless `bytes` (at file offset `at`) are whole MessageIndex records, each exactly its entries long, of the channel the chunk index gives. */
  #checkMessageIndexes(bytes: Uint8Array, at: bigint): void {
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    for (let i = 0; i < bytes.length;) {
      // opcode u8, record length u64, channel id u16, entries byte length u32, entries (log time u64, offset u64)
      const ok =
        bytes.length - i >= 15 &&
        view.getUint8(i) === Opcode.MESSAGE_INDEX &&
        this.#indexChannels.get(at + BigInt(i)) === view.getUint16(i + 9, true) &&
        view.getUint32(i + 11, true) % 16 === 0 &&
        view.getBigUint64(i + 1, true) === 6n + BigInt(view.getUint32(i + 11, true)) &&
        bytes.length - i - 9 >= 6 + view.getUint32(i + 11, true);
      if (!ok) throw new Error(`damaged message index at byte ${at + BigInt(i)}`);
      i += 15 + view.getUint32(i + 11, true);
    }
  }
}

/** The file's message count in metadata.yaml (its `files` entry, or the bag's for a one-file bag). */
function metadataCount(metadata: BagMetadata | null, file: string): number | undefined {
  return (
    metadata?.files.find((f) => path.basename(f.path) === path.basename(file))?.message_count ??
    (metadata !== null && metadata.relative_file_paths.length === 1 ? metadata.message_count : undefined)
  );
}

/**
 * The damage of a streamed file, or null when there is none: `expected` is the file's message count
 * (summary or metadata.yaml) when known, `problem` why the index was not used (null: an unchunked file).
 */
function damageReport(file: string, recovered: RecoveredMcap, expected: number | undefined, problem: string | null): BagDamage | null {
  const read = recovered.messages.length;
  // Without a count, a data section read to its end lost nothing, unless records were skipped in it (a
  // damaged opcode) or the (unverified) summary after it counts otherwise (a record cut out whole).
  const lost =
    expected !== undefined && expected > 0
      ? Math.max(0, expected - read)
      : recovered.dataComplete && recovered.skippedRecords === 0 && !recovered.summaryDisagrees
        ? 0
        : null;
  if (recovered.damage !== null)
    return {
      file,
      offset: recovered.damage.offset,
      fileSize: recovered.damage.fileSize,
      reason: recovered.damage.reason,
      messagesRead: read,
      messagesLost: lost,
    };
  const fileSize = fs.statSync(file).size;
  if (problem !== null) return { file, offset: 0, fileSize, reason: `${problem}; read with the streaming reader`, messagesRead: read, messagesLost: lost };
  if (lost !== 0) {
    const reason =
      expected !== undefined
        ? `the data section holds ${read} message(s), the summary counts ${expected}`
        : `${recovered.skippedRecords} record(s) skipped in the data section`;
    return { file, offset: 0, fileSize, reason, messagesRead: read, messagesLost: lost };
  }
  return null;
}
