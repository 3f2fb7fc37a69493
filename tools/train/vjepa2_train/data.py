"""Datasets in the `sim-data` layout, and a synthetic stand-in that writes the same layout.

    DIR/frames.npy   uint8   [E, T, H, W, 3]   RGB; W = views * H (`sim-data --views`: cameras side by side)
    DIR/states.npy   float32 [E, T, 7]         x, y, z, roll, pitch, yaw, gripper (m, rad, closedness 0..1)
    DIR/actions.npy  float32 [E, T-1, 7]       actions[t] = poses_to_diff(states[t], states[t+1])
    DIR/meta.json
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from typing import Dict, Optional

import numpy as np
import torch

# ImageNet normalisation, as the runtime's preprocessing (DESIGN.md §1) and model.json use.
MEAN = np.array([0.485, 0.456, 0.406], dtype=np.float32)
STD = np.array([0.229, 0.224, 0.225], dtype=np.float32)

# Workspace of the project's simulator (src/sim/simConfig.ts DEFAULT_SIM_CONFIG), metres.
WS_MIN = np.array([0.35, -0.2, 0.05], dtype=np.float32)
WS_MAX = np.array([0.65, 0.2, 0.35], dtype=np.float32)
DOWN = np.array([np.pi, 0.0, 0.0], dtype=np.float32)


class DataError(ValueError):
    pass


@dataclass
class Dataset:
    frames: np.ndarray   # uint8 [E, T, H, W, 3]
    states: np.ndarray   # float32 [E, T, 7]
    actions: np.ndarray  # float32 [E, T-1, 7]
    meta: Dict
    path: str
    views: int = 1

    @property
    def episodes(self) -> int:
        return self.frames.shape[0]

    @property
    def steps(self) -> int:
        return self.frames.shape[1]

    def subset(self, idx: np.ndarray) -> "Dataset":
        return Dataset(self.frames[idx], self.states[idx], self.actions[idx], self.meta, self.path, self.views)

    def split_views(self) -> "Dataset":
        """One single-view episode per (episode, view), views of an episode next to each other, each with
        the episode's states and actions: both stages train on each camera alone, as the model runs them."""
        if self.views == 1:
            return self
        E, T, H, W, _ = self.frames.shape
        frames = self.frames.reshape(E, T, H, self.views, H, 3).transpose(0, 3, 1, 2, 4, 5).reshape(E * self.views, T, H, H, 3)
        return Dataset(np.ascontiguousarray(frames), np.repeat(self.states, self.views, 0),
                       np.repeat(self.actions, self.views, 0), self.meta, self.path, 1)

    def stats(self) -> Dict:
        a, s = self.actions.reshape(-1, 7), self.states.reshape(-1, 7)
        return {
            "path": self.path, "episodes": int(self.episodes), "steps": int(self.steps),
            "image_size": list(self.frames.shape[2:4]), "views": int(self.views),
            "generator": self.meta.get("generator"),
            "state_min": s.min(0).round(4).tolist(), "state_max": s.max(0).round(4).tolist(),
            "action_abs_mean": np.abs(a).mean(0).round(4).tolist(), "action_std": a.std(0).round(4).tolist(),
        }


def load_dataset(path: str, img_size: Optional[int] = None) -> Dataset:
    """Loads DIR/{frames,states,actions}.npy (+ meta.json); checks shapes and dtypes; frames stay uint8
    (memory-mapped read, then copied into RAM)."""
    try:
        frames = np.load(os.path.join(path, "frames.npy"))
        states = np.load(os.path.join(path, "states.npy")).astype(np.float32)
        actions = np.load(os.path.join(path, "actions.npy")).astype(np.float32)
    except (OSError, ValueError) as e:
        raise DataError(f"cannot read dataset {path}: {e}") from e
    meta = {}
    if os.path.exists(os.path.join(path, "meta.json")):
        with open(os.path.join(path, "meta.json")) as f:
            meta = json.load(f)
    if frames.dtype != np.uint8 or frames.ndim != 5 or frames.shape[-1] != 3:
        raise DataError(f"frames.npy must be uint8 [E,T,H,W,3], got {frames.dtype} {frames.shape}")
    E, T = frames.shape[:2]
    if states.shape != (E, T, 7) or actions.shape != (E, T - 1, 7):
        raise DataError(f"states {states.shape} / actions {actions.shape} do not match frames {frames.shape} "
                        f"(expected [{E},{T},7] and [{E},{T - 1},7])")
    H, W = frames.shape[2:4]
    if W % H:
        raise DataError(f"frames are {W}x{H} px: the width must be a whole number of square views side by side")
    views = W // H
    if "views" in meta and meta["views"] != views:
        raise DataError(f"meta.json says {meta['views']} views but the frames are {W}x{H} px ({views} of {H} px)")
    if img_size is not None and H != img_size:
        raise DataError(f"frames are {H} px high but the model takes {img_size}x{img_size} views; "
                        f"write the data with --size {img_size}")
    if not (np.isfinite(states).all() and np.isfinite(actions).all()):
        raise DataError("states/actions contain NaN or Inf")
    return Dataset(frames, states, actions, meta, os.path.abspath(path), views)


def split_episodes(n: int, val_fraction: float, seed: int):
    """Episode-level split (validation episodes are never trained on). Returns (train_idx, val_idx)."""
    rng = np.random.RandomState(seed)
    perm = rng.permutation(n)
    n_val = max(1, int(round(n * val_fraction))) if n > 1 else 0
    return np.sort(perm[n_val:]), np.sort(perm[:n_val])


