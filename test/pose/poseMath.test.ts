import * as fs from "node:fs";
import * as path from "node:path";
import { describeWithReference } from "../helpers/reference";
import {
  advancePoseAt,
  computeNewPose,
  eulerXyzToMatrix,
  eulerXyzToQuaternion,
  matrixToEulerXyz,
  matrixToQuaternion,
  multiplyMatrices3,
  multiplyQuaternions,
  posesToDiff,
  quaternionToEulerXyz,
  quaternionToMatrix,
  wrapAngleLikeScipy,
} from "../../src/pose/poseMath";

interface NewPoseCase {
  pose: number[];
  action: number[];
  result: number[];
}
interface DiffCase {
  start: number[];
  end: number[];
  result: number[];
}
interface PoseMathReference {
  compute_new_pose: NewPoseCase[];
  poses_to_diff: DiffCase[];
}

const TOLERANCE = 1e-9;

function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i] - b[i]));
  return worst;
}

/** Rotation distance (rad) between two 'xyz' Euler triples, insensitive to the Euler ambiguity. */
function rotationDistance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const qa = eulerXyzToQuaternion(a[0], a[1], a[2]);
  const qb = eulerXyzToQuaternion(b[0], b[1], b[2]);
  // angle of qa⁻¹·qb via atan2, which stays accurate for tiny angles (acos near 1 does not)
  const conj = [-qa[0], -qa[1], -qa[2], qa[3]];
  const r = multiplyQuaternions(conj, qb);
  return 2 * Math.atan2(Math.hypot(r[0], r[1], r[2]), Math.abs(r[3]));
}

