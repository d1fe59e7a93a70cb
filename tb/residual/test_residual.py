"""cocotb tests of residual_add: y = sat32(h + x), bit-exact vs the golden model."""

from __future__ import annotations

import cocotb
import numpy as np
from bitnet_golden import IntModel, get_shape, random_weights
from bitnet_golden.ops_int import residual_add_int, swiglu_int
from cocotb.triggers import ClockCycles

from tb.common.env import start_clock_reset, test_rng, wait_until
from tb.common.runner import Block
from tb.common.scoreboard import Scoreboard
from tb.common.streams import pack_ints, stream_sink, stream_source, unpack_ints

BLOCK = Block("residual", sources=("residual/residual_add.sv",), parameters={"LANES": 4})
I32 = np.iinfo(np.int32)


class TB:
    def __init__(self, dut, name: str, p_stall: float = 0.3):
        self.dut = dut
        self.rng = test_rng(dut, name)
        self.lanes = int(dut.LANES.value)
        self.src_h = stream_source(dut, "s_axis_h", dut.clk_i, self.rng, p_stall)
        self.src_x = stream_source(dut, "s_axis_x", dut.clk_i, self.rng, p_stall)
        self.snk = stream_sink(dut, "m_axis", dut.clk_i, self.rng, p_stall)
        self.sb = Scoreboard("residual", dut._log)
        self.rows = 0

    async def start(self) -> None:
        await start_clock_reset(self.dut)

    async def send_row(self, h: np.ndarray, x: np.ndarray) -> None:
        """Queue one row pair; the expected sum comes from the golden integer path."""
        pad = (-len(h)) % self.lanes
        self.sb.expect(np.concatenate([residual_add_int(h, x), np.zeros(pad, dtype=np.int64)]))
        self.rows += 1
        await self.src_h.send(pack_ints(h, 32, self.lanes))
        await self.src_x.send(pack_ints(x, 32, self.lanes))

    async def collect(self, n_rows: int, max_cycles: int) -> None:
        for _ in range(n_rows):
            await wait_until(self.dut.clk_i, lambda: not self.snk.empty(), max_cycles, "output row")
            self.sb.observe(unpack_ints(self.snk.recv_nowait().tdata, 32))

    def check(self) -> None:
        self.sb.check()
        assert int(self.dut.err_last_o.value) == 0, "unexpected tlast mismatch error"


def rand_rows(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray]:
    """Random int32 rows at a random magnitude; large magnitudes exercise the saturation."""
    bits = rng.uniform(4, 31.5)
    h, x = (np.clip(np.round(rng.standard_normal(n) * 2.0**bits), I32.min, I32.max).astype(np.int64)
            for _ in range(2))
    return h, x


def model_rows(n_tokens: int = 6, seed: int = 5) -> list[tuple[np.ndarray, np.ndarray]]:
    """(h, branch) row pairs of both residual adds of every layer of the tiny golden model."""
    model = IntModel(random_weights(get_shape("tiny"), seed=seed))
    model.forward(np.random.default_rng(seed).integers(0, model.w.shape.vocab, size=n_tokens))
    pairs = []
    for li, tr in enumerate(model.traces[0]):
        o = model.bitlinear(model.norm(tr.attn, li, "attn_sub"), li, "o")
        assert np.array_equal(residual_add_int(tr.x_in, o), tr.h_mid), "golden trace mismatch"
        pairs += list(zip(tr.x_in, o, strict=True))
        a = model.norm(tr.h_mid, li, "post")
        f = swiglu_int(model.bitlinear(a, li, "gate"), model.bitlinear(a, li, "up"))
        down = model.bitlinear(model.norm(f, li, "ffn_sub"), li, "down")
        assert np.array_equal(residual_add_int(tr.h_mid, down), tr.h_out), "golden trace mismatch"
        pairs += list(zip(tr.h_mid, down, strict=True))
    return pairs


