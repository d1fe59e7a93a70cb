"""axi_dma (AXI4 read/write DMA): cocotb tests on Verilator over configurations and seeds."""

from __future__ import annotations

import json

import pytest

from tb.common.runner import build, run
from tb.dma.test_dma import BLOCK

CONFIGS = {
    "b16_o8": {},                                              # defaults: MAX_BURST 16, 8 out
    "b256_o2": {"MAX_BURST": 256, "MAX_OUTSTANDING": 2},       # long bursts, few in flight
    "b4_o1_a32": {"MAX_BURST": 4, "MAX_OUTSTANDING": 1, "ADDR_W": 32, "LEN_W": 20,
                  "MAX_LEN": 8192},                             # minimal engine, 32-bit address
}
FUNCTIONAL = ["test_dma_random", "test_dma_4k_split", "test_dma_long", "test_dma_errors",
              "test_dma_bad_cmds"]


@pytest.mark.parametrize("testcase", FUNCTIONAL)
@pytest.mark.parametrize("cfg", sorted(CONFIGS))
def test_dma_rtl(cfg: str, testcase: str, seed: int) -> None:
    run(BLOCK, CONFIGS[cfg], seed=seed, testcase=testcase)


def test_dma_throughput() -> None:
    """Bench memory (latency 60, no stalls): 64 KiB read and write >= 0.95 beats/cycle."""
    res = run(BLOCK, {}, seed=1, testcase="test_dma_throughput",
              extra_env={"DMA_MIN_RATE": "0.95"})
    rates = json.loads((res.run_dir / "dma_throughput.json").read_text())
    assert rates["rd_64k"] >= 0.95 and rates["wr_64k"] >= 0.95


@pytest.mark.slow
@pytest.mark.parametrize("burst,outstanding", [(16, o) for o in (1, 2, 3, 4, 5, 6, 8)]
                         + [(256, 1), (256, 2)])
def test_dma_outstanding_sweep(burst: int, outstanding: int) -> None:
    """Read/write throughput vs MAX_OUTSTANDING with the bench memory (latency 60)."""
    params = {"MAX_BURST": burst, "MAX_OUTSTANDING": outstanding}
    res = run(BLOCK, params, seed=1, testcase="test_dma_throughput")
    rates = json.loads((res.run_dir / "dma_throughput.json").read_text())
    print(f"\nMAX_BURST={burst} MAX_OUTSTANDING={outstanding}: {rates}")
    # the covered-latency bound: n bursts of b beats per (latency + b + 3) cycles
    bound = min(1.0, outstanding * burst / (60 + burst + 3))
    assert rates["rd_64k"] >= 0.9 * bound, (rates, bound)


@pytest.mark.parametrize("params,message", [
    ({"MAX_BURST": 300}, r"MAX_BURST=300"),
    ({"MAX_OUTSTANDING": 0}, r"MAX_OUTSTANDING=0"),
    ({"MAX_LEN": 1000}, r"axi_dma_burst: MAX_LEN=1000 must be a multiple of 16"),
    ({"LEN_W": 16, "MAX_LEN": 65536}, r"MAX_LEN=65536 must be .* < 2\^LEN_W \(LEN_W=16"),
])
def test_dma_bad_param(params: dict, message: str) -> None:
    with pytest.raises(RuntimeError, match=message):
        build(BLOCK, params)
