/**
 * Renders the tabletop scene to an RGB image by ray casting through a pinhole camera, with s×s
 * supersampling (a box filter) so that a small motion changes pixels gradually.
 *
 * Per frame the work is small: the camera is fixed, so the rays, the table (checker texture, grid
 * lines, edge) and the floor and wall behind it are computed once per renderer; a frame copies that
 * background, darkens it under the soft shadows (each caster's footprint projected straight down on
 * the table, blurred and faded with its height), then intersects only the sub-pixels inside each box's
 * projected bounding rectangle with that box, keeping the nearest hit (a depth buffer).
 */
import type { RawImage } from "../worldmodel/preprocess";
import { sceneBoxes, shadowCasters, type SceneBox, type SceneState, type ShadowCaster } from "./sceneGeometry";
import { DEFAULT_SIM_CONFIG, validateSimConfig, type SimConfig, type Vec3 } from "./simConfig";

/** Options of a renderer. */
export interface SceneRendererOptions {
  /** Image width and height (px); 16..512, 64 by default. */
  size?: number;
  /** Supersampling factor per axis (1 = none); 2 by default (2×2 rays per pixel). */
  supersample?: number;
  /** Scene parameters; DEFAULT_SIM_CONFIG by default. */
  config?: SimConfig;
  /** The camera to render from; `config.camera` by default. */
  camera?: SimConfig["camera"];
}

const TABLE_COLOR: Vec3 = [196, 178, 150];
const FLOOR_COLOR: Vec3 = [92, 96, 108];
const WALL_TOP: Vec3 = [196, 204, 214];
const WALL_BOTTOM: Vec3 = [150, 158, 170];
/** Checker square edge on the table (m). */
const CHECKER = 0.05;
/** Light direction (unit, towards the light): from above, slightly from the camera's left. */
const LIGHT: Vec3 = normalize([0.25, 0.35, 1]);
const AMBIENT = 0.42;
const DIFFUSE = 0.62;

function normalize(v: readonly number[]): Vec3 {
  const n = Math.hypot(v[0], v[1], v[2]);
  return [v[0] / n, v[1] / n, v[2] / n];
}

function cross(a: Vec3, b: Vec3): Vec3 {
  return [a[1] * b[2] - a[2] * b[1], a[2] * b[0] - a[0] * b[2], a[0] * b[1] - a[1] * b[0]];
}

/** A pinhole camera: image point ↔ ray, world point → image point (sub-pixel units of a given size). */
export class PinholeCamera {
  readonly position: Vec3;
  readonly forward: Vec3;
  readonly right: Vec3;
  readonly up: Vec3;
  /** Focal length in pixels of an image `size` wide. */
  readonly focal: number;

  constructor(
    spec: SimConfig["camera"],
    readonly size: number,
  ) {
    this.position = spec.position;
    this.forward = normalize([spec.target[0] - spec.position[0], spec.target[1] - spec.position[1], spec.target[2] - spec.position[2]]);
    this.right = normalize(cross(this.forward, spec.up));
    this.up = cross(this.right, this.forward);
    this.focal = size / 2 / Math.tan((spec.verticalFovDeg * Math.PI) / 360);
  }

  /**
   * Image coordinates (px, origin top-left, x right, y down; pixel centres at +0.5) and depth along
   * the optical axis (m) of a world point. Depth ≤ 0 means behind the camera.
   */
  project(p: ArrayLike<number>): { u: number; v: number; depth: number } {
    const dx = p[0] - this.position[0],
      dy = p[1] - this.position[1],
      dz = p[2] - this.position[2];
    const xc = dx * this.right[0] + dy * this.right[1] + dz * this.right[2];
    const yc = dx * this.up[0] + dy * this.up[1] + dz * this.up[2];
    const zc = dx * this.forward[0] + dy * this.forward[1] + dz * this.forward[2];
    return { u: this.size / 2 + (this.focal * xc) / zc, v: this.size / 2 - (this.focal * yc) / zc, depth: zc };
  }

