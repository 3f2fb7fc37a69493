/**
 * Writes a synthetic episode in the raw DROID layout: trajectory.h5 (h5wasm, in a child Node process
 * because h5wasm is ESM-only and jest runs CommonJS) and recordings/MP4/<serial>.mp4 (ffmpeg, H.264),
 * where frame k is a flat grey of level 8·k so tests can tell which frames were kept.
 */
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

const repoRoot = path.resolve(__dirname, "..", "..");

export const SERIALS = { wrist: "13062452", ext1: "24259877", ext2: "26405488" } as const;

export interface SyntheticEpisode {
  dir: string;
  steps: number;
  /** [T][6] */
  cartesian: number[][];
  gripper: number[];
  /** camera capture times, ms since the epoch */
  captureMs: number[];
  actionCartesian: number[][];
  actionGripper: number[];
  width: number;
  height: number;
}

/** Grey level of frame k. */
export const frameLevel = (k: number): number => (16 + 8 * k) % 240;

const H5_SCRIPT = `
import h5wasm from "h5wasm/node";
import { readFileSync } from "node:fs";
const spec = JSON.parse(readFileSync(0, "utf8"));
await h5wasm.ready;
const f = new h5wasm.File(spec.file, "w");
const group = (p) => { let g = f; for (const part of p.split("/")) g = g.get(part) ?? g.create_group(part); return g; };
for (const d of spec.datasets) {
  const cut = d.path.lastIndexOf("/");
  const data = d.int ? BigInt64Array.from(d.data.map((v) => BigInt(Math.round(v)))) : Float64Array.from(d.data, (v) => v ?? NaN); // JSON has no NaN: null
  const shape = d.shape;
  // as h5py's resizable datasets in DROID's trajectory_writer: chunked (spec.chunkRows rows), unlimited first axis
  group(d.path.slice(0, cut)).create_dataset({ name: d.path.slice(cut + 1), data, shape, maxshape: [null, ...shape.slice(1)], chunks: [Math.min(spec.chunkRows, shape[0]), ...shape.slice(1)] });
}
f.close();
`;

/**
 * Writes the episode folder `dir`; `videoSteps` frames per camera video (default = steps); datasets are
 * chunked by `chunkRows` rows (small by default so chunk-spanning reads are exercised). `replace` gives
 * other values (same shape; float64 unless `int`) for datasets by path, e.g. a NaN where a damaged file has one.
 */
export function writeSyntheticDroidEpisode(
  dir: string,
  steps = 30,
  videoSteps = steps,
  chunkRows = 8,
  replace: Record<string, { data: number[]; int?: boolean }> = {},
): SyntheticEpisode {
  fs.mkdirSync(path.join(dir, "recordings", "MP4"), { recursive: true });
  const cartesian = Array.from({ length: steps }, (_, i) => [
    0.4 + 0.01 * i,
    -0.1 + 0.005 * i,
    0.3 - 0.002 * i,
    Math.PI - 0.02 * i,
    0.1 + 0.01 * i,
    -0.5 + 0.03 * i,
  ]);
  const gripper = Array.from({ length: steps }, (_, i) => Math.min(1, i / 20));
  const captureMs = Array.from({ length: steps }, (_, i) => 1_700_000_000_000 + Math.round((i * 1000) / 15) + 3);
  const actionCartesian = cartesian.map((c) => c.map((v) => v + 0.001));
  const actionGripper = gripper.map((g) => Math.min(1, g + 0.05));
  const datasets: Array<{ path: string; data: number[]; shape: number[]; int?: boolean }> = [
    { path: "observation/robot_state/cartesian_position", data: cartesian.flat(), shape: [steps, 6] },
    { path: "observation/robot_state/gripper_position", data: gripper, shape: [steps] },
    { path: "observation/robot_state/joint_positions", data: Array.from({ length: steps * 7 }, () => 0), shape: [steps, 7] },
    { path: "observation/timestamp/robot_state/robot_timestamp_seconds", data: captureMs.map((m) => Math.floor(m / 1000)), shape: [steps], int: true },
    { path: "observation/timestamp/robot_state/robot_timestamp_nanos", data: captureMs.map((m) => (m % 1000) * 1e6), shape: [steps], int: true },
    { path: "observation/timestamp/control/step_start", data: captureMs.map((m) => m - 10), shape: [steps], int: true },
    { path: "action/cartesian_position", data: actionCartesian.flat(), shape: [steps, 6] },
    { path: "action/cartesian_velocity", data: Array.from({ length: steps * 6 }, () => 0.1), shape: [steps, 6] },
    { path: "action/gripper_position", data: actionGripper, shape: [steps] },
  ];
  for (const [role, serial] of Object.entries(SERIALS)) {
    datasets.push({
      path: `observation/camera_type/${serial}`,
      data: Array.from({ length: steps }, () => (role === "wrist" ? 0 : 1)),
      shape: [steps],
      int: true,
    });
    datasets.push({ path: `observation/timestamp/cameras/${serial}_estimated_capture`, data: captureMs, shape: [steps], int: true });
    datasets.push({ path: `observation/timestamp/cameras/${serial}_frame_received`, data: captureMs.map((m) => m + 30), shape: [steps], int: true });
  }
  for (const d of datasets) if (replace[d.path] !== undefined) Object.assign(d, { int: false }, replace[d.path]);
  const h5 = spawnSync(process.execPath, ["--input-type=module", "-e", H5_SCRIPT], {
    cwd: repoRoot,
    input: JSON.stringify({ file: path.join(dir, "trajectory.h5"), datasets, chunkRows }),
    encoding: "utf8",
  });
  if (h5.status !== 0) throw new Error(`writing trajectory.h5 failed: ${h5.stderr}`);

  const width = 64;
  const height = 48;
  const raw = Buffer.alloc(videoSteps * width * height * 3);
  for (let k = 0; k < videoSteps; k++) raw.fill(frameLevel(k), k * width * height * 3, (k + 1) * width * height * 3);
  for (const serial of Object.values(SERIALS)) {
    const out = path.join(dir, "recordings", "MP4", `${serial}.mp4`);
    const r = spawnSync(
      "ffmpeg",
      [
        "-v",
        "error",
        "-y",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        `${width}x${height}`,
        "-r",
        "15",
        "-i",
        "pipe:0",
        "-c:v",
        "libx264",
        "-pix_fmt",
        "yuv420p",
        "-crf",
        "10",
        out,
      ],
      { input: raw },
    );
    if (r.status !== 0) throw new Error(`ffmpeg could not write ${out}: ${r.stderr?.toString()}`);
  }
  fs.writeFileSync(
    path.join(dir, "metadata_synthetic.json"),
    JSON.stringify({ ext1_cam_serial: SERIALS.ext1, ext2_cam_serial: SERIALS.ext2, wrist_cam_serial: SERIALS.wrist }),
  );
  return { dir, steps, cartesian, gripper, captureMs, actionCartesian, actionGripper, width, height };
}
