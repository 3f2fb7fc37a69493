/**
 * The ROS 2 managed-node state machine (design.ros2.org/articles/node_lifecycle.html, with rcl's ids and
 * labels), driving asynchronous callbacks: loading a world model takes seconds and must not block the
 * event loop, which rclnodejs's own LifecycleNode (synchronous callbacks) would. Pure: no ROS, no clock.
 *
 * A callback resolves to null (success), resolves to a reason (failure: back to the start state), or
 * throws (error: errorprocessing, then `onError` decides between unconfigured and finalized). While a
 * transition runs, every other request is refused, as rcl refuses transitions from a transition state.
 */

/** lifecycle_msgs/msg/State ids. */
export const STATE = {
  unknown: 0,
  unconfigured: 1,
  inactive: 2,
  active: 3,
  finalized: 4,
  configuring: 10,
  cleaningup: 11,
  shuttingdown: 12,
  activating: 13,
  deactivating: 14,
  errorprocessing: 15,
} as const;
export type StateLabel = keyof typeof STATE;
export type PrimaryState = "unconfigured" | "inactive" | "active" | "finalized";

/** lifecycle_msgs/msg/Transition ids of the requestable transitions and of the callback outcomes. */
export const TRANSITION = {
  configure: 1,
  cleanup: 2,
  activate: 3,
  deactivate: 4,
  unconfigured_shutdown: 5,
  inactive_shutdown: 6,
  active_shutdown: 7,
  on_configure: 10,
  on_cleanup: 20,
  on_activate: 30,
  on_deactivate: 40,
  on_shutdown: 50,
  on_error: 60,
} as const;

/** A requestable transition as `ros2 lifecycle list` shows it: id, label, start and (transition) goal state. */
export interface TransitionDescription {
  id: number;
  label: "configure" | "cleanup" | "activate" | "deactivate" | "shutdown";
  start: PrimaryState;
  goal: StateLabel;
}

/** What a node does in each transition. Resolve null on success or a reason on failure; throw on error. */
export interface LifecycleCallbacks {
  onConfigure(): Promise<string | null>;
  onActivate(): Promise<string | null>;
  onDeactivate(): Promise<string | null>;
  onCleanup(): Promise<string | null>;
  /** From unconfigured, inactive or active: release everything. */
  onShutdown(from: PrimaryState): Promise<string | null>;
  /** After an error in any callback: null to recover to unconfigured, a reason to finalize. */
  onError(error: Error, during: StateLabel): Promise<string | null>;
}

/** One state change, for lifecycle_msgs/msg/TransitionEvent. */
export interface TransitionEvent {
  transition: { id: number; label: string };
  start: StateLabel;
  goal: StateLabel;
}

/** The outcome of a requested transition. */
export interface TransitionResult {
  success: boolean;
  /** The state afterwards (a transition state only when the request was refused because one runs). */
  state: StateLabel;
  /** Why it failed (the callback's reason, the error, or why the request was refused); "" on success. */
  reason: string;
}

const REQUESTABLE: Readonly<Record<PrimaryState, readonly TransitionDescription[]>> = {
  unconfigured: [
    { id: TRANSITION.configure, label: "configure", start: "unconfigured", goal: "configuring" },
    { id: TRANSITION.unconfigured_shutdown, label: "shutdown", start: "unconfigured", goal: "shuttingdown" },
  ],
  inactive: [
    { id: TRANSITION.cleanup, label: "cleanup", start: "inactive", goal: "cleaningup" },
    { id: TRANSITION.activate, label: "activate", start: "inactive", goal: "activating" },
    { id: TRANSITION.inactive_shutdown, label: "shutdown", start: "inactive", goal: "shuttingdown" },
  ],
  active: [
    { id: TRANSITION.deactivate, label: "deactivate", start: "active", goal: "deactivating" },
    { id: TRANSITION.active_shutdown, label: "shutdown", start: "active", goal: "shuttingdown" },
  ],
  finalized: [],
};

