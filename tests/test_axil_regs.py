"""axil_regs (reusable AXI4-Lite register slave): cocotb tests on Verilator, over seeds and maps."""

from __future__ import annotations

import pytest

from tb.axil_regs.test_axil_regs import BLOCK
from tb.common.runner import build, run

CONFIGS = {
    "a7_n19": {"ADDR_W": 7, "N_REGS": 19},     # the rp_cfg_ctrl map: SLVERR above 0x48
    "a4_n4": {"ADDR_W": 4, "N_REGS": 4},       # every address decodes
    "a12_n5": {"ADDR_W": 12, "N_REGS": 5},     # sparse: most of the window answers SLVERR
}


@pytest.mark.parametrize("cfg", sorted(CONFIGS))
def test_axil_regs_rtl(cfg: str, seed: int) -> None:
    run(BLOCK, CONFIGS[cfg], seed=seed)


def test_axil_regs_bad_param() -> None:
    with pytest.raises(RuntimeError) as exc:
        build(BLOCK, {"ADDR_W": 4, "N_REGS": 5})
    assert "axil_regs: N_REGS=5 registers do not fit ADDR_W=4 address bits" in str(exc.value)