  /** Unnormalised direction of the ray through image point (u, v). */
  ray(u: number, v: number): Vec3 {
    const a = (u - this.size / 2) / this.focal;
    const b = (this.size / 2 - v) / this.focal;
    return [
      this.forward[0] + a * this.right[0] + b * this.up[0],
      this.forward[1] + a * this.right[1] + b * this.up[1],
      this.forward[2] + a * this.right[2] + b * this.up[2],
    ];
  }
}

/** Renders SceneStates to rgb8 images of one size. Not thread-safe (reuses its buffers). */
export class SceneRenderer {
  readonly size: number;
  readonly supersample: number;
  readonly config: SimConfig;
  /** The camera at the sub-pixel resolution (size · supersample). */
  readonly camera: PinholeCamera;
  private readonly sub: number;
  // Per sub-pixel, fixed: ray direction, background colour, table hit (NaN when the ray misses the table), depth.
  private readonly dirs: Float64Array; // [sub², 3]
  private readonly background: Float32Array; // [sub², 3]
  private readonly tableXY: Float32Array; // [sub², 2]
  private readonly backgroundDepth: Float64Array; // [sub²]
  // Per frame.
  private readonly color: Float32Array; // [sub², 3]
  private readonly depth: Float64Array; // [sub²]

  constructor({ size = 64, supersample = 2, config = DEFAULT_SIM_CONFIG, camera = config.camera }: SceneRendererOptions = {}) {
    if (!Number.isInteger(size) || size < 16 || size > 512) throw new Error(`sim image size must be an integer in 16..512 px, got ${size}`);
    if (!Number.isInteger(supersample) || supersample < 1 || supersample > 8) throw new Error(`sim supersample must be an integer in 1..8, got ${supersample}`);
    validateSimConfig(config);
    this.size = size;
    this.supersample = supersample;
    this.config = config;
    this.sub = size * supersample;
    this.camera = new PinholeCamera(camera, this.sub);
    const n = this.sub * this.sub;
    this.dirs = new Float64Array(n * 3);
    this.background = new Float32Array(n * 3);
    this.tableXY = new Float32Array(n * 2);
    this.backgroundDepth = new Float64Array(n);
    this.color = new Float32Array(n * 3);
    this.depth = new Float64Array(n);
    this.buildBackground();
  }

  /** Renders one frame; writes into `out` when given (length size²·3), else a fresh buffer. */
  render(scene: SceneState, out?: Uint8Array): RawImage {
    this.color.set(this.background);
    this.depth.set(this.backgroundDepth);
    for (const caster of shadowCasters(scene, this.config)) this.drawShadow(caster);
    for (const box of sceneBoxes(scene, this.config)) this.drawBox(box);
    const data = out ?? new Uint8Array(this.size * this.size * 3);
    if (data.length !== this.size * this.size * 3) throw new Error(`render: output buffer holds ${data.length} bytes, expected ${this.size * this.size * 3}`);
    const s = this.supersample;
    const scale = 1 / (s * s);
    for (let y = 0; y < this.size; y++) {
      for (let x = 0; x < this.size; x++) {
        let r = 0,
          g = 0,
          b = 0;
        for (let j = 0; j < s; j++) {
          let i = ((y * s + j) * this.sub + x * s) * 3;
          for (let k = 0; k < s; k++, i += 3) {
            r += this.color[i];
            g += this.color[i + 1];
            b += this.color[i + 2];
          }
        }
        const o = (y * this.size + x) * 3;
        data[o] = clampByte(r * scale);
        data[o + 1] = clampByte(g * scale);
        data[o + 2] = clampByte(b * scale);
      }
    }
    return { width: this.size, height: this.size, encoding: "rgb8", data };
  }