/** Where each transition state leads on success and on failure, and its callback-outcome transition id. */
const OUTCOMES: Readonly<Record<string, { success: PrimaryState; failure: (from: PrimaryState) => PrimaryState; base: number }>> = {
  configuring: { success: "inactive", failure: () => "unconfigured", base: TRANSITION.on_configure },
  activating: { success: "active", failure: () => "inactive", base: TRANSITION.on_activate },
  deactivating: { success: "inactive", failure: () => "active", base: TRANSITION.on_deactivate },
  cleaningup: { success: "unconfigured", failure: () => "inactive", base: TRANSITION.on_cleanup },
  // Shutting down cannot be undone by a failing callback: the node is going away either way.
  shuttingdown: { success: "finalized", failure: () => "finalized", base: TRANSITION.on_shutdown },
};

export class LifecycleStateMachine {
  private current: StateLabel = "unconfigured";

  constructor(
    private readonly callbacks: LifecycleCallbacks,
    private readonly onEvent: (e: TransitionEvent) => void = () => undefined,
  ) {}

  get state(): StateLabel {
    return this.current;
  }

  /** Every state, primary and transition (GetAvailableStates). */
  static states(): StateLabel[] {
    return Object.keys(STATE) as StateLabel[];
  }

  /** Transitions that can be requested now (none while one runs). */
  available(): TransitionDescription[] {
    return this.isPrimary(this.current) ? [...REQUESTABLE[this.current]] : [];
  }

  /** Every requestable transition of the graph (GetTransitionGraph). */
  static graph(): TransitionDescription[] {
    return Object.values(REQUESTABLE).flat();
  }

  /**
   * Requests a transition by label (`configure`, …, `shutdown`) or id. Refused (success false, nothing
   * run) when it is not available from the current state.
   */
  async trigger(transition: string | number): Promise<TransitionResult> {
    const from = this.current;
    const t = this.available().find((d) => d.label === transition || d.id === transition);
    if (t === undefined || !this.isPrimary(from)) {
      const names = this.available().map((d) => d.label);
      const reason = this.isPrimary(from)
        ? `no transition ${String(transition)} from ${from}; available: ${names.join(", ") || "none"}`
        : `a transition is in progress (${from})`;
      return { success: false, state: from, reason };
    }
    this.move(t.goal, { id: t.id, label: t.label });
    const outcome = OUTCOMES[t.goal];
    let result: string | null;
    try {
      result = await this.run(t.goal, from);
    } catch (e) {
      const error = e instanceof Error ? e : new Error(String(e));
      this.move("errorprocessing", { id: outcome.base + 2, label: "transition_error" });
      let recovered: string | null;
      try {
        recovered = await this.callbacks.onError(error, t.goal);
      } catch (e2) {
        recovered = (e2 as Error).message || "onError threw";
      }
      const to: PrimaryState = recovered === null ? "unconfigured" : "finalized";
      this.move(to, { id: TRANSITION.on_error + (recovered === null ? 0 : 1), label: recovered === null ? "transition_success" : "transition_failure" });
      return { success: false, state: to, reason: `${t.label} failed with an error: ${error.message}` };
    }
    const to = result === null ? outcome.success : outcome.failure(from);
    this.move(to, { id: outcome.base + (result === null ? 0 : 1), label: result === null ? "transition_success" : "transition_failure" });
    return { success: result === null, state: to, reason: result ?? "" };
  }

  private run(state: StateLabel, from: PrimaryState): Promise<string | null> {
    switch (state) {
      case "configuring":
        return this.callbacks.onConfigure();
      case "activating":
        return this.callbacks.onActivate();
      case "deactivating":
        return this.callbacks.onDeactivate();
      case "cleaningup":
        return this.callbacks.onCleanup();
      default:
        return this.callbacks.onShutdown(from);
    }
  }

  private move(to: StateLabel, transition: { id: number; label: string }): void {
    const start = this.current;
    this.current = to;
    this.onEvent({ transition, start, goal: to });
  }

  private isPrimary(s: StateLabel): s is PrimaryState {
    return s === "unconfigured" || s === "inactive" || s === "active" || s === "finalized";
  }
}
