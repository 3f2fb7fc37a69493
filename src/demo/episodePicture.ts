/**
 * A picture of one demo episode: start frame, goal image(s) and the final frame with the end-effector's
 * path drawn on it (projected through the simulator's camera), side by side and enlarged, each captioned.
 */
import { DEFAULT_SIM_CONFIG, imageStrip, PinholeCamera, simCameras, type SimConfig } from "../sim";
import type { RawImage } from "../worldmodel/preprocess";
import type { EpisodeResult } from "./runDemo";

const PATH_COLOUR: [number, number, number] = [0, 200, 255];
const END_COLOUR: [number, number, number] = [255, 40, 200];

/** Nearest-neighbour enlargement of an rgb8 image. */
const enlarge = (img: RawImage, scale: number): RawImage => imageStrip([img], { scale, gap: 0 });

/** A filled disc, clipped to the columns [left, right) of `img`. */
function dot(img: RawImage, x: number, y: number, r: number, c: readonly number[], left: number, right: number): void {
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) {
      const px = Math.round(x + dx);
      const py = Math.round(y + dy);
      if (dx * dx + dy * dy > r * r || px < left || py < 0 || px >= right || py >= img.height) continue;
      img.data.set(c, (py * img.width + px) * 3);
    }
  }
}

/**
 * Draws the path (m, base frame) onto an enlarged copy of `frame`. A frame w times as wide as high holds
 * w views side by side (TabletopSim `views`): the path is drawn in each through its own camera.
 */
export function drawPath(
  frame: RawImage,
  path: readonly number[][],
  scale: number,
  cameras: ReadonlyArray<SimConfig["camera"]> = simCameras(DEFAULT_SIM_CONFIG, 2),
): RawImage {
  const img = enlarge(frame, scale);
  const side = frame.height;
  const views = Math.min(cameras.length, Math.max(1, Math.floor(frame.width / side)));
  for (let v = 0; v < views; v++) {
    const cam = new PinholeCamera(cameras[v], side);
    const [left, right] = [v * side * scale, (v + 1) * side * scale];
    const pts = path.map((p) => cam.project(p)).map((q) => [left + q.u * scale, q.v * scale]);
    for (let i = 1; i < pts.length; i++) {
      const [x0, y0] = pts[i - 1];
      const [x1, y1] = pts[i];
      const n = Math.max(1, Math.ceil(Math.hypot(x1 - x0, y1 - y0)));
      for (let k = 0; k <= n; k++) dot(img, x0 + ((x1 - x0) * k) / n, y0 + ((y1 - y0) * k) / n, 1, PATH_COLOUR, left, right);
    }
    pts.forEach(([x, y], i) => dot(img, x, y, i === pts.length - 1 ? 3 : 2, i === pts.length - 1 ? END_COLOUR : PATH_COLOUR, left, right));
  }
  return img;
}

const cm = (m: number): string => `${(100 * m).toFixed(1)} cm`;

/**
 * Caption lines per panel: "start" with the seed; each goal as "goal", "sub-goal i/n" (reach) or
 * "sub-goal i/3 (grasp)" (pick_place); the outcome and the final distance to the task's target.
 */
export function episodeCaptions(e: EpisodeResult): string[][] {
  const n = e.goals.length;
  const goal = (i: number): string => {
    if (n === 1) return "goal";
    // Reach sub-goals lead up to the goal itself, which is not one of them; pick_place's three are all sub-goals.
    if (e.task === "reach") return i === n - 1 ? "goal" : `sub-goal ${i + 1}/${n - 1}`;
    const label = e.goalLabels[i];
    return label === undefined ? `sub-goal ${i + 1}/${n}` : `sub-goal ${i + 1}/${n} (${label})`;
  };
  const distance = e.task === "reach" ? `${cm(e.finalDistance)} to goal` : `cube ${cm(e.finalDistance)} to place`;
  return [["start", `seed ${e.seed}`], ...e.goals.map((_, i) => [goal(i)]), [`final: ${e.success ? "success" : "failure"}`, distance]];
}

/** start | goal(s) | final frame with the path, each enlarged `scale` times, captioned underneath. */
export function episodePicture(e: EpisodeResult, scale = 4): RawImage {
  const big = (img: RawImage) => enlarge(img, scale);
  // Half the panel scale: 2 at the default 4 keeps about 21 characters to a 256 px panel.
  const textScale = Math.max(1, Math.floor(scale / 2));
  return imageStrip([big(e.start), ...e.goals.map(big), drawPath(e.final, e.path, scale)], { gap: 4, captions: episodeCaptions(e), textScale });
}