@cocotb.test()
async def test_residual_random(dut):
    """Random rows of random lengths (multiples and non-multiples of LANES) and magnitudes."""
    tb = TB(dut, "test_residual_random")
    await tb.start()
    lengths = tb.rng.integers(1, 160, size=24)
    collector = cocotb.start_soon(tb.collect(len(lengths), max_cycles=2000))
    for n in lengths:
        await tb.send_row(*rand_rows(tb.rng, int(n)))
    await collector
    tb.check()


@cocotb.test()
async def test_residual_edge_cases(dut):
    """Zeros, +/- saturation in both directions, extremes that cancel, single elements."""
    tb = TB(dut, "test_residual_edge_cases")
    await tb.start()
    mx, mn = I32.max, I32.min
    pairs = [
        (np.zeros(64), np.zeros(64)),
        (np.full(8, mx), np.full(8, mx)),                 # +sat
        (np.full(8, mn), np.full(8, mn)),                 # -sat
        (np.array([mx, mn, mx, mn, 1]), np.array([mn, mx, 1, -1, -1])),
        (np.array([mx - 5, mn + 5, 7]), np.array([5, -5, -7])),   # exactly at the limits
        (np.array([mx - 5, mn + 5]), np.array([6, -6])),          # one past the limits
        (np.array([3]), np.array([-4])),
    ]
    collector = cocotb.start_soon(tb.collect(len(pairs), max_cycles=500))
    for h, x in pairs:
        await tb.send_row(np.asarray(h, dtype=np.int64), np.asarray(x, dtype=np.int64))
    await collector
    tb.check()


@cocotb.test()
async def test_residual_model_rows(dut):
    """Both residual adds of every layer of the tiny golden model (6 tokens)."""
    tb = TB(dut, "test_residual_model_rows")
    await tb.start()
    pairs = model_rows()
    collector = cocotb.start_soon(tb.collect(len(pairs), max_cycles=500))
    for h, x in pairs:
        await tb.send_row(h, x)
    await collector
    tb.check()


@cocotb.test()
async def test_residual_tlast_mismatch(dut):
    """Rows of different lengths on h and x raise the sticky err_last_o."""
    tb = TB(dut, "test_residual_tlast_mismatch", p_stall=0.0)
    await tb.start()
    await tb.src_h.send(pack_ints(np.arange(8), 32, tb.lanes))
    await tb.src_x.send(pack_ints(np.arange(12), 32, tb.lanes))
    await wait_until(dut.clk_i, lambda: int(dut.err_last_o.value) == 1, 100, "err_last_o")
    await ClockCycles(dut.clk_i, 2)
    assert int(dut.err_last_o.value) == 1, "err_last_o is not sticky"


@cocotb.test()
async def test_residual_throughput(dut):
    """Without backpressure the adder takes one beat per cycle."""
    tb = TB(dut, "test_residual_throughput", p_stall=0.0)
    await tb.start()
    n_rows, d = 8, 64
    beats = n_rows * d // tb.lanes
    start = cocotb.utils.get_sim_time("ns")
    t_in = cocotb.start_soon(wait_until(
        dut.clk_i, lambda: int(dut.s_axis_h_tvalid_i.value) and int(dut.s_axis_h_tready_o.value),
        100, "first input beat"))
    t_out = cocotb.start_soon(wait_until(dut.clk_i, lambda: int(dut.m_axis_tvalid_o.value), 100,
                                         "first output beat"))
    collector = cocotb.start_soon(tb.collect(n_rows, max_cycles=2 * beats))
    for _ in range(n_rows):
        await tb.send_row(*rand_rows(tb.rng, d))
    await collector
    cycles = (cocotb.utils.get_sim_time("ns") - start) / 4
    latency = t_out.result() - t_in.result()
    dut._log.info("residual: %d rows of %d values (%d beats) in %.0f cycles, latency %d cycle(s)",
                  n_rows, d, beats, cycles, latency)
    tb.check()
    assert latency == 1, f"latency {latency} cycles (documented: 1)"
    assert cycles <= beats + 8, f"{cycles} cycles for {beats} beats"
