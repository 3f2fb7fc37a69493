/**
 * The recording convention (DESIGN §5): the topics `convert-droid` and the simulator write and replay
 * reads by default. Every name can be overridden; the types are what each topic carries.
 */
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

export const DEFAULT_TOPICS: Readonly<RecordingTopics> = {
  image: "/camera/image_raw",
  compressedImage: "/camera/image_raw/compressed",
  eePose: "/robot/ee_pose",
  gripper: "/robot/gripper",
  action: "/robot/action",
};

/** The joint name of the gripper closedness in /robot/gripper. */
export const GRIPPER_JOINT_NAME = "gripper";

/** The conventional topics with some names replaced. */
export function recordingTopics(overrides: Partial<RecordingTopics> = {}): RecordingTopics {
  return { ...DEFAULT_TOPICS, ...Object.fromEntries(Object.entries(overrides).filter(([, v]) => v !== undefined)) };
}
