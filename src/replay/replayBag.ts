/**
 * Replays a recording through the in-process nodes under simulated time: the camera node encodes the
 * bag's frames, the planner plans towards goals taken from later frames of the same bag, and the actuator
 * turns each plan into commands against a robot that follows the recorded states. Every planning step is
 * compared with the action recorded over the same interval. Nothing is lost silently: frames that could
 * not be decoded, encoded or planned are counted and listed with their reason.
 */
import { BagReader, formatDamage } from "../bag/BagReader";
import { imageMessage } from "../bag/imageMessages";
import { DEFAULT_TOPICS, type RecordingTopics } from "../bag/topics";
import type { Config } from "../config/parameters";
import { summarise } from "../stats";
import { silentLogger, type Logger } from "../log";
import { posesToDiff, quaternionToEulerXyz } from "../pose/poseMath";
import type { ActuatorStatusMsg } from "../nodes/ActuatorNode";
import { imageFromMsg, type CompressedImageMsg, type ImageMsg } from "../nodes/CameraNode";
import { InProcessPipeline } from "../nodes/InProcessPipeline";
import { actionFromMsg, PLAN_STATUS_CODES, type PlanStatusMsg } from "../nodes/messages";
import type { JointStateMsg, PoseStampedMsg } from "../nodes/PlannerNode";
import { NODE_TOPICS } from "../nodes/topics";
import { closednessFromJointState } from "../nodes/actuator";
import { secondsFromTime, type Time } from "../ros/messages";
import { decodeImage } from "../worldmodel/imageDecode";
import { inputDims, preprocessImage, type PreprocessOptions, type RawImage } from "../worldmodel/preprocess";
import type { FloatTensor } from "../tensor/tensor";
import type { WorldModel } from "../worldmodel/WorldModel";
import { summariseAgreement } from "./agreement";
import type { EnergyLandscape, ReplayReport, ReplayStep } from "./ReplayReport";

export interface ReplayOptions {
  bag: string;
  model: WorldModel;
  /** Name of the model for the report. */
  modelName: string;
  config: Config;
  /** Goal = the frame K frames ahead (sub-goals every K frames), or the bag's last frame. */
  goal: { every: number } | { frame: "last" };
  preprocess: PreprocessOptions;
  topics?: Partial<RecordingTopics>;
  /** Side of the (dx, dz) energy-landscape grid; 0 skips it. */
  landscapeGrid?: number;
  /** Called after each frame with (frames done, frames in total). */
  onProgress?: (done: number, total: number) => void;
  log?: Logger;
}

interface Frame {
  stamp: number;
  msg: ImageMsg | CompressedImageMsg;
  compressed: boolean;
}

const stampOf = (header: { stamp: Time } | undefined, logTime: bigint): number => (header?.stamp ? secondsFromTime(header.stamp) : Number(logTime) / 1e9);

/** Index of the last element of sorted `xs` with key ≤ t (−1 if none). */
function lastAtOrBefore<T>(xs: ReadonlyArray<T>, key: (x: T) => number, t: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (key(xs[mid]) <= t + 1e-9) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found;
}

/** A decoded rgb8 sensor_msgs/Image of any frame (SetGoal takes raw images). */
function toRawImage(f: Frame): RawImage {
  return f.compressed
    ? decodeImage((f.msg as CompressedImageMsg).data as Uint8Array, "goal frame", (f.msg as CompressedImageMsg).format)
    : imageFromMsg(f.msg as ImageMsg);
}

