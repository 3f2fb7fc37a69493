#!/usr/bin/env python3
"""Train a miniature V-JEPA 2-AC world model (encoder + action-conditioned predictor) on simulator videos.

    /usr/bin/python3 tools/train/train.py --stage all --data DIR --out OUT [--config CFG.json] [--minutes M]
    /usr/bin/python3 tools/train/train.py --smoke --out OUT          # a few steps on a tiny synthetic set

Writes OUT/checkpoint.pt ({"encoder", "predictor"} as tools/export/export.py reads them), OUT/config.json
(the exporter's architecture keys), OUT/metrics.json and OUT/train.log.  See tools/train/README.md.
"""

from __future__ import annotations

import argparse
import json
import logging
import os
import platform
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import numpy as np  # noqa: E402
import torch  # noqa: E402

from vjepa2_train import __version__  # noqa: E402
from vjepa2_train import _paths  # noqa: E402,F401
from vjepa2_train.blas import reference_blas  # noqa: E402
from vjepa2_export.config import ConfigError, load_config  # noqa: E402
from vjepa2_export.modules import VisionTransformerPredictorAC  # noqa: E402
from vjepa2_train.data import DataError, load_dataset, split_episodes, write_synthetic  # noqa: E402
from vjepa2_export.init import init_weights  # noqa: E402
from vjepa2_train.models import VisionTransformer  # noqa: E402
from vjepa2_train.stages import Budget, EncoderHParams, PredictorHParams, train_encoder, train_predictor  # noqa: E402

log = logging.getLogger("vjepa2_train")
HERE = os.path.dirname(os.path.abspath(__file__))
DEFAULT_CONFIG = os.path.join(HERE, "configs", "mini.json")


def parse_args(argv=None):
    p = argparse.ArgumentParser(prog="train.py", description=__doc__.split("\n\n")[0])
    p.add_argument("--stage", choices=("encoder", "predictor", "all"), default="all")
    p.add_argument("--data", help="dataset directory (frames.npy, states.npy, actions.npy, meta.json)")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--config", default=DEFAULT_CONFIG, help="architecture CFG.json (exporter keys); default configs/mini.json")
    p.add_argument("--minutes", type=float, default=30.0, help="wall-clock budget per stage (minutes), evaluation included")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--smoke", action="store_true", help="a few steps per stage (CI); synthetic data when --data is absent")
    p.add_argument("--iters", type=int, default=0, help="fixed iterations per stage instead of the clock (debugging)")
    p.add_argument("--val-fraction", type=float, default=0.1, help="held-out episodes (validation)")
    p.add_argument("--encoder-checkpoint", help="--stage predictor: checkpoint with the trained encoder (default OUT/checkpoint.pt)")
    p.add_argument("--threads", type=int, default=2, help="torch CPU threads")
    g = p.add_argument_group("stage 1 (encoder)")
    g.add_argument("--enc-batch", type=int, default=32)
    g.add_argument("--enc-lr", type=float, default=1e-3)
    g.add_argument("--clip-tubelets", type=int, default=2)
    g.add_argument("--clip-mode", choices=("repeat", "video"), default="repeat")
    g.add_argument("--ema", default="0.996,1.0", help="EMA momentum start,end")
    g.add_argument("--mask-pred-dim", type=int, default=96)
    g.add_argument("--mask-pred-depth", type=int, default=2)
    g.add_argument("--aux-state-weight", type=float, default=0.0,
                   help="> 0: add a state-regression term to stage 1 (not the upstream recipe; recorded in metrics)")
    g = p.add_argument_group("stage 2 (predictor)")
    g.add_argument("--pred-batch", type=int, default=32)
    g.add_argument("--pred-lr", type=float, default=5e-4)
    g.add_argument("--clip-frames", type=int, default=4, help="frames per clip (context = clip_frames - 1 <= max_context_frames)")
    g.add_argument("--auto-steps", type=int, default=2)
    g.add_argument("--no-identity-init", action="store_true", help="plain random init of the AC predictor")
    return p.parse_args(argv)


def setup_logging(out: str):
    log.setLevel(logging.INFO)
    log.handlers.clear()
    fmt = logging.Formatter("%(asctime)s %(message)s", "%H:%M:%S")
    for h in (logging.StreamHandler(sys.stderr), logging.FileHandler(os.path.join(out, "train.log"))):
        h.setFormatter(fmt)
        log.addHandler(h)
    log.propagate = False


def save_atomic(obj, path: str, is_json: bool = False):
    tmp = path + ".tmp"
    if is_json:
        with open(tmp, "w") as f:
            json.dump(obj, f, indent=2)
            f.write("\n")
    else:
        torch.save(obj, tmp)
    os.replace(tmp, path)


