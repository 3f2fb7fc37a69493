/**
 * The small interface every node is written against: topics, services, action goals, timers and a clock.
 * Two implementations: ROS 2 through rclnodejs (RosTransport) and in-process (InProcessTransport) for
 * tests, bag replay and the embedded demo. Messages are plain objects shaped like the ROS messages.
 */
import type { Logger } from "../../log";

/** Quality of service, by the profiles the nodes need. */
export type Qos =
  /** Best effort, keep last 5, volatile: camera images and franka's current_pose. */
  | "sensor_data"
  /** Reliable, keep last 10, volatile: commands and statuses. */
  | "reliable"
  /** Reliable, keep last 1, transient local: late joiners get the latest value. */
  | "latched";

/** A clock in seconds: wall time, or simulated time driven by a bag's /clock. */
export interface Clock {
  now(): number;
  /** Calls `callback` every `periodS` seconds of this clock; returns a cancel function. */
  every(periodS: number, callback: () => void): () => void;
}

export interface Transport {
  readonly nodeName: string;
  readonly log: Logger;
  readonly clock: Clock;
  /** A publish function for `topic` of ROS type `type` (e.g. `sensor_msgs/msg/Image`). */
  publisher<T>(type: string, topic: string, qos?: Qos): (msg: T) => void;
  /** Subscribes; returns an unsubscribe function. Callbacks must not throw (errors are logged). */
  subscribe<T>(type: string, topic: string, qos: Qos, callback: (msg: T) => void): () => void;
  /**
   * Serves `name` (`~/x`: the node's private name); the handler's rejection becomes an error logged and an
   * empty response. Returns a function that stops serving it.
   */
  service<Req, Res>(type: string, name: string, handler: (req: Req) => Promise<Res> | Res): () => void;
  /** Sends an action goal (e.g. `franka_msgs/action/Move`) and resolves to its result. */
  sendGoal<Goal, Result>(type: string, name: string, goal: Goal): Promise<Result>;
  /** Releases everything the transport created. */
  close(): Promise<void>;
}
