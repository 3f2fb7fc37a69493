/**
 * A kinematic stand-in for the robot and its controllers, over the same topics as the real ones: it
 * follows the actuator's PoseStamped target (first-order lag with a time constant, 0 = exact), serves the
 * gripper actions, and publishes the pose and gripper state at a fixed rate. Used by the in-process demo,
 * bag replay and the node tests; `onState` lets a renderer draw each new state.
 */
import { quaternionToEulerXyz, eulerXyzToQuaternion } from "../pose/poseMath";
import type { PoseStampedMsg } from "./actuator";
import type { JointStateMsg } from "./PlannerNode";
import { NODE_ACTIONS, NODE_TOPICS } from "./topics";
import { type Transport } from "./transport/Transport";
import { timeFromSeconds } from "../ros/messages";
import type { InProcessTransport } from "./transport/InProcessTransport";
import { describeValue, isRecord, readPose } from "./inputChecks";

export interface SimulatedRobotOptions {
  /** Initial flange state [x, y, z, roll, pitch, yaw, gripper]. */
  initial: readonly number[];
  /** State publication period (s). */
  period: number;
  /** Pose tracking time constant (s); 0 follows the target exactly. */
  timeConstant: number;
  /** Frame of the published pose. */
  frameId: string;
  /** Full opening of the gripper (m), for the width ↔ closedness of gripper goals. */
  maxWidth: number;
}

export class SimulatedRobotNode {
  /** Current state [x, y, z, roll, pitch, yaw, gripper]. */
  state: number[];
  private target: number[] | null = null;
  private stopTimer: (() => void) | null = null;
  private readonly cleanups: Array<() => void> = [];
  onState: ((state: readonly number[], now: number) => void) | null = null;

  constructor(
    private readonly t: Transport & Pick<InProcessTransport, "actionServer">,
    private readonly options: SimulatedRobotOptions,
  ) {
    this.state = [...options.initial];
  }

  start(): void {
    const publishPose = this.t.publisher<PoseStampedMsg>("geometry_msgs/msg/PoseStamped", NODE_TOPICS.eePose, "sensor_data");
    const publishGripper = this.t.publisher<JointStateMsg>("sensor_msgs/msg/JointState", NODE_TOPICS.gripper, "sensor_data");
    this.cleanups.push(
      this.t.subscribe<PoseStampedMsg>("geometry_msgs/msg/PoseStamped", NODE_TOPICS.targetPose, "reliable", (m) => {
        // A NaN target would make the simulated state NaN for good.
        let pose;
        try {
          pose = readPose(m);
        } catch (e) {
          this.t.log.warn({ reason: (e as Error).message }, "ignoring target pose");
          return;
        }
        this.target = [...pose.position, ...Array.from(quaternionToEulerXyz(pose.orientation))];
      }),
    );
    const width = (w: number) => Math.min(1, Math.max(0, 1 - w / this.options.maxWidth));
    const move = (g: { width: number }): { success: boolean; error: string } => {
      const w: unknown = isRecord(g) ? g.width : undefined;
      if (typeof w !== "number" || !Number.isFinite(w)) return { success: false, error: `width is ${describeValue(w)}, not a finite number` };
      this.state[6] = width(w);
      return { success: true, error: "" };
    };
    this.t.actionServer<{ width: number }, { success: boolean; error: string }>("franka_msgs/action/Move", NODE_ACTIONS.gripperMove, move);
    this.t.actionServer<{ width: number }, { success: boolean; error: string }>("franka_msgs/action/Grasp", NODE_ACTIONS.gripperGrasp, move);
    this.stopTimer = this.t.clock.every(this.options.period, () => {
      const now = this.t.clock.now();
      this.follow();
      const [x, y, z, r, p, yw, g] = this.state;
      const q = eulerXyzToQuaternion(r, p, yw);
      const header = { stamp: timeFromSeconds(now), frame_id: this.options.frameId };
      publishPose({ header, pose: { position: { x, y, z }, orientation: { x: q[0], y: q[1], z: q[2], w: q[3] } } });
      publishGripper({ header: { stamp: timeFromSeconds(now), frame_id: "" }, name: ["gripper"], position: [g], velocity: [], effort: [] });
      this.onState?.(this.state, now);
    });
  }

  /** Moves towards the target by one period of a first-order lag (angles wrapped the short way). */
  private follow(): void {
    if (this.target === null) return;
    const tc = this.options.timeConstant;
    const a = tc <= 0 ? 1 : 1 - Math.exp(-this.options.period / tc);
    for (let i = 0; i < 6; i++) {
      let d = this.target[i] - this.state[i];
      if (i >= 3) d = Math.atan2(Math.sin(d), Math.cos(d));
      this.state[i] += a * d;
    }
  }

  async stop(): Promise<void> {
    this.stopTimer?.();
    for (const c of this.cleanups.splice(0)) c();
  }
}
