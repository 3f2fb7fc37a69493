import { InProcessBus, InProcessTransport } from "../../src/nodes/transport/InProcessTransport";
import { SimClock } from "../../src/nodes/transport/clocks";
import { timeFromSeconds } from "../../src/ros/messages";
import type { ImageMsg } from "../../src/nodes/CameraNode";
import type { PlannerNodeOptions } from "../../src/nodes/PlannerNode";
import { quaternionToEulerXyz } from "../../src/pose/poseMath";
import type { FloatTensor } from "../../src/tensor/tensor";

/**
 * PlannerNode options for node tests: the default topic names, an 8 px identity preprocessing, the pose
 * read as it is (orientation pointing down) and the gripper from a `gripper` joint; `over` changes any.
 */
export function plannerTestOptions(mode: "blocking" | "streaming", over: Partial<PlannerNodeOptions> = {}): PlannerNodeOptions {
  return {
    stateTopic: "/robot/ee_pose",
    gripperTopic: "/robot/gripper",
    actionTopic: "/planner/action",
    statusTopic: "/planner/status",
    actuatorStatusTopic: "/actuator/status",
    setGoalService: "/planner/set_goal",
    clearGoalsService: "/planner/clear_goals",
    pauseService: "/planner/pause",
    mode,
    settleTimeout: 2,
    maxFrameAge: 0.5,
    maxStateAge: 0.5,
    baseFrame: "panda_link0",
    goalLimits: { maxGoals: 4, maxPixels: 64 * 64, goalRoot: "" },
    defaultStepBudget: 3,
    defaultEnergyThreshold: null,
    preprocess: { size: 8, resize: "center_crop", mean: [0, 0, 0], std: [1, 1, 1] },
    poseToState: (p) => [
      p.position.x,
      p.position.y,
      p.position.z,
      ...Array.from(quaternionToEulerXyz([p.orientation.x, p.orientation.y, p.orientation.z, p.orientation.w])),
    ],
    gripperClosedness: (js) => {
      const i = js.name.indexOf("gripper");
      return i < 0 ? null : Number(js.position[i]);
    },
    ...over,
  };
}

/** An in-process bus with a simulated clock and one transport per node name. */
export function simWorld(start = 100) {
  const bus = new InProcessBus();
  const clock = new SimClock(start);
  const node = (name: string) => new InProcessTransport(bus, name, clock);
  return { bus, clock, node };
}

/** A solid-colour rgb8 sensor_msgs/Image. */
export function solidImage(stamp: number, rgb: [number, number, number], size = 8): ImageMsg {
  const data = new Uint8Array(size * size * 3);
  for (let i = 0; i < size * size; i++) data.set(rgb, i * 3);
  return { header: { stamp: timeFromSeconds(stamp), frame_id: "camera" }, height: size, width: size, encoding: "rgb8", is_bigendian: 0, step: size * 3, data };
}

/**
 * A stand-in encoder for node tests (the real one is tested for parity elsewhere): each frame becomes
 * [1, 2, 3] tokens holding its per-channel means × 0.01, then zeros — what AnalyticWorldModel reads as
 * (x, y, z, gripper). Counts calls and can be slowed down.
 */
export function meanEncoder(delayMs = 0) {
  const calls: number[] = [];
  const encode = async (frames: FloatTensor): Promise<FloatTensor> => {
    const [b, c, h, w] = frames.dims;
    calls.push(b);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    const out = new Float32Array(b * 6);
    for (let i = 0; i < b; i++) {
      for (let ch = 0; ch < c; ch++) {
        let s = 0;
        for (let j = 0; j < h * w; j++) s += frames.data[(i * c + ch) * h * w + j];
        out[i * 6 + ch] = (s / (h * w)) * 0.01;
      }
    }
    return { data: out, dims: [b, 2, 3] };
  };
  return { encode, calls };
}

/** Lets queued microtasks and pending promise chains run. */
export async function flush(times = 5): Promise<void> {
  for (let i = 0; i < times; i++) await new Promise((r) => setImmediate(r));
}
