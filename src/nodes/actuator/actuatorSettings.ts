/**
 * The `actuator` parameters (src/config/parameters.ts) resolved into the typed settings of each part:
 * envelope limits, streamer and twist limits, settle tolerances, gripper goal settings. Throws (a config
 * error, not a control-path error) when the parameters contradict each other, saying what to change.
 */
import { actuatorConfigProblems, type Config, type PARAMETERS } from "../../config/parameters";
import type { GripperGoalSettings } from "./messages";
import type { EnvelopeLimits } from "./safetyEnvelope";
import type { SettleTolerances } from "./SettleDetector";
import { tcpOffsetFrom, type TcpOffset } from "./tcpFlange";
import type { StreamLimits } from "./targetStreamer";
import type { TwistLimits } from "./twistCommand";

/** The arm command adapters by name: actuator.adapter's choices (src/nodes/adapters/registry.ts has one of each). */
export type CommandAdapterName = (typeof PARAMETERS.actuator.adapter.choices)[number];
/** The gripper adapters by name: actuator.gripper_adapter's choices (src/nodes/adapters/registry.ts has one of each). */
export type GripperAdapterName = (typeof PARAMETERS.actuator.gripper_adapter.choices)[number];

export interface ActuatorSettings {
  adapter: CommandAdapterName;
  gripperAdapter: GripperAdapterName;
  frameId: string;
  /** Command period (s) = 1 / command_rate. */
  commandPeriod: number;
  stateIsTcp: boolean;
  tcpOffset: TcpOffset;
  envelope: EnvelopeLimits;
  stream: StreamLimits;
  twist: TwistLimits;
  settle: SettleTolerances;
  gripper: GripperGoalSettings;
  /** Closedness change that triggers a new gripper goal. */
  gripperDeadband: number;
}

/** Resolves the settings; throws listing every problem of `actuatorConfigProblems` (config/parameters). */
export function actuatorSettingsFrom(a: Config["actuator"]): ActuatorSettings {
  const problems = actuatorConfigProblems(a);
  if (problems.length > 0) throw new Error(`invalid actuator configuration:\n  - ${problems.join("\n  - ")}`);
  const tcpOffset = tcpOffsetFrom(a.tcp_offset_xyz, a.tcp_offset_rpy);
  return {
    adapter: a.adapter as ActuatorSettings["adapter"],
    gripperAdapter: a.gripper_adapter as ActuatorSettings["gripperAdapter"],
    frameId: a.frame_id,
    commandPeriod: 1 / a.command_rate,
    stateIsTcp: a.state_is_tcp,
    tcpOffset,
    envelope: {
      maxStepTranslation: a.max_step_translation,
      maxStepRotation: a.max_step_rotation,
      workspace: { min: [a.workspace_min[0], a.workspace_min[1], a.workspace_min[2]], max: [a.workspace_max[0], a.workspace_max[1], a.workspace_max[2]] },
      workspacePoint: a.workspace_point as EnvelopeLimits["workspacePoint"],
      workspaceMargin: a.workspace_margin,
      tcpOffset,
      maxStepGripper: a.max_step_gripper,
      gripperMin: a.gripper_min,
      gripperMax: a.gripper_max,
      stateTimeout: a.state_timeout,
      planTimeout: a.plan_timeout,
    },
    // The box's point streams on straight lines, so streaming between targets inside the box stays inside.
    stream: {
      maxLinearSpeed: a.max_linear_speed,
      maxAngularSpeed: a.max_angular_speed,
      maxLinearAcceleration: a.max_linear_acceleration,
      maxAngularAcceleration: a.max_angular_acceleration,
      linePoint: a.workspace_point === "tcp" ? tcpOffset.position : [0, 0, 0],
    },
    // The twist deadband is a tenth of the settle tolerance: fine enough to settle, coarse enough not to jitter.
    twist: {
      gain: a.twist_gain,
      maxLinearSpeed: a.max_linear_speed,
      maxAngularSpeed: a.max_angular_speed,
      positionTolerance: a.settle_position_tolerance / 10,
      rotationTolerance: a.settle_rotation_tolerance / 10,
    },
    settle: {
      positionTolerance: a.settle_position_tolerance,
      rotationTolerance: a.settle_rotation_tolerance,
      linearSpeed: a.settle_linear_speed,
      angularSpeed: a.settle_angular_speed,
      settleTime: a.settle_time,
    },
    gripper: {
      maxWidth: a.gripper_max_width,
      speed: a.gripper_speed,
      force: a.gripper_force,
      epsilonInner: a.grasp_epsilon_inner,
      epsilonOuter: a.grasp_epsilon_outer,
    },
    gripperDeadband: a.gripper_deadband,
  };
}
