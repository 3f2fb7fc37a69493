/**
 * `vjepa2-mpc node camera|planner|actuator|all --config FILE --ros-args ...`: the nodes under ROS 2
 * (what launch/vjepa2_mpc.launch.py starts).
 *
 * Parameters: the YAML files are resolved first; each node then declares the parameters it reads
 * (src/nodes/roleParameters.ts) with those values, so ROS overrides (params files, `-p`, launch) win and
 * `ros2 param get` answers the value in use. `ros2 param set` goes through the same checks as the YAML;
 * an accepted change is applied from the next planning step or control tick, anything else is refused
 * with the reason (read-only parameters by ROS itself).
 */
import type { Command } from "commander";
import { applyChanges, resolveConfig } from "../config/configFile";
import { PARAMETERS } from "../config/parameters";
import { parametersOf, type NodeRole } from "../nodes/roleParameters";
import { ROLES, startRole, type Role, type RunningRole } from "../nodes/startRoles";
import { RosTransport } from "../nodes/transport/RosTransport";
import { preprocessOptionsFor } from "../worldmodel/imageInput";
import { loadModelFromConfig, modelDirFromConfig } from "../worldmodel/modelFromConfig";

/** How long stopping may take before the process exits anyway (ros2 launch escalates to SIGTERM at 5 s). */
const SHUTDOWN_DEADLINE_MS = 4000;

/**
 * Resolves on the first SIGINT or SIGTERM (ros2 launch sends SIGINT, then SIGTERM after a grace period).
 * Later signals change nothing: Ctrl-C reaches a node twice, from the terminal and from ros2 launch, and
 * stopping is bounded by SHUTDOWN_DEADLINE_MS anyway.
 */
function shutdownSignal(): Promise<string> {
  return new Promise((resolve) => {
    const on = (signal: string) => () => resolve(signal);
    process.on("SIGINT", on("SIGINT"));
    process.on("SIGTERM", on("SIGTERM"));
  });
}

/** Exits with `code` once `ms` have passed, unless the process has ended by itself before (the timer does not keep it alive). */
function exitAfter(ms: number, code: number, why: () => void = () => undefined): void {
  setTimeout(() => {
    why();
    process.exit(process.exitCode ?? code);
  }, ms).unref();
}

export function registerNodeCommand(program: Command): void {
  program
    .command("node")
    .description("run a node under ROS 2: camera, planner, actuator, or all three in one process (needs a sourced ROS 2 and rclnodejs)")
    .argument("<role>", `one of ${ROLES.join(", ")}`)
    .option("--config <files...>", "YAML configuration file(s) applied over the defaults (ROS parameters override them)")
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (role: string, flags: { config?: string[] }) => {
      if (!ROLES.includes(role as Role)) throw new Error(`unknown role '${role}': use one of ${ROLES.join(", ")}`);
      const files = flags.config ?? [];
      const fromFiles = resolveConfig(files); // fail fast on a bad file, before ROS starts
      const stopped = shutdownSignal();
      const roles: NodeRole[] = role === "all" ? ["camera", "planner", "actuator"] : [role as NodeRole];
      const transport = await RosTransport.create(role === "all" ? "vjepa2_mpc" : role);
      const log = transport.log;
      let running: RunningRole | null = null;
      try {
        const fromRos = transport.declareParameters(PARAMETERS, parametersOf(roles), fromFiles);
        let config = resolveConfig(files, fromRos);
        log.info({ model: roles.includes("actuator") && roles.length === 1 ? undefined : modelDirFromConfig(config), provider: config.world_model.provider, mode: config.planner.mode, adapter: config.actuator.adapter }, "starting");
        log.debug({ config }, "resolved configuration");
        running = await startRole(role as Role, transport, config, {
          loadModel: async () => {
            const model = await loadModelFromConfig(config, log);
            return { model, preprocess: preprocessOptionsFor(model.pkg, config.world_model.resize as "center_crop" | "squash") };
          },
        });
        const nodes = running;
        transport.onParametersSet(PARAMETERS, (changes) => {
          const next = applyChanges(config, changes);
          if (typeof next === "string") return next;
          const reason = nodes.reconfigure(next);
          if (reason === null) config = next;
          return reason;
        });
        const signal = await stopped;
        log.info({ signal }, "shutting down");
        exitAfter(SHUTDOWN_DEADLINE_MS, 1, () => log.error(`stopping took longer than ${SHUTDOWN_DEADLINE_MS} ms: exiting`));
      } finally {
        try {
          await running?.stop();
        } finally {
          await transport.close();
          // A node process ends when its node does, whatever handle (a socket, a worker) might linger.
          exitAfter(1000, 0);
        }
      }
    });
}
