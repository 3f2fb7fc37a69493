/**
 * Every runtime parameter of vjepa2-mpc, declared once. config/default.yaml mirrors this table (a test
 * keeps them in sync), the YAML loader validates against it, and the ROS nodes declare their parameters
 * from it.
 */
import { CEM_DEFAULTS, ICEM_DEFAULTS, OPTIMIZER_NAMES } from "../cem";
import { param, type ParameterTable, type ValuesOf } from "./parameter";

export const PARAMETERS = {
  world_model: {
    model: param({
      type: "string",
      default: "",
      description: "model package directory (model.json + ONNX graphs); empty: the embedded demo model",
      readOnly: true,
    }),
    provider: param({
      type: "string",
      default: "cpu",
      choices: ["cpu", "cuda", "tensorrt", "webgpu"],
      description: "ONNX Runtime execution provider",
      readOnly: true,
    }),
    provider_required: param({
      type: "bool",
      default: false,
      description: "fail at start-up instead of falling back to cpu when the provider is unavailable",
      readOnly: true,
    }),
    device_id: param({ type: "integer", default: 0, range: [0, 64], description: "GPU index for cuda/tensorrt", readOnly: true }),
    threads: param({ type: "integer", default: 0, range: [0, 256], description: "ONNX Runtime intra-op threads (0: one per core)", readOnly: true }),
    max_batch: param({
      type: "integer",
      default: 0,
      range: [0, 1_000_000],
      description: "split model runs larger than this many samples (0: never); bounds GPU memory",
      readOnly: true,
    }),
    resize: param({
      type: "string",
      default: "center_crop",
      choices: ["center_crop", "squash"],
      description: "how camera frames and goal images of another shape become the model's: square, or views:1 for a multi-view model (upstream: center_crop)",
      readOnly: true,
    }),
  },
  planner: {
    optimizer: param({
      type: "string",
      default: "cem",
      choices: OPTIMIZER_NAMES,
      description:
        "cem: the paper's cross-entropy method (upstream semantics); icem: improved CEM (Pinneri et al. 2020: population decay, kept elites, coloured noise, the mean as a candidate, best sequence executed), samples = first population",
    }),
    samples: param({
      type: "integer",
      default: CEM_DEFAULTS.samples,
      range: [2, 100_000],
      description: "action sequences sampled and scored per CEM iteration (paper: 800)",
    }),
    iterations: param({ type: "integer", default: CEM_DEFAULTS.iterations, range: [1, 1000], description: "CEM iterations per planning step (paper: 10)" }),
    topk: param({
      type: "integer",
      default: CEM_DEFAULTS.topk,
      range: [2, 100_000],
      description: "elite sequences the distribution is refitted to (paper: 10)",
    }),
    horizon: param({
      type: "integer",
      default: CEM_DEFAULTS.horizon,
      range: [1, 16],
      description: "actions per planned sequence (paper: 1; must fit the model's context)",
    }),
    maxnorm: param({
      type: "double",
      default: CEM_DEFAULTS.maxnorm,
      range: [0, 0.5],
      units: "m",
      description: "bound of dx, dy, dz per step, and their initial std (paper: 0.075)",
    }),
    momentum_mean: param({ type: "double", default: CEM_DEFAULTS.momentumMean, range: [0, 1], description: "weight of the old xyz mean in the CEM update" }),
    momentum_std: param({ type: "double", default: CEM_DEFAULTS.momentumStd, range: [0, 1], description: "weight of the old xyz std in the CEM update" }),
    momentum_mean_gripper: param({
      type: "double",
      default: CEM_DEFAULTS.momentumMeanGripper,
      range: [0, 1],
      description: "weight of the old gripper mean in the CEM update",
    }),
    momentum_std_gripper: param({
      type: "double",
      default: CEM_DEFAULTS.momentumStdGripper,
      range: [0, 1],
      description: "weight of the old gripper std in the CEM update",
    }),
    gripper_clip: param({
      type: "double",
      default: CEM_DEFAULTS.gripperClip,
      range: [0, 1],
      description: "bound of the gripper delta per step (closedness units)",
    }),
    gripper_round_below: param({
      type: "double",
      default: CEM_DEFAULTS.gripperRoundBelow,
      range: [0, 1],
      description: "planned gripper deltas smaller than this become 0",
    }),
    close_gripper: param({
      type: "integer",
      default: null,
      range: [0, 16],
      nullable: true,
      description: "force the gripper closed (1.0) from this step of the horizon on; null: never",
    }),
    gripper_exclusive: param({
      type: "bool",
      default: false,
      description:
        "a step either moves the arm or fully opens/closes the gripper, never both (a planned gripper delta of at least gripper_round_below becomes ±1 with no motion; a smaller one 0); false: upstream's continuous gripper delta alongside the motion",
    }),
    fix_dx: param({ type: "double", default: null, nullable: true, units: "m", range: [-0.5, 0.5], description: "hold dx at this value (null: planned)" }),
    fix_dy: param({ type: "double", default: null, nullable: true, units: "m", range: [-0.5, 0.5], description: "hold dy at this value (null: planned)" }),
    fix_dz: param({ type: "double", default: null, nullable: true, units: "m", range: [-0.5, 0.5], description: "hold dz at this value (null: planned)" }),
    fix_gripper: param({ type: "double", default: null, nullable: true, range: [-1, 1], description: "hold the gripper delta at this value (null: planned)" }),
    return_to_best: param({
      type: "bool",
      default: false,
      description:
        "when the last goal's budget runs out without reaching its threshold, move back to the pose whose frame had the lowest energy to it before reporting done; false: stop where the budget ran out, as upstream",
    }),
    icem_population_decay: param({
      type: "double",
      default: ICEM_DEFAULTS.populationDecay,
      range: [1, 10],
      description: "icem: the population shrinks by this factor per iteration, down to 2 × topk (paper: 1.25)",
    }),
    icem_keep_elites: param({
      type: "double",
      default: ICEM_DEFAULTS.keepElites,
      range: [0, 1],
      description: "icem: fraction of the elite that competes again in the next iteration, and is shifted into the next step's first one (paper: 0.3)",
    }),
    icem_noise_beta: param({
      type: "double",
      default: ICEM_DEFAULTS.noiseBeta,
      range: [0, 5],
      description: "icem: exponent of the noise's 1/f^β spectrum over the horizon; 0: white (no effect at horizon 1)",
    }),
    icem_execute: param({
      type: "string",
      default: ICEM_DEFAULTS.execute,
      choices: ["best", "mean"],
      description: "icem: the plan executed is the best sequence scored (paper) or the final mean (as cem)",
    }),
    warm_start: param({ type: "bool", default: false, description: "start each plan from the previous plan shifted by one step instead of a cold start" }),
    seed: param({
      type: "integer",
      default: CEM_DEFAULTS.seed,
      range: [0, 2 ** 31 - 1],
      description: "base seed of the sampler; planning step k uses seed + k",
    }),
    mode: param({
      type: "string",
      default: "blocking",
      choices: ["blocking", "streaming"],
      description: "blocking: plan, execute, wait for the motion to settle (paper); streaming: re-plan on every fresh frame",
      readOnly: true,
    }),
    settle_timeout: param({
      type: "double",
      default: 5,
      range: [0, 600],
      units: "s",
      description: "blocking mode: longest wait for a commanded motion to settle before planning again",
    }),
    max_frame_age: param({
      type: "double",
      default: 1,
      range: [0, 60],
      units: "s",
      description: "frames older than this when planning would start are dropped as stale",
    }),
    default_step_budget: param({ type: "integer", default: 10, range: [1, 100_000], description: "planning steps per goal when a goal does not set its own" }),
    energy_threshold: param({
      type: "double",
      default: null,
      nullable: true,
      range: [0, 100],
      description: "advance to the next goal early when the current frame's energy to the goal falls below this; null: use the step budget only",
    }),
  },
  /**
   * Actuator: safety envelope, command adapters and settle detection (src/nodes/actuator). Defaults are
   * conservative for a Franka (Panda / FR3) with the Franka Hand on a tabletop; see each description.
   */
  actuator: {
    adapter: param({
      type: "string",
      default: "pose_target",
      choices: ["pose_target", "twist"],
      description:
        "arm command: pose_target streams interpolated geometry_msgs/PoseStamped targets (CRISP target_pose, cartesian_controllers target_frame, Servo pose_target_cmds); twist streams geometry_msgs/TwistStamped (MoveIt Servo delta_twist_cmds)",
      readOnly: true,
    }),
    gripper_adapter: param({
      type: "string",
      default: "franka",
      choices: ["franka", "gripper_command", "none"],
      description: "gripper command: franka_msgs/action/Move (open) and Grasp (close), control_msgs/action/GripperCommand, or no gripper",
      readOnly: true,
    }),
    frame_id: param({
      type: "string",
      default: "panda_link0",
      description: "robot base frame stamped on commands; states must be in this frame (fr3_link0 on an FR3)",
      readOnly: true,
    }),
    command_rate: param({
      type: "double",
      default: 100,
      range: [1, 1000],
      units: "Hz",
      description: "rate at which interpolated targets / twists are published (the controller's own rate may be higher)",
      readOnly: true,
    }),
    state_timeout: param({
      type: "double",
      default: 0.5,
      range: [0.001, 60],
      units: "s",
      description: "hold position when no robot state has been received for this long",
    }),
    plan_timeout: param({
      type: "double",
      default: 10,
      range: [0.001, 3600],
      units: "s",
      description:
        "stop moving towards a plan received longer ago than this and hold (measured from receipt, not from the planned frame's stamp; see src/nodes/actuator/watchdogs.ts for blocking vs streaming)",
    }),
    max_step_translation: param({
      type: "double",
      default: 0.075,
      range: [0, 0.5],
      units: "m",
      description: "largest flange translation per planned step (Euclidean norm); longer deltas are scaled down keeping their direction",
    }),
    max_step_rotation: param({
      type: "double",
      default: 0.25,
      range: [0, 3.14159],
      units: "rad",
      description: "largest rotation angle of R_delta per planned step; larger rotations are scaled down about the same axis",
    }),
    max_linear_speed: param({
      type: "double",
      default: 0.1,
      range: [0.001, 2],
      units: "m/s",
      description: "fastest flange translation of the streamed targets / commanded twists",
    }),
    max_angular_speed: param({
      type: "double",
      default: 0.5,
      range: [0.001, 3],
      units: "rad/s",
      description: "fastest flange rotation of the streamed targets / commanded twists",
    }),
    max_linear_acceleration: param({
      type: "double",
      default: 0.5,
      range: [0.001, 13],
      units: "m/s^2",
      description: "largest change of streamed translation speed per second (ramps in and out; Franka's Cartesian limit is 13 m/s^2)",
    }),
    max_angular_acceleration: param({
      type: "double",
      default: 2.5,
      range: [0.001, 25],
      units: "rad/s^2",
      description: "largest change of streamed rotation speed per second (Franka's Cartesian limit is 25 rad/s^2)",
    }),
    twist_gain: param({
      type: "double",
      default: 2,
      range: [0.01, 100],
      units: "1/s",
      description: "twist adapter: proportional gain from pose error to velocity, before the speed limits",
    }),
    workspace_point: param({
      type: "string",
      default: "tcp",
      choices: ["tcp", "flange"],
      description: "which point the workspace box bounds: the TCP (fingertips, what touches the table) or the flange (the model's state)",
    }),
    workspace_min: param({
      type: "double_array",
      default: [0.3, -0.4, 0.05],
      length: 3,
      range: [-2, 2],
      units: "m",
      description: "lower corner [x, y, z] of the workspace box in the base frame",
    }),
    workspace_max: param({
      type: "double_array",
      default: [0.8, 0.4, 0.7],
      length: 3,
      range: [-2, 2],
      units: "m",
      description: "upper corner [x, y, z] of the workspace box in the base frame",
    }),
    workspace_margin: param({
      type: "double",
      default: 0.02,
      range: [0, 0.5],
      units: "m",
      description:
        "how far outside the workspace box the measured point may be and still be planned from (the target goes back into the box); farther out the actuator holds: a bogus reading, or an arm pushed out by hand",
    }),
    gripper_min: param({ type: "double", default: 0, range: [0, 1], description: "smallest commanded gripper closedness (0 open)" }),
    gripper_max: param({ type: "double", default: 1, range: [0, 1], description: "largest commanded gripper closedness (1 closed)" }),
    max_step_gripper: param({
      type: "double",
      default: 0.75,
      range: [0, 1],
      description: "largest gripper closedness change per planned step (planner.gripper_clip bounds the plans the same way)",
    }),
    tcp_offset_xyz: param({
      type: "double_array",
      default: [0, 0, 0.1034],
      length: 3,
      range: [-1, 1],
      units: "m",
      description: "TCP position in the flange frame (franka_description Franka Hand: tcp_xyz 0 0 0.1034)",
      readOnly: true,
    }),
    tcp_offset_rpy: param({
      type: "double_array",
      default: [0, 0, -0.7853981633974483],
      length: 3,
      range: [-3.141592653589793, 3.141592653589793],
      units: "rad",
      description: "TCP orientation in the flange frame as extrinsic xyz Euler angles (franka_description Franka Hand: rpy_ee 0 0 -pi/4)",
      readOnly: true,
    }),
    state_is_tcp: param({
      type: "bool",
      default: true,
      description:
        "the robot state pose is the TCP (franka_robot_state_broadcaster current_pose, O_T_EE) and is converted to the flange; false: it is already the flange (/robot/ee_pose recordings)",
      readOnly: true,
    }),
    settle_position_tolerance: param({
      type: "double",
      default: 0.005,
      range: [0, 0.5],
      units: "m",
      description: "settled: measured flange position within this distance of the final target",
    }),
    settle_rotation_tolerance: param({
      type: "double",
      default: 0.03,
      range: [0, 3.14159],
      units: "rad",
      description: "settled: measured flange rotation within this angle of the final target",
    }),
    settle_linear_speed: param({ type: "double", default: 0.01, range: [0, 1], units: "m/s", description: "settled: measured flange speed below this" }),
    settle_angular_speed: param({
      type: "double",
      default: 0.05,
      range: [0, 3],
      units: "rad/s",
      description: "settled: measured flange angular speed below this",
    }),
    settle_time: param({
      type: "double",
      default: 0.2,
      range: [0, 10],
      units: "s",
      description: "settled: the conditions hold continuously for this long (the planner's settle_timeout bounds the wait)",
    }),
    gripper_max_width: param({
      type: "double",
      default: 0.08,
      range: [0.001, 0.5],
      units: "m",
      description: "finger width at closedness 0 (Franka Hand: 0.08 m); closedness 1 is width 0",
      readOnly: true,
    }),
    gripper_speed: param({
      type: "double",
      default: 0.1,
      range: [0.001, 0.2],
      units: "m/s",
      description: "finger width speed for Move and Grasp goals (franka_gripper default_speed: 0.1)",
    }),
    gripper_force: param({
      type: "double",
      default: 20,
      range: [0, 140],
      units: "N",
      description: "grasp force (Grasp goals) and max_effort (GripperCommand goals); Franka Hand: 70 N continuous",
    }),
    grasp_epsilon_inner: param({
      type: "double",
      default: 0.005,
      range: [0, 0.1],
      units: "m",
      description: "Grasp goal: tolerated width below the commanded width",
    }),
    grasp_epsilon_outer: param({
      type: "double",
      default: 0.08,
      range: [0, 0.1],
      units: "m",
      description: "Grasp goal: tolerated width above the commanded width (large: closing on an object of unknown size still counts as grasped)",
    }),
    gripper_deadband: param({
      type: "double",
      default: 0.05,
      range: [0, 1],
      description: "send a new gripper goal only when the target closedness moves by more than this",
    }),
  },
  nodes: {
    camera_compressed: param({
      type: "bool",
      default: false,
      description: "camera node subscribes to sensor_msgs/CompressedImage (jpeg/png) on <topic>/compressed instead of raw images",
      readOnly: true,
    }),
    camera_max_frame_age: param({
      type: "double",
      default: 0.5,
      range: [0, 60],
      units: "s",
      description: "camera frames older than this when encoding would start are dropped",
    }),
    max_state_age: param({
      type: "double",
      default: 0.5,
      range: [0, 60],
      units: "s",
      description: "planner: robot state further than this from the frame's stamp is not used",
    }),
    goal_root: param({
      type: "string",
      default: "",
      description: "SetGoal image_paths must resolve inside this directory (empty: paths refused, inline images only)",
      readOnly: true,
    }),
    max_goals: param({ type: "integer", default: 16, range: [1, 1000], description: "most goal images per SetGoal request" }),
    max_goal_pixels: param({ type: "integer", default: 16_777_216, range: [1, 268_435_456], description: "largest goal image accepted, width × height" }),
    embeddings_endpoint: param({
      type: "string",
      default: "ipc:///tmp/vjepa2-mpc-embeddings",
      description: "ZeroMQ endpoint camera → planner embeddings travel on when they run as separate processes (ipc:// or tcp://)",
      readOnly: true,
    }),
    status_every_ticks: param({
      type: "integer",
      default: 10,
      range: [1, 10_000],
      description: "actuator: publish ActuatorStatus every N command ticks (and on every change)",
    }),
  },
} satisfies ParameterTable;

