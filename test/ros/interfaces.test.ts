/**
 * The ROS 2 interface package in msg/ (vjepa2_mpc_interfaces): every .msg / .srv parses as a ROS 2
 * definition with @foxglove/rosmsg, refers only to packages the interface package depends on, keeps to
 * rosidl's naming rules, and is listed in msg/CMakeLists.txt; the dependencies agree with msg/package.xml.
 * (colcon cannot run here; this catches what rosidl_generate_interfaces would reject, before the robot.)
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "@foxglove/rosmsg";
import { repoRoot } from "../helpers/reference";

const PACKAGE = "vjepa2_mpc_interfaces";
const MSG_ROOT = path.join(repoRoot, "msg");
const DELIMITER = "=".repeat(80);

/** Standard definitions the interfaces may use (ROS 2 Jazzy, comments dropped); their packages are the known ones. */
const STANDARD: Record<string, string> = {
  "builtin_interfaces/Time": "int32 sec\nuint32 nanosec",
  "std_msgs/Header": "builtin_interfaces/Time stamp\nstring frame_id",
  "sensor_msgs/Image": "std_msgs/Header header\nuint32 height\nuint32 width\nstring encoding\nuint8 is_bigendian\nuint32 step\nuint8[] data",
  "geometry_msgs/Point": "float64 x\nfloat64 y\nfloat64 z",
  "geometry_msgs/Quaternion": "float64 x 0\nfloat64 y 0\nfloat64 z 0\nfloat64 w 1",
  "geometry_msgs/Pose": "Point position\nQuaternion orientation",
  "geometry_msgs/PoseStamped": "std_msgs/Header header\nPose pose",
};
const DEPENDENCIES = ["builtin_interfaces", "std_msgs", "sensor_msgs", "geometry_msgs"];
const KNOWN_PACKAGES = new Set([...DEPENDENCIES, PACKAGE]);

