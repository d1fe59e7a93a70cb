"""cocotb tests of rm_prefill: causal prefill attention, bit-exact vs bitnet_golden.ops_int.

Every job's O rows are compared with ``attention_int`` on the same int8 Q/K/V, the KV cache in
the HP memory model with the golden K/V byte for byte (and nothing else in memory may change),
the PE-active and AXI-beat counters with the schedule model (tb/rm_prefill/model.py) exactly.
Functional tests run with random backpressure on the qkv/O streams and random latency/stalls on
all four HP ports (MemConfig.functional); ``test_prefill_bench`` (run by bench_rm_prefill.py)
uses MemConfig.bench() without backpressure and writes its figures to $PDSWAP_BENCH_JSON.
"""

from __future__ import annotations

import itertools
import json
import os
import time
from dataclasses import dataclass
from functools import lru_cache

import cocotb
import numpy as np
from bitnet_golden import IntModel, get_shape, random_weights
from bitnet_golden.ops_int import attention_int, exp_scale_int
from cocotb.result import SimTimeoutError
from cocotb.triggers import ClockCycles, NextTimeStep, ReadOnly, RisingEdge, with_timeout
from cocotbext.axi import AxiStreamFrame

from tb.common import rp_if as rp
from tb.common.axi_mem import HpMemory, MemConfig
from tb.common.env import CLK_PERIOD_NS, CycleTimeout, start_clock_reset, test_rng, wait_until
from tb.common.runner import Block
from tb.common.scoreboard import Scoreboard
from tb.common.streams import frame_tuser, stream_sink, stream_source, unpack_ints
from tb.rm_prefill.model import Params, active_cycles, busy_cycles, traffic

BLOCK = Block(
    "rm_prefill",
    sources=("rp/rp_pkg.sv", "attn/attn_pkg.sv", "attn/exp2_rom.sv", "attn/attn_exp2.sv",
             "common/seq_divider.sv", "dma/axi_dma_fifo.sv", "dma/axi_dma_burst.sv",
             "dma/axi_dma_rd.sv", "dma/axi_dma_wr.sv", "dma/axi_dma.sv",
             "rm_prefill/pf_softmax.sv", "rm_prefill/pf_sched.sv", "rm_prefill/pf_finish.sv",
             "rm_prefill/rm_prefill.sv"),
    parameters={"HEAD_DIM": 16, "MAX_CTX": 256, "Q_TILE": 32, "KV_BLOCK": 32, "PE_ROWS": 1,
                "PE_COLS": 16},
)

KV_BASE = 0x4000                      # 4 KiB aligned, a guard page below it
N_REGIONS = 8                         # (layer, head) regions the tests use: 4 heads x K/V


@dataclass
class Job:
    """One prefill job: rows [pos0, pos0 + L) of a head; k8/v8 hold keys 0 .. pos0 + L - 1."""

    q8: np.ndarray        # [L, dh]
    k8: np.ndarray        # [pos0 + L, dh]
    v8: np.ndarray
    pos0: int
    c_mul: int
    fv: int
    layer: int = 0
    head: int = 0

    @property
    def q_len(self) -> int:
        return len(self.q8)

    def expected(self) -> np.ndarray:
        pos = np.arange(self.pos0, self.pos0 + self.q_len)
        return attention_int(self.q8, pos, self.k8, self.v8, self.c_mul, self.fv)


@lru_cache(maxsize=4)
def model_trace(shape: str, seed: int, n_tok: int) -> tuple:
    """q8/k8/v8 [layers][L, d_model] of a seeded random model on a seeded random prompt."""
    w = random_weights(get_shape(shape), seed)
    m = IntModel(w)
    tokens = np.random.default_rng(seed + 1).integers(0, w.shape.vocab, size=n_tok)
    m.forward(tokens)
    tr = m.traces[0]
    return w, [t.q8 for t in tr], [t.k8 for t in tr], [t.v8 for t in tr]


