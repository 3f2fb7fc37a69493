import * as fs from "node:fs";
import * as path from "node:path";
import { BagReader } from "../../src/bag/BagReader";
import { convertDroidEpisode, DROID_ACTION_TOPIC } from "../../src/bag/convertDroid";
import { readDroidEpisode, selectDroidCamera, type DroidEpisode } from "../../src/bag/droidEpisode";
import { DEFAULT_TOPICS } from "../../src/bag/topics";
import { ffmpegAvailable } from "../../src/bag/videoFrames";
import { decodeImage } from "../../src/worldmodel/imageDecode";
import { posesToDiff, quaternionToEulerXyz } from "../../src/pose/poseMath";
import type { CompressedImage, EndEffectorDelta, Float64MultiArray, Image, JointState, PoseStamped } from "../../src/ros/messages";
import { timeToNanoseconds } from "../../src/ros/messages";
import { frameLevel, SERIALS, writeSyntheticDroidEpisode, type SyntheticEpisode } from "./droidFixture";
import { tempDir } from "./tempDir";

const haveFfmpeg = ffmpegAvailable();
if (!haveFfmpeg && process.env.CI) throw new Error("ffmpeg/ffprobe not found on CI: .ci/run must `apt-get install -y ffmpeg` for the DROID conversion tests");
const describeWithFfmpeg = haveFfmpeg ? describe : describe.skip;
if (!haveFfmpeg) {
  console.warn("SKIPPED DROID conversion tests: ffmpeg not installed (apt-get install -y ffmpeg)");
}

async function readAll<T>(bag: string, topic: string): Promise<Array<{ logTime: bigint; message: T }>> {
  const reader = await BagReader.open(bag);
  const out = [];
  for await (const m of reader.messages<T>({ topics: [topic] })) out.push({ logTime: m.logTime, message: m.message });
  await reader.close();
  return out;
}

