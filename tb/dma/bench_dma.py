"""`make bench` figures of axi_dma: throughput with the bench memory (latency 60, no stalls)."""

from __future__ import annotations

import json

from tb.common.runner import run
from tb.dma.test_dma import BLOCK


def bench() -> dict[str, float]:
    res = run(BLOCK, {}, seed=1, testcase="test_dma_throughput")
    r = json.loads((res.run_dir / "dma_throughput.json").read_text())
    return {
        "dma_rd_64k_beats_per_cycle": r["rd_64k"],
        "dma_rd_16x4k_beats_per_cycle": r["rd_16x4k"],
        "dma_wr_64k_beats_per_cycle": r["wr_64k"],
        "dma_rdwr_64k_beats_per_cycle": r["rdwr_64k_each"],
        "dma_max_outstanding": r["max_outstanding"],
        "dma_max_burst": r["max_burst"],
    }
