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
import { EStopLatch } from "./actuator/estopLatch";
import { CameraNode } from "./CameraNode";
import { publishDiagnostics, type NodeHealth } from "./diagnostics";
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

/** Running nodes of a role; `stop()` stops them (and, from `startRole`, releases the model too). */
export interface RunningRole {
  camera: CameraNode | null;
  planner: PlannerNode | null;
  actuator: ActuatorNode | null;
  /**
   * Applies a new configuration (already validated against the parameter table and its cross-checks)
   * to the running nodes: from the next planning step, frame or control tick. Returns null, or the
   * reason it cannot apply (nothing changed then).
   */
  reconfigure(config: Config): string | null;
  stop(): Promise<void>;
}

/**
 * A role whose model is loaded and whose state lives across activations (a managed node's `inactive`):
 * the planner's goal schedule and the actuator's e-stop latch survive deactivate / activate, so a
 * reactivated actuator is still e-stopped and a reactivated planner still has its goals.
 */
export interface ConfiguredRole {
  /** Creates and starts the role's nodes with `config` (the configuration in use at activation). */
  activate(config: Config): Promise<RunningRole>;
  /** Checks a configuration against the loaded model without running nodes (null: fine). */
  check(config: Config): string | null;
  /** Releases the model. */
  cleanup(): Promise<void>;
}

/** What the loaded model cannot do with this configuration (empty: fine). */
export function modelConfigProblems(config: Config, model: WorldModel): string[] {
  const h = config.planner.horizon;
  const max = model.info.maxContextFrames;
  return h + 1 > max ? [`planner.horizon ${h} needs ${h + 1} frames of context; the model ${model.info.name} accepts at most ${max}`] : [];
}

/**
 * Loads what the role needs (the world model), checks the configuration against it; starts nothing.
 * `estop`: the actuator's latch (a managed node keeps one for its whole life, across cleanup too).
 */
export async function configureRole(role: Role, t: Transport, config: Config, deps: RoleDeps, estop: EStopLatch = new EStopLatch()): Promise<ConfiguredRole> {
  const loaded = role !== "actuator" ? await deps.loadModel() : null;
  const model = loaded?.model ?? null;
  const check = (c: Config): string | null => {
    const problems = model !== null && role !== "camera" ? modelConfigProblems(c, model) : [];
    return problems.length > 0 ? `invalid configuration for this model:\n  - ${problems.join("\n  - ")}` : null;
  };
  const problem = check(config);
  if (problem !== null) {
    await model?.close();
    throw new Error(problem);
  }
  // Kept across activations: goals (the planner's schedule) and the e-stop latch.
  const planner =
    model !== null && (role === "planner" || role === "all") ? new RecedingHorizonPlanner(model, plannerSettingsFromConfig(config.planner)) : null;
  return {
    check,
    activate: (c) => activateRole(role, t, c, loaded, planner, estop),
    cleanup: async () => {
      await model?.close();
    },
  };
}

async function activateRole(
  role: Role,
  t: Transport,
  config: Config,
  loaded: { model: WorldModel; preprocess: PreprocessOptions } | null,
  planner: RecedingHorizonPlanner | null,
  estop: EStopLatch,
): Promise<RunningRole> {
  const model = loaded?.model ?? null;
  const closers: Array<() => Promise<void>> = [];
  const out: RunningRole = { camera: null, planner: null, actuator: null, reconfigure: () => "not running", stop: async () => undefined };
  try {
    let channel: EmbeddingChannel | null = null;
    if (role === "all") channel = new InProcessEmbeddingChannel();
    else if (role === "camera") channel = await ZmqEmbeddingPublisher.bind(config.nodes.embeddings_endpoint, t.log);
    else if (role === "planner") channel = ZmqEmbeddingSubscriber.connect(config.nodes.embeddings_endpoint, t.log);
    if (channel !== null) closers.push(() => channel.close());
    /** Starts a node, reports its health on /diagnostics, and stops both on `stop()`. */
    const run = <N extends { start(): void; stop(): Promise<void>; health(): NodeHealth }>(name: string, node: N): N => {
      node.start();
      const stopDiagnostics = publishDiagnostics(t, name, () => node.health());
      closers.unshift(async () => {
        stopDiagnostics();
        await node.stop();
      });
      return node;
    };
    if (model !== null && loaded !== null && channel !== null) {
      const pre = loaded.preprocess;
      const encode = (f: Parameters<WorldModel["encode"]>[0]) => model.encode(f);
      if (role === "camera" || role === "all") out.camera = run("camera", new CameraNode(t, cameraNodeOptions(config, pre), encode, channel));
      if (planner !== null) {
        planner.updateSettings(plannerSettingsFromConfig(config.planner));
        out.planner = run("planner", new PlannerNode(t, planner, plannerNodeOptions(config, pre), channel, encode));
      }
    }
    if (role === "actuator" || role === "all") out.actuator = run("actuator", new ActuatorNode(t, actuatorNodeOptions(config), estop));
  } catch (e) {
    for (const c of closers) await c().catch(() => undefined);
    throw e;
  }
  out.stop = async () => {
    for (const c of closers.splice(0)) await c();
  };
  out.reconfigure = (next) => {
    const problems = model !== null && out.planner !== null ? modelConfigProblems(next, model) : [];
    if (problems.length > 0) return problems.join("; ");
    try {
      const pre = loaded?.preprocess;
      // Build every node's options first, so that a failure leaves all of them as they were.
      const camera = out.camera !== null && pre !== undefined ? cameraNodeOptions(next, pre) : null;
      const plannerOptions = out.planner !== null && pre !== undefined ? plannerNodeOptions(next, pre) : null;
      const actuator = out.actuator !== null ? actuatorNodeOptions(next) : null;
      if (camera !== null) out.camera?.updateOptions(camera);
      if (plannerOptions !== null) out.planner?.reconfigure(plannerOptions, plannerSettingsFromConfig(next.planner));
      if (actuator !== null) out.actuator?.reconfigure(actuator);
      return null;
    } catch (e) {
      return (e as Error).message;
    }
  };
  return out;
}

/** Configures and activates a role in one go; `stop()` deactivates it and releases the model. */
export async function startRole(role: Role, t: Transport, config: Config, deps: RoleDeps): Promise<RunningRole> {
  const configured = await configureRole(role, t, config, deps);
  let running: RunningRole;
  try {
    running = await configured.activate(config);
  } catch (e) {
    await configured.cleanup();
    throw e;
  }
  const stop = running.stop;
  running.stop = async () => {
    try {
      await stop();
    } finally {
      await configured.cleanup();
    }
  };
  return running;
}
