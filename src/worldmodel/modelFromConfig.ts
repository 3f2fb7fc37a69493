/**
 * The world model a configuration names (`world_model.*`): the package directory, or the embedded demo
 * model when `world_model.model` is empty, on the configured execution provider.
 */
import * as path from "node:path";
import type { Config } from "../config/parameters";
import { createLogger, type Logger } from "../log";
import { OnnxWorldModel } from "./OnnxWorldModel";
import type { ProviderName } from "./sessionProtocol";

/** The embedded demo model (trained on the tabletop simulator by tools/train), shipped in models/; one camera. */
export const EMBEDDED_MODEL = path.join(__dirname, "..", "..", "models", "vjepa2-ac-sim");

/**
 * The embedded two-camera model (the same encoder; a predictor trained on both views), shipped in models/:
 * the reach demo's, where one camera could not tell an offset along its line of sight.
 */
export const EMBEDDED_TWO_VIEW_MODEL = path.join(__dirname, "..", "..", "models", "vjepa2-ac-sim-2view");

/** The package directory `world_model.model` names: itself, or EMBEDDED_MODEL when empty. */
export function modelDirFromConfig(config: Config): string {
  return config.world_model.model === "" ? EMBEDDED_MODEL : config.world_model.model;
}

/** Loads the world model the configuration names; says so in the log when it is the embedded one. */
export async function loadModelFromConfig(config: Config, logger: Logger = createLogger("vjepa2-mpc")): Promise<OnnxWorldModel> {
  const w = config.world_model;
  if (w.model === "") logger.warn({ model: EMBEDDED_MODEL }, "world_model.model is not set: using the embedded demo model (trained on the simulator only)");
  const model = await OnnxWorldModel.load(modelDirFromConfig(config), {
    provider: { name: w.provider as ProviderName, required: w.provider_required, deviceId: w.device_id, intraOpThreads: w.threads },
    maxBatch: w.max_batch > 0 ? w.max_batch : undefined,
    logger,
  });
  // The GPU path is the fp16 package: half the weights in GPU memory, half the per-iteration context and
  // goal uploads (onnxruntime-node cannot keep CUDA inputs on the device between runs), tensor-core matmuls.
  if (w.provider !== "cpu" && model.pkg.dtype === "fp32") {
    logger.warn(
      { provider: w.provider, dtype: model.pkg.dtype, model: model.pkg.dir },
      `world_model.provider is ${w.provider} but the package is fp32: export it with --dtype fp16 for the GPU (tools/export/README.md)`,
    );
  }
  return model;
}
