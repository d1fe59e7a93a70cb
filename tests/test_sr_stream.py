"""Static-region row buffers (sr_ram + sr_rd_stream + sr_wr_stream): cocotb tests."""

from __future__ import annotations

from tb.common.runner import run
from tb.sr_stream.test_sr_stream import BLOCK


def test_sr_stream(seed: int) -> None:
    run(BLOCK, seed=seed)
