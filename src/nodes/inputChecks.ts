/**
 * Checks of what the nodes receive on topics and services. Under ROS the middleware hands over
 * well-typed messages, but in-process (tests, bag replay, the demo) and across the ZeroMQ hand-off
 * anything can arrive: a field missing or of the wrong type, NaN, a string where a number goes. Each
 * reader here returns the values a node uses, or throws an Error whose message names the field and
 * what it held, so that the node can log or answer it and change nothing. Fields a node does not read
 * are not checked (extra fields are ignored).
 */
import type { Logger } from "../log";
import type { RigidPose } from "./actuator";
import type { Clock } from "./transport/Transport";

/** tf2's tolerance on |q|² − 1: within it a quaternion is normalised, beyond it the pose is refused. */
export const QUATERNION_NORM2_TOLERANCE = 0.01;

/** Largest value of a uint32 message field (SetGoal step budgets, PlanStatus counters). */
export const UINT32_MAX = 0xffff_ffff;

/**
 * The kind of a typed array ("Float32Array", "Uint8Array", …; Buffer is a Uint8Array), or null. By its
 * internal tag rather than `instanceof`: an array made in another realm (a worker thread's result under
 * Jest, a vm context) is not an instance of this realm's constructor.
 */
export function typedArrayKind(v: unknown): string | null {
  return ArrayBuffer.isView(v) ? Object.prototype.toString.call(v).slice(8, -1) : null;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v) && !ArrayBuffer.isView(v);
}

/**
 * A short description of a received value for logs and service answers: never the whole of a long
 * string (control characters escaped), never a call into the value itself (an object's toString may be
 * missing or hostile).
 */
export function describeValue(v: unknown): string {
  switch (typeof v) {
    case "string":
      return v.length > 60 ? `a string of ${v.length} characters` : `the string ${JSON.stringify(v)}`;
    case "number":
      return String(v);
    case "bigint":
      return `the bigint ${v.toString()}`;
    case "boolean":
      return String(v);
    case "undefined":
      return "missing";
    case "object":
      if (v === null) return "null";
      if (Array.isArray(v)) return `an array of ${v.length}`;
      if (ArrayBuffer.isView(v)) return `a ${typedArrayKind(v)}`;
      return "an object";
    default:
      return `a ${typeof v}`;
  }
}

/** A received string for a message: quoted, control characters escaped, at most `max` characters. */
export function quoteInput(s: string, max = 120): string {
  return s.length <= max ? JSON.stringify(s) : `${JSON.stringify(s.slice(0, max))}… (${s.length} characters)`;
}

function record(v: unknown, what: string): Record<string, unknown> {
  if (!isRecord(v)) throw new Error(`${what} is ${describeValue(v)}, not an object`);
  return v;
}

function finite(o: Record<string, unknown>, key: string, what: string): number {
  const v = o[key];
  if (typeof v !== "number" || !Number.isFinite(v)) throw new Error(`${what}.${key} is ${describeValue(v)}`);
  return v;
}

/** Seconds of a message's header.stamp: sec an int32, nanosec an integer in [0, 1e9) (builtin_interfaces/Time). */
export function readStampSeconds(msg: unknown): number {
  const stamp = record(record(record(msg, "the message").header, "header").stamp, "header.stamp");
  const sec = stamp.sec;
  const nanosec = stamp.nanosec;
  if (typeof sec !== "number" || !Number.isInteger(sec) || sec < -(2 ** 31) || sec >= 2 ** 31)
    throw new Error(`header.stamp.sec is ${describeValue(sec)}, not an int32`);
  if (typeof nanosec !== "number" || !Number.isInteger(nanosec) || nanosec < 0 || nanosec >= 1e9) {
    throw new Error(`header.stamp.nanosec is ${describeValue(nanosec)}, not an integer in [0, 1e9)`);
  }
  return sec + nanosec * 1e-9;
}

/**
 * The pose of a geometry_msgs/PoseStamped: finite position, and an orientation that is a unit quaternion
 * within QUATERNION_NORM2_TOLERANCE (returned normalised). A zero or far-from-unit quaternion is no
 * rotation at all: used as one, it would become a pitch of −90° in Euler angles or be streamed back to
 * the robot as a target orientation.
 */
export function readPose(msg: unknown): RigidPose {
  const pose = record(record(msg, "the message").pose, "pose");
  const p = record(pose.position, "pose.position");
  const o = record(pose.orientation, "pose.orientation");
  const position: [number, number, number] = [finite(p, "x", "pose.position"), finite(p, "y", "pose.position"), finite(p, "z", "pose.position")];
  const q = [finite(o, "x", "pose.orientation"), finite(o, "y", "pose.orientation"), finite(o, "z", "pose.orientation"), finite(o, "w", "pose.orientation")];
  const n2 = q[0] * q[0] + q[1] * q[1] + q[2] * q[2] + q[3] * q[3];
  if (!(Math.abs(n2 - 1) <= QUATERNION_NORM2_TOLERANCE)) throw new Error(`pose.orientation is not a unit quaternion (norm ${Math.sqrt(n2)})`);
  const n = Math.sqrt(n2);
  return { position, orientation: [q[0] / n, q[1] / n, q[2] / n, q[3] / n] };
}

/** A numeric array field: an Array of numbers, or a numeric typed array (rclnodejs delivers those). */
export function readNumbers(v: unknown, what: string): ArrayLike<number> {
  if (Array.isArray(v)) {
    v.forEach((x, i) => {
      if (typeof x !== "number") throw new Error(`${what}[${i}] is ${describeValue(x)}, not a number`);
    });
    return v as number[];
  }
  const kind = typedArrayKind(v);
  if (kind !== null && kind !== "DataView" && !kind.startsWith("Big")) return v as unknown as ArrayLike<number>;
  throw new Error(`${what} is ${describeValue(v)}, not an array of numbers`);
}

/** name and position of a sensor_msgs/JointState (as many positions as names). */
export function readJointState(msg: unknown): { name: string[]; position: number[] } {
  const m = record(msg, "the message");
  if (!Array.isArray(m.name)) throw new Error(`name is ${describeValue(m.name)}, not an array of strings`);
  m.name.forEach((n, i) => {
    if (typeof n !== "string") throw new Error(`name[${i}] is ${describeValue(n)}, not a string`);
  });
  const position = Array.from(readNumbers(m.position, "position"));
  if (position.length !== m.name.length) throw new Error(`${position.length} positions for ${m.name.length} names`);
  return { name: m.name as string[], position };
}

/**
 * Logs refused topic messages without flooding: the first refusal of a kind is a warning, then at most
 * one warning per `periodS` of the node's clock (with the count of those in between), the others debug.
 * Sensor topics arrive at up to 1 kHz; a misconfigured one would otherwise bury every other log line.
 */
export class RefusalLog {
  private readonly warnedAt = new Map<string, { at: number; since: number }>();

  constructor(
    private readonly log: Logger,
    private readonly clock: Clock,
    private readonly periodS = 5,
  ) {}

  refuse(kind: string, reason: string, msg: string): void {
    const now = this.clock.now();
    const w = this.warnedAt.get(kind);
    if (w === undefined || !(now - w.at < this.periodS)) {
      this.log.warn({ reason, ...(w !== undefined && w.since > 0 ? { refused_since_last_warning: w.since } : {}) }, msg);
      this.warnedAt.set(kind, { at: now, since: 0 });
    } else {
      w.since++;
      this.log.debug({ reason }, msg);
    }
  }
}
