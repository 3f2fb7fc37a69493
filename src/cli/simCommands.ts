/**
 * `vjepa2-mpc sim-data` (a training set of simulator episodes as .npy, optionally also as rosbag2 bags),
 * `vjepa2-mpc sim-bag` (one episode as a rosbag2 bag, for `replay`) and `vjepa2-mpc sim-render` (a start
 * frame and its goal images side by side, as PNG).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { SingleBar, Presets } from "cli-progress";
import { Command, Option } from "commander";
import { imageStrip } from "../sim/imageStrip";
import { checkSimDatasetOptions, writeSimDataset } from "../sim/simDataset";
import { recordEpisode, SIM_POLICY_MIXES, type SimEpisodeStart, type SimPolicyMix, type SimPolicyName } from "../sim/simEpisode";
import { writeSimEpisodeBag, writeSimEpisodeBags } from "../sim/simEpisodeBag";
import { PICK_PLACE_GOALS, SIM_TASKS, TabletopSim, type PickPlaceGoals, type SimTask } from "../sim/TabletopSim";
import { DEMO_PICK_PLACE_GOALS } from "./demoCommand";
import { encodePng } from "../worldmodel/imageDecode";
import { integerFlag, numberFlag } from "./flagValues";

interface SimDataFlags {
  out: string;
  episodes: string;
  steps: string;
  size: string;
  supersample: string;
  views: string;
  seed: string;
  policy: SimPolicyMix;
  maxnorm: string;
  bags?: string;
  json?: boolean;
}

/** `sim-bag --policy` values: the task's scripted policy, a random walk, or a policy by name. */
const SIM_BAG_POLICIES = ["scripted", "random", "scripted_reach", "scripted_fine_approach", "scripted_pick_place", "scripted_grasp_play"] as const;
const SIM_EPISODE_STARTS: readonly SimEpisodeStart[] = ["random", "near_cube", "holding"];

interface SimBagFlags {
  out: string;
  seed: string;
  task?: SimTask;
  steps: string;
  policy: (typeof SIM_BAG_POLICIES)[number];
  start: SimEpisodeStart;
  size: string;
  views: string;
  supersample: string;
  maxnorm: string;
  json?: boolean;
}

/** The episode policy of `sim-bag` flags; throws when --policy and --task disagree. */
function simBagPolicy(policy: SimBagFlags["policy"], task: SimTask | undefined): SimPolicyName {
  if (policy === "scripted") return task === "pick_place" ? "scripted_pick_place" : "scripted_reach";
  const own: SimTask = policy === "scripted_pick_place" || policy === "scripted_grasp_play" ? "pick_place" : "reach";
  if (task !== undefined && task !== own)
    throw new Error(`--policy ${policy} records ${own} episodes, not --task ${task}; drop --task or use --policy scripted`);
  return policy;
}

function progressBar(label: string, unit: string): SingleBar | null {
  return process.stderr.isTTY
    ? new SingleBar({ format: `${label} [{bar}] {value}/{total} ${unit} | {eta_formatted} left`, stream: process.stderr }, Presets.shades_classic)
    : null;
}

interface SimRenderFlags {
  seed: string;
  out: string;
  task: SimTask;
  pickPlaceGoals: PickPlaceGoals;
  size: string;
  supersample: string;
  views: string;
  scale: string;
}

const VIEWS_HELP = "cameras side by side in each frame: 1, or 2 for a two-view model (the second mirrored across the x-z plane)";

/** A simulator with the image flags every sim command takes. */
function simFromFlags(flags: { size: string; supersample: string; views: string }): TabletopSim {
  return new TabletopSim({
    size: integerFlag(flags.size, "--size", 16, 512),
    supersample: integerFlag(flags.supersample, "--supersample", 1, 8),
    views: integerFlag(flags.views, "--views", 1, 2),
  });
}

