"""Export driver: models -> encoder.onnx, predictor.onnx, rollout_h{H}.onnx, model.json."""

from __future__ import annotations

import argparse
import hashlib
import json
import inspect
import logging
import os
import sys
import tempfile
import time
from typing import Dict, List, Optional

import onnx
import torch
import torch.nn as nn
from onnx.external_data_helper import set_external_data

from . import __version__
from .checkpoint import CheckpointError, load_into, read_checkpoint, sha256_file
from .config import ConfigError, ModelConfig, load_config, preset
from .fp16 import convert_to_fp16
from .graphs import EncoderGraph, PredictorGraph, RolloutGraph, build_models
from .init import init_weights

log = logging.getLogger("vjepa2_export")

FORMAT = "vjepa2-mpc-model"
FORMAT_VERSION = 2  # 2: the predictor-side graphs keep their weights in one shared file (model.json external_data)
NORMALIZATION = {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]}
EXTERNAL_DATA_THRESHOLD = 1 << 30  # encoder weights above 1 GiB go to 'encoder.onnx.data' (protobuf limit is 2 GB)
SHARED_WEIGHTS = "predictor.weights"  # external data of predictor.onnx and every rollout_h{H}.onnx
SHARED_MIN_BYTES = 1024  # smaller initializers (biases and norms of narrow models, shape constants) stay inline
SHARED_ALIGN = 4096  # page-aligned offsets, so ONNX Runtime can memory-map the tensors on CPU
KEEP_FP32_SCOPES = r"^/(poses|energy)/"  # node-name regex of the scopes kept in float32


class ExportError(RuntimeError):
    pass


# ----------------------------------------------------------------------------------------------------
def random_init(encoder: nn.Module, predictor: nn.Module, seed: int) -> None:
    """Upstream-like random weights for both towers (see init.init_weights), reproducible for a seed."""
    torch.manual_seed(seed)
    init_weights([encoder, predictor], [encoder.blocks, predictor.predictor_blocks])


def io_spec(cfg: ModelConfig, dtype: str, horizons: List[int]) -> Dict:
    tok = "float16" if dtype == "fp16" else "float32"
    N, D, A = cfg.tokens_per_observation, cfg.encoder.embed_dim, cfg.action_dim
    t = lambda dt, shape: {"dtype": dt, "shape": shape}  # noqa: E731
    graphs = {
        "encoder": {"file": "encoder.onnx",
                    "inputs": {"frames": t(tok, ["batch", 3, cfg.img_size, cfg.views * cfg.img_size])},
                    "outputs": {"tokens": t(tok, ["batch", N, D])}},
        "predictor": {"file": "predictor.onnx",
                      "inputs": {"tokens": t(tok, ["batch", "context_tokens", D]),
                                 "actions": t("float32", ["batch", "context_frames", A]),
                                 "states": t("float32", ["batch", "context_frames", A])},
                      "outputs": {"next_tokens": t(tok, ["batch", N, D])}},
        "rollout": [{"horizon": h, "file": f"rollout_h{h}.onnx",
                     "inputs": {"context": t(tok, [1, N, D]), "goal": t(tok, [1, N, D]),
                                "state": t("float32", [1, A]), "actions": t("float32", ["samples", h, A])},
                     "outputs": {"energy": t("float32", ["samples"]),
                                 "poses": t("float32", ["samples", h + 1, A])}}
                    for h in horizons],
    }
    return graphs


def _dynamic_axes(spec: Dict) -> Dict[str, Dict[int, str]]:
    axes = {}
    for part in ("inputs", "outputs"):
        for name, s in spec[part].items():
            dyn = {i: d for i, d in enumerate(s["shape"]) if isinstance(d, str)}
            if dyn:
                axes[name] = dyn
    return axes


def _remove_stale(path: str) -> None:
    for p in (path, path + ".data"):
        if os.path.exists(p):
            os.remove(p)


