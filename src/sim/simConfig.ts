/**
 * Parameters of the tabletop simulator: the workspace box, the camera, and the sizes of the things in
 * the scene. Every length is in metres in the robot base frame (`*_link0`: x forward, y left, z up;
 * the table top is the plane z = 0); angles in radians unless the name says degrees.
 */

/** A 3-vector [x, y, z]. */
export type Vec3 = readonly [number, number, number];

/** Axis-aligned box the end-effector (flange) position is clamped to. */
export interface Workspace {
  /** Lowest x, y, z of the flange (m). */
  min: Vec3;
  /** Highest x, y, z of the flange (m). */
  max: Vec3;
}

/** A fixed pinhole camera. */
export interface CameraSpec {
  /** Optical centre in the base frame (m). */
  position: Vec3;
  /** A point the optical axis passes through (m). */
  target: Vec3;
  /** World direction that appears up in the image. */
  up: Vec3;
  /** Vertical field of view (degrees); images are square, so this is also the horizontal one. */
  verticalFovDeg: number;
}

/** Everything that shapes the scene. */
export interface SimConfig {
  /** Where the flange may go; also where start and goal poses are sampled. */
  workspace: Workspace;
  /** The fixed camera. */
  camera: CameraSpec;
  /**
   * The second camera of two-view renders (`TabletopSimOptions.views` = 2): it sees the workspace from
   * another side, so that an offset along the first camera's line of sight shows as a sideways move.
   */
  secondCamera: CameraSpec;
  /** Table top rectangle on z = 0 (m); beyond it the floor is seen. */
  table: { min: readonly [number, number]; max: readonly [number, number] };
  /** Where the cube spawns and where places are sampled (cube centre x, y; m). */
  objectArea: { min: readonly [number, number]; max: readonly [number, number] };
  /** Edge length of the cube (m). */
  cubeSize: number;
  /** Fingertip bottom below the flange (m): the flange can go down to the table when this equals workspace.min[2]. */
  fingertipOffset: number;
  /** Inner gap between the fingers when fully open (closedness 0; m). It shrinks linearly to 0 at closedness 1. */
  maxFingerGap: number;
  /** Grasp capture radius: horizontal distance flange–cube centre within which closing grasps (m). */
  graspRadius: number;
  /** The fingertips must reach at least this far below the cube top to grasp (m). */
  graspDepth: number;
  /** Orientation every pose starts with and, when `lockOrientation`, keeps: [roll, pitch, yaw] (rad). */
  downOrientation: Vec3;
  /**
   * Keep the orientation at `downOrientation` after every step (rotation deltas are ignored), as the
   * planner never rotates. When false, rotations are applied with computeNewPose; the renderer shows
   * the heading (rotation about z) but draws the gripper pointing down whatever its tilt.
   */
  lockOrientation: boolean;
  /** Nominal time between steps (s): the `t` of episode steps and bag timestamps. */
  stepDuration: number;
}

/** The defaults: a 30 × 40 × 30 cm workspace seen obliquely from the front right, above the table. */
export const DEFAULT_SIM_CONFIG: SimConfig = {
  workspace: { min: [0.35, -0.2, 0.05], max: [0.65, 0.2, 0.35] },
  camera: { position: [1.08, -0.52, 0.62], target: [0.5, 0.0, 0.1], up: [0, 0, 1], verticalFovDeg: 42 },
  // The first camera mirrored across the x-z plane: the two lines of sight to the workspace centre meet at about 80°.
  secondCamera: { position: [1.08, 0.52, 0.62], target: [0.5, 0.0, 0.1], up: [0, 0, 1], verticalFovDeg: 42 },
  table: { min: [0.15, -0.45], max: [0.85, 0.45] },
  objectArea: { min: [0.38, -0.17], max: [0.62, 0.17] },
  cubeSize: 0.05,
  fingertipOffset: 0.05,
  maxFingerGap: 0.1,
  graspRadius: 0.025,
  graspDepth: 0.01,
  downOrientation: [Math.PI, 0, 0],
  lockOrientation: true,
  stepDuration: 0.25,
};

/** The cameras of a `views`-view render, left to right: `camera`, then `secondCamera`. */
export function simCameras(config: SimConfig, views: number): CameraSpec[] {
  return [config.camera, config.secondCamera].slice(0, views);
}

/** Clamps a position (m) into the workspace; returns a fresh [x, y, z] and whether anything moved. */
export function clampToWorkspace(p: ArrayLike<number>, ws: Workspace): { position: [number, number, number]; clamped: boolean } {
  const out: [number, number, number] = [0, 0, 0];
  let clamped = false;
  for (let i = 0; i < 3; i++) {
    const v = p[i];
    const c = v < ws.min[i] ? ws.min[i] : v > ws.max[i] ? ws.max[i] : v;
    if (c !== v) clamped = true;
    out[i] = c;
  }
  return { position: out, clamped };
}

/** Throws a plain Error, with the numbers, when a configuration cannot work. */
export function validateSimConfig(c: SimConfig): void {
  for (let i = 0; i < 3; i++) {
    if (!(c.workspace.min[i] < c.workspace.max[i])) {
      throw new Error(`sim workspace: min[${i}] = ${c.workspace.min[i]} must be below max[${i}] = ${c.workspace.max[i]}`);
    }
  }
  if (c.workspace.min[2] < c.fingertipOffset - 1e-9) {
    throw new Error(
      `sim workspace: min z ${c.workspace.min[2]} m puts the fingertips ${c.fingertipOffset} m below it under the table; raise it to ≥ ${c.fingertipOffset}`,
    );
  }
  if (!(c.cubeSize > 0 && c.cubeSize < c.maxFingerGap)) {
    throw new Error(`sim cube size ${c.cubeSize} m must be positive and below the open finger gap ${c.maxFingerGap} m`);
  }
  for (const [name, cam] of [
    ["camera", c.camera],
    ["second camera", c.secondCamera],
  ] as const) {
    if (!(cam.verticalFovDeg > 1 && cam.verticalFovDeg < 170)) throw new Error(`sim ${name} field of view ${cam.verticalFovDeg}° must be in (1, 170)`);
  }
}
