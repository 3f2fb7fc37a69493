/**
 * Default topic, service and action names of the nodes: the one table of them (launch/tests checks the
 * launch files' remapping tables against it). Relative names, as ROS drivers use: they resolve in the
 * node's namespace, so `namespace:=arm1` moves everything under /arm1 and two arms run side by side.
 * Without a namespace they are the recording convention's names (/camera/image_raw, /robot/ee_pose, ...).
 */
export const NODE_TOPICS = {
  /** sensor_msgs/Image (or CompressedImage on `${image}/compressed`). */
  image: "camera/image_raw",
  compressedImage: "camera/image_raw/compressed",
  /** geometry_msgs/PoseStamped of the robot (TCP or flange, see actuator.state_is_tcp). */
  eePose: "robot/ee_pose",
  /** sensor_msgs/JointState of the gripper. */
  gripper: "robot/gripper",
  /** vjepa2_mpc_interfaces/EndEffectorDelta: the planned action. */
  plannedAction: "planner/action",
  /** vjepa2_mpc_interfaces/PlanStatus. */
  planStatus: "planner/status",
  /** vjepa2_mpc_interfaces/ActuatorStatus. */
  actuatorStatus: "actuator/status",
  /** geometry_msgs/PoseStamped target for pose-tracking controllers (CRISP, cartesian_controllers, Servo). */
  targetPose: "actuator/target_pose",
  /** geometry_msgs/TwistStamped for MoveIt Servo's delta_twist_cmds. */
  twist: "actuator/delta_twist_cmds",
} as const;

export const NODE_SERVICES = {
  /** vjepa2_mpc_interfaces/srv/SetGoal. */
  setGoal: "planner/set_goal",
  /** std_srvs/srv/Trigger. */
  clearGoals: "planner/clear_goals",
  /** std_srvs/srv/SetBool (true: pause). */
  pause: "planner/pause",
  /** std_srvs/srv/Trigger: latch the e-stop. */
  estop: "actuator/estop",
  /** std_srvs/srv/Trigger: release the e-stop latch. */
  reset: "actuator/reset",
} as const;

export const NODE_ACTIONS = {
  /** franka_msgs/action/Move. */
  gripperMove: "actuator/gripper/move",
  /** franka_msgs/action/Grasp. */
  gripperGrasp: "actuator/gripper/grasp",
  /** control_msgs/action/GripperCommand. */
  gripperCommand: "actuator/gripper/gripper_command",
} as const;
