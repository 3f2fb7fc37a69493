/**
 * rosbag2's `metadata.yaml` (key `rosbag2_bagfile_information`), written as version 8: the newest
 * version whose `offered_qos_profiles` is a YAML string, which both Humble (reads ≤ its own fields) and
 * Jazzy (reads every version) accept. Field names follow rosbag2_storage/yaml.hpp.
 */
import { parse, stringify } from "yaml";

/** The metadata version this project writes. */
export const METADATA_VERSION = 8;

export interface BagTopicMetadata {
  name: string;
  /** Full type name, `pkg/msg/Type`. */
  type: string;
  serialization_format: string;
  /** YAML text (version ≤ 8). */
  offered_qos_profiles: string;
  /** `RIHS01_…` or empty when unknown. */
  type_description_hash: string;
}

export interface BagFileInformation {
  path: string;
  starting_time: { nanoseconds_since_epoch: bigint };
  duration: { nanoseconds: bigint };
  message_count: number;
}

/** The content of metadata.yaml. Times are bigint nanoseconds. */
export interface BagMetadata {
  version: number;
  storage_identifier: string;
  duration: { nanoseconds: bigint };
  starting_time: { nanoseconds_since_epoch: bigint };
  message_count: number;
  topics_with_message_count: Array<{ topic_metadata: BagTopicMetadata; message_count: number }>;
  compression_format: string;
  compression_mode: string;
  relative_file_paths: string[];
  files: BagFileInformation[];
  custom_data: Record<string, string>;
  ros_distro: string;
}

/** metadata.yaml text for `metadata` (integers as plain YAML integers, as yaml-cpp writes them). */
export function renderBagMetadata(metadata: BagMetadata): string {
  return stringify({ rosbag2_bagfile_information: metadata }, { lineWidth: 0 });
}

/**
 * Parses metadata.yaml text. Throws naming `file` when the top-level key or a required field is
 * missing. Nanosecond fields come back as bigint.
 */
export function parseBagMetadata(text: string, file = "metadata.yaml"): BagMetadata {
  const doc = parse(text, { intAsBigInt: true }) as { rosbag2_bagfile_information?: Record<string, unknown> } | null;
  const info = doc?.rosbag2_bagfile_information;
  if (info === undefined || info === null) throw new Error(`${file}: no rosbag2_bagfile_information key; not a rosbag2 metadata file`);
  for (const key of ["version", "storage_identifier", "relative_file_paths", "topics_with_message_count", "message_count"]) {
    if (!(key in info)) throw new Error(`${file}: rosbag2_bagfile_information has no '${key}'`);
  }
  const num = (v: unknown): number => (typeof v === "bigint" ? Number(v) : Number(v ?? 0));
  const big = (v: unknown): bigint => (typeof v === "bigint" ? v : BigInt(Number(v ?? 0)));
  const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === "object" ? (v as Record<string, unknown>) : {});
  const topics = (info.topics_with_message_count as Array<Record<string, unknown>> | null) ?? [];
  return {
    version: num(info.version),
    storage_identifier: String(info.storage_identifier),
    duration: { nanoseconds: big(obj(info.duration).nanoseconds) },
    starting_time: { nanoseconds_since_epoch: big(obj(info.starting_time).nanoseconds_since_epoch) },
    message_count: num(info.message_count),
    topics_with_message_count: topics.map((t) => {
      const m = obj(t.topic_metadata);
      const qos = m.offered_qos_profiles;
      return {
        topic_metadata: {
          name: String(m.name),
          type: String(m.type),
          serialization_format: String(m.serialization_format ?? "cdr"),
          offered_qos_profiles: typeof qos === "string" ? qos : stringify(qos ?? []),
          type_description_hash: String(m.type_description_hash ?? ""),
        },
        message_count: num(t.message_count),
      };
    }),
    compression_format: String(info.compression_format ?? ""),
    compression_mode: String(info.compression_mode ?? ""),
    relative_file_paths: ((info.relative_file_paths as unknown[] | null) ?? []).map(String),
    files: ((info.files as Array<Record<string, unknown>> | null) ?? []).map((f) => ({
      path: String(f.path),
      starting_time: { nanoseconds_since_epoch: big(obj(f.starting_time).nanoseconds_since_epoch) },
      duration: { nanoseconds: big(obj(f.duration).nanoseconds) },
      message_count: num(f.message_count),
    })),
    custom_data: Object.fromEntries(Object.entries(obj(info.custom_data)).map(([k, v]) => [k, String(v)])),
    ros_distro: String(info.ros_distro ?? ""),
  };
}
