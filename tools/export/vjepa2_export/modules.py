"""Inference-only re-implementation of the V-JEPA 2 encoder and the V-JEPA 2-AC predictor.

Parameter names mirror upstream (src/models/vision_transformer.py, src/models/ac_predictor.py,
src/models/utils/modules.py) so upstream state dicts load strictly once the `module.` / `backbone.`
prefixes are stripped.  Written to trace cleanly to ONNX with dynamic batch and dynamic frame count.
"""

from __future__ import annotations

import math

import torch
import torch.nn as nn
import torch.nn.functional as F

from .config import ModelConfig, TowerConfig


# ----------------------------------------------------------------------------------------------------
# RoPE
# ----------------------------------------------------------------------------------------------------
def rope_segment_dim(head_dim: int) -> int:
    """Size of each of the depth/height/width segments of a head (upstream: 2 * ((head_dim // 3) // 2))."""
    return int(2 * ((head_dim // 3) // 2))


def rope_angles(pos: torch.Tensor, dim: int):
    """cos/sin tables [..., dim] for one rotated segment, exactly as upstream rotate_queries_or_keys.

    Upstream quirk reproduced on purpose: the D/2 frequencies are *tiled* ([f0..f(D/2-1), f0..f(D/2-1)])
    with `repeat`, while the rotation pairs are adjacent elements (2i, 2i+1).  So element j uses
    frequency j mod D/2 and the two halves of a pair may rotate with different frequencies (not a true
    rotation).  The pretrained weights depend on it (upstream PR #15 left the fix commented out).
    """
    omega = torch.arange(dim // 2, dtype=torch.float32)
    omega /= dim / 2.0
    omega = 1.0 / 10000 ** omega
    freq = pos.to(torch.float32)[:, None] * omega[None, :]  # [N, dim/2]
    return freq.cos().repeat(1, 2), freq.sin().repeat(1, 2)


def rope_tables(d_pos, h_pos, w_pos, head_dim: int):
    """[N, head_dim] cos/sin for per-token (depth, height, width) positions; dims beyond the three
    segments are left unrotated (cos 1, sin 0 -> x*1 + y*0 == x exactly)."""
    s = rope_segment_dim(head_dim)
    n = d_pos.shape[0]
    cos = torch.ones(n, head_dim, dtype=torch.float32)
    sin = torch.zeros(n, head_dim, dtype=torch.float32)
    for i, pos in enumerate((d_pos, h_pos, w_pos)):
        c, si = rope_angles(pos, s)
        cos[:, i * s:(i + 1) * s] = c
        sin[:, i * s:(i + 1) * s] = si
    return cos, sin


def rotate_pairs(x: torch.Tensor) -> torch.Tensor:
    """(x0, x1, x2, x3, ...) -> (-x1, x0, -x3, x2, ...) along the last dim."""
    hd = x.shape[-1]
    y = x.reshape(tuple(x.shape[:-1]) + (hd // 2, 2))
    y1, y2 = y.unbind(-1)
    return torch.stack((-y2, y1), dim=-1).flatten(-2)


def apply_rope(x, cos, sin):
    return x * cos + rotate_pairs(x) * sin


# ----------------------------------------------------------------------------------------------------
# Blocks
# ----------------------------------------------------------------------------------------------------
class MLP(nn.Module):
    def __init__(self, dim, hidden):
        super().__init__()
        self.fc1 = nn.Linear(dim, hidden)
        self.act = nn.GELU()
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class SwiGLUFFN(nn.Module):
    def __init__(self, dim, hidden, wide_silu=True):
        super().__init__()
        if wide_silu:
            hidden = int(2 * hidden / 3)
            hidden = (hidden + 7) // 8 * 8
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(dim, hidden)
        self.fc3 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc3(F.silu(self.fc1(x)) * self.fc2(x))


class RoPEAttention(nn.Module):
    """Multi-head self-attention with (precomputed, per-token) 3D RoPE and an optional boolean mask."""

    def __init__(self, dim, num_heads, qkv_bias=True):
        super().__init__()
        self.num_heads = num_heads
        self.head_dim = dim // num_heads
        self.scale = self.head_dim ** -0.5
        self.qkv = nn.Linear(dim, dim * 3, bias=qkv_bias)
        self.proj = nn.Linear(dim, dim)

    def forward(self, x, cos, sin, blocked=None):
        return self._attention(x, cos, sin, blocked, None)[0]

    def forward_cached(self, x, cos, sin, past=None):
        """x's tokens attend, unmasked, to the rotated keys/values `past` ([B, h, L, hd] each, or None) and to
        themselves.  Returns the output and the keys/values with x's appended (the next call's `past`)."""
        return self._attention(x, cos, sin, None, past)

    def _attention(self, x, cos, sin, blocked, past):
        B, N, C = x.shape
        qkv = self.qkv(x).reshape(B, N, 3, self.num_heads, self.head_dim).permute(2, 0, 3, 1, 4)
        q, k, v = qkv[0], qkv[1], qkv[2]  # [B, h, N, hd]
        q = apply_rope(q, cos, sin)
        k = apply_rope(k, cos, sin)
        if past is not None:
            k, v = torch.cat([past[0], k], dim=2), torch.cat([past[1], v], dim=2)
        attn = torch.matmul(q, k.transpose(-2, -1)) * self.scale
        if blocked is not None:  # True = may not attend (upstream passes the complement to SDPA)
            attn = attn.masked_fill(blocked, float("-inf"))
        attn = attn.softmax(dim=-1)
        x = torch.matmul(attn, v).transpose(1, 2).reshape(B, N, C)
        return self.proj(x), (k, v)


class Block(nn.Module):
    def __init__(self, t: TowerConfig):
        super().__init__()
        dim = t.embed_dim
        self.norm1 = nn.LayerNorm(dim, eps=t.norm_eps)
        self.attn = RoPEAttention(dim, t.num_heads, qkv_bias=t.qkv_bias)
        self.norm2 = nn.LayerNorm(dim, eps=t.norm_eps)
        hidden = int(dim * t.mlp_ratio)
        self.mlp = SwiGLUFFN(dim, hidden, t.wide_silu) if t.use_silu else MLP(dim, hidden)

    def forward(self, x, cos, sin, blocked=None):
        x = x + self.attn(self.norm1(x), cos, sin, blocked)
        return x + self.mlp(self.norm2(x))

    def forward_cached(self, x, cos, sin, past=None):
        """forward for tokens that see every token in `past` and each other; returns (x, keys/values)."""
        h, kv = self.attn.forward_cached(self.norm1(x), cos, sin, past)
        x = x + h
        return x + self.mlp(self.norm2(x)), kv


class PatchEmbed3D(nn.Module):
    def __init__(self, patch_size, tubelet_size, in_chans, embed_dim):
        super().__init__()
        self.proj = nn.Conv3d(in_chans, embed_dim, kernel_size=(tubelet_size, patch_size, patch_size),
                              stride=(tubelet_size, patch_size, patch_size))

    def forward(self, x):
        return self.proj(x).flatten(2).transpose(1, 2)


def _grid_positions(num_frames: int, gh: int, gw: int):
    ids = torch.arange(num_frames * gh * gw)
    d = ids // (gh * gw)
    r = ids - d * gh * gw
    return d, r // gw, r % gw


# ----------------------------------------------------------------------------------------------------
# Encoder
# ----------------------------------------------------------------------------------------------------
class VisionTransformer(nn.Module):
    """V-JEPA 2 video ViT with RoPE (use_rope=True, so no pos_embed), for a fixed image size.
    Input [B, 3, T, H, W] with T a multiple of tubelet_size; output [B, (T/ts)*h*w, D] after `norm`."""

    def __init__(self, cfg: ModelConfig, max_tubelets: int = 1):
        super().__init__()
        t = cfg.encoder
        self.embed_dim = t.embed_dim
        self.patch_embed = PatchEmbed3D(cfg.patch_size, cfg.tubelet_size, 3, t.embed_dim)
        self.blocks = nn.ModuleList([Block(t) for _ in range(t.depth)])
        self.norm = nn.LayerNorm(t.embed_dim, eps=t.norm_eps)
        gh, gw = cfg.grid
        d, h, w = _grid_positions(max_tubelets, gh, gw)
        cos, sin = rope_tables(d, h, w, t.embed_dim // t.num_heads)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)

    def forward(self, x):
        x = self.patch_embed(x)
        n = x.shape[1]
        cos, sin = self.rope_cos[:n], self.rope_sin[:n]
        for blk in self.blocks:
            x = blk(x, cos, sin)
        return self.norm(x)


# ----------------------------------------------------------------------------------------------------
# Action-conditioned predictor
# ----------------------------------------------------------------------------------------------------
class VisionTransformerPredictorAC(nn.Module):
    """Per frame the sequence is [action, state, h*w patches]; block-causal attention over frames.

    ACRoPEAttention equivalence: upstream rotates the patch tokens with 3D RoPE (depth = frame index,
    height, width; the `*= grid_size / H` snap is 1.0 since grid_size == grid_height) and the action/state
    tokens only on the depth segment with position = frame index, leaving the rest unrotated.  We compute
    qkv for the interleaved sequence at once and give action/state tokens height = width = 0, whose
    rotation is the exact identity - same numbers, one code path, and the sequence order is upstream's.
    """

    cond_tokens = 2

    def __init__(self, cfg: ModelConfig):
        super().__init__()
        t = cfg.predictor
        D, P = cfg.encoder.embed_dim, t.embed_dim
        self.predictor_embed = nn.Linear(D, P)
        self.action_encoder = nn.Linear(cfg.action_dim, P)
        self.state_encoder = nn.Linear(cfg.action_dim, P)
        self.predictor_blocks = nn.ModuleList([Block(t) for _ in range(t.depth)])
        self.predictor_norm = nn.LayerNorm(P, eps=t.norm_eps)
        self.predictor_proj = nn.Linear(P, D)
        gh, gw = cfg.grid
        self.hw = gh * gw
        self.nt = self.hw + self.cond_tokens
        self.max_frames = cfg.max_context_frames
        L = self.max_frames * self.nt
        ids = torch.arange(L)
        f = ids // self.nt
        r = ids - f * self.nt
        p = (r - self.cond_tokens).clamp(min=0)
        is_patch = r >= self.cond_tokens
        h = torch.where(is_patch, p // gw, torch.zeros_like(p))
        w = torch.where(is_patch, p % gw, torch.zeros_like(p))
        cos, sin = rope_tables(f, h, w, P // t.num_heads)
        self.register_buffer("rope_cos", cos, persistent=False)
        self.register_buffer("rope_sin", sin, persistent=False)
        self.register_buffer("frame_index", f, persistent=False)

    def _blocks(self, x, actions, states):
        B = x.shape[0]
        P = self.predictor_embed.out_features
        x = self.predictor_embed(x).reshape(B, -1, self.hw, P)  # [B, T, HW, P]
        a = self.action_encoder(actions).unsqueeze(2)
        s = self.state_encoder(states).unsqueeze(2)
        x = torch.cat([a, s, x], dim=2).flatten(1, 2)  # [B, T*(2+HW), P]
        L = x.shape[1]
        cos, sin = self.rope_cos[:L], self.rope_sin[:L]
        fi = self.frame_index[:L]
        blocked = fi.unsqueeze(1) < fi.unsqueeze(0)  # block-causal over frames: no attending to later frames
        for blk in self.predictor_blocks:
            x = blk(x, cos, sin, blocked)
        return x.reshape(B, -1, self.nt, P)[:, :, self.cond_tokens:, :]  # [B, T, HW, P]

    def forward(self, x, actions, states):
        """Upstream forward: predictions for every frame [B, T*HW, D]."""
        x = self._blocks(x, actions, states).flatten(1, 2)
        return self.predictor_proj(self.predictor_norm(x))

    def forward_last(self, x, actions, states):
        """Prediction for the last frame only [B, HW, D] (norm/proj are per token, so identical)."""
        x = self._blocks(x, actions, states)[:, -1]
        return self.predictor_proj(self.predictor_norm(x))

    def forward_frame(self, frame, action, state, index: int, past=None):
        """forward_last for one more frame without recomputing the earlier ones.

        The mask is block-causal, so the tokens of frames < `index` are the same whatever follows them; only
        their keys/values per block matter to frame `index`.  `past` holds those (None for frame 0, else the
        second result of the call for frame index - 1).  frame [B, HW, D], action/state [B, A] are frame
        `index`'s; its [action, state, patches] tokens get the RoPE positions they have in `_blocks` and attend
        to every past token and to each other (frame `index` is the last, so no mask).  Returns the
        prediction [B, HW, D] (== forward_last over frames 0..index) and the keys/values up to frame `index`."""
        a = self.action_encoder(action).unsqueeze(1)
        s = self.state_encoder(state).unsqueeze(1)
        x = torch.cat([a, s, self.predictor_embed(frame)], dim=1)  # [B, 2+HW, P]
        lo, hi = index * self.nt, (index + 1) * self.nt
        cos, sin = self.rope_cos[lo:hi], self.rope_sin[lo:hi]
        kvs = []
        for i, blk in enumerate(self.predictor_blocks):
            x, kv = blk.forward_cached(x, cos, sin, None if past is None else past[i])
            kvs.append(kv)
        return self.predictor_proj(self.predictor_norm(x[:, self.cond_tokens:])), kvs


# ----------------------------------------------------------------------------------------------------
# Pose propagation (upstream notebooks/utils/mpc_utils.compute_new_pose, in torch ops)
# ----------------------------------------------------------------------------------------------------
def _atan2(y, x):
    """atan2 from Atan/Where (torch 1.13 has no ONNX symbolic for atan2); accurate in all octants."""
    ax, ay = x.abs(), y.abs()
    swap = ay > ax
    num = torch.where(swap, x, y)
    den = torch.where(swap, y, x)
    den = torch.where(den == 0, torch.ones_like(den), den)
    r = torch.atan(num / den)
    half_pi = math.pi / 2
    sign_y = torch.where(y < 0, -torch.ones_like(y), torch.ones_like(y))
    # |y| > |x|: atan2 = sign(y)*pi/2 - atan(x/y)
    r = torch.where(swap, sign_y * half_pi - r, r)
    # |y| <= |x|, x < 0: add/subtract pi
    r = torch.where((~swap) & (x < 0), r + sign_y * math.pi, r)
    return r


def euler_xyz_to_matrix(e):
    """scipy Rotation.from_euler('xyz', e) (extrinsic x, then y, then z): R = Rz(c) Ry(b) Rx(a). [...,3,3]"""
    a, b, c = e.unbind(-1)
    ca, sa, cb, sb, cc, sc = a.cos(), a.sin(), b.cos(), b.sin(), c.cos(), c.sin()
    r0 = torch.stack([cc * cb, cc * sb * sa - sc * ca, cc * sb * ca + sc * sa], -1)
    r1 = torch.stack([sc * cb, sc * sb * sa + cc * ca, sc * sb * ca - cc * sa], -1)
    r2 = torch.stack([-sb, cb * sa, cb * ca], -1)
    return torch.stack([r0, r1, r2], -2)


GIMBAL_EPS = 1e-6


def matrix_to_euler_xyz(m):
    """scipy as_euler('xyz') in the regular case: b = asin(-R20), a = atan2(R21, R22), c = atan2(R10, R00).
    Gimbal lock (cos b < 1e-6, i.e. b = +-pi/2): like scipy, the third angle c is set to 0 and
    a = atan2(R01, R02) (b = +pi/2) or atan2(-R01, -R02) (b = -pi/2).  scipy also warns there and uses a
    different threshold (1e-7 in its own formulation), so angles within ~1e-6 of the lock may differ."""
    r00, r01, r02 = m[..., 0, 0], m[..., 0, 1], m[..., 0, 2]
    r10, r20, r21, r22 = m[..., 1, 0], m[..., 2, 0], m[..., 2, 1], m[..., 2, 2]
    b = torch.asin(torch.clamp(-r20, -1.0, 1.0))
    a = _atan2(r21, r22)
    c = _atan2(r10, r00)
    cb = torch.sqrt(r00 * r00 + r10 * r10)
    lock = cb < GIMBAL_EPS
    sgn = torch.where(r20 <= 0, torch.ones_like(r20), -torch.ones_like(r20))
    a_lock = _atan2(sgn * r01, sgn * r02)
    a = torch.where(lock, a_lock, a)
    c = torch.where(lock, torch.zeros_like(c), c)
    return torch.stack([a, b, c], -1)


def compute_new_pose(pose, action):
    """pose, action [..., 7] (xyz, extrinsic-xyz Euler, gripper) -> new pose [..., 7]."""
    xyz = pose[..., :3] + action[..., :3]
    rot = torch.matmul(euler_xyz_to_matrix(action[..., 3:6]), euler_xyz_to_matrix(pose[..., 3:6]))
    ang = matrix_to_euler_xyz(rot)
    grip = torch.clamp(pose[..., 6:7] + action[..., 6:7], 0.0, 1.0)
    return torch.cat([xyz, ang, grip], -1)
