/**
 * `offered_qos_profiles` strings as rosbag2 stores them (MCAP channel metadata and metadata.yaml
 * version 8): a YAML list with the rmw policy enums as integers. Humble and Jazzy both read this form.
 */
import { stringify } from "yaml";

/** Reliability of the publisher `ros2 bag play` creates for a topic. */
export type Reliability = "reliable" | "best_effort";
/** Durability of that publisher (`transient_local` replays the latest message to late joiners). */
export type Durability = "volatile" | "transient_local";

/** QoS offered by a recorded publisher. */
export interface OfferedQos {
  reliability: Reliability;
  durability: Durability;
}

/** rmw enums (rmw/types.h). */
const HISTORY_UNKNOWN = 3;
const RELIABILITY: Record<Reliability, number> = { reliable: 1, best_effort: 2 };
const DURABILITY: Record<Durability, number> = { transient_local: 1, volatile: 2 };
const LIVELINESS_AUTOMATIC = 1;
/** RMW_DURATION_INFINITE as rosbag2 writes it. */
const INFINITE = { sec: 9223372036, nsec: 854775807 };

/** Reliable, volatile: what a default rclcpp publisher offers (and what any subscriber accepts). */
export const DEFAULT_OFFERED_QOS: OfferedQos = { reliability: "reliable", durability: "volatile" };

/** The `offered_qos_profiles` YAML text for one publisher offering `qos`. */
export function offeredQosProfilesYaml(qos: OfferedQos = DEFAULT_OFFERED_QOS): string {
  return stringify(
    [
      {
        history: HISTORY_UNKNOWN,
        depth: 0,
        reliability: RELIABILITY[qos.reliability],
        durability: DURABILITY[qos.durability],
        deadline: { ...INFINITE },
        lifespan: { ...INFINITE },
        liveliness: LIVELINESS_AUTOMATIC,
        liveliness_lease_duration: { ...INFINITE },
        avoid_ros_namespace_conventions: false,
      },
    ],
    { aliasDuplicateObjects: false },
  ).trimEnd();
}
