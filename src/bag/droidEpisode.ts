/**
 * A raw DROID episode folder (the `droid_raw` release, written by droid/trajectory_utils/
 * trajectory_writer.py): `trajectory.h5` with one row per 15 Hz control step and
 * `recordings/MP4/<camera serial>.mp4` (left view; `-stereo.mp4` holds both). Only what conversion
 * needs is read:
 * - observation/robot_state/cartesian_position [T,6]: flange xyz (m) + extrinsic 'xyz' Euler (rad)
 * - observation/robot_state/gripper_position [T]: closedness 0..1
 * - observation/camera_type/<serial> [T]: 0 wrist (hand) camera, 1 exterior ("varied") camera
 * - observation/timestamp/cameras/<serial>_estimated_capture [T] (ms), robot_state/robot_timestamp_*
 *   and control/step_start (ms) as fallbacks for the step times
 * - action/cartesian_position or action/cartesian_velocity [T,6], action/gripper_position [T]
 * The HDF5 file is read whole with jsfive (pure JS, CommonJS; DROID files are chunked, uncompressed).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import * as hdf5 from "jsfive";

/** DROID's control rate (Hz): one trajectory row and one video frame per step. */
export const DROID_CONTROL_HZ = 15;

/** One camera of the episode. */
export interface DroidCamera {
  /** ZED serial number (the MP4 file name). */
  serial: string;
  /** `wrist`, `ext1`, `ext2` (DROID's naming: exterior cameras in sorted serial order), or `unknown`. */
  role: "wrist" | "ext1" | "ext2" | "unknown";
  /** recordings/MP4/<serial>.mp4 */
  video: string;
}

/** The low-dimensional part of a DROID episode, per control step. */
export interface DroidEpisode {
  dir: string;
  /** Number of control steps T. */
  length: number;
  cameras: DroidCamera[];
  /** [T][x, y, z, roll, pitch, yaw] flange pose in the robot base frame (m, rad). */
  cartesianPosition: number[][];
  /** [T] gripper closedness 0..1. */
  gripperPosition: number[];
  /** Recorded action per step: `source` names the DROID field of its first 6 numbers. */
  action: { source: "cartesian_position" | "cartesian_velocity"; cartesian: number[][]; gripper: number[] } | null;
  /** Step times (ns since the epoch) per camera serial, or for the robot state when no camera has them. */
  stepTimes(serial: string | null): bigint[];
}

interface H5Node {
  keys?: string[];
  value?: ArrayLike<number>;
  shape?: number[];
}

/**
 * Reads `dir/trajectory.h5` and lists the cameras. Throws naming the file and the missing dataset when
 * the layout is not DROID's, and naming the file and the dataset when the file is damaged (unreadable,
 * a size larger than the file can hold, per-step datasets of different lengths).
 */
