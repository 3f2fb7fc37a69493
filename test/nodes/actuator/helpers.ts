import { quatFromEuler, type Quat, type RigidPose } from "../../../src/nodes/actuator/rigidPose";

/** Pose from position (m) and extrinsic xyz Euler angles (rad). */
export function pose(x: number, y: number, z: number, roll = 0, pitch = 0, yaw = 0): RigidPose {
  return { position: [x, y, z], orientation: quatFromEuler(roll, pitch, yaw) };
}

/** Quaternions equal up to sign. */
export function expectSameRotation(a: Quat, b: Quat, digits = 12): void {
  const dot = a[0] * b[0] + a[1] * b[1] + a[2] * b[2] + a[3] * b[3];
  expect(Math.abs(dot)).toBeCloseTo(1, digits);
}

export function expectPoseClose(a: RigidPose, b: RigidPose, digits = 12): void {
  for (let i = 0; i < 3; i++) expect(a.position[i]).toBeCloseTo(b.position[i], digits);
  expectSameRotation(a.orientation, b.orientation, digits);
}
