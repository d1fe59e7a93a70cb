"""BitNet b1.58 quantizers (float reference) and the ternary weight constants the RTL uses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from .fixedpoint import normalise_scale

FloatArray = npt.NDArray[np.float64]

WEIGHT_EPS = 1e-5
ACT_EPS = 1e-5


def weight_quant(w: npt.ArrayLike) -> tuple[npt.NDArray[np.int8], float]:
    """Per-tensor absmean ternary quantizer: Wq = clamp(round(W / beta), -1, 1), beta = mean|W|."""
    w = np.asarray(w, dtype=np.float64)
    beta = max(float(np.mean(np.abs(w))), WEIGHT_EPS)
    wq = np.clip(np.round(w / beta), -1, 1).astype(np.int8)
    return wq, beta


def act_quant_float(x: npt.ArrayLike) -> FloatArray:
    """Per-token absmax int8 fake quantization (the float path's BitLinear input)."""
    x = np.asarray(x, dtype=np.float64)
    s = 127.0 / np.maximum(np.max(np.abs(x), axis=-1, keepdims=True), ACT_EPS)
    return np.clip(np.round(x * s), -128, 127) / s


@dataclass(frozen=True)
class TernaryLinear:
    """A ternary weight matrix [out, in] with its per-tensor scale in float and in fixed point.

    wmul * 2^-wshift ~= beta / 127 (wmul in [2^14, 2^15)) is the requantisation constant of
    docs/numerics.md; the float path uses beta itself.
    """

    wq: npt.NDArray[np.int8]
    beta: float
    wmul: int
    wshift: int

    @classmethod
    def from_float(cls, w: npt.ArrayLike) -> TernaryLinear:
        wq, beta = weight_quant(w)
        return cls.from_ternary(wq, beta)

    @classmethod
    def from_ternary(cls, wq: npt.ArrayLike, beta: float) -> TernaryLinear:
        wq = np.asarray(wq)
        if wq.ndim != 2:
            raise ValueError(f"ternary weight must be 2-D, got shape {wq.shape}")
        if not np.all(np.isin(wq, (-1, 0, 1))):
            raise ValueError("ternary weight has values outside {-1, 0, 1}")
        wmul, wshift = normalise_scale(beta / 127.0)
        return cls(wq.astype(np.int8), float(beta), wmul, wshift)

    @property
    def shape(self) -> tuple[int, int]:
        return (int(self.wq.shape[0]), int(self.wq.shape[1]))

    def forward_float(self, x: npt.ArrayLike) -> FloatArray:
        """BitLinear in the float path: quantise the input per token, multiply by beta * Wq."""
        return act_quant_float(x) @ (self.wq.astype(np.float64) * self.beta).T