/** Small deterministic generator for property tests (mulberry32). */
function uniformStream(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describeWithReference("pose math against upstream (scipy) reference", (dir) => {
  const reference = JSON.parse(fs.readFileSync(path.join(dir, "pose_math.json"), "utf8")) as PoseMathReference;

  it("has the expected number of cases", () => {
    expect(reference.compute_new_pose.length).toBe(60);
    expect(reference.poses_to_diff.length).toBe(60);
  });

  it.each(reference.compute_new_pose.map((c, i) => [i, c] as const))("computeNewPose case %i", (_i, c) => {
    expect(maxAbsDiff(computeNewPose(c.pose, c.action), c.result)).toBeLessThanOrEqual(TOLERANCE);
  });

  it.each(reference.poses_to_diff.map((c, i) => [i, c] as const))("posesToDiff case %i", (_i, c) => {
    expect(maxAbsDiff(posesToDiff(c.start, c.end), c.result)).toBeLessThanOrEqual(TOLERANCE);
  });

  it("advancePoseAt over typed arrays (float64) matches every computeNewPose case in one batch", () => {
    const n = reference.compute_new_pose.length;
    const poses = new Float64Array(n * 7);
    const actions = new Float64Array(n * 7);
    reference.compute_new_pose.forEach((c, i) => {
      poses.set(c.pose, i * 7);
      actions.set(c.action, i * 7);
    });
    const out = advanceRows(poses, actions, new Float64Array(n * 7));
    reference.compute_new_pose.forEach((c, i) => {
      expect(maxAbsDiff(out.subarray(i * 7, i * 7 + 7), c.result)).toBeLessThanOrEqual(TOLERANCE);
    });
  });

  it("advancePoseAt (float32 storage, in place) matches to float32 precision away from gimbal lock", () => {
    const cases = reference.compute_new_pose.filter((c) => Math.abs(Math.abs(c.result[4]) - Math.PI / 2) > 0.05);
    const poses = new Float32Array(cases.length * 7);
    const actions = new Float32Array(cases.length * 7);
    cases.forEach((c, i) => {
      poses.set(c.pose, i * 7);
      actions.set(c.action, i * 7);
    });
    advanceRows(poses, actions, poses);
    cases.forEach((c, i) => {
      const got = poses.subarray(i * 7, i * 7 + 7);
      expect(maxAbsDiff(got.subarray(0, 3), c.result.slice(0, 3))).toBeLessThan(1e-6);
      expect(rotationDistance(got.subarray(3, 6), c.result.slice(3, 6))).toBeLessThan(1e-5);
      expect(Math.abs(got[6] - c.result[6])).toBeLessThan(1e-6);
    });
  });
});

/** advancePoseAt over every row of 7 (what the world model does per sample). */
function advanceRows<T extends Float32Array | Float64Array>(poses: Float32Array | Float64Array, actions: Float32Array | Float64Array, out: T): T {
  for (let o = 0; o < poses.length; o += 7) advancePoseAt(poses, o, actions, o, out, o);
  return out;
}

describe("pose math building blocks", () => {
  it("keeps roll = π as π (scipy's wrap), not −π", () => {
    expect(computeNewPose([0, 0, 0, Math.PI, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0])[3]).toBe(Math.PI);
    expect(wrapAngleLikeScipy(Math.PI)).toBe(Math.PI);
    expect(wrapAngleLikeScipy(-Math.PI)).toBe(-Math.PI);
    expect(wrapAngleLikeScipy(Math.PI + 0.5)).toBeCloseTo(-Math.PI + 0.5, 15);
  });

  it("builds the extrinsic xyz matrix Rz·Ry·Rx", () => {
    const [r, p, y] = [0.3, -0.7, 1.9];
    const rx = [1, 0, 0, 0, Math.cos(r), -Math.sin(r), 0, Math.sin(r), Math.cos(r)];
    const ry = [Math.cos(p), 0, Math.sin(p), 0, 1, 0, -Math.sin(p), 0, Math.cos(p)];
    const rz = [Math.cos(y), -Math.sin(y), 0, Math.sin(y), Math.cos(y), 0, 0, 0, 1];
    const mul = (a: number[], b: number[]) =>
      [0, 1, 2].flatMap((i) => [0, 1, 2].map((j) => a[3 * i] * b[j] + a[3 * i + 1] * b[3 + j] + a[3 * i + 2] * b[6 + j]));
    expect(maxAbsDiff(eulerXyzToMatrix(r, p, y), mul(rz, mul(ry, rx)))).toBeLessThan(1e-15);
    expect(maxAbsDiff(matrixToEulerXyz(eulerXyzToMatrix(r, p, y)), [r, p, y])).toBeLessThan(1e-14);
  });

  it("round-trips quaternion ↔ matrix for every Markley branch (up to sign)", () => {
    const quats = [
      [0.9, 0.1, 0.2, 0.3], // x largest
      [0.1, 0.9, 0.2, 0.3], // y largest
      [0.1, 0.2, 0.9, 0.3], // z largest
      [0.1, 0.2, 0.3, 0.9], // trace largest
    ].map((q) => {
      const n = Math.hypot(...q);
      return q.map((v) => v / n);
    });
    for (const q of quats) {
      const back = matrixToQuaternion(quaternionToMatrix(q));
      const sign = Math.sign(back[3]) === Math.sign(q[3]) ? 1 : -1;
      expect(
        maxAbsDiff(
          Array.from(back as Float64Array, (v) => v * sign),
          q,
        ),
      ).toBeLessThan(1e-15);
    }
  });

  it("at gimbal lock sets yaw to 0 and keeps the rotation (scipy's rule)", () => {
    for (const pitch of [Math.PI / 2, -Math.PI / 2]) {
      const euler = quaternionToEulerXyz(eulerXyzToQuaternion(0.4, pitch, -0.3));
      expect(euler[2]).toBe(0);
      expect(Math.abs(euler[1] - pitch)).toBeLessThan(1e-7);
      expect(rotationDistance(euler as Float64Array, [0.4, pitch, -0.3])).toBeLessThan(1e-7);
    }
  });
});

describe("gimbal lock matches scipy", () => {
  // Poses at and near pitch = ±π/2 advanced by a zero action, i.e. `Rotation.from_matrix(R_pose)
  // .as_euler("xyz")`: exactly at the lock, inside the 1e-7 band (yaw forced to 0, roll carries
  // roll ∓ yaw), and just outside it. (scipy 1.10's matrix method differs here by up to ~6e-10 and
  // is ill-conditioned inside the band; see the module comment.)
  const poses = [
    [0.1, 0.2, 0.3, 0.4, 1.5707963267948966, -0.3, 0.5],
    [0.1, 0.2, 0.3, -2.0, -1.5707963267948966, 1.1, 0.5],
    [0.1, 0.2, 0.3, 0.2, 1.5707962767948966, 0.7, 0.5],
    [0.1, 0.2, 0.3, 0.4, 1.5707961267948967, -0.3, 0.5],
  ];
  // scipy 1.17.1 (quaternion-based Bernardes & Viollet)
  const scipy117 = [
    [0.7, 1.5707963267948966, 0.0],
    [-0.8999999999999995, -1.5707963267948963, 0.0],
    [-0.5, 1.5707962767948969, 0.0],
    [0.4000000001859191, 1.5707961267948969, -0.2999999998140809],
  ];

  it.each(poses.map((p, i) => [i, p] as const))("computeNewPose follows scipy 1.17, case %i", (i, pose) => {
    const result = computeNewPose(pose, [0, 0, 0, 0, 0, 0, 0]);
    expect(maxAbsDiff(result.slice(3, 6), scipy117[i])).toBeLessThanOrEqual(TOLERANCE);
    expect(maxAbsDiff(result.slice(0, 3), pose.slice(0, 3))).toBe(0);
  });
});

describe("pose validation", () => {
  it("rejects wrong lengths with the argument and length", () => {
    expect(() => computeNewPose([0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0])).toThrow(/pose must have length 7.*got length 6/);
    expect(() => posesToDiff([0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0, 0])).toThrow(/end must have length 7.*got length 8/);
  });

  it("rejects NaN and infinities with the index and value", () => {
    expect(() => computeNewPose([0, 0, 0, 0, NaN, 0, 0], [0, 0, 0, 0, 0, 0, 0])).toThrow("pose[4] must be a finite number, got NaN");
    expect(() => computeNewPose([0, 0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, Infinity])).toThrow("action[6] must be a finite number, got Infinity");
    expect(() => posesToDiff([0, -Infinity, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0, 0])).toThrow("start[1] must be a finite number, got -Infinity");
  });
});

describe("pose math properties", () => {
  const random = uniformStream(12345);
  const randomPose = (): number[] => [
    random() - 0.5,
    random() - 0.5,
    random(),
    (2 * random() - 1) * Math.PI,
    (2 * random() - 1) * 1.4, // |pitch| ≤ 1.4 rad: away from gimbal lock
    (2 * random() - 1) * Math.PI,
    random(),
  ];

  it("computeNewPose(p, posesToDiff(p, q)) ≈ q away from gimbal lock", () => {
    for (let n = 0; n < 500; n++) {
      const p = randomPose();
      const q = randomPose();
      const back = computeNewPose(p, posesToDiff(p, q));
      expect(maxAbsDiff(back.slice(0, 3), q.slice(0, 3))).toBeLessThan(1e-12);
      expect(rotationDistance(back.slice(3, 6), q.slice(3, 6))).toBeLessThan(1e-9);
      // Euler angles themselves come back too, since |pitch| < π/2 has a unique representation
      expect(maxAbsDiff(back.slice(3, 6), q.slice(3, 6))).toBeLessThan(1e-9);
      expect(Math.abs(back[6] - q[6])).toBeLessThan(1e-12);
    }
  });

  it("posesToDiff(p, computeNewPose(p, a)) ≈ a for small actions and unclipped grippers", () => {
    for (let n = 0; n < 500; n++) {
      const p = randomPose();
      p[6] = 0.5;
      const a = [
        0.05 * (random() - 0.5),
        0.05 * (random() - 0.5),
        0.05 * (random() - 0.5),
        0.4 * (random() - 0.5),
        0.4 * (random() - 0.5),
        0.4 * (random() - 0.5),
        0.4 * (random() - 0.5),
      ];
      expect(maxAbsDiff(posesToDiff(p, computeNewPose(p, a)), a)).toBeLessThan(1e-9);
    }
  });

  it("clips the gripper to [0, 1]", () => {
    expect(computeNewPose([0, 0, 0, 0, 0, 0, 0.8], [0, 0, 0, 0, 0, 0, 0.75])[6]).toBe(1);
    expect(computeNewPose([0, 0, 0, 0, 0, 0, 0.2], [0, 0, 0, 0, 0, 0, -0.75])[6]).toBe(0);
  });

  it("posesToDiff of a pose with itself is zero", () => {
    const p = randomPose();
    expect(maxAbsDiff(posesToDiff(p, p), [0, 0, 0, 0, 0, 0, 0])).toBeLessThan(1e-15);
  });
});

describe("advancePoseAt", () => {
  it("is bit-identical to computeNewPose, with and without rotation deltas, in place", () => {
    const random = uniformStream(99);
    const n = 64;
    const poses = new Float64Array(n * 7);
    const actions = new Float64Array(n * 7);
    for (let i = 0; i < n * 7; i++) poses[i] = (2 * random() - 1) * 3;
    for (let i = 0; i < n * 7; i++) actions[i] = (2 * random() - 1) * 0.3;
    for (let s = 0; s < n; s += 2) actions.fill(0, s * 7 + 3, s * 7 + 6); // every other row: rotation-free
    const expected = Array.from({ length: n }, (_, s) =>
      computeNewPose(Array.from(poses.subarray(s * 7, s * 7 + 7)), Array.from(actions.subarray(s * 7, s * 7 + 7))),
    );
    advanceRows(poses, actions, poses);
    for (let s = 0; s < n; s++) expect(Array.from(poses.subarray(s * 7, s * 7 + 7))).toEqual(expected[s]);
  });

  it("with a zero rotation delta, equals the full R(0) @ R product bit for bit", () => {
    const pose = [0.1, 0.2, 0.3, 2.9, 1.2, -3.0, 0.5];
    const viaProduct = matrixToEulerXyz(multiplyMatrices3(eulerXyzToMatrix(0, 0, 0), eulerXyzToMatrix(pose[3], pose[4], pose[5])));
    expect(computeNewPose(pose, [0, 0, 0, 0, 0, 0, 0]).slice(3, 6)).toEqual(Array.from(viaProduct as Float64Array));
  });
});
