/**
 * actuator.adapter `twist`: streams geometry_msgs/TwistStamped on actuator/delta_twist_cmds (MoveIt Servo
 * delta_twist_cmds), the twist that moves the measured flange towards the streamed target
 * (twistCommand.ts `twistToward`). Servo halts on commands older than 0.1 s, so every tick sends one with
 * a fresh stamp, a zero twist while held; stopping sends one zero twist rather than leave Servo moving on
 * the last one until its own timeout.
 */
import { twistStamped, type TwistStampedMsg } from "../actuator/messages";
import { twistToward, zeroTwist, type Twist } from "../actuator/twistCommand";
import { NODE_TOPICS } from "../topics";
import type { AdapterContext, CommandAdapter, CommandStep } from "./CommandAdapter";

export class TwistAdapter implements CommandAdapter {
  private readonly publish: (m: TwistStampedMsg) => void;

  constructor(private readonly context: AdapterContext) {
    this.publish = context.transport.publisher<TwistStampedMsg>("geometry_msgs/msg/TwistStamped", NODE_TOPICS.twist, "reliable");
  }

  send(step: CommandStep, now: number): void {
    // Track the streamed target; twistToward returns zero inside its tolerance.
    this.sendTwist(twistToward(step.measured, step.target, this.context.settings().twist), now);
  }

  hold(now: number): void {
    this.sendTwist(zeroTwist(), now);
  }

  stop(now: number): void {
    if (this.context.sent.twists > 0) this.sendTwist(zeroTwist(), now);
  }

  private sendTwist(twist: Twist, now: number): void {
    // Fresh stamp on every message: MoveIt Servo halts on commands older than 0.1 s.
    this.publish(twistStamped(twist, this.context.settings().frameId, now));
    this.context.sent.twists++;
  }
}
