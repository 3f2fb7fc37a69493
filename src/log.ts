import pino from "pino";

export type Logger = pino.Logger;

/**
 * The project's logger: JSON lines (for log shippers and `ros2 launch` capture), pretty-printed when
 * stderr is a terminal. Level from `VJEPA2_LOG_LEVEL` (default info). Logs go to stderr so command
 * output on stdout stays machine-readable.
 */
export function createLogger(name: string, level = process.env.VJEPA2_LOG_LEVEL ?? "info"): Logger {
  if (level !== "silent" && !(level in pino.levels.values)) {
    throw new Error(`unknown log level '${level}' (expected one of ${[...Object.keys(pino.levels.values), "silent"].join(", ")})`);
  }
  if (process.stderr.isTTY && process.env.VJEPA2_LOG_JSON === undefined) {
    return pino({ name, level, transport: { target: "pino-pretty", options: { destination: 2, ignore: "pid,hostname" } } });
  }
  return pino({ name, level }, pino.destination(2));
}

/** A logger that drops everything (library default and tests). */
export const silentLogger: Logger = pino({ level: "silent" });
