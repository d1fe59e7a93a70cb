"""The BitNet b1.58 decoder, twice: a float reference path and the RTL's integer path.

Both run prefill (L tokens at once) and decode (one token at a time against a KV cache). The
integer path is bit-exact with the RTL; its prefill and its token-by-token decode give identical
results (the online softmax consumes keys in blocks aligned to absolute positions).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from . import ops_int as oi
from .fixedpoint import IntArray, Q, as_i64
from .quant import FloatArray
from .weights import ModelWeights

# =========================================================================== float path


def rmsnorm_float(x: npt.ArrayLike, g: npt.ArrayLike, eps: float) -> FloatArray:
    x = np.asarray(x, dtype=np.float64)
    return x / np.sqrt(np.mean(x * x, axis=-1, keepdims=True) + eps) * np.asarray(g)


def rope_float(x: FloatArray, pos: npt.ArrayLike, head_dim: int, theta: float) -> FloatArray:
    """Rotate-half RoPE, x [..., L, head_dim]."""
    half = head_dim // 2
    inv_freq = theta ** (-(2.0 * np.arange(half)) / head_dim)
    ang = np.asarray(pos, dtype=np.float64)[:, None] * inv_freq[None, :]
    c, s = np.cos(ang), np.sin(ang)
    lo, hi = x[..., :half], x[..., half:]
    return np.concatenate([lo * c - hi * s, hi * c + lo * s], axis=-1)


def silu_float(x: FloatArray) -> FloatArray:
    return x / (1.0 + np.exp(-x))


def attention_float(q: FloatArray, q_pos: npt.ArrayLike, k: FloatArray, v: FloatArray) -> FloatArray:
    """Causal softmax(q k^T / sqrt(d)) v for one head; q [Lq, d], k/v [Lk, d]."""
    s = q @ k.T / np.sqrt(q.shape[-1])
    mask = np.arange(k.shape[0])[None, :] <= np.asarray(q_pos)[:, None]
    s = np.where(mask, s, -np.inf)
    p = np.exp(s - s.max(axis=1, keepdims=True))
    return (p / p.sum(axis=1, keepdims=True)) @ v


def split_heads(x: np.ndarray, n_heads: int) -> np.ndarray:
    """[L, H*dh] -> [H, L, dh]."""
    return x.reshape(x.shape[0], n_heads, -1).transpose(1, 0, 2)


def merge_heads(x: np.ndarray) -> np.ndarray:
    """[H, L, dh] -> [L, H*dh]."""
    return x.transpose(1, 0, 2).reshape(x.shape[1], -1)


@dataclass
class FloatModel:
    """Float reference: BitNet b1.58 with fake-quantised BitLinear inputs and ternary weights."""

    w: ModelWeights
    k_cache: list[list[FloatArray]] = field(default_factory=list)
    v_cache: list[list[FloatArray]] = field(default_factory=list)
    pos: int = 0
    trace: dict[str, list[FloatArray]] = field(default_factory=dict)

    def reset(self) -> None:
        self.k_cache = [[] for _ in self.w.layers]
        self.v_cache = [[] for _ in self.w.layers]
        self.pos = 0

    def forward(self, tokens: npt.ArrayLike) -> FloatArray:
        """Run the tokens at positions pos.. and return the final-norm hidden states [L, d]."""
        if not self.k_cache:
            self.reset()
        s = self.w.shape
        tokens = np.asarray(tokens)
        pos = np.arange(self.pos, self.pos + len(tokens))
        h = self.w.embed[tokens].astype(np.float64)
        for li, lw in enumerate(self.w.layers):
            a = rmsnorm_float(h, lw.gamma["input"], s.rms_eps)
            q = split_heads(lw.proj["q"].forward_float(a), s.n_heads)
            k = split_heads(lw.proj["k"].forward_float(a), s.n_heads)
            v = split_heads(lw.proj["v"].forward_float(a), s.n_heads)
            q = rope_float(q, pos, s.head_dim, s.rope_theta)
            k = rope_float(k, pos, s.head_dim, s.rope_theta)
            self.trace.setdefault(f"L{li}.qkv_absmax", []).append(
                np.array([np.abs(q).max(), np.abs(k).max(), np.abs(v).max()]))
            self.k_cache[li].append(k)
            self.v_cache[li].append(v)
            kc = np.concatenate(self.k_cache[li], axis=1)
            vc = np.concatenate(self.v_cache[li], axis=1)
            o = np.stack([attention_float(q[hh], pos, kc[hh], vc[hh]) for hh in range(s.n_heads)])
            o = rmsnorm_float(merge_heads(o), lw.gamma["attn_sub"], s.rms_eps)
            h = h + lw.proj["o"].forward_float(o)
            a = rmsnorm_float(h, lw.gamma["post"], s.rms_eps)
            f = silu_float(lw.proj["gate"].forward_float(a)) * lw.proj["up"].forward_float(a)
            f = rmsnorm_float(f, lw.gamma["ffn_sub"], s.rms_eps)
            h = h + lw.proj["down"].forward_float(f)
        self.pos += len(tokens)
        return rmsnorm_float(h, self.w.gamma_final, s.rms_eps)

    def logits(self, hidden: FloatArray) -> FloatArray:
        return hidden @ self.w.lm_head_float().T


# =========================================================================== integer path


@dataclass
class LayerTrace:
    """Intermediates of one integer layer for one call (the RTL tests compare against these)."""

    x_in: IntArray
    q8: IntArray
    k8: IntArray
    v8: IntArray
    attn: IntArray      # attention output, [L, d] Q.16 (heads concatenated)
    h_mid: IntArray     # after the attention residual
    h_out: IntArray     # after the FFN residual


@dataclass
class IntModel:
    """The RTL's arithmetic: Q.16 residual stream, int8 activations, ternary TLMM, int8 KV cache."""

    w: ModelWeights
    k_cache: IntArray | None = None   # [layers, heads, max_ctx, head_dim] int8
    v_cache: IntArray | None = None
    pos: int = 0
    traces: list[list[LayerTrace]] = field(default_factory=list)

    def reset(self) -> None:
        s = self.w.shape
        shp = (s.n_layers, s.n_heads, s.max_ctx, s.head_dim)
        self.k_cache = np.zeros(shp, dtype=np.int64)
        self.v_cache = np.zeros(shp, dtype=np.int64)
        self.pos = 0
        self.traces = []

    def bitlinear(self, y: IntArray, layer: int, name: str) -> IntArray:
        """Quantise the (normalised) input per token and run the ternary projection."""
        xq, amax = oi.act_quant_int(y)
        lin = self.w.layers[layer].proj[name]
        return oi.linear_int(xq, amax, lin.wq, lin.wmul, lin.wshift)

    def norm(self, x: IntArray, layer: int | None, name: str) -> IntArray:
        return oi.rmsnorm_int(x, self.w.gamma_int(layer, name), self.w.eps_int(x.shape[-1]))

    def layer(self, li: int, h: IntArray, pos: IntArray) -> tuple[IntArray, LayerTrace]:
        s = self.w.shape
        lw = self.w.layers[li]
        assert self.k_cache is not None and self.v_cache is not None
        a = self.norm(h, li, "input")
        cos_t, sin_t = self.w.rope()
        q = oi.rope_int(split_heads(self.bitlinear(a, li, "q"), s.n_heads), pos, cos_t, sin_t)
        k = oi.rope_int(split_heads(self.bitlinear(a, li, "k"), s.n_heads), pos, cos_t, sin_t)
        v = split_heads(self.bitlinear(a, li, "v"), s.n_heads)
        q8, k8, v8 = oi.requant_int8(q, lw.fq), oi.requant_int8(k, lw.fk), oi.requant_int8(v, lw.fv)
        self.k_cache[li, :, pos] = k8.transpose(1, 0, 2)
        self.v_cache[li, :, pos] = v8.transpose(1, 0, 2)
        lk = int(pos[-1]) + 1
        c_mul = self.w.c_mul(li)
        o = np.stack([oi.attention_int(q8[hh], pos, self.k_cache[li, hh, :lk],
                                       self.v_cache[li, hh, :lk], c_mul, lw.fv)
                      for hh in range(s.n_heads)])
        attn = merge_heads(o)
        h_mid = oi.residual_add_int(h, self.bitlinear(self.norm(attn, li, "attn_sub"), li, "o"))
        a = self.norm(h_mid, li, "post")
        f = oi.swiglu_int(self.bitlinear(a, li, "gate"), self.bitlinear(a, li, "up"))
        h_out = oi.residual_add_int(h_mid, self.bitlinear(self.norm(f, li, "ffn_sub"), li, "down"))
        return h_out, LayerTrace(h, merge_heads(q8), merge_heads(k8), merge_heads(v8), attn,
                                 h_mid, h_out)

    def forward(self, tokens: npt.ArrayLike) -> IntArray:
        """Run tokens at positions pos.. (prefill if several, a decode step if one).

        Returns the final-norm hidden states [L, d] in Q.16.
        """
        if self.k_cache is None:
            self.reset()
        tokens = np.asarray(tokens)
        if self.pos + len(tokens) > self.w.shape.max_ctx:
            raise ValueError(f"context {self.pos + len(tokens)} exceeds max_ctx "
                             f"{self.w.shape.max_ctx} of shape {self.w.shape.name!r}")
        pos = np.arange(self.pos, self.pos + len(tokens))
        h = self.w.embed_int(tokens)
        traces = []
        for li in range(self.w.shape.n_layers):
            h, tr = self.layer(li, h, pos)
            traces.append(tr)
        self.traces.append(traces)
        self.pos += len(tokens)
        return self.norm(h, None, "final")

    def logits(self, hidden: IntArray) -> IntArray:
        """Integer LM head on the host: hidden (Q.16) . E16^T, int64 exact."""
        e16, _ = self.w.lm_head_int()
        return as_i64(hidden) @ e16.T

    def logits_scale(self) -> float:
        """Real value of one logit LSB (for top-k sampling and reports)."""
        return 2.0 ** -(Q + self.w.lm_head_int()[1])


