/**
 * The seam between the actuator node and a gripper: the node decides when a new closedness target is
 * worth a goal (actuator.gripper_deadband), counts goals and failures and retries a failed target; an
 * adapter only turns a target into its controller's goal and sends it. One file per gripper, registered
 * by its actuator.gripper_adapter name in registry.ts.
 */
import type { AdapterContext } from "./CommandAdapter";

/** A goal on its way. */
export interface GripperGoalSent {
  /** The action's name (for logs). */
  readonly action: string;
  /** Settles when the goal ends; rejects when it was rejected, aborted or found no server. */
  readonly result: Promise<unknown>;
}

export interface GripperAdapter {
  /**
   * False for a cell without a gripper: its closedness counts as 0 (open) in every plan, the gripper state
   * topic is ignored, and `send` is never called.
   */
  readonly hasGripper: boolean;
  /** Sends a goal towards closedness `target` (0 open .. 1 closed); `measured`: the last measured closedness, null before any. */
  send(target: number, measured: number | null): GripperGoalSent;
}

/** Makes the adapter for one actuator node. */
export type GripperAdapterFactory = (context: AdapterContext) => GripperAdapter;
