/** The `vjepa2-mpc` command line. */
import { Command } from "commander";
import { registerBagCommands } from "./bagCommands";
import { registerConfigCommands } from "./configCommands";
import { registerDemoCommand } from "./demoCommand";
import { registerNodeCommand } from "./nodeCommand";
import { registerPlanCommands } from "./planCommands";
import { registerReplayCommand } from "./replayCommand";
import { registerSimCommands } from "./simCommands";
import { registerThresholdCommand } from "./thresholdCommand";
import { registerWorldModelCommands } from "./worldModelCommands";

export function buildProgram(): Command {
  const program = new Command("vjepa2-mpc")
    .description("Latent MPC over V-JEPA 2-AC: world model, planner, ROS 2 nodes, bag replay and an embedded demo")
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });
  registerWorldModelCommands(program);
  registerPlanCommands(program);
  registerConfigCommands(program);
  registerBagCommands(program);
  registerSimCommands(program);
  registerNodeCommand(program);
  registerDemoCommand(program);
  registerThresholdCommand(program);
  registerReplayCommand(program);
  return program;
}

/** Runs the CLI; errors print one clear line (no stack) and exit with status 1. */
export async function main(argv: string[]): Promise<void> {
  try {
    await buildProgram().parseAsync(argv);
  } catch (e) {
    process.stderr.write(`vjepa2-mpc: ${(e as Error).message}\n`);
    process.exitCode = 1;
  }
}

if (require.main === module) {
  void main(process.argv);
}
