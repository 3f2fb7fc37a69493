import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { runCommandInProcess } from "../helpers/cli";
import { registerSimCommands } from "../../src/cli/simCommands";
import { BagReader } from "../../src/bag/BagReader";
import { readNpy } from "../../src/io/npyFile";
import { posesToDiff } from "../../src/pose/poseMath";
import { writeSimDataset } from "../../src/sim/simDataset";
import { chooseEpisodeKind, recordEpisode } from "../../src/sim/simEpisode";
import { TabletopSim } from "../../src/sim/TabletopSim";
import { decodeImage } from "../../src/worldmodel/imageDecode";

const tmp = () => fs.mkdtempSync(path.join(os.tmpdir(), "vjepa2-sim-"));

describe("recordEpisode", () => {
  it("records T frames and T − 1 actions equal to posesToDiff of consecutive states, deterministically", () => {
    const sim = new TabletopSim({ size: 32 });
    for (const policy of ["random", "scripted_reach", "scripted_fine_approach", "scripted_pick_place", "scripted_grasp_play"] as const) {
      const ep = recordEpisode(sim, { seed: 5, steps: 12, policy, start: "near_cube" });
      expect(ep.steps).toHaveLength(12);
      ep.steps.forEach((s, t) => {
        expect(s.index).toBe(t);
        expect(s.t).toBeCloseTo(t * sim.config.stepDuration, 12);
        expect(s.image.data.length).toBe(32 * 32 * 3);
        if (t < 11) expect(s.action).toEqual(posesToDiff(s.state, ep.steps[t + 1].state));
        else expect(s.action).toBeNull();
        if (s.action !== null) for (let a = 0; a < 3; a++) expect(Math.abs(s.action[a])).toBeLessThanOrEqual(0.075 + 1e-12);
      });
      const again = recordEpisode(new TabletopSim({ size: 32 }), { seed: 5, steps: 12, policy, start: "near_cube" });
      expect(again.steps.map((s) => s.state)).toEqual(ep.steps.map((s) => s.state));
      expect(Buffer.compare(Buffer.from(again.steps[11].image.data), Buffer.from(ep.steps[11].image.data))).toBe(0);
    }
  });

  it("the scripted pick-and-place grasps, carries and places the cube", () => {
    const sim = new TabletopSim({ size: 16 });
    let placed = 0;
    for (let seed = 0; seed < 10; seed++) {
      const ep = recordEpisode(sim, { seed, steps: 40, policy: "scripted_pick_place", start: "random" });
      expect(ep.grasps).toBeGreaterThanOrEqual(1);
      if (sim.success()) placed++;
    }
    expect(placed).toBeGreaterThanOrEqual(8);
  });

  it("the grasp play toggles the gripper in place, beside the cube too, and drops the cube from a height", () => {
    const sim = new TabletopSim({ size: 16 });
    let grasps = 0;
    let missed = 0; // closes that did not grasp
    let highDrops = 0; // releases with the cube's bottom 3 cm or more above the table
    let toggles = 0;
    for (let seed = 0; seed < 40; seed++) {
      const ep = recordEpisode(sim, { seed, steps: 16, policy: "scripted_grasp_play", start: seed % 2 === 0 ? "near_cube" : "holding" });
      grasps += ep.grasps;
      for (const s of ep.steps) {
        if (s.action === null || s.action[6] === 0) continue;
        toggles++;
        expect([s.action[0], s.action[1], s.action[2]]).toEqual([0, 0, 0]); // gripper steps never move the arm
      }
      missed += ep.steps.filter((s, t) => t > 0 && s.state[6] > 0.5 && ep.steps[t - 1].state[6] <= 0.5).length - ep.grasps;
      for (let t = 1; t < ep.steps.length; t++) {
        const opened = ep.steps[t].state[6] <= 0.5 && ep.steps[t - 1].state[6] > 0.5;
        if (opened && ep.steps[t].state[2] - sim.graspHeight >= 0.03) highDrops++;
      }
    }
    expect(toggles).toBeGreaterThanOrEqual(40);
    expect(grasps).toBeGreaterThanOrEqual(15);
    expect(missed).toBeGreaterThanOrEqual(3);
    expect(highDrops).toBeGreaterThanOrEqual(3);
  });

  it("the fine approach makes the small and single-axis moves the other policies rarely make", () => {
    const sim = new TabletopSim({ size: 16 });
    const stats = (policy: "scripted_reach" | "scripted_fine_approach") => {
      let small = 0,
        zOnly = 0,
        n = 0;
      for (let seed = 0; seed < 30; seed++) {
        for (const s of recordEpisode(sim, { seed, steps: 16, policy }).steps) {
          if (s.action === null) continue;
          n++;
          const [dx, dy, dz] = s.action;
          for (let a = 0; a < 3; a++) expect(Math.abs(s.action[a])).toBeLessThanOrEqual(0.075 + 1e-12);
          if (Math.hypot(dx, dy, dz) < 0.02) small++;
          if (Math.abs(dz) > 0.005 && Math.hypot(dx, dy) < 0.002) zOnly++;
        }
      }
      return { small: small / n, zOnly: zOnly / n };
    };
    const fine = stats("scripted_fine_approach");
    const reach = stats("scripted_reach");
    expect(fine.small).toBeGreaterThan(0.3);
    expect(reach.small).toBeLessThan(0.1);
    expect(fine.zOnly).toBeGreaterThan(0.04);
    expect(reach.zOnly).toBeLessThan(0.02);
  });

  it("the mixed policy covers the workspace and includes grasps", () => {
    const sim = new TabletopSim({ size: 16 });
    const lo = [Infinity, Infinity, Infinity],
      hi = [-Infinity, -Infinity, -Infinity];
    let grasps = 0;
    let gripperChanges = 0;
    for (let e = 0; e < 60; e++) {
      const kind = chooseEpisodeKind("mixed", 1, e);
      const ep = recordEpisode(sim, { seed: kind.seed, steps: 16, policy: kind.policy, start: kind.start });
      grasps += ep.grasps;
      for (const s of ep.steps) {
        for (let a = 0; a < 3; a++) {
          lo[a] = Math.min(lo[a], s.state[a]);
          hi[a] = Math.max(hi[a], s.state[a]);
        }
        if (s.action !== null && Math.abs(s.action[6]) > 0.3) gripperChanges++;
      }
    }
    const ws = sim.config.workspace;
    for (let a = 0; a < 3; a++) {
      expect(lo[a]).toBeLessThan(ws.min[a] + 0.03);
      expect(hi[a]).toBeGreaterThan(ws.max[a] - 0.03);
    }
    expect(grasps).toBeGreaterThanOrEqual(5);
    expect(gripperChanges).toBeGreaterThanOrEqual(20);
  });

  it("the grasp-rich mix gives a fifth of the episodes to grasp play; the mixed one gives it none", () => {
    const share = (mix: "mixed" | "grasp_rich"): number =>
      Array.from({ length: 500 }, (_, e) => chooseEpisodeKind(mix, 1, e)).filter((k) => k.policy === "scripted_grasp_play").length / 500;
    expect(share("mixed")).toBe(0);
    expect(Math.abs(share("grasp_rich") - 0.2)).toBeLessThan(0.05);
  });
});

