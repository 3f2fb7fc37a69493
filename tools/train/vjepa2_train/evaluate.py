"""Validation: frame latents through the exporter's own EncoderGraph, a linear probe to the end-effector
state, and the energy landscape of the AC predictor around the true action (on held-out episodes)."""

from __future__ import annotations

from typing import Dict, Optional

import numpy as np
import torch

from . import _paths  # noqa: F401
from vjepa2_export.graphs import EncoderGraph, PredictorGraph  # noqa: E402

from .data import to_tensor


@torch.no_grad()
def frame_latents(encoder, tubelet_size: int, frames_uint8: np.ndarray, batch: int = 128) -> torch.Tensor:
    """uint8 [..., H, W, 3] -> layer-normed tokens [..., N, D], exactly as the exported encoder.onnx computes
    them (frame repeated into a tubelet, encoder, layer_norm without affine)."""
    g = EncoderGraph(encoder, tubelet_size).eval()
    lead = frames_uint8.shape[:-3]
    flat = frames_uint8.reshape((-1,) + frames_uint8.shape[-3:])
    out = [g(to_tensor(flat[i:i + batch])) for i in range(0, flat.shape[0], batch)]
    z = torch.cat(out, 0)
    return z.reshape(tuple(lead) + tuple(z.shape[1:]))


def _ridge_fit_predict(Xtr, Ytr, Xte, lam):
    """Ridge regression with an intercept, primal or dual form, whichever is smaller."""
    mu, sd = Xtr.mean(0), Xtr.std(0) + 1e-6
    Xtr, Xte = (Xtr - mu) / sd, (Xte - mu) / sd
    ym = Ytr.mean(0)
    Yc = Ytr - ym
    n, d = Xtr.shape
    if d <= n:
        A = Xtr.T @ Xtr + lam * n * torch.eye(d, dtype=Xtr.dtype)
        W = torch.linalg.solve(A, Xtr.T @ Yc)
    else:
        K = Xtr @ Xtr.T + lam * n * torch.eye(n, dtype=Xtr.dtype)
        W = Xtr.T @ torch.linalg.solve(K, Yc)
    return Xte @ W + ym


def _r2(y, p):
    ss_res = ((y - p) ** 2).sum(0)
    ss_tot = ((y - y.mean(0)) ** 2).sum(0) + 1e-12
    return 1.0 - ss_res / ss_tot


def linear_probe(feat_tr: torch.Tensor, y_tr: torch.Tensor, feat_te: torch.Tensor, y_te: torch.Tensor,
                 lambdas=(1e-4, 1e-3, 1e-2, 1e-1, 1.0)) -> Dict:
    """Ridge probe features -> [x, y, z, gripper]; lambda picked on a 20% hold-out of the training features;
    reported on the test (held-out episode) features: R^2 per target, xyz error in cm."""
    Xtr, Xte = feat_tr.double(), feat_te.double()
    Ytr, Yte = y_tr.double(), y_te.double()
    n = Xtr.shape[0]
    cut = int(n * 0.8)
    best = None
    for lam in lambdas:
        p = _ridge_fit_predict(Xtr[:cut], Ytr[:cut], Xtr[cut:], lam)
        err = float(_r2(Ytr[cut:, :3], p[:, :3]).mean())
        if best is None or err > best[1]:
            best = (lam, err)
    lam = best[0]
    p = _ridge_fit_predict(Xtr, Ytr, Xte, lam)
    r2 = _r2(Yte, p)
    err_cm = ((p[:, :3] - Yte[:, :3]).norm(dim=1) * 100.0)
    return {
        "lambda": lam, "features": int(Xtr.shape[1]), "train_samples": int(n), "test_samples": int(Xte.shape[0]),
        "r2_xyz": [round(float(v), 4) for v in r2[:3]], "r2_xyz_mean": round(float(r2[:3].mean()), 4),
        "r2_gripper": round(float(r2[3]), 4),
        "xyz_error_cm_mean": round(float(err_cm.mean()), 3), "xyz_error_cm_median": round(float(err_cm.median()), 3),
    }