export async function replayBag(o: ReplayOptions): Promise<ReplayReport> {
  const log = o.log ?? silentLogger;
  const topics = { ...DEFAULT_TOPICS, ...o.topics };
  const reader = await BagReader.open(o.bag, { logger: log });
  const problems: ReplayReport["problems"] = [];
  try {
    const available = new Set(reader.topics().map((t) => t.name));
    const imageTopic = available.has(topics.image) ? topics.image : available.has(topics.compressedImage) ? topics.compressedImage : null;
    if (imageTopic === null) {
      throw new Error(`${o.bag} has no camera topic: expected ${topics.image} or ${topics.compressedImage}, found [${[...available].join(", ")}]`);
    }
    for (const t of [topics.eePose, topics.gripper])
      if (!available.has(t)) throw new Error(`${o.bag} has no ${t} topic (robot state); found [${[...available].join(", ")}]`);

    // Read the recording (the planner needs goal frames from later in the bag).
    const frames: Frame[] = [];
    const poses: Array<{ stamp: number; msg: PoseStampedMsg; pose: number[] }> = [];
    const grippers: Array<{ stamp: number; msg: JointStateMsg; value: number }> = [];
    for await (const m of reader.messages({ topics: [imageTopic, topics.eePose, topics.gripper] })) {
      const msg = m.message as unknown as { header?: { stamp: Time } };
      const stamp = stampOf(msg.header, m.logTime);
      if (m.topic === imageTopic)
        frames.push({ stamp, msg: m.message as unknown as ImageMsg | CompressedImageMsg, compressed: imageTopic === topics.compressedImage });
      else if (m.topic === topics.eePose) {
        const p = (m.message as unknown as PoseStampedMsg).pose;
        poses.push({
          stamp,
          msg: m.message as unknown as PoseStampedMsg,
          pose: [
            p.position.x,
            p.position.y,
            p.position.z,
            ...Array.from(quaternionToEulerXyz([p.orientation.x, p.orientation.y, p.orientation.z, p.orientation.w])),
          ],
        });
      } else {
        const js = m.message as unknown as JointStateMsg;
        const g = closednessFromJointState(js.name, Array.from(js.position));
        if (g !== null) grippers.push({ stamp, msg: js, value: g });
      }
    }
    const damage = reader.damage.map(formatDamage);
    for (const d of damage) problems.push({ frameIndex: null, time: null, reason: d });
    frames.sort((a, b) => a.stamp - b.stamp);
    poses.sort((a, b) => a.stamp - b.stamp);
    grippers.sort((a, b) => a.stamp - b.stamp);
    if (frames.length < 2) throw new Error(`${o.bag}: ${frames.length} camera frame(s); replay needs at least 2`);
    const t0 = frames[0].stamp;

    // Recorded state at each frame: the latest pose and gripper at or before it.
    const stateAt = frames.map((f) => {
      const pi = lastAtOrBefore(poses, (p) => p.stamp, f.stamp);
      const gi = lastAtOrBefore(grippers, (g) => g.stamp, f.stamp);
      return pi < 0 || gi < 0 ? null : [...poses[pi].pose, grippers[gi].value];
    });

    // Goals: sub-goals every K frames, or the last frame.
    const n = frames.length;
    const goalFrames: number[] = [];
    let budget: number;
    if ("every" in o.goal) {
      const k = o.goal.every;
      if (!Number.isInteger(k) || k < 1) throw new Error(`--goal-every must be an integer ≥ 1, got ${k}`);
      for (let g = k; g < n - 1 + k; g += k) goalFrames.push(Math.min(g, n - 1));
      budget = k;
    } else {
      goalFrames.push(n - 1);
      budget = n - 1;
    }
    const goalOfStep = (frameIndex: number): number => goalFrames[Math.min(goalFrames.length - 1, Math.floor(frameIndex / budget))];

    const config: Config = {
      ...o.config,
      // Replay plans every frame; sim time stands still while the model thinks, so nothing goes stale.
      planner: { ...o.config.planner, mode: "streaming", default_step_budget: budget, energy_threshold: null, max_frame_age: 1e6 },
      actuator: { ...o.config.actuator, plan_timeout: Math.max(o.config.actuator.plan_timeout, 1e6) },
    };
    const pipeline = new InProcessPipeline({ config, model: o.model, preprocess: o.preprocess, compressedCamera: frames[0].compressed, log });
    // Statuses, rejections and the first encoded frame are attributed to the frame being played (the play
    // loop waits for each frame's step), not looked up by stamp: recorded frames can share a stamp.
    let playing = -1;
    const statuses: Array<{ msg: PlanStatusMsg; frameIndex: number }> = [];
    let lastActuator: ActuatorStatusMsg | null = null;
    pipeline.bus.subscribe(NODE_TOPICS.actuatorStatus, "vjepa2_mpc_interfaces/msg/ActuatorStatus", (m) => {
      lastActuator = m as ActuatorStatusMsg;
    });
    pipeline.bus.subscribe(NODE_TOPICS.planStatus, "vjepa2_mpc_interfaces/msg/PlanStatus", (m) =>
      statuses.push({ msg: m as PlanStatusMsg, frameIndex: playing }),
    );
    let firstContext: { frameIndex: number; embedding: FloatTensor } | null = null;
    pipeline.channel.subscribe((f) => {
      firstContext ??= { frameIndex: playing, embedding: f.embedding };
    });
    pipeline.clock.advanceTo(t0 - 1e-3);
    pipeline.start();

    const goalImages: ImageMsg[] = [];
    for (const gi of goalFrames) {
      try {
        goalImages.push(imageMessage(frames[gi].msg.header, toRawImage(frames[gi])));
      } catch (e) {
        throw new Error(`goal frame ${gi} cannot be decoded: ${(e as Error).message}`, { cause: e });
      }
    }
    const set = await pipeline.setGoal({ images: goalImages, step_budgets: goalImages.map(() => budget) });
    if (!set.success) throw new Error(`setting the replay goals failed: ${set.message}`);

    // Play: states and images in time order; after each frame, wait for its planning step.
    const publishImage = pipeline.operator.publisher<ImageMsg | CompressedImageMsg>(
      frames[0].compressed ? "sensor_msgs/msg/CompressedImage" : "sensor_msgs/msg/Image",
      NODE_TOPICS[frames[0].compressed ? "compressedImage" : "image"],
      "sensor_data",
    );
    const publishPose = pipeline.operator.publisher<PoseStampedMsg>("geometry_msgs/msg/PoseStamped", NODE_TOPICS.eePose, "sensor_data");
    const publishGripper = pipeline.operator.publisher<JointStateMsg>("sensor_msgs/msg/JointState", NODE_TOPICS.gripper, "sensor_data");
    type Event = { stamp: number; kind: 0 | 1 | 2; index: number };
    const events: Event[] = [
      ...poses.map((p, index): Event => ({ stamp: p.stamp, kind: 0, index })),
      ...grippers.map((g, index): Event => ({ stamp: g.stamp, kind: 1, index })),
      ...frames.map((f, index): Event => ({ stamp: f.stamp, kind: 2, index })),
    ].sort((a, b) => a.stamp - b.stamp || a.kind - b.kind); // states before the frame of the same instant
    const actuatorAfter = new Map<number, ActuatorStatusMsg | null>();
    for (const e of events) {
      if (e.stamp > pipeline.clock.now()) pipeline.clock.advanceTo(e.stamp);
      if (e.kind === 0) publishPose(poses[e.index].msg);
      else if (e.kind === 1) publishGripper(grippers[e.index].msg);
      else {
        if (stateAt[e.index] === null) problems.push({ frameIndex: e.index, time: e.stamp - t0, reason: "no recorded robot state at or before this frame" });
        const before = statuses.length;
        const rejectedBefore = pipeline.camera.stats.rejected;
        playing = e.index;
        publishImage(frames[e.index].msg);
        await pipeline.model.quiescent();
        await new Promise((r) => setImmediate(r));
        if (statuses.length > before) actuatorAfter.set(e.index, lastActuator);
        if (pipeline.camera.stats.rejected > rejectedBefore) {
          const reason = pipeline.camera.rejections.at(-1)?.reason ?? "unknown";
          problems.push({ frameIndex: e.index, time: e.stamp - t0, reason: `frame rejected: ${reason}` });
        }
        o.onProgress?.(e.index + 1, n);
      }
    }
    const camera = pipeline.camera.stats;
    await pipeline.stop();

    // One report row per planning step.
    const codeName = Object.fromEntries(Object.entries(PLAN_STATUS_CODES).map(([k, v]) => [v, k]));
    const steps: ReplayStep[] = [];
    for (const { msg, frameIndex: i } of statuses) {
      const planned = msg.action.length === 7 ? [...msg.action] : null;
      const recorded =
        i >= 0 && i + 1 < n && stateAt[i] !== null && stateAt[i + 1] !== null ? posesToDiff(stateAt[i] as number[], stateAt[i + 1] as number[]) : null;
      const act = actuatorAfter.get(i) ?? null;
      const status = codeName[msg.code] ?? String(msg.code);
      if (status !== "planned" && status !== "done" && status !== "returning")
        problems.push({ frameIndex: i, time: i >= 0 ? frames[i].stamp - t0 : null, reason: `not planned (${status}): ${msg.message}` });
      steps.push({
        frameIndex: i,
        time: i >= 0 ? frames[i].stamp - t0 : Number.NaN,
        goalFrameIndex: goalOfStep(Math.max(0, i)),
        status,
        message: msg.message,
        planned,
        recorded,
        commanded: act && planned ? actionFromMsg(act.commanded) : null,
        limitsApplied: act && planned ? [...act.limits_applied] : [],
        currentEnergy: Number.isFinite(msg.current_energy) ? msg.current_energy : null,
        plannedEnergy: Number.isFinite(msg.planned_energy) ? msg.planned_energy : null,
        energyPerIteration: [...msg.energy_per_iteration],
        latencyMs: msg.latency_ms,
        modelMs: msg.model_ms,
      });
    }
    const plannedSteps = steps.filter((s) => s.planned !== null);
    const pairs = plannedSteps.filter((s) => s.recorded !== null).map((s) => ({ planned: s.planned as number[], recorded: s.recorded as number[] }));

    let landscape: EnergyLandscape | null = null;
    const grid = o.landscapeGrid ?? 9;
    const ctx = firstContext as { frameIndex: number; embedding: FloatTensor } | null;
    if (grid > 1 && ctx !== null) {
      const i = Math.max(0, ctx.frameIndex);
      if (stateAt[i] !== null)
        landscape = await energyLandscape(
          o,
          config,
          frames,
          i,
          goalOfStep(i),
          ctx.embedding,
          stateAt[i] as number[],
          grid,
          steps.find((s) => s.frameIndex === i) ?? null,
        );
    }
    return {
      bag: o.bag,
      model: o.modelName,
      createdAt: new Date().toISOString(),
      settings: {
        goalEvery: "every" in o.goal ? o.goal.every : null,
        goalFrame: "frame" in o.goal ? "last" : null,
        samples: config.planner.samples,
        iterations: config.planner.iterations,
        horizon: config.planner.horizon,
        maxnorm: config.planner.maxnorm,
      },
      frames: {
        read: n,
        encoded: camera.encoded,
        droppedStale: camera.droppedStale,
        droppedSuperseded: camera.droppedSuperseded,
        rejected: camera.rejected,
        planned: plannedSteps.length,
      },
      problems,
      damage,
      agreement: summariseAgreement(pairs),
      latencyMs: plannedSteps.length > 0 ? summarise(plannedSteps.map((s) => s.latencyMs)) : null,
      steps,
      landscape,
    };
  } finally {
    await reader.close();
  }
}

