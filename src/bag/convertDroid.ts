/**
 * Converts a raw DROID episode into a rosbag2 MCAP bag in the project's recording convention
 * (src/bag/topics.ts): camera frames, flange pose, gripper closedness and actions, subsampled to a
 * target rate the way V-JEPA 2-AC's DROID loader subsamples (every ⌈source fps / fps⌉-th step, video
 * frame i ↔ trajectory row i).
 */
import { eulerXyzToQuaternion, posesToDiff } from "../pose/poseMath";
import { silentLogger, type Logger } from "../log";
import { endEffectorDelta, MessageTypes, timeFromNanoseconds, type Float64MultiArray, type JointState, type PoseStamped } from "../ros/messages";
import { BagWriter } from "./BagWriter";
import { DROID_CONTROL_HZ, readDroidEpisode, selectDroidCamera } from "./droidEpisode";
import { jpegImageMessage, rgbImageMessage } from "./imageMessages";
import { GRIPPER_JOINT_NAME, recordingTopics, type RecordingTopics } from "./topics";
import { probeVideo, readVideoFrames } from "./videoFrames";

/** Topic of the DROID-recorded command (Float64MultiArray: 6 cartesian numbers + gripper position). */
export const DROID_ACTION_TOPIC = "/droid/action";

/** Options of {@link convertDroidEpisode}. */
export interface ConvertDroidOptions {
  /** Camera serial or role (`ext1`, `ext2`, `wrist`); default the first exterior camera. */
  camera?: string;
  /** Output rate (frames/s); default 4 (V-JEPA 2-AC's DROID training rate). */
  fps?: number;
  /** Write sensor_msgs/CompressedImage JPEG instead of rgb8 Image. */
  compressed?: boolean;
  /** JPEG quality 1..100 with `compressed` (default 90). */
  jpegQuality?: number;
  /** Resize frames to this size (px); default the video's size. */
  size?: { width: number; height: number };
  /** Topic names (default the recording convention). */
  topics?: Partial<RecordingTopics>;
  /** frame_id of /robot/ee_pose and the actions (DROID poses are in the robot base frame). */
  baseFrame?: string;
  /** frame_id of the images (default `camera_<serial>`). */
  cameraFrame?: string;
  logger?: Logger;
}

/** What was written. */
export interface ConvertDroidResult {
  bag: string;
  camera: string;
  /** Trajectory steps per output frame. */
  stride: number;
  /** Frames written (= poses = gripper states). */
  frames: number;
  /** /robot/action messages (frames − 1: the delta to the next frame). */
  actions: number;
  /** Control steps used (min of trajectory rows and video frames). */
  steps: number;
  /** Wall time of the conversion (ms). */
  elapsedMs: number;
}

/**
 * Reads `episodeDir` and writes the bag at `outDir` (which must not exist or be empty). Per output frame
 * at step i (stamped with the camera's capture time): the image; /robot/ee_pose (position, quaternion of
 * the extrinsic 'xyz' Euler angles); /robot/gripper; /droid/action (the recorded command at step i); and,
 * except for the last frame, /robot/action: the EndEffectorDelta from this frame's state to the next
 * frame's (`posesToDiff`, the action convention of the world model).
 */
