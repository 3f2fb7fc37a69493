/**
 * The project's own ROS 2 interfaces (package `vjepa2_mpc_interfaces`), read from the `.msg` files in
 * `msg/msg/` at the package root: those files are the single source of the definitions.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** ROS 2 package name of the project's interfaces. */
export const INTERFACE_PACKAGE = "vjepa2_mpc_interfaces";

/**
 * The folder holding the project's `.msg` files: the first `msg/msg` found walking up from this module
 * (works from `src/ros` in a checkout and from `dist/...` in an installed package).
 */
export function interfaceMessageDir(start = __dirname): string {
  let dir = start;
  for (;;) {
    const candidate = path.join(dir, "msg", "msg");
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`no msg/msg folder found above ${start}: the ${INTERFACE_PACKAGE} .msg files ship with the package`);
    dir = parent;
  }
}

/** Reads every `.msg` in `dir`; keys are full type names (`vjepa2_mpc_interfaces/msg/PlanStatus`). */
export function loadInterfaceMessages(dir = interfaceMessageDir()): Record<string, string> {
  const out: Record<string, string> = {};
  for (const file of fs.readdirSync(dir).sort()) {
    if (!file.endsWith(".msg")) continue;
    out[`${INTERFACE_PACKAGE}/msg/${file.slice(0, -4)}`] = fs.readFileSync(path.join(dir, file), "utf8");
  }
  if (Object.keys(out).length === 0) throw new Error(`no .msg files in ${dir}`);
  return out;
}
