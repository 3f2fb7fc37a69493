/** One realistic message of every type the project reads and writes, for round-trip tests. */
import { MessageTypes } from "../../src/ros/messages";

const header = (sec: number, frame = "panda_link0") => ({ stamp: { sec, nanosec: 123_456_789 }, frame_id: frame });

function rgbImage(width: number, height: number): Uint8Array {
  const data = new Uint8Array(width * height * 3);
  for (let i = 0; i < data.length; i++) data[i] = (i * 37 + (i >> 7)) & 0xff;
  return data;
}

/** Type name → message (plain objects in the codec's decoded form). */
export const SAMPLE_MESSAGES: Record<string, Record<string, unknown>> = {
  [MessageTypes.time]: { sec: 1_700_000_000, nanosec: 999_999_999 },
  [MessageTypes.header]: header(1_700_000_001, "camera_optical_frame"),
  [MessageTypes.image]: { header: header(1_700_000_002, "camera"), height: 6, width: 8, encoding: "rgb8", is_bigendian: 0, step: 24, data: rgbImage(8, 6) },
  [MessageTypes.compressedImage]: {
    header: header(1_700_000_003, "camera"),
    format: "jpeg",
    data: new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 0xff, 0xd9]),
  },
  [MessageTypes.jointState]: {
    header: header(1_700_000_004),
    name: ["gripper"],
    position: new Float64Array([0.42]),
    velocity: new Float64Array([]),
    effort: new Float64Array([]),
  },
  [MessageTypes.poseStamped]: {
    header: header(1_700_000_005),
    pose: { position: { x: 0.45, y: -0.12, z: 0.31 }, orientation: { x: 0.9238795, y: -0.3826834, z: 0.0, w: 0.0000001 } },
  },
  [MessageTypes.twistStamped]: { header: header(1_700_000_006), twist: { linear: { x: 0.01, y: -0.02, z: 0.03 }, angular: { x: 0, y: 0.1, z: -0.2 } } },
  [MessageTypes.float64MultiArray]: {
    layout: { dim: [{ label: "action", size: 7, stride: 7 }], data_offset: 0 },
    data: new Float64Array([0.01, -0.02, 0.003, 0, 0, 0.05, 1]),
  },
  [MessageTypes.endEffectorDelta]: { header: header(1_700_000_007), dx: 0.05, dy: -0.05, dz: 0.0125, droll: 0, dpitch: 0, dyaw: -0.1, dgripper: 0.75 },
  [MessageTypes.planStatus]: {
    header: header(1_700_000_008, "camera"),
    code: 3,
    message: "frame older than 0.5 s",
    planning_step: 12,
    goal_index: 1,
    goal_count: 3,
    step_at_goal: 4,
    step_budget: 10,
    current_energy: 0.4567,
    planned_energy: Number.NaN,
    energy_per_iteration: new Float64Array([0.61, 0.55, 0.52, 0.5]),
    model_ms: 812.5,
    optimiser_ms: 1.25,
    latency_ms: 830.75,
    model_calls: 40,
    action: new Float64Array([0.05, 0, -0.01, 0, 0, 0, 1]),
  },
  [MessageTypes.actuatorStatus]: {
    header: header(1_700_000_009),
    code: 2,
    message: "holding: stale state",
    estopped: false,
    state_fresh: false,
    plan_fresh: true,
    limits_applied: ["workspace_box", "max_translation_per_step"],
    requested: { header: header(1_700_000_009), dx: 0.1, dy: 0, dz: 0, droll: 0, dpitch: 0, dyaw: 0, dgripper: 0 },
    commanded: { header: header(1_700_000_009), dx: 0.05, dy: 0, dz: 0, droll: 0, dpitch: 0, dyaw: 0, dgripper: 0 },
    target: { header: header(1_700_000_009), pose: { position: { x: 0.5, y: 0, z: 0.3 }, orientation: { x: 1, y: 0, z: 0, w: 0 } } },
    gripper_target: 0.25,
    has_target: true,
  },
};
