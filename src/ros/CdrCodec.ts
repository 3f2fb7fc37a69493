/**
 * CDR (little-endian, XCDR1 encapsulation as rmw writes it) encoding and decoding of ROS 2 messages
 * by type name, over @foxglove/rosmsg2-serialization. Writers and readers are built once per type.
 */
import type { MessageDefinition } from "@foxglove/message-definition";
import { parse } from "@foxglove/rosmsg";
import { MessageReader, MessageWriter } from "@foxglove/rosmsg2-serialization";
import type { MessageRegistry } from "./MessageRegistry";
import { fullTypeName } from "./typeNames";

export class CdrCodec {
  readonly #writers = new Map<string, MessageWriter>();
  readonly #readers = new Map<string, MessageReader>();
  readonly #schemas = new Map<string, MessageDefinition[]>();

  /** `registry`: where definitions of types without a registered schema come from. */
  constructor(private readonly registry: MessageRegistry) {}

  /**
   * Uses a `ros2msg` schema text (e.g. from a bag written elsewhere) for `type` instead of the
   * registry's definition. Throws when the text does not parse.
   */
  registerSchema(type: string, ros2msgText: string): void {
    const name = fullTypeName(type);
    let defs: MessageDefinition[];
    try {
      defs = parse(ros2msgText, { ros2: true });
    } catch (e) {
      throw new Error(`schema of ${name} does not parse as ros2msg: ${(e as Error).message}`, { cause: e });
    }
    this.#schemas.set(name, defs);
    this.#readers.delete(name);
    this.#writers.delete(name);
  }

  /** Serialises `message` (a plain object with the type's fields; missing fields take defaults). */
  encode(type: string, message: unknown): Uint8Array {
    const name = fullTypeName(type);
    let writer = this.#writers.get(name);
    if (writer === undefined) {
      writer = new MessageWriter(this.#definitions(name));
      this.#writers.set(name, writer);
    }
    try {
      return writer.writeMessage(message);
    } catch (e) {
      throw new Error(`cannot encode ${name}: ${(e as Error).message}`, { cause: e });
    }
  }

  /** Decodes CDR bytes of `type` into a plain object (uint8[] → Uint8Array, float64[] → Float64Array). */
  decode<T = Record<string, unknown>>(type: string, bytes: Uint8Array): T {
    const name = fullTypeName(type);
    let reader = this.#readers.get(name);
    if (reader === undefined) {
      reader = new MessageReader(this.#definitions(name), { timeType: "sec,nanosec" });
      this.#readers.set(name, reader);
    }
    try {
      return reader.readMessage<T>(bytes);
    } catch (e) {
      throw new Error(`cannot decode ${bytes.byteLength} bytes as ${name}: ${(e as Error).message}`, { cause: e });
    }
  }

  #definitions(name: string): MessageDefinition[] {
    return this.#schemas.get(name) ?? this.registry.definitions(name);
  }
}
