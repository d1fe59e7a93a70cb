"""Integer primitives of the numerics contract (docs/numerics.md).

Every function here is what a piece of RTL does, written with numpy int64 so that it reads like
the math. Rounding is always *round half up* implemented as ``(x + 2**(s-1)) >> s`` with an
arithmetic shift; saturation is always explicit. Bounds that keep the int64 products exact are
asserted, so an overflow is an error, never a silent wrap.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int64]

Q = 16  # fractional bits of every activation tensor outside int8 (Q15.16 in an int32 container)
INT64_SAFE = 1 << 62


def as_i64(x: npt.ArrayLike) -> IntArray:
    return np.asarray(x, dtype=np.int64)


def check_bound(x: IntArray, bits: int, what: str) -> None:
    """Assert |x| < 2**bits (the width the contract promises for an intermediate)."""
    if x.size and int(np.max(np.abs(x))) >= (1 << bits):
        raise OverflowError(f"{what}: |value| {int(np.max(np.abs(x)))} exceeds 2^{bits}")


def rshift_round(x: npt.ArrayLike, s: int | IntArray) -> IntArray:
    """Round-half-up right shift: floor((x + 2^(s-1)) / 2^s). ``s == 0`` is the identity."""
    x = as_i64(x)
    s_arr = as_i64(s)
    if np.any(s_arr < 0):
        raise ValueError("rshift_round: negative shift")
    half = np.where(s_arr > 0, np.left_shift(np.int64(1), np.maximum(s_arr - 1, 0)), 0)
    return np.right_shift(x + half, s_arr)


def sat(x: npt.ArrayLike, bits: int) -> IntArray:
    """Saturate to a signed ``bits``-wide two's complement range."""
    lo, hi = -(1 << (bits - 1)), (1 << (bits - 1)) - 1
    return np.clip(as_i64(x), lo, hi)


def sat32(x: npt.ArrayLike) -> IntArray:
    return sat(x, 32)


# --------------------------------------------------------------------------- rsqrt
RSQRT_LUT_BITS = 8  # index = top 8 bits of the 16-bit normalised mantissa (64..255 used)


@lru_cache(maxsize=1)
def rsqrt_lut() -> IntArray:
    """LUT[i] = round(2^15 / sqrt((i + 0.5) / 64)) for i in [64, 256); entries below 64 unused (0)."""
    i = np.arange(256, dtype=np.float64)
    lut = np.zeros(256, dtype=np.int64)
    lut[64:] = np.round(2.0**15 / np.sqrt((i[64:] + 0.5) / 64.0)).astype(np.int64)
    return lut


def rsqrt_norm(v: npt.ArrayLike) -> tuple[IntArray, IntArray]:
    """1/sqrt(v) for integer v >= 1 as (y1, e2): 1/sqrt(v) ~= y1 * 2^-15 * 2^(-e2/2).

    v = mv * 2^(e2-14) with e2 even and mv in [2^14, 2^16) (truncating normalisation);
    y0 = LUT[mv >> 8]; one Newton step y1 = (y0 * (3*2^44 - mv*y0^2)) >> 45 (floor).
    """
    v = as_i64(v)
    if np.any(v < 1):
        raise ValueError("rsqrt_norm: v must be >= 1")
    check_bound(v, 62, "rsqrt input")
    e = np.array([int(a).bit_length() - 1 for a in v.ravel()], dtype=np.int64).reshape(v.shape)
    e2 = e - (e & 1)
    mv = np.where(e2 >= 14, np.right_shift(v, np.maximum(e2 - 14, 0)),
                  np.left_shift(v, np.maximum(14 - e2, 0)))
    y0 = rsqrt_lut()[np.right_shift(mv, 8)]
    y1 = np.right_shift(y0 * ((3 << 44) - mv * y0 * y0), 45)
    return y1, e2


# --------------------------------------------------------------------------- exp2
EXP_FRAC = 8     # fractional bits of base-2 logits t (Q.8)
P_FRAC = 16      # probabilities p in U1.16 (65536 == 1.0)
EXP_SHIFT = 24   # t = (s * c_mul) >> EXP_SHIFT


