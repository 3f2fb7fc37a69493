/**
 * Writes a rosbag2 bag: a directory with `metadata.yaml` and one chunked, indexed MCAP file in the
 * `ros2` profile (CDR messages, `ros2msg` schemas with their dependencies, `offered_qos_profiles` per
 * channel), which `ros2 bag play` and `ros2 bag info` read on Humble and Jazzy.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { McapWriter } from "@mcap/core";
import { FileHandleWritable } from "@mcap/nodejs";
import { CdrCodec } from "../ros/CdrCodec";
import { MessageRegistry } from "../ros/MessageRegistry";
import { fullTypeName } from "../ros/typeNames";
import { METADATA_VERSION, renderBagMetadata, type BagMetadata } from "./bagMetadata";
import { DEFAULT_OFFERED_QOS, offeredQosProfilesYaml, type OfferedQos } from "./qosProfiles";

/** Options of {@link BagWriter.create}. */
export interface BagWriterOptions {
  /** Message definitions (default: the standard types plus the project's interfaces). */
  registry?: MessageRegistry;
  /** Uncompressed bytes collected before a chunk is written (default 768 KiB, rosbag2's default). */
  chunkSize?: number;
  /** MCAP file name inside the bag directory (default `<dir name>_0.mcap`, as `ros2 bag record` names it). */
  fileName?: string;
  /** `ros_distro` recorded in metadata.yaml (default ""). */
  rosDistro?: string;
  /** Written into the MCAP header's `library` field. */
  library?: string;
}

/** Options of one topic. */
export interface TopicOptions {
  /** QoS `ros2 bag play` offers when replaying (default reliable, volatile). */
  qos?: OfferedQos;
}

interface TopicState {
  channelId: number;
  type: string;
  qosYaml: string;
  count: number;
  sequence: number;
}

export class BagWriter {
  readonly #topics = new Map<string, TopicState>();
  readonly #schemaIds = new Map<string, number>();
  #start: bigint | null = null;
  #end: bigint | null = null;
  #count = 0;
  #closed = false;

  private constructor(
    /** The bag directory. */
    readonly dir: string,
    /** The MCAP file's path. */
    readonly mcapPath: string,
    private readonly handle: fs.promises.FileHandle,
    private readonly writer: McapWriter,
    private readonly registry: MessageRegistry,
    private readonly codec: CdrCodec,
    private readonly rosDistro: string,
  ) {}

  /**
   * Creates the bag directory `dir` (it must not exist, or be empty, as `ros2 bag record` requires)
   * and opens its MCAP file. Throws when the directory holds files.
   */
  static async create(dir: string, options: BagWriterOptions = {}): Promise<BagWriter> {
    const { registry = MessageRegistry.withProjectMessages(), chunkSize = 768 * 1024, rosDistro = "", library = "vjepa2-mpc" } = options;
    if (fs.existsSync(dir) && fs.readdirSync(dir).length > 0) throw new Error(`bag directory ${dir} already exists and is not empty`);
    fs.mkdirSync(dir, { recursive: true });
    const fileName = options.fileName ?? `${path.basename(path.resolve(dir))}_0.mcap`;
    const mcapPath = path.join(dir, fileName);
    const handle = await fs.promises.open(mcapPath, "wx");
    const writer = new McapWriter({
      writable: new FileHandleWritable(handle),
      chunkSize,
      useChunks: true,
      useStatistics: true,
      useSummaryOffsets: true,
      useChunkIndex: true,
      useMessageIndex: true,
    });
    await writer.start({ profile: "ros2", library });
    return new BagWriter(dir, mcapPath, handle, writer, registry, new CdrCodec(registry), rosDistro);
  }