def _save(model: onnx.ModelProto, path: str) -> Optional[str]:
    """Saves the graph, its weights inline or (above 1 GiB) in '<file>.data'; returns that file's name or None."""
    data_file = os.path.basename(path) + ".data"
    _remove_stale(path)
    weight_bytes = sum(len(t.raw_data) for t in model.graph.initializer)
    if weight_bytes > EXTERNAL_DATA_THRESHOLD:
        onnx.save_model(model, path, save_as_external_data=True, all_tensors_to_one_file=True,
                        location=data_file, size_threshold=1024)
        return data_file
    onnx.save_model(model, path)
    return None


def _constants_to_initializers(model: onnx.ModelProto, min_bytes: int) -> None:
    """Constant nodes of at least min_bytes become initializers of the same name, so they can go to external
    data too.  Constant folding leaves one copy of a sliced RoPE table per use (4 per block and rollout step
    in the rollout graphs: 6 MB per step at full size), all equal per step."""
    keep = []
    for node in model.graph.node:
        value = node.attribute[0].t if node.op_type == "Constant" and [a.name for a in node.attribute] == ["value"] else None
        if value is not None and value.HasField("raw_data") and len(value.raw_data) >= min_bytes:
            init = model.graph.initializer.add()
            init.CopyFrom(value)
            init.name = node.output[0]
        else:
            keep.append(node)
    del model.graph.node[:]
    model.graph.node.extend(keep)


class SharedWeights:
    """One external-data file for several graphs.  The predictor graph and the rollout graphs hold the same
    predictor weights, under initializer names the torch exporter picks per graph (folded transposes are
    'onnx::MatMul_<n>'), so tensors are matched by dtype, dims and bytes: each distinct one is written once,
    at a page-aligned offset, and every graph that holds it points there (location relative to the graph)."""

    def __init__(self, path: str):
        self.path = path
        self.location = os.path.basename(path)
        self.graphs: List[str] = []
        self._offsets: Dict[tuple, int] = {}
        self._file = open(path, "wb")

    def save(self, model: onnx.ModelProto, path: str) -> None:
        """Moves the graph's initializers of at least SHARED_MIN_BYTES into the file, then saves the graph."""
        _constants_to_initializers(model, SHARED_MIN_BYTES)
        for t in model.graph.initializer:
            if not t.HasField("raw_data") or len(t.raw_data) < SHARED_MIN_BYTES:
                continue
            raw = t.raw_data
            key = (t.data_type, tuple(t.dims), hashlib.sha256(raw).digest())
            if key not in self._offsets:
                self._file.write(b"\0" * (-self._file.tell() % SHARED_ALIGN))
                self._offsets[key] = self._file.tell()
                self._file.write(raw)
            set_external_data(t, self.location, offset=self._offsets[key], length=len(raw))
            t.ClearField("raw_data")
        _remove_stale(path)
        onnx.save_model(model, path)
        self.graphs.append(os.path.basename(path))

    def close(self) -> int:
        """Closes the file; returns its size in bytes."""
        self._file.flush()
        os.fsync(self._file.fileno())
        self._file.close()
        return os.path.getsize(self.path)


# torch >= 2.9 exports with the dynamo exporter unless told otherwise; it ignores `dynamic_axes` for some of
# these graphs and bakes the example's batch and sample sizes into broadcasts (the graph then fails at any
# other size). The TorchScript exporter, the only one in torch 1.13, handles them; ask for it by name.
_TORCHSCRIPT_EXPORTER = {"dynamo": False} if "dynamo" in inspect.signature(torch.onnx.export).parameters else {}


def export_graph(module: nn.Module, args, spec: Dict, path: str, dtype: str, opset: int) -> onnx.ModelProto:
    """Traces the module to an ONNX graph with the contract's I/O (converted to fp16 if asked); not saved."""
    inputs, outputs = list(spec["inputs"]), list(spec["outputs"])
    with tempfile.TemporaryDirectory(prefix="vjepa2-export-") as tmp:
        raw = os.path.join(tmp, "model.onnx")
        with torch.no_grad():
            torch.onnx.export(module, args, raw, input_names=inputs, output_names=outputs,
                              dynamic_axes=_dynamic_axes(spec), opset_version=opset, do_constant_folding=True,
                              **_TORCHSCRIPT_EXPORTER)
        model = onnx.load(raw)  # also pulls in external data torch wrote for >2 GB models
    _apply_io_shapes(model, spec)
    if dtype == "fp16":
        fp16_io = {n for part in ("inputs", "outputs") for n, s in spec[part].items() if s["dtype"] == "float16"}
        model = convert_to_fp16(model, fp16_io, KEEP_FP32_SCOPES)
    model.producer_name = "vjepa2_export"
    model.producer_version = __version__
    _check_io(model, spec, path)
    return model


