"""cocotb tests of rm_decode, the PD-Swap Decode attention RM (docs/rm_decode.md).

Every O row is compared bit for bit with ``bitnet_golden.ops_int.attention_int``; the KV cache
lives in the HP memory model (tb/common/axi_mem.py, random latency / backpressure / outstanding
limits), the new token's Q/K/V rows are streamed with random gaps, the O stream is back-pressured
at random, and after every job the memory image must equal the expected cache (old rows
untouched, the new K/V rows appended). Environment knobs (set by tests/test_rm_decode.py):

* ``DECODE_LENGTHS``: comma-separated context lengths L (keys 0..L-1, pos0 = L-1) for
  ``test_decode_lengths``;
* ``PDSWAP_BENCH_JSON``: enables ``test_decode_bench`` (bench memory, no backpressure) and names
  the JSON file it writes; ``DECODE_BENCH_LENGTHS`` its lengths; ``DECODE_BENCH_MEM_OUT`` the
  memory's per-port limit of outstanding bursts (sweeps the outstanding depth without a rebuild).
"""

from __future__ import annotations

import json
import os
import time

import cocotb
import numpy as np
from bitnet_golden.ops_int import attention_int, exp_scale_int
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge
from cocotb.utils import get_sim_steps, get_sim_time
from cocotbext.axi import AxiResp, AxiStreamFrame

from tb.common import rp_if as rp
from tb.common.axi_mem import HpMemory, MemConfig, PortStats
from tb.common.env import CLK_PERIOD_NS, CycleTimeout, start_clock_reset, test_rng, wait_until
from tb.common.runner import Block
from tb.common.scoreboard import Scoreboard
from tb.common.streams import frame_tuser, stream_sink, stream_source, unpack_ints

BLOCK = Block(
    "rm_decode",
    sources=("rp/rp_pkg.sv", "attn/attn_pkg.sv", "attn/exp2_rom.sv", "attn/attn_exp2.sv",
             "dma/axi_dma_fifo.sv", "dma/axi_dma_burst.sv", "dma/axi_dma_rd.sv",
             "dma/axi_dma_wr.sv",
             "rm_decode/rmd_recip.sv", "rm_decode/rmd_cmdgen.sv", "rm_decode/rmd_klane.sv",
             "rm_decode/rmd_softmax.sv", "rm_decode/rmd_vlane.sv", "rm_decode/rmd_merge.sv",
             "rm_decode/rm_decode.sv"),
    parameters={"HEAD_DIM": 16, "MAX_CTX": 256, "PORT_MAP": 0, "MAX_OUTSTANDING": 8,
                "VQ_DEPTH": 32, "DIV_STEPS": 2},
)

MEM_BASE = 0x80_0000_0000          # top address bit set: exercises the full 40-bit path
N_REGION_PAIRS = 8                 # (layer, head) K/V region pairs in memory
PDSWAP, UNIFORM = 0, 1


