/**
 * The tabletop simulator: one end-effector (a parallel gripper seen as a free-floating flange pose)
 * and one cube on a table, stepped with DROID deltas and seen by a fixed camera.
 *
 * State and action follow the DROID / V-JEPA 2-AC convention (DESIGN §1): state = [x, y, z, roll,
 * pitch, yaw, gripper] (flange position in m, 'xyz' Euler angles in rad, closedness 0..1), action =
 * [dx, dy, dz, droll, dpitch, dyaw, dgripper], advanced with `computeNewPose`, then the position is
 * clamped to the workspace box (and, by default, the orientation held pointing down).
 *
 * Grasp model (no contact physics): when the closedness crosses 0.5 upwards in a step that ends with
 * the fingers around the cube (flange within `graspRadius` of the cube centre horizontally and the
 * fingertips at least `graspDepth` below the cube top), the cube is centred between the fingers and
 * carried; when the closedness falls to 0.5 or below it drops straight onto the table. Nothing else
 * touches: a closed gripper passes through the cube.
 *
 * Deterministic: `reset(seed, …)` fixes the scene and goals; `step` has no randomness. Not re-entrant
 * (it reuses one renderer's buffers).
 */
import { assertVector7, computeNewPose, type Vector7 } from "../pose/poseMath";
import type { RawImage } from "../worldmodel/preprocess";
import { SceneRenderer } from "./SceneRenderer";
import type { SceneState } from "./sceneGeometry";
import { clampToWorkspace, DEFAULT_SIM_CONFIG, simCameras, type SimConfig, type Vec3 } from "./simConfig";
import { createSimRandom, type SimRandom } from "./simRandom";

/** What the episode is about: reach a pose, or pick the cube and place it elsewhere. */
export type SimTask = "reach" | "pick_place";

/** The tasks, for option parsing. */
export const SIM_TASKS: readonly SimTask[] = ["reach", "pick_place"];

/**
 * The sub-goal images of pick_place. "paper": grasp (open at the cube), lift (closed, the cube raised),
 * place (open, the cube on the table at the target): V-JEPA 2's three. "carry" adds, after lift, the cube
 * held at lift height above the target: with the paper's three, a greedy one-step planner opened the
 * gripper at the start of the place leg (the place image shows it open) and dropped the cube where it was
 * picked. "staged" has five: grasp; close (the gripper closed on the cube, still on the table): from an open
 * gripper at the cube, closing is the one action that moves toward it, whereas the far-away lift image drew
 * the arm up first; lift; set down (the cube on the table at the target, still held), so that the arm centres
 * the cube before it lets go; place.
 */
export type PickPlaceGoals = "paper" | "carry" | "staged";

/** The pick_place goal sequences, for option parsing. */
export const PICK_PLACE_GOALS: readonly PickPlaceGoals[] = ["paper", "carry", "staged"];

/** A goal: the image the planner is given, and the pose (and cube) it shows. */
export interface SimGoal {
  /** What the goal is, e.g. "reach", "grasp", "lift", "place". */
  label: string;
  /** Flange pose shown in the image [x, y, z, roll, pitch, yaw, gripper]. */
  pose: number[];
  /** Cube centre shown in the image (m). */
  cube: Vec3;
  /** Whether the image shows the cube held. */
  cubeHeld: boolean;
  /** An intermediate image on a long leg (`approachSubgoalSpacing`, `carrySubgoalSpacing`), or null for the task's own goals. */
  subgoal: "approach" | "carry" | null;
  /** The rendered goal image (rgb8); absent when the reset asked for no goal images. */
  image?: RawImage;
}

/** An observation: the camera image and the robot state. */
export interface SimObservation {
  image: RawImage;
  /** [x, y, z, roll, pitch, yaw, gripper], a fresh array. */
  state: number[];
}

/** The result of `reset`. */
export interface SimResetResult extends SimObservation {
  task: SimTask;
  /**
   * One goal for reach; for pick_place grasp → lift → place, with more sub-goals between as
   * `pickPlaceGoals` says and any carry sub-goals after lift; either led by any approach sub-goals.
   */
  goals: SimGoal[];
  /** How many approach sub-goals lead `goals`. */
  approachSubgoals: number;
}

/** The result of `step`. */
export interface SimStepResult extends SimObservation {
  /** The position had to be clamped to the workspace. */
  clamped: boolean;
  /** The cube was grasped in this step. */
  grasped: boolean;
  /** The cube was released in this step. */
  released: boolean;
}

