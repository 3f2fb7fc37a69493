/** What `vjepa2-mpc replay` reports (written as JSON and rendered as HTML). */
import type { Summary } from "../stats";
import type { AgreementSummary } from "./agreement";

/** One planning step of the replay. */
export interface ReplayStep {
  /** Index of the planned frame in the bag's image sequence. */
  frameIndex: number;
  /** Capture time of the planned frame (s since the first frame). */
  time: number;
  /** Index of the goal frame the planner aimed at. */
  goalFrameIndex: number;
  /** Planner status code (planned, invalid_observation, error, …) and message. */
  status: string;
  message: string;
  /** Planned first action [dx, dy, dz, droll, dpitch, dyaw, dgripper] (null if nothing was planned). */
  planned: number[] | null;
  /** posesToDiff(recorded state at this frame, recorded state at the next frame); null at the end. */
  recorded: number[] | null;
  /** What the actuator would have commanded after the safety envelope, and which limits acted. */
  commanded: number[] | null;
  limitsApplied: string[];
  /** Energy of the frame to the goal, predicted energy of the plan, best energy per CEM iteration. */
  currentEnergy: number | null;
  plannedEnergy: number | null;
  energyPerIteration: number[];
  /** ms: the planning step, inside the model. */
  latencyMs: number;
  modelMs: number;
}

/** Energy over a grid of (dx, dz) actions for one step, like the upstream energy-landscape notebook. */
export interface EnergyLandscape {
  frameIndex: number;
  goalFrameIndex: number;
  /** Grid values (m). */
  dx: number[];
  dz: number[];
  /** energy[i][j] for dz[i], dx[j]. */
  energy: number[][];
  /** The recorded action's dx, dz and the planned one's, for marking on the plot. */
  recorded: [number, number] | null;
  planned: [number, number] | null;
}

export interface ReplayReport {
  bag: string;
  model: string;
  createdAt: string;
  settings: { goalEvery: number | null; goalFrame: "last" | null; samples: number; iterations: number; horizon: number; maxnorm: number };
  frames: { read: number; encoded: number; droppedStale: number; droppedSuperseded: number; rejected: number; planned: number };
  /** Frames or steps that produced nothing, with the reason (never silent). */
  problems: Array<{ frameIndex: number | null; time: number | null; reason: string }>;
  /** Damage found while reading the bag (truncated/corrupt files). */
  damage: string[];
  agreement: AgreementSummary;
  latencyMs: Summary | null;
  steps: ReplayStep[];
  landscape: EnergyLandscape | null;
}
