/**
 * `vjepa2-mpc node camera|planner|actuator|all --config FILE --ros-args ...`: the nodes under ROS 2
 * (what launch/vjepa2_mpc.launch.py starts). Parameters: the YAML files first, then ROS parameters
 * (params files, `-p`, launch) that differ from the declared default win; every parameter is declared
 * with its description and range. Nullable parameters (e.g. planner.close_gripper) are YAML-only.
 */
import type { Command } from "commander";
import { resolveConfig } from "../config/configFile";
import { PARAMETERS } from "../config/parameters";
import { createLogger } from "../log";
import { ROLES, startRole, type Role } from "../nodes/startRoles";
import { RosTransport } from "../nodes/transport/RosTransport";
import { preprocessOptionsFor } from "../worldmodel/imageInput";
import { loadModelFromConfig } from "./planCommands";

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
      const log = createLogger(`vjepa2-mpc.${role}`);
      resolveConfig(flags.config ?? []); // fail fast on a bad file, before ROS starts
      const transport = await RosTransport.create(role === "all" ? "vjepa2_mpc" : role, log);
      // Declare every parameter (so `ros2 param describe` documents it); ROS values override the files.
      const rosValues = transport.declareParameters(PARAMETERS, Object.keys(PARAMETERS));
      const changed = Object.fromEntries(Object.entries(rosValues).filter(([k, v]) => {
        const [g, n] = k.split(".");
        return JSON.stringify((PARAMETERS as Record<string, Record<string, { default: unknown }>>)[g][n].default) !== JSON.stringify(v);
      }));
      const config = resolveConfig(flags.config ?? [], changed);
      log.info({ config }, "resolved configuration");
      const running = await startRole(role as Role, transport, config, {
        loadModel: async () => {
          const model = await loadModelFromConfig(config);
          return { model, preprocess: preprocessOptionsFor(model.pkg, config.world_model.resize as "center_crop" | "squash") };
        },
      });
      await new Promise<void>((resolve) => {
        const stop = (): void => {
          log.info("shutting down");
          resolve();
        };
        process.once("SIGINT", stop);
        process.once("SIGTERM", stop);
      });
      await running.stop();
      await transport.close();
    });
}