/** Adds `sim-data` and `sim-render` to the program. */
export function registerSimCommands(program: Command): void {
  program
    .command("sim-data")
    .description("generate simulator episodes for training a miniature world model: DIR/frames.npy, states.npy, actions.npy, meta.json")
    .requiredOption("--out <dir>", "output directory (created; existing files are replaced)")
    .option("--episodes <n>", "number of episodes E", "500")
    .option("--steps <t>", "frames per episode T (T − 1 actions)", "16")
    .option("--size <px>", "image height and width of each view (px)", "64")
    .option("--views <n>", VIEWS_HELP, "1")
    .option("--supersample <n>", "anti-aliasing rays per pixel per axis", "2")
    .option("--seed <n>", "base seed (episode e uses a seed derived from it)", "0")
    .addOption(new Option("--policy <mix>", "data-collection policies").choices([...SIM_POLICY_MIXES]).default("mixed"))
    .option("--maxnorm <m>", "bound of |dx|, |dy|, |dz| per step (m)", "0.075")
    .option("--bags <dir>", "also write each episode as a rosbag2 bag: DIR/episode_0000, … (the directories must not hold files)")
    .option("--json", "print the result as one JSON object")
    .action(async (flags: SimDataFlags) => {
      const episodes = integerFlag(flags.episodes, "--episodes", 1);
      const steps = integerFlag(flags.steps, "--steps", 2);
      const size = integerFlag(flags.size, "--size", 16, 512);
      const views = integerFlag(flags.views, "--views", 1, 2);
      const supersample = integerFlag(flags.supersample, "--supersample", 1, 8);
      const seed = integerFlag(flags.seed, "--seed", Number.MIN_SAFE_INTEGER);
      const maxnorm = numberFlag(flags.maxnorm, "--maxnorm", 0, true);
      const options = { out: flags.out, episodes, steps, size, views, supersample, seed, policy: flags.policy, maxnorm };
      checkSimDatasetOptions(options);
      let bags: { dir: string; episodes: number; actions: number } | null = null;
      if (flags.bags !== undefined) {
        const bar = progressBar("sim-data bags", "episodes");
        bar?.start(episodes, 0);
        try {
          const written = await writeSimEpisodeBags({ ...options, out: flags.bags, onProgress: (done) => bar?.update(done) });
          bags = { dir: flags.bags, episodes: written.length, actions: written.reduce((a, r) => a + r.actions, 0) };
        } finally {
          bar?.stop();
        }
      }
      const bar = progressBar("sim-data", "episodes");
      bar?.start(episodes, 0);
      let summary;
      try {
        summary = writeSimDataset({ ...options, onProgress: (done) => bar?.update(done) });
      } finally {
        bar?.stop();
      }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(bags === null ? summary : { ...summary, bags })}\n`);
      } else {
        const rate = (summary.episodes * summary.steps) / (summary.elapsedMs / 1000);
        process.stdout.write(
          `${summary.out}: ${summary.episodes} episodes × ${summary.steps} frames at ${size * views}×${size}${views > 1 ? ` (${views} views)` : ""} in ${(summary.elapsedMs / 1000).toFixed(1)} s (${rate.toFixed(0)} frames/s); ` +
            `${summary.episodesWithGrasp} episodes with a grasp; ${Object.entries(summary.counts)
              .map(([k, v]) => `${k} ${v}`)
              .join(", ")}\n`,
        );
        if (bags !== null) process.stdout.write(`${bags.dir}: ${bags.episodes} bags (episode_*), ${bags.actions} actions\n`);
      }
    });

  program
    .command("sim-bag")
    .description("record one simulator episode as a rosbag2 MCAP bag in the recording convention (camera, ee pose, gripper, actions), e.g. for `replay`")
    .requiredOption("--out <bag_dir>", "bag directory to create (must not exist or be empty)")
    .option("--seed <n>", "episode seed", "0")
    .addOption(new Option("--task <task>", "task (reach or pick_place); chooses the scripted policy").choices([...SIM_TASKS]))
    .option("--steps <t>", "frames T (T − 1 actions)", "16")
    .addOption(
      new Option("--policy <policy>", "'scripted' (the task's scripted policy), 'random', or a policy by name")
        .choices([...SIM_BAG_POLICIES])
        .default("scripted"),
    )
    .addOption(new Option("--start <start>", "where the episode starts").choices([...SIM_EPISODE_STARTS]).default("random"))
    .option("--size <px>", "image height and width of each view (px)", "64")
    .option("--views <n>", VIEWS_HELP, "1")
    .option("--supersample <n>", "anti-aliasing rays per pixel per axis", "2")
    .option("--maxnorm <m>", "bound of |dx|, |dy|, |dz| per step (m)", "0.075")
    .option("--json", "print the result as one JSON object")
    .action(async (flags: SimBagFlags) => {
      const seed = integerFlag(flags.seed, "--seed", Number.MIN_SAFE_INTEGER);
      const steps = integerFlag(flags.steps, "--steps", 2);
      const policy = simBagPolicy(flags.policy, flags.task);
      const sim = simFromFlags(flags);
      const episode = recordEpisode(sim, { seed, steps, policy, start: flags.start, maxnorm: numberFlag(flags.maxnorm, "--maxnorm", 0, true) });
      const result = await writeSimEpisodeBag(episode, flags.out);
      const info = {
        ...result,
        seed,
        task: episode.task,
        policy: episode.policy,
        start: episode.start,
        grasps: episode.grasps,
        releases: episode.releases,
        success: sim.success(),
      };
      if (flags.json) process.stdout.write(`${JSON.stringify(info)}\n`);
      else {
        process.stdout.write(
          `${result.bag}: ${episode.task} episode, seed ${seed}, ${episode.policy} from ${episode.start}: ${result.frames} frames, ${result.actions} actions over ${result.durationS.toFixed(2)} s; ` +
            `${episode.grasps} grasp(s), ${info.success ? "task solved" : "task not solved"}\n`,
        );
      }
    });

  program
    .command("sim-render")
    .description("render a simulator start frame and its goal image(s) side by side as PNG")
    .requiredOption("--out <file.png>", "PNG file to write")
    .option("--seed <n>", "episode seed", "0")
    .addOption(new Option("--task <task>", "task whose goals to show").choices([...SIM_TASKS]).default("reach"))
    .addOption(
      new Option("--pick-place-goals <goals>", "pick_place's sub-goal images (as demo's)").choices([...PICK_PLACE_GOALS]).default(DEMO_PICK_PLACE_GOALS),
    )
    .option("--size <px>", "image size (px) of each frame (of each view)", "64")
    .option("--views <n>", VIEWS_HELP, "1")
    .option("--supersample <n>", "anti-aliasing rays per pixel per axis", "2")
    .option("--scale <k>", "nearest-neighbour upscaling of the PNG, for viewing", "4")
    .action((flags: SimRenderFlags) => {
      const sim = simFromFlags(flags);
      const r = sim.reset(integerFlag(flags.seed, "--seed", Number.MIN_SAFE_INTEGER), flags.task, { pickPlaceGoals: flags.pickPlaceGoals });
      const images = [r.image, ...r.goals.map((g) => g.image!)];
      const strip = imageStrip(images, { scale: integerFlag(flags.scale, "--scale", 1, 16), gap: 4 });
      fs.mkdirSync(path.dirname(path.resolve(flags.out)), { recursive: true });
      fs.writeFileSync(flags.out, encodePng(strip));
      const fmt = (p: number[]): string => `[${p.map((v) => v.toFixed(3)).join(", ")}]`;
      process.stdout.write(
        `${flags.out}: ${flags.task} seed ${flags.seed}: start ${fmt(r.state)}; ${r.goals.map((g, i) => `goal ${i + 1} (${g.label}) ${fmt(g.pose)}`).join("; ")}\n`,
      );
    });
}
