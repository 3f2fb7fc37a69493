/**
 * Hostile variants of the messages and service requests the nodes accept, for test/fuzz/nodeInputs.
 *
 * Two sources of variants, both seeded (pure-rand xoroshiro128+), so a run is reproducible from its seed:
 *  - a generic mutator driven by a field spec of the message (which fields the node reads, and what each
 *    may hold): whole-message replacements, a field deleted, a field replaced by a value of the wrong
 *    type or a special number, extra fields, arrays of the wrong length or element type;
 *  - hand-written lists for the relations between fields a spec cannot express (image geometry against
 *    its buffer, quaternion norms, goal counts and sizes against the limits, paths against the goal root).
 *
 * Every variant carries what a correct node must do with it: `refuse` (the input is malformed), `accept`
 * (well-formed, perhaps extreme) or `either` (depends on relations the mutator does not model; the
 * checker still requires a refusal to be logged and unchanging, and an acceptance to leave sane state).
 */
import { unsafeUniformIntDistribution, xoroshiro128plus, type RandomGenerator } from "pure-rand";

export type Expect = "refuse" | "accept" | "either";

export interface Variant {
  label: string;
  msg: unknown;
  expect: Expect;
}

/** A seeded stream (pure-rand xoroshiro128+). */
export class FuzzRng {
  private readonly g: RandomGenerator;
  constructor(seed: number) {
    this.g = xoroshiro128plus(seed | 0);
    for (let i = 0; i < 4; i++) this.g.unsafeNext(); // the first draws of a 32-bit seed are correlated
  }
  /** Uniform integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    return hi <= lo ? lo : unsafeUniformIntDistribution(lo, hi, this.g);
  }
  pick<T>(xs: readonly T[]): T {
    return xs[this.int(0, xs.length - 1)];
  }
  chance(p: number): boolean {
    return this.int(0, 999_999) < p * 1_000_000;
  }
}

// ---------------------------------------------------------------------------------------------------
// Field specs

/** What a field may hold, as far as the node reading it is concerned. */
export type Spec =
  | { kind: "finite" }
  | { kind: "int"; min: number; max: number }
  | { kind: "string" }
  | { kind: "bool" }
  | { kind: "bytes" }
  | { kind: "numbers" }
  | { kind: "strings" }
  | { kind: "struct"; fields: Record<string, Spec & Modifiers> }
  | { kind: "list"; of: Spec }
  | { kind: "unread" };

export interface Modifiers {
  /** May be missing (the reader has a default). */
  optional?: boolean;
  /** Valid values may still be refused through a relation with other fields: expect `either`. */
  cross?: boolean;
}

type FieldSpec = Spec & Modifiers;

export const finite = (m: Modifiers = {}): FieldSpec => ({ kind: "finite", ...m });
export const int = (min: number, max: number, m: Modifiers = {}): FieldSpec => ({ kind: "int", min, max, ...m });
export const str = (m: Modifiers = {}): FieldSpec => ({ kind: "string", ...m });
export const bool = (m: Modifiers = {}): FieldSpec => ({ kind: "bool", ...m });
export const bytes = (m: Modifiers = {}): FieldSpec => ({ kind: "bytes", ...m });
export const numbers = (m: Modifiers = {}): FieldSpec => ({ kind: "numbers", ...m });
export const strings = (m: Modifiers = {}): FieldSpec => ({ kind: "strings", ...m });
export const struct = (fields: Record<string, FieldSpec>, m: Modifiers = {}): FieldSpec => ({ kind: "struct", fields, ...m });
export const list = (of: Spec, m: Modifiers = {}): FieldSpec => ({ kind: "list", of, ...m });
export const unread: FieldSpec = { kind: "unread" };

/** builtin_interfaces/Time as the nodes read it (sec an integer, nanosec in [0, 1e9)). */
export const stampSpec = struct({ sec: int(-(2 ** 31), 2 ** 31 - 1, { cross: true }), nanosec: int(0, 999_999_999, { cross: true }) });
/** std_msgs/Header: the stamp read or not; frame_id read (a string) or not. */
export const headerSpec = (readStamp: boolean, readFrameId = false): FieldSpec =>
  readStamp || readFrameId ? struct({ stamp: readStamp ? stampSpec : unread, frame_id: readFrameId ? str() : unread }) : unread;

// ---------------------------------------------------------------------------------------------------
// Values

const HUGE_STRING = "A\u0000\u001b[2J\r\n".repeat(20_000);

/** Values of the wrong type or special numbers, for any field. */
export function hostileValues(): unknown[] {
  return [
    undefined,
    null,
    Number.NaN,
    Number.POSITIVE_INFINITY,
    Number.NEGATIVE_INFINITY,
    1e308,
    -1e308,
    -0,
    0,
    -1,
    1.5,
    2 ** 31,
    2 ** 32,
    2 ** 53,
    5e-324,
    "",
    "1",
    "0.5",
    "abc",
    "\u0000\u001b[31m\u202e",
    HUGE_STRING,
    true,
    false,
    [],
    [1, 2, 3],
    {},
    { x: 1 },
    10n,
    new Float64Array(3),
    Object.create(null) as unknown,
    { toString: 5, valueOf: 5 },
  ];
}

/** Whether `v` is acceptable for `spec` by type and range (relations with other fields aside). */
export function validFor(spec: Spec, v: unknown): boolean {
  switch (spec.kind) {
    case "finite":
      return typeof v === "number" && Number.isFinite(v);
    case "int":
      return typeof v === "number" && Number.isInteger(v) && v >= spec.min && v <= spec.max;
    case "string":
      return typeof v === "string";
    case "bool":
      return typeof v === "boolean";
    case "bytes":
      return v instanceof Uint8Array || (Array.isArray(v) && v.every((x) => typeof x === "number" && Number.isInteger(x) && x >= 0 && x <= 255));
    case "numbers":
      return (
        (Array.isArray(v) && v.every((x) => typeof x === "number")) ||
        (ArrayBuffer.isView(v) && !(v instanceof DataView) && !(v instanceof BigInt64Array) && !(v instanceof BigUint64Array))
      );
    case "strings":
      return Array.isArray(v) && v.every((x) => typeof x === "string");
    case "struct":
      return (
        typeof v === "object" &&
        v !== null &&
        !Array.isArray(v) &&
        !ArrayBuffer.isView(v) &&
        Object.entries(spec.fields).every(([k, f]) => (f as FieldSpec).optional || f.kind === "unread" || validFor(f, (v as Record<string, unknown>)[k]))
      );
    case "list":
      return Array.isArray(v) && v.every((x) => validFor(spec.of, x));
    case "unread":
      return true;
  }
}

function expectFor(spec: FieldSpec, v: unknown): Expect {
  if (spec.kind === "unread") return "accept";
  if (v === undefined && spec.optional) return spec.cross ? "either" : "accept";
  if (!validFor(spec, v)) return "refuse";
  return spec.cross ? "either" : "accept";
}

/** Combines the expectations of several mutations of one message. */
export function combine(...e: Expect[]): Expect {
  return e.includes("refuse") ? "refuse" : e.includes("either") ? "either" : "accept";
}

/** A deep copy that keeps typed arrays typed. */
export function clone<T>(v: T): T {
  if (ArrayBuffer.isView(v)) return (v as unknown as Uint8Array).slice() as unknown as T;
  if (Array.isArray(v)) return v.map(clone) as unknown as T;
  if (typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype) {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) as T;
  }
  return v;
}

