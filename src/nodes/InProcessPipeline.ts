/**
 * The three nodes wired together in one process over an in-process bus (the embedded demo, bag replay and
 * the end-to-end tests). The same node classes run under ROS; only the transport differs. Time is
 * simulated. With `simulation` set, a simulated robot and camera close the loop (`advance(dt)` moves the
 * clock); without it the caller publishes recorded robot states and images itself (`publish`).
 */
import { imageMessage } from "../bag/imageMessages";
import type { Config } from "../config/parameters";
import { silentLogger, type Logger } from "../log";
import { plannerSettingsFromConfig } from "../mpc/plannerSettings";
import { RecedingHorizonPlanner } from "../mpc/RecedingHorizonPlanner";
import type { PreprocessOptions, RawImage } from "../worldmodel/preprocess";
import { TrackedWorldModel } from "../worldmodel/TrackedWorldModel";
import type { WorldModel } from "../worldmodel/WorldModel";
import { ActuatorNode } from "./ActuatorNode";
import { CameraNode, type ImageMsg } from "./CameraNode";
import { InProcessEmbeddingChannel } from "./embeddingChannel";
import type { SetGoalRequest, SetGoalResponse } from "./goalRequest";
import { PlannerNode } from "./PlannerNode";
import { SimulatedRobotNode } from "./SimulatedRobotNode";
import { actuatorNodeOptions, cameraNodeOptions, plannerNodeOptions } from "./nodeOptions";
import { NODE_SERVICES, NODE_TOPICS } from "./topics";
import { SimClock } from "./transport/clocks";
import { InProcessBus, InProcessTransport } from "./transport/InProcessTransport";
import { timeFromSeconds } from "../ros/messages";

/** A simulated robot and camera that close the loop. */
export interface PipelineSimulation {
  /** Renders the camera image for a robot state. */
  render: (state: readonly number[]) => RawImage;
  /** Initial robot state [x, y, z, roll, pitch, yaw, gripper]. */
  initialState: readonly number[];
  /** Camera frame period (s of sim time). */
  cameraPeriod: number;
}

export interface PipelineOptions {
  config: Config;
  model: WorldModel;
  simulation?: PipelineSimulation;
  /** The camera publishes sensor_msgs/CompressedImage (JPEG/PNG) instead of raw images. */
  compressedCamera?: boolean;
  preprocess: PreprocessOptions;
  /** Directory goal image paths are confined to (SetGoal image_paths). */
  goalRoot?: string;
  log?: Logger;
}

export class InProcessPipeline {
  readonly bus = new InProcessBus();
  readonly clock: SimClock;
  readonly robot: SimulatedRobotNode | null;
  readonly camera: CameraNode;
  readonly planner: PlannerNode;
  readonly actuator: ActuatorNode;
  /** The operator's / recorder's handle on the bus (SetGoal calls, recorded messages). */
  readonly operator: InProcessTransport;
  readonly channel = new InProcessEmbeddingChannel();
  private stopCamera: (() => void) | null = null;
  /** The world model as the nodes use it, with call counts. */
  readonly model: TrackedWorldModel;

  constructor(private readonly o: PipelineOptions) {
    const log = o.log ?? silentLogger;
    this.clock = new SimClock(0);
    const node = (name: string) => new InProcessTransport(this.bus, name, this.clock, log.child({ node: name }));
    const c = o.config;
    const channel = this.channel;
    const sim = o.simulation;
    this.model = new TrackedWorldModel(o.model);
    const encode = (frames: Parameters<WorldModel["encode"]>[0]) => this.model.encode(frames);

    // Simulated robots and recordings carry the flange pose (a Franka publishes the TCP).
    const flangeConfig: Config = {
      ...c,
      actuator: { ...c.actuator, state_is_tcp: false },
      nodes: {
        ...c.nodes,
        camera_compressed: o.compressedCamera === true,
        max_state_age: Math.max(c.nodes.max_state_age, 2 * (sim?.cameraPeriod ?? 0)),
        goal_root: o.goalRoot ?? "",
        camera_max_frame_age: c.planner.max_frame_age,
      },
    };
    const actuatorOptions = actuatorNodeOptions(flangeConfig);
    const settings = actuatorOptions.settings;
    this.robot =
      sim === undefined
        ? null
        : new SimulatedRobotNode(node("robot"), {
            initial: sim.initialState,
            period: settings.commandPeriod,
            timeConstant: 0.05,
            frameId: settings.frameId,
            maxWidth: c.actuator.gripper_max_width,
          });
    this.camera = new CameraNode(node("camera"), cameraNodeOptions(flangeConfig, o.preprocess), encode, channel);
    const planner = new RecedingHorizonPlanner(this.model, plannerSettingsFromConfig(c.planner));
    this.planner = new PlannerNode(node("planner"), planner, plannerNodeOptions(flangeConfig, o.preprocess), channel, encode);
    this.actuator = new ActuatorNode(node("actuator"), actuatorOptions);
    this.operator = node("operator");
  }

  start(): void {
    this.actuator.start();
    this.camera.start();
    this.planner.start();
    const sim = this.o.simulation;
    const robot = this.robot;
    if (sim === undefined || robot === null) return;
    robot.start();
    const publishImage = this.operator.publisher<ImageMsg>("sensor_msgs/msg/Image", NODE_TOPICS.image, "sensor_data");
    this.stopCamera = this.clock.every(sim.cameraPeriod, () => {
      const img = sim.render(robot.state);
      publishImage(imageMessage({ stamp: timeFromSeconds(this.clock.now()), frame_id: "camera" }, img));
    });
  }

  /** Calls the planner's SetGoal service as an operator would. */
  setGoal(req: Partial<SetGoalRequest>): Promise<SetGoalResponse> {
    return this.operator.call<SetGoalRequest, SetGoalResponse>("vjepa2_mpc_interfaces/srv/SetGoal", NODE_SERVICES.setGoal, {
      images: [],
      image_paths: [],
      step_budgets: [],
      energy_threshold: 0,
      append: false,
      ...req,
    });
  }

  /**
   * Advances simulated time by `seconds` in steps of `dt`, waiting for model runs in flight at each
   * step: simulated time stands still while the world model thinks, as if planning were instantaneous.
   */
  async advance(seconds: number, dt = 0.01): Promise<void> {
    const end = this.clock.now() + seconds;
    while (this.clock.now() < end - 1e-9) {
      this.clock.advanceTo(Math.min(end, this.clock.now() + dt));
      await this.model.quiescent();
    }
  }

  async stop(): Promise<void> {
    this.stopCamera?.();
    await this.planner.stop();
    await this.camera.stop();
    await this.actuator.stop();
    await this.robot?.stop();
    await this.operator.close();
  }
}
