"""Seeded random BitNet b1.58 weights and the fixed-point constants derived from them."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

from .fixedpoint import Q, rope_tables, sat32
from .ops_int import exp_scale_int, rmsnorm_eps_int, rmsnorm_gamma_int
from .quant import FloatArray, TernaryLinear
from .shapes import ModelShape

PROJ_NAMES = ("q", "k", "v", "o", "gate", "up", "down")
NORM_NAMES = ("input", "attn_sub", "post", "ffn_sub")
EMBED_FRAC = 16  # embeddings enter the residual stream in Q.16


@dataclass
class LayerWeights:
    """One decoder layer: seven ternary projections, four RMSNorm gains, int8 Q/K/V exponents."""

    proj: dict[str, TernaryLinear]
    gamma: dict[str, FloatArray]
    fq: int = 6
    fk: int = 6
    fv: int = 6


@dataclass
class ModelWeights:
    shape: ModelShape
    embed: FloatArray                  # [vocab, d_model] float (unquantised, tied LM head)
    layers: list[LayerWeights]
    gamma_final: FloatArray
    seed: int | None = None
    lm_head: FloatArray | None = None  # [vocab, d_model] float, untied LM head (None: tied to embed)
    _int_cache: dict[str, object] = field(default_factory=dict, repr=False)

    @classmethod
    def from_parts(cls, shape: ModelShape, embed: npt.ArrayLike,
                   layers: list[LayerWeights], gamma_final: npt.ArrayLike,
                   lm_head: npt.ArrayLike | None = None, calibrate_seed: int | None = 0,
                   seed: int | None = None) -> ModelWeights:
        """Assemble a model from already-quantised layers (e.g. a loaded checkpoint).

        Checks every array against ``shape`` (ValueError naming the part), then calibrates the
        int8 Q/K/V exponents on the float path unless ``calibrate_seed`` is None.
        """
        from .model import calibrate  # late import: model depends on this module

        d, f, v = shape.d_model, shape.d_ffn, shape.vocab
        embed = np.asarray(embed, dtype=np.float64)
        gamma_final = np.asarray(gamma_final, dtype=np.float64)
        head = None if lm_head is None else np.asarray(lm_head, dtype=np.float64)
        want: list[tuple[str, tuple[int, ...], tuple[int, ...]]] = [
            ("embed", embed.shape, (v, d)), ("gamma_final", gamma_final.shape, (d,))]
        if head is not None:
            want.append(("lm_head", head.shape, (v, d)))
        if len(layers) != shape.n_layers:
            raise ValueError(f"shape {shape.name!r} has {shape.n_layers} layers, got {len(layers)}")
        dims = {"q": (d, d), "k": (d, d), "v": (d, d), "o": (d, d),
                "gate": (f, d), "up": (f, d), "down": (d, f)}
        for li, lw in enumerate(layers):
            for n, dim in dims.items():
                if n not in lw.proj:
                    raise ValueError(f"layer {li}: projection {n!r} missing")
                want.append((f"layer {li} proj {n}", lw.proj[n].shape, dim))
            for n in NORM_NAMES:
                if n not in lw.gamma:
                    raise ValueError(f"layer {li}: RMSNorm gain {n!r} missing")
                want.append((f"layer {li} gamma {n}", np.shape(lw.gamma[n]),
                             (f,) if n == "ffn_sub" else (d,)))
        for what, got, exp in want:
            if tuple(got) != exp:
                raise ValueError(f"{what}: shape {tuple(got)} != {exp} for shape {shape.name!r}")
        w = cls(shape=shape, embed=embed, layers=layers, gamma_final=gamma_final, seed=seed,
                lm_head=head)
        if calibrate_seed is not None:
            calibrate(w, seed=calibrate_seed)
        return w

    @property
    def tied(self) -> bool:
        return self.lm_head is None

    def lm_head_float(self) -> FloatArray:
        """LM head matrix [vocab, d_model]: the untied head if present, else the embeddings."""
        return self.embed if self.lm_head is None else self.lm_head

    # ---- integer constants (docs/numerics.md) -----------------------------------------
    def gamma_int(self, layer: int | None, name: str) -> npt.NDArray[np.int64]:
        g = self.gamma_final if layer is None else self.layers[layer].gamma[name]
        return rmsnorm_gamma_int(g)

    def eps_int(self, d: int) -> int:
        return rmsnorm_eps_int(d, self.shape.rms_eps)

    def c_mul(self, layer: int) -> int:
        lw = self.layers[layer]
        return exp_scale_int(self.shape.head_dim, lw.fq, lw.fk)

    def rope(self) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64]]:
        s = self.shape
        return rope_tables(s.head_dim, s.max_ctx, s.rope_theta)

    def embed_int(self, tokens: npt.ArrayLike) -> npt.NDArray[np.int64]:
        """Embedding rows in Q.16 (done by the host, as on the PS)."""
        return sat32(np.round(self.embed[np.asarray(tokens)] * (1 << EMBED_FRAC)).astype(np.int64))

    def lm_head_int(self) -> tuple[npt.NDArray[np.int64], int]:
        """LM head (tied or untied) as int16 with a power-of-two scale: E16 = round(E * 2^fe)."""
        if "lm_head" not in self._int_cache:
            head = self.lm_head_float()
            amax = float(np.max(np.abs(head)))
            fe = int(np.floor(np.log2(32767.0 / amax)))
            e16 = np.clip(np.round(head * 2.0**fe), -32768, 32767).astype(np.int64)
            self._int_cache["lm_head"] = (e16, fe)
        return self._int_cache["lm_head"]  # type: ignore[return-value]


def random_weights(shape: ModelShape, seed: int = 0) -> ModelWeights:
    """Seeded random float weights quantised with the real BitNet quantizers.

    Linear weights ~ N(0, 1/in_features); RMSNorm gains ~ 1 + 0.1 N(0,1); embeddings ~ N(0, 0.1^2)
    (small next to the layer outputs, so greedy generation does not just repeat the last token).
    The int8 exponents of Q/K/V are then calibrated on the float path (``calibrate``).
    """
    from .model import calibrate  # late import: model depends on this module

    rng = np.random.default_rng(seed)
    d, f = shape.d_model, shape.d_ffn
    dims = {"q": (d, d), "k": (d, d), "v": (d, d), "o": (d, d),
            "gate": (f, d), "up": (f, d), "down": (d, f)}
    layers = []
    for _ in range(shape.n_layers):
        proj = {n: TernaryLinear.from_float(rng.normal(0.0, 1.0 / np.sqrt(i), size=(o, i)))
                for n, (o, i) in dims.items()}
        gamma = {n: 1.0 + 0.1 * rng.standard_normal(f if n == "ffn_sub" else d)
                 for n in NORM_NAMES}
        layers.append(LayerWeights(proj=proj, gamma=gamma))
    embed = rng.standard_normal((shape.vocab, d)) * 0.1
    gamma_final = 1.0 + 0.1 * rng.standard_normal(d)
    w = ModelWeights(shape=shape, embed=embed, layers=layers, gamma_final=gamma_final, seed=seed)
    calibrate(w, seed=seed)
    return w


__all__ = ["NORM_NAMES", "PROJ_NAMES", "LayerWeights", "ModelWeights", "Q", "random_weights"]
