/**
 * Drives the planner in one of two modes:
 * - blocking (paper): observe, plan, execute the first action, wait for the motion to settle (or a
 *   timeout), repeat;
 * - streaming: plan on every fresh frame; frames arriving while a plan is running replace each other
 *   (only the newest waits), and frames older than `maxFrameAge` when planning would start are dropped.
 */
import { LatestOnly } from "./LatestOnly";
import type { Observation, PlanStep, RecedingHorizonPlanner } from "./RecedingHorizonPlanner";

/** The robot as the controller sees it. */
export interface RobotInterface {
  /** The current observation (frame embedding + state); resolves when a fresh one is available. */
  observe(): Promise<Observation>;
  /**
   * Hands an action to the robot; resolves to the action handed over, or null when nothing was (planning
   * paused or stopped meanwhile). What the robot's own safety layer then commands from it is the robot's
   * to report: under ROS the actuator node's envelope, in ActuatorStatus.commanded (a separate process
   * that the planner does not wait on).
   */
  sendAction(action: readonly number[]): Promise<readonly number[] | null>;
  /** Resolves true once the last commanded motion has settled, false when `timeoutS` passes first. */
  waitSettled(timeoutS: number): Promise<boolean>;
}

export interface ControllerOptions {
  /** Blocking mode: longest wait for a motion to settle (s). */
  settleTimeout: number;
  /** Streaming mode: frames older than this when planning would start are dropped (s). */
  maxFrameAge: number;
  /** Current time on the clock the observation stamps use (s): wall or sim time. */
  clock: () => number;
  /** Waits `seconds` on that clock (blocking mode's backoff after a failed step); default: wall time. */
  sleep?: (seconds: number) => Promise<void>;
}

/** Failed steps (world-model errors) in a row the blocking loop retries before it gives up. */
export const MAX_ERROR_RETRIES = 5;

/** Wait before retry `attempt` (1, 2, …) after a failed step: 0.5 s doubling, at most 8 s. */
export function errorBackoff(attempt: number): number {
  return Math.min(8, 0.5 * 2 ** (attempt - 1));
}

/** Counters of what happened to frames and plans. */
export interface ControllerStats {
  framesOffered: number;
  framesPlanned: number;
  droppedStale: number;
  droppedSuperseded: number;
  settleTimeouts: number;
}

/** One executed (or attempted) step of the blocking loop. */
export interface ExecutedStep {
  step: PlanStep;
  /** What was handed to the robot (null when nothing was: paused or stopped meanwhile). */
  sent: readonly number[] | null;
  settled: boolean | null;
}

export class MpcController {
  readonly stats: ControllerStats = { framesOffered: 0, framesPlanned: 0, droppedStale: 0, droppedSuperseded: 0, settleTimeouts: 0 };
  /** Streaming mode's frames: one planned at a time, only the newest waits. */
  private readonly frames = new LatestOnly<Observation>();

  constructor(
    private readonly planner: RecedingHorizonPlanner,
    private options: ControllerOptions,
  ) {}

  /** Replaces the options (a live parameter change); they apply from the next frame or settle wait. */
  updateOptions(options: ControllerOptions): void {
    this.options = options;
  }

  /**
   * Blocking mode: plans and executes until every goal is finished, `maxSteps` steps were taken, or
   * `shouldStop()` returns true. A step without an action (idle, done) ends the loop; after an
   * invalid observation, or a plan discarded because the goals changed during its step, the next
   * observation is tried. A failed step (world-model error) is retried after errorBackoff seconds,
   * reported to `onRetry`, up to MAX_ERROR_RETRIES in a row; then the loop ends. `onPlan` sees each plan before it is
   * executed, `onStep` after the motion settled. Returns every step with what was sent.
   */
  async runBlocking(
    robot: RobotInterface,
    limits: {
      maxSteps: number;
      shouldStop?: () => boolean;
      onPlan?: (s: PlanStep) => void;
      onStep?: (s: ExecutedStep) => void;
      onRetry?: (s: PlanStep, attempt: number, delayS: number) => void;
    },
  ): Promise<ExecutedStep[]> {
    const out: ExecutedStep[] = [];
    let invalidInARow = 0;
    let errorsInARow = 0;
    while (out.length < limits.maxSteps && !(limits.shouldStop?.() ?? false)) {
      const obs = await robot.observe();
      this.stats.framesOffered++;
      const step = await this.planner.step(obs);
      this.stats.framesPlanned++;
      limits.onPlan?.(step);
      const executed: ExecutedStep = { step, sent: null, settled: null };
      if (step.action !== null) {
        executed.sent = await robot.sendAction(step.action);
        if (executed.sent !== null) {
          executed.settled = await robot.waitSettled(this.options.settleTimeout);
          if (!executed.settled) this.stats.settleTimeouts++;
        }
      }
      out.push(executed);
      limits.onStep?.(executed);
      if (step.status.code === "discarded") continue; // planned for goals that were replaced: plan for the new ones
      if (step.status.code === "error") {
        // A transient failure (a GPU hiccup, a worker restart) should not end the run silently.
        if (++errorsInARow > MAX_ERROR_RETRIES) break;
        const delay = errorBackoff(errorsInARow);
        limits.onRetry?.(step, errorsInARow, delay);
        await (this.options.sleep ?? ((s: number) => new Promise<void>((r) => setTimeout(r, 1000 * s))))(delay);
        continue;
      }
      errorsInARow = 0;
      if (step.status.code === "invalid_observation") {
        if (++invalidInARow >= 3) break; // the source keeps sending garbage: stop and let the caller see why
        continue;
      }
      invalidInARow = 0;
      if (step.action === null) break; // idle, done or error: nothing more to execute
    }
    return out;
  }

  /**
   * Streaming mode: offers a fresh frame. Planning starts at once if idle; otherwise the frame waits,
   * replacing any frame already waiting. Each finished plan is handed to `onPlan`.
   */
  offerFrame(obs: Observation, onPlan: (step: PlanStep) => void): void {
    this.stats.framesOffered++;
    if (this.frames.offer(obs, (o) => this.planFrame(o, onPlan))) this.stats.droppedSuperseded++;
  }

  /** Resolves when no plan is running and no frame is waiting (streaming mode). */
  async idle(): Promise<void> {
    await this.frames.idle();
  }

  /** Plans on a streamed frame unless it got too old while it waited. */
  private planFrame(obs: Observation, onPlan: (step: PlanStep) => void): Promise<void> | void {
    if (this.options.clock() - obs.stamp > this.options.maxFrameAge) {
      this.stats.droppedStale++;
      return;
    }
    return this.planner.step(obs).then((step) => {
      this.stats.framesPlanned++;
      onPlan(step);
    });
  }
}
