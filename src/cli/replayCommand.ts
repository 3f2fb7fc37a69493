/**
 * `vjepa2-mpc replay BAG --model DIR [--config FILE] [--goal-every K | --goal-frame last] [--report OUT]`:
 * what the planner would have done on a recording, compared with what was recorded.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { resolveConfig } from "../config/configFile";
import { createLogger } from "../log";
import { renderReplayHtml } from "../replay/htmlReport";
import { replayBag } from "../replay/replayBag";
import type { ReplayReport } from "../replay/ReplayReport";
import { preprocessOptionsFor } from "../worldmodel/imageInput";
import { loadModelFromConfig } from "../worldmodel/modelFromConfig";
import { integerFlag } from "./flagValues";

/** Writes the report as JSON or HTML by the file's extension (atomically). */
export function writeReport(file: string, report: ReplayReport): void {
  const ext = path.extname(file).toLowerCase();
  if (ext !== ".json" && ext !== ".html") throw new Error(`--report ${file}: use a .json or .html file name`);
  fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  const tmp = `${file}.tmp-${process.pid}`;
  fs.writeFileSync(tmp, ext === ".json" ? `${JSON.stringify(report, null, 1)}\n` : renderReplayHtml(report));
  fs.renameSync(tmp, file);
}

function summaryText(r: ReplayReport): string {
  const pct = (x: number | null) => (x === null ? "n/a" : `${(100 * x).toFixed(1)}%`);
  const a = r.agreement;
  const lines = [
    `frames    read ${r.frames.read}, encoded ${r.frames.encoded}, planned ${r.frames.planned}, dropped ${r.frames.droppedStale + r.frames.droppedSuperseded}, rejected ${r.frames.rejected}`,
    `agreement cosine ${a.meanCosine === null ? "n/a" : a.meanCosine.toFixed(3)}, xyz signs ${pct(a.signAgreement)} (x ${pct(a.signAgreementPerAxis[0])}, y ${pct(a.signAgreementPerAxis[1])}, z ${pct(a.signAgreementPerAxis[2])}), gripper ${pct(a.gripperAgreement)} over ${a.steps} steps`,
    `latency   ${r.latencyMs === null ? "n/a" : `median ${r.latencyMs.median.toFixed(0)} ms (p10 ${r.latencyMs.p10.toFixed(0)}, p90 ${r.latencyMs.p90.toFixed(0)})`}`,
  ];
  if (r.problems.length > 0)
    lines.push(`problems  ${r.problems.length}:`, ...r.problems.slice(0, 20).map((p) => `  frame ${p.frameIndex ?? "-"}: ${p.reason}`));
  return `${lines.join("\n")}\n`;
}

export function registerReplayCommand(program: Command): void {
  program
    .command("replay")
    .description("replay a rosbag2 recording through the camera, planner and actuator nodes in simulated time and compare plans with the recorded actions")
    .argument("<bag>", "rosbag2 directory (metadata.yaml + .mcap) or a single .mcap file")
    .option("--model <dir>", "model package directory (overrides world_model.model)")
    .option("--config <files...>", "YAML configuration file(s)")
    .option("--goal-every <k>", "goals are the frames K ahead (sub-goals every K frames)")
    .option("--goal-frame <which>", "goal is this frame of the bag (only 'last')")
    .option("--samples <n>", "CEM samples per iteration (overrides planner.samples)")
    .option("--iterations <n>", "CEM iterations (overrides planner.iterations)")
    .option("--report <files...>", "write the report: FILE.json and/or FILE.html (self-contained, with plots)")
    .option("--landscape-grid <n>", "side of the (dx, dz) energy-landscape grid (0: none)", "11")
    .option("--json", "print the whole report as JSON on stdout")
    .action(
      async (
        bag: string,
        flags: {
          model?: string;
          config?: string[];
          goalEvery?: string;
          goalFrame?: string;
          samples?: string;
          iterations?: string;
          report?: string[];
          landscapeGrid: string;
          json?: boolean;
        },
      ) => {
        if (flags.goalEvery !== undefined && flags.goalFrame !== undefined) throw new Error("give either --goal-every K or --goal-frame last, not both");
        if (flags.goalFrame !== undefined && flags.goalFrame !== "last") throw new Error(`--goal-frame supports 'last', got '${flags.goalFrame}'`);
        const goal = flags.goalFrame === "last" ? ({ frame: "last" } as const) : { every: integerFlag(flags.goalEvery ?? "8", "--goal-every", 1) };
        const overrides: Record<string, unknown> = {};
        if (flags.model !== undefined) overrides["world_model.model"] = flags.model;
        if (flags.samples !== undefined) overrides["planner.samples"] = integerFlag(flags.samples, "--samples", 1);
        if (flags.iterations !== undefined) overrides["planner.iterations"] = integerFlag(flags.iterations, "--iterations", 1);
        const config = resolveConfig(flags.config ?? [], overrides);
        for (const f of flags.report ?? [])
          if (![".json", ".html"].includes(path.extname(f).toLowerCase())) throw new Error(`--report ${f}: use a .json or .html file name`);
        const log = createLogger("vjepa2-mpc.replay");
        const model = await loadModelFromConfig(config);
        const bar = process.stderr.isTTY
          ? new SingleBar({ format: "replay [{bar}] {value}/{total} frames | {eta_formatted} left", hideCursor: true, stream: process.stderr })
          : null;
        try {
          const report = await replayBag({
            bag,
            model,
            modelName: model.info.name,
            config,
            goal,
            preprocess: preprocessOptionsFor(model.pkg, config.world_model.resize as "center_crop" | "squash"),
            landscapeGrid: integerFlag(flags.landscapeGrid === "0" ? "1" : flags.landscapeGrid, "--landscape-grid", 1),
            onProgress: (done, total) => {
              if (bar === null) return;
              if (done === 1) bar.start(total, 0);
              bar.update(done);
            },
            log,
          });
          bar?.stop();
          for (const f of flags.report ?? []) writeReport(f, report);
          process.stdout.write(flags.json ? `${JSON.stringify(report)}\n` : summaryText(report));
        } finally {
          bar?.stop();
          await model.close();
        }
      },
    );
}