export async function convertDroidEpisode(episodeDir: string, outDir: string, options: ConvertDroidOptions = {}): Promise<ConvertDroidResult> {
  const started = performance.now();
  const { fps = 4, compressed = false, jpegQuality = 90, baseFrame = "base", logger = silentLogger } = options;
  if (!(fps > 0) || !Number.isFinite(fps)) throw new Error(`--fps must be a positive number, got ${fps}`);
  const topics = recordingTopics(options.topics);
  const episode = readDroidEpisode(episodeDir);
  const camera = selectDroidCamera(episode, options.camera);
  const video = probeVideo(camera.video);
  const sourceFps = video.fps > 0 ? video.fps : DROID_CONTROL_HZ;
  const stride = Math.max(1, Math.ceil(sourceFps / fps - 1e-9));
  const videoFrames = video.frameCount ?? episode.length;
  const steps = Math.min(episode.length, videoFrames);
  if (video.frameCount !== null && video.frameCount !== episode.length) {
    logger.warn(
      { video: camera.video, videoFrames: video.frameCount, trajectorySteps: episode.length },
      `video has ${video.frameCount} frames, trajectory ${episode.length} steps: using the first ${steps}`,
    );
  }
  const times = episode.stepTimes(camera.serial);
  const cameraFrame = options.cameraFrame ?? `camera_${camera.serial}`;
  const state = (i: number): number[] => [...episode.cartesianPosition[i], episode.gripperPosition[i]];

  const writer = await BagWriter.create(outDir);
  const imageTopic = compressed ? topics.compressedImage : topics.image;
  await writer.addTopic(imageTopic, compressed ? MessageTypes.compressedImage : MessageTypes.image);
  await writer.addTopic(topics.eePose, MessageTypes.poseStamped);
  await writer.addTopic(topics.gripper, MessageTypes.jointState);
  await writer.addTopic(topics.action, MessageTypes.endEffectorDelta);
  if (episode.action !== null) await writer.addTopic(DROID_ACTION_TOPIC, MessageTypes.float64MultiArray);

  let frames = 0;
  let actions = 0;
  try {
    const q = new Float64Array(4);
    for await (const frame of readVideoFrames(camera.video, video, { stride, maxFrames: steps, size: options.size })) {
      const i = frame.index;
      if (i >= steps) break;
      const t = times[i];
      const stamp = timeFromNanoseconds(t);
      const image = compressed
        ? jpegImageMessage({ stamp, frame_id: cameraFrame }, frame.width, frame.height, frame.data, jpegQuality)
        : rgbImageMessage({ stamp, frame_id: cameraFrame }, frame.width, frame.height, frame.data);
      await writer.write(imageTopic, image, t);
      const [x, y, z, roll, pitch, yaw] = episode.cartesianPosition[i];
      eulerXyzToQuaternion(roll, pitch, yaw, q);
      const pose: PoseStamped = {
        header: { stamp, frame_id: baseFrame },
        pose: { position: { x, y, z }, orientation: { x: q[0], y: q[1], z: q[2], w: q[3] } },
      };
      await writer.write(topics.eePose, pose, t);
      const gripper: JointState = {
        header: { stamp, frame_id: "" },
        name: [GRIPPER_JOINT_NAME],
        position: [episode.gripperPosition[i]],
        velocity: [],
        effort: [],
      };
      await writer.write(topics.gripper, gripper, t);
      if (episode.action !== null) {
        const a = episode.action;
        const recorded: Float64MultiArray = {
          layout: { dim: [{ label: `${a.source}+gripper_position`, size: 7, stride: 7 }], data_offset: 0 },
          data: [...a.cartesian[i], a.gripper[i]],
        };
        await writer.write(DROID_ACTION_TOPIC, recorded, t);
      }
      const next = i + stride;
      if (next < steps) {
        const d = posesToDiff(state(i), state(next));
        const delta = endEffectorDelta({ stamp, frame_id: baseFrame }, d);
        await writer.write(topics.action, delta, t);
        actions++;
      }
      frames++;
    }
  } finally {
    await writer.close();
  }
  const expected = Math.ceil(steps / stride);
  if (frames !== expected) throw new Error(`${camera.video}: decoded ${frames} frames at stride ${stride}, expected ${expected} for ${steps} steps`);
  const elapsedMs = performance.now() - started;
  logger.info({ bag: outDir, camera: camera.serial, frames, stride, elapsedMs: Math.round(elapsedMs) }, "converted DROID episode");
  return { bag: outDir, camera: camera.serial, stride, frames, actions, steps, elapsedMs };
}
