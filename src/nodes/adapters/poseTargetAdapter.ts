/**
 * actuator.adapter `pose_target`: streams interpolated geometry_msgs/PoseStamped targets on
 * actuator/target_pose (CRISP target_pose, cartesian_controllers target_frame, MoveIt Servo
 * pose_target_cmds). The target is the TCP when the robot's state is (actuator.state_is_tcp), otherwise
 * the flange. A hold sends nothing: a pose-tracking controller holds the last target it got.
 */
import { poseStamped, type PoseStampedMsg } from "../actuator/messages";
import { flangeToTcp } from "../actuator/tcpFlange";
import { NODE_TOPICS } from "../topics";
import type { AdapterContext, CommandAdapter, CommandStep } from "./CommandAdapter";

export class PoseTargetAdapter implements CommandAdapter {
  private readonly publish: (m: PoseStampedMsg) => void;

  constructor(private readonly context: AdapterContext) {
    this.publish = context.transport.publisher<PoseStampedMsg>("geometry_msgs/msg/PoseStamped", NODE_TOPICS.targetPose, "reliable");
  }

  send(step: CommandStep, now: number): void {
    const s = this.context.settings();
    const target = s.stateIsTcp ? flangeToTcp(step.target, s.tcpOffset) : step.target;
    this.publish(poseStamped(target, s.frameId, now));
    this.context.sent.poses++;
  }

  hold(): void {
    // The controller holds the last target it got.
  }

  stop(): void {
    // Likewise: the last target stays where the arm is held.
  }
}
