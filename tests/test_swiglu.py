"""swiglu (silu(gate) * up, table sigmoid): cocotb tests on Verilator, over seeds and widths."""

from __future__ import annotations

import pytest

from tb.common.runner import build, run
from tb.swiglu import sigmoid_rom_gen
from tb.swiglu.test_swiglu import BLOCK

CONFIGS = {"lanes4": {"LANES": 4}, "lanes2": {"LANES": 2}}


@pytest.mark.parametrize("cfg", sorted(CONFIGS))
def test_swiglu_rtl(cfg: str, seed: int) -> None:
    run(BLOCK, CONFIGS[cfg], seed=seed)


def test_swiglu_rom_up_to_date() -> None:
    """rtl/swiglu/sigmoid_rom.sv is exactly what the generator makes from the golden table."""
    assert sigmoid_rom_gen.RTL.read_text() == sigmoid_rom_gen.render(), \
        "stale ROM: run .venv/bin/python -m tb.swiglu.sigmoid_rom_gen"


def test_swiglu_bad_param() -> None:
    with pytest.raises(RuntimeError, match=r"swiglu: LANES=65 outside"):
        build(BLOCK, {"LANES": 65})
