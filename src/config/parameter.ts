/**
 * Parameter declarations: each parameter is declared once (type, default, units, range, description) and
 * both YAML validation and ROS 2 parameter descriptors are derived from that declaration.
 */

import { withDeclaredUnits } from "./quantity";

/** Value kinds, named after ROS 2 parameter types. */
export type ParameterType = "bool" | "integer" | "double" | "string" | "double_array";

type ValueOf<T extends ParameterType> = T extends "bool" ? boolean : T extends "integer" | "double" ? number : T extends "string" ? string : number[];

/** One declared parameter. */
export interface Parameter<T extends ParameterType = ParameterType> {
  type: T;
  /** Default value; null only for nullable parameters. */
  default: ValueOf<T> | null;
  /** What it does, for `ros2 param describe`, the YAML docs and error messages. */
  description: string;
  /** Physical unit of the value (m, rad, s, Hz, …), if any. */
  units?: string;
  /** Inclusive numeric range (for arrays: of every element). */
  range?: readonly [number, number];
  /** Allowed values of a string parameter. */
  choices?: readonly string[];
  /** Required length of an array parameter. */
  length?: number;
  /** May be null (e.g. "not set"): YAML `null` or `~`. */
  nullable?: boolean;
  /** Fixed after start-up (ROS read_only descriptor). */
  readOnly?: boolean;
}

/** A group of parameters (one YAML section, one ROS parameter prefix). */
export type ParameterGroup = Record<string, Parameter>;
export type ParameterTable = Record<string, ParameterGroup>;

/** The resolved value type of a table. */
export type ValuesOf<T extends ParameterTable> = {
  [G in keyof T]: { [K in keyof T[G]]: T[G][K]["nullable"] extends true ? ValueOf<T[G][K]["type"]> | null : ValueOf<T[G][K]["type"]> };
};

/** Helper that keeps literal types of a declaration. */
export function param<const P extends Parameter>(p: P & Parameter<P["type"]>): P {
  return p;
}

function describeExpected(p: Parameter): string {
  if (p.choices) return `one of ${p.choices.join(", ")}${p.nullable ? " or null" : ""}`;
  const parts: string[] = [
    p.type === "double_array"
      ? `an array of ${p.length ?? "any number of"} numbers`
      : p.type === "integer"
        ? "an integer"
        : p.type === "double"
          ? "a number"
          : p.type === "bool"
            ? "true or false"
            : "a string",
  ];
  if (p.range) parts.push(`in [${p.range[0]}, ${p.range[1]}]${p.units ? ` ${p.units}` : ""}`);
  if (p.nullable) parts.push("or null");
  return parts.join(" ");
}

/**
 * Checks one value against its declaration; returns an error message (naming `name`, the value and what
 * was expected) or null when valid.
 */
export function checkValue(name: string, p: Parameter, v: unknown): string | null {
  const bad = (): string => `${name}: ${JSON.stringify(v)} is not ${describeExpected(p)} (${p.description})`;
  if (v === null) return p.nullable ? null : bad();
  switch (p.type) {
    case "bool":
      return typeof v === "boolean" ? null : bad();
    case "string":
      if (typeof v !== "string") return bad();
      return p.choices && !p.choices.includes(v) ? bad() : null;
    case "integer":
    case "double": {
      if (typeof v !== "number" || !Number.isFinite(v)) return bad();
      if (p.type === "integer" && !Number.isInteger(v)) return bad();
      return p.range && (v < p.range[0] || v > p.range[1]) ? bad() : null;
    }
    case "double_array": {
      if (!Array.isArray(v) || (p.length !== undefined && v.length !== p.length)) return bad();
      const ok = v.every((x) => typeof x === "number" && Number.isFinite(x) && (!p.range || (x >= p.range[0] && x <= p.range[1])));
      return ok ? null : bad();
    }
  }
}

/** Edit distance, for "did you mean" suggestions on misspelt keys. */
function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return row[b.length];
}

function suggest(key: string, known: string[]): string {
  const best = known.map((k) => [k, distance(key, k)] as const).sort((x, y) => x[1] - y[1])[0];
  return best !== undefined && best[1] <= 3 ? ` (did you mean ${best[0]}?)` : ` (known: ${known.join(", ")})`;
}

/** The defaults of every parameter of a table. */
export function defaultsOf<T extends ParameterTable>(table: T): ValuesOf<T> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [g, group] of Object.entries(table)) {
    out[g] = {};
    for (const [k, p] of Object.entries(group)) out[g][k] = Array.isArray(p.default) ? [...p.default] : p.default;
  }
  return out as ValuesOf<T>;
}

/**
 * Merges a partial configuration (parsed YAML, or overrides) over `base`, validating every key and
 * value. Throws one Error listing every problem, each naming the full key (`planner.samples`).
 */
