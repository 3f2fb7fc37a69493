import { eulerXyzToMatrix } from "../../../src/pose/poseMath";
import {
  angleBetween,
  composePoses,
  invertPose,
  poseFromVector,
  quatAngle,
  quatFromEuler,
  quatFromRotationVector,
  quatMultiply,
  quatToRotationVector,
  rotateVector,
  slerp,
  vectorFromPose,
} from "../../../src/nodes/actuator/rigidPose";
import { expectPoseClose, expectSameRotation, pose } from "./helpers";

describe("rigidPose", () => {
  it("rotates vectors like the scipy rotation matrix of the same Euler angles", () => {
    const [r, p, y] = [0.3, -0.7, 2.1];
    const m = eulerXyzToMatrix(r, p, y);
    const v: [number, number, number] = [0.2, -1.5, 0.7];
    const out = rotateVector(quatFromEuler(r, p, y), v);
    for (let i = 0; i < 3; i++) expect(out[i]).toBeCloseTo(m[3 * i] * v[0] + m[3 * i + 1] * v[1] + m[3 * i + 2] * v[2], 14);
  });

  it("round-trips rotation vectors and measures angles the short way", () => {
    const rv: [number, number, number] = [0.3, -0.2, 0.9];
    const back = quatToRotationVector(quatFromRotationVector(rv));
    for (let i = 0; i < 3; i++) expect(back[i]).toBeCloseTo(rv[i], 14);
    expect(quatAngle(quatFromRotationVector(rv))).toBeCloseTo(Math.hypot(...rv), 14);
    const q = quatFromEuler(0, 0, 0.4);
    expect(quatAngle([-q[0], -q[1], -q[2], -q[3]])).toBeCloseTo(0.4, 14); // −q is the same rotation
    expect(angleBetween(quatFromEuler(0, 0, 3), quatFromEuler(0, 0, -3))).toBeCloseTo(2 * Math.PI - 6, 12);
  });

  it("slerps along the shorter arc with the right endpoints and midpoint", () => {
    const a = quatFromEuler(0, 0, 0.2);
    const b = quatFromEuler(0, 0, 1.0);
    expectSameRotation(slerp(a, b, 0), a);
    expectSameRotation(slerp(a, b, 1), b);
    expectSameRotation(slerp(a, b, 0.5), quatFromEuler(0, 0, 0.6));
    expectSameRotation(slerp(quatFromEuler(0, 0, 3), quatFromEuler(0, 0, -3), 0.5), quatFromEuler(0, 0, Math.PI));
  });

  it("composes and inverts poses", () => {
    const a = pose(0.4, -0.1, 0.3, 0.2, 0.5, -1.2);
    const b = pose(0.01, 0.02, 0.1, -0.3, 0.1, 0.7);
    expectPoseClose(composePoses(composePoses(a, b), invertPose(b)), a);
    expectPoseClose(composePoses(invertPose(a), a), pose(0, 0, 0));
  });

  it("converts DROID vectors to poses and back", () => {
    const v = [0.5, 0.1, 0.3, Math.PI - 0.1, 0.2, -0.4, 0.6];
    const back = vectorFromPose(poseFromVector(v), v[6]);
    for (let i = 0; i < 7; i++) expect(back[i]).toBeCloseTo(v[i], 12);
    // R_delta · R is quatMultiply(delta, R)
    const q = quatMultiply(quatFromEuler(0, 0, 0.1), quatFromEuler(0, 0, 0.2));
    expectSameRotation(q, quatFromEuler(0, 0, 0.3));
  });
});
