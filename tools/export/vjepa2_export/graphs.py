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


# Views (ModelConfig.views = V): an observation is V square images side by side, and its latent the V
# images' N tokens in a row (V*N).  Encoder and predictor run on each view alone, as a batch V times larger;
# the energy is the mean over all V*N tokens, i.e. the mean of the views' energies.
def per_view(x, views: int):
    """[B, ...] -> [B*V, ...]: each row repeated for each view (actions and states are the scene's)."""
    if views == 1:
        return x
    return x.unsqueeze(1).expand(x.shape[0], views, *x.shape[1:]).flatten(0, 1)


class EncoderGraph(nn.Module):
    """frames [B,3,H,V*H] -> tokens [B,V*N,D] = layer_norm(encoder(each view repeated into a tubelet))."""

    def __init__(self, encoder: VisionTransformer, tubelet_size: int, views: int = 1):
        super().__init__()
        self.encoder = encoder
        self.tubelet_size = tubelet_size
        self.views = views

    def forward(self, frames):
        B, C, H, W = frames.shape
        V = self.views
        if V > 1:  # [B,3,H,V*H] -> [B*V,3,H,H]
            frames = frames.reshape(B, C, H, V, W // V).permute(0, 3, 1, 2, 4).reshape(B * V, C, H, W // V)
        clip = frames.unsqueeze(2).repeat(1, 1, self.tubelet_size, 1, 1)
        h = plain_layer_norm(self.encoder(clip), self.encoder.embed_dim)
        return h.reshape(B, -1, h.shape[-1]) if V > 1 else h


class PredictorGraph(nn.Module):
    """tokens [B,T*V*N,D], actions [B,T,7], states [B,T,7] -> next_tokens [B,V*N,D]."""

    def __init__(self, predictor: VisionTransformerPredictorAC, views: int = 1):
        super().__init__()
        self.predictor = predictor
        self.views = views

    def forward(self, tokens, actions, states):
        V, N = self.views, self.predictor.hw
        B, T = actions.shape[0], actions.shape[1]
        if V > 1:  # frame-major [B,T,V,N,D] -> view-major [B*V,T*N,D]
            tokens = tokens.reshape(B, T, V, N, -1).transpose(1, 2).reshape(B * V, T * N, -1)
        nxt = self.predictor.forward_last(tokens, per_view(actions, V), per_view(states, V))
        nxt = plain_layer_norm(nxt, self.predictor.predictor_proj.out_features)
        return nxt.reshape(B, V * N, -1) if V > 1 else nxt


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
    """context [1,V*N,D], goal [1,V*N,D], state [1,7], actions [S,H,7] -> energy [S], poses [S,H+1,7].

    Same rollout as upstream cem()/step_predictor: all frames so far, actions so far and poses so far go
    to the predictor; each predicted frame is layer-normed; poses follow compute_new_pose.

    incremental (the exported graph): the attention is block-causal, so a frame's tokens do not change when
    later frames are appended; each step runs only the newest frame's tokens through the blocks, against the
    keys/values the earlier steps left per block (predictor.forward_frame).  Step h then costs one frame's
    tokens instead of h+1.  incremental=False recomputes every frame at every step, as upstream does (the
    reference the tests compare with)."""

    def __init__(self, predictor: VisionTransformerPredictorAC, horizon: int, incremental: bool = True, views: int = 1):
        super().__init__()
        self.predictor = predictor
        self.horizon = horizon
        self.incremental = incremental
        self.views = views
        self.poses = PoseTrack()
        self.energy = Energy()

    def forward(self, context, goal, state, actions):
        poses = self.poses(state, actions)
        S, V, N = actions.shape[0], self.views, self.predictor.hw  # after the poses: a one-view graph stays as it was
        acts, track = per_view(actions, V), per_view(poses, V)  # [S*V, ...], sample-major
        if V > 1:  # [1,V*N,D] -> [S*V,N,D]
            frame = context.reshape(1, V, N, -1).expand(S, -1, -1, -1).reshape(S * V, N, -1)
        else:
            frame = context.expand(S, -1, -1)
        D = self.predictor.predictor_proj.out_features
        if self.incremental:
            past = None
            for h in range(self.horizon):
                nxt, past = self.predictor.forward_frame(frame, acts[:, h], track[:, h], h, past)
                frame = plain_layer_norm(nxt, D)
        else:
            frames = [frame]
            for h in range(self.horizon):
                nxt = self.predictor.forward_last(torch.cat(frames, 1), acts[:, :h + 1], track[:, :h + 1])
                frames.append(plain_layer_norm(nxt, D))
            frame = frames[-1]
        return self.energy(frame.reshape(S, V * N, -1) if V > 1 else frame, goal), poses