class TB:
    def __init__(self, dut, name: str, bench: bool = False):
        self.dut = dut
        self.rng = test_rng(dut, name)
        self.dh = int(dut.HEAD_DIM.value)
        self.max_ctx = int(dut.MAX_CTX.value)
        self.params = Params(self.dh, int(dut.Q_TILE.value), int(dut.KV_BLOCK.value),
                             int(dut.PE_ROWS.value), int(dut.PE_COLS.value))
        self.region = self.max_ctx * self.dh
        p_stall = 0.0 if bench else 0.3
        self.cfg = MemConfig.bench() if bench else MemConfig.functional(self.rng)
        size = KV_BASE + N_REGIONS * self.region + 0x4000
        self.mem = HpMemory(dut, dut.clk_i, dut.rst_ni, prefixes=[f"m_axi_hp{i}" for i in range(4)],
                            cfg=self.cfg, rng=self.rng, size=size, record_bursts=False)
        self.src = stream_source(dut, "s_qkv", dut.clk_i, self.rng, p_stall)
        self.snk = stream_sink(dut, "m_o", dut.clk_i, self.rng, p_stall)
        self.image = np.frombuffer(self.mem.fill_random(0, size), dtype=np.uint8).copy()
        dut._log.info("memory: %s", self.cfg.describe())
        dut.job_valid_i.value = 0
        dut.shutdown_req_i.value = 0
        for f in ("phase", "layer", "head", "q_len", "pos0", "k_base", "v_base", "c_mul", "fv"):
            getattr(dut, f"job_{f}").value = 0
        self.done_seen = 0

    async def start(self) -> None:
        await start_clock_reset(self.dut)
        cocotb.start_soon(self._count_done())

    async def _count_done(self) -> None:
        """Count done_o pulses (edge-triggered: no Python work per cycle)."""
        while True:
            await RisingEdge(self.dut.done_o)
            self.done_seen += 1

    async def wait_done(self, done0: int, budget: int, what: str = "done_o") -> None:
        """Wait (at most ``budget`` cycles) until more than ``done0`` done pulses were seen."""
        for _ in range(budget // 64 + 1):
            if self.done_seen > done0:
                return
            await ClockCycles(self.dut.clk_i, 64)
        raise CycleTimeout(f"timeout after {budget} cycles waiting for {what}")

    # ------------------------------------------------------------------ addresses
    def bases(self, head: int) -> tuple[int, int]:
        """Host layout of docs/rp-interface.md for layer 0, head ``head`` (regions 2h, 2h+1)."""
        return KV_BASE + (2 * head) * self.region, KV_BASE + (2 * head + 1) * self.region

    def preload(self, job: Job) -> None:
        """Keys 0 .. pos0-1 of the job are in the cache already (written by earlier jobs)."""
        kb, vb = self.bases(job.head)
        for base, arr in ((kb, job.k8[:job.pos0]), (vb, job.v8[:job.pos0])):
            data = np.asarray(arr, dtype=np.int8).view(np.uint8).ravel()
            self.mem.write(base, data.tobytes())
            self.image[base:base + data.size] = data

    # ------------------------------------------------------------------ job driving
    async def submit(self, phase: int, q_len: int, pos0: int, k_base: int, v_base: int,
                     c_mul: int, fv: int, head: int = 0, layer: int = 0) -> None:
        await rp.submit_job(self.dut, {"phase": phase, "layer": layer, "head": head,
                                       "q_len": q_len, "pos0": pos0, "k_base": k_base,
                                       "v_base": v_base, "c_mul": c_mul, "fv": fv}, 10000)

    def rows_frames(self, job: Job, bad_tag_row: int | None = None) -> list[AxiStreamFrame]:
        frames = []
        k_new = job.k8[job.pos0:]
        v_new = job.v8[job.pos0:]
        for i in range(job.q_len):
            for tag, arr in ((0, job.q8), (1, k_new), (2, v_new)):
                data = np.asarray(arr[i], dtype=np.int8).tobytes()
                tu = tag
                if bad_tag_row is not None and i == bad_tag_row and tag == 1:
                    tu = 3                                   # not a tensor tag: RmErrStream
                frames.append(AxiStreamFrame(tdata=data, tuser=tu))
        return frames

    async def collect(self, n_rows: int, budget: int) -> dict[int, np.ndarray]:
        got: dict[int, np.ndarray] = {}
        for _ in range(n_rows):
            try:
                fr = await with_timeout(self.snk.recv(), budget * CLK_PERIOD_NS, "ns")
            except SimTimeoutError:
                raise CycleTimeout(f"no O row within {budget} cycles ({len(got)} of {n_rows} "
                                   f"received)") from None
            tu = set(frame_tuser(fr))
            assert len(tu) == 1, f"tuser changed within an O row: {sorted(tu)}"
            row = tu.pop()
            assert row not in got, f"O row {row} emitted twice"
            vals = unpack_ints(fr.tdata, 32)
            assert len(vals) == self.dh, f"O row {row}: {len(vals)} values, expected {self.dh}"
            got[row] = vals
        return got

    async def run(self, job: Job, expect_err: int = rp.ERR_NONE, check: bool = True,
                  bad_tag_row: int | None = None, budget: int | None = None) -> dict[str, int]:
        """Run one job to done; compare O rows, KV cache and counters. Returns the counters."""
        dut = self.dut
        kb, vb = self.bases(job.head)
        exp_o = job.expected()
        if budget is None:
            budget = 40 * busy_cycles(job.pos0, job.q_len, self.params) + 20000
        done0 = self.done_seen
        t0 = time.time()
        c0 = cocotb.utils.get_sim_time("ns")
        await self.submit(rp.PHASE_PREFILL, job.q_len, job.pos0, kb, vb, job.c_mul, job.fv,
                          head=job.head, layer=job.layer)
        for fr in self.rows_frames(job, bad_tag_row):
            await self.src.send(fr)
        got = await self.collect(job.q_len, budget)
        await self.wait_done(done0, budget)
        await RisingEdge(dut.clk_i)
        await ReadOnly()
        wall = time.time() - t0
        cycles = (cocotb.utils.get_sim_time("ns") - c0) / 4
        err, code = int(dut.err_o.value), int(dut.err_code_o.value)
        assert (err, code) == (int(expect_err != rp.ERR_NONE), expect_err), \
            f"err_o/err_code_o = {err}/{code}, expected code {expect_err}"
        assert self.done_seen == done0 + 1, "done_o must pulse exactly once per job"
        stats = {k: int(getattr(dut, f"st_{k}").value) for k in
                 ("busy", "active", "rd0", "rd1", "rd2", "rd3", "wr0", "wr1", "wr2", "wr3")}
        # K/V of the new rows land in the cache; the golden image follows
        for base, arr in ((kb, job.k8), (vb, job.v8)):
            new = np.asarray(arr[job.pos0:], dtype=np.int8).view(np.uint8).ravel()
            off = base + job.pos0 * self.dh
            self.image[off:off + new.size] = new
        if check:
            sb = Scoreboard(f"O rows L={job.q_len} pos0={job.pos0}", dut._log)
            for r in range(job.q_len):
                sb.expect(exp_o[r])
            for r in sorted(got):
                sb.observe(got[r])
            sb.check()
            assert sorted(got) == list(range(job.q_len)), "O row indices wrong"
            self.check_memory()
            self.check_stats(job, stats)
        dut._log.info("job L=%d pos0=%d: busy %d active %d (util %.3f) rd %s wr %s, %.0f cycles "
                      "%.1f s wall", job.q_len, job.pos0, stats["busy"], stats["active"],
                      stats["active"] / max(stats["busy"], 1),
                      [stats[f"rd{i}"] for i in range(4)], [stats[f"wr{i}"] for i in range(4)],
                      cycles, wall)
        stats["wall"] = wall
        await NextTimeStep()                  # leave the read-only phase: callers drive signals
        return stats

    def check_memory(self) -> None:
        """The cache holds exactly the golden K/V; no other byte of memory changed."""
        bad = np.flatnonzero(self.mem.mem != self.image)
        assert bad.size == 0, (f"{bad.size} memory bytes differ from the golden image, first at "
                               f"{[hex(int(b)) for b in bad[:4]]}")
        assert not self.mem.protocol_errors, self.mem.protocol_errors[:3]

    def check_stats(self, job: Job, st: dict[str, int]) -> None:
        p = self.params
        act = active_cycles(job.pos0, job.q_len, p)
        assert st["active"] == act, f"PE-active {st['active']} != schedule model {act}"
        tr = traffic(job.pos0, job.q_len, p)
        for i in range(4):
            assert st[f"rd{i}"] == tr[f"rd_hp{i}"], f"HP{i} R beats {st[f'rd{i}']} != {tr[f'rd_hp{i}']}"
            assert st[f"wr{i}"] == tr[f"wr_hp{i}"], f"HP{i} W beats {st[f'wr{i}']} != {tr[f'wr_hp{i}']}"
        assert act <= st["busy"], f"busy {st['busy']} < active {act}"


# ---------------------------------------------------------------------- stimuli
def shape_for(dh: int) -> str:
    return {16: "tiny", 64: "small"}.get(dh, "")


def trace_job(tb: TB, n_tok: int, L: int, pos0: int, head: int, layer: int) -> Job:
    """Rows [pos0, pos0 + L) of a golden-model trace (post-RoPE K) for one head."""
    shape = shape_for(tb.dh)
    if not shape:
        return random_job(tb, L, pos0, head)
    w, q8, k8, v8 = model_trace(shape, 7, n_tok)
    sl = slice(head * tb.dh, (head + 1) * tb.dh)
    return Job(q8[layer][pos0:pos0 + L, sl], k8[layer][:pos0 + L, sl], v8[layer][:pos0 + L, sl],
               pos0, w.c_mul(layer), w.layers[layer].fv, layer=layer, head=head)


def random_job(tb: TB, L: int, pos0: int, head: int, k8: np.ndarray | None = None,
               v8: np.ndarray | None = None) -> Job:
    """Seeded random int8 Q/K/V with a random softmax scale (fq, fk in 3..8) and fv."""
    rng, dh = tb.rng, tb.dh
    n = pos0 + L
    amp = int(rng.choice([8, 32, 128]))
    k_all = rng.integers(-amp, amp, size=(n, dh)) if k8 is None else k8[:n]
    v_all = rng.integers(-128, 128, size=(n, dh)) if v8 is None else v8[:n]
    q = rng.integers(-amp, amp, size=(L, dh))
    c_mul = exp_scale_int(dh, int(rng.integers(3, 9)), int(rng.integers(3, 9)))
    return Job(q, k_all, v_all, pos0, c_mul, int(rng.integers(0, 17)), head=head)


# ---------------------------------------------------------------------- tests
@cocotb.test()
async def test_prefill_lengths(dut):
    """L in {1, 7, 37, 64, 255} (37, 255: no multiple of any block size) on golden-model traces."""
    tb = TB(dut, "test_prefill_lengths")
    await tb.start()
    lengths = [n for n in (1, 7, 37, 64, 255) if tb.max_ctx >= n]
    for i, L in enumerate(lengths):
        job = trace_job(tb, max(lengths), L, 0, head=i % 4, layer=i % 2)
        await tb.run(job)


@cocotb.test()
async def test_prefill_chunked(dut):
    """A prompt continued in chunks (pos0 > 0, unaligned): later jobs read the cache the earlier
    ones wrote; then a short job far into a preloaded cache (prologue + history fetch)."""
    tb = TB(dut, "test_prefill_chunked")
    await tb.start()
    total = min(tb.max_ctx, 160)
    cuts = sorted(tb.rng.choice(np.arange(1, total), size=2, replace=False).tolist())
    base = random_job(tb, total, 0, head=1)
    bounds = [0, *cuts, total]
    for a, b in itertools.pairwise(bounds):
        job = Job(base.q8[a:b], base.k8[:b], base.v8[:b], a, base.c_mul, base.fv, head=1)
        await tb.run(job)
    pos0 = int(tb.rng.integers(tb.max_ctx // 2, tb.max_ctx - 8))
    job = random_job(tb, int(tb.rng.integers(1, 8)), pos0, head=2)
    tb.preload(job)
    await tb.run(job)


@cocotb.test()
async def test_prefill_extreme_scores(dut):
    """All-equal scores, one dominant key per row, large negative scores, a running max that
    rises (rescale every block) and falls: exercises m/alpha/l/acc of the online softmax."""
    tb = TB(dut, "test_prefill_extreme_scores")
    await tb.start()
    rng, dh = tb.rng, tb.dh
    L = min(tb.max_ctx, 80)
    big = exp_scale_int(dh, 0, 0)          # largest scale the calibration can produce
    v = rng.integers(-128, 128, size=(L, dh))
    cases = []
    # 1. all scores equal (K = 0): the output is the running mean of V
    cases.append((rng.integers(-128, 128, size=(L, dh)), np.zeros((L, dh), dtype=np.int64), big, 0))
    # 2. one dominant key (k = 127 everywhere at a few positions, q = 127): p ~ one-hot
    k = rng.integers(-4, 5, size=(L, dh))
    k[rng.choice(L, size=3, replace=False)] = 127
    cases.append((np.full((L, dh), 127), k, big, 16))
    # 3. large negative scores everywhere (q = 127, k = -128)
    cases.append((np.full((L, dh), 127), np.full((L, dh), -128), big, 7))
    # 4. scores rising with the key position: every block raises the max (alpha < 1 each time)
    ramp = np.clip((np.arange(L) * 255) // max(L - 1, 1) - 128, -128, 127)
    cases.append((np.full((L, dh), 127), np.repeat(ramp[:, None], dh, axis=1), big, 5))
    # 5. falling scores: the first block holds the max, later blocks are rescaled to ~0
    cases.append((np.full((L, dh), 127), np.repeat(ramp[::-1, None], dh, axis=1), big, 5))
    for i, (q, k, c_mul, fv) in enumerate(cases):
        job = Job(np.asarray(q), np.asarray(k), v, 0, c_mul, fv, head=i % 4)
        await tb.run(job)


@cocotb.test()
async def test_prefill_errors(dut):
    """Refused jobs (decode phase, q_len 0, beyond MAX_CTX, misaligned base) pulse done with the
    code and consume nothing; a bad qkv tag gives RmErrStream and SLVERR/DECERR give RmErrAxi,
    both still finishing the job; the next clean job reports no error."""
    tb = TB(dut, "test_prefill_errors")
    await tb.start()
    dut = tb.dut
    kb, vb = tb.bases(0)
    refused = [
        (rp.PHASE_DECODE, 4, 0, kb, vb, rp.ERR_PHASE),
        (rp.PHASE_PREFILL, 0, 0, kb, vb, rp.ERR_LEN),
        (rp.PHASE_PREFILL, 2, tb.max_ctx - 1, kb, vb, rp.ERR_LEN),
        (rp.PHASE_PREFILL, 4, 0, kb + 8, vb, rp.ERR_ALIGN),
        (rp.PHASE_PREFILL, 4, 0, kb, vb + 4, rp.ERR_ALIGN),
        (rp.PHASE_PREFILL, 4, 0, kb, (1 << 40) - 2 * tb.dh, rp.ERR_ALIGN),   # region end beyond 2^40
    ]
    for phase, q_len, pos0, k_base, v_base, code in refused:
        done0 = tb.done_seen
        await tb.submit(phase, q_len, pos0, k_base, v_base, 1 << 20, 4)
        await tb.wait_done(done0, 64, "done_o of a refused job")
        assert (int(dut.err_o.value), int(dut.err_code_o.value)) == (1, code), \
            f"refused job: err_code_o {int(dut.err_code_o.value)} expected {code}"
        await ReadOnly()
        assert int(dut.busy_o.value) == 0 and int(dut.s_qkv_tready_o.value) == 0
        await NextTimeStep()
    # wrong tag on a K row: the job drains its input, emits its rows, reports RmErrStream
    job = random_job(tb, 20, 0, head=0)
    await tb.run(job, expect_err=rp.ERR_STREAM, check=False, bad_tag_row=5)
    tb.check_memory()
    # SLVERR on part of the V history, DECERR on a K write: RmErrAxi, all rows still come out
    job = random_job(tb, 12, 40, head=1)
    tb.preload(job)
    _, vb1 = tb.bases(1)
    reg = tb.mem.add_error(vb1 + 16 * tb.dh, vb1 + 20 * tb.dh, "SLVERR", writes=False)
    await tb.run(job, expect_err=rp.ERR_AXI, check=False)
    tb.mem.remove_error(reg)
    job = random_job(tb, 12, 0, head=3)
    kb3, _ = tb.bases(3)
    reg = tb.mem.add_error(kb3 + 3 * tb.dh, kb3 + 4 * tb.dh, "DECERR", reads=False)
    await tb.run(job, expect_err=rp.ERR_AXI, check=False)
    tb.mem.remove_error(reg)
    tb.image[kb3 + 3 * tb.dh:kb3 + 4 * tb.dh] = tb.mem.mem[kb3 + 3 * tb.dh:kb3 + 4 * tb.dh]
    tb.check_memory()                      # the refused beat was not written, nothing else moved
    # a clean job afterwards: err cleared, results exact
    await tb.run(random_job(tb, 9, 0, head=2))


@cocotb.test()
async def test_prefill_shutdown(dut):
    """shutdown_req during a job: no new job is accepted, the running job finishes, and only then
    (idle, no AXI outstanding) shutdown_ack rises; after the request drops jobs run again."""
    tb = TB(dut, "test_prefill_shutdown")
    await tb.start()
    dut = tb.dut
    job = random_job(tb, 40, 0, head=0)
    runner = cocotb.start_soon(tb.run(job))
    await wait_until(dut.clk_i, lambda: int(dut.busy_o.value) == 1, 200, "busy_o")
    await RisingEdge(dut.clk_i)
    dut.shutdown_req_i.value = 1
    acked = False
    for _ in range(200000):
        await RisingEdge(dut.clk_i)
        await ReadOnly()
        assert int(dut.job_ready_o.value) == 0, "job_ready_o high during shutdown"
        if int(dut.shutdown_ack_o.value):
            assert int(dut.busy_o.value) == 0, "shutdown_ack_o while busy"
            acked = True
            break
    assert acked, "no shutdown_ack_o"
    await NextTimeStep()
    await runner
    assert not tb.mem.busy(), "AXI transactions outstanding at shutdown_ack_o"
    await RisingEdge(dut.clk_i)
    dut.shutdown_req_i.value = 0
    await ClockCycles(dut.clk_i, 2)
    await tb.run(random_job(tb, 17, 0, head=2))


@cocotb.test()
async def test_prefill_long(dut):
    """Long prompt (slow): up to 1024 tokens in two chunks, with backpressure everywhere."""
    tb = TB(dut, "test_prefill_long")
    await tb.start()
    total = min(tb.max_ctx, 1024)
    cut = int(tb.rng.integers(total // 4, 3 * total // 4))
    base = random_job(tb, total, 0, head=3)
    for a, b in ((0, cut), (cut, total)):
        await tb.run(Job(base.q8[a:b], base.k8[:b], base.v8[:b], a, base.c_mul, base.fv, head=3))


@cocotb.test(skip=os.environ.get("PDSWAP_BENCH_JSON") is None)
async def test_prefill_bench(dut):
    """Benchmark (bench_rm_prefill.py): no backpressure, MemConfig.bench(); cycles per L."""
    tb = TB(dut, "test_prefill_bench", bench=True)
    await tb.start()
    lengths = [int(x) for x in os.environ.get("PDSWAP_BENCH_L", "64,128,256,512,1024").split(",")]
    out = {}
    for i, L in enumerate(lengths):
        job = random_job(tb, L, 0, head=i % 4)
        st = await tb.run(job)
        out[str(L)] = st
    with open(os.environ["PDSWAP_BENCH_JSON"], "w") as fh:
        json.dump(out, fh, indent=1)