const PRIMITIVES = new Set([
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
const INTEGER_RANGES: Record<string, [number, number]> = {
  int8: [-128, 127],
  uint8: [0, 255],
  byte: [0, 255],
  char: [0, 255],
  int16: [-32768, 32767],
  uint16: [0, 65535],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  uint32: [0, 2 ** 32 - 1],
  int64: [-(2 ** 63), 2 ** 63 - 1],
  uint64: [0, 2 ** 64 - 1],
};

function listFiles(sub: string, ext: string): string[] {
  const dir = path.join(MSG_ROOT, sub);
  return fs.existsSync(dir)
    ? fs
        .readdirSync(dir)
        .filter((f) => f.endsWith(ext))
        .sort()
        .map((f) => `${sub}/${f}`)
    : [];
}
const MSG_FILES = listFiles("msg", ".msg");
const SRV_FILES = listFiles("srv", ".srv");

/** The project's own message definitions, by `vjepa2_mpc_interfaces/Name`. */
const OWN: Record<string, string> = Object.fromEntries(
  MSG_FILES.map((f) => [`${PACKAGE}/${path.basename(f, ".msg")}`, fs.readFileSync(path.join(MSG_ROOT, f), "utf8")]),
);

/** Type names a definition text refers to (first token of each field line), without array suffixes. */
function referencedTypes(text: string): string[] {
  const out: string[] = [];
  for (const raw of text.split("\n")) {
    const line = raw.replace(/#.*$/, "").trim();
    if (line === "") continue;
    out.push(
      line
        .split(/\s+/)[0]
        .replace(/\[[^\]]*\]$/, "")
        .replace(/<=\d+$/, ""),
    );
  }
  return out;
}

/** The package of a complex type referenced from `vjepa2_mpc_interfaces` (unqualified: the same package). */
function packageOf(type: string, from: string): string {
  return type.includes("/") ? type.split("/")[0] : from;
}

/** The text plus every complex definition it needs (transitively), as one ROS 2 message definition. */
function withDependencies(text: string): string {
  const parts = [text];
  const seen = new Set<string>();
  const queue: Array<{ text: string; pkg: string }> = [{ text, pkg: PACKAGE }];
  while (queue.length > 0) {
    const { text: t, pkg } = queue.shift()!;
    for (const type of referencedTypes(t)) {
      if (PRIMITIVES.has(type)) continue;
      const full = type.includes("/") ? type : `${pkg}/${type}`;
      if (seen.has(full)) continue;
      seen.add(full);
      const def = STANDARD[full] ?? OWN[full];
      if (def === undefined) throw new Error(`unknown type ${full} (known: ${[...Object.keys(STANDARD), ...Object.keys(OWN)].join(", ")})`);
      parts.push(`MSG: ${full}\n${def}`);
      queue.push({ text: def, pkg: full.split("/")[0] });
    }
  }
  return parts.join(`\n${DELIMITER}\n`);
}

/** Each section of a file: a .msg is one, a .srv is request and response split on `---`. */
function sections(file: string): Array<{ label: string; text: string }> {
  const text = fs.readFileSync(path.join(MSG_ROOT, file), "utf8");
  if (file.endsWith(".msg")) return [{ label: file, text }];
  const parts = text.split(/^---[ \t]*$/m);
  expect(parts).toHaveLength(2);
  return [
    { label: `${file} request`, text: parts[0] },
    { label: `${file} response`, text: parts[1] },
  ];
}

describe("ROS 2 interface package (msg/)", () => {
  it("has the interfaces the nodes use", () => {
    expect(MSG_FILES).toEqual(expect.arrayContaining(["msg/ActuatorStatus.msg", "msg/EndEffectorDelta.msg", "msg/PlanStatus.msg"]));
    expect(SRV_FILES).toEqual(expect.arrayContaining(["srv/SetGoal.srv"]));
  });

  for (const file of [...MSG_FILES, ...SRV_FILES]) {
    describe(file, () => {
      for (const { label, text } of sections(file)) {
        it(`${label} parses as ROS 2, with known packages, rosidl names and in-range constants`, () => {
          for (const type of referencedTypes(text)) {
            if (!PRIMITIVES.has(type))
              expect({ type, pkg: packageOf(type, PACKAGE), known: KNOWN_PACKAGES.has(packageOf(type, PACKAGE)) }).toEqual({
                type,
                pkg: packageOf(type, PACKAGE),
                known: true,
              });
          }
          const parsed = parse(withDependencies(text), { ros2: true });
          const fields = parsed[0].definitions;
          if (file.endsWith(".msg")) expect(fields.length).toBeGreaterThan(0);
          const names = new Set<string>();
          for (const f of fields) {
            expect(names.has(f.name)).toBe(false);
            names.add(f.name);
            if (f.isConstant === true) {
              expect(f.name).toMatch(/^[A-Z][A-Z0-9_]*$/);
              const range = INTEGER_RANGES[f.type];
              if (range !== undefined) {
                expect(typeof f.value === "number" || typeof f.value === "bigint").toBe(true);
                expect(Number(f.value)).toBeGreaterThanOrEqual(range[0]);
                expect(Number(f.value)).toBeLessThanOrEqual(range[1]);
                expect(Number.isInteger(Number(f.value))).toBe(true);
              }
            } else {
              // rosidl: lower case, starts with a letter, no double or trailing underscore
              expect(f.name).toMatch(/^[a-z][a-z0-9]*(_[a-z0-9]+)*$/);
              expect(PRIMITIVES.has(f.type) || KNOWN_PACKAGES.has(f.type.split("/")[0])).toBe(true);
            }
          }
        });
      }
    });
  }

  it("status codes are distinct within each message", () => {
    for (const file of MSG_FILES) {
      const constants = parse(withDependencies(OWN[`${PACKAGE}/${path.basename(file, ".msg")}`]), { ros2: true })[0].definitions.filter(
        (f) => f.isConstant === true,
      );
      const values = constants.map((c) => String(c.value));
      expect(new Set(values).size).toBe(values.length);
    }
    const status = parse(withDependencies(OWN[`${PACKAGE}/ActuatorStatus`]), { ros2: true })[0].definitions.filter((f) => f.isConstant === true);
    expect(status.map((c) => [c.name, c.type, c.value])).toEqual([
      ["TRACKING", "uint8", 0],
      ["SETTLED", "uint8", 1],
      ["HOLDING", "uint8", 2],
      ["ESTOPPED", "uint8", 3],
    ]);
  });

  it("CMakeLists.txt generates every file and depends on what they use; package.xml agrees", () => {
    const cmake = fs.readFileSync(path.join(MSG_ROOT, "CMakeLists.txt"), "utf8");
    expect(cmake).toMatch(/project\(vjepa2_mpc_interfaces\)/);
    const listed = [...cmake.matchAll(/"((?:msg|srv)\/[A-Za-z0-9_]+\.(?:msg|srv))"/g)].map((m) => m[1]).sort();
    expect(listed).toEqual([...MSG_FILES, ...SRV_FILES].sort());
    const deps = /DEPENDENCIES\s+([^)]*)\)/.exec(cmake)?.[1].trim().split(/\s+/) ?? [];
    const used = new Set<string>();
    for (const file of [...MSG_FILES, ...SRV_FILES]) {
      for (const { text } of sections(file)) for (const t of referencedTypes(text)) if (!PRIMITIVES.has(t) && t.includes("/")) used.add(t.split("/")[0]);
    }
    for (const pkg of used) expect(deps).toContain(pkg);
    for (const pkg of deps) expect(cmake).toContain(`find_package(${pkg} REQUIRED)`);

    const xml = fs.readFileSync(path.join(MSG_ROOT, "package.xml"), "utf8");
    expect(xml).toContain(`<name>${PACKAGE}</name>`);
    expect(xml).toContain("<member_of_group>rosidl_interface_packages</member_of_group>");
    expect(xml).toContain("<buildtool_depend>rosidl_default_generators</buildtool_depend>");
    expect(xml).toContain("<exec_depend>rosidl_default_runtime</exec_depend>");
    expect(xml).toContain("<build_type>ament_cmake</build_type>");
    for (const pkg of deps) expect(xml).toContain(`<depend>${pkg}</depend>`);
  });
});