/** Optional overrides of the sampled start (for scripted data and tests). */
export interface SimResetOptions {
  /** Start flange position [x, y, z] (m; clamped to the workspace) instead of a random one. */
  eePosition?: ArrayLike<number>;
  /** Start closedness (0..1); 0 (open) by default. */
  gripper?: number;
  /** Cube centre x, y on the table (m) instead of a random spot. */
  cubeXY?: readonly [number, number];
  /** Place location x, y (m) for pick_place instead of a random spot. */
  placeXY?: readonly [number, number];
  /** Start with the cube held at the grasp height under the flange (gripper closed). */
  holding?: boolean;
  /**
   * Sub-goals on the straight line from the start to the first goal (reach: the goal; pick_place: the
   * grasp), evenly spaced and at most this far apart (m), before it (0 or absent: none). Reach labels
   * them "sub-goal i/n", pick_place "approach i/n" (gripper open, cube on the table).
   */
  approachSubgoalSpacing?: number;
  /**
   * pick_place: sub-goals with the cube held at lift height, evenly spaced and at most this far apart (m)
   * on the straight line from above the cube to above the target, right after lift (0 or absent: none).
   * Labelled "carry i/n". A set-down or place image far from the lifted cube shares no arm patches with
   * the current frame, so the energy does not tell the planner which way to carry.
   */
  carrySubgoalSpacing?: number;
  /** pick_place's sub-goal images (default "paper"; see PickPlaceGoals). */
  pickPlaceGoals?: PickPlaceGoals;
  /** Render the goal images (default true; dataset generation turns it off). */
  renderGoals?: boolean;
  /** Render the observation (default true). */
  renderObservation?: boolean;
}

/** Options of a simulator. */
export interface TabletopSimOptions {
  /** Image size (px, square); 64 by default. */
  size?: number;
  /** Supersampling per axis; 2 by default. */
  supersample?: number;
  /** Scene parameters; DEFAULT_SIM_CONFIG by default. */
  config?: SimConfig;
  /**
   * Cameras per image: 1 (`config.camera`) or 2 (`config.camera`, then `config.secondCamera`), side by side
   * in one image `views · size` wide, the layout a two-view model package takes (model.json `views`).
   */
  views?: number;
}

/** The camera counts a simulator renders. */
export const SIM_VIEWS: readonly number[] = [1, 2];

/** Reach success radius (m): flange within this of the goal position. */
export const REACH_TOLERANCE = 0.02;
/** Pick-and-place success radius (m): cube on the table within this of the place location. */
export const PLACE_TOLERANCE = 0.03;

export class TabletopSim {
  readonly config: SimConfig;
  /** The first camera's renderer. */
  readonly renderer: SceneRenderer;
  /** One renderer per view, left to right. */
  private readonly renderers: SceneRenderer[];
  private ee: number[] = [];
  private cube: [number, number, number] = [0, 0, 0];
  private held = false;
  private heldOffset = 0;
  private currentTask: SimTask = "reach";
  private currentGoals: SimGoal[] = [];
  private place: [number, number] = [0, 0];
  private started = false;

  constructor({ size = 64, supersample = 2, config = DEFAULT_SIM_CONFIG, views = 1 }: TabletopSimOptions = {}) {
    if (!SIM_VIEWS.includes(views)) throw new Error(`sim views must be 1 or 2 (cameras side by side in one image), got ${views}`);
    this.config = config;
    this.renderers = simCameras(config, views).map((camera) => new SceneRenderer({ size, supersample, config, camera }));
    this.renderer = this.renderers[0];
  }

  /** Height of the image and width of each view (px). */
  get size(): number {
    return this.renderer.size;
  }

  /** Cameras side by side in each image. */
  get views(): number {
    return this.renderers.length;
  }

  /** Flange height (m) at which the fingers straddle a cube resting on the table. */
  get graspHeight(): number {
    const c = this.config;
    return Math.max(c.workspace.min[2], c.cubeSize / 2 - c.graspDepth + c.fingertipOffset);
  }

  /** Flange height (m) the pick-and-place goals lift the cube to. */
  get liftHeight(): number {
    return Math.min(this.config.workspace.max[2], this.graspHeight + 0.15);
  }

