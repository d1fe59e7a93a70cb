"""cocotb tests of rmsnorm: two-pass integer RMSNorm with a gain memory, bit-exact vs golden."""

from __future__ import annotations

import cocotb
import numpy as np
from bitnet_golden import IntModel, get_shape, random_weights
from bitnet_golden.fixedpoint import rsqrt_norm
from bitnet_golden.ops_int import GAMMA_SHIFT, rmsnorm_gamma_int, rmsnorm_int, swiglu_int
from cocotb.triggers import ClockCycles, RisingEdge
from cocotbext.axi import AxiStreamFrame

from tb.common.env import start_clock_reset, test_rng, wait_until
from tb.common.runner import Block
from tb.common.scoreboard import Scoreboard
from tb.common.streams import pack_ints, stream_sink, stream_source, unpack_ints

BLOCK = Block("rmsnorm", sources=("rmsnorm/rsqrt_rom.sv", "rmsnorm/rmsnorm.sv"),
              parameters={"LANES": 4, "D_MAX": 256, "G_WORDS": 256})
I32 = np.iinfo(np.int32)
ONE = 1 << 16


class TB:
    def __init__(self, dut, name: str, p_stall: float = 0.3):
        self.dut = dut
        self.rng = test_rng(dut, name)
        self.lanes = int(dut.LANES.value)
        self.d_max = int(dut.D_MAX.value)
        self.g_words = int(dut.G_WORDS.value)
        self.gaw = int(dut.GAW.value)
        self.src = stream_source(dut, "s_axis", dut.clk_i, self.rng, p_stall)
        self.snk = stream_sink(dut, "m_axis", dut.clk_i, self.rng, p_stall)
        self.sb = Scoreboard("rmsnorm", dut._log)
        self.next_base = 0
        self.row_times: list[float] = []
        dut.g_we_i.value = 0

    async def start(self) -> None:
        await start_clock_reset(self.dut)

    async def load_gains(self, g: np.ndarray, gap: int = 0) -> int:
        """Write a gain vector through the gain write port (one word per cycle); returns its base."""
        base = self.next_base + gap
        data = pack_ints(g, 32, self.lanes)
        nbytes = 4 * self.lanes
        n_words = len(data) // nbytes
        assert base + n_words <= self.g_words, "gain memory full (test bug)"
        await RisingEdge(self.dut.clk_i)  # leave a ReadOnly phase before writing
        for i in range(n_words):
            self.dut.g_we_i.value = 1
            self.dut.g_waddr_i.value = base + i
            self.dut.g_wdata_i.value = int.from_bytes(data[i * nbytes:(i + 1) * nbytes], "little")
            await RisingEdge(self.dut.clk_i)
        self.dut.g_we_i.value = 0
        self.next_base = base + n_words
        return base

    async def send_row(self, h: np.ndarray, base: int, g: np.ndarray, eps: int,
                       expected: np.ndarray | None = None) -> None:
        """Queue one row for the gain vector at `base`; expected values from the golden model."""
        if expected is None:
            expected = rmsnorm_int(h[None, :], g[None, :len(h)], eps)[0]
        pad = (-len(h)) % self.lanes
        self.sb.expect(np.concatenate([expected, np.zeros(pad, dtype=np.int64)]))
        await self.src.send(AxiStreamFrame(pack_ints(h, 32, self.lanes),
                                           tuser=(eps << self.gaw) | base))

    async def collect(self, n_rows: int, max_cycles: int) -> None:
        for _ in range(n_rows):
            await wait_until(self.dut.clk_i, lambda: not self.snk.empty(), max_cycles, "output row")
            self.sb.observe(unpack_ints(self.snk.recv_nowait().tdata, 32))
            self.row_times.append(cocotb.utils.get_sim_time("ns"))

    def check(self) -> None:
        self.sb.check()
        assert int(self.dut.err_overflow_o.value) == 0, "unexpected overflow error"
        assert int(self.dut.err_gain_o.value) == 0, "unexpected gain address error"


def rand_gains(rng: np.random.Generator, d: int) -> np.ndarray:
    """Gains as the model makes them: G = round(g * sqrt(d) * 2^16), g ~ 1 + 0.1 N(0, 1)."""
    return rmsnorm_gamma_int(1.0 + 0.1 * rng.standard_normal(d))