export function mergeConfig<T extends ParameterTable>(table: T, base: ValuesOf<T>, partial: unknown, source: string): ValuesOf<T> {
  const out = structuredClone(base) as Record<string, Record<string, unknown>>;
  if (partial === null || partial === undefined) return out as ValuesOf<T>;
  const problems: string[] = [];
  if (typeof partial !== "object" || Array.isArray(partial)) throw new Error(`${source}: expected a mapping of sections (${Object.keys(table).join(", ")})`);
  for (const [g, section] of Object.entries(partial as Record<string, unknown>)) {
    const group = table[g];
    if (group === undefined) {
      problems.push(`unknown section '${g}'${suggest(g, Object.keys(table))}`);
      continue;
    }
    if (section === null) continue;
    if (typeof section !== "object" || Array.isArray(section)) {
      problems.push(`${g}: expected a mapping of parameters`);
      continue;
    }
    for (const [k, v] of Object.entries(section as Record<string, unknown>)) {
      const p = group[k];
      if (p === undefined) {
        problems.push(`unknown parameter '${g}.${k}'${suggest(k, Object.keys(group))}`);
        continue;
      }
      const converted = withDeclaredUnits(`${g}.${k}`, p, v);
      if ("error" in converted) {
        problems.push(converted.error);
        continue;
      }
      const err = checkValue(`${g}.${k}`, p, converted.value);
      if (err !== null) problems.push(err);
      else out[g][k] = converted.value;
    }
  }
  if (problems.length > 0) throw new Error(`${source}: invalid configuration:\n  - ${problems.join("\n  - ")}`);
  return out as ValuesOf<T>;
}

/** Turns `{"planner.samples": 400}`-style flat overrides into the nested shape `mergeConfig` takes. */
export function nestOverrides(flat: Record<string, unknown>): Record<string, Record<string, unknown>> {
  const out: Record<string, Record<string, unknown>> = {};
  for (const [key, v] of Object.entries(flat)) {
    if (v === undefined) continue;
    const dot = key.indexOf(".");
    if (dot < 0) throw new Error(`override '${key}' must be written section.parameter`);
    const g = key.slice(0, dot);
    (out[g] ??= {})[key.slice(dot + 1)] = v;
  }
  return out;
}

/** A ROS 2 ParameterDescriptor-shaped description of one parameter (rcl_interfaces/msg/ParameterDescriptor). */
export interface RosParameterDescriptor {
  name: string;
  type: ParameterType;
  description: string;
  additional_constraints: string;
  read_only: boolean;
  floating_point_range: Array<{ from_value: number; to_value: number; step: number }>;
  integer_range: Array<{ from_value: number; to_value: number; step: number }>;
}

/**
 * ROS 2 parameters have no null: a nullable double is NaN while unset (`.nan` in YAML and on the
 * `ros2 param set` command line), a nullable integer -1.
 */
export const ROS_UNSET = { double: Number.NaN, integer: -1 } as const;

/** A configuration value as a ROS parameter value (null → ROS_UNSET). */
export function toRosValue(p: Parameter, v: unknown): boolean | number | string | number[] {
  if (v === null) {
    if (p.type === "double" || p.type === "integer") return ROS_UNSET[p.type];
    throw new Error(`a nullable ${p.type} parameter has no ROS form for null`);
  }
  return Array.isArray(v) ? [...(v as number[])] : (v as boolean | number | string);
}

/** A ROS parameter value as a configuration value (ROS_UNSET → null for nullable parameters). */
export function fromRosValue(p: Parameter, v: unknown): unknown {
  if (p.nullable === true && ((p.type === "double" && typeof v === "number" && Number.isNaN(v)) || (p.type === "integer" && v === ROS_UNSET.integer)))
    return null;
  return v;
}

/** Descriptors for every parameter of the given sections (or of `names`), named `section.parameter`. */
export function rosDescriptors(table: ParameterTable, sections: string[] = Object.keys(table), names?: readonly string[]): RosParameterDescriptor[] {
  const out: RosParameterDescriptor[] = [];
  for (const g of sections) {
    for (const [k, p] of Object.entries(table[g] ?? {})) {
      if (names !== undefined && !names.includes(`${g}.${k}`)) continue;
      const unset = p.nullable === true ? (p.type === "integer" ? ROS_UNSET.integer : "nan") : null;
      const low = p.range && unset === ROS_UNSET.integer ? Math.min(ROS_UNSET.integer, p.range[0]) : p.range?.[0];
      const range = p.range && low !== undefined ? [{ from_value: low, to_value: p.range[1], step: 0 }] : [];
      const unsetNote = unset === null ? "" : unset === "nan" ? "unset: .nan" : `unset: ${unset}`;
      out.push({
        name: `${g}.${k}`,
        type: p.type,
        description: p.units ? `${p.description} [${p.units}]` : p.description,
        additional_constraints: [p.choices ? `one of: ${p.choices.join(", ")}` : "", p.length ? `length ${p.length}` : "", unsetNote]
          .filter((s) => s)
          .join("; "),
        read_only: p.readOnly === true,
        floating_point_range: p.type === "double" || p.type === "double_array" ? range : [],
        integer_range: p.type === "integer" ? range : [],
      });
    }
  }
  return out;
}
