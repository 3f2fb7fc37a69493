"""The two training stages.

Stage 1 (encoder, upstream app/vjepa/train.py in miniature): clips of K tubelets; multi-block 3D masks; the
context encoder sees the unmasked tokens; a narrow mask-token predictor predicts the EMA target encoder's
layer-normed features at the masked positions; L1; AdamW with warmup + cosine; EMA momentum rising to 1.

Stage 2 (AC predictor, upstream app/vjepa_droid/train.py in miniature): frozen encoder (the EMA target, as
upstream's context_encoder_key/target_encoder_key = target_encoder); every frame encoded alone (repeated
into a tubelet) and layer-normed; clips of C frames; teacher-forcing loss (predict z_{t+1} from z_{<=t},
a_{<=t}, s_{<=t}) + rollout loss (auto_steps = 2: feed its own prediction back), L1 on layer-normed reps.
"""

from __future__ import annotations

import copy
import logging
import time
from dataclasses import dataclass, field
from typing import Callable, Dict, List

import numpy as np
import torch

from . import _paths  # noqa: F401
from vjepa2_export.config import ModelConfig, TowerConfig  # noqa: E402

from vjepa2_export.init import init_weights  # noqa: E402

from .data import Dataset, to_tensor
from .evaluate import energy_report, frame_latents, multistep_report, probe_report
from .masks import make_generators
from .models import (InputNorm, identity_init, MaskPredictor, VisionTransformer, VisionTransformerPredictorAC, WarmupCosine,
                     ema_update, encode, fold_input_norm, gather_tokens, layer_norm,
                     momentum_schedule, param_groups)

log = logging.getLogger("vjepa2_train")


@dataclass
class Budget:
    """Fits a schedule into a wall-clock budget: iterations = usable seconds / measured seconds per step."""
    minutes: float
    reserve_s: float = 0.0        # time kept for evaluation after training
    min_iters: int = 10
    max_iters: int = 10 ** 9
    fixed_iters: int = 0          # > 0: ignore the clock (smoke runs, tests)

    def iterations(self, step_s: float) -> int:
        if self.fixed_iters > 0:
            return self.fixed_iters
        usable = max(0.0, self.minutes * 60.0 - self.reserve_s)
        return int(min(self.max_iters, max(self.min_iters, usable / max(step_s, 1e-6))))

    def reestimate(self, planned: int, done: int, elapsed_s: float, spent_before_s: float) -> int:
        """New total after `done` iterations took `elapsed_s` (the step time drifts on a shared CPU): the
        remaining usable time at the observed rate (`done` once the budget is spent). The schedules follow the
        progress done/total, so the cosine still ends at final_lr when the budget ends."""
        if self.fixed_iters > 0 or done == 0:
            return planned
        left = self.minutes * 60.0 - self.reserve_s - spent_before_s - elapsed_s
        rate = elapsed_s / done
        return int(min(self.max_iters, done + max(0.0, left) / max(rate, 1e-6)))  # == done: stop now


def _time_steps(step_fn: Callable[[], float], n: int) -> float:
    """Seconds per step of `step_fn`, the first (warm-up) call not counted."""
    step_fn()
    t = time.time()
    for _ in range(n):
        step_fn()
    return (time.time() - t) / max(1, n)


# ----------------------------------------------------------------------------------------------------
# Stage 1
# ----------------------------------------------------------------------------------------------------
@dataclass
class EncoderHParams:
    batch_size: int = 32
    clip_tubelets: int = 2          # tubelets per clip (K)
    clip_mode: str = "repeat"       # repeat: K consecutive frames, each repeated into a tubelet (the encoder's
                                    # inference input); video: K*tubelet_size consecutive frames
    lr: float = 1e-3
    start_lr: float = 1e-4
    final_lr: float = 1e-5
    warmup_fraction: float = 0.08
    weight_decay: float = 0.04
    ema: tuple = (0.996, 1.0)
    pred_dim: int = 96
    pred_depth: int = 2
    pred_heads: int = 4
    masks: tuple = None             # None: upstream's two generators (8 x 0.15, 2 x 0.7; temporal 1.0)
    aux_state_weight: float = 0.0   # > 0 adds a state-regression term (NOT the upstream recipe; reported)
    log_every: int = 25


