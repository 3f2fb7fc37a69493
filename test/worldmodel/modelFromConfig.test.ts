import pino from "pino";
import { resolveConfig } from "../../src/config/configFile";
import { loadModelFromConfig } from "../../src/worldmodel/modelFromConfig";
import { TINY_MODEL, TINY_MODEL_FP16 } from "../helpers/fixtures";

function captureLogger(): { logger: pino.Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const logger = pino({ level: "debug" }, { write: (s: string) => lines.push(JSON.parse(s)) });
  return { logger, lines };
}

describe("loadModelFromConfig", () => {
  it("warns when a GPU provider is asked for with an fp32 package, not with an fp16 one or on cpu", async () => {
    const fp16Warnings = async (model: string, provider: string): Promise<number> => {
      const { logger, lines } = captureLogger();
      const m = await loadModelFromConfig(resolveConfig([], { "world_model.model": model, "world_model.provider": provider }), logger);
      await m.close();
      return lines.filter((l) => /export it with --dtype fp16/.test(String(l.msg))).length;
    };
    expect(await fp16Warnings(TINY_MODEL, "cuda")).toBe(1);
    expect(await fp16Warnings(TINY_MODEL_FP16, "cuda")).toBe(0);
    expect(await fp16Warnings(TINY_MODEL, "cpu")).toBe(0);
  }, 60_000);
});