def probe_report(z_tr, s_tr, z_te, s_te, max_train: int = 4000, seed: int = 0) -> Dict:
    """z [M, N, D] latents and s [M, 7] states of training / held-out frames -> probes on mean-pooled
    tokens ([D] features) and on all tokens flattened ([N*D] features)."""
    rng = np.random.RandomState(seed)
    if z_tr.shape[0] > max_train:
        sel = torch.from_numpy(rng.choice(z_tr.shape[0], max_train, replace=False))
        z_tr, s_tr = z_tr[sel], s_tr[sel]
    y_tr = torch.cat([s_tr[:, :3], s_tr[:, 6:7]], 1)
    y_te = torch.cat([s_te[:, :3], s_te[:, 6:7]], 1)
    return {"mean_pooled": linear_probe(z_tr.mean(1), y_tr, z_te.mean(1), y_te),
            "flattened": linear_probe(z_tr.flatten(1), y_tr, z_te.flatten(1), y_te)}


@torch.no_grad()
def energy_report(predictor, z: torch.Tensor, states: torch.Tensor, actions: torch.Tensor, n_transitions: int = 64,
                  n_random: int = 32, grid_points: int = 5, maxnorm: float = 0.075, seed: int = 0,
                  batch: int = 512) -> Dict:
    """Energy landscape of one-step planning on held-out transitions (context = frame t, goal = frame t+1):

    energy(a) = mean |LN(predictor(z_t, a, s_t)) - z_{t+1}|   (the exported rollout_h1 graph's energy)

    * rank_acc_xyz: P(E(true action) < E(random action)), random dx,dy,dz ~ U(+-maxnorm), true gripper delta;
    * rank_acc_full: the same with a random gripper target in {open, closed} as well;
    * grid: dx,dy,dz on a grid_points^3 grid over +-maxnorm (true gripper delta): |argmin - true| in cm,
      next to the floor (the grid point closest to the true action) and the error of always answering 0;
    * copy_baseline: mean |z_t - z_{t+1}| vs mean |prediction(true a) - z_{t+1}|.
    z: [E, T, N, D] latents, states [E, T, 7], actions [E, T-1, 7] of held-out episodes."""
    g = torch.Generator().manual_seed(seed)
    E, T = z.shape[:2]
    pg = PredictorGraph(predictor).eval()
    ep = torch.randint(0, E, (n_transitions,), generator=g)
    t = torch.randint(0, T - 1, (n_transitions,), generator=g)
    lin = torch.linspace(-maxnorm, maxnorm, grid_points)
    grid = torch.stack(torch.meshgrid(lin, lin, lin, indexing="ij"), -1).reshape(-1, 3)  # [G, 3]
    wins_xyz = wins_full = total = 0
    grid_err, floor_err, zero_err, tf_err, copy_err = [], [], [], [], []
    for i in range(n_transitions):
        e, k = int(ep[i]), int(t[i])
        ctx, goal, s, a = z[e, k], z[e, k + 1], states[e, k], actions[e, k]
        rnd = torch.zeros(n_random, 7)
        rnd[:, :3] = (torch.rand(n_random, 3, generator=g) * 2 - 1) * maxnorm
        rnd[:, 6] = a[6]
        rnd_full = rnd.clone()
        rnd_full[:, 6] = (torch.rand(n_random, generator=g) < 0.5).float() - s[6]
        cand = torch.zeros(grid.shape[0], 7)
        cand[:, :3] = grid
        cand[:, 6] = a[6]
        acts = torch.cat([a[None], rnd, rnd_full, cand], 0)  # [1 + 2R + G, 7]
        en = []
        for j in range(0, acts.shape[0], batch):
            aj = acts[j:j + batch]
            n = aj.shape[0]
            nxt = pg(ctx[None].expand(n, -1, -1), aj[:, None], s[None, None].expand(n, 1, -1))
            en.append((nxt - goal[None]).abs().flatten(1).mean(1))
        en = torch.cat(en)
        e_true, e_rnd, e_full, e_grid = en[0], en[1:1 + n_random], en[1 + n_random:1 + 2 * n_random], en[1 + 2 * n_random:]
        wins_xyz += int((e_true < e_rnd).sum())
        wins_full += int((e_true < e_full).sum())
        total += n_random
        best = grid[int(e_grid.argmin())]
        grid_err.append(float((best - a[:3]).norm()) * 100)
        floor_err.append(float((grid - a[:3]).norm(dim=1).min()) * 100)
        zero_err.append(float(a[:3].norm()) * 100)
        tf_err.append(float(e_true))
        copy_err.append(float((ctx - goal).abs().mean()))
    return {
        "transitions": n_transitions, "random_actions_per_transition": n_random, "maxnorm_m": maxnorm,
        "rank_acc_xyz": round(wins_xyz / total, 4), "rank_acc_full": round(wins_full / total, 4),
        "grid_points_per_axis": grid_points, "grid_step_cm": round(float(lin[1] - lin[0]) * 100, 3),
        "grid_best_error_cm_mean": round(float(np.mean(grid_err)), 3),
        "grid_best_error_cm_median": round(float(np.median(grid_err)), 3),
        "grid_floor_error_cm_mean": round(float(np.mean(floor_err)), 3),
        "zero_action_error_cm_mean": round(float(np.mean(zero_err)), 3),
        "energy_true_action_mean": round(float(np.mean(tf_err)), 5),
        "copy_baseline_energy_mean": round(float(np.mean(copy_err)), 5),
    }


