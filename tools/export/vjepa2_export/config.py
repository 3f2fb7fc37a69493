"""Architecture configuration (the keys of a CFG.json) and the official preset."""

from __future__ import annotations

import copy
import json
from dataclasses import asdict, dataclass
from typing import Any, Dict


class ConfigError(ValueError):
    pass


@dataclass
class TowerConfig:
    embed_dim: int
    depth: int
    num_heads: int
    mlp_ratio: float = 4.0
    qkv_bias: bool = True
    use_silu: bool = False
    wide_silu: bool = True
    norm_eps: float = 1e-6


@dataclass
class ModelConfig:
    img_size: int
    patch_size: int
    tubelet_size: int
    num_frames: int
    encoder: TowerConfig
    predictor: TowerConfig
    action_dim: int = 7
    use_extrinsics: bool = False
    # Cameras per observation: a frame is `views` images of img_size side by side; the encoder and the
    # predictor see each view alone (shared weights) and the planner's latent is the views' tokens in a row.
    views: int = 1

    @property
    def grid(self):
        g = self.img_size // self.patch_size
        return (g, g)

    @property
    def tokens_per_frame(self) -> int:
        h, w = self.grid
        return h * w

    @property
    def tokens_per_observation(self) -> int:
        """Tokens of one observation: every view's patches, views left to right (the runtime's tokens_per_frame)."""
        return self.views * self.tokens_per_frame

    @property
    def max_context_frames(self) -> int:
        return self.num_frames // self.tubelet_size

    def to_dict(self) -> Dict[str, Any]:
        return asdict(self)


# Keys a CFG.json must have (exactly those of the ac-tiny reference config.json); the optional
# per-tower keys default to the values that upstream's vit_* / vit_ac_predictor factories use.
_REQUIRED_TOP = ("img_size", "patch_size", "tubelet_size", "num_frames", "encoder", "predictor")
_OPTIONAL_TOP = ("action_dim", "use_extrinsics", "views")
_REQUIRED_TOWER = ("embed_dim", "depth", "num_heads")
_OPTIONAL_TOWER = ("mlp_ratio", "qkv_bias", "use_silu", "wide_silu", "norm_eps")


def config_from_dict(d: Dict[str, Any]) -> ModelConfig:
    if not isinstance(d, dict):
        raise ConfigError("config must be a JSON object")
    missing = [k for k in _REQUIRED_TOP if k not in d]
    unknown = [k for k in d if k not in _REQUIRED_TOP + _OPTIONAL_TOP]
    if missing or unknown:
        raise ConfigError(f"config keys: missing {missing}, unknown {unknown}")
    towers = {}
    for name in ("encoder", "predictor"):
        t = d[name]
        if not isinstance(t, dict):
            raise ConfigError(f"config.{name} must be an object")
        missing = [k for k in _REQUIRED_TOWER if k not in t]
        unknown = [k for k in t if k not in _REQUIRED_TOWER + _OPTIONAL_TOWER]
        if missing or unknown:
            raise ConfigError(f"config.{name} keys: missing {missing}, unknown {unknown}")
        towers[name] = TowerConfig(**t)
    cfg = ModelConfig(
        img_size=int(d["img_size"]), patch_size=int(d["patch_size"]), tubelet_size=int(d["tubelet_size"]),
        num_frames=int(d["num_frames"]), encoder=towers["encoder"], predictor=towers["predictor"],
        **{k: d[k] for k in _OPTIONAL_TOP if k in d},
    )
    validate(cfg)
    return cfg


def validate(cfg: ModelConfig) -> None:
    if cfg.img_size % cfg.patch_size:
        raise ConfigError(f"img_size {cfg.img_size} is not a multiple of patch_size {cfg.patch_size}")
    if cfg.num_frames % cfg.tubelet_size or cfg.num_frames < cfg.tubelet_size:
        raise ConfigError(f"num_frames {cfg.num_frames} must be a positive multiple of tubelet_size {cfg.tubelet_size}")
    for name in ("encoder", "predictor"):
        t = getattr(cfg, name)
        if t.embed_dim % t.num_heads:
            raise ConfigError(f"{name}.embed_dim {t.embed_dim} not divisible by num_heads {t.num_heads}")
        if (t.embed_dim // t.num_heads) % 2:
            raise ConfigError(f"{name} head_dim must be even for RoPE")
    if not (isinstance(cfg.views, int) and cfg.views >= 1):
        raise ConfigError(f"views must be a positive integer, got {cfg.views!r}")
    if cfg.use_extrinsics:
        raise ConfigError("use_extrinsics=True is not supported by the runtime contract")


def load_config(path: str) -> ModelConfig:
    try:
        with open(path) as f:
            d = json.load(f)
    except (OSError, json.JSONDecodeError) as e:
        raise ConfigError(f"cannot read config {path}: {e}") from e
    return config_from_dict(d)


# Official V-JEPA 2-AC ViT-g (src/hub/backbones.py: vjepa2_ac_vit_giant -> _make_vjepa2_ac_model):
# encoder vit_giant_xformers (1408-d, 40 blocks, 22 heads, mlp_ratio 48/11, qkv_bias, LayerNorm eps 1e-6,
# GELU because the hub passes `use_SiLU` (capital letters, swallowed by **kwargs) so use_silu stays False),
# use_rope=True; img 256, patch 16, tubelet 2, num_frames=64 (hub default; training clips were 8 frames).
# predictor vit_ac_predictor defaults: 1024-d, 24 blocks, 16 heads, mlp_ratio 4, qkv_bias, eps 1e-6, GELU,
# use_rope, frame-causal, no extrinsics, action_embed_dim 7.
PRESETS: Dict[str, Dict[str, Any]] = {
    "vjepa2-ac-vitg": {
        "img_size": 256, "patch_size": 16, "tubelet_size": 2, "num_frames": 64,
        "encoder": {"embed_dim": 1408, "depth": 40, "num_heads": 22, "mlp_ratio": 48 / 11},
        "predictor": {"embed_dim": 1024, "depth": 24, "num_heads": 16, "mlp_ratio": 4.0},
    },
}


def preset(name: str) -> ModelConfig:
    if name not in PRESETS:
        raise ConfigError(f"unknown preset {name!r}; known presets: {sorted(PRESETS)}")
    return config_from_dict(copy.deepcopy(PRESETS[name]))
