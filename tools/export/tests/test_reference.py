"""Torch modules vs the upstream reference numbers (random weights, seed 7)."""

import os

import numpy as np
import pytest
import torch

from vjepa2_export.graphs import EncoderGraph, PredictorGraph, RolloutGraph

# Achieved (torch 1.13 CPU): encoder tokens ~2e-6, predictor raw ~3e-7, next (normalised) ~1.5e-6,
# rollout energies and poses ~1.2e-7.
TOL_TOKENS = 1e-5
TOL_ENERGY = 1e-6
TOL_POSES = 1e-6


def load(ref_dir, name):
    return torch.from_numpy(np.load(os.path.join(ref_dir, name + ".npy")))


def test_encoder_tokens(tiny, ref_dir):
    cfg, enc, _ = tiny
    out = EncoderGraph(enc, cfg.tubelet_size)(load(ref_dir, "frames_normalized"))
    ref = load(ref_dir, "encoder_tokens")
    assert out.shape == ref.shape
    assert (out - ref).abs().max().item() <= TOL_TOKENS


def test_predictor_raw_and_next(tiny, ref_dir):
    _, _, pred = tiny
    x, a, s = (load(ref_dir, n) for n in ("pred_tokens", "pred_actions", "pred_states"))
    raw = pred(x, a, s)
    assert (raw - load(ref_dir, "pred_output_raw")).abs().max().item() <= TOL_TOKENS
    nxt = PredictorGraph(pred)(x, a, s)
    assert (nxt - load(ref_dir, "pred_next_normalized")).abs().max().item() <= TOL_TOKENS


@pytest.mark.parametrize("horizon", [1, 2])
def test_rollout(tiny, ref_dir, horizon):
    _, _, pred = tiny
    p = f"rollout_h{horizon}_"
    energy, poses = RolloutGraph(pred, horizon)(
        load(ref_dir, p + "context"), load(ref_dir, p + "goal"), load(ref_dir, p + "state").reshape(1, 7),
        load(ref_dir, p + "actions"))
    assert (energy - load(ref_dir, p + "energy")).abs().max().item() <= TOL_ENERGY
    assert (poses - load(ref_dir, p + "poses")).abs().max().item() <= TOL_POSES


def test_predictor_last_frame_equals_full_forward(tiny):
    """forward_last (used by the graphs) == upstream-style forward sliced to the last frame, for any T."""
    _, _, pred = tiny
    g = torch.Generator().manual_seed(3)
    for T in (1, 2, 3, 4):
        x, a, s = torch.randn(2, T * 16, 96, generator=g), torch.randn(2, T, 7, generator=g), torch.randn(2, T, 7, generator=g)
        full = pred(x, a, s)[:, -16:]
        assert (pred.forward_last(x, a, s) - full).abs().max().item() <= 1e-5
