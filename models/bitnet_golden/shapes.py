"""Model shapes: ``tiny`` (tests, ``make sim``), ``small`` (benchmarks), ``paper`` (analytic only)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ModelShape:
    """Hyper-parameters of a BitNet b1.58 decoder (plain multi-head attention, tied LM head)."""

    name: str
    d_model: int
    n_heads: int
    head_dim: int
    d_ffn: int
    n_layers: int
    vocab: int
    max_ctx: int
    rms_eps: float = 1e-5
    rope_theta: float = 10000.0

    def __post_init__(self) -> None:
        if self.n_heads * self.head_dim != self.d_model:
            raise ValueError(
                f"shape {self.name!r}: n_heads*head_dim = {self.n_heads * self.head_dim} "
                f"!= d_model = {self.d_model}"
            )
        if self.head_dim % 2:
            raise ValueError(f"shape {self.name!r}: head_dim {self.head_dim} must be even (RoPE)")
        for field in ("d_model", "n_heads", "head_dim", "d_ffn", "n_layers", "vocab", "max_ctx"):
            if getattr(self, field) <= 0:
                raise ValueError(f"shape {self.name!r}: {field} must be > 0")


SHAPES: dict[str, ModelShape] = {
    "tiny": ModelShape("tiny", d_model=64, n_heads=4, head_dim=16, d_ffn=128, n_layers=2,
                       vocab=256, max_ctx=256),
    "small": ModelShape("small", d_model=256, n_heads=4, head_dim=64, d_ffn=512, n_layers=4,
                        vocab=1024, max_ctx=2048),
    # BitNet b1.58 "large" (0.73B): 24 x (4*1536^2 + 3*1536*4096) ternary weights + 49.2M embedding.
    "paper": ModelShape("paper", d_model=1536, n_heads=16, head_dim=96, d_ffn=4096, n_layers=24,
                        vocab=32002, max_ctx=2048),
}


def get_shape(name: str) -> ModelShape:
    """Look up a shape by name with an error that lists the valid ones."""
    try:
        return SHAPES[name]
    except KeyError:
        raise ValueError(f"unknown model shape {name!r}; choose one of {sorted(SHAPES)}") from None
