"""rope (rotate-half RoPE + int8 requantisation): cocotb tests on Verilator, over seeds and shapes."""

from __future__ import annotations

import pytest

from tb.common.runner import build, run
from tb.rope.test_rope import BLOCK

CONFIGS = {
    "tiny": {"LANES": 4, "OUT_LANES": 16, "HEAD_DIM": 16, "MAX_CTX": 256, "D_MAX": 128},
    # half-beat heads (3 heads = 1.5 output beats), MAX_CTX not a power of two
    "hd8": {"LANES": 4, "OUT_LANES": 16, "HEAD_DIM": 8, "MAX_CTX": 40, "D_MAX": 72},
}


@pytest.mark.parametrize("cfg", sorted(CONFIGS))
def test_rope_rtl(cfg: str, seed: int) -> None:
    run(BLOCK, CONFIGS[cfg], seed=seed)


def test_rope_bad_param() -> None:
    with pytest.raises(RuntimeError, match=r"rope: bad parameters LANES=4 OUT_LANES=16 HEAD_DIM=12"):
        build(BLOCK, {"HEAD_DIM": 12})
