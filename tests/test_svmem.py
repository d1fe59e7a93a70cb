"""SV HP/DDR model (tb/common/sv/hp_ddr_model.sv) on the fast path: cocotb tests on Verilator."""

from __future__ import annotations

import pytest

from tb.common.fastsim import plusargs
from tb.common.runner import build, run
from tb.svmem.test_svmem import BLOCK, PLUSARG_CFG, PLUSARG_SEED

CASES = ["test_svmem_latency", "test_svmem_pipelining", "test_svmem_cap", "test_svmem_errors",
         "test_svmem_integrity", "test_svmem_backdoor"]


@pytest.mark.parametrize("testcase", CASES)
def test_svmem_rtl(testcase: str, seed: int) -> None:
    run(BLOCK, seed=seed, testcase=testcase)


def test_svmem_plusargs() -> None:
    run(BLOCK, seed=1, testcase="test_svmem_plusargs",
        plusargs=plusargs(PLUSARG_CFG, 4, PLUSARG_SEED))


def test_svmem_speed() -> None:
    run(BLOCK, seed=1, testcase="test_svmem_speed")


@pytest.mark.parametrize("params, message", [
    ({"MEM_BYTES": 3000}, "hp_ddr_model: MEM_BYTES=3000 must be a power of two >= 4096"),
    ({"MAX_OUT": 0}, "hp_ddr_model: MAX_OUT=0 outside 1..256"),
    ({"FIFO_BEATS": 48}, "axi_tgen: FIFO_BEATS=48 must be a power of two >= 2"),
    ({"PERIOD_PS": 3}, "sv_clk_gen: PERIOD_PS=3 must be even and >= 2"),
])
def test_svmem_bad_param(params: dict, message: str) -> None:
    with pytest.raises(RuntimeError) as exc:
        build(BLOCK, params)
    assert message in str(exc.value)