describeWithFfmpeg("convert-droid", () => {
  const root = tempDir("droid");
  let episode: SyntheticEpisode;
  beforeAll(() => {
    episode = writeSyntheticDroidEpisode(path.join(root, "episode"), 30);
  });

  it("reads the h5 layout and names cameras as DROID does", () => {
    const e = readDroidEpisode(episode.dir);
    expect(e.length).toBe(30);
    expect(e.cameras.map((c) => [c.serial, c.role])).toEqual([
      [SERIALS.wrist, "wrist"],
      [SERIALS.ext1, "ext1"],
      [SERIALS.ext2, "ext2"],
    ]);
    expect(e.cartesianPosition[7]).toEqual(episode.cartesian[7]);
    expect(e.action?.source).toBe("cartesian_position");
    expect(e.stepTimes(SERIALS.ext1)[2]).toBe(BigInt(episode.captureMs[2]) * 1_000_000n);
    expect(selectDroidCamera(e).serial).toBe(SERIALS.ext1);
    expect(selectDroidCamera(e, "wrist").serial).toBe(SERIALS.wrist);
    expect(() => selectDroidCamera(e, "front")).toThrow(
      new RegExp(`no camera 'front'; available: ${SERIALS.wrist} \\(wrist\\), ${SERIALS.ext1} \\(ext1\\), ${SERIALS.ext2} \\(ext2\\)`),
    );
  });

  it("writes frames at the requested rate with poses, gripper and actions", async () => {
    const bag = path.join(root, "bag_fps4");
    const result = await convertDroidEpisode(episode.dir, bag, { fps: 4 });
    expect(result).toMatchObject({ camera: SERIALS.ext1, stride: 4, frames: 8, actions: 7, steps: 30 });
    const steps = [0, 4, 8, 12, 16, 20, 24, 28];
    const stampOf = (i: number) => BigInt(episode.captureMs[i]) * 1_000_000n;

    const images = await readAll<Image>(bag, DEFAULT_TOPICS.image);
    expect(images.map((m) => m.logTime)).toEqual(steps.map(stampOf));
    images.forEach((m, k) => {
      expect(m.message).toMatchObject({ width: 64, height: 48, encoding: "rgb8", step: 64 * 3 });
      expect(timeToNanoseconds(m.message.header.stamp)).toBe(stampOf(steps[k]));
      const mean = m.message.data.reduce((a, b) => a + b, 0) / m.message.data.length;
      expect(Math.abs(mean - frameLevel(steps[k]))).toBeLessThan(3); // the right frame, not its neighbour (±8)
    });

    const poses = await readAll<PoseStamped>(bag, DEFAULT_TOPICS.eePose);
    expect(poses).toHaveLength(8);
    poses.forEach((m, k) => {
      const c = episode.cartesian[steps[k]];
      const { position: p, orientation: o } = m.message.pose;
      expect(m.message.header.frame_id).toBe("base");
      expect([p.x, p.y, p.z]).toEqual(c.slice(0, 3));
      expect(Math.hypot(o.x, o.y, o.z, o.w)).toBeCloseTo(1, 12);
      const euler = quaternionToEulerXyz([o.x, o.y, o.z, o.w]);
      const back = Array.from(euler as ArrayLike<number>);
      for (let j = 0; j < 3; j++) expect(Math.abs(Math.atan2(Math.sin(back[j] - c[3 + j]), Math.cos(back[j] - c[3 + j])))).toBeLessThan(1e-9);
    });

    const gripper = await readAll<JointState>(bag, DEFAULT_TOPICS.gripper);
    expect(gripper.map((m) => [m.message.name, Array.from(m.message.position)])).toEqual(steps.map((i) => [["gripper"], [episode.gripper[i]]]));

    const actions = await readAll<EndEffectorDelta>(bag, DEFAULT_TOPICS.action);
    expect(actions).toHaveLength(7);
    actions.forEach((m, k) => {
      const i = steps[k];
      const expected = posesToDiff([...episode.cartesian[i], episode.gripper[i]], [...episode.cartesian[i + 4], episode.gripper[i + 4]]);
      const d = m.message;
      expect([d.dx, d.dy, d.dz, d.droll, d.dpitch, d.dyaw, d.dgripper]).toEqual(expected);
      expect(m.logTime).toBe(stampOf(i));
    });

    const recorded = await readAll<Float64MultiArray>(bag, DROID_ACTION_TOPIC);
    expect(recorded.map((m) => Array.from(m.message.data))).toEqual(steps.map((i) => [...episode.actionCartesian[i], episode.actionGripper[i]]));
    expect(recorded[0].message.layout.dim[0].label).toBe("cartesian_position+gripper_position");
  });

  it("writes JPEG CompressedImage with --compressed and honours --camera", async () => {
    const bag = path.join(root, "bag_jpeg");
    const result = await convertDroidEpisode(episode.dir, bag, { fps: 15, compressed: true, camera: "wrist" });
    expect(result).toMatchObject({ camera: SERIALS.wrist, stride: 1, frames: 30 });
    const images = await readAll<CompressedImage>(bag, DEFAULT_TOPICS.compressedImage);
    expect(images).toHaveLength(30);
    expect(images[5].message.format).toBe("jpeg");
    const decoded = decodeImage(images[5].message.data);
    expect([decoded.width, decoded.height]).toEqual([64, 48]);
    expect(Math.abs(decoded.data[0] - frameLevel(5))).toBeLessThan(4);
    expect(images[5].message.header.frame_id).toBe(`camera_${SERIALS.wrist}`);
    const reader = await BagReader.open(bag);
    expect(reader.topics().map((t) => t.name)).not.toContain(DEFAULT_TOPICS.image);
    await reader.close();
  });

  it("uses the shorter of video and trajectory", async () => {
    const short = writeSyntheticDroidEpisode(path.join(root, "short_video"), 20, 13);
    const result = await convertDroidEpisode(short.dir, path.join(root, "bag_short"), { fps: 5 });
    expect(result).toMatchObject({ stride: 3, steps: 13, frames: 5, actions: 4 });
  });

  it("rejects a folder that is not an episode and a bad camera, listing cameras", async () => {
    await expect(convertDroidEpisode(root, path.join(root, "x"))).rejects.toThrow(/not a DROID episode: no trajectory\.h5/);
    await expect(convertDroidEpisode(episode.dir, path.join(root, "y"), { camera: "999" })).rejects.toThrow(/no camera '999'; available: .*\(ext1\)/);
    expect(fs.existsSync(path.join(root, "y"))).toBe(false);
  });
});

