"""residual_add (saturated Q.16 residual add): cocotb tests on Verilator, over seeds and widths."""

from __future__ import annotations

import pytest

from tb.common.runner import build, run
from tb.residual.test_residual import BLOCK

CONFIGS = {"lanes4": {"LANES": 4}, "lanes1": {"LANES": 1}}


@pytest.mark.parametrize("cfg", sorted(CONFIGS))
def test_residual_rtl(cfg: str, seed: int) -> None:
    run(BLOCK, CONFIGS[cfg], seed=seed)


def test_residual_bad_param() -> None:
    with pytest.raises(RuntimeError, match=r"residual_add: LANES=0 outside"):
        build(BLOCK, {"LANES": 0})