/** The resolved configuration. */
export type Config = ValuesOf<typeof PARAMETERS>;

/** Relations between parameters that single declarations cannot express; each message says what to change. */
export function crossCheck(c: Config): string[] {
  const p = c.planner;
  const problems: string[] = [];
  if (p.topk > p.samples) problems.push(`planner.topk (${p.topk}) exceeds planner.samples (${p.samples}): lower topk or raise samples`);
  if (p.gripper_exclusive && p.close_gripper !== null) {
    problems.push(`planner.gripper_exclusive cannot be combined with planner.close_gripper (${p.close_gripper}): set one of them`);
  }
  if (p.gripper_exclusive && p.fix_gripper !== null && Math.abs(p.fix_gripper) >= p.gripper_round_below) {
    problems.push(
      `planner.gripper_exclusive with planner.fix_gripper ${p.fix_gripper} (≥ gripper_round_below) would never move the arm: fix the gripper at 0 or drop gripper_exclusive`,
    );
  }
  if (p.close_gripper !== null && p.close_gripper >= p.horizon) {
    problems.push(`planner.close_gripper (${p.close_gripper}) must be below planner.horizon (${p.horizon}): use a step index 0..${p.horizon - 1} or null`);
  }
  if (p.fix_dx !== null && Math.abs(p.fix_dx) > p.maxnorm) problems.push(`planner.fix_dx (${p.fix_dx}) is outside ±planner.maxnorm (${p.maxnorm})`);
  if (p.fix_dy !== null && Math.abs(p.fix_dy) > p.maxnorm) problems.push(`planner.fix_dy (${p.fix_dy}) is outside ±planner.maxnorm (${p.maxnorm})`);
  if (p.fix_dz !== null && Math.abs(p.fix_dz) > p.maxnorm) problems.push(`planner.fix_dz (${p.fix_dz}) is outside ±planner.maxnorm (${p.maxnorm})`);
  problems.push(...actuatorConfigProblems(c.actuator));
  return problems;
}

/** Relations between actuator parameters (part of `crossCheck`), each saying what to change. */
export function actuatorConfigProblems(a: Config["actuator"]): string[] {
  const problems: string[] = [];
  const axes = ["x", "y", "z"];
  for (let i = 0; i < 3; i++) {
    if (a.workspace_min[i] >= a.workspace_max[i])
      problems.push(`actuator.workspace_min[${i}] (${axes[i]} = ${a.workspace_min[i]} m) must be below actuator.workspace_max[${i}] (${a.workspace_max[i]} m)`);
  }
  if (a.gripper_min > a.gripper_max) problems.push(`actuator.gripper_min (${a.gripper_min}) exceeds actuator.gripper_max (${a.gripper_max})`);
  return problems;
}