  /**
   * Starts an episode: samples the start pose, the cube (and for pick_place the place location) and
   * the goals from `seed`, and renders them. The state before this call is discarded.
   */
  reset(seed: number, task: SimTask = "reach", options: SimResetOptions = {}): SimResetResult {
    if (!SIM_TASKS.includes(task)) throw new Error(`unknown sim task '${String(task)}' (expected ${SIM_TASKS.join(" or ")})`);
    const spacing = subgoalSpacing(options.approachSubgoalSpacing, "approach");
    const carrySpacing = subgoalSpacing(options.carrySubgoalSpacing, "carry");
    const pickPlaceGoals = options.pickPlaceGoals ?? "paper";
    if (!PICK_PLACE_GOALS.includes(pickPlaceGoals))
      throw new Error(`unknown pick_place goals '${String(pickPlaceGoals)}' (expected one of ${PICK_PLACE_GOALS.join(", ")})`);
    const rng = createSimRandom(seed);
    const c = this.config;
    const ws = c.workspace;
    // Draw everything in a fixed order whatever the overrides, so an override changes only its part.
    const startDraw = [rng.range(ws.min[0], ws.max[0]), rng.range(ws.min[1], ws.max[1]), rng.range(ws.min[2], ws.max[2])];
    const cubeDraw = this.sampleTableSpot(rng);
    const placeDraw = this.sampleTableSpot(rng, options.cubeXY ?? cubeDraw);
    const reachDraw = this.sampleReachGoal(rng, options.eePosition ?? startDraw);
    const cubeXY = options.cubeXY ?? cubeDraw;
    this.place = [...(options.placeXY ?? placeDraw)] as [number, number];
    this.currentTask = task;
    const [ox, oy, oz] = c.downOrientation;
    let gripper = clamp01(options.gripper ?? 0);
    this.cube = [cubeXY[0], cubeXY[1], c.cubeSize / 2];
    this.held = false;
    this.heldOffset = 0;
    let position = clampToWorkspace(options.eePosition ?? startDraw, ws).position;
    if (options.holding === true) {
      position = clampToWorkspace([cubeXY[0], cubeXY[1], options.eePosition?.[2] ?? this.graspHeight], ws).position;
      gripper = Math.max(gripper, 1);
      this.held = true;
      this.heldOffset = this.graspHeight - c.cubeSize / 2;
      this.cube = [position[0], position[1], Math.max(c.cubeSize / 2, position[2] - this.heldOffset)];
    }
    this.ee = [position[0], position[1], position[2], ox, oy, oz, gripper];
    this.started = true;

    const orient = [ox, oy, oz];
    const onTable = (xy: readonly number[]): Vec3 => [xy[0], xy[1], c.cubeSize / 2];
    // Evenly spaced points on the line from `from` to `to`, at most `step` apart, both ends excluded.
    const between = (from: readonly number[], to: readonly number[], step: number): number[][] => {
      const count = subgoalCount(from, to, step);
      return Array.from({ length: count }, (_, i) => [0, 1, 2].map((a) => from[a] + ((i + 1) / (count + 1)) * (to[a] - from[a])));
    };
    const approach = (to: readonly number[], label: string, goalGripper: number): SimGoal[] =>
      between(position, to, spacing).map((p, i, all) => ({
        label: `${label} ${i + 1}/${all.length}`,
        pose: [...p, ...orient, goalGripper],
        cube: [...this.cube],
        cubeHeld: this.held,
        subgoal: "approach",
      }));
    let lead: SimGoal[];
    if (task === "reach") {
      lead = approach(reachDraw, "sub-goal", gripper);
      this.currentGoals = [...lead, { label: "reach", pose: [...reachDraw, ...orient, gripper], cube: [...this.cube], cubeHeld: this.held, subgoal: null }];
    } else {
      const g = this.graspHeight;
      const lift = this.liftHeight;
      const liftOffset = g - c.cubeSize / 2;
      lead = approach([cubeXY[0], cubeXY[1], g], "approach", 0);
      const held = (xy: readonly number[], z: number, label: string, subgoal: SimGoal["subgoal"] = null): SimGoal => ({
        label,
        pose: [xy[0], xy[1], z, ...orient, 1],
        cube: [xy[0], xy[1], z - liftOffset],
        cubeHeld: true,
        subgoal,
      });
      const carry = between([cubeXY[0], cubeXY[1], lift], [this.place[0], this.place[1], lift], carrySpacing).map((p, i, all) =>
        held(p, lift, `carry ${i + 1}/${all.length}`, "carry"),
      );
      const staged = pickPlaceGoals === "staged";
      this.currentGoals = [
        ...lead,
        { label: "grasp", pose: [cubeXY[0], cubeXY[1], g, ...orient, 0], cube: onTable(cubeXY), cubeHeld: false, subgoal: null },
        ...(staged ? [held(cubeXY, g, "close")] : []),
        held(cubeXY, lift, "lift"),
        ...carry,
        ...(pickPlaceGoals === "carry" ? [held(this.place, lift, "carry")] : []),
        ...(staged ? [held(this.place, g, "set down")] : []),
        { label: "place", pose: [this.place[0], this.place[1], g, ...orient, 0], cube: onTable(this.place), cubeHeld: false, subgoal: null },
      ];
    }
    if (options.renderGoals !== false) {
      for (const goal of this.currentGoals) goal.image = this.render({ ee: goal.pose, cube: goal.cube, cubeHeld: goal.cubeHeld });
    }
    const image = options.renderObservation === false ? emptyImage(this.size, this.views) : this.render(this.scene());
    return { image, state: this.state, task, goals: this.currentGoals.map((goal) => ({ ...goal, pose: [...goal.pose] })), approachSubgoals: lead.length };
  }