/** Energies over a (dx, dz) grid at one frame (dy, rotations and gripper 0), with horizon 1. */
async function energyLandscape(
  o: ReplayOptions,
  config: Config,
  frames: Frame[],
  frameIndex: number,
  goalFrameIndex: number,
  context: FloatTensor,
  state: number[],
  grid: number,
  step: ReplayStep | null,
): Promise<EnergyLandscape> {
  const goalFrame = preprocessImage(toRawImage(frames[goalFrameIndex]), o.preprocess);
  const goal = await o.model.encode({ data: goalFrame, dims: inputDims(o.preprocess, 1) });
  const m = config.planner.maxnorm;
  const axis = Array.from({ length: grid }, (_, i) => -m + (2 * m * i) / (grid - 1));
  const actions = new Float32Array(grid * grid * 7);
  axis.forEach((dz, i) => axis.forEach((dx, j) => actions.set([dx, 0, dz, 0, 0, 0, 0], (i * grid + j) * 7)));
  const r = await o.model.rolloutEnergy(context, goal, { data: Float32Array.from(state), dims: [1, 7] }, { data: actions, dims: [grid * grid, 1, 7] });
  return {
    frameIndex,
    goalFrameIndex,
    dx: axis,
    dz: axis,
    energy: axis.map((_, i) => Array.from(r.energy.subarray(i * grid, (i + 1) * grid))),
    recorded: step?.recorded ? [step.recorded[0], step.recorded[2]] : null,
    planned: step?.planned ? [step.planned[0], step.planned[2]] : null,
  };
}
