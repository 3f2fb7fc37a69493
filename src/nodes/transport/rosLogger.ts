/**
 * The project's logger (pino) writing through a ROS node's logger, so that under ROS the nodes log the
 * way ROS nodes do: one line per event in `ros2 launch` output, on /rosout, filtered by `--log-level`.
 * Structured fields follow the message as `key=value`.
 */
import pino from "pino";
import type { Logger } from "../../log";

/** The part of rclnodejs's Logger this needs. */
export interface RclLogger {
  debug(message: string): unknown;
  info(message: string): unknown;
  warn(message: string): unknown;
  error(message: string): unknown;
  fatal(message: string): unknown;
  /** rcutils severity: 10 debug, 20 info, 30 warn, 40 error, 50 fatal (0: unset). */
  readonly loggerEffectiveLevel: number;
}

/** Fields pino adds to every line that the ROS line carries already (time, severity, node name). */
const OWN_FIELDS = new Set(["level", "time", "pid", "hostname", "name", "msg"]);

function value(v: unknown): string {
  if (typeof v === "string") return /[\s=]/.test(v) || v === "" ? JSON.stringify(v) : v;
  return JSON.stringify(v) ?? String(v);
}

/** One ROS log line from a pino JSON record. */
export function rosLine(record: Record<string, unknown>): string {
  const fields = Object.entries(record).filter(([k]) => !OWN_FIELDS.has(k));
  const text = typeof record.msg === "string" ? record.msg : "";
  return fields.length === 0
    ? text
    : `${text} (${fields.map(([k, v]) => `${k}=${value(k === "err" && typeof v === "object" && v !== null && "message" in v ? (v as Error).message : v)}`).join(", ")})`;
}

/** pino level for a ROS severity: only what ROS would print is formatted. */
function pinoLevel(severity: number): pino.LevelWithSilent {
  if (severity <= 10) return "debug";
  if (severity <= 20) return "info";
  if (severity <= 30) return "warn";
  if (severity <= 40) return "error";
  return "fatal";
}

/** A pino logger whose records go to `rcl` at the matching severity. */
export function rosLogger(rcl: RclLogger): Logger {
  const destination = {
    write(line: string): void {
      let record: Record<string, unknown>;
      try {
        record = JSON.parse(line) as Record<string, unknown>;
      } catch {
        rcl.info(line.trimEnd());
        return;
      }
      const text = rosLine(record);
      const level = typeof record.level === "number" ? record.level : 30;
      if (level >= 60) rcl.fatal(text);
      else if (level >= 50) rcl.error(text);
      else if (level >= 40) rcl.warn(text);
      else if (level >= 30) rcl.info(text);
      else rcl.debug(text);
    },
  };
  return pino({ level: pinoLevel(rcl.loggerEffectiveLevel || 20) }, destination);
}