def _start_step(opt, hp, warmup: int, iters: int, it: int) -> float:
    """Sets the warmup + cosine learning rate of step `it` (of `iters`) and clears the gradients; returns the lr."""
    lr = WarmupCosine(hp.lr, hp.start_lr, hp.final_lr, warmup, iters)(it)
    for gr in opt.param_groups:
        gr["lr"] = lr
    opt.zero_grad(set_to_none=True)
    return lr


def _sample_clips(ds: Dataset, hp: EncoderHParams, tubelet: int, g: np.random.RandomState) -> torch.Tensor:
    """[B, 3, K*tubelet, H, W] normalised clips (and the states of the first frame of each clip)."""
    B, K = hp.batch_size, hp.clip_tubelets
    E, T = ds.frames.shape[:2]
    e = g.randint(0, E, B)
    if hp.clip_mode == "repeat":
        t = g.randint(0, T - K + 1, B)
        idx = t[:, None] + np.arange(K)[None]
        fr = ds.frames[e[:, None], idx]                       # [B, K, H, W, 3]
        x = to_tensor(fr)                                      # [B, K, 3, H, W]
        x = x.repeat_interleave(tubelet, dim=1)               # [B, K*ts, 3, H, W]
    elif hp.clip_mode == "video":
        n = K * tubelet
        t = g.randint(0, T - n + 1, B)
        idx = t[:, None] + np.arange(n)[None]
        x = to_tensor(ds.frames[e[:, None], idx])             # [B, K*ts, 3, H, W]
    else:
        raise ValueError(f"clip_mode must be repeat or video, got {hp.clip_mode!r}")
    states = torch.from_numpy(ds.states[e, t])                 # [B, 7]
    return x.permute(0, 2, 1, 3, 4).contiguous(), states      # [B, 3, K*ts, H, W]