  /**
   * Applies one DROID delta: pose ← clamp(computeNewPose(pose, action)), then the grasp model.
   * @param action [dx, dy, dz, droll, dpitch, dyaw, dgripper]; 7 finite numbers
   * @param render render the new image (default true)
   * @throws Error when `reset` was never called or the action is malformed (the state is unchanged)
   */
  step(action: Vector7, render = true): SimStepResult {
    if (!this.started) throw new Error("TabletopSim.step called before reset");
    assertVector7(action, "action");
    const c = this.config;
    const wasClosed = this.ee[6] > 0.5;
    const next = computeNewPose(this.ee, action);
    const { position, clamped } = clampToWorkspace(next, c.workspace);
    next[0] = position[0];
    next[1] = position[1];
    next[2] = position[2];
    if (c.lockOrientation) {
      next[3] = c.downOrientation[0];
      next[4] = c.downOrientation[1];
      next[5] = c.downOrientation[2];
    }
    this.ee = next;
    const isClosed = next[6] > 0.5;
    let grasped = false;
    let released = false;
    if (this.held) {
      if (!isClosed) {
        this.held = false;
        released = true;
        this.cube = [clampTo(next[0], c.table.min[0], c.table.max[0]), clampTo(next[1], c.table.min[1], c.table.max[1]), c.cubeSize / 2];
      } else {
        this.cube = [next[0], next[1], Math.max(c.cubeSize / 2, next[2] - this.heldOffset)];
      }
    } else if (!wasClosed && isClosed && this.fingersAroundCube()) {
      this.held = true;
      grasped = true;
      this.heldOffset = next[2] - this.cube[2];
      this.cube = [next[0], next[1], this.cube[2]];
    }
    return { image: render ? this.render(this.scene()) : emptyImage(this.size, this.views), state: this.state, clamped, grasped, released };
  }

  /** The current observation (renders it). */
  observe(): SimObservation {
    return { image: this.render(this.scene()), state: this.state };
  }

  /** The flange pose [x, y, z, roll, pitch, yaw, gripper], a fresh array. */
  get state(): number[] {
    return [...this.ee];
  }

  /** The task of the current episode. */
  get task(): SimTask {
    return this.currentTask;
  }

  /** The goals of the current episode (images included when rendered). */
  get goals(): readonly SimGoal[] {
    return this.currentGoals;
  }

  /** Cube centre (m), a fresh array. */
  get cubePosition(): [number, number, number] {
    return [...this.cube];
  }

  /** Whether the cube is held. */
  get cubeHeld(): boolean {
    return this.held;
  }

  /** Place location x, y (m) of the episode (sampled for every task; the pick_place target). */
  get placeTarget(): [number, number] {
    return [...this.place];
  }

  /** The scene as the renderer sees it. */
  scene(): SceneState {
    return { ee: [...this.ee], cube: [...this.cube], cubeHeld: this.held };
  }

  /** Renders any scene with this simulator's cameras and size (views side by side). */
  render(scene: SceneState): RawImage {
    if (this.renderers.length === 1) return this.renderer.render(scene);
    const out = emptyImage(this.size, this.views);
    const row = this.size * 3;
    this.renderers.forEach((renderer, v) => {
      const tile = renderer.render(scene).data;
      for (let y = 0; y < this.size; y++) out.data.set(tile.subarray(y * row, (y + 1) * row), (y * this.views + v) * row);
    });
    return out;
  }

