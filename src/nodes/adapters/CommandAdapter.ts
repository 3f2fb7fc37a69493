/**
 * The seam between the actuator node and an arm controller: what the node commands each control tick,
 * and how a controller is told to stand still. The node runs the safety envelope, the target streamer and
 * the watchdogs; an adapter only turns their output into the controller's messages. One file per
 * controller, registered by its actuator.adapter name in registry.ts.
 */
import type { ActuatorSettings } from "../actuator/actuatorSettings";
import type { RigidPose } from "../actuator/rigidPose";
import type { Transport } from "../transport/Transport";

/** What the actuator node has sent (ActuatorNode.sent): adapters count each message they send. */
export interface SentCounters {
  /** geometry_msgs/PoseStamped targets. */
  poses: number;
  /** geometry_msgs/TwistStamped commands. */
  twists: number;
  /** Gripper action goals (counted by the node). */
  gripperGoals: number;
}

/** What every adapter (command or gripper) is made with. */
export interface AdapterContext {
  /** The actuator node's transport: publishers, action goals, log, clock. */
  readonly transport: Transport;
  /**
   * The node's current settings. Read them on every call: a live parameter change (a speed limit, the twist
   * gain, gripper speed and force) applies from the next tick; frame, TCP offset and adapters stay fixed.
   */
  settings(): ActuatorSettings;
  /** The node's counters; the object stays the same for the node's life. */
  readonly sent: SentCounters;
}

/** One control tick's command, flange poses in the base frame (actuator.frame_id). */
export interface CommandStep {
  /** Where the streamed target is this tick (interpolated towards the plan's target, speed-limited). */
  readonly target: RigidPose;
  /** The latest measured flange pose (fresh: the state watchdog holds otherwise). */
  readonly measured: RigidPose;
}

/** An arm controller as the actuator node drives it; `now` is the node's clock (s), for stamps. */
export interface CommandAdapter {
  /** Commands one tick's streamed target (at actuator.command_rate while the guards pass). */
  send(step: CommandStep, now: number): void;
  /**
   * A guard holds the arm this tick (e-stop, stale state, stale plan): command standing still, or nothing
   * when the controller holds its last target by itself. Called every tick while held.
   */
  hold(now: number): void;
  /** The node stops or deactivates: leave the controller at rest (no further call follows). */
  stop(now: number): void;
}

/** Makes the adapter for one actuator node (its publishers are created here, once). */
export type CommandAdapterFactory = (context: AdapterContext) => CommandAdapter;
