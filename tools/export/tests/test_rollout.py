"""The exported rollout (incremental: each frame's tokens computed once, earlier frames' keys/values reused)
against the full recompute upstream does, in torch and in ONNX Runtime (node), on random weights."""

import numpy as np
import onnx
import pytest
import torch

import ort_node
from vjepa2_export.config import config_from_dict
from vjepa2_export.exporter import export_graph, io_spec, random_init
from vjepa2_export.graphs import RolloutGraph, build_models

# num_frames 8 -> up to 4 frames of context, so horizons 1..3 (3 predictor steps over up to 3 frames)
SMALL = {"img_size": 48, "patch_size": 16, "tubelet_size": 2, "num_frames": 8,
         "encoder": {"embed_dim": 24, "depth": 1, "num_heads": 2},
         "predictor": {"embed_dim": 48, "depth": 3, "num_heads": 4}}
HORIZONS = (1, 2, 3)
N, D, A = 9, 24, 7


@pytest.fixture(scope="module")
def predictor():
    torch.set_grad_enabled(False)
    enc, pred = build_models(config_from_dict(SMALL))
    random_init(enc, pred, seed=5)
    return pred


def inputs(S, h, seed):
    g = torch.Generator().manual_seed(seed)
    return (torch.randn(1, N, D, generator=g), torch.randn(1, N, D, generator=g),
            torch.tensor([[0.5, 0.0, 0.3, 3.1, 0.2, -0.4, 0.2]]), torch.randn(S, h, A, generator=g) * 0.05)


@pytest.mark.parametrize("h", HORIZONS)
def test_incremental_equals_recompute_in_torch(predictor, h):
    args = inputs(6, h, seed=h)
    e_inc, p_inc = RolloutGraph(predictor, h)(*args)
    e_ref, p_ref = RolloutGraph(predictor, h, incremental=False)(*args)
    assert (e_inc - e_ref).abs().max().item() <= 1e-6
    assert torch.equal(p_inc, p_ref)


def test_forward_frame_equals_forward_last(predictor):
    """Each step of the incremental rollout == forward_last over all frames so far, for T = 1..4."""
    g = torch.Generator().manual_seed(9)
    frames, a, s = torch.randn(3, 4, N, D, generator=g), torch.randn(3, 4, A, generator=g), torch.randn(3, 4, A, generator=g)
    past = None
    for t in range(4):
        nxt, past = predictor.forward_frame(frames[:, t], a[:, t], s[:, t], t, past)
        full = predictor.forward_last(frames[:, :t + 1].flatten(1, 2), a[:, :t + 1], s[:, :t + 1])
        assert (nxt - full).abs().max().item() <= 1e-5, t


needs_ort = pytest.mark.skipif(not ort_node.available(), reason="node + onnxruntime-node not available")


@needs_ort
def test_ort_incremental_graph_equals_recompute_graph(predictor, tmp_path):
    """fp16 packages go through the same graphs (test_export checks them against the reference numbers)."""
    spec = io_spec(config_from_dict(SMALL), "fp32", list(HORIZONS))
    for r in spec["rollout"]:
        h = r["horizon"]
        out = {}
        for incremental in (False, True):
            path = str(tmp_path / f"rollout_h{h}_{'inc' if incremental else 'full'}.onnx")
            module = RolloutGraph(predictor, h, incremental=incremental).eval()
            onnx.save_model(export_graph(module, inputs(3, h, 0), r, path, "fp32", 17), path)
            c, go, st, a = inputs(7, h, seed=10 + h)
            out[incremental] = ort_node.run(path, {"context": c.numpy(), "goal": go.numpy(), "state": st.numpy(), "actions": a.numpy()})
        assert out[True]["energy"].shape == (7,) and out[True]["poses"].shape == (7, h + 1, A)
        assert np.abs(out[True]["energy"] - out[False]["energy"]).max() <= 1e-5, h  # measured 0 (ORT CPU, fp32)
        assert np.abs(out[True]["poses"] - out[False]["poses"]).max() <= 1e-6, h