# =========================================================================== sampling / generation


def sample(logits: npt.ArrayLike, top_k: int = 1, rng: np.random.Generator | None = None,
           scale: float = 1.0) -> int:
    """Greedy (top_k == 1, lowest index wins ties) or top-k sampling over one logit row."""
    z = np.asarray(logits)
    if top_k < 1:
        raise ValueError(f"top_k must be >= 1, got {top_k}")
    if top_k == 1:
        return int(np.argmax(z))
    if rng is None:
        raise ValueError("top-k sampling needs an rng (numpy Generator)")
    idx = np.argsort(-z, kind="stable")[:top_k]
    zz = z[idx].astype(np.float64) * scale
    p = np.exp(zz - zz.max())
    return int(idx[rng.choice(len(idx), p=p / p.sum())])


def generate(model: IntModel | FloatModel, prompt: npt.ArrayLike, n_tokens: int, top_k: int = 1,
             seed: int = 0) -> list[int]:
    """Prefill the prompt, then decode n_tokens one at a time. Returns the generated tokens."""
    model.reset()
    rng = np.random.default_rng(seed)
    scale = model.logits_scale() if isinstance(model, IntModel) else 1.0
    hidden = model.forward(prompt)
    out: list[int] = []
    for _ in range(n_tokens):
        tok = sample(model.logits(hidden[-1]), top_k, rng, scale)
        out.append(tok)
        if len(out) < n_tokens:
            hidden = model.forward([tok])
    return out


# =========================================================================== calibration


def calibrate(w: ModelWeights, seed: int = 0, n_tokens: int = 64, margin: float = 1.25) -> None:
    """Choose the int8 exponents fq/fk/fv of every layer from the float path's magnitudes.

    F = floor(log2(127 / (margin * max|x|))) clamped to [0, 16] over a seeded random prompt: the
    largest power-of-two scale that keeps the calibration data inside int8 with some headroom.
    """
    rng = np.random.default_rng(seed + 7919)
    n = min(n_tokens, w.shape.max_ctx)
    fm = FloatModel(w)
    fm.reset()
    fm.forward(rng.integers(0, w.shape.vocab, size=n))
    for li, lw in enumerate(w.layers):
        qa, ka, va = fm.trace[f"L{li}.qkv_absmax"][0]
        lw.fq, lw.fk, lw.fv = (int(np.clip(np.floor(np.log2(127.0 / (margin * max(a, 1e-9)))), 0, 16))
                               for a in (qa, ka, va))
