"""End to end: a smoke training on a tiny synthetic dataset, a strict load into the exporter's modules,
and an export with tools/export/export.py into a temporary directory."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest
import torch

from conftest import REPO, TRAIN_DIR
from vjepa2_train.data import load_dataset, write_synthetic


TINY = {"img_size": 32, "patch_size": 8, "tubelet_size": 2, "num_frames": 4,
        "encoder": {"embed_dim": 32, "depth": 1, "num_heads": 2},
        "predictor": {"embed_dim": 32, "depth": 1, "num_heads": 2}}


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    root = tmp_path_factory.mktemp("smoke")
    data = write_synthetic(str(root / "data"), episodes=6, steps=5, size=32, seed=3)
    cfg = root / "cfg.json"
    cfg.write_text(json.dumps(TINY))
    out = root / "out"
    r = subprocess.run([sys.executable, os.path.join(TRAIN_DIR, "train.py"), "--smoke", "--stage", "all",
                        "--data", data, "--config", str(cfg), "--out", str(out), "--clip-frames", "3"],
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return out, cfg, r.stderr


def test_synthetic_dataset_layout(tmp_path):
    d = write_synthetic(str(tmp_path), episodes=2, steps=4, size=32, seed=0)
    ds = load_dataset(d, 32)
    assert ds.frames.shape == (2, 4, 32, 32, 3) and ds.frames.dtype == np.uint8
    assert ds.states.shape == (2, 4, 7) and ds.actions.shape == (2, 3, 7)
    np.testing.assert_allclose(ds.states[:, 1:, :3] - ds.states[:, :-1, :3], ds.actions[..., :3], atol=1e-6)
    assert np.abs(ds.actions[..., :3]).max() <= 0.075 + 1e-6


def test_smoke_outputs(trained):
    out, _, log = trained
    for f in ("checkpoint.pt", "config.json", "metrics.json", "train.log"):
        assert (out / f).exists(), f
    m = json.loads((out / "metrics.json").read_text())
    assert m["smoke"] is True
    assert m["stage_encoder"]["iterations"] == 3 and len(m["stage_encoder"]["curve"]) == 3
    assert m["stage_predictor"]["iterations"] == 3
    for k in ("r2_xyz_mean", "xyz_error_cm_mean", "r2_gripper"):
        assert k in m["stage_encoder"]["probe"]["flattened"]
    for k in ("rank_acc_xyz", "rank_acc_full", "grid_best_error_cm_mean"):
        assert 0 <= m["stage_predictor"]["energy"][k] < 1e3
    assert "encoder it 3/3" in log and "predictor it 3/3" in log


def test_checkpoint_loads_strictly_in_exporter_modules(trained):
    from vjepa2_export.checkpoint import load_into, read_checkpoint
    from vjepa2_export.config import load_config
    from vjepa2_export.graphs import build_models

    out, _, _ = trained
    cfg = load_config(str(out / "config.json"))
    enc, pred = build_models(cfg)
    state = read_checkpoint(str(out / "checkpoint.pt"))
    assert set(state["encoder"]) == set(enc.state_dict())
    assert set(state["predictor"]) == set(pred.state_dict())
    load_into(enc, state["encoder"], "encoder")
    load_into(pred, state["predictor"], "predictor")
    with torch.no_grad():
        z = enc(torch.randn(1, 3, 2, 32, 32))
        assert z.shape == (1, 16, 32) and torch.isfinite(z).all()


def _export(run_dir, pkg, horizons: str, name: str) -> dict:
    """Exports a training run's checkpoint with tools/export/export.py; returns its model.json."""
    r = subprocess.run([sys.executable, os.path.join(REPO, "tools", "export", "export.py"), "--checkpoint",
                        str(run_dir / "checkpoint.pt"), "--config", str(run_dir / "config.json"), "--out", str(pkg),
                        "--horizons", horizons, "--name", name], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]
    return json.loads((pkg / "model.json").read_text())


def test_export_with_exporter_cli(trained, tmp_path):
    out, _, _ = trained
    pkg = tmp_path / "pkg"
    meta = _export(out, pkg, "1,2", "smoke")
    assert meta["tokens_per_frame"] == 16 and meta["embed_dim"] == 32 and meta["source"]["random_init"] is False
    for f in ("encoder.onnx", "predictor.onnx", "rollout_h1.onnx", "rollout_h2.onnx"):
        assert (pkg / f).exists()