describeWithFfmpeg("readDroidEpisode on a damaged trajectory.h5", () => {
  const root = tempDir("droid-damaged");
  const steps = 12;
  let episode: SyntheticEpisode;
  let h5: Buffer;
  beforeAll(() => {
    episode = writeSyntheticDroidEpisode(path.join(root, "episode"), steps, 2, 4);
    h5 = fs.readFileSync(path.join(episode.dir, "trajectory.h5"));
  });

  let copies = 0;
  function withH5(bytes: Uint8Array): string {
    const dir = path.join(root, `damaged_${copies++}`);
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, "trajectory.h5"), bytes);
    return dir;
  }

  it("gives an error naming the file, or an episode whose per-step arrays agree, for any damaged dataset size", () => {
    // regression: a damaged size made jsfive allocate the whole claimed shape ("Invalid array length",
    // or gigabytes), its read errors escaped as bare RangeError/TypeError, and actions of another length
    // than the trajectory came back as if intact
    const view = new DataView(h5.buffer, h5.byteOffset, h5.byteLength);
    const sizes: number[] = [];
    for (let at = 0; at + 8 <= h5.length; at++) if (view.getBigUint64(at, true) === BigInt(steps)) sizes.push(at);
    expect(sizes.length).toBeGreaterThan(10); // the datasets' dataspace dimensions, among others
    for (const at of sizes) {
      for (const size of [2n ** 40n, BigInt(steps + 1)]) {
        const damaged = Uint8Array.from(h5);
        new DataView(damaged.buffer).setBigUint64(at, size, true);
        const dir = withH5(damaged);
        let e: DroidEpisode;
        try {
          e = readDroidEpisode(dir);
        } catch (err) {
          expect(err).toBeInstanceOf(Error);
          expect([err instanceof RangeError, err instanceof TypeError, (err as Error).message.includes(path.join(dir, "trajectory.h5"))]).toEqual([
            false,
            false,
            true,
          ]);
          continue;
        }
        expect(e.gripperPosition).toHaveLength(e.length);
        expect(e.cartesianPosition).toHaveLength(e.length);
        if (e.action !== null) expect([e.action.cartesian.length, e.action.gripper.length]).toEqual([e.length, e.length]);
      }
    }
  });

  it("falls back to the robot's timestamps when a camera's are not numbers", () => {
    // regression: stepTimes threw "The number NaN cannot be converted to a BigInt"
    const captures = episode.captureMs.map((t, i) => (i === 3 ? NaN : t));
    const bad = writeSyntheticDroidEpisode(path.join(root, "nan_times"), steps, 2, 4, {
      [`observation/timestamp/cameras/${SERIALS.ext1}_estimated_capture`]: { data: captures },
    });
    const e = readDroidEpisode(bad.dir);
    expect(e.stepTimes(SERIALS.ext1)).toEqual(bad.captureMs.map((m) => BigInt(Math.floor(m / 1000)) * 1_000_000_000n + BigInt((m % 1000) * 1e6)));
    expect(e.stepTimes(SERIALS.ext2)[3]).toBe(BigInt(bad.captureMs[3]) * 1_000_000n);
  });

  it("names the file and the step when the robot state is not a number", async () => {
    // regression: the NaN reached convert-droid's pose maths, which threw "start[0] must be a finite number"
    const cartesian = episode.cartesian.flat().map((v, i) => (i === 3 * 6 + 1 ? NaN : v));
    const bad = writeSyntheticDroidEpisode(path.join(root, "nan_state"), steps, 2, 4, { "observation/robot_state/cartesian_position": { data: cartesian } });
    expect(() => readDroidEpisode(bad.dir)).toThrow(/nan_state\/trajectory\.h5: observation\/robot_state at step 3 is not a finite number/);
    await expect(convertDroidEpisode(bad.dir, path.join(root, "nan_state_bag"))).rejects.toThrow(/trajectory\.h5: observation\/robot_state at step 3/);
  });
});
