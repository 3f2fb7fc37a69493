/**
 * `vjepa2-mpc sim-data` (a training set of simulator episodes as .npy) and `vjepa2-mpc sim-render`
 * (a start frame and its goal images side by side, as PNG).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { SingleBar, Presets } from "cli-progress";
import { Command, Option } from "commander";
import { imageStrip } from "../sim/imageStrip";
import { writeSimDataset } from "../sim/simDataset";
import { SIM_POLICY_MIXES, type SimPolicyMix } from "../sim/simEpisode";
import { SIM_TASKS, TabletopSim, type SimTask } from "../sim/TabletopSim";
import { encodePng } from "../worldmodel/imageDecode";

function integer(text: string, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  const v = Number(text);
  if (!Number.isInteger(v) || v < min || v > max) throw new Error(`${flag} expects an integer in ${min}..${max === Number.MAX_SAFE_INTEGER ? "" : max}, got '${text}'`);
  return v;
}

function positive(text: string, flag: string): number {
  const v = Number(text);
  if (!Number.isFinite(v) || v <= 0) throw new Error(`${flag} expects a positive number, got '${text}'`);
  return v;
}

interface SimDataFlags {
  out: string;
  episodes: string;
  steps: string;
  size: string;
  supersample: string;
  seed: string;
  policy: SimPolicyMix;
  maxnorm: string;
  json?: boolean;
}

interface SimRenderFlags {
  seed: string;
  out: string;
  task: SimTask;
  size: string;
  supersample: string;
  scale: string;
}

/** Adds `sim-data` and `sim-render` to the program. */
export function registerSimCommands(program: Command): void {
  program
    .command("sim-data")
    .description("generate simulator episodes for training a miniature world model: DIR/frames.npy, states.npy, actions.npy, meta.json")
    .requiredOption("--out <dir>", "output directory (created; existing files are replaced)")
    .option("--episodes <n>", "number of episodes E", "500")
    .option("--steps <t>", "frames per episode T (T − 1 actions)", "16")
    .option("--size <px>", "image width and height (px)", "64")
    .option("--supersample <n>", "anti-aliasing rays per pixel per axis", "2")
    .option("--seed <n>", "base seed (episode e uses a seed derived from it)", "0")
    .addOption(new Option("--policy <mix>", "data-collection policies").choices([...SIM_POLICY_MIXES]).default("mixed"))
    .option("--maxnorm <m>", "bound of |dx|, |dy|, |dz| per step (m)", "0.075")
    .option("--json", "print the result as one JSON object")
    .action((flags: SimDataFlags) => {
      const episodes = integer(flags.episodes, "--episodes", 1);
      const steps = integer(flags.steps, "--steps", 2);
      const size = integer(flags.size, "--size", 16, 512);
      const supersample = integer(flags.supersample, "--supersample", 1, 8);
      const seed = integer(flags.seed, "--seed", Number.MIN_SAFE_INTEGER);
      const maxnorm = positive(flags.maxnorm, "--maxnorm");
      const bar = process.stderr.isTTY ? new SingleBar({ format: "sim-data [{bar}] {value}/{total} episodes | {eta_formatted} left", stream: process.stderr }, Presets.shades_classic) : null;
      bar?.start(episodes, 0);
      let summary;
      try {
        summary = writeSimDataset({ out: flags.out, episodes, steps, size, supersample, seed, policy: flags.policy, maxnorm, onProgress: (done) => bar?.update(done) });
      } finally {
        bar?.stop();
      }
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(summary)}\n`);
      } else {
        const rate = (summary.episodes * summary.steps) / (summary.elapsedMs / 1000);
        process.stdout.write(
          `${summary.out}: ${summary.episodes} episodes × ${summary.steps} frames at ${size}×${size} in ${(summary.elapsedMs / 1000).toFixed(1)} s (${rate.toFixed(0)} frames/s); ` +
            `${summary.episodesWithGrasp} episodes with a grasp; ${Object.entries(summary.counts).map(([k, v]) => `${k} ${v}`).join(", ")}\n`,
        );
      }
    });

  program
    .command("sim-render")
    .description("render a simulator start frame and its goal image(s) side by side as PNG")
    .requiredOption("--out <file.png>", "PNG file to write")
    .option("--seed <n>", "episode seed", "0")
    .addOption(new Option("--task <task>", "task whose goals to show").choices([...SIM_TASKS]).default("reach"))
    .option("--size <px>", "image size (px) of each frame", "64")
    .option("--supersample <n>", "anti-aliasing rays per pixel per axis", "2")
    .option("--scale <k>", "nearest-neighbour upscaling of the PNG, for viewing", "4")
    .action((flags: SimRenderFlags) => {
      const sim = new TabletopSim({ size: integer(flags.size, "--size", 16, 512), supersample: integer(flags.supersample, "--supersample", 1, 8) });
      const r = sim.reset(integer(flags.seed, "--seed", Number.MIN_SAFE_INTEGER), flags.task);
      const images = [r.image, ...r.goals.map((g) => g.image!)];
      const strip = imageStrip(images, { scale: integer(flags.scale, "--scale", 1, 16), gap: 4 });
      fs.mkdirSync(path.dirname(path.resolve(flags.out)), { recursive: true });
      fs.writeFileSync(flags.out, encodePng(strip));
      const fmt = (p: number[]): string => `[${p.map((v) => v.toFixed(3)).join(", ")}]`;
      process.stdout.write(
        `${flags.out}: ${flags.task} seed ${flags.seed}: start ${fmt(r.state)}; ${r.goals.map((g, i) => `goal ${i + 1} (${g.label}) ${fmt(g.pose)}`).join("; ")}\n`,
      );
    });
}
