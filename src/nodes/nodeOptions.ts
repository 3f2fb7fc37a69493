/**
 * Node options from the resolved configuration: the one place that maps parameters to the camera,
 * planner and actuator nodes, shared by the ROS launcher and the in-process pipeline.
 */
import type { Config } from "../config/parameters";
import { eulerFromQuat, readPoseStamped, tcpToFlange, closednessFromJointState, actuatorSettingsFrom, tcpOffsetFrom } from "./actuator";
import type { ActuatorNodeOptions } from "./ActuatorNode";
import type { CameraNodeOptions } from "./CameraNode";
import type { PlannerNodeOptions } from "./PlannerNode";
import { NODE_SERVICES, NODE_TOPICS } from "./topics";
import type { PreprocessOptions } from "../worldmodel/preprocess";

export function cameraNodeOptions(c: Config, preprocess: PreprocessOptions): CameraNodeOptions {
  const compressed = c.nodes.camera_compressed;
  return { topic: compressed ? NODE_TOPICS.compressedImage : NODE_TOPICS.image, compressed, maxFrameAge: c.nodes.camera_max_frame_age, preprocess };
}

export function plannerNodeOptions(c: Config, preprocess: PreprocessOptions): PlannerNodeOptions {
  const offset = tcpOffsetFrom(c.actuator.tcp_offset_xyz, c.actuator.tcp_offset_rpy);
  return {
    stateTopic: NODE_TOPICS.eePose,
    gripperTopic: c.actuator.gripper_adapter === "none" ? null : NODE_TOPICS.gripper,
    actionTopic: NODE_TOPICS.plannedAction,
    statusTopic: NODE_TOPICS.planStatus,
    actuatorStatusTopic: NODE_TOPICS.actuatorStatus,
    setGoalService: NODE_SERVICES.setGoal,
    clearGoalsService: NODE_SERVICES.clearGoals,
    pauseService: NODE_SERVICES.pause,
    mode: c.planner.mode as PlannerNodeOptions["mode"],
    settleTimeout: c.planner.settle_timeout,
    maxFrameAge: c.planner.max_frame_age,
    maxStateAge: c.nodes.max_state_age,
    baseFrame: c.actuator.frame_id,
    goalLimits: { maxGoals: c.nodes.max_goals, maxPixels: c.nodes.max_goal_pixels, goalRoot: c.nodes.goal_root },
    defaultStepBudget: c.planner.default_step_budget,
    defaultEnergyThreshold: c.planner.energy_threshold,
    preprocess,
    // The model's state is the flange; a Franka publishes the TCP (actuator.state_is_tcp).
    poseToState: (pose) => {
      const p = readPoseStamped({ header: { stamp: { sec: 0, nanosec: 0 }, frame_id: "" }, pose }).pose;
      const flange = c.actuator.state_is_tcp ? tcpToFlange(p, offset) : p;
      return [...flange.position, ...eulerFromQuat(flange.orientation)];
    },
    gripperClosedness: (js) => closednessFromJointState(js.name, Array.from(js.position), c.actuator.gripper_max_width),
  };
}

export function actuatorNodeOptions(c: Config): ActuatorNodeOptions {
  return { settings: actuatorSettingsFrom(c.actuator), settleTimeout: c.planner.settle_timeout, statusEveryTicks: c.nodes.status_every_ticks };
}