def _apply_io_shapes(model: onnx.ModelProto, spec: Dict) -> None:
    """Write the contract's dims on the graph inputs/outputs (torch's shape inference names some fixed
    output dims symbolically, e.g. after LayerNormalization)."""
    for part, vis in (("inputs", model.graph.input), ("outputs", model.graph.output)):
        for vi in vis:
            dims = vi.type.tensor_type.shape.dim
            shape = spec[part][vi.name]["shape"]
            if len(dims) != len(shape):
                raise ExportError(f"{vi.name}: rank {len(dims)} != contract rank {len(shape)}")
            for d, s in zip(dims, shape):
                if isinstance(s, str):
                    d.dim_param = s
                else:
                    d.dim_value = s
    # stale symbolic value_info on intermediate tensors is dropped; ORT infers shapes itself
    del model.graph.value_info[:]


def _check_io(model: onnx.ModelProto, spec: Dict, path: str) -> None:
    """The exported graph must carry exactly the contract's names, dtypes and (named) dims."""
    names = {1: "float32", 10: "float16"}
    for part, vis in (("inputs", model.graph.input), ("outputs", model.graph.output)):
        got = {}
        for vi in vis:
            tt = vi.type.tensor_type
            got[vi.name] = {"dtype": names.get(tt.elem_type, str(tt.elem_type)),
                            "shape": [d.dim_param if d.HasField("dim_param") else d.dim_value for d in tt.shape.dim]}
        if got != spec[part]:
            raise ExportError(f"{os.path.basename(path)}: {part} {got} do not match the contract {spec[part]}")


def write_json_atomic(path: str, obj) -> None:
    tmp = path + ".tmp"
    with open(tmp, "w") as f:
        json.dump(obj, f, indent=2)
        f.write("\n")
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


# ----------------------------------------------------------------------------------------------------
def run(argv: Optional[List[str]] = None) -> int:
    p = argparse.ArgumentParser(prog="export.py", description="Export V-JEPA 2-AC to ONNX for vjepa2-mpc.")
    p.add_argument("--checkpoint", help="upstream checkpoint (.pt with 'encoder' and 'predictor')")
    p.add_argument("--out", required=True, help="output package directory")
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--preset", help="architecture preset (vjepa2-ac-vitg)")
    g.add_argument("--config", help="architecture CFG.json")
    p.add_argument("--dtype", choices=("fp32", "fp16"), default="fp32")
    p.add_argument("--horizons", default="1,2", help="comma-separated rollout horizons (default 1,2)")
    p.add_argument("--opset", type=int, default=17)
    p.add_argument("--random-init", action="store_true", help="random weights instead of a checkpoint")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--name", help="package name (default: preset name or the config's folder name)")
    p.add_argument("-v", "--verbose", action="store_true")
    a = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO if a.verbose else logging.WARNING, format="%(levelname)s %(message)s")
    log.setLevel(logging.INFO)
    try:
        export(a)
    except (ConfigError, CheckpointError, ExportError) as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    return 0


