/**
 * `vjepa2-mpc node camera|planner|actuator|all --config FILE --ros-args ...`: the nodes under ROS 2
 * (what launch/vjepa2_mpc.launch.py starts), as managed (lifecycle) nodes: `ros2 lifecycle get/set`
 * work on them; `--start-state` says how far they go by themselves (default: active).
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
import { LifecycleStateMachine, type TransitionEvent } from "../nodes/lifecycle/LifecycleStateMachine";
import { serveLifecycle } from "../nodes/lifecycle/lifecycleServices";
import { ManagedRole } from "../nodes/lifecycle/ManagedRole";
import { ROLES, type Role } from "../nodes/startRoles";
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

/** Where a node's lifecycle goes at start-up: the launch file's `start_state` argument. */
export const START_STATES = ["active", "inactive", "unconfigured"] as const;
export type StartState = (typeof START_STATES)[number];

export function registerNodeCommand(program: Command): void {
  program
    .command("node")
    .description("run a node under ROS 2: camera, planner, actuator, or all three in one process (needs a sourced ROS 2 and rclnodejs)")
    .argument("<role>", `one of ${ROLES.join(", ")}`)
    .option("--config <files...>", "YAML configuration file(s) applied over the defaults (ROS parameters override them)")
    .option(
      "--start-state <state>",
      `lifecycle state to bring the node to at start-up: ${START_STATES.join(", ")} (a supervisor takes it from there)`,
      "active",
    )
    .allowUnknownOption()
    .allowExcessArguments()
    .action(async (role: string, flags: { config?: string[]; startState: string }) => {
      if (!ROLES.includes(role as Role)) throw new Error(`unknown role '${role}': use one of ${ROLES.join(", ")}`);
      if (!START_STATES.includes(flags.startState as StartState)) throw new Error(`--start-state ${flags.startState}: use one of ${START_STATES.join(", ")}`);
      const files = flags.config ?? [];
      const fromFiles = resolveConfig(files); // fail fast on a bad file, before ROS starts
      const stopped = shutdownSignal();
      const roles: NodeRole[] = role === "all" ? ["camera", "planner", "actuator"] : [role as NodeRole];
      const transport = await RosTransport.create(role === "all" ? "vjepa2_mpc" : role);
      const log = transport.log;
      let machine: LifecycleStateMachine | null = null;
      try {
        const fromRos = transport.declareParameters(PARAMETERS, parametersOf(roles), fromFiles);
        let config = resolveConfig(files, fromRos);
        const managed = new ManagedRole(role as Role, transport, () => config, {
          loadModel: async () => {
            const model = await loadModelFromConfig(config, log);
            return { model, preprocess: preprocessOptionsFor(model.pkg, config.world_model.resize as "center_crop" | "squash") };
          },
        });
        let publishEvent: (e: TransitionEvent) => void = () => undefined;
        machine = new LifecycleStateMachine(managed, (e) => {
          publishEvent(e);
          log.debug({ from: e.start, to: e.goal, transition: e.transition.label }, "lifecycle");
        });
        publishEvent = serveLifecycle(transport, machine, (transition, r) => {
          if (r.success) log.info({ transition, state: r.state }, `lifecycle: ${r.state}`);
          else log.error({ transition, state: r.state, reason: r.reason }, `lifecycle ${transition} failed: ${r.reason}`);
        });
        transport.onParametersSet(PARAMETERS, (changes) => {
          const next = applyChanges(config, changes);
          if (typeof next === "string") return next;
          const reason = managed.reconfigure(next);
          if (reason === null) config = next;
          return reason;
        });
        log.info(
          {
            model: roles.includes("actuator") && roles.length === 1 ? undefined : modelDirFromConfig(config),
            provider: config.world_model.provider,
            mode: config.planner.mode,
            adapter: config.actuator.adapter,
            startState: flags.startState,
          },
          "starting",
        );
        log.debug({ config }, "resolved configuration");
        for (const transition of flags.startState === "active" ? ["configure", "activate"] : flags.startState === "inactive" ? ["configure"] : []) {
          const r = await machine.trigger(transition);
          if (!r.success) {
            // The node stays up, as a managed node does: `ros2 lifecycle set` can retry once the cause is fixed.
            log.error(
              { transition, state: r.state },
              `${transition} failed: ${r.reason}; the node stays ${r.state} (ros2 lifecycle set ${transport.nodeName} ${transition} retries)`,
            );
            break;
          }
        }
        const signal = await stopped;
        log.info({ signal }, "shutting down");
        exitAfter(SHUTDOWN_DEADLINE_MS, 1, () => log.error(`stopping took longer than ${SHUTDOWN_DEADLINE_MS} ms: exiting`));
      } finally {
        try {
          await shutDown(machine);
        } finally {
          await transport.close();
          // A node process ends when its node does, whatever handle (a socket, a worker) might linger.
          exitAfter(1000, 0);
        }
      }
    });
}

/** The shutdown transition from whatever state the node is in (waiting for a transition in progress). */
async function shutDown(machine: LifecycleStateMachine | null): Promise<void> {
  if (machine === null) return;
  for (let i = 0; i < 400 && !["unconfigured", "inactive", "active", "finalized"].includes(machine.state); i++) await new Promise((r) => setTimeout(r, 10));
  if (machine.state !== "finalized") await machine.trigger("shutdown");
}