  /**
   * Declares `topic` carrying `type` (`pkg/msg/Type`). Writing to an undeclared topic is an error, so
   * each topic's type is stated once. Declaring it again with the same type is a no-op.
   */
  async addTopic(topic: string, type: string, options: TopicOptions = {}): Promise<void> {
    this.#assertOpen();
    const name = fullTypeName(type);
    const existing = this.#topics.get(topic);
    if (existing !== undefined) {
      if (existing.type !== name) throw new Error(`topic ${topic} already declared as ${existing.type}, not ${name}`);
      return;
    }
    let schemaId = this.#schemaIds.get(name);
    if (schemaId === undefined) {
      const text = this.registry.fullText(name);
      schemaId = await this.writer.registerSchema({ name, encoding: "ros2msg", data: new TextEncoder().encode(text) });
      this.#schemaIds.set(name, schemaId);
    }
    const qosYaml = offeredQosProfilesYaml(options.qos ?? DEFAULT_OFFERED_QOS);
    const channelId = await this.writer.registerChannel({
      topic,
      messageEncoding: "cdr",
      schemaId,
      metadata: new Map([
        ["offered_qos_profiles", qosYaml],
        ["topic_type_hash", ""],
      ]),
    });
    this.#topics.set(topic, { channelId, type: name, qosYaml, count: 0, sequence: 0 });
  }

  /**
   * Encodes `message` with the topic's type and writes it at `logTime` (ns since the epoch; the receive
   * time `ros2 bag play` paces by). `publishTime` defaults to `logTime`.
   */
  async write(topic: string, message: unknown, logTime: bigint, publishTime: bigint = logTime): Promise<void> {
    const state = this.#topic(topic);
    await this.writeSerialized(topic, this.codec.encode(state.type, message), logTime, publishTime);
  }

  /** Writes already CDR-encoded bytes (with the 4-byte encapsulation header) to `topic`. */
  async writeSerialized(topic: string, data: Uint8Array, logTime: bigint, publishTime: bigint = logTime): Promise<void> {
    this.#assertOpen();
    const state = this.#topic(topic);
    if (logTime < 0n) throw new Error(`message on ${topic}: negative log time ${logTime} ns`);
    await this.writer.addMessage({ channelId: state.channelId, sequence: state.sequence, logTime, publishTime, data });
    state.sequence = (state.sequence + 1) >>> 0;
    state.count += 1;
    this.#count += 1;
    if (this.#start === null || logTime < this.#start) this.#start = logTime;
    if (this.#end === null || logTime > this.#end) this.#end = logTime;
  }

  /** Messages written so far. */
  get messageCount(): number {
    return this.#count;
  }

  /**
   * Writes the MCAP summary and footer, closes the file and writes metadata.yaml. Returns the metadata.
   * Calling it twice is an error.
   */
  async close(): Promise<BagMetadata> {
    this.#assertOpen();
    this.#closed = true;
    try {
      await this.writer.end();
    } finally {
      await this.handle.close();
    }
    const start = this.#start ?? 0n;
    const duration = this.#end === null ? 0n : this.#end - start;
    const relative = path.basename(this.mcapPath);
    const metadata: BagMetadata = {
      version: METADATA_VERSION,
      storage_identifier: "mcap",
      duration: { nanoseconds: duration },
      starting_time: { nanoseconds_since_epoch: start },
      message_count: this.#count,
      topics_with_message_count: [...this.#topics.entries()].map(([name, s]) => ({
        topic_metadata: { name, type: s.type, serialization_format: "cdr", offered_qos_profiles: s.qosYaml, type_description_hash: "" },
        message_count: s.count,
      })),
      compression_format: "",
      compression_mode: "",
      relative_file_paths: [relative],
      files: [{ path: relative, starting_time: { nanoseconds_since_epoch: start }, duration: { nanoseconds: duration }, message_count: this.#count }],
      custom_data: {},
      ros_distro: this.rosDistro,
    };
    fs.writeFileSync(path.join(this.dir, "metadata.yaml"), renderBagMetadata(metadata));
    return metadata;
  }

  #topic(topic: string): TopicState {
    const state = this.#topics.get(topic);
    if (state === undefined) throw new Error(`topic ${topic} was not declared with addTopic (declared: ${[...this.#topics.keys()].join(", ") || "none"})`);
    return state;
  }

  #assertOpen(): void {
    if (this.#closed) throw new Error(`bag ${this.dir} is already closed`);
  }
}