export function readDroidEpisode(dir: string): DroidEpisode {
  const h5Path = path.join(dir, "trajectory.h5");
  if (!fs.existsSync(h5Path)) throw new Error(`${dir} is not a DROID episode: no trajectory.h5`);
  const bytes = fs.readFileSync(h5Path);
  let file: { get(p: string): H5Node | null };
  try {
    file = new hdf5.File(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength), h5Path) as unknown as typeof file;
  } catch (e) {
    throw new Error(`${h5Path}: not a readable HDF5 file (${(e as Error).message})`, { cause: e });
  }
  const get = (p: string): H5Node | null => {
    try {
      return file.get(p) ?? null;
    } catch {
      return null;
    }
  };
  // jsfive parses lazily: a damaged file fails on the first use of a group's keys or a dataset's value,
  // with jsfive's own RangeError or TypeError. Say which file and dataset.
  const read = <T>(p: string, f: () => T): T => {
    try {
      return f();
    } catch (e) {
      throw new Error(`${h5Path}: ${p} cannot be read, the file is damaged (${(e as Error).message})`, { cause: e });
    }
  };
  /** The dataset's values, or undefined for a group; its shape is checked first (see below). */
  const values = (p: string, d: H5Node): { shape: number[]; value: ArrayLike<number> | undefined } => {
    const shape = read(p, () => d.shape ?? []);
    // jsfive allocates the whole shape before reading: a damaged size must not get that far. No dataset
    // holds more values than its file has bytes (8-byte numbers, at most 8:1 if compressed).
    const count = shape.reduce((a, n) => a * n, 1);
    if (!shape.every((n) => Number.isSafeInteger(n) && n >= 0) || count > bytes.length)
      throw new Error(`${h5Path}: ${p} has shape [${shape.join(", ")}], more values than the file (${bytes.length} bytes) holds: the file is damaged`);
    return { shape, value: read(p, () => d.value) }; // jsfive reads the dataset on every access of `value`: once only
  };
  const matrix = (p: string, cols: number): number[][] | null => {
    const d = get(p);
    if (d === null) return null;
    const { shape, value } = values(p, d);
    if (value === undefined) return null;
    if (shape.length !== 2 || shape[1] !== cols) throw new Error(`${h5Path}: ${p} has shape [${shape.join(", ")}], expected [T, ${cols}]`);
    const out: number[][] = [];
    for (let i = 0; i < shape[0]; i++) out.push(Array.from({ length: cols }, (_, j) => Number(value[i * cols + j])));
    return out;
  };
  const vector = (p: string): number[] | null => {
    const d = get(p);
    const value = d === null ? undefined : values(p, d).value;
    return value === undefined ? null : Array.from(value, Number);
  };
  const require = <T>(v: T | null, p: string): T => {
    if (v === null) throw new Error(`${h5Path}: missing dataset ${p} (not a DROID trajectory.h5?)`);
    return v;
  };

  const cartesianPosition = require(matrix("observation/robot_state/cartesian_position", 6), "observation/robot_state/cartesian_position");
  const gripperPosition = require(vector("observation/robot_state/gripper_position"), "observation/robot_state/gripper_position");
  const length = cartesianPosition.length;
  if (gripperPosition.length !== length) throw new Error(`${h5Path}: gripper_position has ${gripperPosition.length} rows, cartesian_position ${length}`);
  // the robot state feeds pose maths that refuses NaN: a damaged value is reported here, with the file
  const badRow = cartesianPosition.findIndex((row, i) => !row.every(Number.isFinite) || !Number.isFinite(gripperPosition[i]));
  if (badRow >= 0) throw new Error(`${h5Path}: observation/robot_state at step ${badRow} is not a finite number (the file is damaged)`);

  let action: DroidEpisode["action"] = null;
  const actionGripper = vector("action/gripper_position");
  for (const source of ["cartesian_position", "cartesian_velocity"] as const) {
    const cartesian = matrix(`action/${source}`, 6);
    if (cartesian !== null && actionGripper !== null) {
      if (cartesian.length !== length || actionGripper.length !== length)
        throw new Error(
          `${h5Path}: action/${source} has ${cartesian.length} rows, action/gripper_position ${actionGripper.length}, cartesian_position ${length}`,
        );
      action = { source, cartesian, gripper: actionGripper };
      break;
    }
  }

  const videoDir = path.join(dir, "recordings", "MP4");
  const videos = fs.existsSync(videoDir)
    ? fs
        .readdirSync(videoDir)
        .filter((n) => n.endsWith(".mp4") && !n.endsWith("-stereo.mp4"))
        .map((n) => n.slice(0, -4))
    : [];
  const typeGroup = get("observation/camera_type");
  const typed = read("observation/camera_type", () => typeGroup?.keys ?? [])
    .slice()
    .sort();
  const serials = typed.length > 0 ? typed : videos.slice().sort();
  const exteriors = ["ext1", "ext2"] as const;
  let nextExterior = 0;
  const cameras: DroidCamera[] = serials.map((serial) => {
    const type = vector(`observation/camera_type/${serial}`)?.[0];
    const role = type === 0 ? "wrist" : type === undefined ? "unknown" : (exteriors[nextExterior++] ?? "unknown");
    return { serial, role, video: path.join(videoDir, `${serial}.mp4`) };
  });

  // ms since the epoch exceed 2^53 once scaled to ns: scale the whole part as bigint
  const fromMs = (ms: number[]): bigint[] => ms.map((v) => BigInt(Math.floor(v)) * 1_000_000n + BigInt(Math.round((v - Math.floor(v)) * 1e6)));
  // A source of step times is used when it has a time for every step, each one a ROS time (0 ≤ t < 2^31 s;
  // a damaged file gives NaN or garbage); else the next one is tried.
  const times = (values: number[] | null, perSecond: number): values is number[] =>
    values !== null && values.length === length && values.every((v) => v >= 0 && v / perSecond < 2 ** 31);
  const stepTimes = (serial: string | null): bigint[] => {
    const cam = serial === null ? null : vector(`observation/timestamp/cameras/${serial}_estimated_capture`);
    if (times(cam, 1e3)) return fromMs(cam);
    const sec = vector("observation/timestamp/robot_state/robot_timestamp_seconds");
    const nanos = vector("observation/timestamp/robot_state/robot_timestamp_nanos");
    if (times(sec, 1) && nanos !== null && nanos.length === length && nanos.every((n) => n >= 0 && n < 1e9))
      return sec.map((s, i) => BigInt(Math.round(s)) * 1_000_000_000n + BigInt(Math.round(nanos[i])));
    const control = vector("observation/timestamp/control/step_start");
    if (times(control, 1e3)) return fromMs(control);
    return Array.from({ length }, (_, i) => BigInt(Math.round((i * 1e9) / DROID_CONTROL_HZ)));
  };

  return { dir, length, cameras, cartesianPosition, gripperPosition, action, stepTimes };
}

/**
 * The camera `name` picks: a serial, or a role (`ext1`, `ext2`, `wrist`); default the first exterior
 * camera. Throws listing the available cameras (serial and role) when none matches or its MP4 is missing.
 */
export function selectDroidCamera(episode: DroidEpisode, name?: string): DroidCamera {
  const list = episode.cameras.map((c) => `${c.serial} (${c.role})`).join(", ") || "none";
  const camera =
    name === undefined
      ? (episode.cameras.find((c) => c.role === "ext1") ?? episode.cameras.find((c) => c.role !== "wrist"))
      : episode.cameras.find((c) => c.serial === name || c.role === name);
  if (camera === undefined)
    throw new Error(
      name === undefined ? `${episode.dir}: no exterior camera found; available: ${list}` : `${episode.dir}: no camera '${name}'; available: ${list}`,
    );
  if (!fs.existsSync(camera.video)) throw new Error(`${episode.dir}: camera ${camera.serial} has no video ${camera.video}; available: ${list}`);
  return camera;
}