describe("writeSimDataset", () => {
  it("writes frames, states, actions and meta with the documented shapes and relations", () => {
    const out = tmp();
    const summary = writeSimDataset({ out, episodes: 6, steps: 5, size: 32, seed: 3 });
    expect(summary.files.map((f) => path.basename(f))).toEqual(["frames.npy", "states.npy", "actions.npy", "meta.json"]);
    const frames = readNpy(path.join(out, "frames.npy"));
    const states = readNpy(path.join(out, "states.npy"));
    const actions = readNpy(path.join(out, "actions.npy"));
    expect([frames.dtype, frames.shape]).toEqual(["uint8", [6, 5, 32, 32, 3]]);
    expect([states.dtype, states.shape]).toEqual(["float32", [6, 5, 7]]);
    expect([actions.dtype, actions.shape]).toEqual(["float32", [6, 4, 7]]);
    for (let e = 0; e < 6; e++) {
      for (let t = 0; t < 4; t++) {
        const s0 = Array.from(states.data.subarray((e * 5 + t) * 7, (e * 5 + t + 1) * 7));
        const s1 = Array.from(states.data.subarray((e * 5 + t + 1) * 7, (e * 5 + t + 2) * 7));
        const a = Array.from(actions.data.subarray((e * 4 + t) * 7, (e * 4 + t + 1) * 7));
        posesToDiff(s0, s1).forEach((v, i) => expect(Math.abs(v - a[i])).toBeLessThan(1e-5));
      }
    }
    // Episode 0's frames are the recorded episode's images.
    const kind = chooseEpisodeKind("mixed", 3, 0);
    const ep = recordEpisode(new TabletopSim({ size: 32 }), { seed: kind.seed, steps: 5, policy: kind.policy, start: kind.start });
    expect(Buffer.compare(Buffer.from(frames.data.subarray(0, 32 * 32 * 3)), Buffer.from(ep.steps[0].image.data))).toBe(0);
    const meta = JSON.parse(fs.readFileSync(path.join(out, "meta.json"), "utf8"));
    expect(meta).toMatchObject({ generator_version: 1, seed: 3, episodes: 6, steps: 5, image_size: [32, 32], policy_mix: "mixed" });
    expect(meta.workspace.min).toEqual([0.35, -0.2, 0.05]);
    expect(meta.camera.verticalFovDeg).toBeGreaterThan(0);
    expect(meta.episode_info).toHaveLength(6);
    // Same options, same bytes.
    const out2 = tmp();
    writeSimDataset({ out: out2, episodes: 6, steps: 5, size: 32, seed: 3 });
    for (const f of ["frames.npy", "states.npy", "actions.npy", "meta.json"]) {
      expect(fs.readFileSync(path.join(out2, f)).equals(fs.readFileSync(path.join(out, f)))).toBe(true);
    }
  });

  it("two views: frames twice as wide, the left view the one-view dataset's frames, the same states", () => {
    const one = tmp();
    const two = tmp();
    writeSimDataset({ out: one, episodes: 3, steps: 4, size: 16, seed: 7 });
    expect(writeSimDataset({ out: two, episodes: 3, steps: 4, size: 16, seed: 7, views: 2 }).views).toBe(2);
    const f1 = readNpy(path.join(one, "frames.npy"));
    const f2 = readNpy(path.join(two, "frames.npy"));
    expect(f2.shape).toEqual([3, 4, 16, 32, 3]);
    for (let frame = 0; frame < 12; frame++) {
      for (let y = 0; y < 16; y++) {
        const row1 = f1.data.subarray((frame * 16 + y) * 16 * 3, (frame * 16 + y + 1) * 16 * 3);
        const left = f2.data.subarray((frame * 16 + y) * 32 * 3, ((frame * 16 + y) * 32 + 16) * 3);
        expect(Buffer.compare(Buffer.from(left), Buffer.from(row1))).toBe(0);
      }
    }
    expect(fs.readFileSync(path.join(two, "states.npy")).equals(fs.readFileSync(path.join(one, "states.npy")))).toBe(true);
    const meta = JSON.parse(fs.readFileSync(path.join(two, "meta.json"), "utf8"));
    expect(meta).toMatchObject({ views: 2, image_size: [16, 16] });
    expect(meta.cameras.map((c: { position: number[] }) => c.position)).toEqual([
      [1.08, -0.52, 0.62],
      [1.08, 0.52, 0.62],
    ]);
    expect(meta.arrays.frames.shape).toEqual([3, 4, 16, 32, 3]);
    expect(() => writeSimDataset({ out: tmp(), episodes: 1, steps: 2, views: 3 })).toThrow("--views must be 1 or 2, got 3");
  });

  it("rejects impossible options before writing", () => {
    const out = path.join(tmp(), "x");
    expect(() => writeSimDataset({ out, episodes: 0, steps: 5 })).toThrow("--episodes");
    expect(() => writeSimDataset({ out, episodes: 1, steps: 1 })).toThrow("--steps");
    expect(() => writeSimDataset({ out, episodes: 100000, steps: 100, size: 128 })).toThrow("in-memory limit");
    expect(fs.existsSync(out)).toBe(false);
  });
});