def _train_predictor(data: str, cfg, out, encoder_checkpoint):
    """A smoke run of --stage predictor alone on `data` with the encoder of `encoder_checkpoint`."""
    r = subprocess.run([sys.executable, os.path.join(TRAIN_DIR, "train.py"), "--smoke", "--stage", "predictor",
                        "--data", data, "--config", str(cfg), "--out", str(out), "--clip-frames", "3",
                        "--encoder-checkpoint", str(encoder_checkpoint)], capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr[-3000:]


def test_stage_predictor_alone_reuses_encoder(trained, tmp_path):
    """--stage predictor reads the encoder from --encoder-checkpoint and leaves it bit-identical."""
    out, cfg, _ = trained
    data = write_synthetic(str(tmp_path / "data"), episodes=4, steps=4, size=32, seed=5)
    out2 = tmp_path / "out2"
    _train_predictor(data, cfg, out2, out / "checkpoint.pt")
    a = torch.load(str(out / "checkpoint.pt"))["encoder"]
    b = torch.load(str(out2 / "checkpoint.pt"))["encoder"]
    assert all(torch.equal(a[k], b[k]) for k in a)


def _two_view_copy(src: str, dst: str) -> str:
    """The dataset in `src` with a second view (the first mirrored left-right) beside each frame, as `sim-data --views 2` lays it out."""
    os.makedirs(dst, exist_ok=True)
    frames = np.load(os.path.join(src, "frames.npy"))
    np.save(os.path.join(dst, "frames.npy"), np.concatenate([frames, frames[:, :, :, ::-1]], axis=3))
    for f in ("states.npy", "actions.npy"):
        np.save(os.path.join(dst, f), np.load(os.path.join(src, f)))
    meta = json.loads(open(os.path.join(src, "meta.json")).read())
    meta["views"] = 2
    with open(os.path.join(dst, "meta.json"), "w") as f:
        json.dump(meta, f)
    return dst


def test_two_view_dataset_splits_into_one_episode_per_view(tmp_path):
    one = load_dataset(write_synthetic(str(tmp_path / "one"), episodes=3, steps=4, size=32, seed=1), 32)
    two = load_dataset(_two_view_copy(one.path, str(tmp_path / "two")), 32)
    assert two.views == 2 and two.frames.shape == (3, 4, 32, 64, 3)
    split = two.subset(np.array([0, 2])).split_views()
    assert split.views == 1 and split.frames.shape == (4, 4, 32, 32, 3)
    np.testing.assert_array_equal(split.frames[0], one.frames[0])  # episode 0, left view
    np.testing.assert_array_equal(split.frames[1], one.frames[0][:, :, ::-1])  # episode 0, right view
    np.testing.assert_array_equal(split.frames[2], one.frames[2])
    np.testing.assert_array_equal(split.states, np.repeat(one.states[[0, 2]], 2, 0))
    np.testing.assert_array_equal(split.actions, np.repeat(one.actions[[0, 2]], 2, 0))
    assert one.split_views() is one


def test_dataset_views_must_fit_the_frames(tmp_path):
    from vjepa2_train.data import DataError
    d = _two_view_copy(write_synthetic(str(tmp_path / "one"), episodes=2, steps=3, size=32, seed=1), str(tmp_path / "two"))
    with pytest.raises(DataError, match="takes 64x64 views"):
        load_dataset(d, 64)
    meta = json.loads(open(os.path.join(d, "meta.json")).read())
    meta["views"] = 3
    with open(os.path.join(d, "meta.json"), "w") as f:
        json.dump(meta, f)
    with pytest.raises(DataError, match="says 3 views but the frames are 64x32"):
        load_dataset(d, 32)
    np.save(os.path.join(d, "frames.npy"), np.zeros((2, 3, 32, 48, 3), np.uint8))
    with pytest.raises(DataError, match="whole number of square views"):
        load_dataset(d, 32)


def test_two_view_predictor_exports_a_two_view_package(trained, tmp_path):
    """Stage 2 on two-view data with a one-view encoder: config.json says views 2, and the export takes frames two views wide."""
    out, cfg, _ = trained
    data = _two_view_copy(write_synthetic(str(tmp_path / "one"), episodes=4, steps=4, size=32, seed=5), str(tmp_path / "two"))
    out2 = tmp_path / "out2"
    _train_predictor(data, cfg, out2, out / "checkpoint.pt")
    assert json.loads((out2 / "config.json").read_text())["views"] == 2
    m = json.loads((out2 / "metrics.json").read_text())
    assert m["split"]["views"] == 2 and m["split"]["train_episodes"] + m["split"]["val_episodes"] == 4
    meta = _export(out2, tmp_path / "pkg", "1", "smoke2")
    assert meta["views"] == 2 and meta["tokens_per_frame"] == 32
    assert meta["graphs"]["encoder"]["inputs"]["frames"]["shape"] == ["batch", 3, 32, 64]
