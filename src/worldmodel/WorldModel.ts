import type { FloatTensor } from "../tensor/tensor";

/** Energies (and the propagated poses) of S candidate action sequences. */
export interface RolloutResult {
  /** [S] mean |ẑ_{t+H} − z_goal| per sample; lower is closer to the goal. */
  energy: Float32Array;
  /** [S, H+1, 7] poses along each rollout, starting with the current state. */
  poses: Float32Array;
  /** Milliseconds spent inside ONNX Runtime (summed over the calls this rollout needed). */
  modelMs: number;
  /** Number of graph runs this rollout needed (1 with a fused graph and no chunking). */
  modelCalls: number;
}

/** Dimensions of a loaded model that callers size their tensors by. */
export interface WorldModelInfo {
  name: string;
  /** Height of a frame and width of each view (px). */
  imageSize: number;
  /** Camera views side by side in a frame (frames are imageSize × views·imageSize). */
  views: number;
  /** Tokens of one frame, all views. */
  tokensPerFrame: number;
  embedDim: number;
  maxContextFrames: number;
  /** Horizons that have a fused rollout graph (others use the step graph). */
  fusedHorizons: number[];
}

/**
 * The action-conditioned world model as the planner sees it. Every call may run on another thread;
 * inputs are not retained, outputs belong to the caller.
 */
export interface WorldModel {
  readonly info: WorldModelInfo;
  /** frames [B,3,H,V·H] normalised pixels → tokens [B,N,D] (layer-normed; N = V · tokens per view). */
  encode(frames: FloatTensor): Promise<FloatTensor>;
  /** tokens [B,T·N,D], actions [B,T,7], states [B,T,7] → next frame's tokens [B,N,D] (layer-normed). */
  predict(tokens: FloatTensor, actions: FloatTensor, states: FloatTensor): Promise<FloatTensor>;
  /** context [1,N,D], goal [1,N,D], state [1,7], actions [S,H,7] → energies [S] and poses. */
  rolloutEnergy(context: FloatTensor, goal: FloatTensor, state: FloatTensor, actions: FloatTensor): Promise<RolloutResult>;
  /** Releases sessions and threads; later calls reject. */
  close(): Promise<void>;
}