def export(a) -> Dict:
    t0 = time.time()
    if a.opset != 17:
        log.warning("opset %d requested; the runtime contract is written against opset 17", a.opset)
    cfg = preset(a.preset) if a.preset else load_config(a.config)
    try:
        horizons = sorted({int(h) for h in str(a.horizons).split(",") if h.strip()})
    except ValueError:
        raise ConfigError(f"--horizons must be comma-separated integers, got {a.horizons!r}")
    if not horizons or horizons[0] < 1 or horizons[-1] > cfg.max_context_frames:
        raise ConfigError(f"horizons must be in 1..{cfg.max_context_frames} (num_frames/tubelet_size), got {horizons}")
    if a.random_init == bool(a.checkpoint):
        raise ConfigError("give exactly one of --checkpoint or --random-init")
    name = a.name or a.preset or os.path.basename(os.path.dirname(os.path.abspath(a.config)))

    torch.set_grad_enabled(False)
    encoder, predictor = build_models(cfg)
    if a.random_init:
        random_init(encoder, predictor, a.seed)
        source = {"checkpoint": None, "sha256": None}
    else:
        state = read_checkpoint(a.checkpoint)
        load_into(encoder, state["encoder"], "encoder")
        load_into(predictor, state["predictor"], "predictor")
        del state
        source = {"checkpoint": os.path.basename(a.checkpoint), "sha256": sha256_file(a.checkpoint)}
    source.update({"preset": a.preset, "random_init": bool(a.random_init), "config": cfg.to_dict()})
    log.info("built model in %.1fs", time.time() - t0)

    os.makedirs(a.out, exist_ok=True)
    stale = os.path.join(a.out, "model.json")
    if os.path.exists(stale):
        os.remove(stale)  # never leave a model.json describing graphs that are being rewritten
    spec = io_spec(cfg, a.dtype, horizons)
    N, D, A, V = cfg.tokens_per_observation, cfg.encoder.embed_dim, cfg.action_dim, cfg.views
    gen = torch.Generator().manual_seed(1234)
    rnd = lambda *s: torch.randn(*s, generator=gen)  # noqa: E731
    T = 2 if cfg.max_context_frames >= 2 else 1

    external_data = []
    t = time.time()
    path = os.path.join(a.out, "encoder.onnx")
    data_file = _save(export_graph(EncoderGraph(encoder, cfg.tubelet_size, V).eval(), (rnd(2, 3, cfg.img_size, V * cfg.img_size),),
                                   spec["encoder"], path, a.dtype, a.opset), path)
    if data_file:
        external_data.append({"file": data_file, "bytes": os.path.getsize(os.path.join(a.out, data_file)),
                              "used_by": ["encoder.onnx"]})
    log.info("encoder.onnx in %.1fs", time.time() - t)
    del encoder
    # One graph at a time goes through the shared file, so peak memory stays at one graph's weights.
    shared = SharedWeights(os.path.join(a.out, SHARED_WEIGHTS))
    try:
        t = time.time()
        path = os.path.join(a.out, "predictor.onnx")
        shared.save(export_graph(PredictorGraph(predictor, V).eval(), (rnd(2, T * N, D), rnd(2, T, A), rnd(2, T, A)),
                                 spec["predictor"], path, a.dtype, a.opset), path)
        log.info("predictor.onnx in %.1fs", time.time() - t)
        for r in spec["rollout"]:
            t = time.time()
            h = r["horizon"]
            path = os.path.join(a.out, r["file"])
            shared.save(export_graph(RolloutGraph(predictor, h, views=V).eval(), (rnd(1, N, D), rnd(1, N, D), rnd(1, A), rnd(3, h, A)),
                                     r, path, a.dtype, a.opset), path)
            log.info("%s in %.1fs", r["file"], time.time() - t)
    finally:
        shared_bytes = shared.close()
    external_data.append({"file": shared.location, "bytes": shared_bytes, "used_by": shared.graphs})

    meta = {
        "format": FORMAT, "format_version": FORMAT_VERSION, "name": name, "source": source,
        "image_size": cfg.img_size, "patch_size": cfg.patch_size, "tubelet_size": cfg.tubelet_size,
        "num_frames": cfg.num_frames, "max_context_frames": cfg.max_context_frames,
        "grid": list(cfg.grid), "views": V, "tokens_per_frame": N, "embed_dim": D,
        "predictor_embed_dim": cfg.predictor.embed_dim, "action_dim": A, "state_dim": A,
        "normalization": NORMALIZATION, "dtype": a.dtype, "graphs": spec, "external_data": external_data,
        "exporter": {"version": __version__, "torch": torch.__version__, "onnx": onnx.__version__, "opset": a.opset},
    }
    write_json_atomic(os.path.join(a.out, "model.json"), meta)
    log.info("exported %s to %s in %.1fs", name, a.out, time.time() - t0)
    return meta
