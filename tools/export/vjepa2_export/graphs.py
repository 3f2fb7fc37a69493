"""The three graph wrappers whose inputs/outputs form the contract with the TypeScript runtime."""

from __future__ import annotations

import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import ModelConfig
from .modules import VisionTransformer, VisionTransformerPredictorAC, compute_new_pose


def plain_layer_norm(x, dim: int):
    """F.layer_norm(x, (dim,)) without affine.  Unit weight / zero bias are passed explicitly (exact) because
    torch 1.13's opset-17 LayerNormalization symbolic emits an empty scale input otherwise."""
    return F.layer_norm(x, (dim,), torch.ones(dim, dtype=x.dtype, device=x.device), torch.zeros(dim, dtype=x.dtype, device=x.device))


def build_models(cfg: ModelConfig):
    return VisionTransformer(cfg).eval(), VisionTransformerPredictorAC(cfg).eval()


class EncoderGraph(nn.Module):
    """frames [B,3,H,W] -> tokens [B,N,D] = layer_norm(encoder(frame repeated into a tubelet))."""

    def __init__(self, encoder: VisionTransformer, tubelet_size: int):
        super().__init__()
        self.encoder = encoder
        self.tubelet_size = tubelet_size

    def forward(self, frames):
        clip = frames.unsqueeze(2).repeat(1, 1, self.tubelet_size, 1, 1)
        h = self.encoder(clip)
        return plain_layer_norm(h, self.encoder.embed_dim)


class PredictorGraph(nn.Module):
    """tokens [B,T*N,D], actions [B,T,7], states [B,T,7] -> next_tokens [B,N,D]."""

    def __init__(self, predictor: VisionTransformerPredictorAC):
        super().__init__()
        self.predictor = predictor

    def forward(self, tokens, actions, states):
        nxt = self.predictor.forward_last(tokens, actions, states)
        return plain_layer_norm(nxt, self.predictor.predictor_proj.out_features)


class PoseTrack(nn.Module):
    """All poses [S,H+1,7] from the start state and the actions (compute_new_pose, step by step).  Poses do
    not depend on the predicted frames, so they are computed in one module (ONNX scope '/poses/', which
    the fp16 export keeps in float32)."""

    def forward(self, state, actions):
        poses = [state.expand(actions.shape[0], -1)]
        for h in range(actions.shape[1]):
            poses.append(compute_new_pose(poses[-1], actions[:, h]))
        return torch.stack(poses, 1)


class Energy(nn.Module):
    """mean over N*D of |z - goal|, in float32 (scope '/energy/', kept fp32 in the fp16 export)."""

    def forward(self, z, goal):
        return (z.float() - goal.float()).abs().flatten(1).mean(dim=1)


class RolloutGraph(nn.Module):
    """context [1,N,D], goal [1,N,D], state [1,7], actions [S,H,7] -> energy [S], poses [S,H+1,7].

    Same rollout as upstream cem()/step_predictor: all frames so far, actions so far and poses so far go
    to the predictor; each predicted frame is layer-normed; poses follow compute_new_pose.

    incremental (the exported graph): the attention is block-causal, so a frame's tokens do not change when
    later frames are appended; each step runs only the newest frame's tokens through the blocks, against the
    keys/values the earlier steps left per block (predictor.forward_frame).  Step h then costs one frame's
    tokens instead of h+1.  incremental=False recomputes every frame at every step, as upstream does (the
    reference the tests compare with)."""

    def __init__(self, predictor: VisionTransformerPredictorAC, horizon: int, incremental: bool = True):
        super().__init__()
        self.predictor = predictor
        self.horizon = horizon
        self.incremental = incremental
        self.poses = PoseTrack()
        self.energy = Energy()

    def forward(self, context, goal, state, actions):
        poses = self.poses(state, actions)
        frame = context.expand(actions.shape[0], -1, -1)
        D = self.predictor.predictor_proj.out_features
        if self.incremental:
            past = None
            for h in range(self.horizon):
                nxt, past = self.predictor.forward_frame(frame, actions[:, h], poses[:, h], h, past)
                frame = plain_layer_norm(nxt, D)
        else:
            frames = [frame]
            for h in range(self.horizon):
                nxt = self.predictor.forward_last(torch.cat(frames, 1), actions[:, :h + 1], poses[:, :h + 1])
                frames.append(plain_layer_norm(nxt, D))
            frame = frames[-1]
        return self.energy(frame, goal), poses