describe("sim commands", () => {
  const run = (args: string[]): Promise<string> => runCommandInProcess(registerSimCommands, args);

  it("sim-data writes the dataset files", async () => {
    const out = tmp();
    const text = await run(["sim-data", "--out", out, "--episodes", "3", "--steps", "4", "--size", "32", "--seed", "2", "--policy", "scripted", "--json"]);
    const summary = JSON.parse(text);
    expect(summary).toMatchObject({ episodes: 3, steps: 4, size: 32 });
    expect(readNpy(path.join(out, "frames.npy")).shape).toEqual([3, 4, 32, 32, 3]);
    expect(JSON.parse(fs.readFileSync(path.join(out, "meta.json"), "utf8")).policy_mix).toBe("scripted");
    const two = tmp();
    expect(await run(["sim-data", "--out", two, "--episodes", "1", "--steps", "2", "--size", "16", "--views", "2"])).toMatch(/at 32×16 \(2 views\)/);
    expect(readNpy(path.join(two, "frames.npy")).shape).toEqual([1, 2, 16, 32, 3]);
    await expect(run(["sim-data", "--out", tmp(), "--episodes", "1", "--views", "3"])).rejects.toThrow(/--views/);
  });

  it("sim-render writes the start frame and the goals side by side (pick_place: the demo's sub-goals unless told)", async () => {
    const file = path.join(tmp(), "scene.png");
    const text = await run(["sim-render", "--seed", "4", "--task", "pick_place", "--out", file, "--size", "32", "--scale", "2"]);
    expect(text).toMatch(/goal 1 \(grasp\).*goal 2 \(close\).*goal 3 \(lift\).*goal 4 \(set down\).*goal 5 \(place\)/);
    const png = decodeImage(new Uint8Array(fs.readFileSync(file)));
    expect([png.width, png.height]).toEqual([6 * 64 + 5 * 4, 64]);
    const paper = await run([
      "sim-render",
      "--seed",
      "4",
      "--task",
      "pick_place",
      "--pick-place-goals",
      "paper",
      "--out",
      file,
      "--size",
      "32",
      "--scale",
      "2",
    ]);
    expect(paper).toContain("goal 3 (place)");
    expect(paper).not.toContain("close");
    expect(decodeImage(new Uint8Array(fs.readFileSync(file))).width).toBe(4 * 64 + 3 * 4);
    await run(["sim-render", "--seed", "4", "--out", file, "--size", "32", "--scale", "2", "--views", "2"]);
    const two = decodeImage(new Uint8Array(fs.readFileSync(file)));
    expect([two.width, two.height]).toEqual([2 * 128 + 4, 64]); // start and reach goal, each two 32 px views wide
  });

  it("sim-bag records the views side by side in the camera images", async () => {
    const bag = path.join(tmp(), "bag");
    const info = JSON.parse(await run(["sim-bag", "--out", bag, "--seed", "3", "--steps", "3", "--size", "16", "--views", "2", "--json"]));
    expect(info.frames).toBe(3);
    const reader = await BagReader.open(bag);
    try {
      const images = [];
      for await (const m of reader.messages({ topics: ["/camera/image_raw"] })) images.push(m.message as { width: number; height: number });
      expect(images.map((m) => [m.width, m.height])).toEqual([
        [32, 16],
        [32, 16],
        [32, 16],
      ]);
    } finally {
      await reader.close();
    }
  });

  it("rejects bad flags with the flag in the message", async () => {
    await expect(run(["sim-data", "--out", tmp(), "--episodes", "-1"])).rejects.toThrow("--episodes expects an integer");
  });
});