@torch.no_grad()
def multistep_report(predictor, z, states, actions, k: int = 3, n_transitions: int = 48, grid_points: int = 5,
                     maxnorm: float = 0.075, seed: int = 1, batch: int = 512) -> Optional[Dict]:
    """Goal further away (frame t+k, k > 1) and a one-step plan: does the best grid action head toward the goal?
    Reports the cosine between the best action's dx,dy,dz and the goal displacement, and how often the best
    action reduces the distance to the goal position."""
    E, T = z.shape[:2]
    if T <= k:
        return None
    g = torch.Generator().manual_seed(seed)
    pg = PredictorGraph(predictor).eval()
    lin = torch.linspace(-maxnorm, maxnorm, grid_points)
    grid = torch.stack(torch.meshgrid(lin, lin, lin, indexing="ij"), -1).reshape(-1, 3)
    cos, closer = [], []
    for _ in range(n_transitions):
        e = int(torch.randint(0, E, (1,), generator=g))
        t = int(torch.randint(0, T - k, (1,), generator=g))
        ctx, goal, s = z[e, t], z[e, t + k], states[e, t]
        disp = states[e, t + k, :3] - s[:3]
        if float(disp.norm()) < 0.02:
            continue
        cand = torch.zeros(grid.shape[0], 7)
        cand[:, :3] = grid
        cand[:, 6] = states[e, t + k, 6] - s[6]
        en = []
        for j in range(0, cand.shape[0], batch):
            aj = cand[j:j + batch]
            nxt = pg(ctx[None].expand(aj.shape[0], -1, -1), aj[:, None], s[None, None].expand(aj.shape[0], 1, -1))
            en.append((nxt - goal[None]).abs().flatten(1).mean(1))
        best = grid[int(torch.cat(en).argmin())]
        if float(best.norm()) < 1e-9:
            cos.append(0.0)
        else:
            cos.append(float(torch.dot(best, disp) / (best.norm() * disp.norm())))
        closer.append(float((disp - best).norm() < disp.norm()))
    if not cos:
        return None
    return {"k": k, "transitions": len(cos), "cosine_best_vs_goal_direction_mean": round(float(np.mean(cos)), 4),
            "fraction_best_action_moves_closer": round(float(np.mean(closer)), 4)}