def rand_row(rng: np.random.Generator, n: int) -> np.ndarray:
    """Residual-stream-like rows at a random scale; sometimes sparse with one dominant value."""
    scale = 2.0 ** rng.uniform(-6, 14) * ONE
    row = rng.standard_normal(n) * scale
    if rng.random() < 0.25:
        row *= rng.random(n) < 0.1
        row[rng.integers(n)] = scale * 50
    return np.clip(np.round(row), I32.min, I32.max).astype(np.int64)


def model_norm_jobs(n_tokens: int = 6, seed: int = 5) -> list[tuple[str, np.ndarray, np.ndarray, int]]:
    """(name, rows, G, eps_int) of every RMSNorm of the tiny golden model for one prefill."""
    model = IntModel(random_weights(get_shape("tiny"), seed=seed))
    final = model.forward(np.random.default_rng(seed).integers(0, model.w.shape.vocab, size=n_tokens))
    w = model.w
    jobs = []
    for li, tr in enumerate(model.traces[0]):
        a = model.norm(tr.h_mid, li, "post")
        f = swiglu_int(model.bitlinear(a, li, "gate"), model.bitlinear(a, li, "up"))
        for name, x in (("input", tr.x_in), ("attn_sub", tr.attn), ("post", tr.h_mid),
                        ("ffn_sub", f)):
            jobs.append((f"L{li}.{name}", x, w.gamma_int(li, name), w.eps_int(x.shape[-1])))
    h_last = model.traces[0][-1].h_out
    g_fin, eps_fin = w.gamma_int(None, "final"), w.eps_int(h_last.shape[-1])
    assert np.array_equal(rmsnorm_int(h_last, g_fin, eps_fin), final), "golden final norm"
    jobs.append(("final", h_last, g_fin, eps_fin))
    return jobs


@cocotb.test()
async def test_rmsnorm_random(dut):
    """Random rows (random lengths, scales, eps) against three gain vectors at different bases."""
    tb = TB(dut, "test_rmsnorm_random")
    await tb.start()
    vecs = []
    for d in (64, 128, tb.d_max):
        g = rand_gains(tb.rng, d)
        vecs.append((await tb.load_gains(g, gap=int(tb.rng.integers(0, 4))), g))
    n_rows = 16
    collector = cocotb.start_soon(tb.collect(n_rows, max_cycles=40 * tb.d_max))
    for _ in range(n_rows):
        base, g = vecs[int(tb.rng.integers(len(vecs)))]
        n = int(tb.rng.integers(1, len(g) + 1)) if tb.rng.random() < 0.5 else len(g)
        eps = int(tb.rng.integers(1, 1 << 20))
        await tb.send_row(rand_row(tb.rng, n), base, g, eps)
    await collector
    tb.check()


@cocotb.test()
async def test_rmsnorm_edge_cases(dut):
    """Zero rows, int32 extremes, single elements, the e2 = 0 path, power-of-two V, saturation."""
    tb = TB(dut, "test_rmsnorm_edge_cases")
    await tb.start()
    d = tb.d_max
    g_model = rand_gains(tb.rng, d)
    g_ext = np.resize(np.array([I32.max, I32.min, -ONE, 3 * ONE, 0, 1], dtype=np.int64), d)
    b_model = await tb.load_gains(g_model)
    b_ext = await tb.load_gains(g_ext, gap=3)
    rows = [
        (np.zeros(d, dtype=np.int64), b_model, g_model, 1),
        (np.full(d, I32.max, dtype=np.int64), b_model, g_model, 1),           # largest ssq
        (np.full(d, I32.min, dtype=np.int64), b_ext, g_ext, 1),
        (np.array([I32.min], dtype=np.int64), b_ext, g_ext, 1),               # one element
        (np.array([1], dtype=np.int64), b_model, g_model, 1),                 # V = 1, e2 = 0
        (np.array([255, -255, 361, 1], dtype=np.int64), b_ext, g_ext, 1),      # V in [1, 3]
        (np.array([362, -362, 100], dtype=np.int64), b_ext, g_ext, 1),
        (np.array([1 << 28], dtype=np.int64), b_model, g_model, 0),           # V = 2^40
        (np.array([(1 << 28) - 1], dtype=np.int64), b_model, g_model, (1 << 13) - 1),  # 2^40 - 1
        (np.array([1 << 27, 1 << 27], dtype=np.int64), b_model, g_model, 0),  # V = 2^39 (odd)
        (np.array([ONE] * 3, dtype=np.int64), b_ext, g_ext, (1 << 31) - 3 * ONE),
        (np.array([I32.max, 0, 0, 0, 5, -5, I32.min], dtype=np.int64), b_ext, g_ext, 7),
        (np.resize(np.array([1 << 20, -(1 << 20)], dtype=np.int64), 37), b_ext, g_ext, 2**32 - 1),
    ]
    collector = cocotb.start_soon(tb.collect(len(rows) + 1, max_cycles=40 * d))
    for h, base, g, eps in rows:
        await tb.send_row(h, base, g, eps)
    # eps_int = 0 with an all-zero row: V = 0 is treated as V = 1 (documented), output all zero
    await tb.send_row(np.zeros(9, dtype=np.int64), b_model, g_model, 0,
                      expected=np.zeros(9, dtype=np.int64))
    await collector
    tb.check()


