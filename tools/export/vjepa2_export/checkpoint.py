"""Loading upstream checkpoints ({"encoder": sd, "predictor": sd}, keys prefixed "module.backbone.")."""

from __future__ import annotations

import hashlib
import logging
from typing import Dict, List

import torch

log = logging.getLogger("vjepa2_export")


class CheckpointError(ValueError):
    pass


# Keys present in upstream checkpoints that inference does not use.
KNOWN_UNUSED_PREFIXES = ("extrinsics_encoder.", "pos_embed", "mask_token")


def sha256_file(path: str) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def clean_key(key: str) -> str:
    return key.replace("module.", "").replace("backbone.", "")


def read_checkpoint(path: str) -> Dict[str, Dict[str, torch.Tensor]]:
    try:
        obj = torch.load(path, map_location="cpu")
    except FileNotFoundError as e:
        raise CheckpointError(f"checkpoint not found: {path}") from e
    except Exception as e:  # noqa: BLE001 — unpickling garbage raises almost anything (KeyError under torch >= 2.6's weights_only loader)
        raise CheckpointError(f"{path} is not a loadable PyTorch checkpoint: {type(e).__name__}: {e}") from e
    if not isinstance(obj, dict) or not all(isinstance(obj.get(k), dict) for k in ("encoder", "predictor")):
        kind = f"dict with keys {sorted(map(str, obj))[:10]}" if isinstance(obj, dict) else type(obj).__name__
        raise CheckpointError(
            f"{path} is not a V-JEPA 2-AC checkpoint: expected a dict with 'encoder' and 'predictor' "
            f"state dicts, found {kind}")
    return {k: {clean_key(n): v for n, v in obj[k].items()} for k in ("encoder", "predictor")}


def load_into(module: torch.nn.Module, state: Dict[str, torch.Tensor], part: str) -> List[str]:
    """Strict load after prefix stripping; unused keys are tolerated and listed (INFO)."""
    expected = module.state_dict()
    missing = [k for k in expected if k not in state]
    mismatched = [(k, tuple(expected[k].shape), tuple(state[k].shape)) for k in expected
                  if k in state and tuple(state[k].shape) != tuple(expected[k].shape)]
    unused = sorted(k for k in state if k not in expected)
    errors = []
    if missing:
        errors.append(f"missing keys ({len(missing)}): " + ", ".join(missing[:20])
                      + (" ..." if len(missing) > 20 else ""))
    if mismatched:
        errors.append(f"shape mismatches ({len(mismatched)}): " + "; ".join(
            f"{k}: expected {e} found {f}" for k, e, f in mismatched[:20]))
    if errors:
        raise CheckpointError(f"{part} state dict does not match the configured architecture: " + " | ".join(errors))
    if unused:
        unknown = [k for k in unused if not k.startswith(KNOWN_UNUSED_PREFIXES)]
        log.info("%s: ignoring %d unused checkpoint keys: %s", part, len(unused), ", ".join(unused))
        if unknown:
            log.warning("%s: unused keys not in the known-unused list: %s", part, ", ".join(unknown))
    sd = {k: state[k].to(expected[k].dtype) for k in expected}
    module.load_state_dict(sd, strict=True)
    return unused
