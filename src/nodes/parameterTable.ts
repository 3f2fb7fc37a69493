/**
 * The README's parameter table, generated from the same declarations the nodes declare their ROS
 * parameters from (config/parameters.ts for type, default, range, units, read-only; roleParameters.ts for
 * which node declares what), so the documentation cannot drift from what `ros2 param describe` says.
 */
import type { Parameter, ParameterTable } from "../config/parameter";
import { PARAMETERS } from "../config/parameters";
import { ROLE_PARAMETERS, type NodeRole } from "./roleParameters";

const ROLES: readonly NodeRole[] = ["camera", "planner", "actuator"];

const cell = (text: string): string => text.replace(/\|/g, "\\|");

function defaultText(p: Parameter): string {
  if (p.default === null) return "unset";
  if (Array.isArray(p.default)) return `[${p.default.join(", ")}]`;
  if (p.type === "string") return p.default === "" ? '""' : String(p.default);
  return String(p.default);
}

function rangeText(p: Parameter): string {
  const parts: string[] = [];
  if (p.choices) parts.push(p.choices.join(", "));
  if (p.range) parts.push(`${p.range[0]} … ${p.range[1]}`);
  if (p.length) parts.push(`length ${p.length}`);
  if (p.units) parts.push(p.units);
  return parts.join("; ");
}

/** A markdown table of every parameter: the nodes that declare it, type, default, range, live or not. */
export function renderParameterTable(table: ParameterTable = PARAMETERS): string {
  const rows = ["| parameter | nodes | type | default | range / units | set live | description |", "|---|---|---|---|---|---|---|"];
  for (const [group, params] of Object.entries(table)) {
    for (const [key, p] of Object.entries(params)) {
      const name = `${group}.${key}`;
      const nodes = ROLES.filter((r) => ROLE_PARAMETERS[r].includes(name));
      const unset = p.nullable ? (p.type === "integer" ? " (-1 in ROS while unset)" : " (.nan in ROS while unset)") : "";
      rows.push(
        `| \`${name}\` | ${nodes.join(", ") || "none"} | ${p.type} | ${cell(defaultText(p))} | ${cell(rangeText(p))} | ${p.readOnly ? "read-only" : "yes"} | ${cell(p.description + unset)} |`,
      );
    }
  }
  return rows.join("\n") + "\n";
}
