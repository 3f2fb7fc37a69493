/**
 * The actuator's safety envelope: one planned delta + the measured state → the target actually commanded,
 * or a hold, with the list of stages that acted. The stages run in this order (STAGE_ORDER):
 *
 *  1. estop            latched e-stop → hold. First: it must win whatever else is wrong, and needs no data.
 *  2. finite_input     NaN/Inf in the delta or the state → hold (names the value). Before anything computes
 *                      with them: NaN passes every `<=` comparison a limit would make.
 *  3. state_watchdog   no fresh robot state → hold: a target built on an old pose is wrong.
 *  4. plan_watchdog    the plan is older than plan_timeout → hold (see watchdogs.ts).
 *  5. step_translation scale dx, dy, dz to the per-step norm, keeping the direction.
 *  6. step_rotation    scale the angle of R_delta to the per-step bound, keeping the axis.
 *                      (The target is then composed: p + dp, R_delta · R.)
 *  7. workspace_box    hold when the measured point (TCP or flange) is farther outside the box than
 *                      workspace_margin (a bogus reading, or an arm pushed out); otherwise clamp the target
 *                      point into the box. After the step limits: from inside the box clamping only shrinks
 *                      each axis' displacement, so the step bound still holds for the bounded point, while
 *                      scaling after clamping could not restore the box. The flange follows the point's
 *                      shift, so with the TCP bounded and a rotation, the flange's translation can exceed
 *                      max_step_translation by the TCP's swing (≤ rotation × |TCP offset|: 2.6 cm at the
 *                      defaults); the streamer's speed limits hold for the flange all the same.
 *  8. gripper_step     clip dgripper to ±max_step_gripper.
 *  9. gripper_range    clip the target closedness into [gripper_min, gripper_max].
 * 10. finite_target    defensive: a non-finite target (e.g. from a degenerate rotation) → hold.
 *
 * Holding means: command nothing new; the target streamer stays at the current commanded pose and the
 * twist adapter sends zero. Velocity limits (per second) are applied by the streamer (targetStreamer.ts),
 * which turns the target into a ramp at the command rate. Per-tick checks between plans (e-stop,
 * watchdogs) are `tickGuards`. Pure: no I/O, no clock, nothing thrown.
 */
import { estopStage, type EStopState } from "./estopLatch";
import { DELTA_LABELS, STATE_LABELS, finiteStage } from "./finiteCheck";
import { limitGripperRange, limitGripperStep } from "./gripperLimits";
import { eulerFromQuat, poseFromVector, quatFromEuler, quatMultiply, quatNormalize, type RigidPose, type Vec3 } from "./rigidPose";
import type { StageName, StageOutcome, StageReport } from "./stage";
import { limitStepRotation, limitStepTranslation } from "./stepLimits";
import { flangeToTcp, type TcpOffset } from "./tcpFlange";
import { planWatchdog, stateWatchdog } from "./watchdogs";
import { clampToWorkspace, workspaceStateCheck, type WorkspaceBox } from "./workspaceBox";

/** The limits of the envelope (resolved from the `actuator` parameters by `envelopeLimitsFrom`). */
export interface EnvelopeLimits {
  /** Largest translation norm per step (m). */
  maxStepTranslation: number;
  /** Largest rotation angle of R_delta per step (rad). */
  maxStepRotation: number;
  /** Workspace box in the base frame (m). */
  workspace: WorkspaceBox;
  /** How far outside the box the measured point may be and still be planned from (m). */
  workspaceMargin: number;
  /** Which point the box bounds. */
  workspacePoint: "tcp" | "flange";
  /** Flange → TCP transform (for `workspacePoint: "tcp"`). */
  tcpOffset: TcpOffset;
  /** Largest closedness change per step. */
  maxStepGripper: number;
  /** Commanded closedness range. */
  gripperMin: number;
  gripperMax: number;
  /** Hold when the state is older than this (s). */
  stateTimeout: number;
  /** Stop a motion whose plan is older than this (s). */
  planTimeout: number;
}

/** What the envelope needs to judge one plan. All times are on the actuator's clock (s). */
export interface EnvelopeInput {
  /** The planned delta [dx, dy, dz, droll, dpitch, dyaw, dgripper] (m, rad, closedness). */
  delta: readonly number[];
  /** The measured flange state [x, y, z, roll, pitch, yaw, gripper] the delta applies to. */
  state: readonly number[];
  now: number;
  /** When the state was received (null: never). */
  stateReceivedAt: number | null;
  /** When the plan was received (null: never). */
  planReceivedAt: number | null;
  estop: EStopState;
}

/** Overall outcome: `ok` (unchanged), `limited` (changed, still moving), `hold`, `estopped`. */
export type EnvelopeCode = "ok" | "limited" | "hold" | "estopped";

export interface EnvelopeResult {
  code: EnvelopeCode;
  /** Reasons of the stages that acted, joined with "; " (empty when ok). */
  message: string;
  /** The delta actually commanded: target − state (zeros when holding). */
  commanded: number[];
  /** Flange target [x, y, z, roll, pitch, yaw, gripper]; null when holding. */
  target: number[] | null;
  /** Names of the stages that acted, in order (ActuatorStatus.limits_applied). */
  limitsApplied: StageName[];
  /** Every stage that acted, with its reason. */
  reports: StageReport[];
}

