/**
 * diagnostic_msgs/DiagnosticArray on /diagnostics, the way ROS drivers report health: each node
 * publishes one DiagnosticStatus (`vjepa2_mpc: <node>`) once a second with its counters and state as
 * key/value pairs, readable with `ros2 topic echo /diagnostics` or rqt_runtime_monitor.
 */
import { timeFromSeconds, type Header } from "../ros/messages";
import type { Transport } from "./transport/Transport";

/** DiagnosticStatus levels. */
export const DIAGNOSTIC_LEVEL = { ok: 0, warn: 1, error: 2, stale: 3 } as const;

/** One node's health as it reports it. */
export interface NodeHealth {
  level: (typeof DIAGNOSTIC_LEVEL)[keyof typeof DIAGNOSTIC_LEVEL];
  message: string;
  values: Record<string, string | number | boolean | null>;
}

export interface DiagnosticArrayMsg {
  header: Header;
  status: Array<{ level: number; name: string; message: string; hardware_id: string; values: Array<{ key: string; value: string }> }>;
}

/** The DiagnosticArray message of one node's health. */
export function diagnosticArrayMsg(node: string, health: NodeHealth, stamp: number): DiagnosticArrayMsg {
  const value = (v: string | number | boolean | null): string =>
    v === null ? "" : typeof v === "number" ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : String(v);
  return {
    header: { stamp: timeFromSeconds(stamp), frame_id: "" },
    status: [
      {
        level: health.level,
        name: `vjepa2_mpc: ${node}`,
        message: health.message,
        hardware_id: "vjepa2_mpc",
        values: Object.entries(health.values).map(([key, v]) => ({ key, value: value(v) })),
      },
    ],
  };
}

/** Publishes `health()` on /diagnostics every `periodS` seconds; returns the stop function. */
export function publishDiagnostics(t: Transport, node: string, health: () => NodeHealth, periodS = 1): () => void {
  const publish = t.publisher<DiagnosticArrayMsg>("diagnostic_msgs/msg/DiagnosticArray", "/diagnostics", "reliable");
  return t.clock.every(periodS, () => publish(diagnosticArrayMsg(node, health(), t.clock.now())));
}
