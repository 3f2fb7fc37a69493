/**
 * Settle detection for the planner's blocking mode: after a plan is commanded, the motion has "settled"
 * when the measured flange pose is within a position / rotation tolerance of the final target and nearly
 * still (speed estimated from consecutive measurements) continuously for `settleTime`; if `timeout`
 * passes first the answer is "not settled". Pure state machine: the caller feeds measurements and times.
 */
import { angleBetween, distance, type RigidPose } from "./rigidPose";
import { fmt } from "./stage";

export interface SettleTolerances {
  /** m */
  positionTolerance: number;
  /** rad */
  rotationTolerance: number;
  /** "still" below this measured speed (m/s) */
  linearSpeed: number;
  /** "still" below this measured angular speed (rad/s) */
  angularSpeed: number;
  /** how long the conditions must hold (s) */
  settleTime: number;
}

/**
 * - `idle`: no motion started;
 * - `moving`: waiting (not yet within tolerance and still for long enough);
 * - `settled`: done (sticky until the next `start`);
 * - `timeout`: not settled within the timeout (sticky until the next `start`).
 */
export type SettleState = "idle" | "moving" | "settled" | "timeout";

export interface SettleUpdate {
  state: SettleState;
  reason: string;
  /** Current errors to the target (m, rad) and speed estimates (m/s, rad/s; NaN before two samples). */
  positionError: number;
  rotationError: number;
  linearSpeed: number;
  angularSpeed: number;
}

export class SettleDetector {
  private target: RigidPose | null = null;
  private startedAt = 0;
  private timeout = Infinity;
  private last: { pose: RigidPose; time: number } | null = null;
  private speeds = { linear: Number.NaN, angular: Number.NaN };
  private okSince: number | null = null;
  private finished: SettleUpdate | null = null;

  /** Tolerances; replaced on a live parameter change and used from the next update. */
  constructor(public tolerances: SettleTolerances) {}

  /**
   * Starts waiting for `target` (flange pose) from `now` (s); `timeout` (s, Infinity: none) bounds the
   * wait. The previous measurement is kept, so a speed estimate is available at the next update.
   */
  start(target: RigidPose, now: number, timeout: number): void {
    this.target = target;
    this.startedAt = now;
    this.timeout = timeout;
    this.okSince = null;
    this.finished = null;
  }

  /** Feeds one measured flange pose at time `now` (s) and returns the state. */
  update(measured: RigidPose, now: number): SettleUpdate {
    if (this.last !== null && now > this.last.time) {
      const dt = now - this.last.time;
      this.speeds = {
        linear: distance(this.last.pose.position, measured.position) / dt,
        angular: angleBetween(this.last.pose.orientation, measured.orientation) / dt,
      };
    }
    if (this.last === null || now > this.last.time) this.last = { pose: measured, time: now };
    if (this.finished !== null) return this.finished;
    if (this.target === null)
      return {
        state: "idle",
        reason: "no motion commanded",
        positionError: Number.NaN,
        rotationError: Number.NaN,
        linearSpeed: this.speeds.linear,
        angularSpeed: this.speeds.angular,
      };

    const t = this.tolerances;
    const positionError = distance(measured.position, this.target.position);
    const rotationError = angleBetween(measured.orientation, this.target.orientation);
    const near = positionError <= t.positionTolerance && rotationError <= t.rotationTolerance;
    const still = this.speeds.linear <= t.linearSpeed && this.speeds.angular <= t.angularSpeed; // false while NaN
    const base = { positionError, rotationError, linearSpeed: this.speeds.linear, angularSpeed: this.speeds.angular };
    if (near && still) {
      this.okSince ??= now;
      if (now - this.okSince >= t.settleTime) {
        this.finished = {
          state: "settled",
          reason: `settled: ${fmt(positionError)} m, ${fmt(rotationError)} rad from the target, still for ${fmt(now - this.okSince)} s`,
          ...base,
        };
        return this.finished;
      }
    } else {
      this.okSince = null;
    }
    if (now - this.startedAt > this.timeout) {
      this.finished = {
        state: "timeout",
        reason: `not settled after ${fmt(now - this.startedAt)} s > ${fmt(this.timeout)} s: ${fmt(positionError)} m, ${fmt(rotationError)} rad from the target, moving at ${fmt(this.speeds.linear)} m/s, ${fmt(this.speeds.angular)} rad/s`,
        ...base,
      };
      return this.finished;
    }
    const why = !near
      ? `${fmt(positionError)} m, ${fmt(rotationError)} rad from the target`
      : !still
        ? `moving at ${fmt(this.speeds.linear)} m/s, ${fmt(this.speeds.angular)} rad/s`
        : `still for ${fmt(now - (this.okSince ?? now))} s of ${fmt(t.settleTime)} s`;
    return { state: "moving", reason: why, ...base };
  }
}
