/**
 * The committed sample bag (test/fixtures/bags/sample): 20 frames of 64×64 rgb8 at 4 Hz with flange
 * poses, gripper closedness and EndEffectorDelta actions in the recording convention, all computed from
 * the frame index so tests can check every message.
 * Regenerate: `rm -rf test/fixtures/bags/sample && node -r @swc-node/register test/bag/sampleBag.ts test/fixtures/bags/sample`
 */
import * as path from "node:path";
import { BagWriter } from "../../src/bag/BagWriter";
import { DEFAULT_TOPICS } from "../../src/bag/topics";
import { eulerXyzToQuaternion, posesToDiff } from "../../src/pose/poseMath";
import { endEffectorDelta, MessageTypes, timeFromNanoseconds, type Image, type JointState, type PoseStamped } from "../../src/ros/messages";

export const SAMPLE_BAG_DIR = path.resolve(__dirname, "..", "fixtures", "bags", "sample");
export const SAMPLE_FRAMES = 20;
export const SAMPLE_SIZE = 64;
/** First stamp: 2024-01-01T00:00:00Z, then every 250 ms. */
export const SAMPLE_T0 = 1_704_067_200_000_000_000n;
export const SAMPLE_PERIOD_NS = 250_000_000n;

/** State [x, y, z, roll, pitch, yaw, gripper] of frame k: a slow sweep. */
export function sampleState(k: number): number[] {
  return [
    0.45 + 0.005 * k,
    -0.05 + 0.004 * k,
    0.35 - 0.003 * k,
    Math.PI - 0.01 * k,
    0.02 * Math.sin(k / 3),
    -0.3 + 0.015 * k,
    k < 12 ? 0 : Math.min(1, (k - 11) / 4),
  ];
}

/** The rgb8 pixels of frame k: a gradient with a square that moves one pixel per frame. */
export function sampleFrame(k: number): Uint8Array {
  const data = new Uint8Array(SAMPLE_SIZE * SAMPLE_SIZE * 3);
  for (let y = 0; y < SAMPLE_SIZE; y++) {
    for (let x = 0; x < SAMPLE_SIZE; x++) {
      const o = (y * SAMPLE_SIZE + x) * 3;
      const inSquare = x >= 10 + k && x < 26 + k && y >= 24 && y < 40;
      data[o] = inSquare ? 220 : x * 3;
      data[o + 1] = inSquare ? 40 : y * 3;
      data[o + 2] = inSquare ? 40 : 128;
    }
  }
  return data;
}

export const sampleStamp = (k: number): bigint => SAMPLE_T0 + BigInt(k) * SAMPLE_PERIOD_NS;

/** Writes the sample bag into `dir` (which must not exist or be empty). */
export async function writeSampleBag(dir: string): Promise<void> {
  const writer = await BagWriter.create(dir, { fileName: "sample_0.mcap" });
  await writer.addTopic(DEFAULT_TOPICS.image, MessageTypes.image);
  await writer.addTopic(DEFAULT_TOPICS.eePose, MessageTypes.poseStamped);
  await writer.addTopic(DEFAULT_TOPICS.gripper, MessageTypes.jointState);
  await writer.addTopic(DEFAULT_TOPICS.action, MessageTypes.endEffectorDelta);
  const q = new Float64Array(4);
  for (let k = 0; k < SAMPLE_FRAMES; k++) {
    const t = sampleStamp(k);
    const stamp = timeFromNanoseconds(t);
    const s = sampleState(k);
    const image: Image = {
      header: { stamp, frame_id: "camera" },
      height: SAMPLE_SIZE,
      width: SAMPLE_SIZE,
      encoding: "rgb8",
      is_bigendian: 0,
      step: SAMPLE_SIZE * 3,
      data: sampleFrame(k),
    };
    await writer.write(DEFAULT_TOPICS.image, image, t);
    eulerXyzToQuaternion(s[3], s[4], s[5], q);
    const pose: PoseStamped = {
      header: { stamp, frame_id: "panda_link0" },
      pose: { position: { x: s[0], y: s[1], z: s[2] }, orientation: { x: q[0], y: q[1], z: q[2], w: q[3] } },
    };
    await writer.write(DEFAULT_TOPICS.eePose, pose, t);
    const gripper: JointState = { header: { stamp, frame_id: "" }, name: ["gripper"], position: [s[6]], velocity: [], effort: [] };
    await writer.write(DEFAULT_TOPICS.gripper, gripper, t);
    if (k + 1 < SAMPLE_FRAMES) {
      const d = posesToDiff(s, sampleState(k + 1));
      const delta = endEffectorDelta({ stamp, frame_id: "panda_link0" }, d);
      await writer.write(DEFAULT_TOPICS.action, delta, t);
    }
  }
  await writer.close();
}

if (require.main === module) {
  const dir = process.argv[2] ?? SAMPLE_BAG_DIR;
  writeSampleBag(dir).then(
    () => process.stdout.write(`wrote ${dir}\n`),
    (e: Error) => {
      process.stderr.write(`${e.message}\n`);
      process.exitCode = 1;
    },
  );
}
