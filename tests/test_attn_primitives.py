"""Shared attention primitives (exp2 ROM, logit, rescale): cocotb tests on Verilator."""

from __future__ import annotations

from tb.attn.test_attn import BLOCK
from tb.common.runner import run


def test_attn_primitives(seed: int) -> None:
    run(BLOCK, seed=seed)
