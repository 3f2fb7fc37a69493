/**
 * Starts node roles on a transport: `camera`, `planner`, `actuator`, or `all` three in one process
 * (one world model, embeddings passed by reference). Separate camera and planner processes exchange
 * embeddings over ZeroMQ. Used by `vjepa2-mpc node` under ROS; testable with the in-process transport.
 */
import type { Config } from "../config/parameters";
import { plannerSettingsFromConfig } from "../mpc/plannerSettings";
import { RecedingHorizonPlanner } from "../mpc/RecedingHorizonPlanner";
import type { PreprocessOptions } from "../worldmodel/preprocess";
import type { WorldModel } from "../worldmodel/WorldModel";
import { ActuatorNode } from "./ActuatorNode";
import { CameraNode } from "./CameraNode";
import { InProcessEmbeddingChannel, type EmbeddingChannel } from "./embeddingChannel";
import { actuatorNodeOptions, cameraNodeOptions, plannerNodeOptions } from "./nodeOptions";
import { PlannerNode } from "./PlannerNode";
import type { Transport } from "./transport/Transport";
import { ZmqEmbeddingPublisher, ZmqEmbeddingSubscriber } from "./transport/ZmqEmbeddingChannel";

export type Role = "camera" | "planner" | "actuator" | "all";
export const ROLES: readonly Role[] = ["camera", "planner", "actuator", "all"];

/** What a role needs from outside: the world model (camera, planner) with its image preprocessing. */
export interface RoleDeps {
  loadModel: () => Promise<{ model: WorldModel; preprocess: PreprocessOptions }>;
}

/** Running nodes of a role; `stop()` stops them and releases the model and channels. */
export interface RunningRole {
  camera: CameraNode | null;
  planner: PlannerNode | null;
  actuator: ActuatorNode | null;
  stop(): Promise<void>;
}

export async function startRole(role: Role, t: Transport, config: Config, deps: RoleDeps): Promise<RunningRole> {
  const needsModel = role !== "actuator";
  const loaded = needsModel ? await deps.loadModel() : null;
  const model = loaded?.model ?? null;
  const closers: Array<() => Promise<void>> = [];
  const out: RunningRole = { camera: null, planner: null, actuator: null, stop: async () => undefined };
  try {
    let channel: EmbeddingChannel | null = null;
    if (role === "all") channel = new InProcessEmbeddingChannel();
    else if (role === "camera") channel = await ZmqEmbeddingPublisher.bind(config.nodes.embeddings_endpoint, t.log);
    else if (role === "planner") channel = ZmqEmbeddingSubscriber.connect(config.nodes.embeddings_endpoint, t.log);
    if (channel !== null) closers.push(() => channel.close());
    if (model !== null && loaded !== null && channel !== null) {
      const pre = loaded.preprocess;
      const encode = (f: Parameters<WorldModel["encode"]>[0]) => model.encode(f);
      if (role === "camera" || role === "all") {
        out.camera = new CameraNode(t, cameraNodeOptions(config, pre), encode, channel);
        out.camera.start();
        closers.unshift(() => (out.camera as CameraNode).stop());
      }
      if (role === "planner" || role === "all") {
        const planner = new RecedingHorizonPlanner(model, plannerSettingsFromConfig(config.planner));
        out.planner = new PlannerNode(t, planner, plannerNodeOptions(config, pre), channel, encode);
        out.planner.start();
        closers.unshift(() => (out.planner as PlannerNode).stop());
      }
    }
    if (role === "actuator" || role === "all") {
      out.actuator = new ActuatorNode(t, actuatorNodeOptions(config));
      out.actuator.start();
      closers.unshift(() => (out.actuator as ActuatorNode).stop());
    }
    if (model !== null) closers.push(() => model.close());
  } catch (e) {
    for (const c of closers) await c().catch(() => undefined);
    await model?.close();
    throw e;
  }
  out.stop = async () => {
    for (const c of closers) await c();
  };
  return out;
}
