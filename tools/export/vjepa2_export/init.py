"""Upstream-style weight initialisation, shared by the exporter's --random-init and the training recipe."""

import math
from typing import Iterable

import torch
import torch.nn as nn


def init_weights(modules: Iterable[nn.Module], block_lists: Iterable[Iterable[nn.Module]]) -> None:
    """trunc_normal(0.02) Linear/Conv weights, zero biases, unit LayerNorms, then the residual output
    projections (attn.proj and mlp.fc2 / fc3) of block i rescaled by 1/sqrt(2*(i+1)), as upstream.
    Seed torch first for reproducible weights."""
    for model in modules:
        for m in model.modules():
            if isinstance(m, (nn.Linear, nn.Conv3d)):
                nn.init.trunc_normal_(m.weight, std=0.02)
                if m.bias is not None:
                    nn.init.zeros_(m.bias)
            elif isinstance(m, nn.LayerNorm):
                nn.init.ones_(m.weight)
                nn.init.zeros_(m.bias)
    with torch.no_grad():
        for blocks in block_lists:
            for i, blk in enumerate(blocks):
                blk.attn.proj.weight.div_(math.sqrt(2.0 * (i + 1)))
                last = blk.mlp.fc3 if hasattr(blk.mlp, "fc3") else blk.mlp.fc2
                last.weight.div_(math.sqrt(2.0 * (i + 1)))
