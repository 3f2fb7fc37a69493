"""Training-side pieces around the exporter's modules: masked encoding, the stage-1 mask-token predictor,
EMA, schedules, and folding the predictor's input normalisation into its first layers.

The encoder and the AC predictor ARE `vjepa2_export.modules.VisionTransformer` / `VisionTransformerPredictorAC`
(imported, not copied), so their state dicts are exactly what tools/export/export.py loads.
"""

from __future__ import annotations

import math
from typing import List

import torch
import torch.nn as nn
import torch.nn.functional as F

from . import _paths  # noqa: F401  (puts tools/export on sys.path)
from vjepa2_export.config import ModelConfig, TowerConfig  # noqa: E402
from vjepa2_export.modules import Block, VisionTransformer, VisionTransformerPredictorAC, _grid_positions, rope_tables  # noqa: E402,F401


def layer_norm(x: torch.Tensor) -> torch.Tensor:
    """Upstream `normalize_reps`: LayerNorm over D without affine."""
    return F.layer_norm(x, (x.shape[-1],))


def gather_tokens(x: torch.Tensor, idx: torch.Tensor) -> torch.Tensor:
    """x [B, L, C], idx [B, n] -> [B, n, C]."""
    return torch.gather(x, 1, idx.unsqueeze(-1).expand(-1, -1, x.shape[-1]))


def encode(encoder: VisionTransformer, clip: torch.Tensor, keep: torch.Tensor = None) -> torch.Tensor:
    """Encoder forward on the tokens `keep` [B, n] only (upstream's masked context encoder), or on all
    tokens when keep is None.  clip [B, 3, T, H, W] -> [B, n, D] (after the encoder's final norm).
    RoPE positions are those of the full clip grid, gathered per sample."""
    x = encoder.patch_embed(clip)  # [B, L, D]
    L = x.shape[1]
    if L > encoder.rope_cos.shape[0]:
        raise ValueError(f"clip has {L} tokens but the encoder's RoPE tables cover {encoder.rope_cos.shape[0]}")
    if keep is None:
        cos, sin = encoder.rope_cos[:L], encoder.rope_sin[:L]
    else:
        x = gather_tokens(x, keep)
        cos, sin = encoder.rope_cos[keep].unsqueeze(1), encoder.rope_sin[keep].unsqueeze(1)  # [B, 1, n, hd]
    for blk in encoder.blocks:
        x = blk(x, cos, sin)
    return encoder.norm(x)


