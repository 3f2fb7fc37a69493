import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { readFloatNpy, readNpy, writeNpy } from "../../src/io/npyFile";
import { runCli } from "../helpers/cli";
import { TINY_MODEL, VIEWS2_MODEL, maxAbsDiff } from "../helpers/fixtures";
import { describeWithReference } from "../helpers/reference";

describeWithReference("vjepa2-mpc encode / predict / rollout reproduce upstream", (dir) => {
  const ref = (name: string) => path.join(dir, "ac-tiny", `${name}.npy`);
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-cli-"));

  it("encode: uint8 images → tokens (≤ 1e-4)", async () => {
    const r = await runCli(["encode", "--model", TINY_MODEL, "--images", ref("images_u8"), "--out", path.join(out, "tokens.npy")]);
    expect(r.stderr).not.toMatch(/vjepa2-mpc:/);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).shape).toEqual([3, 16, 96]);
    expect(maxAbsDiff(readFloatNpy(path.join(out, "tokens.npy")).data, readFloatNpy(ref("encoder_tokens")).data)).toBeLessThanOrEqual(1e-4);
  });

  it("predict: tokens, actions, states → next tokens (≤ 1e-4)", async () => {
    const r = await runCli([
      "predict",
      "--model",
      TINY_MODEL,
      "--tokens",
      ref("pred_tokens"),
      "--actions",
      ref("pred_actions"),
      "--states",
      ref("pred_states"),
      "--out",
      path.join(out, "next.npy"),
    ]);
    expect(r.code).toBe(0);
    expect(maxAbsDiff(readFloatNpy(path.join(out, "next.npy")).data, readFloatNpy(ref("pred_next_normalized")).data)).toBeLessThanOrEqual(1e-4);
  });

  it.each([
    [1, true],
    [2, true],
    [2, false],
  ])("rollout H=%i (fused graph: %s) → energies (≤ 1e-5) and poses", async (h, fused) => {
    const args = [
      "rollout",
      "--model",
      TINY_MODEL,
      "--context",
      ref(`rollout_h${h}_context`),
      "--goal",
      ref(`rollout_h${h}_goal`),
      "--state",
      ref(`rollout_h${h}_state`),
      "--actions",
      ref(`rollout_h${h}_actions`),
    ];
    const e = path.join(out, `energy_${h}_${fused}.npy`);
    const p = path.join(out, `poses_${h}_${fused}.npy`);
    const r = await runCli([...args, "--out", e, "--poses-out", p, ...(fused ? [] : ["--no-fused"])]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ samples: 5, fused, model_calls: fused ? 1 : h });
    expect(maxAbsDiff(readFloatNpy(e).data, readFloatNpy(ref(`rollout_h${h}_energy`)).data)).toBeLessThanOrEqual(1e-5);
    expect(readFloatNpy(p).dims).toEqual([5, h + 1, 7]);
    expect(maxAbsDiff(readFloatNpy(p).data, readFloatNpy(ref(`rollout_h${h}_poses`)).data)).toBeLessThanOrEqual(1e-5);
  });
});

describe("vjepa2-mpc command errors", () => {
  it("exits 1 with one clear line for a missing package", async () => {
    const r = await runCli(["encode", "--model", "/nope", "--images", "x.png", "--out", "/tmp/x.npy"]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe("vjepa2-mpc: no model package at /nope: model.json not found (export one with tools/export/export.py)");
  });

  it("exits 1 naming a file that is not .npy", async () => {
    const bad = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-cli-")), "bad.npy");
    fs.writeFileSync(bad, "hello");
    const r = await runCli(["predict", "--model", TINY_MODEL, "--tokens", bad, "--actions", bad, "--states", bad, "--out", "/tmp/x.npy"]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`vjepa2-mpc: ${bad}: not a .npy file`);
  });

  it("info prints the package summary", async () => {
    const r = await runCli(["info", "--model", TINY_MODEL]);
    expect(r.code).toBe(0);
    const info = JSON.parse(r.stdout);
    expect(info).toMatchObject({ name: "ac-tiny", dtype: "fp32", image_size: 64, views: 1, tokens_per_frame: 16, embed_dim: 96, rollout_horizons: [1, 2] });
    expect(info.external_data).toEqual([
      {
        file: "predictor.weights",
        bytes: fs.statSync(path.join(TINY_MODEL, "predictor.weights")).size,
        used_by: ["predictor.onnx", "rollout_h1.onnx", "rollout_h2.onnx"],
      },
    ]);
    const two = JSON.parse((await runCli(["info", "--model", VIEWS2_MODEL])).stdout);
    expect(two).toMatchObject({ image_size: 32, views: 2, tokens_per_frame: 8 });
  });

  it("encode takes two-view frames side by side", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-enc2-"));
    const images = path.join(dir, "frames.npy");
    writeNpy(images, { dtype: "uint8", shape: [2, 32, 64, 3], data: new Uint8Array(2 * 32 * 64 * 3).map((_, i) => (i * 7) % 251) });
    const out = path.join(dir, "tokens.npy");
    const r = await runCli(["encode", "--model", VIEWS2_MODEL, "--images", images, "--out", out]);
    expect(r.code).toBe(0);
    expect(readNpy(out).shape).toEqual([2, 8, 32]);
  });
});
