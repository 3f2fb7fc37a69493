"""Spatio-temporal multi-block masks, as upstream src/masks/multiseq_multiblock3d.py (`_MaskGenerator`).

For each sample, `num_blocks` boxes of (temporal_scale x spatial_scale, aspect ratio in `aspect_ratio`) are
placed at random; their union is the *target* (masked, to be predicted) set, its complement the *context*
the encoder sees.  As upstream, all samples of a batch are truncated to the batch's smallest context and
target sizes so they stack.  Upstream V-JEPA 2 pretraining uses two generators per batch:
8 blocks of spatial scale 0.15 and 2 blocks of 0.7, temporal scale 1.0 (every block spans the whole clip).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import List, Tuple

import torch

# Upstream configs/train/vit*16/pretrain-256px-16f.yaml `mask:` section.
DEFAULT_MASKS = (
    {"num_blocks": 8, "spatial_scale": (0.15, 0.15), "temporal_scale": (1.0, 1.0), "aspect_ratio": (0.75, 1.5)},
    {"num_blocks": 2, "spatial_scale": (0.7, 0.7), "temporal_scale": (1.0, 1.0), "aspect_ratio": (0.75, 1.5)},
)


@dataclass
class MaskGenerator:
    duration: int  # tubelets per clip
    height: int    # patch grid
    width: int
    num_blocks: int = 8
    spatial_scale: Tuple[float, float] = (0.15, 0.15)
    temporal_scale: Tuple[float, float] = (1.0, 1.0)
    aspect_ratio: Tuple[float, float] = (0.75, 1.5)

    def _block_size(self, g: torch.Generator):
        r = torch.rand(3, generator=g).tolist()
        t = max(1, int(self.duration * (self.temporal_scale[0] + r[0] * (self.temporal_scale[1] - self.temporal_scale[0]))))
        keep = int(self.height * self.width * (self.spatial_scale[0] + r[1] * (self.spatial_scale[1] - self.spatial_scale[0])))
        ar = self.aspect_ratio[0] + r[2] * (self.aspect_ratio[1] - self.aspect_ratio[0])
        h = min(self.height, max(1, int(round(math.sqrt(keep * ar)))))
        w = min(self.width, max(1, int(round(math.sqrt(keep / ar)))))
        return t, h, w

    def sample_one(self, g: torch.Generator, size=None) -> torch.Tensor:
        """Boolean [duration*height*width], True = masked (target); `size` = (t, h, w) of the blocks."""
        t, h, w = size if size is not None else self._block_size(g)
        m = torch.zeros(self.duration, self.height, self.width, dtype=torch.bool)
        for _ in range(self.num_blocks):
            top = int(torch.randint(0, self.height - h + 1, (1,), generator=g))
            left = int(torch.randint(0, self.width - w + 1, (1,), generator=g))
            start = int(torch.randint(0, self.duration - t + 1, (1,), generator=g))
            m[start:start + t, top:top + h, left:left + w] = True
        return m.flatten()

    def __call__(self, batch_size: int, g: torch.Generator):
        """(context_idx [B, n_ctx], target_idx [B, n_tgt]) long token indices, each row sorted ascending."""
        size = self._block_size(g)  # upstream draws one block size per batch
        masks = []
        for _ in range(batch_size):
            for _ in range(20):  # resample degenerate masks (everything or nothing masked)
                m = self.sample_one(g, size)
                if 0 < int(m.sum()) < m.numel():
                    break
            masks.append(m)
        n_tgt = min(int(m.sum()) for m in masks)
        n_ctx = min(int((~m).sum()) for m in masks)
        ctx, tgt = [], []
        for m in masks:
            ti = torch.nonzero(m).flatten()
            ci = torch.nonzero(~m).flatten()
            # truncate at random (not just the tail) so no region is systematically dropped
            ti = ti[torch.randperm(ti.numel(), generator=g)[:n_tgt]].sort().values
            ci = ci[torch.randperm(ci.numel(), generator=g)[:n_ctx]].sort().values
            ctx.append(ci)
            tgt.append(ti)
        return torch.stack(ctx), torch.stack(tgt)


def make_generators(duration: int, height: int, width: int, cfgs=DEFAULT_MASKS) -> List[MaskGenerator]:
    return [MaskGenerator(duration, height, width, c["num_blocks"], tuple(c["spatial_scale"]),
                          tuple(c["temporal_scale"]), tuple(c["aspect_ratio"])) for c in cfgs]