def to_tensor(frames_uint8: np.ndarray) -> torch.Tensor:
    """uint8 [..., H, W, 3] -> normalised float [..., 3, H, W]."""
    x = torch.from_numpy(np.ascontiguousarray(frames_uint8)).float().div_(255.0)
    x = (x - torch.from_numpy(MEAN)) / torch.from_numpy(STD)
    return x.movedim(-1, -3).contiguous()


# ----------------------------------------------------------------------------------------------------
# Synthetic stand-in: a flat "table" seen from above, a fixed red cube per episode, and an end-effector
# drawn as a grey square whose image position encodes (x, y), whose size and shadow offset encode z, and
# whose two yellow fingers close with the gripper. Same array layout and conventions as `sim-data`.
# ----------------------------------------------------------------------------------------------------
def _render(size: int, state: np.ndarray, cube_xy: np.ndarray, ss: int = 2) -> np.ndarray:
    S = size * ss
    yy, xx = np.mgrid[0:S, 0:S].astype(np.float32) / S  # image coords in [0, 1)
    img = np.empty((S, S, 3), np.float32)
    img[..., 0] = 0.55 + 0.10 * yy
    img[..., 1] = 0.45 + 0.08 * yy
    img[..., 2] = 0.35 + 0.05 * xx

    def to_img(x, y):  # robot x (forward) -> image up; robot y (left) -> image left
        u = 0.1 + 0.8 * (WS_MAX[1] - y) / (WS_MAX[1] - WS_MIN[1])
        v = 0.1 + 0.8 * (WS_MAX[0] - x) / (WS_MAX[0] - WS_MIN[0])
        return u, v

    def box(cu, cv, hw, hh):
        return (np.abs(xx - cu) <= hw) & (np.abs(yy - cv) <= hh)

    cu, cv = to_img(cube_xy[0], cube_xy[1])
    img[box(cu, cv, 0.05, 0.05)] = (0.8, 0.1, 0.1)
    x, y, z, g = state[0], state[1], state[2], state[6]
    zn = (z - WS_MIN[2]) / (WS_MAX[2] - WS_MIN[2])
    u, v = to_img(x, y)
    img[box(u + 0.02 + 0.08 * zn, v + 0.03 + 0.08 * zn, 0.04, 0.04)] *= 0.6  # shadow, offset grows with height
    half = 0.035 + 0.035 * zn  # higher = closer to the camera = larger
    img[box(u, v, half, half)] = (0.55, 0.6, 0.7)
    gap = (1.0 - g) * half * 0.9
    for side in (-1.0, 1.0):
        img[box(u + side * (gap + 0.012), v + half, 0.012, 0.6 * half)] = (0.95, 0.85, 0.1)
    img = img.reshape(size, ss, size, ss, 3).mean((1, 3))
    return np.clip(img * 255.0 + 0.5, 0, 255).astype(np.uint8)


def synthetic_dataset(episodes: int, steps: int, size: int = 64, seed: int = 0, maxnorm: float = 0.075):
    """(frames uint8 [E,T,H,W,3], states [E,T,7], actions [E,T-1,7], meta) from a smooth random walk
    (AR(1) velocity clipped to +-maxnorm, bouncing off the workspace walls) with gripper toggles."""
    rng = np.random.RandomState(seed)
    frames = np.zeros((episodes, steps, size, size, 3), np.uint8)
    states = np.zeros((episodes, steps, 7), np.float32)
    for e in range(episodes):
        s = np.zeros(7, np.float32)
        s[:3] = rng.uniform(WS_MIN, WS_MAX)
        s[3:6] = DOWN
        s[6] = float(rng.rand() < 0.5)
        cube = rng.uniform([0.38, -0.17], [0.62, 0.17])
        speed = rng.uniform(0.5, 1.2)
        vel = np.clip(rng.randn(3) * 0.6 * maxnorm * speed, -maxnorm, maxnorm)
        for t in range(steps):
            states[e, t] = s
            frames[e, t] = _render(size, s, cube)
            vel = np.clip(0.6 * vel + rng.randn(3) * 0.6 * maxnorm * speed, -maxnorm, maxnorm)
            nxt = s.copy()
            for a in range(3):
                if not WS_MIN[a] <= s[a] + vel[a] <= WS_MAX[a]:
                    vel[a] = -vel[a]
            nxt[:3] = np.clip(s[:3] + vel, WS_MIN, WS_MAX)
            if rng.rand() < 0.15:
                nxt[6] = rng.rand() if rng.rand() < 0.2 else (0.0 if s[6] > 0.5 else 1.0)
            s = nxt.astype(np.float32)
    actions = np.zeros((episodes, steps - 1, 7), np.float32)
    actions[..., :3] = states[:, 1:, :3] - states[:, :-1, :3]
    actions[..., 6] = states[:, 1:, 6] - states[:, :-1, 6]  # orientation is fixed, so rotation deltas are 0
    meta = {"generator": "vjepa2_train synthetic", "episodes": episodes, "steps": steps,
            "image_size": [size, size], "seed": seed, "maxnorm_m": maxnorm,
            "workspace": {"min": WS_MIN.tolist(), "max": WS_MAX.tolist()}}
    return frames, states, actions, meta


def write_synthetic(out: str, episodes: int, steps: int, size: int = 64, seed: int = 0) -> str:
    frames, states, actions, meta = synthetic_dataset(episodes, steps, size, seed)
    os.makedirs(out, exist_ok=True)
    np.save(os.path.join(out, "frames.npy"), frames)
    np.save(os.path.join(out, "states.npy"), states)
    np.save(os.path.join(out, "actions.npy"), actions)
    with open(os.path.join(out, "meta.json"), "w") as f:
        json.dump(meta, f, indent=2)
    return out
