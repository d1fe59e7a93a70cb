"""cocotb tests of act_quant: per-token absmax int8 quantizer, bit-exact vs the golden model."""

from __future__ import annotations

import cocotb
import numpy as np
from bitnet_golden.ops_int import NORM_OUT_BITS, act_quant_int
from cocotb.triggers import ClockCycles

from tb.common.env import start_clock_reset, test_rng, wait_until
from tb.common.runner import Block
from tb.common.scoreboard import Scoreboard
from tb.common.streams import frame_tuser, pack_ints, stream_sink, stream_source, unpack_ints

BLOCK = Block("quant", sources=("common/seq_divider.sv", "quant/act_quant.sv"),
              parameters={"LANES": 4, "D_MAX": 256})
MAX28 = (1 << (NORM_OUT_BITS - 1)) - 1


class TB:
    def __init__(self, dut, name: str, p_stall: float = 0.3):
        self.dut = dut
        self.rng = test_rng(dut, name)
        self.lanes = int(dut.LANES.value)
        self.d_max = int(dut.D_MAX.value)
        self.src = stream_source(dut, "s_axis", dut.clk_i, self.rng, p_stall)
        self.snk = stream_sink(dut, "m_axis", dut.clk_i, self.rng, p_stall)
        self.sb_q = Scoreboard("xq", dut._log)
        self.sb_amax = Scoreboard("amax", dut._log)

    async def start(self) -> None:
        await start_clock_reset(self.dut)

    async def send_row(self, row: np.ndarray) -> None:
        """Queue one row; the expected output comes from the golden integer path."""
        xq, amax = act_quant_int(row[None, :])
        pad = (-len(row)) % self.lanes
        self.sb_q.expect(np.concatenate([xq[0], np.zeros(pad, dtype=np.int64)]))
        self.sb_amax.expect(np.array([int(amax[0, 0])]))
        await self.src.send(pack_ints(row, 32, self.lanes))

    async def collect(self, n_rows: int, max_cycles: int) -> None:
        for _ in range(n_rows):
            await wait_until(self.dut.clk_i, lambda: not self.snk.empty(), max_cycles, "output row")
            frame = self.snk.recv_nowait()
            self.sb_q.observe(unpack_ints(frame.tdata, 8))
            tu = set(frame_tuser(frame))
            assert len(tu) == 1, f"tuser (amax) changed within a row: {sorted(tu)}"
            self.sb_amax.observe(np.array([tu.pop()]))

    def check(self) -> None:
        self.sb_q.check()
        self.sb_amax.check()
        assert int(self.dut.err_overflow_o.value) == 0, "unexpected overflow error"


def rand_row(rng: np.random.Generator, n: int) -> np.ndarray:
    """Random RMSNorm-like rows at a random magnitude (tiny to near the 28-bit limit)."""
    scale = 2.0 ** rng.uniform(4, 26)
    return np.clip(np.round(rng.standard_normal(n) * scale), -MAX28, MAX28).astype(np.int64)


@cocotb.test()
async def test_quant_random(dut):
    """Random rows of random lengths (multiple and non-multiple of LANES) and magnitudes."""
    tb = TB(dut, "test_quant_random")
    await tb.start()
    n_rows = 24
    lengths = tb.rng.integers(1, tb.d_max + 1, size=n_rows)
    collector = cocotb.start_soon(tb.collect(n_rows, max_cycles=20 * tb.d_max))
    for n in lengths:
        await tb.send_row(rand_row(tb.rng, int(n)))
    await collector
    tb.check()


@cocotb.test()
async def test_quant_edge_cases(dut):
    """All-zero rows, +/-max, saturation of out-of-range inputs, single elements, rounding ties."""
    tb = TB(dut, "test_quant_edge_cases")
    await tb.start()
    d = tb.d_max
    big = np.iinfo(np.int32)
    rows = [
        np.zeros(d, dtype=np.int64),                                   # amax = 0 -> all zero
        np.full(d, MAX28, dtype=np.int64),                             # +max
        np.full(d, -MAX28 - 1, dtype=np.int64),                        # -2^27 (the most negative)
        np.array([big.max, big.min, 5, -5] * (d // 4), dtype=np.int64),  # saturated to 28 bits
        np.array([1], dtype=np.int64),                                 # one element, amax 1
        np.array([-1, 0, 0], dtype=np.int64),
        np.array([254, 1, 2, 3, -127, 127], dtype=np.int64),           # exact .5 ties at 1/254
        np.arange(-d // 2, d // 2, dtype=np.int64) * 1024,
    ]
    collector = cocotb.start_soon(tb.collect(len(rows), max_cycles=20 * d))
    for r in rows:
        await tb.send_row(r)
    await collector
    tb.check()


@cocotb.test()
async def test_quant_overflow_flag(dut):
    """A row longer than D_MAX sets err_overflow_o and is cut at D_MAX (never a hang)."""
    tb = TB(dut, "test_quant_overflow_flag", p_stall=0.0)
    await tb.start()
    d = tb.d_max
    row = rand_row(tb.rng, d + 3 * tb.lanes)
    xq, amax = act_quant_int(row[None, :d])
    collector = cocotb.start_soon(tb.collect(1, max_cycles=20 * d))
    tb.sb_q.expect(xq[0])
    tb.sb_amax.expect(np.array([int(amax[0, 0])]))
    await tb.src.send(pack_ints(row, 32, tb.lanes))
    await collector
    await ClockCycles(dut.clk_i, 2)
    tb.sb_q.check()
    tb.sb_amax.check()
    assert int(dut.err_overflow_o.value) == 1, "overflow not reported"


@cocotb.test()
async def test_quant_throughput(dut):
    """Without backpressure, back-to-back rows sustain about one beat per cycle plus the divide."""
    tb = TB(dut, "test_quant_throughput", p_stall=0.0)
    await tb.start()
    n_rows, d = 8, tb.d_max
    beats = d // tb.lanes
    start = cocotb.utils.get_sim_time("ns")
    collector = cocotb.start_soon(tb.collect(n_rows, max_cycles=20 * d))
    for _ in range(n_rows):
        await tb.send_row(rand_row(tb.rng, d))
    await collector
    cycles = (cocotb.utils.get_sim_time("ns") - start) / 4
    bound = n_rows * (beats + 45) + beats + 45
    dut._log.info("quant: %d rows of %d elements in %.0f cycles (bound %d)", n_rows, d, cycles, bound)
    tb.check()
    assert cycles <= bound, f"{cycles} cycles > {bound}"