const ZERO7 = (): number[] => [0, 0, 0, 0, 0, 0, 0];

function hold(reports: StageReport[]): EnvelopeResult {
  const last = reports[reports.length - 1];
  return {
    code: last.stage === "estop" ? "estopped" : "hold",
    message: reports.map((r) => r.reason).join("; "),
    commanded: ZERO7(),
    target: null,
    limitsApplied: reports.map((r) => r.stage),
    reports,
  };
}

/**
 * Per-tick guards (run at the command rate, also between plans): e-stop, state watchdog, plan watchdog.
 * Returns the reports of the guards that refuse (empty: keep streaming). `motionPending`: the commanded
 * pose has not reached the plan's target yet.
 */
export function tickGuards(
  now: number,
  stateReceivedAt: number | null,
  planReceivedAt: number | null,
  estop: EStopState,
  motionPending: boolean,
  limits: Pick<EnvelopeLimits, "stateTimeout" | "planTimeout">,
): StageReport[] {
  const out: StageReport[] = [];
  for (const o of [
    estopStage(estop),
    stateWatchdog(now, stateReceivedAt, limits.stateTimeout),
    planWatchdog(now, planReceivedAt, limits.planTimeout, motionPending),
  ] as StageOutcome<null>[]) {
    if (o.report !== null) out.push(o.report);
  }
  return out;
}

/**
 * Runs the envelope on one planned delta (see the module comment for the stages). Never throws; a hold
 * comes back as `code: "hold" | "estopped"` with `target: null` and the reason.
 */
export function applySafetyEnvelope(input: EnvelopeInput, limits: EnvelopeLimits): EnvelopeResult {
  const reports: StageReport[] = [];
  const refuse = (o: StageOutcome<null>): boolean => {
    if (o.report === null) return false;
    reports.push(o.report);
    return true;
  };
  // 1-4: refusals.
  if (refuse(estopStage(input.estop))) return hold(reports);
  if (
    refuse(
      finiteStage("finite_input", [
        { name: "delta", values: input.delta, labels: DELTA_LABELS, length: 7 },
        { name: "state", values: input.state, labels: STATE_LABELS, length: 7 },
        { name: "now", values: [input.now] },
      ]),
    )
  )
    return hold(reports);
  if (refuse(stateWatchdog(input.now, input.stateReceivedAt, limits.stateTimeout))) return hold(reports);
  if (refuse(planWatchdog(input.now, input.planReceivedAt, limits.planTimeout, true))) return hold(reports);

  const keep = <T>(o: StageOutcome<T>): T => {
    if (o.report !== null) reports.push(o.report);
    return o.value;
  };
  // 5-6: per-step limits on the delta.
  let delta = keep(limitStepTranslation(input.delta, limits.maxStepTranslation));
  delta = keep(limitStepRotation(delta, limits.maxStepRotation));

  // Compose the target: p + dp, R_delta · R (DROID / upstream compute_new_pose).
  const state = input.state;
  const current: RigidPose = poseFromVector(state);
  const orientation = quatNormalize(quatMultiply(quatFromEuler(delta[3], delta[4], delta[5]), current.orientation));
  const target: RigidPose = { position: [state[0] + delta[0], state[1] + delta[1], state[2] + delta[2]], orientation };

  // 7: workspace box on the chosen point; the flange moves by the same shift as that point.
  const point = (p: RigidPose): Vec3 => (limits.workspacePoint === "tcp" ? flangeToTcp(p, limits.tcpOffset).position : p.position);
  if (refuse(workspaceStateCheck(point(current), limits.workspace, limits.workspaceMargin))) return hold(reports);
  const targetPoint = point(target);
  const clamped = keep(clampToWorkspace(targetPoint, limits.workspace));
  for (let i = 0; i < 3; i++) target.position[i] += clamped[i] - targetPoint[i];

  // 8-9: gripper.
  const dg = keep(limitGripperStep(delta[6], limits.maxStepGripper));
  const gripper = keep(limitGripperRange(state[6] + dg, limits.gripperMin, limits.gripperMax));

  const euler = eulerFromQuat(target.orientation);
  const targetVector = [target.position[0], target.position[1], target.position[2], euler[0], euler[1], euler[2], gripper];
  // The rotation part of the commanded delta is the limited R_delta itself (the box does not rotate), so
  // it is not re-derived through Euler angles.
  const commanded = [
    target.position[0] - state[0],
    target.position[1] - state[1],
    target.position[2] - state[2],
    delta[3],
    delta[4],
    delta[5],
    gripper - state[6],
  ];

  // 10: defensive final check.
  if (
    refuse(
      finiteStage("finite_target", [
        { name: "target", values: targetVector, labels: STATE_LABELS },
        { name: "commanded", values: commanded, labels: DELTA_LABELS },
      ]),
    )
  )
    return hold(reports);

  return {
    code: reports.length === 0 ? "ok" : "limited",
    message: reports.map((r) => r.reason).join("; "),
    commanded,
    target: targetVector,
    limitsApplied: reports.map((r) => r.stage),
    reports,
  };
}
