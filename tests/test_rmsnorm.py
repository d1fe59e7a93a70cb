"""rmsnorm (integer RMSNorm with gain memory): cocotb tests on Verilator, over seeds and shapes."""

from __future__ import annotations

import pytest

from tb.common.runner import build, run
from tb.rmsnorm import rsqrt_rom_gen
from tb.rmsnorm.test_rmsnorm import BLOCK

CONFIGS = {"lanes4": {"LANES": 4, "D_MAX": 256, "G_WORDS": 256},
           "lanes8": {"LANES": 8, "D_MAX": 480, "G_WORDS": 160}}


@pytest.mark.parametrize("cfg", sorted(CONFIGS))
def test_rmsnorm_rtl(cfg: str, seed: int) -> None:
    run(BLOCK, CONFIGS[cfg], seed=seed)


def test_rmsnorm_rom_up_to_date() -> None:
    """rtl/rmsnorm/rsqrt_rom.sv is exactly what the generator makes from the golden table."""
    assert rsqrt_rom_gen.RTL.read_text() == rsqrt_rom_gen.render(), \
        "stale ROM: run .venv/bin/python -m tb.rmsnorm.rsqrt_rom_gen"


def test_rmsnorm_bad_param() -> None:
    with pytest.raises(RuntimeError, match=r"rmsnorm: bad parameters LANES=4 D_MAX=258"):
        build(BLOCK, {"D_MAX": 258})