def train_encoder(cfg: ModelConfig, train: Dataset, val: Dataset, hp: EncoderHParams, budget: Budget,
                  seed: int, state_mean: torch.Tensor, state_std: torch.Tensor) -> Dict:
    t_stage = time.time()
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed)
    gen = torch.Generator().manual_seed(seed)
    K, ts = hp.clip_tubelets, cfg.tubelet_size
    gh, gw = cfg.grid
    encoder = VisionTransformer(cfg, max_tubelets=K)
    pred_tower = TowerConfig(embed_dim=hp.pred_dim, depth=hp.pred_depth, num_heads=hp.pred_heads)
    predictor = MaskPredictor(cfg.encoder.embed_dim, pred_tower, K, gh, gw)
    init_weights([encoder, predictor], [encoder.blocks, predictor.predictor_blocks])
    target = copy.deepcopy(encoder)
    for p in target.parameters():
        p.requires_grad_(False)
    aux = None
    if hp.aux_state_weight > 0:
        aux = torch.nn.Linear(cfg.tokens_per_frame * cfg.encoder.embed_dim, 4)
        torch.nn.init.zeros_(aux.weight)
        torch.nn.init.zeros_(aux.bias)
    gens = make_generators(K, gh, gw, hp.masks) if hp.masks else make_generators(K, gh, gw)
    smean = torch.cat([state_mean[:3], state_mean[6:7]])
    sstd = torch.cat([state_std[:3], state_std[6:7]]).clamp(min=1e-3)

    def loss_fn(enc, pred, tgt_enc, aux_head):
        clips, states = _sample_clips(train, hp, ts, rng)
        with torch.no_grad():
            h = layer_norm(encode(tgt_enc, clips))                     # [B, L, D]
        losses = []
        for mg in gens:
            ctx_idx, tgt_idx = mg(clips.shape[0], gen)
            z = encode(enc, clips, ctx_idx)                            # [B, n_ctx, D]
            p = pred(z, ctx_idx, tgt_idx)                              # [B, n_tgt, D]
            losses.append((p - gather_tokens(h, tgt_idx)).abs().mean())
        jepa = sum(losses) / len(losses)
        out = {"jepa": jepa}
        total = jepa
        if aux_head is not None:
            # first frame of each clip, alone (the inference input); layer-normed tokens flattened -> state
            first = clips[:, :, :ts]
            zf = layer_norm(encode(enc, first)).flatten(1)
            y = (torch.cat([states[:, :3], states[:, 6:7]], 1) - smean) / sstd
            a = (aux_head(zf) - y).pow(2).mean()
            out["aux"] = a
            total = total + hp.aux_state_weight * a
        out["total"] = total
        out["target_std"] = h.std(0).mean()                            # collapse indicator (-> 0 if collapsed)
        return out

    modules = [encoder, predictor] + ([aux] if aux is not None else [])

    def make_opt(mods):
        return torch.optim.AdamW(param_groups(mods, hp.weight_decay), lr=hp.start_lr, betas=(0.9, 0.999), eps=1e-8)

    # measure the step time on throw-away copies
    enc_c, pred_c, aux_c = copy.deepcopy(encoder), copy.deepcopy(predictor), copy.deepcopy(aux)
    opt_c = make_opt([enc_c, pred_c] + ([aux_c] if aux_c is not None else []))

    def timing_step():
        opt_c.zero_grad(set_to_none=True)
        loss_fn(enc_c, pred_c, target, aux_c)["total"].backward()
        opt_c.step()
        ema_update(target, enc_c, 1.0)  # momentum 1: no change, but the cost is counted
    step_s = _time_steps(timing_step, 3)
    del enc_c, pred_c, aux_c, opt_c
    iters = budget.iterations(step_s)
    log.info("stage encoder: %.3f s/step (batch %d, %d tokens per clip) -> %d iterations", step_s, hp.batch_size,
             K * cfg.tokens_per_frame, iters)

    # baseline probe with the random-init encoder (what an untrained tokeniser already gives)
    probe0 = _probe(target, cfg, train, val, seed)
    log.info("probe (random init): flattened R2 %.3f (%.2f cm), mean-pooled R2 %.3f", probe0["flattened"]["r2_xyz_mean"],
             probe0["flattened"]["xyz_error_cm_mean"], probe0["mean_pooled"]["r2_xyz_mean"])

    opt = make_opt(modules)
    warmup = int(hp.warmup_fraction * iters)
    planned = iters
    curve: List[Dict] = []
    acc = {}
    t0 = time.time()
    spent = t0 - t_stage
    it = 0
    while it < iters:
        lr = _start_step(opt, hp, warmup, iters, it)
        out = loss_fn(encoder, predictor, target, aux)
        out["total"].backward()
        opt.step()
        m = momentum_schedule(hp.ema[0], hp.ema[1], iters)(it)
        ema_update(target, encoder, m)
        for k, v in out.items():
            acc.setdefault(k, []).append(float(v))
        if (it + 1) % hp.log_every == 0 or it + 1 == iters:
            row = {"iter": it + 1, "lr": round(lr, 7), "ema": round(m, 6), "elapsed_s": round(time.time() - t0, 1)}
            row.update({k: round(float(np.mean(v)), 5) for k, v in acc.items()})
            acc = {}
            curve.append(row)
            eta = (time.time() - t0) / (it + 1) * (iters - it - 1)
            log.info("encoder it %d/%d loss %.4f%s tgt_std %.3f lr %.2e ema %.5f  %.0fs (eta %.0fs)", it + 1, iters,
                     row["jepa"], f" aux {row['aux']:.4f}" if "aux" in row else "", row["target_std"], lr, m,
                     row["elapsed_s"], eta)
            iters = budget.reestimate(iters, it + 1, time.time() - t0, spent)
        it += 1
    train_s = time.time() - t0
    probe = _probe(target, cfg, train, val, seed)
    log.info("probe (trained, EMA encoder): flattened R2 %.3f (%.2f cm), mean-pooled R2 %.3f, gripper R2 %.3f",
             probe["flattened"]["r2_xyz_mean"], probe["flattened"]["xyz_error_cm_mean"],
             probe["mean_pooled"]["r2_xyz_mean"], probe["flattened"]["r2_gripper"])
    return {
        "target_encoder": target, "context_encoder": encoder, "mask_predictor": predictor,
        "metrics": {
            "hparams": {k: (list(v) if isinstance(v, tuple) else v) for k, v in hp.__dict__.items()},
            "mask_generators": [g.__dict__ for g in gens],
            "auxiliary_loss": (f"state regression (linear head on flattened layer-normed tokens -> normalised "
                               f"x,y,z,gripper), weight {hp.aux_state_weight}") if aux is not None else None,
            "step_s": round(step_s, 4), "step_s_observed": round(train_s / max(1, iters), 4),
            "iterations_planned": planned, "iterations": iters, "train_s": round(train_s, 1),
            "curve": curve, "probe_random_init": probe0, "probe": probe,
        },
    }


