import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCommandInProcess } from "../helpers/cli";
import { BagReader } from "../../src/bag/BagReader";
import { DEFAULT_TOPICS } from "../../src/bag/topics";
import { registerSimCommands } from "../../src/cli/simCommands";
import { resolveConfig } from "../../src/config/configFile";
import { readNpy } from "../../src/io/npyFile";
import { quaternionToEulerXyz } from "../../src/pose/poseMath";
import { replayBag } from "../../src/replay/replayBag";
import { MessageTypes, timeToNanoseconds, type EndEffectorDelta, type Image, type JointState, type PoseStamped } from "../../src/ros/messages";
import { writeSimDataset } from "../../src/sim/simDataset";
import { recordEpisode, type SimEpisode } from "../../src/sim/simEpisode";
import { episodeBagDir, SIM_BAG_START_NS, writeSimEpisodeBag, writeSimEpisodeBags } from "../../src/sim/simEpisodeBag";
import { TabletopSim } from "../../src/sim/TabletopSim";
import { OnnxWorldModel } from "../../src/worldmodel/OnnxWorldModel";
import { preprocessOptionsFor } from "../../src/worldmodel/imageInput";
import { TINY_MODEL } from "../helpers/fixtures";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-simbag-"));

/** Smallest signed difference of two angles (rad). */
const angleDiff = (a: number, b: number): number => Math.atan2(Math.sin(a - b), Math.cos(a - b));

interface ReadBack {
  topics: Map<string, { type: string; count: number }>;
  images: Array<{ logTime: bigint; msg: Image }>;
  poses: Array<{ logTime: bigint; msg: PoseStamped }>;
  grippers: Array<{ logTime: bigint; msg: JointState }>;
  actions: Array<{ logTime: bigint; msg: EndEffectorDelta }>;
}

async function readBack(bag: string): Promise<ReadBack> {
  const reader = await BagReader.open(bag, { strict: true });
  try {
    const r: ReadBack = {
      topics: new Map(reader.topics().map((t) => [t.name, { type: t.type, count: t.messageCount }])),
      images: [],
      poses: [],
      grippers: [],
      actions: [],
    };
    for await (const m of reader.messages()) {
      const entry = { logTime: m.logTime, msg: m.message as never };
      if (m.topic === DEFAULT_TOPICS.image) r.images.push(entry);
      else if (m.topic === DEFAULT_TOPICS.eePose) r.poses.push(entry);
      else if (m.topic === DEFAULT_TOPICS.gripper) r.grippers.push(entry);
      else if (m.topic === DEFAULT_TOPICS.action) r.actions.push(entry);
    }
    return r;
  } finally {
    await reader.close();
  }
}

/** Checks every message of a bag written from `ep`. */
function expectBagMatches(r: ReadBack, ep: SimEpisode, start: bigint, tolerance = 1e-12): void {
  const n = ep.steps.length;
  expect(Object.fromEntries(r.topics)).toEqual({
    [DEFAULT_TOPICS.image]: { type: MessageTypes.image, count: n },
    [DEFAULT_TOPICS.eePose]: { type: MessageTypes.poseStamped, count: n },
    [DEFAULT_TOPICS.gripper]: { type: MessageTypes.jointState, count: n },
    [DEFAULT_TOPICS.action]: { type: MessageTypes.endEffectorDelta, count: n - 1 },
  });
  ep.steps.forEach((s, k) => {
    const t = start + BigInt(Math.round(s.t * 1e9));
    for (const { logTime, msg } of [r.images[k], r.poses[k], r.grippers[k]]) {
      expect(logTime).toBe(t);
      expect(timeToNanoseconds(msg.header.stamp)).toBe(t);
    }
    const img = r.images[k].msg;
    expect([img.encoding, img.width, img.height, img.step]).toEqual(["rgb8", s.image.width, s.image.height, s.image.width * 3]);
    expect(Buffer.compare(Buffer.from(img.data), Buffer.from(s.image.data))).toBe(0);
    const pose = r.poses[k].msg;
    expect(pose.header.frame_id).toBe("panda_link0");
    const p = pose.pose.position;
    const q = pose.pose.orientation;
    expect(Math.hypot(q.x, q.y, q.z, q.w)).toBeCloseTo(1, 12);
    const euler = quaternionToEulerXyz([q.x, q.y, q.z, q.w]);
    [p.x, p.y, p.z].forEach((v, i) => expect(Math.abs(v - s.state[i])).toBeLessThanOrEqual(tolerance));
    for (let i = 0; i < 3; i++) expect(Math.abs(angleDiff(euler[i], s.state[3 + i]))).toBeLessThan(1e-9 + tolerance);
    const g = r.grippers[k].msg;
    expect(g.name).toEqual(["gripper"]);
    expect(Array.from(g.position)).toEqual([s.state[6]]);
    if (k < n - 1) {
      const a = r.actions[k];
      expect(a.logTime).toBe(t);
      const d = a.msg;
      expect(d.header.frame_id).toBe("panda_link0");
      [d.dx, d.dy, d.dz, d.droll, d.dpitch, d.dyaw, d.dgripper].forEach((v, i) =>
        expect(Math.abs(v - (s.action as number[])[i])).toBeLessThanOrEqual(tolerance),
      );
    } else expect(s.action).toBeNull();
  });
}

