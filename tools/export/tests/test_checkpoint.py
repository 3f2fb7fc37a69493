"""Checkpoint / config errors must be clear."""

import json
import logging
import os

import pytest
import torch

from vjepa2_export.checkpoint import CheckpointError, load_into, read_checkpoint, sha256_file
from vjepa2_export.config import ConfigError, config_from_dict, load_config, preset
from vjepa2_export.exporter import run
from vjepa2_export.graphs import build_models

TINY = {"img_size": 32, "patch_size": 16, "tubelet_size": 2, "num_frames": 4,
        "encoder": {"embed_dim": 24, "depth": 1, "num_heads": 2},
        "predictor": {"embed_dim": 32, "depth": 1, "num_heads": 2}}


def make_ckpt(path, mutate=None):
    cfg = config_from_dict(TINY)
    enc, pred = build_models(cfg)
    ck = {"encoder": {"module.backbone." + k: v for k, v in enc.state_dict().items()},
          "predictor": {"module.backbone." + k: v for k, v in pred.state_dict().items()}, "epoch": 3}
    ck["predictor"]["module.backbone.extrinsics_encoder.weight"] = torch.zeros(32, 6)
    if mutate:
        mutate(ck)
    torch.save(ck, path)
    return path


def test_loads_strips_prefixes_and_lists_unused(tmp_path, caplog):
    p = make_ckpt(tmp_path / "ok.pt")
    state = read_checkpoint(str(p))
    assert "predictor_embed.weight" in state["predictor"]
    enc, pred = build_models(config_from_dict(TINY))
    with caplog.at_level(logging.INFO, logger="vjepa2_export"):
        unused = load_into(pred, state["predictor"], "predictor")
    assert unused == ["extrinsics_encoder.weight"]
    assert any("extrinsics_encoder.weight" in r.getMessage() and r.levelno == logging.INFO for r in caplog.records)
    assert len(sha256_file(str(p))) == 64


def test_missing_key(tmp_path):
    p = make_ckpt(tmp_path / "m.pt", lambda ck: ck["encoder"].pop("module.backbone.blocks.0.attn.qkv.bias"))
    enc, _ = build_models(config_from_dict(TINY))
    with pytest.raises(CheckpointError, match=r"encoder .*missing keys \(1\): blocks\.0\.attn\.qkv\.bias"):
        load_into(enc, read_checkpoint(str(p))["encoder"], "encoder")


def test_shape_mismatch(tmp_path):
    def bad(ck):
        ck["predictor"]["module.backbone.predictor_proj.weight"] = torch.zeros(24, 30)
    p = make_ckpt(tmp_path / "s.pt", bad)
    _, pred = build_models(config_from_dict(TINY))
    with pytest.raises(CheckpointError, match=r"predictor_proj\.weight: expected \(24, 32\) found \(24, 30\)"):
        load_into(pred, read_checkpoint(str(p))["predictor"], "predictor")


def test_not_a_checkpoint(tmp_path):
    txt = tmp_path / "notes.txt"
    txt.write_text("hello")
    with pytest.raises(CheckpointError, match="not a loadable PyTorch checkpoint"):
        read_checkpoint(str(txt))
    other = tmp_path / "other.pt"
    torch.save({"model": {}}, other)
    with pytest.raises(CheckpointError, match="expected a dict with 'encoder' and 'predictor'"):
        read_checkpoint(str(other))
    tensor = tmp_path / "tensor.pt"
    torch.save(torch.zeros(3), tensor)
    with pytest.raises(CheckpointError, match="found Tensor"):
        read_checkpoint(str(tensor))
    with pytest.raises(CheckpointError, match="not found"):
        read_checkpoint(str(tmp_path / "absent.pt"))


def test_unknown_preset_and_bad_config(tmp_path, capsys):
    with pytest.raises(ConfigError, match=r"unknown preset 'vitx'; known presets: \['vjepa2-ac-vitg'\]"):
        preset("vitx")
    assert run(["--preset", "vitx", "--random-init", "--out", str(tmp_path / "o")]) == 2
    assert "unknown preset" in capsys.readouterr().err
    bad = dict(TINY, extra=1)
    cfg = tmp_path / "cfg.json"
    cfg.write_text(json.dumps(bad))
    with pytest.raises(ConfigError, match=r"unknown \['extra'\]"):
        load_config(str(cfg))
    # checkpoint errors surface through the CLI as a one-line message and exit code 2
    notckpt = tmp_path / "x.pt"
    notckpt.write_text("nope")
    cfg.write_text(json.dumps(TINY))
    assert run(["--config", str(cfg), "--checkpoint", str(notckpt), "--out", str(tmp_path / "o")]) == 2
    assert "not a loadable PyTorch checkpoint" in capsys.readouterr().err
    assert not os.path.exists(tmp_path / "o" / "model.json")


def test_preset_numbers():
    cfg = preset("vjepa2-ac-vitg")
    assert (cfg.img_size, cfg.patch_size, cfg.tubelet_size, cfg.num_frames) == (256, 16, 2, 64)
    assert (cfg.encoder.embed_dim, cfg.encoder.depth, cfg.encoder.num_heads) == (1408, 40, 22)
    assert int(cfg.encoder.embed_dim * cfg.encoder.mlp_ratio) == 6144
    assert (cfg.predictor.embed_dim, cfg.predictor.depth, cfg.predictor.num_heads) == (1024, 24, 16)
    assert not cfg.encoder.use_silu and not cfg.predictor.use_silu
    assert cfg.tokens_per_frame == 256 and cfg.max_context_frames == 32
