/**
 * `vjepa2-mpc info | encode | predict | rollout`: run a model package offline on `.npy` files, for labs
 * checking an export against their own PyTorch numbers.
 */
import { Command, Option } from "commander";
import { readFloatNpy, writeFloatNpy } from "../io/npyFile";
import { createLogger } from "../log";
import { imagesToBatch, preprocessOptionsFor, readImages } from "../worldmodel/imageInput";
import { OnnxWorldModel, readModelPackage } from "../worldmodel/OnnxWorldModel";
import type { ProviderName } from "../worldmodel/sessionProtocol";
import { tensor } from "../tensor/tensor";
import { integerFlag } from "./flagValues";

interface ModelFlags {
  model: string;
  provider: ProviderName;
  providerRequired?: boolean;
  threads: string;
  maxBatch?: string;
}

/** Adds the options every model command shares. */
export function withModelOptions(cmd: Command): Command {
  return cmd
    .requiredOption("--model <dir>", "model package directory (model.json + ONNX graphs)")
    .addOption(new Option("--provider <name>", "ONNX Runtime execution provider").choices(["cpu", "cuda", "tensorrt", "webgpu"]).default("cpu"))
    .option("--provider-required", "fail instead of falling back to cpu when the provider is unavailable")
    .option("--threads <n>", "ONNX Runtime intra-op threads (0 = one per core)", "0")
    .option("--max-batch <n>", "split batches larger than this across graph runs (bounds memory)");
}

/** Loads the package named by the shared flags. */
export async function loadModel(flags: ModelFlags, extra: { disableFusedRollout?: boolean } = {}): Promise<OnnxWorldModel> {
  return OnnxWorldModel.load(flags.model, {
    provider: { name: flags.provider, required: flags.providerRequired === true, intraOpThreads: integerFlag(flags.threads, "--threads", 0) },
    maxBatch: flags.maxBatch === undefined ? undefined : integerFlag(flags.maxBatch, "--max-batch", 0),
    disableFusedRollout: extra.disableFusedRollout,
    logger: createLogger("vjepa2-mpc"),
  });
}

async function withModel<T>(flags: ModelFlags, extra: { disableFusedRollout?: boolean }, body: (m: OnnxWorldModel) => Promise<T>): Promise<T> {
  const model = await loadModel(flags, extra);
  try {
    return await body(model);
  } finally {
    await model.close();
  }
}

function report(obj: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify(obj)}\n`);
}

export function registerWorldModelCommands(program: Command): void {
  program
    .command("info")
    .description("validate a model package and print its dimensions")
    .requiredOption("--model <dir>", "model package directory")
    .action((flags: { model: string }) => {
      const pkg = readModelPackage(flags.model);
      report({
        name: pkg.name,
        dtype: pkg.dtype,
        image_size: pkg.imageSize,
        views: pkg.views,
        tokens_per_frame: pkg.tokensPerFrame,
        embed_dim: pkg.embedDim,
        max_context_frames: pkg.maxContextFrames,
        rollout_horizons: [...pkg.graphs.rollout.keys()],
        // Files to copy along with the graphs (format 2); empty for format 1.
        external_data: pkg.externalData.map((f) => ({ file: f.file, bytes: f.bytes, used_by: f.usedBy })),
        source: pkg.source,
      });
    });

  withModelOptions(program.command("encode"))
    .description("encode images to layer-normed tokens [B,N,D]")
    .requiredOption("--images <files...>", "a .npy of uint8 RGB [B,H,W,3], or JPEG/PNG files")
    .requiredOption("--out <file>", "output .npy, float32 [B,N,D]")
    .addOption(
      new Option("--resize <mode>", "how images of another shape become the model's (square, or views side by side)")
        .choices(["center_crop", "squash"])
        .default("center_crop"),
    )
    .action(async (flags: ModelFlags & { images: string[]; out: string; resize: "center_crop" | "squash" }) => {
      await withModel(flags, {}, async (model) => {
        const frames = imagesToBatch(readImages(flags.images), preprocessOptionsFor(model.pkg, flags.resize));
        const start = performance.now();
        const tokens = await model.encode(frames);
        writeFloatNpy(flags.out, tokens);
        report({ out: flags.out, shape: tokens.dims, ms: Math.round(performance.now() - start) });
      });
    });

  withModelOptions(program.command("predict"))
    .description("predict the next frame's tokens [B,N,D] from T frames of context")
    .requiredOption("--tokens <file>", ".npy float32 [B,T·N,D] context tokens (layer-normed)")
    .requiredOption("--actions <file>", ".npy float32 [B,T,7] actions")
    .requiredOption("--states <file>", ".npy float32 [B,T,7] states")
    .requiredOption("--out <file>", "output .npy, float32 [B,N,D]")
    .action(async (flags: ModelFlags & { tokens: string; actions: string; states: string; out: string }) => {
      const tokens = readFloatNpy(flags.tokens);
      const actions = readFloatNpy(flags.actions);
      const states = readFloatNpy(flags.states);
      await withModel(flags, {}, async (model) => {
        const start = performance.now();
        const next = await model.predict(tokens, actions, states);
        writeFloatNpy(flags.out, next);
        report({ out: flags.out, shape: next.dims, ms: Math.round(performance.now() - start) });
      });
    });

  withModelOptions(program.command("rollout"))
    .description("energies [S] of S action sequences: mean |predicted final frame − goal|")
    .requiredOption("--context <file>", ".npy float32 [1,N,D] current frame tokens")
    .requiredOption("--goal <file>", ".npy float32 [1,N,D] goal tokens")
    .requiredOption("--state <file>", ".npy float32 [7] or [1,7] current state")
    .requiredOption("--actions <file>", ".npy float32 [S,H,7] candidate action sequences")
    .requiredOption("--out <file>", "output .npy, float32 [S]")
    .option("--poses-out <file>", "also write the propagated poses [S,H+1,7]")
    .option("--no-fused", "use the one-step predictor graph even if a fused rollout graph exists")
    .action(async (flags: ModelFlags & { context: string; goal: string; state: string; actions: string; out: string; posesOut?: string; fused: boolean }) => {
      const context = readFloatNpy(flags.context);
      const goal = readFloatNpy(flags.goal);
      const stateRaw = readFloatNpy(flags.state);
      const state = stateRaw.dims.length === 1 ? tensor(stateRaw.data, [1, stateRaw.dims[0]], flags.state) : stateRaw;
      const actions = readFloatNpy(flags.actions);
      await withModel(flags, { disableFusedRollout: !flags.fused }, async (model) => {
        const start = performance.now();
        const r = await model.rolloutEnergy(context, goal, state, actions);
        writeFloatNpy(flags.out, tensor(r.energy, [r.energy.length]));
        if (flags.posesOut !== undefined) writeFloatNpy(flags.posesOut, tensor(r.poses, [actions.dims[0], actions.dims[1] + 1, 7]));
        const fused = model.info.fusedHorizons.includes(actions.dims[1]);
        report({
          out: flags.out,
          samples: r.energy.length,
          fused,
          model_calls: r.modelCalls,
          model_ms: Math.round(r.modelMs),
          ms: Math.round(performance.now() - start),
        });
      });
    });
}
