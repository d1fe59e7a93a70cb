"""act_quant (per-token absmax int8 quantizer): cocotb tests on Verilator, over seeds and shapes."""

from __future__ import annotations

import pytest

from tb.common.runner import run
from tb.quant.test_quant import BLOCK

CONFIGS = {"lanes4": {"LANES": 4, "D_MAX": 256}, "lanes8": {"LANES": 8, "D_MAX": 512}}


@pytest.mark.parametrize("cfg", sorted(CONFIGS))
def test_quant_rtl(cfg: str, seed: int) -> None:
    run(BLOCK, CONFIGS[cfg], seed=seed)