class MaskPredictor(nn.Module):
    """Stage-1 predictor (upstream src/models/predictor.py, use_mask_tokens=True, RoPE): embeds the context
    tokens, appends one (zero-initialised) mask token per target position, runs a narrow ViT with 3D RoPE on
    the tokens' grid positions, and projects the target positions back to the encoder width."""

    def __init__(self, enc_dim: int, tower: TowerConfig, duration: int, grid_h: int, grid_w: int):
        super().__init__()
        P = tower.embed_dim
        self.predictor_embed = nn.Linear(enc_dim, P)
        self.mask_token = nn.Parameter(torch.zeros(1, 1, P))
        self.predictor_blocks = nn.ModuleList([Block(tower) for _ in range(tower.depth)])
        self.predictor_norm = nn.LayerNorm(P, eps=tower.norm_eps)
        self.predictor_proj = nn.Linear(P, enc_dim)
        d, h, w = _grid_positions(duration, grid_h, grid_w)
        cos, sin = rope_tables(d, h, w, P // tower.num_heads)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)

    def forward(self, ctx: torch.Tensor, ctx_idx: torch.Tensor, tgt_idx: torch.Tensor) -> torch.Tensor:
        """ctx [B, nc, D] encoder outputs at ctx_idx [B, nc]; returns predictions [B, nt, D] at tgt_idx [B, nt]."""
        B, nt = tgt_idx.shape
        x = torch.cat([self.predictor_embed(ctx), self.mask_token.expand(B, nt, -1)], 1)
        idx = torch.cat([ctx_idx, tgt_idx], 1)
        cos, sin = self.rope_cos[idx].unsqueeze(1), self.rope_sin[idx].unsqueeze(1)
        for blk in self.predictor_blocks:
            x = blk(x, cos, sin)
        return self.predictor_proj(self.predictor_norm(x[:, -nt:]))


@torch.no_grad()
def ema_update(target: nn.Module, online: nn.Module, momentum: float) -> None:
    """target <- momentum * target + (1 - momentum) * online (parameters; buffers are copied)."""
    for pt, po in zip(target.parameters(), online.parameters()):
        pt.mul_(momentum).add_(po.detach(), alpha=1.0 - momentum)


def param_groups(modules: List[nn.Module], weight_decay: float):
    """AdamW groups as upstream: no weight decay on biases, norms (1-D params) and the mask token."""
    decay, no_decay = [], []
    for m in modules:
        for n, p in m.named_parameters():
            if not p.requires_grad:
                continue
            (no_decay if p.ndim <= 1 or n.endswith("bias") or "mask_token" in n else decay).append(p)
    return [{"params": decay, "weight_decay": weight_decay}, {"params": no_decay, "weight_decay": 0.0}]


class WarmupCosine:
    """lr: linear start_lr -> lr over `warmup` iterations, then cosine to final_lr at `total`."""

    def __init__(self, lr: float, start_lr: float, final_lr: float, warmup: int, total: int):
        self.lr, self.start_lr, self.final_lr, self.warmup, self.total = lr, start_lr, final_lr, warmup, max(total, 1)

    def __call__(self, it: int) -> float:
        if it < self.warmup:
            return self.start_lr + (self.lr - self.start_lr) * it / max(1, self.warmup)
        p = min(1.0, (it - self.warmup) / max(1, self.total - self.warmup))
        return self.final_lr + 0.5 * (self.lr - self.final_lr) * (1.0 + math.cos(math.pi * p))


def momentum_schedule(m0: float, m1: float, total: int):
    """EMA momentum, linear from m0 to m1 over the run (upstream ipe_scale-style increase toward 1)."""
    return lambda it: m0 + (m1 - m0) * min(1.0, it / max(1, total))


# ----------------------------------------------------------------------------------------------------
# Predictor input normalisation.  Raw actions are a few cm; the predictor trains much better on unit-scale
# inputs.  It trains on (a - mu) / sigma, and at save time the affine map is folded into action_encoder /
# state_encoder (W' = W / sigma, b' = b - W' mu), so the saved predictor takes RAW actions and states, as
# the exporter's graphs and the runtime give them.
# ----------------------------------------------------------------------------------------------------
class InputNorm(nn.Module):
    def __init__(self, mean: torch.Tensor, std: torch.Tensor):
        super().__init__()
        std = torch.where(std < 1e-6, torch.ones_like(std), std)
        self.register_buffer("mean", mean.float().clone())
        self.register_buffer("std", std.float().clone())

    def forward(self, x):
        return (x - self.mean) / self.std


@torch.no_grad()
def fold_input_norm(linear: nn.Linear, norm: InputNorm) -> None:
    """Replaces linear(norm(x)) by an equivalent linear(x), in place."""
    w = linear.weight / norm.std[None, :]
    linear.bias.sub_(w @ norm.mean)
    linear.weight.copy_(w)


@torch.no_grad()
def identity_init(predictor: VisionTransformerPredictorAC) -> bool:
    """Initialises predictor_embed / predictor_proj as an embedding and its inverse (identity on the first D
    of P dims), so that with the small, depth-rescaled residual branches the untrained predictor outputs
    ~ layer_norm(input frame): it starts at the copy-last-frame baseline and learns the change caused by the
    action instead of first having to learn to reproduce the scene.  Only an initialisation: the
    architecture and the parameter names are the exporter's.  Needs predictor dim P >= encoder dim D."""
    P, D = predictor.predictor_embed.out_features, predictor.predictor_embed.in_features
    if P < D:
        return False
    predictor.predictor_embed.weight.zero_()
    predictor.predictor_embed.weight[:D, :D] = torch.eye(D)
    predictor.predictor_embed.bias.zero_()
    predictor.predictor_proj.weight.zero_()
    predictor.predictor_proj.weight[:D, :D] = torch.eye(D)
    predictor.predictor_proj.bias.zero_()
    return True
