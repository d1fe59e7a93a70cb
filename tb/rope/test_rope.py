"""cocotb tests of rope: rotate-half RoPE + int8 requantisation, bit-exact vs the golden model."""

from __future__ import annotations

import cocotb
import numpy as np
from bitnet_golden import IntModel, get_shape, random_weights
from bitnet_golden.fixedpoint import rope_tables
from bitnet_golden.model import merge_heads, split_heads
from bitnet_golden.ops_int import requant_int8, rope_int
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiStreamFrame

from tb.common.env import start_clock_reset, test_rng, wait_until
from tb.common.runner import Block
from tb.common.scoreboard import Scoreboard
from tb.common.streams import frame_tuser, pack_ints, stream_sink, stream_source, unpack_ints

BLOCK = Block("rope", sources=("rope/rope.sv",),
              parameters={"LANES": 4, "OUT_LANES": 16, "HEAD_DIM": 16, "MAX_CTX": 256, "D_MAX": 128})
I32 = np.iinfo(np.int32)
ONE = 1 << 16
THETA = 10000.0


class TB:
    def __init__(self, dut, name: str, p_stall: float = 0.3):
        self.dut = dut
        self.rng = test_rng(dut, name)
        self.lanes = int(dut.LANES.value)
        self.out_lanes = int(dut.OUT_LANES.value)
        self.head_dim = int(dut.HEAD_DIM.value)
        self.max_ctx = int(dut.MAX_CTX.value)
        self.d_max = int(dut.D_MAX.value)
        self.pw = (self.max_ctx - 1).bit_length()
        self.cos_t, self.sin_t = rope_tables(self.head_dim, self.max_ctx, THETA)
        self.src = stream_source(dut, "s_axis", dut.clk_i, self.rng, p_stall)
        self.snk = stream_sink(dut, "m_axis", dut.clk_i, self.rng, p_stall)
        self.sb = Scoreboard("rope q8", dut._log)
        self.sb_user = Scoreboard("rope tuser", dut._log)
        self.row_times: list[float] = []
        dut.t_we_i.value = 0

    async def start(self, load_tables: bool = True) -> None:
        await start_clock_reset(self.dut)
        if load_tables:
            await self.load_tables()

    async def load_tables(self) -> None:
        """Write the golden cos/sin tables through the table port (one word per cycle)."""
        half = self.head_dim // 2
        cs = np.stack([self.cos_t, self.sin_t], axis=-1).reshape(self.max_ctx, half // self.lanes, -1)
        nbytes = 4 * self.lanes
        words = cs.reshape(-1, 2 * self.lanes).astype("<i2").tobytes()
        await RisingEdge(self.dut.clk_i)
        for a in range(len(words) // nbytes):
            self.dut.t_we_i.value = 1
            self.dut.t_waddr_i.value = a
            self.dut.t_wdata_i.value = int.from_bytes(words[a * nbytes:(a + 1) * nbytes], "little")
            await RisingEdge(self.dut.clk_i)
        self.dut.t_we_i.value = 0

    def job(self, pos: int, frac: int, rot: bool) -> int:
        return (int(rot) << (self.pw + 5)) | (frac << self.pw) | pos

    def golden(self, x: np.ndarray, pos: int, frac: int, rot: bool) -> np.ndarray:
        if rot:
            heads = x.reshape(-1, 1, self.head_dim)                     # [H, L=1, dh]
            x = rope_int(heads, np.array([pos]), self.cos_t, self.sin_t).reshape(-1)
        return requant_int8(x, frac)

    async def send_row(self, x: np.ndarray, pos: int, frac: int, rot: bool,
                       expected: np.ndarray | None = None, job: int | None = None) -> None:
        """Queue one row; expected int8 values from the golden model (zero padding included)."""
        if expected is None:
            expected = self.golden(x, pos, frac, rot)
        n_out = -(-len(expected) // self.lanes) * self.lanes
        n_out = -(-n_out // self.out_lanes) * self.out_lanes
        self.sb.expect(np.concatenate([expected, np.zeros(n_out - len(expected), dtype=np.int64)]))
        job = self.job(pos, frac, rot) if job is None else job
        self.sb_user.expect(np.array([job]))
        await self.src.send(AxiStreamFrame(pack_ints(x, 32, self.lanes), tuser=job))

    async def collect(self, n_rows: int, max_cycles: int) -> None:
        for _ in range(n_rows):
            await wait_until(self.dut.clk_i, lambda: not self.snk.empty(), max_cycles, "output row")
            frame = self.snk.recv_nowait()
            self.sb.observe(unpack_ints(frame.tdata, 8))
            tu = set(frame_tuser(frame))
            assert len(tu) == 1, f"tuser changed within a row: {sorted(tu)}"
            self.sb_user.observe(np.array([tu.pop()]))
            self.row_times.append(cocotb.utils.get_sim_time("ns"))

    def check(self, err_cfg: int = 0) -> None:
        self.sb.check()
        self.sb_user.check()
        assert int(self.dut.err_overflow_o.value) == 0, "unexpected overflow error"
        assert int(self.dut.err_cfg_o.value) == err_cfg, f"err_cfg_o != {err_cfg}"


def rand_row(rng: np.random.Generator, n: int) -> tuple[np.ndarray, int]:
    """Projection-like Q.16 row at a random scale and a frac_bits that mostly fits it in int8."""
    scale = 2.0 ** rng.uniform(-4, 12)
    x = np.clip(np.round(rng.standard_normal(n) * scale * ONE), I32.min, I32.max).astype(np.int64)
    fit = int(np.clip(np.floor(np.log2(127.0 / (1.25 * max(np.abs(x).max() / ONE, 1e-9)))), 0, 16))
    frac = fit if rng.random() < 0.6 else int(rng.integers(0, 17))
    return x, frac


@cocotb.test()
async def test_rope_random(dut):
    """Random Q/K rows (random head counts and positions) mixed with V rows of any length."""
    tb = TB(dut, "test_rope_random")
    await tb.start()
    n_rows = 20
    collector = cocotb.start_soon(tb.collect(n_rows, max_cycles=40 * tb.d_max))
    for _ in range(n_rows):
        rot = bool(tb.rng.random() < 0.7)
        if rot:
            n = tb.head_dim * int(tb.rng.integers(1, tb.d_max // tb.head_dim + 1))
        else:
            n = int(tb.rng.integers(1, tb.d_max + 1))
        x, frac = rand_row(tb.rng, n)
        await tb.send_row(x, int(tb.rng.integers(0, tb.max_ctx)), frac, rot)
    await collector
    tb.check()


def tie_head(rng: np.random.Generator, c: np.ndarray, s: np.ndarray, hi: bool,
             rem: int = 1 << 13) -> np.ndarray:
    """One head of small values whose rotation has remainder `rem` before the >> 14 (2^13: an
    exact .5 tie; 2^13 - 1: just below) in the lo half (hi False) or the hi half, with
    |x'| < 128 so that frac_bits = 16 shows every output LSB."""
    half = len(c)
    a, b = np.meshgrid(np.arange(-90, 91), np.arange(-90, 91), indexing="ij")
    x = np.zeros(2 * half, dtype=np.int64)
    for i in range(half):
        t = a * c[i] + b * s[i] if hi else a * c[i] - b * s[i]      # a = this half, b = partner
        ok = np.argwhere(np.mod(t, 1 << 14) == rem)
        if len(ok):
            ia, ib = ok[rng.integers(len(ok))]
            own, other = (i + half, i) if hi else (i, i + half)
            x[own], x[other] = a[ia, ib], b[ia, ib]
    return x


@cocotb.test()
async def test_rope_edge_cases(dut):
    """Positions 0 and max_ctx-1, zero rows, int32 extremes (sat32 before sat8), frac 0/16, ties,
    V rows whose length is not a multiple of the input or output beat width."""
    tb = TB(dut, "test_rope_edge_cases")
    await tb.start()
    hd, half, last = tb.head_dim, tb.head_dim // 2, tb.max_ctx - 1
    full = tb.d_max
    ext = np.concatenate([np.full(half, I32.max), np.full(half, I32.min)]).astype(np.int64)
    ties = (2 * np.arange(-hd // 2, hd // 2) + 1).astype(np.int64) << 9          # .5 at frac 6
    rows = [
        (np.zeros(full, dtype=np.int64), 0, 8, True),
        (np.zeros(full, dtype=np.int64), last, 8, True),
        (tb.rng.integers(-8 * ONE, 8 * ONE, size=full), 0, 4, True),         # identity rotation
        (tb.rng.integers(-8 * ONE, 8 * ONE, size=full), last, 4, True),
        (np.tile(ext, full // hd), last, 16, True),                         # |x'| > 2^31: sat32
        (np.tile(ext, full // hd), last, 0, True),
        (np.tile(np.clip(-ext, I32.min, I32.max), full // hd), int(tb.rng.integers(1, tb.max_ctx)),
         0, True),
        (ties, 0, 6, True),                                                 # requant ties
        (ties, 0, 6, False),
        (ties - 1, 0, 6, True),                                             # one below a tie
        (ties - 1, 0, 6, False),
        (ties, last, 6, True),
        (np.array([I32.max, I32.min, -1, 1, 0], dtype=np.int64), last, 16, False),  # 5 values
        (np.array([I32.max, I32.min, 3 * ONE], dtype=np.int64), 7, 0, False),
        (tb.rng.integers(-ONE, ONE, size=tb.out_lanes + 3), 0, 10, False),
        (tb.rng.integers(-ONE, ONE, size=hd), last, 16, True),               # one head
    ]
    for pos in (last, int(tb.rng.integers(1, tb.max_ctx))):                 # rotation ties
        for hi in (False, True):
            for rem in (1 << 13, (1 << 13) - 1):
                rows.append((tie_head(tb.rng, tb.cos_t[pos], tb.sin_t[pos], hi, rem), pos, 16, True))
    collector = cocotb.start_soon(tb.collect(len(rows), max_cycles=40 * tb.d_max))
    for x, pos, frac, rot in rows:
        await tb.send_row(np.asarray(x, dtype=np.int64), pos, frac, rot)
    await collector
    tb.check()


def model_qkv(model: IntModel, tokens: np.ndarray,
              start_pos: int) -> list[tuple[str, np.ndarray, np.ndarray, int]]:
    """(kind, rows [L, d] Q.16 before RoPE, positions, frac) of every layer for one forward pass."""
    model.reset()
    model.pos = start_pos
    model.forward(tokens)
    pos = np.arange(start_pos, start_pos + len(tokens))
    s = model.w.shape
    cos_t, sin_t = model.w.rope()
    out = []
    for li, tr in enumerate(model.traces[0]):
        lw = model.w.layers[li]
        a = model.norm(tr.x_in, li, "input")
        for kind, frac, trace in (("q", lw.fq, tr.q8), ("k", lw.fk, tr.k8), ("v", lw.fv, tr.v8)):
            x = model.bitlinear(a, li, kind)
            y = split_heads(x, s.n_heads)
            if kind != "v":
                y = rope_int(y, pos, cos_t, sin_t)
            assert np.array_equal(merge_heads(requant_int8(y, frac)), trace), "golden trace"
            out.append((kind, x, pos, frac))
    return out


@cocotb.test()
async def test_rope_model_rows(dut):
    """Q, K (rotated) and V (not) rows of the tiny golden model, prefill at positions 0.. and at
    the end of the context (max_ctx-3 .. max_ctx-1)."""
    tb = TB(dut, "test_rope_model_rows")
    await tb.start()
    model = IntModel(random_weights(get_shape("tiny"), seed=5))
    s = model.w.shape
    same = tb.head_dim == s.head_dim and tb.max_ctx == s.max_ctx
    toks = np.random.default_rng(5).integers(0, s.vocab, size=4)
    jobs = model_qkv(model, toks, 0) + model_qkv(model, toks[:3], s.max_ctx - 3)
    rows = [(kind, x_row, int(p), frac) for kind, x, pos, frac in jobs
            for x_row, p in zip(x, pos, strict=True)]
    collector = cocotb.start_soon(tb.collect(len(rows), max_cycles=40 * tb.d_max))
    for kind, x_row, p, frac in rows:
        # another head_dim/max_ctx: the same values as heads of this block's size, in-range position
        await tb.send_row(x_row[:tb.d_max], p if same else p % tb.max_ctx, frac, kind != "v")
    await collector
    tb.check()


@cocotb.test()
async def test_rope_err_frac(dut):
    """frac_bits 17 raises err_cfg_o and is clamped to 16."""
    tb = TB(dut, "test_rope_err_frac")
    await tb.start()
    x, _ = rand_row(tb.rng, tb.head_dim)
    collector = cocotb.start_soon(tb.collect(1, max_cycles=40 * tb.d_max))
    await tb.send_row(x, 3, 17, True, expected=tb.golden(x, 3, 16, True), job=tb.job(3, 17, True))
    await collector
    tb.check(err_cfg=1)


@cocotb.test()
async def test_rope_err_heads(dut):
    """A rotated row that is not a whole number of heads raises err_cfg_o (never a hang)."""
    tb = TB(dut, "test_rope_err_heads", p_stall=0.0)
    await tb.start()
    x, frac = rand_row(tb.rng, tb.head_dim + tb.lanes)
    await tb.src.send(AxiStreamFrame(pack_ints(x, 32, tb.lanes), tuser=tb.job(1, frac, True)))
    await wait_until(dut.clk_i, lambda: not tb.snk.empty(), 40 * tb.d_max, "output row")
    await ClockCycles(dut.clk_i, 2)
    assert int(dut.err_cfg_o.value) == 1, "partial head not reported"
    # the block keeps working: a good row after the bad one is exact
    tb.snk.recv_nowait()
    x, frac = rand_row(tb.rng, tb.head_dim)
    collector = cocotb.start_soon(tb.collect(1, max_cycles=40 * tb.d_max))
    await tb.send_row(x, 2, frac, True)
    await collector
    tb.check(err_cfg=1)


@cocotb.test()
async def test_rope_err_overflow_pos(dut):
    """A row longer than D_MAX is cut (err_overflow_o); pos >= MAX_CTX raises err_cfg_o when the
    position field can hold it (MAX_CTX not a power of two)."""
    tb = TB(dut, "test_rope_err_overflow_pos", p_stall=0.0)
    await tb.start()
    x, frac = rand_row(tb.rng, tb.d_max + tb.head_dim)
    collector = cocotb.start_soon(tb.collect(1, max_cycles=40 * tb.d_max))
    await tb.send_row(x, 5, frac, True, expected=tb.golden(x[:tb.d_max], 5, frac, True))
    await collector
    tb.sb.check()
    assert int(dut.err_overflow_o.value) == 1, "overflow not reported"
    assert int(dut.err_cfg_o.value) == 0, "spurious err_cfg_o"
    if tb.max_ctx < (1 << tb.pw):
        await tb.src.send(AxiStreamFrame(pack_ints(x[:tb.head_dim], 32, tb.lanes),
                                         tuser=tb.job(tb.max_ctx, frac, True)))
        await wait_until(dut.clk_i, lambda: int(dut.err_cfg_o.value) == 1, 200, "err_cfg_o")
    else:
        dut._log.info("MAX_CTX=%d is a power of two: pos >= MAX_CTX cannot be encoded", tb.max_ctx)


@cocotb.test()
async def test_rope_throughput(dut):
    """Back-to-back full rows without backpressure: one input beat per cycle plus a small gap."""
    tb = TB(dut, "test_rope_throughput", p_stall=0.0)
    await tb.start()
    n_rows, beats = 8, tb.d_max // tb.lanes
    start = cocotb.utils.get_sim_time("ns")
    t_in = cocotb.start_soon(wait_until(
        dut.clk_i, lambda: (int(dut.s_axis_tvalid_i.value) and int(dut.s_axis_tready_o.value)
                            and int(dut.s_axis_tlast_i.value)), 4 * tb.d_max, "first input tlast"))
    t_out = cocotb.start_soon(wait_until(dut.clk_i, lambda: int(dut.m_axis_tvalid_o.value),
                                         4 * tb.d_max, "first output beat"))
    collector = cocotb.start_soon(tb.collect(n_rows, max_cycles=40 * tb.d_max))
    for i in range(n_rows):
        x, frac = rand_row(tb.rng, tb.d_max)
        await tb.send_row(x, i, frac, True)
    await collector
    first = (tb.row_times[0] - start) / 4
    period = (tb.row_times[-1] - tb.row_times[0]) / 4 / (n_rows - 1)
    latency = t_out.result() - t_in.result()
    groups = tb.out_lanes // tb.lanes
    dut._log.info("rope: rows of %d values (%d input beats, %d output beats): first output beat %d "
                  "cycles after the last input beat, first row out after %.0f cycles, then %.1f "
                  "cycles/row", tb.d_max, beats, -(-tb.d_max // tb.out_lanes), latency, first, period)
    tb.check()
    assert latency == 4 + groups, f"latency {latency} cycles (documented: 4 + {groups})"
    assert first <= 2 * beats + 12, f"first row after {first} cycles"
    assert period <= beats + 2, f"{period} cycles per row of {beats} beats"