def _probe(encoder, cfg, train: Dataset, val: Dataset, seed: int, frames_per_episode: int = 8) -> Dict:
    """Linear probe from the exported-encoder latents (encoder with max_tubelets=1 view) to x,y,z,gripper."""
    enc1 = VisionTransformer(cfg, max_tubelets=1)
    enc1.load_state_dict(encoder.state_dict())
    enc1.eval()
    rng = np.random.RandomState(seed + 7)

    def pick(ds):
        T = ds.frames.shape[1]
        t = np.stack([rng.choice(T, min(T, frames_per_episode), replace=False) for _ in range(ds.episodes)])
        e = np.repeat(np.arange(ds.episodes)[:, None], t.shape[1], 1)
        return frame_latents(enc1, cfg.tubelet_size, ds.frames[e, t]).flatten(0, 1), torch.from_numpy(ds.states[e, t]).flatten(0, 1)

    ztr, str_ = pick(train)
    zte, ste = pick(val)
    return probe_report(ztr, str_, zte, ste, seed=seed)


# ----------------------------------------------------------------------------------------------------
# Stage 2
# ----------------------------------------------------------------------------------------------------
@dataclass
class PredictorHParams:
    batch_size: int = 32
    clip_frames: int = 4            # C frames per clip: C-1 context steps, teacher forcing over all of them
    auto_steps: int = 2             # upstream droid config: rollout of 2 steps
    lr: float = 5e-4
    start_lr: float = 5e-5
    final_lr: float = 1e-5
    warmup_fraction: float = 0.05
    weight_decay: float = 0.04
    log_every: int = 25
    eval_transitions: int = 48
    identity_init: bool = True      # start as "next frame = this frame" (see models.identity_init)
    maxnorm: float = 0.075


