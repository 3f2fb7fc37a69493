/** `vjepa2-mpc config`: print the documented defaults, or validate and print a resolved configuration. */
import type { Command } from "commander";
import YAML from "yaml";
import { renderDefaultsYaml, resolveConfig } from "../config/configFile";
import { renderParameterTable } from "../nodes/parameterTable";

export function registerConfigCommands(program: Command): void {
  program
    .command("config")
    .description("print the default configuration (documented YAML), or validate --config files and print the result")
    .option("--defaults", "print config/default.yaml as generated from the parameter declarations")
    .option("--config <files...>", "YAML files to validate and resolve over the defaults")
    .option("--markdown", "print the parameter table of the README (nodes, type, default, range, live) as markdown")
    .action((flags: { defaults?: boolean; config?: string[]; markdown?: boolean }) => {
      if (flags.markdown) {
        process.stdout.write(renderParameterTable());
        return;
      }
      if (flags.defaults || flags.config === undefined) {
        process.stdout.write(renderDefaultsYaml());
        return;
      }
      process.stdout.write(YAML.stringify(resolveConfig(flags.config)));
    });
}
