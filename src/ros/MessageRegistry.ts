/**
 * A set of ROS 2 message definitions by type name, producing the complete `ros2msg` text rosbag2 stores
 * as an MCAP schema (the type's own text, then each dependency after an 80-`=` line and `MSG: pkg/Type`)
 * and the parsed definitions the CDR codec needs.
 */
import type { MessageDefinition } from "@foxglove/message-definition";
import { parse } from "@foxglove/rosmsg";
import { loadInterfaceMessages } from "./interfacePackage";
import { STANDARD_MESSAGE_TEXTS } from "./standardMessages";
import { fieldTypeDependencies, fullTypeName, packageOf, shortTypeName } from "./typeNames";

/** The delimiter line rosbag2 puts before each dependency in a `ros2msg` schema. */
export const ROS2MSG_DELIMITER = "=".repeat(80);

/** Most nested message levels followed before giving up (rosbag2 uses 50). */
const MAX_DEPTH = 50;

export class MessageRegistry {
  readonly #texts = new Map<string, string>();
  readonly #parsed = new Map<string, MessageDefinition[]>();

  /** `texts`: `.msg` text by type name (`pkg/msg/Type` or `pkg/Type`). */
  constructor(texts: Readonly<Record<string, string>> = {}) {
    for (const [name, text] of Object.entries(texts)) this.#texts.set(fullTypeName(name), text);
  }

  /** The standard types the project uses plus its own `vjepa2_mpc_interfaces` messages. */
  static withProjectMessages(msgDir?: string): MessageRegistry {
    return new MessageRegistry({ ...STANDARD_MESSAGE_TEXTS, ...loadInterfaceMessages(msgDir) });
  }

  /** Full names (`pkg/msg/Type`) of every registered type, sorted. */
  types(): string[] {
    return [...this.#texts.keys()].sort();
  }

  has(type: string): boolean {
    return this.#texts.has(fullTypeName(type));
  }

  /** The `.msg` text of one type (no dependencies). Throws naming the known types when absent. */
  text(type: string): string {
    const text = this.#texts.get(fullTypeName(type));
    if (text === undefined) throw new Error(`unknown message type '${type}'; known: ${this.types().join(", ")}`);
    return text;
  }

  /**
   * The complete `ros2msg` definition of `type` as rosbag2 writes it: the type's text, then each
   * dependency (depth first, each once, sorted per level) after `\n` + 80 `=` + `\nMSG: pkg/Type\n`.
   */
  fullText(type: string): string {
    const root = fullTypeName(type);
    const seen = new Set<string>([root]);
    const append = (name: string, depth: number): string => {
      if (depth > MAX_DEPTH) throw new Error(`message ${root} nests deeper than ${MAX_DEPTH} levels (cycle?)`);
      let out = this.text(name);
      for (const dep of fieldTypeDependencies(out, packageOf(name)).sort()) {
        if (seen.has(dep)) continue;
        seen.add(dep);
        out += `\n${ROS2MSG_DELIMITER}\nMSG: ${shortTypeName(dep)}\n${append(dep, depth + 1)}`;
      }
      return out;
    };
    return append(root, 1);
  }

  /** Parsed definitions of `type` and its dependencies (root first), cached. */
  definitions(type: string): MessageDefinition[] {
    const name = fullTypeName(type);
    let defs = this.#parsed.get(name);
    if (defs === undefined) {
      defs = parse(this.fullText(name), { ros2: true });
      this.#parsed.set(name, defs);
    }
    return defs;
  }
}