def main(argv=None) -> int:
    a = parse_args(argv)
    os.makedirs(a.out, exist_ok=True)
    setup_logging(a.out)
    torch.set_num_threads(a.threads)
    t_start = time.time()
    try:
        cfg = load_config(a.config)
    except ConfigError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    tmpdir = None
    data = a.data
    if data is None:
        if not a.smoke:
            print("error: --data is required (or --smoke for a synthetic run)", file=sys.stderr)
            return 2
        tmpdir = tempfile.TemporaryDirectory(prefix="vjepa2-train-smoke-")
        data = write_synthetic(tmpdir.name, episodes=12, steps=8, size=cfg.img_size, seed=a.seed)
    try:
        ds = load_dataset(data, cfg.img_size)
    except DataError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    # Split by scene episode before the views are taken apart, so no camera of a validation episode is trained on.
    tr_idx, va_idx = split_episodes(ds.episodes, a.val_fraction, a.seed)
    train, val = ds.subset(tr_idx).split_views(), ds.subset(va_idx).split_views()
    cfg.views = ds.views
    log.info("vjepa2_train %s: data %s (%d train / %d val episodes of %d frames, %dpx, %d view(s)); config %s; stage %s; "
             "%.1f min per stage; torch %s, %d threads", __version__, ds.path, len(tr_idx), len(va_idx), ds.steps,
             cfg.img_size, ds.views, a.config, a.stage, a.minutes, torch.__version__, torch.get_num_threads())
    slow_blas = reference_blas()
    if slow_blas is not None:
        log.warning("torch runs on the reference BLAS (%s), about 30x slower than OpenBLAS: a --minutes budget then "
                    "trains far fewer steps. Install libopenblas0-pthread (Debian) for a useful run.", slow_blas)

    ckpt_path = os.path.join(a.out, "checkpoint.pt")
    metrics_path = os.path.join(a.out, "metrics.json")
    metrics = {}
    if a.stage == "predictor" and os.path.exists(metrics_path):
        with open(metrics_path) as f:
            metrics = json.load(f)
    metrics.update({
        "tool": f"vjepa2_train {__version__}", "torch": torch.__version__, "threads": torch.get_num_threads(),
        "machine": f"{platform.machine()} {os.cpu_count()} cpus", "reference_blas": slow_blas, "config": cfg.to_dict(), "seed": a.seed,
        "smoke": a.smoke, "dataset": ds.stats(),
        "split": {"train_episodes": int(len(tr_idx)), "val_episodes": int(len(va_idx)), "views": int(ds.views)},
    })
    n_enc = n_pred = None
    fixed = 3 if a.smoke else a.iters

    state = {}
    if a.stage in ("encoder", "all"):
        hp = EncoderHParams(batch_size=4 if a.smoke else a.enc_batch, clip_tubelets=a.clip_tubelets,
                            clip_mode=a.clip_mode, lr=a.enc_lr, ema=tuple(float(x) for x in a.ema.split(",")),
                            pred_dim=a.mask_pred_dim, pred_depth=a.mask_pred_depth,
                            aux_state_weight=a.aux_state_weight, log_every=1 if a.smoke else 25)
        s = torch.from_numpy(train.states.reshape(-1, 7))
        res = train_encoder(cfg, train, val, hp, Budget(a.minutes, reserve_s=60.0, fixed_iters=fixed), a.seed,
                            s.mean(0), s.std(0))
        state["encoder"] = res["target_encoder"].state_dict()
        state["context_encoder"] = res["context_encoder"].state_dict()
        state["mask_predictor"] = res["mask_predictor"].state_dict()
        metrics["stage_encoder"] = res["metrics"]
        if a.stage == "encoder":
            # the predictor is untrained: random init so the checkpoint still has the exporter's layout
            pred = VisionTransformerPredictorAC(cfg)
            init_weights([pred], [pred.predictor_blocks])
            state["predictor"] = pred.state_dict()
            metrics["predictor_untrained"] = True
        n_enc = sum(v.numel() for v in state["encoder"].values())
    if a.stage in ("predictor", "all"):
        if "encoder" not in state:
            src = a.encoder_checkpoint or ckpt_path
            if not os.path.exists(src):
                print(f"error: --stage predictor needs a trained encoder: {src} not found (run --stage encoder first "
                      f"or pass --encoder-checkpoint)", file=sys.stderr)
                return 2
            prev = torch.load(src, map_location="cpu")
            state = {k: v for k, v in prev.items() if k != "predictor"}
            log.info("encoder from %s", src)
        enc = VisionTransformer(cfg, max_tubelets=1)
        enc.load_state_dict({k.replace("module.", "").replace("backbone.", ""): v for k, v in state["encoder"].items()})
        hp2 = PredictorHParams(batch_size=4 if a.smoke else a.pred_batch, clip_frames=a.clip_frames,
                               auto_steps=a.auto_steps, lr=a.pred_lr, identity_init=not a.no_identity_init, log_every=1 if a.smoke else 25,
                               eval_transitions=4 if a.smoke else 64)
        res2 = train_predictor(cfg, enc, train, val, hp2, Budget(a.minutes, reserve_s=150.0, fixed_iters=fixed), a.seed)
        state["predictor"] = res2["predictor"].state_dict()
        metrics["stage_predictor"] = res2["metrics"]
        metrics.pop("predictor_untrained", None)
        n_pred = sum(v.numel() for v in state["predictor"].values())

    state["meta"] = {"tool": f"vjepa2_train {__version__}", "config": cfg.to_dict(), "seed": a.seed,
                     "stage": a.stage, "data": ds.path}
    save_atomic(state, ckpt_path)
    save_atomic(cfg.to_dict(), os.path.join(a.out, "config.json"), is_json=True)
    if n_enc is not None:
        metrics["encoder_params"] = int(n_enc)
    if n_pred is not None:
        metrics["predictor_params"] = int(n_pred)
    metrics.setdefault("wall_s", {})[a.stage] = round(time.time() - t_start, 1)
    save_atomic(metrics, metrics_path, is_json=True)
    log.info("wrote %s, config.json, metrics.json in %s (%.0fs)", os.path.basename(ckpt_path), a.out, time.time() - t_start)
    if tmpdir is not None:
        tmpdir.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
