"""Integer operators: exactly what the RTL computes (contract: docs/numerics.md).

Shapes: a "row" is one token; functions accept ``[..., n]`` arrays and work per row.
Activation tensors are Q15.16 in int32 containers unless stated otherwise.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .fixedpoint import (
    EXP_SHIFT,
    P_FRAC,
    ROPE_FRAC,
    IntArray,
    Q,
    as_i64,
    check_bound,
    exp2_neg,
    rshift_round,
    rsqrt_norm,
    sat,
    sat32,
    sigmoid_q16,
)

NORM_OUT_BITS = 28      # RMSNorm output saturates to signed 28 bits (|y| < 2048.0)
GAMMA_SHIFT = 24        # y = (u * G) >> 24 with G = round(g * sqrt(d) * 2^16)
QUANT_RECIP_SHIFT = 32  # rq = floor(127 * 2^32 / amax)
SOFTMAX_BLOCK = 16      # online-softmax key block, aligned to absolute key positions
INV_L_SHIFT = 48        # inv_l = floor(2^48 / l)
M_INIT = -(1 << 40)     # running max before the first block (exp2 of the gap is exactly 0)


# --------------------------------------------------------------------------- RMSNorm
def rmsnorm_eps_int(d: int, eps: float) -> int:
    """eps folded into the sum of squares: round(eps * d * 2^16), at least 1."""
    return max(1, round(eps * d * (1 << Q)))


def rmsnorm_gamma_int(gamma: npt.ArrayLike) -> IntArray:
    """Per-channel gain with sqrt(d) folded in: G = round(g * sqrt(d) * 2^16), int32 saturated."""
    g = np.asarray(gamma, dtype=np.float64)
    return sat32(np.round(g * np.sqrt(g.shape[-1]) * (1 << Q)).astype(np.int64))


def rmsnorm_int(h: npt.ArrayLike, g_int: npt.ArrayLike, eps_int: int) -> IntArray:
    """y = h * g / sqrt(mean(h^2) + eps), all in integers.

    ssq = sum((h_i^2) >> 16)  (floor, int64)      V = ssq + eps_int
    1/sqrt(V) = y1 * 2^-15 * 2^(-e2/2)            (rsqrt_norm)
    u_i = round(h_i * y1 / 2^(e2/2 - 1))          (Q.16 of h_i/sqrt(V), <= 2^24)
    y_i = sat28(round(u_i * G_i / 2^24))
    """
    h = as_i64(h)
    g_int = as_i64(g_int)
    ssq = np.sum(np.right_shift(h * h, Q), axis=-1, keepdims=True)
    check_bound(ssq, 62, "rmsnorm sum of squares")
    y1, e2 = rsqrt_norm(ssq + eps_int)
    sh = e2 // 2 - 1
    hy = h * y1
    u = np.where(sh >= 0, rshift_round(hy, np.maximum(sh, 0)), np.left_shift(hy, np.maximum(-sh, 0)))
    check_bound(u, 25, "rmsnorm normalised value")
    return sat(rshift_round(u * g_int, GAMMA_SHIFT), NORM_OUT_BITS)


# --------------------------------------------------------------------------- quantizer
def act_quant_int(y: npt.ArrayLike) -> tuple[IntArray, IntArray]:
    """Per-token absmax int8 quantizer: (xq int8 values, amax per row [..., 1]).

    The input (an RMSNorm output, Q.16) is first saturated to signed 28 bits.
    amax = max|y|; rq = floor(127 * 2^32 / amax); xq = clamp(round(y * rq / 2^32), -128, 127).
    An all-zero row gives amax = 0, rq = 0 and xq = 0.
    """
    y = sat(y, NORM_OUT_BITS)
    amax = np.max(np.abs(y), axis=-1, keepdims=True)
    rq = np.where(amax > 0, (127 << QUANT_RECIP_SHIFT) // np.maximum(amax, 1), 0)
    xq = np.clip(rshift_round(y * rq, QUANT_RECIP_SHIFT), -128, 127)
    return xq, amax


# --------------------------------------------------------------------------- ternary linear (TLMM)
def ternary_matmul(xq: npt.ArrayLike, wq: npt.ArrayLike) -> IntArray:
    """acc[..., n] = sum_k xq[..., k] * wq[n, k] with wq in {-1, 0, 1}; exact int32 accumulation.

    The TLMM engine computes the same sum by table lookup (see tlmm.py); the result is identical.
    """
    acc = as_i64(xq) @ as_i64(wq).T
    check_bound(acc, 31, "TLMM accumulator")
    return acc


def dequant_int(acc: npt.ArrayLike, amax: npt.ArrayLike, wmul: int, wshift: int) -> IntArray:
    """Requantise the accumulator to Q.16: y = sat32(round(acc * amax * wmul / 2^wshift)).

    wmul * 2^-wshift = mean|W| / 127 (normalised, wmul in [2^14, 2^15)); amax is the per-token
    absmax of the quantizer input (Q.16). |acc| < 2^20, amax < 2^27, wmul < 2^15: product < 2^62.
    """
    acc = as_i64(acc)
    amax = as_i64(amax)
    check_bound(acc, 20, "dequant accumulator")
    return sat32(rshift_round(acc * amax * wmul, wshift))


def linear_int(xq: npt.ArrayLike, amax: npt.ArrayLike, wq: npt.ArrayLike, wmul: int,
               wshift: int) -> IntArray:
    return dequant_int(ternary_matmul(xq, wq), amax, wmul, wshift)


# --------------------------------------------------------------------------- element-wise
def residual_add_int(h: npt.ArrayLike, x: npt.ArrayLike) -> IntArray:
    return sat32(as_i64(h) + as_i64(x))


def silu_int(x: npt.ArrayLike) -> IntArray:
    """silu(x) = x * sigmoid(x) with the table sigmoid; Q.16 in, Q.16 out."""
    x = as_i64(x)
    return sat32(rshift_round(x * sigmoid_q16(x), 16))


def swiglu_int(gate: npt.ArrayLike, up: npt.ArrayLike) -> IntArray:
    """silu(gate) * up, Q.16 in, Q.16 out (int32 saturated)."""
    return sat32(rshift_round(silu_int(gate) * as_i64(up), Q))


def rope_int(x: npt.ArrayLike, pos: npt.ArrayLike, cos_t: IntArray, sin_t: IntArray) -> IntArray:
    """Rotate-half RoPE on one head, x [..., L, head_dim] Q.16, pos [L]; tables Q1.14.

    x'[i]     = round((x[i] * c - x[i+h] * s) / 2^14)
    x'[i + h] = round((x[i+h] * c + x[i] * s) / 2^14)     for i < h = head_dim / 2
    """
    x = as_i64(x)
    half = x.shape[-1] // 2
    c = cos_t[as_i64(pos)]
    s = sin_t[as_i64(pos)]
    lo, hi = x[..., :half], x[..., half:]
    out_lo = rshift_round(lo * c - hi * s, ROPE_FRAC)
    out_hi = rshift_round(hi * c + lo * s, ROPE_FRAC)
    return sat32(np.concatenate([out_lo, out_hi], axis=-1))


def requant_int8(x: npt.ArrayLike, frac_bits: int) -> IntArray:
    """Q.16 -> int8 with `frac_bits` fractional bits: sat8(round(x / 2^(16 - frac_bits)))."""
    if not 0 <= frac_bits <= Q:
        raise ValueError(f"requant_int8: frac_bits {frac_bits} outside [0, 16]")
    return sat(rshift_round(x, Q - frac_bits), 8)


# --------------------------------------------------------------------------- attention
def exp_scale_int(head_dim: int, fq: int, fk: int) -> int:
    """c_mul with t = (s * c_mul) >> 24 = s * log2(e) / sqrt(head_dim) / 2^(fq+fk) in Q.8."""
    c = round(np.log2(np.e) / np.sqrt(head_dim) * 2.0 ** (8 + EXP_SHIFT - fq - fk))
    if not 0 < c < (1 << 32):
        raise ValueError(f"exp_scale_int: c_mul {c} does not fit 32 bits (fq={fq}, fk={fk})")
    return int(c)


def attention_int(q8: npt.ArrayLike, q_pos: npt.ArrayLike, k8: npt.ArrayLike, v8: npt.ArrayLike,
                  c_mul: int, fv: int, block: int = SOFTMAX_BLOCK) -> IntArray:
    """Causal attention of one head with the contract's block-wise online softmax.

    q8 [Lq, dh] int8 at positions q_pos [Lq]; k8, v8 [Lk, dh] int8 (keys at positions 0..Lk-1).
    Query i attends keys j <= q_pos[i]. Keys are consumed in blocks [b*B, (b+1)*B) aligned to
    absolute positions, so a prefill of L rows and L decode steps run the same operations:

      s_ij = q_i . k_j (int32)          t_ij = (s_ij * c_mul) >> 24      (Q.8 base-2 logit)
      m'   = max(m, max_j t_ij)         alpha = exp2_neg(m' - m)         p_ij = exp2_neg(m' - t_ij)
      l'   = round(l * alpha / 2^16) + sum_j p_ij
      acc' = round(acc * alpha / 2^16) + sum_j p_ij * v_j
    then o = round(acc * floor(2^48 / l) / 2^(32 + fv))   (Q.16 output).
    """
    q8, k8, v8 = as_i64(q8), as_i64(k8), as_i64(v8)
    q_pos = as_i64(q_pos)
    lq, dh = q8.shape
    lk = k8.shape[0]
    if lq and int(q_pos.max()) >= lk:
        raise ValueError(f"attention_int: query position {int(q_pos.max())} has no key (Lk={lk})")
    m = np.full((lq, 1), M_INIT, dtype=np.int64)
    l_sum = np.zeros((lq, 1), dtype=np.int64)
    acc = np.zeros((lq, dh), dtype=np.int64)
    n_blocks = (int(q_pos.max()) // block + 1) if lq else 0
    for b in range(n_blocks):
        j = np.arange(b * block, min((b + 1) * block, lk))
        valid = j[None, :] <= q_pos[:, None]                         # [Lq, B]
        rows = np.any(valid, axis=1)                                  # rows that see this block
        s = q8 @ k8[j].T
        t = np.right_shift(s * c_mul, EXP_SHIFT)
        m_blk = np.max(np.where(valid, t, M_INIT), axis=1, keepdims=True)
        m_new = np.where(rows[:, None], np.maximum(m, m_blk), m)
        alpha = exp2_neg(m_new - m)
        p = np.where(valid, exp2_neg(np.where(valid, m_new - t, 0)), 0)
        l_new = rshift_round(l_sum * alpha, P_FRAC) + p.sum(axis=1, keepdims=True)
        acc_new = rshift_round(acc * alpha, P_FRAC) + p @ v8[j]
        m = m_new
        l_sum = np.where(rows[:, None], l_new, l_sum)
        acc = np.where(rows[:, None], acc_new, acc)
    check_bound(acc, 40, "attention P.V accumulator")
    inv_l = (1 << INV_L_SHIFT) // np.maximum(l_sum, 1)
    return sat32(rshift_round(acc * inv_l, INV_L_SHIFT - Q + fv))
