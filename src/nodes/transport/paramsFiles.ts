/**
 * ROS 2 parameter files given on the command line (`--ros-args --params-file FILE`, as `ros2 launch`
 * passes a node's parameters), read for one node. rclnodejs 2.2 applies a file's section only when it is
 * keyed by the bare node name or `/**`; launch keys it by the fully qualified name (`/planner`,
 * `/arm1/planner`), so without this a launch file's parameters (use_sim_time among them) never reach
 * the node. Matching follows rcl: a key is a fully qualified name in which `*` stands for one name
 * segment and `**` for any number of them. Pure apart from reading the files.
 */
import * as fs from "node:fs";
import YAML from "yaml";

/** The `--params-file` paths inside `--ros-args` sections of `argv`, in order. */
export function paramsFilePaths(argv: readonly string[]): string[] {
  const out: string[] = [];
  let inRosArgs = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === "--ros-args") inRosArgs = true;
    else if (a === "--") inRosArgs = false;
    else if (inRosArgs && a === "--params-file" && i + 1 < argv.length) out.push(argv[++i]);
  }
  return out;
}

/** Whether the params-file key `pattern` names the node `fqn` (e.g. `/arm1/planner`). */
/** Stands for `**` while a key pattern is escaped (NUL cannot occur in a ROS name). */
const DOUBLE_STAR = String.fromCharCode(0);

export function nodeKeyMatches(pattern: string, fqn: string): boolean {
  const key = pattern.startsWith("/") ? pattern : `/${pattern}`;
  const escaped = key
    .split("/")
    .map((seg) => (seg === "**" ? DOUBLE_STAR : seg.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]*")))
    .join("/");
  // `/**/` may stand for a single slash, so `/**/planner` matches `/planner`.
  const re = escaped.replace(new RegExp(`/${DOUBLE_STAR}(?=/)`, "g"), "(?:/.*)?").replaceAll(DOUBLE_STAR, ".*");
  return new RegExp(`^${re}$`).test(fqn);
}

/** `{a: {b: 1}}` → `{"a.b": 1}` (ROS parameter names use dots for nesting). */
function flatten(obj: Record<string, unknown>, prefix = "", out: Record<string, unknown> = {}): Record<string, unknown> {
  for (const [k, v] of Object.entries(obj)) {
    const name = prefix === "" ? k : `${prefix}.${k}`;
    if (v !== null && typeof v === "object" && !Array.isArray(v)) flatten(v as Record<string, unknown>, name, out);
    else out[name] = v;
  }
  return out;
}

/**
 * The parameters the files give the node `fqn`: every matching section's `ros__parameters`, flattened,
 * later sections and files winning. Throws naming the file when one cannot be read or parsed.
 */
export function paramsFileOverrides(files: readonly string[], fqn: string): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const file of files) {
    let doc: unknown;
    try {
      doc = YAML.parse(fs.readFileSync(file, "utf8"));
    } catch (e) {
      throw new Error(`parameter file ${file}: ${(e as Error).message}`, { cause: e });
    }
    if (doc === null || typeof doc !== "object") continue;
    for (const [key, section] of Object.entries(doc as Record<string, unknown>)) {
      if (!nodeKeyMatches(key, fqn) || section === null || typeof section !== "object") continue;
      const params = (section as Record<string, unknown>).ros__parameters;
      if (params !== null && typeof params === "object") Object.assign(out, flatten(params as Record<string, unknown>));
    }
  }
  return out;
}
