/**
 * `vjepa2-mpc convert-droid` (raw DROID episode → rosbag2 MCAP bag in the recording convention) and
 * `vjepa2-mpc bag-info` (topics, counts, time span and damage of a bag).
 */
import { Command } from "commander";
import { BagReader, formatDamage } from "../bag/BagReader";
import { convertDroidEpisode } from "../bag/convertDroid";
import { createLogger } from "../log";
import { numberFlag } from "./flagValues";

function parseSize(text: string): { width: number; height: number } {
  const m = /^(\d+)x(\d+)$/.exec(text);
  if (m === null || Number(m[1]) < 1 || Number(m[2]) < 1) throw new Error(`--size expects WIDTHxHEIGHT in pixels (e.g. 256x256), got '${text}'`);
  return { width: Number(m[1]), height: Number(m[2]) };
}

export function registerBagCommands(program: Command): void {
  program
    .command("convert-droid")
    .description("convert a raw DROID episode (trajectory.h5 + recordings/MP4) into a rosbag2 MCAP bag (needs ffmpeg)")
    .argument("<episode_dir>", "DROID episode folder")
    .requiredOption("--out <bag_dir>", "bag directory to create (must not exist or be empty)")
    .option("--camera <name>", "camera serial, or ext1 / ext2 / wrist (default: the first exterior camera)")
    .option("--fps <hz>", "output frame rate; every ceil(15/fps)-th control step is kept", "4")
    .option("--compressed", "write sensor_msgs/CompressedImage JPEG on /camera/image_raw/compressed instead of rgb8 Image")
    .option("--size <WxH>", "resize frames (pixels)")
    .option("--json", "print the result as one JSON object")
    .action(async (episodeDir: string, flags: { out: string; camera?: string; fps: string; compressed?: boolean; size?: string; json?: boolean }) => {
      const fps = numberFlag(flags.fps, "--fps", 0, true);
      const result = await convertDroidEpisode(episodeDir, flags.out, {
        camera: flags.camera,
        fps,
        compressed: flags.compressed === true,
        size: flags.size === undefined ? undefined : parseSize(flags.size),
        logger: createLogger("convert-droid"),
      });
      if (flags.json) process.stdout.write(`${JSON.stringify(result)}\n`);
      else
        process.stdout.write(
          `${result.bag}: ${result.frames} frames from camera ${result.camera} (every ${result.stride} of ${result.steps} steps), ${result.actions} actions, ${(result.elapsedMs / 1000).toFixed(1)} s\n`,
        );
    });

  program
    .command("bag-info")
    .description("list the topics of a rosbag2 MCAP bag (directory or .mcap) with types and counts; report damage")
    .argument("<bag>", "bag directory or .mcap file")
    .option("--json", "print one JSON object")
    .action(async (bag: string, flags: { json?: boolean }) => {
      const reader = await BagReader.open(bag);
      try {
        const topics = reader.topics();
        const m = reader.metadata;
        if (flags.json) {
          process.stdout.write(
            `${JSON.stringify({ topics, damage: reader.damage, starting_time_ns: m?.starting_time.nanoseconds_since_epoch.toString(), duration_ns: m?.duration.nanoseconds.toString() })}\n`,
          );
          return;
        }
        const lines = topics.map((t) => `${t.name}  ${t.type}  ${t.messageCount}`);
        if (m !== null) lines.unshift(`duration ${(Number(m.duration.nanoseconds) / 1e9).toFixed(3)} s, ${m.message_count} messages`);
        for (const d of reader.damage) lines.push(`DAMAGED: ${formatDamage(d)}`);
        process.stdout.write(`${lines.join("\n")}\n`);
      } finally {
        await reader.close();
      }
    });
}