@lru_cache(maxsize=1)
def exp2_lut() -> IntArray:
    """LUT[f] = round(2^16 * 2^(-f/256)), f in [0, 256); LUT[0] = 65536 (17 bits)."""
    f = np.arange(1 << EXP_FRAC, dtype=np.float64)
    return np.round(2.0**P_FRAC * np.exp2(-f / (1 << EXP_FRAC))).astype(np.int64)


def exp2_neg(d: npt.ArrayLike) -> IntArray:
    """p = 2^(-d / 256) in U1.16 for d >= 0 (Q.8): LUT[d & 255] >> (d >> 8), 0 once d >> 8 > 16."""
    d = as_i64(d)
    if np.any(d < 0):
        raise ValueError("exp2_neg: d must be >= 0")
    ip = np.right_shift(d, EXP_FRAC)
    fp = np.bitwise_and(d, (1 << EXP_FRAC) - 1)
    return np.where(ip > P_FRAC, 0, np.right_shift(exp2_lut()[fp], np.minimum(ip, P_FRAC)))


# --------------------------------------------------------------------------- sigmoid
SIG_RANGE = 8          # table covers x in [-8, 8)
SIG_STEP_BITS = 12     # Q.16 offset >> 12: 16 entries per unit, 256 intervals


@lru_cache(maxsize=1)
def sigmoid_lut() -> IntArray:
    """SIG[k] = round(2^16 * sigmoid(-8 + k/16)), k in [0, 256] (257 knots)."""
    x = -SIG_RANGE + np.arange(257, dtype=np.float64) / 16.0
    return np.round(2.0**16 / (1.0 + np.exp(-x))).astype(np.int64)


def sigmoid_q16(x: npt.ArrayLike) -> IntArray:
    """Piecewise-linear sigmoid of a Q.16 value, result U1.16. x is clamped to [-8, 8 - 2^-16]."""
    x = as_i64(x)
    xc = np.clip(x, -SIG_RANGE << Q, (SIG_RANGE << Q) - 1)
    off = xc + (SIG_RANGE << Q)
    k = np.right_shift(off, SIG_STEP_BITS)
    frac = np.bitwise_and(off, (1 << SIG_STEP_BITS) - 1)
    lut = sigmoid_lut()
    return lut[k] + rshift_round((lut[k + 1] - lut[k]) * frac, SIG_STEP_BITS)


# --------------------------------------------------------------------------- RoPE
ROPE_FRAC = 14  # cos/sin table entries in Q1.14 (int16)


@lru_cache(maxsize=8)
def rope_tables(head_dim: int, max_ctx: int, theta: float) -> tuple[IntArray, IntArray]:
    """cos/sin tables [max_ctx, head_dim/2] in Q1.14 (rotate-half convention).

    Angle(pos, i) = pos * theta^(-2i/head_dim), computed in float64 once, then rounded; the RTL
    loads exactly these integers, so the float library never enters the bit-exact path.
    """
    half = head_dim // 2
    inv_freq = theta ** (-(2.0 * np.arange(half, dtype=np.float64)) / head_dim)
    ang = np.arange(max_ctx, dtype=np.float64)[:, None] * inv_freq[None, :]
    scale = float(1 << ROPE_FRAC)
    return (np.round(np.cos(ang) * scale).astype(np.int64),
            np.round(np.sin(ang) * scale).astype(np.int64))


def normalise_scale(value: float, mant_bits: int = 15) -> tuple[int, int]:
    """Represent a positive real as mul * 2^-shift with mul in [2^(mant_bits-1), 2^mant_bits)."""
    if not value > 0.0 or not np.isfinite(value):
        raise ValueError(f"normalise_scale: value must be finite and > 0, got {value!r}")
    shift = mant_bits - 1 - int(np.floor(np.log2(value)))
    mul = round(value * 2.0**shift)
    if mul >= 1 << mant_bits:  # rounding carried into the next power of two
        shift -= 1
        mul = round(value * 2.0**shift)
    if shift < 0 or shift > 62:
        raise ValueError(f"normalise_scale: {value!r} out of the representable range")
    return mul, shift
