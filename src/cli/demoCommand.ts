/**
 * `vjepa2-mpc demo`: the embedded demo — the three nodes in-process against the simulated tabletop arm,
 * planning in latent space with the project's miniature V-JEPA 2-AC (models/vjepa2-ac-sim).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import type { Command } from "commander";
import { resolveConfig } from "../config/configFile";
import { reportedModel } from "../demo/demoSettings";
import { episodePicture } from "../demo/episodePicture";
import { runDemo, type EpisodeResult } from "../demo/runDemo";
import { createLogger } from "../log";
import { PICK_PLACE_GOALS, SIM_TASKS, type PickPlaceGoals, type SimTask } from "../sim";
import { encodePng } from "../worldmodel/imageDecode";
import { preprocessOptionsFor } from "../worldmodel/imageInput";
import { integerFlag, integerListFlag, numberFlag } from "./flagValues";
import { OPTIMIZER_NAMES } from "../cem";
import { evaluationsPerAction, plannerSettingsFromConfig } from "../mpc/plannerSettings";
import { EMBEDDED_MODEL, EMBEDDED_TWO_VIEW_MODEL, loadModelFromConfig } from "../worldmodel/modelFromConfig";

/** The trained demo models shipped with the project. */
export { EMBEDDED_MODEL, EMBEDDED_TWO_VIEW_MODEL };

/**
 * The embedded model each task plans with unless told otherwise. Reach: the two-view model, whose second
 * camera shows an offset along the first one's line of sight (README, "Embedded demo"). pick_place: the
 * one-view model, with which its figures were measured.
 */
export const DEMO_TASK_MODELS: Record<SimTask, string> = { reach: EMBEDDED_TWO_VIEW_MODEL, pick_place: EMBEDDED_MODEL };

/**
 * Goal-reached energies for each task's embedded model (DEMO_TASK_MODELS). Reach: the episode ends (and is
 * judged) where the energy first falls below it, so it must be safe: on 18 000 renders within 3.5 cm of 600 reach goals
 * (`vjepa2-mpc demo-threshold`, seeds 800000, 910000, 930000), every frame with a two-view energy below 0.0287
 * lay within 1.5 cm of its goal pose (with one view only below 0.0125, which rarely fired). pick_place: it moves
 * on between sub-goal images early (success is judged by where the cube ends, not by the energy), and its
 * figures were measured with 0.025.
 */
export const EMBEDDED_ENERGY_THRESHOLDS: Record<SimTask, number> = { reach: 0.025, pick_place: 0.025 };

/**
 * Planner presets per task, below the user's --config files: reaching leaves the gripper as it is (the
 * goal image shows it open), so the search spends its samples on the motion instead of learning, from
 * the model, not to close the gripper. Reach plans with iCEM at 800 × 3 (1954 model evaluations per
 * action): on three 20-episode seed sets it reached as often as the paper's CEM at 800 × 10 (8000; README,
 * "Optimisers"). pick_place keeps the paper's CEM: it was not compared there.
 */
export const DEMO_TASK_PRESETS: Record<SimTask, Record<string, unknown>> = {
  reach: { "planner.fix_gripper": 0, "planner.return_to_best": true, "planner.optimizer": "icem", "planner.samples": 800, "planner.iterations": 3 },
  pick_place: {},
};

/** pick_place's sub-goal images in the demo (see PickPlaceGoals). */
export const DEMO_PICK_PLACE_GOALS: PickPlaceGoals = "staged";

/**
 * The demo's pick_place settings per sub-goal sequence: step budgets (the paper's 4, 10, 4 for grasp, lift,
 * place; 6 to carry across the table; 2 to close; 4 for the 15 cm lift, two 7.5 cm steps and two to
 * correct), planner presets and the approach and carry sub-goal spacings. "staged" moves or toggles the
 * gripper in a step, never both (planner.gripper_exclusive): with the upstream gripper the sampled gripper
 * deltas opened and closed it at random, and a grasped cube fell during the lift; and it gets approach
 * sub-goals before the grasp and carry sub-goals after the lift: every cube it failed to place on two
 * 20-episode sets had been carried farther than 15 cm, where the set-down image shares no arm patches
 * with the lifted cube's frame.
 */
export const DEMO_PICK_PLACE: Record<PickPlaceGoals, { budgets: number[]; presets: Record<string, unknown>; approachSpacing: number; carrySpacing: number }> = {
  paper: { budgets: [4, 10, 4], presets: {}, approachSpacing: 0, carrySpacing: 0 },
  carry: { budgets: [4, 10, 6, 4], presets: {}, approachSpacing: 0, carrySpacing: 0 },
  staged: { budgets: [4, 2, 4, 6, 4], presets: { "planner.gripper_exclusive": true }, approachSpacing: 0.15, carrySpacing: 0.15 },
};

