/**
 * Target streaming for the `pose_target` adapter: turns a (possibly large) jump of the goal into a smooth
 * ramp of targets at the command rate, so that the controller never sees a discontinuity (Franka's
 * motion-generator discontinuity reflexes trip on jumps; impedance controllers jerk).
 *
 * Each tick moves the commanded pose towards the goal: translation along the straight line, rotation by
 * slerp, both by the same fraction so they arrive together. The fraction is the largest that keeps the
 * translation speed ≤ max_linear_speed and the rotation speed ≤ max_angular_speed, with the speed ramped
 * up and down by the acceleration limits (a trapezoidal profile that brakes to reach the goal at rest).
 * Pure (`nextStreamTarget`) with a small stateful wrapper (`TargetStreamer`).
 *
 * The point that travels the straight line is `linePoint`, the workspace box's bounded point: a box is
 * convex, so when both ends have it in the box (or no further out than the start, see workspaceBox.ts),
 * so does every streamed target. Were the flange to travel straight while turning, the TCP would swing
 * off the line, out of the box when the ends sit on a wall. The flange itself then moves by the point's
 * travel plus the swing of the lever (≤ angle · |linePoint|), and that sum is what max_linear_speed bounds.
 */
import { angleBetween, distance, rotateVector, slerp, type RigidPose, type Vec3 } from "./rigidPose";

/** Speed limits of the streamer (resolved from the `actuator` parameters). */
export interface StreamLimits {
  /** m/s */
  maxLinearSpeed: number;
  /** rad/s */
  maxAngularSpeed: number;
  /** m/s² */
  maxLinearAcceleration: number;
  /** rad/s² */
  maxAngularAcceleration: number;
  /**
   * The point (m, flange frame) that travels on straight lines: the workspace box's bounded point (the TCP
   * offset for workspace_point tcp). Absent or zero: the flange origin.
   */
  linePoint?: Readonly<Vec3>;
}

/** One streamed step. */
export interface StreamStep {
  /** The next commanded pose. */
  pose: RigidPose;
  /** Speeds of this step (m/s, rad/s); feed them back as `previous` next tick. */
  linearSpeed: number;
  angularSpeed: number;
  /** True when the commanded pose is the goal. */
  reached: boolean;
}

/** Below these the commanded pose counts as at the goal (m, rad). */
export const REACHED_EPSILON = { position: 1e-9, rotation: 1e-9 } as const;

function allowedSpeed(previous: number, remaining: number, max: number, accel: number, dt: number): number {
  // Accelerate from the previous speed; brake so that we can stop at the goal. Discrete braking: from
  // speed v = n·h (h = a·dt) the ticks cover dt·h·n(n+1)/2, which must not exceed the remaining distance.
  const h = accel * dt;
  const n = (Math.sqrt(1 + (8 * remaining) / (h * dt)) - 1) / 2;
  return Math.min(max, previous + h, Math.max(n * h, h));
}

/**
 * The next target from `commanded` towards `goal` after `dt` seconds.
 * @param previous speeds of the previous step (m/s, rad/s); zeros from rest
 * @returns the next pose and the speeds used; `reached` when it is the goal. dt ≤ 0 or non-finite, or a
 * goal too far to measure (the distance overflows): no move.
 */
