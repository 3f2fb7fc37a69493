/**
 * Writes simulator episodes as rosbag2 MCAP bags in the recording convention (src/bag/topics.ts), the
 * same topics and types as a converted DROID episode, so `replay`, `bag-info` and `ros2 bag play` take
 * them like a real recording (the node: side of `src/sim`, beside `simDataset`). Per step k, all
 * stamped at start + t_k (header stamp = log time):
 *
 *   /camera/image_raw  sensor_msgs/Image rgb8 (size × views·size: the views side by side), frame_id `sim_camera`
 *   /robot/ee_pose     geometry_msgs/PoseStamped: flange position (m) in `panda_link0`, quaternion of
 *                      the extrinsic 'xyz' Euler angles
 *   /robot/gripper     sensor_msgs/JointState name ["gripper"], position [closedness 0..1]
 *   /robot/action      vjepa2_mpc_interfaces/EndEffectorDelta posesToDiff(state k, state k+1), except at
 *                      the last step
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { BagWriter } from "../bag/BagWriter";
import { rgbImageMessage } from "../bag/imageMessages";
import { GRIPPER_JOINT_NAME, recordingTopics, type RecordingTopics } from "../bag/topics";
import { eulerXyzToQuaternion } from "../pose/poseMath";
import { endEffectorDelta, MessageTypes, secondsToNanoseconds, timeFromNanoseconds, type JointState, type PoseStamped } from "../ros/messages";
import { checkSimDatasetOptions, recordDatasetEpisode, simDatasetSettings, type SimDatasetOptions } from "./simDataset";
import type { SimEpisode } from "./simEpisode";
import { TabletopSim } from "./TabletopSim";

/** Default start of an episode's clock: 2024-01-01T00:00:00Z (ns since the epoch), so bags are reproducible. */
export const SIM_BAG_START_NS = 1_704_067_200_000_000_000n;

/** Base frame of the poses and actions (franka_ros2's). */
export const SIM_BASE_FRAME = "panda_link0";

/** frame_id of the camera images. */
export const SIM_CAMERA_FRAME = "sim_camera";

/** Options of {@link writeSimEpisodeBag}. */
export interface SimEpisodeBagOptions {
  /** Time of step 0 (ns since the epoch); default {@link SIM_BAG_START_NS}. Step k is at start + t_k. */
  startTime?: bigint;
  /** Topic names (default the recording convention). */
  topics?: Partial<RecordingTopics>;
}

/** What was written. */
export interface SimEpisodeBagResult {
  /** The bag directory. */
  bag: string;
  /** Camera frames (= poses = gripper states). */
  frames: number;
  /** /robot/action messages (frames − 1). */
  actions: number;
  /** Time from the first to the last frame (s). */
  durationS: number;
}

/**
 * Writes `episode` as a bag at `dir` (which must not exist, or be empty). Images are written as recorded
 * (not copied). Throws for an episode without steps or with non-rgb8 images; the bag is closed (and
 * valid up to the failure) either way.
 */
export async function writeSimEpisodeBag(episode: SimEpisode, dir: string, options: SimEpisodeBagOptions = {}): Promise<SimEpisodeBagResult> {
  const { startTime = SIM_BAG_START_NS } = options;
  if (episode.steps.length === 0) throw new Error(`episode (seed ${episode.seed}) has no steps`);
  const topics = recordingTopics(options.topics);
  const writer = await BagWriter.create(dir);
  await writer.addTopic(topics.image, MessageTypes.image);
  await writer.addTopic(topics.eePose, MessageTypes.poseStamped);
  await writer.addTopic(topics.gripper, MessageTypes.jointState);
  await writer.addTopic(topics.action, MessageTypes.endEffectorDelta);
  let actions = 0;
  try {
    const q = new Float64Array(4);
    for (const step of episode.steps) {
      const t = startTime + secondsToNanoseconds(step.t);
      const stamp = timeFromNanoseconds(t);
      const img = step.image;
      if (img.encoding !== "rgb8") throw new Error(`episode step ${step.index}: image encoding ${img.encoding}, expected rgb8`);
      await writer.write(topics.image, rgbImageMessage({ stamp, frame_id: SIM_CAMERA_FRAME }, img.width, img.height, img.data), t);
      const [x, y, z, roll, pitch, yaw, gripper] = step.state;
      eulerXyzToQuaternion(roll, pitch, yaw, q);
      const pose: PoseStamped = {
        header: { stamp, frame_id: SIM_BASE_FRAME },
        pose: { position: { x, y, z }, orientation: { x: q[0], y: q[1], z: q[2], w: q[3] } },
      };
      await writer.write(topics.eePose, pose, t);
      const joint: JointState = { header: { stamp, frame_id: "" }, name: [GRIPPER_JOINT_NAME], position: [gripper], velocity: [], effort: [] };
      await writer.write(topics.gripper, joint, t);
      if (step.action !== null) {
        const d = step.action;
        const delta = endEffectorDelta({ stamp, frame_id: SIM_BASE_FRAME }, d);
        await writer.write(topics.action, delta, t);
        actions++;
      }
    }
  } finally {
    await writer.close();
  }
  const steps = episode.steps;
  return { bag: dir, frames: steps.length, actions, durationS: steps[steps.length - 1].t - steps[0].t };
}

/** Directory of episode `index` among `episodes` under `dir`: `dir/episode_0000` (wider for ≥ 10000 episodes). */
export function episodeBagDir(dir: string, index: number, episodes: number): string {
  return path.join(dir, `episode_${String(index).padStart(Math.max(4, String(episodes - 1).length), "0")}`);
}

/** Options of {@link writeSimEpisodeBags}: a dataset's options, `out` being the directory of the bags. */
export type SimEpisodeBagsOptions = SimDatasetOptions & SimEpisodeBagOptions;

/**
 * Writes the episodes of the dataset that {@link writeSimDataset} writes with the same options, one bag
 * per episode (`out/episode_0000`, …), one episode in memory at a time. Throws before writing anything
 * for impossible options or when one of the bag directories already holds files.
 */
export async function writeSimEpisodeBags(options: SimEpisodeBagsOptions): Promise<SimEpisodeBagResult[]> {
  const { out, episodes, steps, onProgress } = options;
  const { size, supersample, views, seed, policy, maxnorm, config } = simDatasetSettings(options);
  checkSimDatasetOptions(options, false);
  const dirs = Array.from({ length: episodes }, (_, e) => episodeBagDir(out, e, episodes));
  const taken = dirs.filter((d) => fs.existsSync(d) && fs.readdirSync(d).length > 0);
  if (taken.length > 0)
    throw new Error(
      `${taken.length} bag director${taken.length === 1 ? "y" : "ies"} under ${out} already hold files (first: ${taken[0]}); choose an empty --bags directory`,
    );
  const sim = new TabletopSim({ size, supersample, config, views });
  const results: SimEpisodeBagResult[] = [];
  for (let e = 0; e < episodes; e++) {
    const episode = recordDatasetEpisode(sim, { seed, policy, steps, maxnorm }, e);
    results.push(await writeSimEpisodeBag(episode, dirs[e], options));
    onProgress?.(e + 1, episodes);
  }
  return results;
}