  /** Distance (m) between the flange and goal `index`'s flange position. */
  goalDistance(index: number): number {
    const goal = this.currentGoals[index];
    if (goal === undefined) throw new Error(`goal index ${index} out of range: this episode has ${this.currentGoals.length} goal(s)`);
    return Math.hypot(this.ee[0] - goal.pose[0], this.ee[1] - goal.pose[1], this.ee[2] - goal.pose[2]);
  }

  /**
   * How far the task is from done (m): reach — the flange from the goal position (the last goal;
   * sub-goals do not count); pick_place — the cube from the place location, horizontally.
   */
  distanceToTarget(): number {
    if (this.currentTask === "reach") return this.goalDistance(this.currentGoals.length - 1);
    return Math.hypot(this.cube[0] - this.place[0], this.cube[1] - this.place[1]);
  }

  /**
   * Whether the task is done: reach — flange within REACH_TOLERANCE (2 cm) of the goal position;
   * pick_place — the cube resting on the table (not held) within PLACE_TOLERANCE (3 cm) of the place location.
   */
  success(): boolean {
    if (this.currentTask === "reach") return this.distanceToTarget() <= REACH_TOLERANCE;
    return !this.held && this.distanceToTarget() <= PLACE_TOLERANCE;
  }

  /** The fingers straddle the cube: close enough horizontally, and reaching down its sides. */
  fingersAroundCube(pose: ArrayLike<number> = this.ee): boolean {
    const c = this.config;
    const horizontal = Math.hypot(pose[0] - this.cube[0], pose[1] - this.cube[1]);
    const tip = pose[2] - c.fingertipOffset;
    const top = this.cube[2] + c.cubeSize / 2;
    const bottom = this.cube[2] - c.cubeSize / 2;
    return horizontal <= c.graspRadius && tip <= top - c.graspDepth && tip >= bottom - c.graspDepth;
  }

  private sampleTableSpot(rng: SimRandom, awayFrom?: readonly number[]): [number, number] {
    const a = this.config.objectArea;
    let best: [number, number] = [0, 0];
    for (let attempt = 0; attempt < 32; attempt++) {
      best = [rng.range(a.min[0], a.max[0]), rng.range(a.min[1], a.max[1])];
      if (awayFrom === undefined || Math.hypot(best[0] - awayFrom[0], best[1] - awayFrom[1]) >= 0.1) break;
    }
    return best;
  }

  private sampleReachGoal(rng: SimRandom, from: ArrayLike<number>): [number, number, number] {
    const ws = this.config.workspace;
    let best: [number, number, number] = [0, 0, 0];
    for (let attempt = 0; attempt < 32; attempt++) {
      best = [rng.range(ws.min[0], ws.max[0]), rng.range(ws.min[1], ws.max[1]), rng.range(ws.min[2], ws.max[2])];
      if (Math.hypot(best[0] - from[0], best[1] - from[1], best[2] - from[2]) >= 0.08) break;
    }
    return best;
  }
}

/** A sub-goal spacing option (m; absent: 0, none), checked. */
function subgoalSpacing(value: number | undefined, kind: "approach" | "carry"): number {
  const spacing = value ?? 0;
  if (!(Number.isFinite(spacing) && spacing >= 0)) throw new Error(`${kind} sub-goal spacing must be a finite number ≥ 0 (m), got ${spacing}`);
  return spacing;
}

/** Sub-goals needed so that no leg from `from` to `to` is longer than `spacing` (m; 0: none). */
function subgoalCount(from: ArrayLike<number>, to: ArrayLike<number>, spacing: number): number {
  if (spacing === 0) return 0;
  const d = Math.hypot(to[0] - from[0], to[1] - from[1], to[2] - from[2]);
  return Math.max(0, Math.ceil(d / spacing) - 1);
}

function clamp01(v: number): number {
  if (!Number.isFinite(v)) throw new Error(`gripper closedness must be a finite number, got ${v}`);
  return v < 0 ? 0 : v > 1 ? 1 : v;
}

function clampTo(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

function emptyImage(size: number, views = 1): RawImage {
  return { width: size * views, height: size, encoding: "rgb8", data: new Uint8Array(size * views * size * 3) };
}