export function nextStreamTarget(
  commanded: RigidPose,
  goal: RigidPose,
  dt: number,
  previous: { linearSpeed: number; angularSpeed: number },
  limits: StreamLimits,
): StreamStep {
  const l = limits.linePoint;
  const lever = l === undefined ? 0 : Math.hypot(l[0], l[1], l[2]);
  const c = lever === 0 ? commanded.position : add(commanded.position, rotateVector(commanded.orientation, l!));
  const g = lever === 0 ? goal.position : add(goal.position, rotateVector(goal.orientation, l!));
  const d = distance(c, g);
  const theta = angleBetween(commanded.orientation, goal.orientation);
  if (d <= REACHED_EPSILON.position && theta <= REACHED_EPSILON.rotation) {
    return { pose: clonePose(goal), linearSpeed: 0, angularSpeed: 0, reached: true };
  }
  // The flange's travel: the line point's, plus the lever's swing (a chord, at most angle × lever).
  const travel = lever === 0 ? d : d + theta * lever;
  if (!(dt > 0) || !Number.isFinite(dt) || !Number.isFinite(travel) || !Number.isFinite(theta))
    return { pose: clonePose(commanded), linearSpeed: 0, angularSpeed: 0, reached: false };
  const v = allowedSpeed(previous.linearSpeed, travel, limits.maxLinearSpeed, limits.maxLinearAcceleration, dt);
  const w = allowedSpeed(previous.angularSpeed, theta, limits.maxAngularSpeed, limits.maxAngularAcceleration, dt);
  let s = 1;
  if (travel > REACHED_EPSILON.position) s = Math.min(s, (v * dt) / travel);
  if (theta > REACHED_EPSILON.rotation) s = Math.min(s, (w * dt) / theta);
  if (s >= 1) return { pose: clonePose(goal), linearSpeed: travel / dt, angularSpeed: theta / dt, reached: true };
  const orientation = slerp(commanded.orientation, goal.orientation, s);
  const p: Vec3 = [c[0] + s * (g[0] - c[0]), c[1] + s * (g[1] - c[1]), c[2] + s * (g[2] - c[2])];
  return {
    pose: { position: lever === 0 ? p : add(p, rotateVector(orientation, l!), -1), orientation },
    linearSpeed: (s * travel) / dt,
    angularSpeed: (s * theta) / dt,
    reached: false,
  };
}

function add(a: Readonly<Vec3>, b: Readonly<Vec3>, k = 1): Vec3 {
  return [a[0] + k * b[0], a[1] + k * b[1], a[2] + k * b[2]];
}

function clonePose(p: RigidPose): RigidPose {
  return { position: [p.position[0], p.position[1], p.position[2]], orientation: [p.orientation[0], p.orientation[1], p.orientation[2], p.orientation[3]] };
}

/**
 * The streamer's state: the pose commanded last, the goal, and the current speeds. The node calls
 * `start` with the measured pose, `setGoal` on each accepted plan, `hold` on any refusal, and `tick`
 * at the command rate, publishing `commanded`.
 */
export class TargetStreamer {
  private commandedPose: RigidPose | null = null;
  private goalPose: RigidPose | null = null;
  private speeds = { linearSpeed: 0, angularSpeed: 0 };

  /** Speed limits; replaced on a live parameter change and used from the next tick. */
  constructor(public limits: StreamLimits) {}

  /** (Re)starts from a pose (the measured one), at rest, with that pose as the goal. */
  start(pose: RigidPose): void {
    this.commandedPose = clonePose(pose);
    this.goalPose = clonePose(pose);
    this.speeds = { linearSpeed: 0, angularSpeed: 0 };
  }

  /** Sets the pose to ramp towards (ignored before `start`: there is nothing to ramp from). */
  setGoal(goal: RigidPose): boolean {
    if (this.commandedPose === null) return false;
    this.goalPose = clonePose(goal);
    return true;
  }

  /** Stops where the commanded pose is now: the goal becomes the commanded pose, speeds drop to 0. */
  hold(): void {
    if (this.commandedPose !== null) this.goalPose = clonePose(this.commandedPose);
    this.speeds = { linearSpeed: 0, angularSpeed: 0 };
  }

  /** Advances by dt (s); returns the pose to publish (null before `start`). */
  tick(dt: number): StreamStep | null {
    if (this.commandedPose === null || this.goalPose === null) return null;
    const step = nextStreamTarget(this.commandedPose, this.goalPose, dt, this.speeds, this.limits);
    this.commandedPose = step.pose;
    this.speeds = { linearSpeed: step.linearSpeed, angularSpeed: step.angularSpeed };
    return step;
  }

  /** The pose commanded last (null before `start`). */
  get commanded(): RigidPose | null {
    return this.commandedPose === null ? null : clonePose(this.commandedPose);
  }

  /** The goal (null before `start`). */
  get goal(): RigidPose | null {
    return this.goalPose === null ? null : clonePose(this.goalPose);
  }

  /** True while the commanded pose has not reached the goal (the plan watchdog's `motionPending`). */
  get moving(): boolean {
    if (this.commandedPose === null || this.goalPose === null) return false;
    return (
      distance(this.commandedPose.position, this.goalPose.position) > REACHED_EPSILON.position ||
      angleBetween(this.commandedPose.orientation, this.goalPose.orientation) > REACHED_EPSILON.rotation
    );
  }
}
