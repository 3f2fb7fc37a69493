/**
 * The recording convention (DESIGN §5): the topics `convert-droid` and the simulator write and replay
 * reads by default. Every name can be overridden; the types are what each topic carries.
 */
import { NODE_TOPICS } from "../nodes/topics";

/** Topic names of one recording. */
export interface RecordingTopics {
  /** sensor_msgs/Image, rgb8. */
  image: string;
  /** sensor_msgs/CompressedImage (jpeg or png). */
  compressedImage: string;
  /** geometry_msgs/PoseStamped: flange pose in the base frame (m, unit quaternion). */
  eePose: string;
  /** sensor_msgs/JointState: name ["gripper"], position [closedness 0..1]. */
  gripper: string;
  /** Recorded actions: vjepa2_mpc_interfaces/EndEffectorDelta or std_msgs/Float64MultiArray of 7. */
  action: string;
}

/**
 * The convention's names: the nodes' default names (src/nodes/topics.ts) resolved in the root namespace,
 * so a recording replays onto the topics the nodes listen on; the recorded action is the bag's own.
 */
export const DEFAULT_TOPICS: Readonly<RecordingTopics> = {
  image: `/${NODE_TOPICS.image}`,
  compressedImage: `/${NODE_TOPICS.compressedImage}`,
  eePose: `/${NODE_TOPICS.eePose}`,
  gripper: `/${NODE_TOPICS.gripper}`,
  action: "/robot/action",
};

/** The joint name of the gripper closedness in /robot/gripper. */
export const GRIPPER_JOINT_NAME = "gripper";

/** The conventional topics with some names replaced. */
export function recordingTopics(overrides: Partial<RecordingTopics> = {}): RecordingTopics {
  return { ...DEFAULT_TOPICS, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
}
