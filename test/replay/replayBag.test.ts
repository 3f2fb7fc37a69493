import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { BagReader } from "../../src/bag/BagReader";
import { BagWriter } from "../../src/bag/BagWriter";
import { timeFromNanoseconds } from "../../src/ros/messages";
import { sampleStamp } from "../bag/sampleBag";
import { resolveConfig } from "../../src/config/configFile";
import { replayBag } from "../../src/replay/replayBag";
import { cosineXyz, signAgreementXyz, summariseAgreement } from "../../src/replay/agreement";
import { OnnxWorldModel } from "../../src/worldmodel/OnnxWorldModel";
import { preprocessOptionsFor } from "../../src/worldmodel/imageInput";
import { TINY_MODEL } from "../helpers/fixtures";
import { repoRoot } from "../helpers/reference";

const SAMPLE_BAG = path.join(repoRoot, "test", "fixtures", "bags", "sample");

describe("agreement metrics", () => {
  it("cosine, per-axis signs with a dead band, and the summary", () => {
    expect(cosineXyz([1, 0, 0, 0, 0, 0, 0], [2, 0, 0, 0, 0, 0, 0])).toBeCloseTo(1, 12);
    expect(cosineXyz([1, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0])).toBeCloseTo(0, 12);
    expect(cosineXyz([0, 0, 0, 0, 0, 0, 0], [0, 1, 0, 0, 0, 0, 0])).toBeNull();
    expect(signAgreementXyz([0.01, -0.01, 0.0005], [0.02, 0.01, -0.0002])).toEqual([true, false, true]);
    const s = summariseAgreement([
      { planned: [0.01, 0, 0, 0, 0, 0, 0.5], recorded: [0.02, 0, 0, 0, 0, 0, 0.3] },
      { planned: [-0.01, 0, 0, 0, 0, 0, 0], recorded: [0.02, 0, 0, 0, 0, 0, 0.3] },
    ]);
    expect(s).toMatchObject({ steps: 2, meanCosine: 0, gripperAgreement: 0.5 });
    expect(s.signAgreementPerAxis).toEqual([0.5, 1, 1]);
  });
});

describe("replayBag on the sample bag", () => {
  let model: OnnxWorldModel;
  beforeAll(async () => {
    model = await OnnxWorldModel.load(TINY_MODEL);
  });
  afterAll(async () => model.close());
  /** A small replay of `bag` towards its last frame, without the energy landscape. */
  const replayToLastFrame = (bag: string) =>
    replayBag({
      bag,
      model,
      modelName: "ac-tiny",
      config: resolveConfig([], { "planner.samples": 16, "planner.iterations": 1, "planner.topk": 4 }),
      goal: { frame: "last" },
      preprocess: preprocessOptionsFor(model.pkg, "center_crop"),
      landscapeGrid: 0,
    });

  it("plans every frame against later frames and compares with the recorded actions", async () => {
    const config = resolveConfig([], { "planner.samples": 32, "planner.iterations": 2, "planner.topk": 4 });
    const progress: number[] = [];
    const report = await replayBag({
      bag: SAMPLE_BAG,
      model,
      modelName: "ac-tiny",
      config,
      goal: { every: 5 },
      preprocess: preprocessOptionsFor(model.pkg, "center_crop"),
      landscapeGrid: 5,
      onProgress: (done) => progress.push(done),
    });
    const n = report.frames.read;
    expect(n).toBe(20);
    expect(progress.at(-1)).toBe(n);
    expect(report.frames).toMatchObject({ encoded: n, rejected: 0, droppedStale: 0 });
    expect(report.frames.planned).toBe(n);
    expect(report.steps.map((s) => s.frameIndex)).toEqual([...Array(n).keys()]);
    expect(report.steps.map((s) => s.goalFrameIndex)).toEqual([...Array(n).keys()].map((i) => Math.min(19, (Math.floor(i / 5) + 1) * 5)));
    expect(report.steps.slice(0, -1).every((s) => s.recorded !== null && s.planned !== null && s.commanded !== null)).toBe(true);
    expect(report.steps.at(-1)?.recorded).toBeNull();
    expect(report.agreement.steps).toBe(n - 1);
    expect(report.latencyMs?.median).toBeGreaterThan(0);
    expect(report.problems).toEqual([]);
    expect(report.landscape?.energy).toHaveLength(5);
    expect(report.landscape?.energy[0]).toHaveLength(5);
  }, 120000);

  it("keeps frames that share a stamp apart: one report row per played frame", async () => {
    // A copy of the sample bag whose frames 4 and 5 carry the same stamp (a camera driver that stamps
    // with a coarse clock does this); states follow their frames.
    const dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-samestamp-")), "bag");
    const reader = await BagReader.open(SAMPLE_BAG);
    const writer = await BagWriter.create(dir, { fileName: "same_0.mcap" });
    for (const t of reader.topics()) await writer.addTopic(t.name, t.type);
    for await (const m of reader.messages()) {
      const msg = m.message as { header?: { stamp: { sec: number; nanosec: number } } };
      const k = Number((m.logTime - sampleStamp(0)) / 250_000_000n);
      if (k === 5 && msg.header) msg.header.stamp = timeFromNanoseconds(sampleStamp(4));
      await writer.write(m.topic, m.message, k === 5 ? sampleStamp(4) : m.logTime);
    }
    await reader.close();
    await writer.close();
    const report = await replayToLastFrame(dir);
    expect(report.frames.read).toBe(20);
    // Before the fix both steps were filed under frame 5 (the stamp's last frame), frame 4 had none.
    expect(report.steps.map((s) => s.frameIndex)).toEqual([...Array(20).keys()]);
    expect(new Set(report.steps.map((s) => s.frameIndex)).size).toBe(report.steps.length);
  }, 60000);

  it("reads a truncated bag up to the damage and reports it", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-trunc-"));
    const mcap = fs.readdirSync(SAMPLE_BAG).find((f) => f.endsWith(".mcap")) as string;
    const bytes = fs.readFileSync(path.join(SAMPLE_BAG, mcap));
    fs.writeFileSync(path.join(dir, mcap), bytes.subarray(0, Math.floor(bytes.length * 0.6)));
    fs.copyFileSync(path.join(SAMPLE_BAG, "metadata.yaml"), path.join(dir, "metadata.yaml"));
    const report = await replayToLastFrame(dir);
    expect(report.damage).toHaveLength(1);
    expect(report.damage[0]).toMatch(/damaged at byte/);
    expect(report.problems[0].reason).toBe(report.damage[0]);
    expect(report.frames.read).toBeGreaterThan(2);
    expect(report.frames.read).toBeLessThan(20);
  }, 60000);
});