def gain_tie_gains(rng: np.random.Generator, h: np.ndarray, eps: int) -> np.ndarray:
    """Gains that put u * G exactly on a .5 tie (or one LSB below) of the final >> 24 wherever u
    is odd; u comes from the golden path itself (G = 2^24 gives y = u)."""
    u = rmsnorm_int(h[None, :], np.full((1, len(h)), 1 << GAMMA_SHIFT), eps)[0]
    g = rand_gains(rng, len(h))
    half = 1 << (GAMMA_SHIFT - 1)
    for i in np.flatnonzero(u & 1):
        rem = half if i % 2 else half - 1
        g[i] = (rem * pow(int(u[i]) % (1 << GAMMA_SHIFT), -1, 1 << GAMMA_SHIFT)) % (1 << GAMMA_SHIFT)
        g[i] -= int(rng.integers(0, 2)) << GAMMA_SHIFT                     # both signs of G
    return g


def scale_tie_row(rng: np.random.Generator, n: int) -> tuple[np.ndarray, int]:
    """A row whose V is set by one large element (the others are < 256, so h^2 >> 16 = 0) and
    whose small elements put h * y1 on a .5 tie (or one LSB below) of the >> (e2/2 - 1)."""
    while True:
        h0, eps = int(rng.integers(1 << 16, 1 << 19)), int(rng.integers(1, 64))
        y1, e2 = (int(v[0]) for v in rsqrt_norm(np.array([(h0 * h0 >> 16) + eps])))
        sh = e2 // 2 - 1
        if y1 % 2 and sh >= 2:
            break
    cand = np.arange(-255, 256)
    mod = (cand * y1) % (1 << sh)
    picks = cand[(mod == 1 << (sh - 1)) | (mod == (1 << (sh - 1)) - 1)]
    row = np.concatenate([[h0], rng.permutation(np.resize(picks, n - 1))]).astype(np.int64)
    return row, eps


@cocotb.test()
async def test_rmsnorm_rounding(dut):
    """Exact ties and one-below-tie remainders in both roundings (h * y1 >> s and u * G >> 24)."""
    tb = TB(dut, "test_rmsnorm_rounding")
    await tb.start()
    g_unit = np.full(tb.d_max, 1 << GAMMA_SHIFT, dtype=np.int64)       # y = u
    b_unit = await tb.load_gains(g_unit)
    jobs = []
    for _ in range(3):
        row, eps = scale_tie_row(tb.rng, 48)
        jobs.append((row, b_unit, g_unit, eps))
    for _ in range(2):
        row, eps = rand_row(tb.rng, 64), int(tb.rng.integers(1, 1 << 16))
        g = gain_tie_gains(tb.rng, row, eps)
        jobs.append((row, await tb.load_gains(g), g, eps))
    collector = cocotb.start_soon(tb.collect(len(jobs), max_cycles=40 * tb.d_max))
    for row, base, g, eps in jobs:
        await tb.send_row(row, base, g, eps)
    await collector
    tb.check()


