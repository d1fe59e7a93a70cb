"""HP memory model (tb/common/axi_mem.py): pure-Python config checks + cocotb tests on Verilator."""

from __future__ import annotations

import numpy as np
import pytest

from tb.axi_mem.test_axi_mem import BLOCK
from tb.common.axi_mem import MemConfig
from tb.common.runner import run


def test_axi_mem_config() -> None:
    rng = np.random.default_rng(3)
    for _ in range(50):
        c = MemConfig.functional(rng)
        assert 10 <= c.latency <= 80 and c.max_outstanding >= 2
        assert all(0 < p < 1 for p in (c.ar_stall, c.r_stall, c.aw_stall, c.w_stall))
    b = MemConfig.bench()
    assert (b.latency, b.cap, b.ar_stall + b.r_stall + b.aw_stall + b.w_stall) == (60, 4.0, 0.0)
    r = b.add_error(0x100, 0x200, "DECERR", writes=False)
    assert b.errors == [r] and not r.writes
    b.remove_error(r)
    assert b.errors == []
    for bad in (dict(latency=1), dict(b_latency=0), dict(cap=0.0), dict(r_stall=1.0),
                dict(max_outstanding=0)):
        with pytest.raises(ValueError):
            MemConfig(**bad)
    with pytest.raises(ValueError, match="SLVERR or DECERR"):
        b.add_error(0, 16, "OKAY")
    with pytest.raises(ValueError, match="empty"):
        b.add_error(32, 16)


@pytest.mark.parametrize("testcase", ["test_axi_mem_integrity", "test_axi_mem_latency",
                                      "test_axi_mem_pipelining", "test_axi_mem_cap_limited",
                                      "test_axi_mem_cap_uncapped", "test_axi_mem_errors"])
def test_axi_mem_rtl(testcase: str, seed: int) -> None:
    run(BLOCK, seed=seed, testcase=testcase)
