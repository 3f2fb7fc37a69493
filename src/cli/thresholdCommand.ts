/**
 * `vjepa2-mpc demo-threshold`: calibrates SetGoal's energy threshold for a model on the simulator (see
 * src/demo/goalEnergyCalibration.ts) and prints how each candidate threshold behaves.
 */
import type { Command } from "commander";
import { resolveConfig } from "../config/configFile";
import { calibrateGoalEnergy, GOAL_ENERGY_CALIBRATION_DEFAULTS as DEFAULTS, thresholdRow } from "../demo/goalEnergyCalibration";
import { EMBEDDED_MODEL_NAME } from "../demo/demoSettings";
import { createLogger } from "../log";
import { preprocessOptionsFor } from "../worldmodel/imageInput";
import { DEMO_TASK_MODELS, EMBEDDED_ENERGY_THRESHOLDS } from "./demoCommand";
import { integerFlag, numberFlag } from "./flagValues";
import { loadModelFromConfig } from "../worldmodel/modelFromConfig";

/** Thresholds the table shows, around the embedded model's. */
const CANDIDATES = [0.01, 0.0125, 0.015, 0.02, 0.025, 0.03, 0.04, 0.05];

/** Adds `demo-threshold` to the program. */
export function registerThresholdCommand(program: Command): void {
  program
    .command("demo-threshold")
    .description("calibrate SetGoal's energy threshold for a model: energies of simulator renders near reach goals against their true distance")
    .option("--model <dir>", "model package (default: the reach demo's embedded model)")
    .option("--goals <n>", "reach goals to sample", String(DEFAULTS.goals))
    .option("--renders <n>", "renders per goal, uniformly within --radius of the goal pose", String(DEFAULTS.rendersPerGoal))
    .option("--radius <m>", "radius of the renders around the goal pose (m)", String(DEFAULTS.radius))
    .option("--tolerance <m>", "a safe threshold keeps every frame below it within this distance of its goal (m)", String(DEFAULTS.tolerance))
    .option("--seed <n>", "seed of the scenes and offsets", String(DEFAULTS.seed))
    .option("--json", "print one JSON object instead of text")
    .action(async (flags: { model?: string; goals: string; renders: string; radius: string; tolerance: string; seed: string; json?: boolean }) => {
      const settings = {
        goals: integerFlag(flags.goals, "--goals", 1),
        rendersPerGoal: integerFlag(flags.renders, "--renders", 1),
        radius: numberFlag(flags.radius, "--radius", 0, true),
        tolerance: numberFlag(flags.tolerance, "--tolerance", 0, true),
        seed: integerFlag(flags.seed, "--seed"),
      };
      const dir = flags.model ?? DEMO_TASK_MODELS.reach;
      const config = resolveConfig([], { "world_model.model": dir });
      const model = await loadModelFromConfig(config, createLogger("vjepa2-mpc.demo-threshold", process.env.VJEPA2_LOG_LEVEL ?? "warn"));
      try {
        const result = await calibrateGoalEnergy({
          model,
          preprocess: preprocessOptionsFor(model.pkg, config.world_model.resize as "center_crop" | "squash"),
          ...settings,
        });
        const rows = CANDIDATES.map((t) => thresholdRow(result.samples, t));
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({ model: dir, settings, safe_threshold: Number.isFinite(result.safeThreshold) ? result.safeThreshold : null, rows })}\n`,
          );
          return;
        }
        const lines = [
          `${result.samples.length} renders within ${(100 * settings.radius).toFixed(1)} cm of ${settings.goals} reach goals (${dir})`,
          "threshold  frames below  farthest below  share of frames < 2 cm below",
          ...rows.map(
            (r) =>
              `${r.threshold.toFixed(4).padStart(9)}  ${String(r.below).padStart(12)}  ${(100 * r.maxDistance).toFixed(2).padStart(11)} cm  ${(100 * r.recallNear).toFixed(0).padStart(27)} %`,
          ),
          Number.isFinite(result.safeThreshold)
            ? `safe threshold (every frame below within ${(100 * settings.tolerance).toFixed(1)} cm): below ${result.safeThreshold.toFixed(4)}`
            : `no render lay farther than ${(100 * settings.tolerance).toFixed(1)} cm: increase --radius`,
          flags.model === undefined
            ? `the demo uses ${EMBEDDED_ENERGY_THRESHOLDS.reach} for reach with this model (and ${EMBEDDED_ENERGY_THRESHOLDS.pick_place} to move on between pick_place's sub-goals with ${EMBEDDED_MODEL_NAME})`
            : "",
        ];
        process.stdout.write(`${lines.filter((l) => l !== "").join("\n")}\n`);
      } finally {
        await model.close();
      }
    });
}