class DecodeTB:
    """One rm_decode instance, its HP memory, qkv source, O sink and done monitor."""

    def __init__(self, dut, name: str, cfg: MemConfig | None = None, p_stall: float = 0.3):
        self.dut = dut
        self.rng = test_rng(dut, name)
        self.dh = int(dut.HEAD_DIM.value)
        self.max_ctx = int(dut.MAX_CTX.value)
        self.port_map = int(dut.PORT_MAP.value)
        self.nseg = self.dh // 16
        self.region = self.max_ctx * self.dh
        self.cfg = cfg if cfg is not None else MemConfig.functional(self.rng)
        dut._log.info("memory: %s", self.cfg.describe())
        self.mem = HpMemory(dut, dut.clk_i, dut.rst_ni, rp.HP_PREFIXES, self.cfg, self.rng,
                            size=2 * N_REGION_PAIRS * self.region + 0x1000, base=MEM_BASE)
        self.src = stream_source(dut, "s_qkv", dut.clk_i, self.rng, p_stall)
        self.snk = stream_sink(dut, "m_o", dut.clk_i, self.rng, p_stall)
        self.sb = Scoreboard("o", dut._log)
        self.image = np.zeros(self.mem.size, dtype=np.uint8)   # expected memory content
        self.results: list[rp.Result] = []
        self.jobs = 0

    # ------------------------------------------------------------------ setup
    async def start(self, rm_id: int = 2) -> None:
        d = self.dut
        d.job_valid_i.value = 0
        d.shutdown_req_i.value = 0
        for f in ("phase", "layer", "head", "q_len", "pos0", "k_base", "v_base", "c_mul", "fv"):
            getattr(d, f"job_{f}").value = 0
        await start_clock_reset(d)
        cocotb.start_soon(self._done_monitor())
        assert int(d.rm_id_o.value) == rm_id, f"rm_id {int(d.rm_id_o.value)} != {rm_id}"

    async def _done_monitor(self) -> None:
        d = self.dut
        while True:
            await RisingEdge(d.clk_i)
            await ReadOnly()
            if d.done_o.value:
                self.results.append(rp.Result(
                    int(d.err_o.value), int(d.err_code_o.value), int(d.stat_busy_cycles.value),
                    int(d.stat_active_cycles.value),
                    [int(d.stat_rd_beats[i].value) for i in range(4)],
                    [int(d.stat_wr_beats[i].value) for i in range(4)]))

    def bases(self, pair: int) -> tuple[int, int]:
        """K / V region of (layer, head) pair ``pair`` (docs/rp-interface.md layout)."""
        k = MEM_BASE + (2 * pair + 0) * self.region
        return k, k + self.region

    def fill_cache(self, pair: int, k: np.ndarray, v: np.ndarray) -> None:
        """Backdoor: rows 0..n-1 of the K / V cache of ``pair``."""
        kb, vb = self.bases(pair)
        for base, rows in ((kb, k), (vb, v)):
            data = np.asarray(rows, dtype=np.int64).astype(np.int8).view(np.uint8).ravel()
            self.mem.write(base, data.tobytes())
            self.image[base - MEM_BASE:base - MEM_BASE + data.size] = data

    def cache_rows(self, pair: int, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows 0..n-1 of the expected cache image (int64)."""
        kb, vb = self.bases(pair)
        out = []
        for base in (kb, vb):
            off = base - MEM_BASE
            out.append(self.image[off:off + n * self.dh].view(np.int8).astype(np.int64)
                       .reshape(n, self.dh))
        return out[0], out[1]

    # ------------------------------------------------------------------ one job
    async def submit(self, fields: dict[str, int], max_cycles: int = 20000) -> None:
        await rp.submit_job(self.dut, fields, max_cycles)

    async def send_rows(self, q: np.ndarray, k: np.ndarray, v: np.ndarray,
                        tags: tuple[int, int, int] = (rp.TENSOR_Q, rp.TENSOR_K, rp.TENSOR_V)) -> None:
        for row, tag in zip((q, k, v), tags, strict=True):
            data = np.asarray(row, dtype=np.int64).astype(np.int8).tobytes()
            await self.src.send(AxiStreamFrame(data, tuser=tag))

    async def wait_done(self, n_before: int, max_cycles: int) -> rp.Result:
        await wait_until(self.dut.clk_i, lambda: len(self.results) > n_before, max_cycles,
                         "done_o")
        assert len(self.results) == n_before + 1, "more than one done pulse"
        return self.results[-1]

    async def recv_frame(self, max_cycles: int) -> tuple[int, np.ndarray]:
        """One O row: (row index from tuser, Q.16 values)."""
        await wait_until(self.dut.clk_i, lambda: not self.snk.empty(), max_cycles, "O row")
        frame = self.snk.recv_nowait()
        tu = set(frame_tuser(frame))
        assert len(tu) == 1, f"O row tuser changes within the row: {sorted(tu)}"
        row = unpack_ints(frame.tdata, 32)
        assert row.size == self.dh, f"O row of {row.size} values, expected {self.dh}"
        return tu.pop(), row

    async def recv_row(self, max_cycles: int) -> np.ndarray:
        idx, row = await self.recv_frame(max_cycles)
        assert idx == 0, f"O row tuser {idx} != row index 0"
        return row

    def write_rows(self, base: int, pos: int, rows: np.ndarray) -> None:
        """Expected image: int8 rows written at row position ``pos`` of region ``base``."""
        data = np.asarray(rows, dtype=np.int64).astype(np.int8).view(np.uint8).ravel()
        off = base - MEM_BASE + pos * self.dh
        self.image[off:off + data.size] = data

    async def joined(self, task, what: str, max_cycles: int = 200) -> None:
        """Wait (bounded) for a background task that should already be finishing."""
        await wait_until(self.dut.clk_i, task.done, max_cycles, what)
        task.result()                        # re-raise its exception, if any

    def budget(self, length: int) -> int:
        """Generous cycle bound for one job under the functional memory model."""
        return 4000 + 200 * length * self.nseg

    async def run_job(self, pair: int, pos0: int, q: np.ndarray, k_new: np.ndarray,
                      v_new: np.ndarray, c_mul: int, fv: int, layer: int = 0, head: int = 0,
                      check: bool = True) -> tuple[np.ndarray, rp.Result]:
        """One decode step: expected O from the golden model, cache image updated, all checked."""
        kb, vb = self.bases(pair)
        k_old, v_old = self.cache_rows(pair, pos0)
        keys = np.concatenate([k_old, np.asarray(k_new)[None, :]])
        vals = np.concatenate([v_old, np.asarray(v_new)[None, :]])
        exp = attention_int(np.asarray(q)[None, :], np.array([pos0]), keys, vals, c_mul, fv)[0]
        n0 = len(self.results)
        await self.submit(dict(phase=rp.PHASE_DECODE, layer=layer, head=head, q_len=1, pos0=pos0,
                               k_base=kb, v_base=vb, c_mul=c_mul, fv=fv))
        self.t_accept = get_sim_time()
        sender = cocotb.start_soon(self.send_rows(q, k_new, v_new))
        got = await self.recv_row(self.budget(pos0 + 1))
        res = await self.wait_done(n0, self.budget(pos0 + 1))
        await self.joined(sender, "qkv rows sent")
        self.jobs += 1
        if check:
            self.sb.expect(exp)
            self.sb.observe(got)
            assert (res.err, res.code) == (0, rp.ERR_NONE), f"job error {res.code}"
            self.write_rows(kb, pos0, np.asarray(k_new)[None, :])
            self.write_rows(vb, pos0, np.asarray(v_new)[None, :])
            self.check_memory()
            self.check_beats(pos0, res)
        return got, res

    # ------------------------------------------------------------------ checks
    def check_memory(self) -> None:
        assert not self.mem.protocol_errors, self.mem.protocol_errors
        bad = np.flatnonzero(self.mem.mem != self.image)
        assert bad.size == 0, (f"{bad.size} memory bytes differ from the expected cache, first "
                               f"at {MEM_BASE + int(bad[0]):#x}")

    def expected_beats(self, pos0: int) -> tuple[list[int], list[int]]:
        """Read / write beats per HP port of one job (the port map of docs/rm_decode.md)."""
        n = self.nseg
        nb = pos0 // 16 + 1
        per_block = [(16 if b < nb - 1 else pos0 % 16) * n for b in range(nb)]
        even, odd = sum(per_block[0::2]), sum(per_block[1::2])
        if self.port_map == PDSWAP:
            return [even, odd, even, odd], [n, 0, n, 0]
        return [0, even + odd, even + odd, 0], [0, n, n, 0]

    def check_beats(self, pos0: int, res: rp.Result) -> None:
        rd, wr = self.expected_beats(pos0)
        assert res.rd == rd and res.wr == wr, f"beats rd {res.rd} wr {res.wr}, expected {rd} {wr}"
        assert 0 < res.active <= res.busy

    def finish(self) -> None:
        self.sb.check()
        self.check_memory()


# ---------------------------------------------------------------------- stimulus helpers
def rand_rows(rng: np.random.Generator, n: int, dh: int) -> np.ndarray:
    """int8 rows at a random magnitude (full range down to a few LSBs)."""
    amp = int(rng.choice([3, 20, 64, 128]))
    return rng.integers(-amp, min(amp, 127) + 1, size=(n, dh))


def rand_scale(rng: np.random.Generator, dh: int) -> tuple[int, int]:
    """(c_mul, fv) for random per-layer exponents; sometimes the extreme c_mul range."""
    fq, fk = int(rng.integers(2, 9)), int(rng.integers(2, 9))
    c_mul = exp_scale_int(dh, fq, fk)
    if rng.random() < 0.15:
        c_mul = int(rng.integers(1 << 30, 1 << 32))
    return c_mul, int(rng.integers(0, 17))


def lengths_from_env(default: str) -> list[int]:
    return [int(x) for x in os.environ.get("DECODE_LENGTHS", default).split(",") if x]


# ---------------------------------------------------------------------- tests
@cocotb.test()
async def test_decode_lengths(dut):
    """Bit-exact O and appended K/V for every L of DECODE_LENGTHS, random data and scales."""
    tb = DecodeTB(dut, "test_decode_lengths")
    await tb.start()
    lengths = [L for L in lengths_from_env("1,2,17,63,64") if tb.max_ctx >= L]
    for i, L in enumerate(lengths):
        pair = i % N_REGION_PAIRS
        pos0 = L - 1
        tb.fill_cache(pair, rand_rows(tb.rng, pos0, tb.dh), rand_rows(tb.rng, pos0, tb.dh))
        c_mul, fv = rand_scale(tb.rng, tb.dh)
        new = rand_rows(tb.rng, 3, tb.dh)
        _, res = await tb.run_job(pair, pos0, new[0], new[1], new[2], c_mul, fv,
                                  layer=i, head=pair)
        dut._log.info("L=%d: %d busy cycles, rd beats %s", L, res.busy, res.rd)
    tb.finish()


@cocotb.test()
async def test_decode_steps(dut):
    """Consecutive decode steps on two interleaved heads: each step reads the rows the RM
    appended before (block boundaries crossed, including a last block holding only the new key)."""
    tb = DecodeTB(dut, "test_decode_steps")
    await tb.start()
    start = int(tb.rng.integers(10, 14))
    for pair in (0, 1):
        tb.fill_cache(pair, rand_rows(tb.rng, start, tb.dh), rand_rows(tb.rng, start, tb.dh))
    scales = [rand_scale(tb.rng, tb.dh) for _ in range(2)]
    for pos0 in range(start, min(start + 24, tb.max_ctx)):
        for pair in (0, 1):
            new = rand_rows(tb.rng, 3, tb.dh)
            await tb.run_job(pair, pos0, new[0], new[1], new[2], *scales[pair], head=pair)
    tb.finish()


@cocotb.test()
async def test_decode_extreme_scores(dut):
    """All scores equal, one dominant key, very negative scores, widest c_mul, fv 0 and 16."""
    tb = DecodeTB(dut, "test_decode_extreme_scores")
    await tb.start()
    dh, rng = tb.dh, tb.rng
    L = min(40, tb.max_ctx)
    pos0 = L - 1
    cases = []
    v = rand_rows(rng, L, dh)
    cases.append(("equal", np.zeros((L, dh), dtype=np.int64), v, np.zeros(dh, dtype=np.int64),
                  exp_scale_int(dh, 0, 0), 0))
    k = np.zeros((L, dh), dtype=np.int64)
    k[17 % L] = 127
    cases.append(("dominant", k, v, np.full(dh, 127), exp_scale_int(dh, 0, 0), 16))
    cases.append(("negative", np.full((L, dh), 127), v, np.full(dh, -128), (1 << 32) - 1, 8))
    cases.append(("max-mag", rng.choice([-128, 127], size=(L, dh)), np.full((L, dh), -128),
                  rng.choice([-128, 127], size=dh), (1 << 32) - 1, 0))
    cases.append(("tiny-cmul", rand_rows(rng, L, dh), v, rand_rows(rng, 1, dh)[0], 1, 16))
    for i, (name, kk, vv, q, c_mul, fv) in enumerate(cases):
        pair = i % N_REGION_PAIRS
        tb.fill_cache(pair, kk[:pos0], vv[:pos0])
        dut._log.info("case %s", name)
        await tb.run_job(pair, pos0, q, kk[pos0], vv[pos0], c_mul, fv)
    tb.finish()


@cocotb.test()
async def test_decode_axi_errors(dut):
    """SLVERR / DECERR on K reads, V reads and the append mid-job: error status, O row still
    delivered, clean stop; the next clean job is exact again."""
    tb = DecodeTB(dut, "test_decode_axi_errors")
    await tb.start()
    dh, rng = tb.dh, tb.rng
    L = min(100, tb.max_ctx)
    pos0 = L - 1
    for i, (what, resp) in enumerate([("k", AxiResp.SLVERR), ("v", AxiResp.DECERR),
                                      ("append", AxiResp.SLVERR)]):
        pair = i % N_REGION_PAIRS
        kb, vb = tb.bases(pair)
        tb.fill_cache(pair, rand_rows(rng, pos0, dh), rand_rows(rng, pos0, dh))
        if what == "append":
            lo = vb + pos0 * dh
            region = tb.mem.add_error(lo, lo + dh, resp, reads=False, writes=True)
        else:
            base = kb if what == "k" else vb
            row = int(rng.integers(0, max(pos0 - 4, 1)))
            region = tb.mem.add_error(base + row * dh, base + (row + 3) * dh, resp)
        new = rand_rows(rng, 3, dh)
        c_mul, fv = rand_scale(rng, dh)
        n0 = len(tb.results)
        await tb.submit(dict(phase=rp.PHASE_DECODE, layer=0, head=pair, q_len=1, pos0=pos0,
                             k_base=kb, v_base=vb, c_mul=c_mul, fv=fv))
        sender = cocotb.start_soon(tb.send_rows(new[0], new[1], new[2]))
        await tb.recv_row(tb.budget(L))
        res = await tb.wait_done(n0, tb.budget(L))
        await tb.joined(sender, "qkv rows sent")
        tb.mem.remove_error(region)
        assert (res.err, res.code) == (1, rp.ERR_AXI), f"{what}: err {res.err} code {res.code}"
        assert int(dut.busy_o.value) == 0 and int(dut.job_ready_o.value) == 1
        # the append of the K row (and of V unless that write failed) did happen
        tb.image[kb - MEM_BASE + pos0 * dh:kb - MEM_BASE + (pos0 + 1) * dh] = \
            new[1].astype(np.int8).view(np.uint8)
        if what != "append":
            tb.image[vb - MEM_BASE + pos0 * dh:vb - MEM_BASE + (pos0 + 1) * dh] = \
                new[2].astype(np.int8).view(np.uint8)
        tb.check_memory()
        # error cleared by the next job, which is exact
        new = rand_rows(rng, 3, dh)
        await tb.run_job(pair, pos0 + 1, new[0], new[1], new[2], c_mul, fv)
    tb.finish()


@cocotb.test()
async def test_decode_refused_jobs(dut):
    """Wrong phase, q_len != 1, pos0 beyond MAX_CTX, misaligned or out-of-range bases are
    refused: done pulses at once, no input is taken, no AXI traffic; then a normal job works."""
    tb = DecodeTB(dut, "test_decode_refused_jobs")
    await tb.start()
    d, dh = dut, tb.dh
    kb, vb = tb.bases(0)
    good = dict(phase=rp.PHASE_DECODE, layer=1, head=2, q_len=1, pos0=5, k_base=kb, v_base=vb,
                c_mul=exp_scale_int(dh, 4, 4), fv=5)
    cases = [({"phase": rp.PHASE_PREFILL}, rp.ERR_PHASE), ({"phase": 0}, rp.ERR_PHASE),
             ({"q_len": 0}, rp.ERR_LEN), ({"q_len": 2}, rp.ERR_LEN),
             ({"pos0": tb.max_ctx}, rp.ERR_LEN), ({"pos0": 0xFFFF}, rp.ERR_LEN),
             ({"k_base": kb + 8}, rp.ERR_ALIGN), ({"v_base": vb + 4}, rp.ERR_ALIGN),
             ({"k_base": (1 << 40) - 16 * dh, "pos0": 20}, rp.ERR_ALIGN),
             ({"phase": rp.PHASE_PREFILL, "q_len": 0}, rp.ERR_PHASE)]
    for over, code in cases:
        n0 = len(tb.results)
        await tb.submit({**good, **over})
        res = await tb.wait_done(n0, 5)
        assert (res.err, res.code) == (1, code), f"{over}: err {res.err} code {res.code}"
        assert res.busy == 0 and res.rd == [0] * 4 and res.wr == [0] * 4
        assert int(d.busy_o.value) == 0 and int(d.s_qkv_tready_o.value) == 0
        assert int(d.err_o.value) == 1
    assert all(p.stats.rd_bursts == 0 and p.stats.wr_bursts == 0 for p in tb.mem.ports)
    tb.fill_cache(0, rand_rows(tb.rng, 5, dh), rand_rows(tb.rng, 5, dh))
    new = rand_rows(tb.rng, 3, dh)
    await tb.run_job(0, 5, new[0], new[1], new[2], good["c_mul"], good["fv"])
    assert int(d.err_o.value) == 0
    tb.finish()


@cocotb.test()
async def test_decode_stream_errors(dut):
    """Wrong tag, early tlast, late tlast on qkv_in: RmErrStream, the three rows are drained,
    an O row still comes out, the cache is not written; the next job is exact."""
    tb = DecodeTB(dut, "test_decode_stream_errors")
    await tb.start()
    dh, rng = tb.dh, tb.rng
    pos0 = min(33, tb.max_ctx - 2)
    tb.fill_cache(0, rand_rows(rng, pos0, dh), rand_rows(rng, pos0, dh))
    kb, vb = tb.bases(0)
    c_mul, fv = rand_scale(rng, dh)
    q, k, v = rand_rows(rng, 3, dh)
    cases = [("tag", (q, k, v), (rp.TENSOR_Q, rp.TENSOR_V, rp.TENSOR_V)),
             ("late-tlast", (q, np.concatenate([k, k[:16]]), v), (rp.TENSOR_Q, rp.TENSOR_K, rp.TENSOR_V))]
    if dh > 16:     # a one-beat row cannot end early
        cases.append(("early-tlast", (q[:dh - 16], k, v), (rp.TENSOR_Q, rp.TENSOR_K, rp.TENSOR_V)))
    for name, rows, tags in cases:
        n0 = len(tb.results)
        await tb.submit(dict(phase=rp.PHASE_DECODE, layer=0, head=0, q_len=1, pos0=pos0,
                             k_base=kb, v_base=vb, c_mul=c_mul, fv=fv))
        for row, tag in zip(rows, tags, strict=True):
            data = np.asarray(row, dtype=np.int64).astype(np.int8).tobytes()
            await tb.src.send(AxiStreamFrame(data, tuser=tag))
        await tb.recv_row(tb.budget(pos0))
        res = await tb.wait_done(n0, tb.budget(pos0))
        assert (res.err, res.code) == (1, rp.ERR_STREAM), f"{name}: err {res.err} code {res.code}"
        assert res.wr == [0] * 4, f"{name}: cache written after a framing error"
        await wait_until(dut.clk_i, lambda: tb.src.empty() and not tb.src.active, 2000,
                         "qkv rows drained")
        tb.check_memory()
    await tb.run_job(0, pos0, q, k, v, c_mul, fv)
    tb.finish()


@cocotb.test()
async def test_decode_shutdown(dut):
    """shutdown_req during a job: no new job is accepted, the job completes, then ack."""
    tb = DecodeTB(dut, "test_decode_shutdown")
    await tb.start()
    d, dh, rng = dut, tb.dh, tb.rng
    pos0 = min(70, tb.max_ctx - 1)
    tb.fill_cache(0, rand_rows(rng, pos0, dh), rand_rows(rng, pos0, dh))
    c_mul, fv = rand_scale(rng, dh)
    q, k, v = rand_rows(rng, 3, dh)
    job = cocotb.start_soon(tb.run_job(0, pos0, q, k, v, c_mul, fv))
    await wait_until(d.clk_i, lambda: int(d.busy_o.value) == 1, 1000, "busy")
    d.shutdown_req_i.value = 1
    acks_while_busy = 0
    for _ in range(tb.budget(pos0)):
        await RisingEdge(d.clk_i)
        await ReadOnly()
        assert int(d.job_ready_o.value) == 0, "job_ready during shutdown"
        if int(d.busy_o.value) and int(d.shutdown_ack_o.value):
            acks_while_busy += 1
        if not int(d.busy_o.value) and int(d.shutdown_ack_o.value):
            break
    else:
        raise CycleTimeout("no shutdown_ack")
    assert acks_while_busy == 0, "shutdown_ack while a job was in progress"
    await tb.joined(job, "job finished")
    assert not tb.mem.busy(), "AXI traffic outstanding at shutdown_ack"
    await RisingEdge(d.clk_i)
    d.shutdown_req_i.value = 0
    await ClockCycles(d.clk_i, 2)
    await ReadOnly()
    assert int(d.shutdown_ack_o.value) == 0 and int(d.job_ready_o.value) == 1
    await RisingEdge(d.clk_i)
    q, k, v = rand_rows(rng, 3, dh)
    await tb.run_job(0, pos0 + 1, q, k, v, c_mul, fv)
    tb.finish()


@cocotb.test()
async def test_decode_after_golden_prefill(dut):
    """Decode on the cache a prefill wrote: the golden IntModel (tiny shape for HEAD_DIM 16,
    small for 64) prefills a prompt, its K/V cache is loaded into DDR, then the RM decodes the
    next tokens on (layer, head) pairs, each step reading the rows the RM appended before. O
    equals the model's attention output and the appended rows equal the model's cache."""
    from bitnet_golden import IntModel, random_weights, sample
    from bitnet_golden.shapes import SHAPES

    tb = DecodeTB(dut, "test_decode_after_golden_prefill")
    await tb.start()
    shape = {16: SHAPES["tiny"], 64: SHAPES["small"]}.get(tb.dh)
    if shape is None:
        dut._log.info("no model shape with head_dim %d: nothing to do", tb.dh)
        return
    w = random_weights(shape, seed=int(tb.rng.integers(0, 1000)))
    model = IntModel(w)
    model.reset()
    prompt = tb.rng.integers(0, shape.vocab, size=int(tb.rng.integers(20, 31)))
    hidden = model.forward(prompt)
    plen = len(prompt)
    pairs = [(li, hh) for li in range(shape.n_layers) for hh in range(shape.n_heads)]
    pairs = pairs[:N_REGION_PAIRS]
    for slot, (li, hh) in enumerate(pairs):       # what the prefill left in DDR
        tb.fill_cache(slot, model.k_cache[li, hh, :plen], model.v_cache[li, hh, :plen])
    dh = shape.head_dim
    for step in range(3 if shape.name == "tiny" else 2):
        hidden = model.forward([sample(model.logits(hidden[-1]))])
        pos0 = plen + step
        tr = model.traces[-1]
        for slot, (li, hh) in enumerate(pairs):
            sl = slice(hh * dh, (hh + 1) * dh)
            got, _ = await tb.run_job(slot, pos0, tr[li].q8[0, sl], tr[li].k8[0, sl],
                                      tr[li].v8[0, sl], w.c_mul(li), w.layers[li].fv,
                                      layer=li, head=hh)
            assert np.array_equal(got, tr[li].attn[0, sl]), f"step {step} L{li} H{hh}"
            k_dd, v_dd = tb.cache_rows(slot, pos0 + 1)
            assert np.array_equal(k_dd, model.k_cache[li, hh, :pos0 + 1]), f"K L{li} H{hh}"
            assert np.array_equal(v_dd, model.v_cache[li, hh, :pos0 + 1]), f"V L{li} H{hh}"
    tb.finish()


def model_cycles(pos0: int, dh: int, port_map: int, latency: int = 60) -> int:
    """Analytic busy cycles of one job with the bench memory (docs/rm_decode.md, "Cycle model"):
    job start + address issue + first-beat latency, the busiest port's beats, the pipeline tail
    (last K beat -> scores -> softmax -> one key per cycle of the last block's P.V -> merge) and
    the O row (dh/4 beats)."""
    nseg = dh // 16
    nb = pos0 // 16 + 1
    per_block = [(16 if b < nb - 1 else pos0 % 16) * nseg for b in range(nb)]
    even, odd = sum(per_block[0::2]), sum(per_block[1::2])
    busiest = max(even, odd) if port_map == PDSWAP else even + odd
    head = 4 + latency if busiest else 0
    return head + busiest + 24 + dh // 4


@cocotb.test()
async def test_decode_throughput(dut):
    """Bench memory, no backpressure: busy cycles match the analytic cycle model."""
    tb = DecodeTB(dut, "test_decode_throughput", cfg=MemConfig.bench(), p_stall=0.0)
    await tb.start()
    # the model assumes enough bursts in flight to cover the latency, a V row FIFO of two
    # blocks and a 2-bit/cycle divider (the defaults); other builds only log their cycles
    burst = min(256, 16 * tb.nseg)
    valid = (int(dut.MAX_OUTSTANDING.value) >= -(-(60 + burst) // burst) + 1 and
             int(dut.VQ_DEPTH.value) >= 32 and int(dut.DIV_STEPS.value) >= 2)
    for i, L in enumerate(x for x in (17, 40, 64, 200) if x <= tb.max_ctx):
        pos0 = L - 1
        tb.fill_cache(i, rand_rows(tb.rng, pos0, tb.dh), rand_rows(tb.rng, pos0, tb.dh))
        new = rand_rows(tb.rng, 3, tb.dh)
        _, res = await tb.run_job(i, pos0, new[0], new[1], new[2], *rand_scale(tb.rng, tb.dh))
        exp = model_cycles(pos0, tb.dh, tb.port_map)
        dut._log.info("L=%d: %d busy cycles, model %d", L, res.busy, exp)
        assert abs(res.busy - exp) <= 2 or not valid, f"L={L}: {res.busy} cycles, model {exp}"
    tb.finish()


@cocotb.test(skip="PDSWAP_BENCH_JSON" not in os.environ)
async def test_decode_bench(dut):
    """Bench memory (latency 60, no stalls, cap 4 ports), no stream backpressure: busy cycles
    and K+V beats per L; results (also bit-exact checked) go to $PDSWAP_BENCH_JSON."""
    mem_out = int(os.environ.get("DECODE_BENCH_MEM_OUT", "16"))
    tb = DecodeTB(dut, "test_decode_bench", cfg=MemConfig.bench(max_outstanding=mem_out),
                  p_stall=0.0)
    await tb.start()
    lengths = [int(x) for x in os.environ.get("DECODE_BENCH_LENGTHS", "64,256,1024,2048")
               .split(",") if x]
    out = {}
    for i, L in enumerate(lengths):
        pair = i % N_REGION_PAIRS
        pos0 = L - 1
        tb.fill_cache(pair, rand_rows(tb.rng, pos0, tb.dh), rand_rows(tb.rng, pos0, tb.dh))
        c_mul, fv = rand_scale(tb.rng, tb.dh)
        new = rand_rows(tb.rng, 3, tb.dh)
        for p in tb.mem.ports:
            p.stats = PortStats()
        t0 = time.time()
        _, res = await tb.run_job(pair, pos0, new[0], new[1], new[2], c_mul, fv)
        beats = sum(res.rd) + sum(res.wr)
        period = get_sim_steps(CLK_PERIOD_NS, "ns")
        firsts = [p.stats.rd_first_t for p in tb.mem.ports if p.stats.rd_first_t is not None]
        lasts = [p.stats.rd_last_t for p in tb.mem.ports if p.stats.rd_last_t is not None]
        first = (min(firsts) - tb.t_accept) / period if firsts else 0.0
        last = (max(lasts) - tb.t_accept) / period if lasts else 0.0
        out[str(L)] = {"busy_cycles": res.busy, "active_cycles": res.active, "rd_beats": res.rd,
                       "wr_beats": res.wr, "kv_beats": beats, "first_r_beat": first,
                       "last_r_beat": last, "wall_s": time.time() - t0}
        dut._log.info("bench L=%d: %d cycles, %d K+V beats, %.3f beats/cycle, R beats from "
                      "cycle %.0f to %.0f", L, res.busy, beats, beats / res.busy, first, last)
    tb.finish()
    with open(os.environ["PDSWAP_BENCH_JSON"], "w") as fh:
        json.dump(out, fh, indent=2)