@cocotb.test()
async def test_rmsnorm_model_rows(dut):
    """Every RMSNorm of the tiny golden model (input, attn_sub, post, ffn_sub x 2 layers, final)."""
    tb = TB(dut, "test_rmsnorm_model_rows")
    await tb.start()
    jobs = model_norm_jobs()
    bases = [await tb.load_gains(g, gap=1) for _, _, g, _ in jobs]
    n_rows = sum(len(x) for _, x, _, _ in jobs)
    collector = cocotb.start_soon(tb.collect(n_rows, max_cycles=40 * tb.d_max))
    for (_, x, g, eps), base in zip(jobs, bases, strict=True):
        for row in x:
            await tb.send_row(row, base, g, eps)
    await collector
    tb.check()


@cocotb.test()
async def test_rmsnorm_errors(dut):
    """A row longer than D_MAX is cut (err_overflow_o); a gain vector past G_WORDS sets err_gain_o."""
    tb = TB(dut, "test_rmsnorm_errors", p_stall=0.0)
    await tb.start()
    d = tb.d_max
    g = rand_gains(tb.rng, d)
    base = await tb.load_gains(g)
    row = rand_row(tb.rng, d + 3 * tb.lanes)
    collector = cocotb.start_soon(tb.collect(1, max_cycles=40 * d))
    tb.sb.expect(rmsnorm_int(row[None, :d], g[None, :], 1)[0])
    await tb.src.send(AxiStreamFrame(pack_ints(row, 32, tb.lanes), tuser=(1 << tb.gaw) | base))
    await collector
    await ClockCycles(dut.clk_i, 2)
    tb.sb.check()
    assert int(dut.err_overflow_o.value) == 1, "overflow not reported"
    assert int(dut.err_gain_o.value) == 0, "spurious gain address error"
    # a 2-beat row whose gain vector would start at the last word of the gain memory
    await tb.src.send(AxiStreamFrame(pack_ints(np.ones(2 * tb.lanes), 32, tb.lanes),
                                     tuser=(1 << tb.gaw) | (tb.g_words - 1)))
    await wait_until(dut.clk_i, lambda: int(dut.err_gain_o.value) == 1, 200, "err_gain_o")
    await wait_until(dut.clk_i, lambda: not tb.snk.empty(), 200, "output of the bad row")


@cocotb.test()
async def test_rmsnorm_throughput(dut):
    """Back-to-back rows without backpressure: cycles per row for d_model-sized and D_MAX rows."""
    tb = TB(dut, "test_rmsnorm_throughput", p_stall=0.0)
    await tb.start()
    for d in (64, tb.d_max):
        g = rand_gains(tb.rng, d)
        base = await tb.load_gains(g)
        n_rows, beats = 8, d // tb.lanes
        start = cocotb.utils.get_sim_time("ns")
        tb.row_times.clear()
        t_in = cocotb.start_soon(wait_until(
            dut.clk_i, lambda: (int(dut.s_axis_tvalid_i.value) and int(dut.s_axis_tready_o.value)
                                and int(dut.s_axis_tlast_i.value)), 4 * d, "first input tlast"))
        t_out = cocotb.start_soon(wait_until(dut.clk_i, lambda: int(dut.m_axis_tvalid_o.value),
                                             4 * d, "first output beat"))
        collector = cocotb.start_soon(tb.collect(n_rows, max_cycles=40 * d))
        for _ in range(n_rows):
            await tb.send_row(rand_row(tb.rng, d), base, g, 42)
        await collector
        first = (tb.row_times[0] - start) / 4
        period = (tb.row_times[-1] - tb.row_times[0]) / 4 / (n_rows - 1)
        latency = t_out.result() - t_in.result()
        dut._log.info("rmsnorm: rows of %d values (%d beats): first output beat %d cycles after the "
                      "last input beat, first row out after %.0f cycles, then %.1f cycles/row (%d rows)",
                      d, beats, latency, first, period, n_rows)
        assert latency == 10, f"latency {latency} cycles (documented: 10)"
        # fill: the row in, the rsqrt, the pipeline; then one beat per cycle + the rsqrt overhead
        assert first <= 2 * beats + 16, f"first row after {first} cycles"
        assert period <= beats + 4, f"{period} cycles per row of {beats} beats"
    tb.check()