describe("writeSimEpisodeBag", () => {
  let model: OnnxWorldModel;
  beforeAll(async () => {
    model = await OnnxWorldModel.load(TINY_MODEL);
  });
  afterAll(async () => model.close());

  it("writes the episode in the recording convention: counts, stamps, poses (Euler ↔ quaternion) and actions", async () => {
    const ep = recordEpisode(new TabletopSim({ size: 32 }), { seed: 7, steps: 10, policy: "scripted_pick_place", start: "near_cube" });
    expect(ep.grasps).toBeGreaterThan(0); // the gripper moves, so the gripper messages are checked on changing values
    const bag = path.join(tmp(), "ep");
    const start = 1_700_000_000_123_456_789n;
    const result = await writeSimEpisodeBag(ep, bag, { startTime: start });
    expect(result).toEqual({ bag, frames: 10, actions: 9, durationS: 9 * 0.25 });
    expect(fs.readdirSync(bag).sort()).toEqual(["ep_0.mcap", "metadata.yaml"]);
    expectBagMatches(await readBack(bag), ep, start);
    // The bag directory must be new.
    await expect(writeSimEpisodeBag(ep, bag)).rejects.toThrow("not empty");
  });

  it("a sim bag replays: every frame is planned against later frames", async () => {
    const ep = recordEpisode(new TabletopSim({ size: 64 }), { seed: 3, steps: 8, policy: "scripted_reach" });
    const bag = path.join(tmp(), "reach");
    await writeSimEpisodeBag(ep, bag);
    const config = resolveConfig([], { "planner.samples": 16, "planner.iterations": 1, "planner.topk": 4 });
    const report = await replayBag({
      bag,
      model,
      modelName: "ac-tiny",
      config,
      goal: { every: 4 },
      preprocess: preprocessOptionsFor(model.pkg, "center_crop"),
      landscapeGrid: 0,
    });
    expect(report.problems).toEqual([]);
    expect(report.damage).toEqual([]);
    expect(report.frames).toEqual({ read: 8, encoded: 8, droppedStale: 0, droppedSuperseded: 0, rejected: 0, planned: 8 });
    expect(report.steps.map((s) => s.frameIndex)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(report.steps.map((s) => s.time)).toEqual(ep.steps.map((s) => s.t));
    expect(report.steps.every((s) => s.status === "planned" && s.planned !== null)).toBe(true);
    // Replay's recorded action (from the bag's poses) is the episode's action.
    report.steps.slice(0, -1).forEach((s, k) => (s.recorded as number[]).forEach((v, i) => expect(v).toBeCloseTo((ep.steps[k].action as number[])[i], 9)));
    expect(report.agreement.steps).toBe(7);
  }, 120000);
});

describe("writeSimEpisodeBags", () => {
  it("writes the dataset's episodes, one bag each, matching the .npy states", async () => {
    const root = tmp();
    const options = { episodes: 3, steps: 4, size: 16, seed: 11, policy: "mixed" as const };
    writeSimDataset({ ...options, out: path.join(root, "data") });
    const progress: number[] = [];
    const results = await writeSimEpisodeBags({ ...options, out: path.join(root, "bags"), onProgress: (d) => progress.push(d) });
    expect(progress).toEqual([1, 2, 3]);
    expect(results.map((r) => path.basename(r.bag))).toEqual(["episode_0000", "episode_0001", "episode_0002"]);
    const states = readNpy(path.join(root, "data", "states.npy")).data;
    const frames = readNpy(path.join(root, "data", "frames.npy")).data;
    for (let e = 0; e < 3; e++) {
      const r = await readBack(results[e].bag);
      expect(r.images).toHaveLength(4);
      expect(r.actions).toHaveLength(3);
      for (let k = 0; k < 4; k++) {
        const p = r.poses[k].msg.pose.position;
        [p.x, p.y, p.z].forEach((v, i) => expect(Math.abs(v - states[(e * 4 + k) * 7 + i])).toBeLessThan(1e-6)); // float32 in the .npy
        const px = 16 * 16 * 3;
        expect(Buffer.compare(Buffer.from(r.images[k].msg.data), Buffer.from(frames.subarray((e * 4 + k) * px, (e * 4 + k + 1) * px)))).toBe(0);
      }
    }
    // Existing bags are not overwritten; nothing is written.
    await expect(writeSimEpisodeBags({ ...options, episodes: 4, out: path.join(root, "bags") })).rejects.toThrow("already hold files");
    expect(fs.existsSync(path.join(root, "bags", "episode_0003"))).toBe(false);
  });

  it("names bag directories wide enough for the episode count", () => {
    expect(path.basename(episodeBagDir("x", 7, 10))).toBe("episode_0007");
    expect(path.basename(episodeBagDir("x", 7, 20000))).toBe("episode_00007");
  });
});

describe("sim-bag and sim-data --bags", () => {
  const run = (args: string[]): Promise<string> => runCommandInProcess(registerSimCommands, args);

  it("sim-bag writes one episode as a bag", async () => {
    const bag = path.join(tmp(), "pp");
    const info = JSON.parse(await run(["sim-bag", "--out", bag, "--seed", "5", "--task", "pick_place", "--steps", "6", "--size", "32", "--json"]));
    expect(info).toMatchObject({ bag, frames: 6, actions: 5, task: "pick_place", policy: "scripted_pick_place", seed: 5 });
    const ep = recordEpisode(new TabletopSim({ size: 32 }), { seed: 5, steps: 6, policy: "scripted_pick_place" });
    expectBagMatches(await readBack(bag), ep, SIM_BAG_START_NS);
    const text = await run(["sim-bag", "--out", path.join(tmp(), "rw"), "--policy", "random", "--steps", "3", "--size", "16"]);
    expect(text).toMatch(/reach episode, seed 0, random from random: 3 frames, 2 actions over 0\.50 s/);
  });

  it("sim-bag rejects a policy that contradicts the task", async () => {
    await expect(run(["sim-bag", "--out", path.join(tmp(), "x"), "--task", "pick_place", "--policy", "random"])).rejects.toThrow(
      "--policy random records reach episodes",
    );
  });

  it("sim-data --bags writes the .npy dataset and one bag per episode", async () => {
    const root = tmp();
    const summary = JSON.parse(
      await run(["sim-data", "--out", path.join(root, "data"), "--bags", path.join(root, "bags"), "--episodes", "2", "--steps", "3", "--size", "16", "--json"]),
    );
    expect(summary).toMatchObject({ episodes: 2, steps: 3, bags: { dir: path.join(root, "bags"), episodes: 2, actions: 4 } });
    expect(fs.readdirSync(path.join(root, "bags")).sort()).toEqual(["episode_0000", "episode_0001"]);
    expect(readNpy(path.join(root, "data", "states.npy")).shape).toEqual([2, 3, 7]);
  });
});