  private buildBackground(): void {
    const { table } = this.config;
    const o = this.camera.position;
    const line = 0.0025; // grid line half width (m)
    for (let v = 0; v < this.sub; v++) {
      for (let u = 0; u < this.sub; u++) {
        const i = v * this.sub + u;
        const d = this.camera.ray(u + 0.5, v + 0.5);
        this.dirs.set(d, i * 3);
        this.tableXY[i * 2] = NaN;
        this.tableXY[i * 2 + 1] = NaN;
        let c: Vec3;
        if (d[2] < -1e-9) {
          const t = -o[2] / d[2];
          const x = o[0] + t * d[0];
          const y = o[1] + t * d[1];
          this.backgroundDepth[i] = t;
          if (x >= table.min[0] && x <= table.max[0] && y >= table.min[1] && y <= table.max[1]) {
            this.tableXY[i * 2] = x;
            this.tableXY[i * 2 + 1] = y;
            const cx = Math.floor(x / CHECKER),
              cy = Math.floor(y / CHECKER);
            const checker = (cx + cy) & 1 ? 0.93 : 1.0;
            const fx = x / CHECKER - cx,
              fy = y / CHECKER - cy;
            const w = line / CHECKER;
            const onLine = fx < w || fx > 1 - w || fy < w || fy > 1 - w;
            const shade = checker * (onLine ? 0.8 : 1) * (AMBIENT + DIFFUSE * LIGHT[2]);
            c = [TABLE_COLOR[0] * shade, TABLE_COLOR[1] * shade, TABLE_COLOR[2] * shade];
          } else {
            c = FLOOR_COLOR;
          }
        } else {
          this.backgroundDepth[i] = Infinity;
          const a = Math.min(1, Math.max(0, d[2] * 3));
          c = [
            WALL_BOTTOM[0] + a * (WALL_TOP[0] - WALL_BOTTOM[0]),
            WALL_BOTTOM[1] + a * (WALL_TOP[1] - WALL_BOTTOM[1]),
            WALL_BOTTOM[2] + a * (WALL_TOP[2] - WALL_BOTTOM[2]),
          ];
        }
        this.background.set(c, i * 3);
      }
    }
  }

  /** Sub-pixel rectangle [u0, u1) × [v0, v1) covering the projections of `points`, clipped to the image. */
  private screenRect(points: Vec3[]): [number, number, number, number] {
    let u0 = Infinity,
      u1 = -Infinity,
      v0 = Infinity,
      v1 = -Infinity;
    for (const p of points) {
      const q = this.camera.project(p);
      if (q.depth <= 1e-6) return [0, this.sub, 0, this.sub];
      u0 = Math.min(u0, q.u);
      u1 = Math.max(u1, q.u);
      v0 = Math.min(v0, q.v);
      v1 = Math.max(v1, q.v);
    }
    return [Math.max(0, Math.floor(u0) - 1), Math.min(this.sub, Math.ceil(u1) + 1), Math.max(0, Math.floor(v0) - 1), Math.min(this.sub, Math.ceil(v1) + 1)];
  }

  /** Darkens the visible table under a caster: a soft rectangle, wider and lighter the higher it is. */
  private drawShadow(s: ShadowCaster): void {
    const penumbra = 0.004 + 0.07 * s.height;
    const strength = 0.55 / (1 + 3 * s.height);
    const c = Math.cos(s.heading),
      sn = Math.sin(s.heading);
    const ex = s.half[0] + penumbra,
      ey = s.half[1] + penumbra;
    const corners: Vec3[] = [];
    for (const [a, b] of [
      [-ex, -ey],
      [ex, -ey],
      [ex, ey],
      [-ex, ey],
    ]) {
      corners.push([s.center[0] + c * a - sn * b, s.center[1] + sn * a + c * b, 0]);
    }
    const [u0, u1, v0, v1] = this.screenRect(corners);
    for (let v = v0; v < v1; v++) {
      for (let u = u0; u < u1; u++) {
        const i = v * this.sub + u;
        const x = this.tableXY[i * 2];
        if (Number.isNaN(x)) continue;
        const dx = x - s.center[0],
          dy = this.tableXY[i * 2 + 1] - s.center[1];
        // Into the caster's frame, then the signed distance to its rectangle.
        const qx = Math.abs(c * dx + sn * dy) - s.half[0];
        const qy = Math.abs(-sn * dx + c * dy) - s.half[1];
        const outside = Math.hypot(Math.max(qx, 0), Math.max(qy, 0));
        const sd = outside + Math.min(Math.max(qx, qy), 0);
        const cover = Math.min(1, Math.max(0, 0.5 - sd / (2 * penumbra)));
        if (cover <= 0) continue;
        const f = 1 - strength * cover * cover * (3 - 2 * cover);
        // Shadows do not add up (one light): keep the darkest factor, relative to the background.
        const k = i * 3;
        const current = this.color[k] / Math.max(1e-6, this.background[k]);
        if (f < current) {
          this.color[k] = this.background[k] * f;
          this.color[k + 1] = this.background[k + 1] * f;
          this.color[k + 2] = this.background[k + 2] * f;
        }
      }
    }
  }

