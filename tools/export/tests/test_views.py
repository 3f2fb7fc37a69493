"""Two-view packages (config `views: 2`): each view is encoded and predicted alone with the same weights, the
frame's latent is the views' tokens in a row, and the rollout energy is the mean of the views' energies."""

import filecmp
import json
import os

import numpy as np
import pytest
import torch

import ort_node
from conftest import REPO
from vjepa2_export.config import load_config
from vjepa2_export.exporter import random_init, run
from vjepa2_export.graphs import EncoderGraph, PredictorGraph, RolloutGraph, build_models

CONFIG = os.path.join(REPO, "test", "fixtures", "configs", "views2-micro.json")
FIXTURE = os.path.join(REPO, "test", "fixtures", "models", "views2-micro")
SEED = 0
needs_ort = pytest.mark.skipif(not ort_node.available(), reason="node + onnxruntime-node not available")


@pytest.fixture(scope="module")
def package(tmp_path_factory):
    d = str(tmp_path_factory.mktemp("views2-micro"))
    assert run(["--config", CONFIG, "--random-init", "--seed", str(SEED), "--out", d, "--horizons", "1,2", "--name", "views2-micro"]) == 0
    return d


@pytest.fixture(scope="module")
def models():
    torch.set_grad_enabled(False)
    cfg = load_config(CONFIG)
    enc, pred = build_models(cfg)
    random_init(enc, pred, SEED)
    return cfg, enc, pred


def test_model_json_describes_the_views(package):
    with open(os.path.join(package, "model.json")) as f:
        meta = json.load(f)
    assert meta["views"] == 2 and meta["grid"] == [2, 2] and meta["tokens_per_frame"] == 8
    g = meta["graphs"]
    assert g["encoder"]["inputs"]["frames"]["shape"] == ["batch", 3, 32, 64]
    assert g["encoder"]["outputs"]["tokens"]["shape"] == ["batch", 8, 32]
    assert g["predictor"]["outputs"]["next_tokens"]["shape"] == ["batch", 8, 32]
    assert g["rollout"][0]["inputs"]["context"]["shape"] == [1, 8, 32]


def test_fixture_is_current(package):
    """test/fixtures/models/views2-micro (the TypeScript tests' two-view package) is what the exporter writes."""
    with open(os.path.join(FIXTURE, "model.json")) as f:
        made_with = json.load(f)["exporter"]["torch"]
    if made_with != torch.__version__:
        pytest.skip(f"exported with torch {made_with}; byte identity holds only for that torch")
    files = sorted(os.listdir(package))
    assert sorted(os.listdir(FIXTURE)) == files
    _, mismatch, errors = filecmp.cmpfiles(package, FIXTURE, files, shallow=False)
    assert not mismatch and not errors, f"regenerate {FIXTURE}: {mismatch + errors} differ"


def test_graphs_equal_single_view_graphs_per_view(models):
    """The two-view wrappers in torch against the one-view wrappers run on each view alone."""
    cfg, enc, pred = models
    g = torch.Generator().manual_seed(3)
    px, N, D = cfg.img_size, cfg.tokens_per_frame, cfg.encoder.embed_dim
    frames = torch.randn(3, 3, px, 2 * px, generator=g)
    both = EncoderGraph(enc, cfg.tubelet_size, 2)(frames)
    one = EncoderGraph(enc, cfg.tubelet_size)
    assert both.shape == (3, 2 * N, D)
    assert torch.allclose(both[:, :N], one(frames[..., :px]), atol=1e-6)
    assert torch.allclose(both[:, N:], one(frames[..., px:]), atol=1e-6)

    T = 2
    tokens = torch.randn(2, T * 2 * N, D, generator=g)  # frame-major: frame t holds view 0 then view 1
    a, s = torch.randn(2, T, 7, generator=g), torch.randn(2, T, 7, generator=g)
    nxt = PredictorGraph(pred, 2)(tokens, a, s)
    per_frame = tokens.reshape(2, T, 2, N, D)
    for v in range(2):
        alone = PredictorGraph(pred)(per_frame[:, :, v].reshape(2, T * N, D), a, s)
        assert torch.allclose(nxt[:, v * N:(v + 1) * N], alone, atol=1e-5)

    for h in (1, 2):
        c, goal = torch.randn(1, 2 * N, D, generator=g), torch.randn(1, 2 * N, D, generator=g)
        st, acts = torch.randn(1, 7, generator=g), torch.randn(4, h, 7, generator=g) * 0.1
        e, poses = RolloutGraph(pred, h, views=2)(c, goal, st, acts)
        energies = [RolloutGraph(pred, h)(c[:, v * N:(v + 1) * N], goal[:, v * N:(v + 1) * N], st, acts) for v in range(2)]
        assert torch.allclose(e, (energies[0][0] + energies[1][0]) / 2, atol=1e-6)
        assert torch.equal(poses, energies[0][1])
        # the incremental graph and upstream's recompute-everything loop agree with views too
        e_full, _ = RolloutGraph(pred, h, incremental=False, views=2)(c, goal, st, acts)
        assert torch.allclose(e, e_full, atol=1e-5)


@needs_ort
def test_ort_runs_the_exported_graphs_like_torch(package, models):
    cfg, enc, pred = models
    g = torch.Generator().manual_seed(5)
    px, N, D = cfg.img_size, cfg.tokens_per_frame, cfg.encoder.embed_dim
    frames = torch.randn(2, 3, px, 2 * px, generator=g)
    o = ort_node.run(os.path.join(package, "encoder.onnx"), {"frames": frames.numpy()})["tokens"]
    assert np.abs(o - EncoderGraph(enc, cfg.tubelet_size, 2)(frames).numpy()).max() <= 1e-5
    for T in (1, 2):
        t, a, s = torch.randn(3, T * 2 * N, D, generator=g), torch.randn(3, T, 7, generator=g), torch.randn(3, T, 7, generator=g)
        o = ort_node.run(os.path.join(package, "predictor.onnx"), {"tokens": t.numpy(), "actions": a.numpy(), "states": s.numpy()})
        assert np.abs(o["next_tokens"] - PredictorGraph(pred, 2)(t, a, s).numpy()).max() <= 1e-5, T
    for h in (1, 2):
        c, goal = torch.randn(1, 2 * N, D, generator=g), torch.randn(1, 2 * N, D, generator=g)
        st, acts = torch.randn(1, 7, generator=g), torch.randn(5, h, 7, generator=g) * 0.1
        o = ort_node.run(os.path.join(package, f"rollout_h{h}.onnx"),
                         {"context": c.numpy(), "goal": goal.numpy(), "state": st.numpy(), "actions": acts.numpy()})
        e, poses = RolloutGraph(pred, h, views=2)(c, goal, st, acts)
        assert np.abs(o["energy"] - e.numpy()).max() <= 1e-6
        assert np.abs(o["poses"] - poses.numpy()).max() <= 1e-6
