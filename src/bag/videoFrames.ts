/**
 * Decoding video files to raw RGB frames with the system's ffmpeg (Debian package `ffmpeg`): spawned
 * as a child process writing rgb24 to a pipe, so no native Node module and no WASM codec is needed,
 * and every codec ffmpeg knows (DROID's H.264/H.265 MP4s) works.
 */
import { spawn, spawnSync } from "node:child_process";

/** Stream properties of a video. */
export interface VideoInfo {
  width: number;
  height: number;
  /** Average frame rate (frames/s). */
  fps: number;
  /** Frame count when the container states it, else null. */
  frameCount: number | null;
}

/** One decoded frame: rgb24, row-major, `width * height * 3` bytes. */
export interface RgbFrame {
  /** Index of the frame in the video (0-based). */
  index: number;
  width: number;
  height: number;
  data: Uint8Array;
}

const INSTALL_HINT = "install it with `apt-get install -y ffmpeg` (Debian/Ubuntu) and make sure it is on PATH";

/** Throws a clear error when `ffmpeg`/`ffprobe` cannot be run. */
export function assertFfmpegAvailable(): void {
  for (const tool of ["ffmpeg", "ffprobe"]) {
    const r = spawnSync(tool, ["-version"], { stdio: "ignore" });
    if (r.error !== undefined || r.status !== 0) throw new Error(`${tool} is needed to decode MP4 videos but could not be run: ${INSTALL_HINT}`);
  }
}

/** True when ffmpeg and ffprobe can be run. */
export function ffmpegAvailable(): boolean {
  try {
    assertFfmpegAvailable();
    return true;
  } catch {
    return false;
  }
}

/** Width, height, frame rate and frame count of the first video stream of `file`. */
export function probeVideo(file: string): VideoInfo {
  assertFfmpegAvailable();
  const r = spawnSync(
    "ffprobe",
    ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,avg_frame_rate,r_frame_rate,nb_frames", "-of", "json", file],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`ffprobe could not read ${file}: ${r.stderr.trim()}`);
  const stream = (JSON.parse(r.stdout) as { streams?: Array<Record<string, string | number>> }).streams?.[0];
  if (stream === undefined) throw new Error(`${file} has no video stream`);
  const rate = (text: unknown): number => {
    const [n, d] = String(text ?? "0/1")
      .split("/")
      .map(Number);
    return d > 0 ? n / d : 0;
  };
  const fps = rate(stream.avg_frame_rate) || rate(stream.r_frame_rate);
  const frames = Number(stream.nb_frames);
  return { width: Number(stream.width), height: Number(stream.height), fps, frameCount: Number.isFinite(frames) && frames > 0 ? frames : null };
}

/** Options of {@link readVideoFrames}. */
export interface ReadFramesOptions {
  /** Keep every `stride`-th frame starting at 0 (default 1: all). */
  stride?: number;
  /** Stop after this many frames of the video (before striding). */
  maxFrames?: number;
  /** Scale to this size (px) with ffmpeg's area filter; default the video's own size. */
  size?: { width: number; height: number };
}

/**
 * Decodes `file` and yields frames 0, stride, 2·stride, … as rgb24. ffmpeg drops the skipped frames
 * itself (select filter), so only kept frames cross the pipe. Throws with ffmpeg's message when
 * decoding fails, and when ffmpeg is missing, with how to install it.
 */
export async function* readVideoFrames(file: string, info: VideoInfo, options: ReadFramesOptions = {}): AsyncGenerator<RgbFrame> {
  assertFfmpegAvailable();
  const { stride = 1, maxFrames, size } = options;
  if (!Number.isInteger(stride) || stride < 1) throw new Error(`frame stride must be a positive integer, got ${stride}`);
  const width = size?.width ?? info.width;
  const height = size?.height ?? info.height;
  const filters = [`select='not(mod(n\\,${stride}))'`];
  if (size !== undefined) filters.push(`scale=${width}:${height}:flags=area`);
  const args = ["-v", "error", "-nostdin", "-i", file];
  if (maxFrames !== undefined) args.push("-vf", `${filters.join(",")}`, "-frames:v", String(Math.ceil(maxFrames / stride)));
  else args.push("-vf", filters.join(","));
  args.push("-fps_mode", "passthrough", "-f", "rawvideo", "-pix_fmt", "rgb24", "pipe:1");
  const child = spawn("ffmpeg", args, { stdio: ["ignore", "pipe", "pipe"] });
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on("error", reject);
    child.on("close", resolve);
  });
  const frameBytes = width * height * 3;
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let k = 0;
  try {
    for await (const piece of child.stdout as AsyncIterable<Buffer>) {
      pending.push(piece);
      pendingBytes += piece.length;
      while (pendingBytes >= frameBytes) {
        const all = Buffer.concat(pending, pendingBytes);
        let at = 0;
        while (all.length - at >= frameBytes) {
          yield { index: k * stride, width, height, data: new Uint8Array(all.subarray(at, at + frameBytes)) };
          k++;
          at += frameBytes;
        }
        pending = at < all.length ? [all.subarray(at)] : [];
        pendingBytes = all.length - at;
      }
    }
  } finally {
    if (child.exitCode === null) child.kill();
  }
  const code = await exited;
  if (code !== 0) throw new Error(`ffmpeg failed decoding ${file} (exit ${code}): ${stderr.trim()}`);
  if (pendingBytes !== 0) throw new Error(`ffmpeg output of ${file} ended inside a frame (${pendingBytes} of ${frameBytes} bytes)`);
}
