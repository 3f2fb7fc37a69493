/** ROS 2 interface type names: `pkg/msg/Type` (rosbag2 and MCAP schema names) and `pkg/Type` (inside .msg texts). */

const TYPE_NAME = /^([A-Za-z0-9_]+)\/(?:msg\/)?([A-Za-z0-9_]+)$/;

/** The primitive field types of the ROS 2 .msg format. */
export const PRIMITIVE_TYPES: ReadonlySet<string> = new Set([
  "bool",
  "byte",
  "char",
  "float32",
  "float64",
  "int8",
  "uint8",
  "int16",
  "uint16",
  "int32",
  "uint32",
  "int64",
  "uint64",
  "string",
  "wstring",
]);

/** `pkg/Type` or `pkg/msg/Type` → `pkg/msg/Type`. Throws for anything else. */
export function fullTypeName(name: string): string {
  const m = TYPE_NAME.exec(name);
  if (m === null) throw new Error(`'${name}' is not a ROS 2 message type name (expected pkg/msg/Type or pkg/Type)`);
  return `${m[1]}/msg/${m[2]}`;
}

/** `pkg/msg/Type` or `pkg/Type` → `pkg/Type` (the form used inside .msg texts and `MSG:` delimiters). */
export function shortTypeName(name: string): string {
  const m = TYPE_NAME.exec(name);
  if (m === null) throw new Error(`'${name}' is not a ROS 2 message type name (expected pkg/msg/Type or pkg/Type)`);
  return `${m[1]}/${m[2]}`;
}

/** The package of a type name (`sensor_msgs` for `sensor_msgs/msg/Image`). */
export function packageOf(name: string): string {
  return shortTypeName(name).split("/")[0];
}

/**
 * The message types a .msg text refers to, as full names, in order of first use. Bare names resolve
 * within `packageName` (as rosidl does); primitives (constants are always primitive) and bounded strings are skipped.
 */
export function fieldTypeDependencies(text: string, packageName: string): string[] {
  const out: string[] = [];
  for (const rawLine of text.split("\n")) {
    const line = rawLine.replace(/#.*$/, "").trim();
    if (line === "") continue;
    const typeToken = line.split(/\s+/)[0];
    const base = typeToken.replace(/\[[^\]]*\]$/, "").replace(/<=\d+$/, "");
    if (PRIMITIVE_TYPES.has(base)) continue;
    const full = base.includes("/") ? fullTypeName(base) : fullTypeName(`${packageName}/${base}`);
    if (!out.includes(full)) out.push(full);
  }
  return out;
}
