"""Mask generation (upstream multiblock 3D) and the EMA target update."""

import torch

from vjepa2_train.masks import MaskGenerator, make_generators
from vjepa2_train.models import InputNorm, ema_update, fold_input_norm


def test_masks_cover_requested_ratio_and_partition_tokens():
    g = torch.Generator().manual_seed(0)
    K, H, W = 2, 8, 8
    L = K * H * W
    ratios = {}
    for mg in make_generators(K, H, W):
        r = []
        for _ in range(30):
            m = mg.sample_one(g)
            r.append(float(m.float().mean()))
            # temporal scale 1.0: every block spans all tubelets, so each frame carries the same mask
            assert torch.equal(m.view(K, H * W)[0], m.view(K, H * W)[1])
        ratios[mg.num_blocks] = sum(r) / len(r)
        ctx, tgt = mg(16, g)
        assert ctx.shape[0] == tgt.shape[0] == 16
        for c, t in zip(ctx, tgt):
            assert len(set(c.tolist()) & set(t.tolist())) == 0           # context and target are disjoint
            assert c.max() < L and t.max() < L and c.min() >= 0
            assert torch.all(c[1:] > c[:-1]) and torch.all(t[1:] > t[:-1])  # sorted, unique
        assert 0.3 <= tgt.shape[1] / L <= 0.95
    # upstream's two generators: 8 small blocks (about half masked on an 8x8 grid) and 2 large ones (most masked)
    assert 0.45 <= ratios[8] <= 0.75, ratios
    assert 0.75 <= ratios[2] <= 0.95, ratios


def test_single_block_size_matches_scale():
    g = torch.Generator().manual_seed(1)
    mg = MaskGenerator(1, 16, 16, num_blocks=1, spatial_scale=(0.25, 0.25), aspect_ratio=(1.0, 1.0))
    m = mg.sample_one(g)
    assert int(m.sum()) == 64  # one 8x8 block = 25% of 16x16


def test_ema_moves_target_toward_online():
    torch.manual_seed(0)
    online, target = torch.nn.Linear(4, 3), torch.nn.Linear(4, 3)
    before = [p.detach().clone() for p in target.parameters()]
    ema_update(target, online, 0.9)
    for b, pt, po in zip(before, target.parameters(), online.parameters()):
        assert torch.allclose(pt, 0.9 * b + 0.1 * po)
        assert (pt - po).norm() < (b - po).norm()
    snapshot = [p.detach().clone() for p in target.parameters()]
    ema_update(target, online, 1.0)  # momentum 1: unchanged
    for s, pt in zip(snapshot, target.parameters()):
        assert torch.equal(s, pt)


def test_fold_input_norm_is_exact():
    torch.manual_seed(0)
    lin = torch.nn.Linear(7, 5)
    norm = InputNorm(torch.randn(7), torch.rand(7) * 0.1 + torch.tensor([0, 0, 0, 0, 0, 0, 1.0]) * 0)
    x = torch.randn(10, 7)
    ref = lin(norm(x))
    fold_input_norm(lin, norm)
    assert torch.allclose(lin(x), ref, atol=1e-4)