type Path = Array<string | number>;

/** Every field path of a spec over a concrete message (the first few list elements, by index). */
function paths(spec: FieldSpec, msg: unknown, at: Path = [], out: Array<{ path: Path; spec: FieldSpec }> = []): Array<{ path: Path; spec: FieldSpec }> {
  if (spec.kind === "struct") {
    for (const [k, f] of Object.entries(spec.fields)) {
      out.push({ path: [...at, k], spec: f });
      const child = typeof msg === "object" && msg !== null ? (msg as Record<string, unknown>)[k] : undefined;
      paths(f, child, [...at, k], out);
    }
  } else if (spec.kind === "list" && Array.isArray(msg)) {
    // A mutated list can hold a million elements; its first ones stand for the rest.
    for (let i = 0; i < Math.min(msg.length, 4); i++) {
      out.push({ path: [...at, i], spec: spec.of });
      paths(spec.of, msg[i], [...at, i], out);
    }
  }
  return out;
}

function setAt(msg: unknown, path: Path, v: unknown): void {
  let o = msg as Record<string | number, unknown>;
  for (const k of path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
  const last = path[path.length - 1];
  if (v === undefined && !Array.isArray(o)) delete o[last];
  else o[last] = v;
}

function getAt(msg: unknown, path: Path): unknown {
  let o = msg;
  for (const k of path) o = typeof o === "object" && o !== null ? (o as Record<string | number, unknown>)[k] : undefined;
  return o;
}

/** Values for array-typed fields: wrong lengths, element types, containers. */
function arrayVariants(spec: FieldSpec, current: unknown): unknown[] {
  const cur = Array.isArray(current) || ArrayBuffer.isView(current) ? Array.from(current as ArrayLike<unknown>) : [];
  const first = cur[0];
  return [
    [],
    [...cur, first],
    cur.slice(1),
    [...cur.slice(0, -1), null],
    [...cur.slice(0, -1), "1"],
    spec.kind === "numbers" ? Float64Array.from(cur as number[]) : spec.kind === "bytes" ? Uint8Array.from(cur as number[]) : cur,
    spec.kind === "bytes" ? cur.map((x) => (x as number) + 0.5) : cur,
    new Array(cur.length), // holes
    new Array(1_000_000).fill(first),
  ];
}

/**
 * `count` generic variants of `base` under `spec`: each one whole-message replacement, a field deleted,
 * a field replaced (hostile value, valid-but-extreme value, array variant), or an extra field; a few
 * combine two mutations. The expectation is judged on the message as it ends up (a second mutation may
 * overwrite the first, or replace its parent).
 */
export function mutate(rng: FuzzRng, spec: FieldSpec, base: unknown, count: number): Variant[] {
  const pool = hostileValues();
  const out: Variant[] = [];
  const isContainer = (o: unknown): boolean => typeof o === "object" && o !== null;
  type Mutation = { label: string; path: Path; spec: FieldSpec; kind: "value" | "array" | "extra" };
  const one = (msg: unknown): Mutation | null => {
    const r = rng.int(0, 99);
    // Fields of the message as it is now (an earlier mutation may have replaced a parent).
    const fields = paths(spec, msg).filter(({ path }) => isContainer(getAt(msg, path.slice(0, -1))));
    if (fields.length === 0) return null;
    const { path, spec: f } = rng.pick(fields);
    const name = path.join(".");
    if (r < 15) {
      setAt(msg, path, undefined);
      return { label: `delete ${name}`, path, spec: f, kind: "value" };
    }
    if (r < 25 && (f.kind === "bytes" || f.kind === "numbers" || f.kind === "strings" || f.kind === "list")) {
      const vs = arrayVariants(f, getAt(msg, path));
      const i = rng.int(0, vs.length - 1);
      setAt(msg, path, vs[i]);
      return { label: `${name} = array variant ${i}`, path, spec: f, kind: "array" };
    }
    if (r < 33) {
      const key = rng.pick(["extra", "constructor", "toString", "valueOf", "__defineGetter__", "0", ""]);
      const target = path.length > 1 ? getAt(msg, path.slice(0, -1)) : msg;
      if (isContainer(target) && !Array.isArray(target) && !ArrayBuffer.isView(target)) {
        Object.defineProperty(target, key, { value: rng.pick(pool), enumerable: true, configurable: true, writable: true });
        return { label: `extra field ${JSON.stringify(key)} beside ${name}`, path, spec: f, kind: "extra" };
      }
    }
    const v = rng.pick(pool);
    setAt(msg, path, clone(v));
    return { label: `${name} = ${show(v)}`, path, spec: f, kind: "value" };
  };
  /** What the message as it ends up asks of the node, mutation by mutation. */
  const judge = (msg: unknown, m: Mutation): Expect => {
    if (!isContainer(getAt(msg, m.path.slice(0, -1)))) return "accept"; // its parent was replaced: judged there
    if (m.kind === "extra") return "accept";
    const e = expectFor(m.spec, getAt(msg, m.path));
    return m.kind === "array" && e === "accept" ? "either" : e;
  };
  for (let i = 0; i < count; i++) {
    if (rng.chance(0.05)) {
      const v = rng.pick(pool);
      out.push({ label: `whole message = ${show(v)}`, msg: clone(v), expect: "refuse" });
      continue;
    }
    const msg = clone(base);
    const ms = [one(msg)];
    if (rng.chance(0.2)) ms.push(one(msg));
    const done = ms.filter((m): m is Mutation => m !== null);
    out.push({ label: done.map((m) => m.label).join("; ") || "(unchanged)", msg, expect: combine(...done.map((m) => judge(msg, m))) });
  }
  return out;
}

/** A short printable name of a value for labels. */
export function show(v: unknown): string {
  if (typeof v === "string") return v.length > 20 ? `string(${v.length})` : JSON.stringify(v);
  if (typeof v === "bigint") return `${v}n`;
  if (typeof v === "number") return Object.is(v, -0) ? "-0" : String(v);
  if (v === null || v === undefined || typeof v === "boolean") return String(v);
  if (Array.isArray(v)) return `array(${v.length})`;
  if (ArrayBuffer.isView(v)) return Object.prototype.toString.call(v).slice(8, -1);
  return Object.getPrototypeOf(v) === null ? "object(no prototype)" : "object";
}

// ---------------------------------------------------------------------------------------------------
// Hand-written variants for relations between fields

/** Variants of a header stamp (for inputs that read it); `stampless` is the valid message. */
export function stampVariants(valid: Record<string, unknown>): Variant[] {
  const withStamp = (stamp: unknown, label: string, expect: Expect): Variant => ({
    label: `stamp ${label}`,
    msg: { ...clone(valid), header: { stamp, frame_id: "x" } },
    expect,
  });
  const sec = (valid.header as { stamp: { sec: number } }).stamp.sec;
  return [
    withStamp({ sec: Number.NaN, nanosec: 0 }, "sec NaN", "refuse"),
    withStamp({ sec: String(sec), nanosec: 0 }, "sec as a string", "refuse"),
    withStamp({ sec: BigInt(sec), nanosec: 0 }, "sec as a bigint", "refuse"),
    withStamp({ sec: sec + 0.5, nanosec: 0 }, "fractional sec", "refuse"),
    withStamp({ sec, nanosec: -1 }, "negative nanosec", "refuse"),
    withStamp({ sec, nanosec: 1e9 }, "nanosec 1e9", "refuse"),
    withStamp({ sec, nanosec: Number.POSITIVE_INFINITY }, "nanosec Infinity", "refuse"),
    withStamp({ sec }, "without nanosec", "refuse"),
    withStamp({ nanosec: 0 }, "without sec", "refuse"),
    withStamp(null, "null", "refuse"),
    withStamp("100.5", "a string", "refuse"),
    { label: "header missing", msg: { ...clone(valid), header: undefined }, expect: "refuse" },
    { label: "header a string", msg: { ...clone(valid), header: "header" }, expect: "refuse" },
    withStamp({ sec: 0, nanosec: 0 }, "zero (very old)", "either"),
    withStamp({ sec: -(2 ** 31), nanosec: 0 }, "int32 min", "either"),
    withStamp({ sec: 2 ** 31 - 1, nanosec: 999_999_999 }, "int32 max (far future)", "either"),
  ];
}

/** Orientation variants of a PoseStamped: zero, scaled, non-finite, within tf2's tolerance. */
export function quaternionVariants(valid: { pose: { orientation: Record<string, number> } }): Variant[] {
  const q = valid.pose.orientation;
  const withQ = (o: unknown, label: string, expect: Expect): Variant => {
    const m = clone(valid) as { pose: { orientation: unknown } };
    m.pose.orientation = o;
    return { label: `orientation ${label}`, msg: m, expect };
  };
  const scaled = (s: number) => ({ x: q.x * s, y: q.y * s, z: q.z * s, w: q.w * s });
  return [
    withQ({ x: 0, y: 0, z: 0, w: 0 }, "zero", "refuse"),
    withQ(scaled(2), "norm 2", "refuse"),
    withQ(scaled(0.5), "norm 0.5", "refuse"),
    withQ(scaled(1e-200), "norm 1e-200", "refuse"),
    withQ(scaled(1e200), "norm 1e200 (overflows)", "refuse"),
    withQ({ ...q, w: Number.NaN }, "w NaN", "refuse"),
    withQ({ ...q, x: Number.POSITIVE_INFINITY }, "x Infinity", "refuse"),
    withQ({ x: q.x, y: q.y, z: q.z }, "without w", "refuse"),
    withQ([q.x, q.y, q.z, q.w], "as an array", "refuse"),
    withQ(scaled(1.001), "norm 1.001 (within tf2's tolerance)", "accept"),
    withQ(scaled(-1), "negated (same rotation)", "accept"),
  ];
}

/** Variants of a PoseStamped's position. */
export function positionVariants(valid: { pose: { position: Record<string, number> } }): Variant[] {
  const withP = (p: unknown, label: string, expect: Expect): Variant => {
    const m = clone(valid) as { pose: { position: unknown } };
    m.pose.position = p;
    return { label: `position ${label}`, msg: m, expect };
  };
  const p = valid.pose.position;
  return [
    withP({ ...p, x: Number.NaN }, "x NaN", "refuse"),
    withP({ ...p, y: Number.NEGATIVE_INFINITY }, "y -Infinity", "refuse"),
    withP({ ...p, z: "0.3" }, "z a string", "refuse"),
    withP({ ...p, x: 1n }, "x a bigint", "refuse"),
    withP({ x: p.x, y: p.y }, "without z", "refuse"),
    withP(null, "null", "refuse"),
    withP([p.x, p.y, p.z], "as an array", "refuse"),
    withP({ ...p, x: -0 }, "x -0", "accept"),
    withP({ ...p, y: 1e-300 }, "y 1e-300", "accept"),
  ];
}

/** Variants of a sensor_msgs/Image that break or stretch the relation of its fields. */
export function imageVariants(valid: { width: number; height: number; step: number; encoding: string; data: Uint8Array }): Variant[] {
  const v = (over: Record<string, unknown>, label: string, expect: Expect): Variant => ({ label, msg: { ...clone(valid), ...over }, expect });
  const { width: w, height: h, step, data } = valid;
  const n = data.length;
  return [
    v({ width: 0 }, "width 0", "refuse"),
    v({ width: -w }, "negative width", "refuse"),
    v({ width: -w, height: -h }, "negative width and height (positive product)", "refuse"),
    v({ width: w + 0.5 }, "fractional width", "refuse"),
    v({ height: Number.NaN }, "height NaN", "refuse"),
    v({ height: Number.POSITIVE_INFINITY }, "height Infinity", "refuse"),
    v({ width: String(w) }, "width a string", "refuse"),
    v({ width: BigInt(w) }, "width a bigint", "refuse"),
    v({ width: 2 ** 31 - 1, height: 2 ** 31 - 1 }, "int32-max sides, small buffer", "refuse"),
    v({ width: 65_535, height: 65_535, step: 65_535 * 3 }, "huge sides, small buffer", "refuse"),
    v({ step: Number.NaN }, "step NaN", "refuse"),
    v({ step: step + 0.5 }, "fractional step", "refuse"),
    v({ step: Number.POSITIVE_INFINITY }, "step Infinity", "refuse"),
    v({ step: Number.POSITIVE_INFINITY, height: 1 }, "step Infinity, one row", "refuse"),
    v({ step: -step }, "negative step", "refuse"),
    v({ step: step - 1 }, "step one short of a row", "refuse"),
    v({ step: 0 }, "step 0", "refuse"),
    v({ step: String(step) }, "step a string", "refuse"),
    v({ step: null }, "step null", "refuse"),
    v({ step: undefined }, "step missing (defaults to a packed row)", "accept"),
    v({ step: step + 8, data: new Uint8Array((step + 8) * h) }, "padded rows", "accept"),
    v({ data: data.subarray(0, n - 1) }, "data one byte short", "refuse"),
    v({ data: new Uint8Array(0) }, "data empty", "refuse"),
    v({ data: new Uint8Array(n + 100) }, "data longer than needed", "accept"),
    v({ data: new Uint8Array(4_000_000) }, "data of 4 MB", "accept"),
    v({ data: Array.from(data) }, "data a plain array of bytes", "accept"),
    v({ data: [...Array.from(data).slice(0, -1), 256] }, "data array with 256", "refuse"),
    v({ data: [...Array.from(data).slice(0, -1), -1] }, "data array with -1", "refuse"),
    v({ data: [...Array.from(data).slice(0, -1), 0.5] }, "data array with 0.5", "refuse"),
    v({ data: [...Array.from(data).slice(0, -1), "1"] }, "data array with a string", "refuse"),
    v({ data: new Array(n) }, "data array of holes", "refuse"),
    v({ data: new Float32Array(n) }, "data a Float32Array", "refuse"),
    v({ data: new Uint16Array(n) }, "data a Uint16Array", "refuse"),
    v({ data: "\u0001".repeat(n) }, "data a string", "refuse"),
    v({ data: null }, "data null", "refuse"),
    v({ data: { length: n } }, "data an array-like object", "refuse"),
    ...[
      "16UC1",
      "32FC1",
      "yuv422",
      "",
      "RGB8",
      "rgb8 ",
      "rgb8\u0000",
      "toString",
      "constructor",
      "__proto__",
      "hasOwnProperty",
      "valueOf",
      "x".repeat(100_000),
      "\u001b[31mrgb8",
    ].map((e) => v({ encoding: e }, `encoding ${show(e)}`, "refuse")),
    v({ encoding: 3 }, "encoding a number", "refuse"),
    v({ encoding: null }, "encoding null", "refuse"),
    v({ encoding: "bgr8" }, "encoding bgr8", "accept"),
    v({ encoding: "mono8" }, "encoding mono8 (fewer bytes needed)", "accept"),
    v({ encoding: "rgba8" }, "encoding rgba8 (more bytes needed)", "refuse"),
    v({ is_bigendian: 1 }, "is_bigendian 1 (8-bit: moot)", "accept"),
    v({ is_bigendian: "yes" }, "is_bigendian a string (not read)", "accept"),
  ];
}

/** A 1×1 PNG header claiming `w`×`h` pixels, with nothing after it. */
export function pngHeaderClaiming(w: number, h: number): Uint8Array {
  const out = new Uint8Array(33);
  out.set([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13, 0x49, 0x48, 0x44, 0x52]);
  const dv = new DataView(out.buffer);
  dv.setUint32(16, w);
  dv.setUint32(20, h);
  out.set([8, 2, 0, 0, 0], 24);
  return out;
}