def train_predictor(cfg: ModelConfig, encoder: VisionTransformer, train: Dataset, val: Dataset,
                    hp: PredictorHParams, budget: Budget, seed: int) -> Dict:
    t_stage = time.time()
    torch.manual_seed(seed)
    rng = np.random.RandomState(seed + 1)
    if hp.clip_frames - 1 > cfg.max_context_frames or hp.clip_frames < 2:
        raise ValueError(f"clip_frames {hp.clip_frames}: need 2 <= clip_frames <= max_context_frames + 1 = "
                         f"{cfg.max_context_frames + 1} (num_frames / tubelet_size + 1)")
    if hp.clip_frames > train.steps:
        raise ValueError(f"clip_frames {hp.clip_frames} exceeds the episode length {train.steps}")
    enc1 = VisionTransformer(cfg, max_tubelets=1)
    enc1.load_state_dict(encoder.state_dict())
    enc1.eval()
    t0 = time.time()
    z_tr = frame_latents(enc1, cfg.tubelet_size, train.frames)   # [E, T, N, D]
    z_va = frame_latents(enc1, cfg.tubelet_size, val.frames)
    enc_s = time.time() - t0
    log.info("stage predictor: encoded %d frames in %.1fs (%.1f MB of latents)", z_tr.shape[0] * z_tr.shape[1] +
             z_va.shape[0] * z_va.shape[1], enc_s, (z_tr.numel() + z_va.numel()) * 4 / 2 ** 20)
    s_tr, a_tr = torch.from_numpy(train.states), torch.from_numpy(train.actions)
    s_va, a_va = torch.from_numpy(val.states), torch.from_numpy(val.actions)
    anorm = InputNorm(a_tr.reshape(-1, 7).mean(0), a_tr.reshape(-1, 7).std(0))
    snorm = InputNorm(s_tr.reshape(-1, 7).mean(0), s_tr.reshape(-1, 7).std(0))
    predictor = VisionTransformerPredictorAC(cfg)
    init_weights([predictor], [predictor.predictor_blocks])
    identity = hp.identity_init and identity_init(predictor)
    if hp.identity_init and not identity:
        log.info("identity init skipped: predictor.embed_dim < encoder.embed_dim")
    N = cfg.tokens_per_frame
    C = hp.clip_frames
    auto = min(hp.auto_steps, C - 1)

    def sample(z, s, a, B, g):
        E, T = z.shape[:2]
        e = torch.from_numpy(g.randint(0, E, B))
        t = torch.from_numpy(g.randint(0, T - C + 1, B))
        idx = t[:, None] + torch.arange(C)[None]
        return z[e[:, None], idx], s[e[:, None], idx], a[e[:, None], idx[:, :-1]]  # [B,C,N,D] [B,C,7] [B,C-1,7]

    def losses(pred, zc, sc, ac, normalised=True):
        """upstream forward_predictions + loss_fn (loss_exp 1)."""
        an, sn = (anorm(ac), snorm(sc)) if normalised else (ac, sc)
        h = zc.flatten(1, 2)                                             # [B, C*N, D]
        step = lambda _z, _a, _s: layer_norm(pred(_z, _a, _s))         # noqa: E731
        z_tf = step(h[:, :-N], an, sn[:, :-1])                           # [B, (C-1)*N, D]
        _z = torch.cat([h[:, :N], z_tf[:, :N]], 1)
        for n in range(1, auto):
            nxt = step(_z, an[:, :n + 1], sn[:, :n + 1])[:, -N:]
            _z = torch.cat([_z, nxt], 1)
        z_ar = _z[:, N:]
        jloss = (z_tf - h[:, N:N + z_tf.shape[1]]).abs().mean()
        sloss = (z_ar - h[:, N:N + z_ar.shape[1]]).abs().mean()
        return jloss, sloss

    def make_opt(p):
        return torch.optim.AdamW(param_groups([p], hp.weight_decay), lr=hp.start_lr)

    pc = copy.deepcopy(predictor)
    oc = make_opt(pc)

    def timing_step():
        oc.zero_grad(set_to_none=True)
        j, s_ = losses(pc, *sample(z_tr, s_tr, a_tr, hp.batch_size, rng))
        (j + s_).backward()
        oc.step()
    step_s = _time_steps(timing_step, 3)
    del pc, oc
    iters = budget.iterations(step_s)
    log.info("stage predictor: %.3f s/step (batch %d, %d frames per clip, %d tokens) -> %d iterations", step_s,
             hp.batch_size, C, (C - 1) * (N + 2), iters)

    vg = np.random.RandomState(seed + 2)
    val_batch = sample(z_va, s_va, a_va, 128, vg)

    def val_losses():
        predictor.eval()
        with torch.no_grad():
            j, s_ = losses(predictor, *val_batch)
        predictor.train()
        return float(j), float(s_)

    opt = make_opt(predictor)
    warmup = int(hp.warmup_fraction * iters)
    planned = iters
    curve, acc = [], {"jloss": [], "sloss": []}
    t0 = time.time()
    spent = t0 - t_stage
    eval_every = max(hp.log_every, (iters // 10) // hp.log_every * hp.log_every)
    it = 0
    while it < iters:
        lr = _start_step(opt, hp, warmup, iters, it)
        j, s_ = losses(predictor, *sample(z_tr, s_tr, a_tr, hp.batch_size, rng))
        (j + s_).backward()
        opt.step()
        acc["jloss"].append(float(j))
        acc["sloss"].append(float(s_))
        if (it + 1) % hp.log_every == 0 or it + 1 == iters:
            row = {"iter": it + 1, "lr": round(lr, 7), "elapsed_s": round(time.time() - t0, 1),
                   "jloss": round(float(np.mean(acc["jloss"])), 5), "sloss": round(float(np.mean(acc["sloss"])), 5)}
            acc = {"jloss": [], "sloss": []}
            if (it + 1) % eval_every == 0 or it + 1 == iters:
                row["val_jloss"], row["val_sloss"] = (round(v, 5) for v in val_losses())
            curve.append(row)
            eta = (time.time() - t0) / (it + 1) * (iters - it - 1)
            log.info("predictor it %d/%d jloss %.4f sloss %.4f%s lr %.2e  %.0fs (eta %.0fs)", it + 1, iters, row["jloss"],
                     row["sloss"], f" | val {row['val_jloss']:.4f} {row['val_sloss']:.4f}" if "val_jloss" in row else "",
                     lr, row["elapsed_s"], eta)
            iters = budget.reestimate(iters, it + 1, time.time() - t0, spent)
        it += 1
    train_s = time.time() - t0
    # fold the input normalisation: the saved predictor takes raw actions/states (exporter/runtime contract)
    fold_input_norm(predictor.action_encoder, anorm)
    fold_input_norm(predictor.state_encoder, snorm)
    predictor.eval()
    with torch.no_grad():
        vj, vs = losses(predictor, *val_batch, normalised=False)
        copy_l1 = float((val_batch[0][:, 1:] - val_batch[0][:, :-1]).abs().mean())
    t1 = time.time()
    energy = energy_report(predictor, z_va, s_va, a_va, n_transitions=hp.eval_transitions, n_random=16,
                           maxnorm=hp.maxnorm, seed=seed)
    multi = multistep_report(predictor, z_va, s_va, a_va, k=3, n_transitions=max(2, hp.eval_transitions // 2),
                             maxnorm=hp.maxnorm, seed=seed + 1)
    log.info("energy (held-out): true action beats random xyz %.1f%% (full %.1f%%); best of %d-grid %.2f cm from the true "
             "action (grid floor %.2f cm, zero action %.2f cm); eval %.0fs", 100 * energy["rank_acc_xyz"],
             100 * energy["rank_acc_full"], energy["grid_points_per_axis"] ** 3, energy["grid_best_error_cm_mean"],
             energy["grid_floor_error_cm_mean"], energy["zero_action_error_cm_mean"], time.time() - t1)
    if multi:
        log.info("goal %d steps ahead: best one-step action cosine to the goal direction %.3f, moves closer %.0f%%",
                 multi["k"], multi["cosine_best_vs_goal_direction_mean"], 100 * multi["fraction_best_action_moves_closer"])
    return {
        "predictor": predictor,
        "metrics": {
            "hparams": dict(hp.__dict__), "auto_steps": auto, "encode_s": round(enc_s, 1), "step_s": round(step_s, 4),
            "step_s_observed": round(train_s / max(1, iters), 4), "iterations_planned": planned, "iterations": iters, "train_s": round(train_s, 1), "curve": curve,
            "action_norm": {"mean": anorm.mean.tolist(), "std": anorm.std.tolist()},
            "state_norm": {"mean": snorm.mean.tolist(), "std": snorm.std.tolist()},
            "val": {"jloss": round(float(vj), 5), "sloss": round(float(vs), 5), "copy_last_frame_l1": round(copy_l1, 5)},
            "energy": energy, "energy_goal_k_steps": multi,
        },
    }
