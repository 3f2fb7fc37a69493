/**
 * Parity of the exported ONNX packages with the upstream PyTorch implementation (../shared/reference).
 * Runs on the committed fixture and on any package listed in VJEPA2_PARITY_PACKAGES (CI adds a fresh export).
 */
import * as path from "node:path";
import { readFloatNpy } from "../../src/io/npyFile";
import { imagesToBatch, preprocessOptionsFor, readImages } from "../../src/worldmodel/imageInput";
import { OnnxWorldModel } from "../../src/worldmodel/OnnxWorldModel";
import { TINY_MODEL, maxAbsDiff } from "../helpers/fixtures";
import { describeWithReference } from "../helpers/reference";

const packages = [TINY_MODEL, ...(process.env.VJEPA2_PARITY_PACKAGES ?? "").split(",").filter((p) => p.length > 0)];

describeWithReference("parity with upstream V-JEPA 2-AC (fp32)", (dir) => {
  const ref = (name: string) => readFloatNpy(path.join(dir, "ac-tiny", `${name}.npy`));

  describe.each(packages)("%s", (pkgDir) => {
    let model: OnnxWorldModel;
    beforeAll(async () => {
      model = await OnnxWorldModel.load(pkgDir);
    });
    afterAll(async () => model.close());

    it("encoder tokens from the upstream normalised frames (max abs error ≤ 1e-4)", async () => {
      const tokens = await model.encode(ref("frames_normalized"));
      expect(tokens.dims).toEqual([3, 16, 96]);
      expect(maxAbsDiff(tokens.data, ref("encoder_tokens").data)).toBeLessThanOrEqual(1e-4);
    });

    it("encoder tokens from raw uint8 images through the TypeScript preprocessing", async () => {
      const images = readImages([path.join(dir, "ac-tiny", "images_u8.npy")]);
      const tokens = await model.encode(imagesToBatch(images, preprocessOptionsFor(model.pkg, "center_crop")));
      expect(maxAbsDiff(tokens.data, ref("encoder_tokens").data)).toBeLessThanOrEqual(1e-4);
    });

    it("one-step prediction over 3 frames of context (max abs error ≤ 1e-4)", async () => {
      const next = await model.predict(ref("pred_tokens"), ref("pred_actions"), ref("pred_states"));
      expect(next.dims).toEqual([2, 16, 96]);
      expect(maxAbsDiff(next.data, ref("pred_next_normalized").data)).toBeLessThanOrEqual(1e-4);
    });

    it.each([1, 2])("fused rollout energies and poses, H = %i (energy error ≤ 1e-5)", async (h) => {
      const r = await model.rolloutEnergy(ref(`rollout_h${h}_context`), ref(`rollout_h${h}_goal`), ref(`rollout_h${h}_state`), ref(`rollout_h${h}_actions`));
      expect(r.modelCalls).toBe(1);
      expect(maxAbsDiff(r.energy, ref(`rollout_h${h}_energy`).data)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff(r.poses, ref(`rollout_h${h}_poses`).data)).toBeLessThanOrEqual(1e-5);
    });
  });

  describe("step-graph rollout (no fused graph)", () => {
    let model: OnnxWorldModel;
    beforeAll(async () => {
      model = await OnnxWorldModel.load(TINY_MODEL, { disableFusedRollout: true, maxBatch: 2 });
    });
    afterAll(async () => model.close());

    it.each([1, 2])("gives the upstream energies too, H = %i, in batches of 2", async (h) => {
      const actions = ref(`rollout_h${h}_actions`);
      const r = await model.rolloutEnergy(ref(`rollout_h${h}_context`), ref(`rollout_h${h}_goal`), ref(`rollout_h${h}_state`), actions);
      expect(model.info.fusedHorizons).toEqual([]);
      expect(r.modelCalls).toBe(h * Math.ceil(actions.dims[0] / 2));
      expect(maxAbsDiff(r.energy, ref(`rollout_h${h}_energy`).data)).toBeLessThanOrEqual(1e-5);
      expect(maxAbsDiff(r.poses, ref(`rollout_h${h}_poses`).data)).toBeLessThanOrEqual(1e-5);
    });
  });
});
