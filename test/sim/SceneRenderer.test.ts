import { PinholeCamera, SceneRenderer } from "../../src/sim/SceneRenderer";
import type { SceneState } from "../../src/sim/sceneGeometry";
import { DEFAULT_SIM_CONFIG } from "../../src/sim/simConfig";
import { createSimRandom } from "../../src/sim/simRandom";

const renderer = new SceneRenderer({ size: 64 });
const CUBE = [0.42, -0.12, DEFAULT_SIM_CONFIG.cubeSize / 2] as const;

function scene(x: number, y: number, z: number, gripper = 0): SceneState {
  return { ee: [x, y, z, Math.PI, 0, 0, gripper], cube: CUBE, cubeHeld: false };
}

/** Mean absolute difference per channel value (0..255). */
function meanAbsDiff(a: Uint8Array, b: Uint8Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += Math.abs(a[i] - b[i]);
  return s / a.length;
}

/** Number of pixels whose RGB changed by more than `threshold` in some channel. */
function changedPixels(a: Uint8Array, b: Uint8Array, threshold = 8): number {
  let n = 0;
  for (let i = 0; i < a.length; i += 3) {
    if (Math.max(Math.abs(a[i] - b[i]), Math.abs(a[i + 1] - b[i + 1]), Math.abs(a[i + 2] - b[i + 2])) > threshold) n++;
  }
  return n;
}

describe("SceneRenderer", () => {
  it("renders rgb8 images of the asked size, deterministically", () => {
    for (const size of [64, 96, 128]) {
      const r = new SceneRenderer({ size });
      const a = r.render(scene(0.5, 0, 0.2));
      expect([a.width, a.height, a.encoding, a.data.length]).toEqual([size, size, "rgb8", size * size * 3]);
      expect(r.render(scene(0.5, 0, 0.2)).data).toEqual(a.data);
    }
    expect(() => new SceneRenderer({ size: 8 })).toThrow("16..512");
  });

  it("changes the image visibly when the end-effector moves 2 cm along x, y or z, anywhere in the workspace", () => {
    const rng = createSimRandom(42);
    const ws = DEFAULT_SIM_CONFIG.workspace;
    let weakest = Infinity;
    for (let trial = 0; trial < 30; trial++) {
      const p = [0, 1, 2].map((a) => rng.range(ws.min[a], ws.max[a] - 0.02));
      const base = renderer.render(scene(p[0], p[1], p[2])).data;
      for (let axis = 0; axis < 3; axis++) {
        const q = [...p];
        q[axis] += 0.02;
        const moved = renderer.render(scene(q[0], q[1], q[2])).data;
        expect(changedPixels(base, moved)).toBeGreaterThanOrEqual(4);
        weakest = Math.min(weakest, meanAbsDiff(base, moved));
      }
    }
    expect(weakest).toBeGreaterThan(0.1);
  });

  it("moves the shadow with height: the table under the gripper changes when only z changes", () => {
    // Pixels around the gripper's footprint on the table, away from where the gripper itself is drawn.
    const cam = new PinholeCamera(DEFAULT_SIM_CONFIG.camera, 64);
    const x = 0.55,
      y = 0.05;
    const foot = cam.project([x, y, 0]);
    const region = (data: Uint8Array): number[] => {
      const out: number[] = [];
      for (let v = Math.floor(foot.v) - 2; v <= Math.floor(foot.v) + 2; v++)
        for (let u = Math.floor(foot.u) - 3; u <= Math.floor(foot.u) + 3; u++) out.push(data[(v * 64 + u) * 3]);
      return out;
    };
    const darkness = (z: number): number => {
      const lit = region(renderer.render({ ...scene(x, y, z), ee: [0.35, -0.2, 0.35, Math.PI, 0, 0, 0] }).data);
      const shaded = region(renderer.render(scene(x, y, z)).data);
      return lit.reduce((s, v, i) => s + (v - shaded[i]), 0) / lit.length;
    };
    // The gripper at 0.2 m and above projects well above its footprint: the region is table only.
    expect(cam.project([x, y, 0.2 - DEFAULT_SIM_CONFIG.fingertipOffset]).v).toBeLessThan(foot.v - 6);
    const d20 = darkness(0.2),
      d22 = darkness(0.22),
      d30 = darkness(0.3);
    expect(d20).toBeGreaterThan(5); // a shadow is there
    expect(d20).toBeGreaterThan(d22); // and fades as the gripper rises
    expect(d22).toBeGreaterThan(d30);
  });

  it("shows the fingers opening and closing", () => {
    const open = renderer.render(scene(0.5, 0, 0.15, 0)).data;
    const closed = renderer.render(scene(0.5, 0, 0.15, 1)).data;
    expect(changedPixels(open, closed)).toBeGreaterThanOrEqual(4);
  });

  it("projects points consistently with its rays", () => {
    const cam = new PinholeCamera(DEFAULT_SIM_CONFIG.camera, 128);
    const p = cam.project([0.5, 0.1, 0.05]);
    const d = cam.ray(p.u, p.v);
    // The ray through the projection passes through the point.
    const t = (0.5 - cam.position[0]) / d[0];
    expect(cam.position[1] + t * d[1]).toBeCloseTo(0.1, 9);
    expect(cam.position[2] + t * d[2]).toBeCloseTo(0.05, 9);
    // The workspace is in view.
    const ws = DEFAULT_SIM_CONFIG.workspace;
    for (const x of [ws.min[0], ws.max[0]])
      for (const y of [ws.min[1], ws.max[1]])
        for (const z of [0, ws.max[2]]) {
          const q = cam.project([x, y, z]);
          expect(q.u).toBeGreaterThan(0);
          expect(q.u).toBeLessThan(128);
          expect(q.v).toBeGreaterThan(0);
          expect(q.v).toBeLessThan(128);
        }
  });
});
