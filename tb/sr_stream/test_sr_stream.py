"""Static-region row buffers: rows written out of order by tuser, read back as column slices."""

from __future__ import annotations

import cocotb
import numpy as np
from cocotb.triggers import RisingEdge
from cocotbext.axi import AxiStreamFrame

from tb.common.env import start_clock_reset, test_rng, wait_until
from tb.common.runner import Block
from tb.common.streams import stream_sink, stream_source

BLOCK = Block("sr_stream", sources=("static/sr_ram.sv", "static/sr_rd_stream.sv",
                                    "static/sr_wr_stream.sv"),
              parameters={"W": 128, "AW": 8, "RW": 8})


async def pulse(dut, name: str) -> None:
    getattr(dut, name).value = 1
    await RisingEdge(dut.clk_i)
    getattr(dut, name).value = 0


def setup(dut, prefix: str, base: int, rows: int, beats: int, stride: int) -> None:
    for k, v in (("base", base), ("rows", rows), ("beats", beats), ("stride", stride)):
        getattr(dut, f"{prefix}_{k}_i").value = v


@cocotb.test()
async def test_sr_stream_rows_and_slices(dut):
    """Random rows (tuser order shuffled) land at base + r*stride; head slices read back exact."""
    rng = test_rng(dut, "test_sr_stream_rows_and_slices")
    dut.wr_start_i.value = 0
    dut.rd_start_i.value = 0
    await start_clock_reset(dut)
    src = stream_source(dut, "s_axis", dut.clk_i, rng, 0.3)
    snk = stream_sink(dut, "m_axis", dut.clk_i, rng, 0.3)
    rows, row_beats, base = 12, 8, 5                        # 12 rows x 8 beats, 4 "heads" of 2
    data = rng.integers(0, 256, size=(rows, row_beats * 16), dtype=np.uint8)
    setup(dut, "wr", base, rows, row_beats, row_beats)
    await pulse(dut, "wr_start_i")
    order = rng.permutation(rows)
    for r in order:
        await src.send(AxiStreamFrame(bytes(data[r]), tuser=int(r)))
    await wait_until(dut.clk_i, lambda: int(dut.wr_busy_o.value) == 0, 2000, "writer done")
    assert int(dut.wr_err_o.value) == 0
    for head in range(4):
        setup(dut, "rd", base + 2 * head, rows, 2, row_beats)
        await pulse(dut, "rd_start_i")
        for r in range(rows):
            await wait_until(dut.clk_i, lambda: not snk.empty(), 500, f"row {r} head {head}")
            frame = snk.recv_nowait()
            exp = data[r, head * 32:(head + 1) * 32]
            assert bytes(frame.tdata) == bytes(exp), f"row {r} head {head}"
            tu = frame.tuser if isinstance(frame.tuser, int) else frame.tuser[0]
            assert int(tu) == r
        await wait_until(dut.clk_i, lambda: int(dut.rd_busy_o.value) == 0, 100, "reader idle")


@cocotb.test()
async def test_sr_stream_full_rate_and_framing_error(dut):
    """Without backpressure the reader streams one beat per cycle; a short row flags err_o."""
    rng = test_rng(dut, "test_sr_stream_full_rate_and_framing_error")
    dut.wr_start_i.value = 0
    dut.rd_start_i.value = 0
    await start_clock_reset(dut)
    snk = stream_sink(dut, "m_axis", dut.clk_i, rng, 0.0)
    setup(dut, "rd", 0, 16, 8, 8)
    await pulse(dut, "rd_start_i")
    cycles = await wait_until(dut.clk_i, lambda: int(dut.rd_busy_o.value) == 0, 1000, "reader")
    assert cycles <= 16 * 8 + 4, f"{cycles} cycles for 128 beats"
    assert snk.count() == 16
    src = stream_source(dut, "s_axis", dut.clk_i, rng, 0.0)
    setup(dut, "wr", 0, 1, 4, 4)
    await pulse(dut, "wr_start_i")
    await src.send(AxiStreamFrame(bytes(3 * 16), tuser=0))   # 3 beats, expected 4
    await src.send(AxiStreamFrame(bytes(16), tuser=0))
    await wait_until(dut.clk_i, lambda: int(dut.wr_busy_o.value) == 0, 200, "writer")
    assert int(dut.wr_err_o.value) == 1