  /** Intersects the sub-pixels under a box's projection with it; nearest hit wins. */
  private drawBox(box: SceneBox): void {
    const c = Math.cos(box.heading),
      sn = Math.sin(box.heading);
    const [hx, hy, hz] = box.half;
    const corners: Vec3[] = [];
    for (const a of [-hx, hx])
      for (const b of [-hy, hy])
        for (const z of [-hz, hz]) {
          corners.push([box.center[0] + c * a - sn * b, box.center[1] + sn * a + c * b, box.center[2] + z]);
        }
    const [u0, u1, v0, v1] = this.screenRect(corners);
    // Camera origin in the box frame.
    const ox = this.camera.position[0] - box.center[0],
      oy = this.camera.position[1] - box.center[1];
    const lox = c * ox + sn * oy,
      loy = -sn * ox + c * oy,
      loz = this.camera.position[2] - box.center[2];
    for (let v = v0; v < v1; v++) {
      for (let u = u0; u < u1; u++) {
        const i = v * this.sub + u;
        const dx = this.dirs[i * 3],
          dy = this.dirs[i * 3 + 1],
          dz = this.dirs[i * 3 + 2];
        const ldx = c * dx + sn * dy,
          ldy = -sn * dx + c * dy;
        // Slab test; remember the axis (0..2) and sign of the entry face.
        let tNear = -Infinity,
          tFar = Infinity,
          axis = -1,
          sign = 0;
        const o3 = [lox, loy, loz],
          d3 = [ldx, ldy, dz],
          h3 = [hx, hy, hz];
        let miss = false;
        for (let a = 0; a < 3; a++) {
          const d = d3[a],
            o = o3[a],
            h = h3[a];
          if (Math.abs(d) < 1e-12) {
            if (o < -h || o > h) {
              miss = true;
              break;
            }
            continue;
          }
          let t1 = (-h - o) / d,
            t2 = (h - o) / d,
            s = -1;
          if (t1 > t2) {
            const tmp = t1;
            t1 = t2;
            t2 = tmp;
            s = 1;
          }
          if (t1 > tNear) {
            tNear = t1;
            axis = a;
            sign = s;
          }
          if (t2 < tFar) tFar = t2;
          if (tNear > tFar) {
            miss = true;
            break;
          }
        }
        if (miss || axis < 0 || tNear <= 0 || tNear >= this.depth[i]) continue;
        this.depth[i] = tNear;
        // Face normal in the world: local axis `axis` with `sign`, rotated by the heading.
        let nx = 0,
          ny = 0,
          nz = 0;
        if (axis === 0) {
          nx = sign * c;
          ny = sign * sn;
        } else if (axis === 1) {
          nx = -sign * sn;
          ny = sign * c;
        } else nz = sign;
        const lambert = Math.max(0, nx * LIGHT[0] + ny * LIGHT[1] + nz * LIGHT[2]);
        const shade = AMBIENT + DIFFUSE * lambert;
        const k = i * 3;
        this.color[k] = box.color[0] * shade;
        this.color[k + 1] = box.color[1] * shade;
        this.color[k + 2] = box.color[2] * shade;
      }
    }
  }
}

function clampByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}