/**
 * A first goal (reach: the goal; pick_place: the grasp) farther than `spacing` gets sub-goal images on the
 * straight line to it, `budget` planning steps each: one greedy 7.5 cm step sees no change in the latent
 * L1 to a goal more than ~20 cm away (the arm's patches do not overlap), which is the paper's reason for
 * sub-goals on long tasks.
 */
export const DEMO_APPROACH_SUBGOALS: Record<SimTask, { spacing: number; budget: number }> = {
  reach: { spacing: 0.15, budget: 3 },
  pick_place: { spacing: DEMO_PICK_PLACE[DEMO_PICK_PLACE_GOALS].approachSpacing, budget: 3 }, // the default sequence's spacing; DEMO_PICK_PLACE has each one's
};

/** Planning steps per goal (reach: the goal; pick_place: the demo's sub-goal sequence). */
export const DEMO_STEP_BUDGETS: Record<SimTask, number[]> = { reach: [12], pick_place: DEMO_PICK_PLACE[DEMO_PICK_PLACE_GOALS].budgets };

export function registerDemoCommand(program: Command): void {
  program
    .command("demo")
    .description("simulated tabletop arm reaching goal images by latent MPC with the embedded miniature V-JEPA 2-AC (no ROS, robot or GPU needed)")
    .option("--task <task>", `task: ${SIM_TASKS.join(" | ")}`, "reach")
    .option("--episodes <n>", "episodes to run", "5")
    .option("--seed <n>", "base seed (episodes use seeds derived from it)", "1000")
    .option("--model <dir>", "model package (default: the task's embedded model: models/vjepa2-ac-sim-2view for reach, models/vjepa2-ac-sim for pick_place)")
    .option("--config <files...>", "YAML configuration file(s)")
    .option("--optimizer <name>", `planning optimiser: ${OPTIMIZER_NAMES.join(" | ")} (overrides planner.optimizer)`)
    .option("--samples <n>", "CEM samples per iteration (overrides planner.samples)")
    .option("--iterations <n>", "CEM iterations (overrides planner.iterations)")
    .option(
      "--pick-place-goals <goals>",
      `pick_place's sub-goal images: ${PICK_PLACE_GOALS.join(" | ")} (paper: grasp, lift, place; carry: grasp, lift, carry, place; staged: grasp, close, lift, set down, place, with gripper_exclusive, approach and carry sub-goals; default ${DEMO_PICK_PLACE_GOALS})`,
    )
    .option(
      "--budgets <list>",
      `planning steps per goal, comma-separated (reach: the goal's, after any sub-goals, default 12; pick_place: one per sub-goal image, default ${PICK_PLACE_GOALS.map((g) => `${DEMO_PICK_PLACE[g].budgets.join(",")} (${g})`).join(", ")})`,
    )
    .option(
      "--subgoal-spacing <m>",
      `sub-goal images at most this far apart (m) on the line to a far first goal (reach: the goal; pick_place: the grasp); 0: none (default reach ${DEMO_APPROACH_SUBGOALS.reach.spacing}, pick_place ${PICK_PLACE_GOALS.map((g) => `${DEMO_PICK_PLACE[g].approachSpacing} (${g})`).join(", ")})`,
    )
    .option(
      "--carry-spacing <m>",
      `pick_place: sub-goal images of the cube held at lift height, at most this far apart (m) on the line from above the cube to above the target, after lift; 0: none (default ${PICK_PLACE_GOALS.map((g) => `${DEMO_PICK_PLACE[g].carrySpacing} (${g})`).join(", ")})`,
    )
    .option("--subgoal-budget <n>", `planning steps per approach or carry sub-goal (default ${DEMO_APPROACH_SUBGOALS.reach.budget})`)
    .option(
      "--energy-threshold <e>",
      `a goal is reached (the arm holds) once the current frame's energy to it is below this; 0: step budgets only (default with the task's embedded model: ${SIM_TASKS.map((t) => `${EMBEDDED_ENERGY_THRESHOLDS[t]} (${t})`).join(", ")}; else 0)`,
    )
    .option("--save <dir>", "save a PNG per episode (start | goals | final frame with the path) and summary.json")
    .option("--json", "print one JSON object (summary and per-episode results) instead of text")
    .option("--log-level <level>", "node and model log level (the demo prints its own progress; default warn, or VJEPA2_LOG_LEVEL)")
    .action(
      async (flags: {
        task: string;
        episodes: string;
        seed: string;
        model?: string;
        config?: string[];
        optimizer?: string;
        samples?: string;
        iterations?: string;
        pickPlaceGoals?: string;
        budgets?: string;
        subgoalSpacing?: string;
        carrySpacing?: string;
        subgoalBudget?: string;
        energyThreshold?: string;
        save?: string;
        json?: boolean;
        logLevel?: string;
      }) => {
        if (!SIM_TASKS.includes(flags.task as SimTask)) throw new Error(`--task must be one of ${SIM_TASKS.join(", ")}, got '${flags.task}'`);
        const task = flags.task as SimTask;
        const pickPlaceGoals = (flags.pickPlaceGoals ?? DEMO_PICK_PLACE_GOALS) as PickPlaceGoals;
        if (!PICK_PLACE_GOALS.includes(pickPlaceGoals))
          throw new Error(`--pick-place-goals must be one of ${PICK_PLACE_GOALS.join(", ")}, got '${pickPlaceGoals}'`);
        const pickPlace = DEMO_PICK_PLACE[pickPlaceGoals];
        const presets = task === "pick_place" ? { ...DEMO_TASK_PRESETS.pick_place, ...pickPlace.presets } : DEMO_TASK_PRESETS[task];
        // The model: --model, else the --config files' world_model.model, else the task's embedded one.
        const fromFiles = resolveConfig(flags.config ?? [], {}, presets);
        const taskModel = DEMO_TASK_MODELS[task];
        const modelDir = flags.model ?? (fromFiles.world_model.model === "" ? taskModel : fromFiles.world_model.model);
        const embedded = path.resolve(modelDir) === taskModel;
        const overrides: Record<string, unknown> = { "world_model.model": modelDir };
        if (flags.optimizer !== undefined) overrides["planner.optimizer"] = flags.optimizer;
        if (flags.samples !== undefined) overrides["planner.samples"] = integerFlag(flags.samples, "--samples", 2);
        if (flags.iterations !== undefined) overrides["planner.iterations"] = integerFlag(flags.iterations, "--iterations", 1);
        const config = resolveConfig(flags.config ?? [], overrides, presets);
        if (embedded && !fs.existsSync(path.join(taskModel, "model.json"))) {
          throw new Error(`the embedded demo model is missing at ${taskModel}: train and export it with tools/train (see README), or pass --model DIR`);
        }
        const defaultBudgets = { ...DEMO_STEP_BUDGETS, pick_place: pickPlace.budgets };
        const stepBudgets = flags.budgets === undefined ? defaultBudgets : { ...defaultBudgets, [task]: integerListFlag(flags.budgets, "--budgets", 1) };
        const defaultSpacing = task === "pick_place" ? pickPlace.approachSpacing : DEMO_APPROACH_SUBGOALS[task].spacing;
        const subgoalBudget = flags.subgoalBudget === undefined ? DEMO_APPROACH_SUBGOALS[task].budget : integerFlag(flags.subgoalBudget, "--subgoal-budget", 1);
        const approachSubgoals = {
          spacing: flags.subgoalSpacing === undefined ? defaultSpacing : numberFlag(flags.subgoalSpacing, "--subgoal-spacing", 0),
          budget: subgoalBudget,
        };
        if (task !== "pick_place" && flags.carrySpacing !== undefined) throw new Error("--carry-spacing applies to --task pick_place only");
        const carrySubgoals = {
          spacing: flags.carrySpacing === undefined ? pickPlace.carrySpacing : numberFlag(flags.carrySpacing, "--carry-spacing", 0),
          budget: subgoalBudget,
        };
        const energyThreshold =
          flags.energyThreshold !== undefined ? numberFlag(flags.energyThreshold, "--energy-threshold", 0) : embedded ? EMBEDDED_ENERGY_THRESHOLDS[task] : 0;
        const level = flags.logLevel ?? process.env.VJEPA2_LOG_LEVEL ?? "warn";
        const log = createLogger("vjepa2-mpc.demo", level);
        const model = await loadModelFromConfig(config, log);
        const episodes = integerFlag(flags.episodes, "--episodes", 1);
        const started = performance.now();
        const tty = process.stderr.isTTY && !flags.json;
        try {
          const onEpisode = (e: EpisodeResult, i: number): void => {
            const grasp = task === "pick_place" ? ` (cube ${e.lifted ? "grasped and lifted" : e.grasped ? "grasped, not lifted" : "never grasped"})` : "";
            const line = `episode ${i + 1}/${episodes} seed ${e.seed}: ${e.success ? "success" : "failure"} after ${e.steps} steps, final distance ${(100 * e.finalDistance).toFixed(1)} cm${grasp}`;
            if (!flags.json) process.stderr.write(`${tty ? "\r\x1b[2K" : ""}${line}\n`);
            if (flags.save !== undefined) {
              fs.mkdirSync(flags.save, { recursive: true });
              fs.writeFileSync(
                path.join(flags.save, `episode_${String(i).padStart(3, "0")}_${e.success ? "success" : "failure"}.png`),
                encodePng(episodePicture(e)),
              );
            }
          };
          const { summary, episodes: results } = await runDemo({
            model,
            config,
            task,
            episodes,
            seed: integerFlag(flags.seed, "--seed"),
            preprocess: preprocessOptionsFor(model.pkg, config.world_model.resize as "center_crop" | "squash"),
            stepBudgets,
            pickPlaceGoals,
            approachSubgoals,
            ...(task === "pick_place" ? { carrySubgoals } : {}),
            energyThreshold,
            onEpisode,
            // On a terminal, one live line per episode: steps so far and the distance to the target.
            onStep: tty
              ? (i, p) => process.stderr.write(`\r\x1b[2Kepisode ${i + 1}/${episodes}: step ${p.steps}, ${(100 * p.distance).toFixed(1)} cm to go`)
              : undefined,
            log,
          });
          const seconds = (performance.now() - started) / 1000;
          // What the figures were measured with, so a summary can be reproduced.
          const p = config.planner;
          const settings = {
            optimizer: p.optimizer,
            ...(p.optimizer === "icem"
              ? {
                  icem_population_decay: p.icem_population_decay,
                  icem_keep_elites: p.icem_keep_elites,
                  icem_noise_beta: p.icem_noise_beta,
                  icem_execute: p.icem_execute,
                }
              : {}),
            evaluations_per_action: evaluationsPerAction(plannerSettingsFromConfig(p)),
            samples: p.samples,
            iterations: p.iterations,
            horizon: p.horizon,
            topk: p.topk,
            maxnorm: p.maxnorm,
            fix_gripper: p.fix_gripper,
            gripper_exclusive: p.gripper_exclusive,
            return_to_best: p.return_to_best,
            ...(task === "pick_place" ? { pick_place_goals: pickPlaceGoals } : {}),
            step_budgets: stepBudgets[task],
            approach_subgoals: approachSubgoals,
            ...(task === "pick_place" ? { carry_subgoals: carrySubgoals } : {}),
            energy_threshold: energyThreshold,
            model: reportedModel(config.world_model.model),
          };
          const slim = results.map((e) => ({
            seed: e.seed,
            success: e.success,
            steps: e.steps,
            final_distance_m: e.finalDistance,
            ...(task === "pick_place" ? { grasped: e.grasped, lifted: e.lifted } : {}),
            latency_ms: e.latencyMs,
            path: e.path,
            energy: e.energies /* NaN (unknown) becomes null in JSON */,
            distance_m: e.distances,
          }));
          if (flags.save !== undefined)
            fs.writeFileSync(path.join(flags.save, "summary.json"), `${JSON.stringify({ summary, settings, seconds, episodes: slim }, null, 1)}\n`);
          if (flags.json) {
            process.stdout.write(`${JSON.stringify({ summary, settings, seconds, episodes: slim })}\n`);
          } else {
            const l = summary.latencyMs;
            process.stdout.write(
              [
                `${task}: ${summary.successes}/${summary.episodes} episodes succeeded (${(100 * summary.successRate).toFixed(0)}%)`,
                summary.graspRate !== null && summary.liftRate !== null
                  ? `cube grasped in ${Math.round(summary.graspRate * summary.episodes)}/${summary.episodes}, lifted in ${Math.round(summary.liftRate * summary.episodes)}/${summary.episodes}`
                  : "",
                `steps ${summary.meanSteps.toFixed(1)} on average, final distance ${(100 * summary.meanFinalDistance).toFixed(1)} cm on average`,
                `planning ${l === null ? "n/a" : `${(l.median / 1000).toFixed(2)} s per step (median; p90 ${(l.p90 / 1000).toFixed(2)} s)`} with ${p.optimizer}, ${p.samples} samples × ${p.iterations} iterations (${settings.evaluations_per_action} model evaluations per action); ${seconds.toFixed(0)} s in all`,
                flags.save !== undefined ? `pictures in ${flags.save}` : "",
              ]
                .filter((s) => s !== "")
                .join("\n") + "\n",
            );
          }
        } finally {
          await model.close();
        }
      },
    );
}
