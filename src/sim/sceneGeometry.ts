/**
 * What is in the scene at one instant, and the boxes that draw it. The end-effector is a small
 * parallel gripper: a palm block at the flange, two fingers hanging below it that slide apart along
 * the gripper's y axis, and a grey wrist link rising from the palm (the arm). The cube is a red box.
 */
import type { SimConfig, Vec3 } from "./simConfig";

/** The state the renderer draws. */
export interface SceneState {
  /** Flange pose [x, y, z, roll, pitch, yaw, gripper] (m, rad, closedness 0..1). */
  ee: ArrayLike<number>;
  /** Cube centre [x, y, z] (m). */
  cube: Vec3;
  /** Whether the cube is held between the fingers (they then stop at its width). */
  cubeHeld: boolean;
}

/** An oriented box: a rotation by `heading` about the vertical through its centre. */
export interface SceneBox {
  /** Centre (m). */
  center: Vec3;
  /** Half extents along its own x, y, z (m). */
  half: Vec3;
  /** Rotation about z (rad). */
  heading: number;
  /** Base colour, linear 0..255 RGB. */
  color: Vec3;
}

/** A shadow caster: a rectangle footprint `height` above the table (its lowest point). */
export interface ShadowCaster {
  center: readonly [number, number];
  half: readonly [number, number];
  heading: number;
  /** Height of the caster's lowest point above the table (m). */
  height: number;
}

/**
 * Palm half extents (m): thin in x, long along the opening axis y, flat in z. Open fingers (centres
 * up to ±0.062 m) stick out beyond its ends, so open and closed read differently at 64 px.
 */
const PALM_HALF: Vec3 = [0.024, 0.05, 0.014];
/** Finger cross-section half extents in x and y (m). */
const FINGER_HALF_XY = [0.018, 0.012] as const;
/** Wrist link half width and length above the palm (m). */
const WRIST_HALF_WIDTH = 0.016;
const WRIST_LENGTH = 0.4;

const PALM_COLOR: Vec3 = [52, 62, 80];
const FINGER_COLOR: Vec3 = [250, 196, 40];
const WRIST_COLOR: Vec3 = [170, 174, 182];
const CUBE_COLOR: Vec3 = [214, 40, 40];

/**
 * Heading of a pose (rad): the angle of the gripper's x axis about world z, read from the rotation
 * matrix so it does not depend on how the Euler angles are split (roll π, yaw ψ gives ψ).
 * With R = Rz(yaw) Ry(pitch) Rx(roll), R·eₓ = [cos yaw cos pitch, sin yaw cos pitch, −sin pitch].
 */
export function headingOf(ee: ArrayLike<number>): number {
  const pitch = ee[4];
  const yaw = ee[5];
  const c = Math.cos(pitch);
  return Math.abs(c) < 1e-9 ? 0 : Math.atan2(Math.sin(yaw) * c, Math.cos(yaw) * c);
}

/** Inner gap between the fingers (m) for a closedness, stopped by the cube when it is held. */
export function fingerGap(closedness: number, held: boolean, config: SimConfig): number {
  const g = closedness < 0 ? 0 : closedness > 1 ? 1 : closedness;
  const gap = config.maxFingerGap * (1 - g);
  return held ? Math.max(gap, config.cubeSize) : gap;
}

/** The boxes of the scene, gripper first. */
export function sceneBoxes(s: SceneState, config: SimConfig): SceneBox[] {
  const [x, y, z] = [s.ee[0], s.ee[1], s.ee[2]];
  const heading = headingOf(s.ee);
  const c = Math.cos(heading);
  const sn = Math.sin(heading);
  const palmBottom = z - PALM_HALF[2];
  const tip = z - config.fingertipOffset;
  const fingerHalfZ = (palmBottom - tip) / 2;
  const offset = fingerGap(s.ee[6], s.cubeHeld, config) / 2 + FINGER_HALF_XY[1];
  const boxes: SceneBox[] = [
    { center: [x, y, z], half: PALM_HALF, heading, color: PALM_COLOR },
    { center: [x - sn * offset, y + c * offset, tip + fingerHalfZ], half: [FINGER_HALF_XY[0], FINGER_HALF_XY[1], fingerHalfZ], heading, color: FINGER_COLOR },
    { center: [x + sn * offset, y - c * offset, tip + fingerHalfZ], half: [FINGER_HALF_XY[0], FINGER_HALF_XY[1], fingerHalfZ], heading, color: FINGER_COLOR },
    { center: [x, y, z + PALM_HALF[2] + WRIST_LENGTH / 2], half: [WRIST_HALF_WIDTH, WRIST_HALF_WIDTH, WRIST_LENGTH / 2], heading, color: WRIST_COLOR },
  ];
  const h = config.cubeSize / 2;
  boxes.push({ center: s.cube, half: [h, h, h], heading: 0, color: CUBE_COLOR });
  return boxes;
}

/** The shadow casters: the gripper (palm and fingers footprint, from the fingertips) and the cube. */
export function shadowCasters(s: SceneState, config: SimConfig): ShadowCaster[] {
  const h = config.cubeSize / 2;
  return [
    {
      center: [s.ee[0], s.ee[1]],
      half: [Math.max(PALM_HALF[0], FINGER_HALF_XY[0]), Math.max(PALM_HALF[1], fingerGap(s.ee[6], s.cubeHeld, config) / 2 + 2 * FINGER_HALF_XY[1])],
      heading: headingOf(s.ee),
      height: Math.max(0, s.ee[2] - config.fingertipOffset),
    },
    { center: [s.cube[0], s.cube[1]], half: [h, h], heading: 0, height: Math.max(0, s.cube[2] - h) },
  ];
}
