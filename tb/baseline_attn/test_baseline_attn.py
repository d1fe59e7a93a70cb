"""cocotb tests of baseline_attn, the static (TeLLMe-like) baseline's co-resident attention.

Both PD-Swap engines sit behind one RP boundary with the uniform port map (docs/baseline.md):
Q staged through DDR on HP0, K on HP1, V on HP2, O staged through DDR on HP3. Every job is
checked against the golden model and the memory image:

* every O row bit for bit against ``bitnet_golden.ops_int.attention_int`` (prefill rows from the
  golden IntModel's traces or seeded random data, decode steps over a random or prefilled cache);
* the whole HP memory against the expected image after every job: the KV cache holds exactly the
  golden K/V, the Q staging area the job's Q rows, the O staging area its O rows (int32), and no
  other byte changed;
* the port map: every burst of HP0 lies in the Q staging rows of the job, HP1 in the K region,
  HP2 in the V region, HP3 in the O staging rows; the DUT's per-port R/W beat counters equal the
  memory model's and the expected counts (prefill: tb/rm_prefill/model.py with rm_prefill's HP0+HP1
  on HP1 and HP2+HP3 on HP2; decode: all K rows on HP1, all V rows on HP2; staging: one write and
  one read of every Q row and every O row); prefill PE-active equals the schedule model.

Functional tests use random backpressure on the qkv/O streams and ``MemConfig.functional`` on
all four ports. ``test_baseline_bench`` (run by bench_baseline.py) uses ``MemConfig.bench()``
without backpressure and writes its figures to $PDSWAP_BENCH_JSON. Environment knobs (set by
tests/test_baseline.py): ``BASELINE_PREFILL_LENGTHS``, ``BASELINE_DECODE_LENGTHS``;
``BASELINE_BENCH_DECODE`` / ``BASELINE_BENCH_PREFILL`` (bench lengths).
"""

from __future__ import annotations

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
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge, with_timeout
from cocotbext.axi import AxiResp, AxiStreamFrame

from tb.common import rp_if as rp
from tb.common.axi_mem import HpMemory, MemConfig, PortStats
from tb.common.env import CLK_PERIOD_NS, CycleTimeout, start_clock_reset, test_rng, wait_until
from tb.common.runner import Block
from tb.common.scoreboard import Scoreboard
from tb.common.streams import frame_tuser, stream_sink, stream_source, unpack_ints
from tb.rm_prefill.model import Params, active_cycles, traffic

BLOCK = Block(
    "baseline_attn",
    sources=("rp/rp_pkg.sv", "attn/attn_pkg.sv", "attn/exp2_rom.sv", "attn/attn_exp2.sv",
             "common/seq_divider.sv", "dma/axi_dma_fifo.sv", "dma/axi_dma_burst.sv",
             "dma/axi_dma_rd.sv", "dma/axi_dma_wr.sv", "dma/axi_dma.sv",
             "rm_prefill/pf_softmax.sv", "rm_prefill/pf_sched.sv", "rm_prefill/pf_finish.sv",
             "rm_prefill/rm_prefill.sv",
             "rm_decode/rmd_recip.sv", "rm_decode/rmd_cmdgen.sv", "rm_decode/rmd_klane.sv",
             "rm_decode/rmd_softmax.sv", "rm_decode/rmd_vlane.sv", "rm_decode/rmd_merge.sv",
             "rm_decode/rm_decode.sv",
             "baseline/bl_axi_merge.sv", "baseline/bl_q_stage.sv", "baseline/bl_o_stage.sv",
             "baseline/baseline_attn.sv"),
    parameters={"HEAD_DIM": 16, "MAX_CTX": 256, "STAGE_BASE": 0x10_0000, "PF_Q_TILE": 32,
                "PF_KV_BLOCK": 32, "KV_FIFO_DEPTH": 128},
)

KV_BASE = 0x4000                   # 4 KiB aligned, a guard page below it
N_PAIRS = 8                        # (layer, head) K/V region pairs the tests use


@dataclass
class Job:
    """Rows [pos0, pos0 + q_len) of one head: q8 [q_len, dh]; k8 / v8 hold keys 0 .. end-1."""

    phase: int
    q8: np.ndarray
    k8: np.ndarray
    v8: np.ndarray
    pos0: int
    c_mul: int
    fv: int
    pair: int = 0
    layer: int = 0

    @property
    def q_len(self) -> int:
        return len(self.q8)

    def expected(self) -> np.ndarray:
        pos = np.arange(self.pos0, self.pos0 + self.q_len)
        return attention_int(self.q8, pos, self.k8, self.v8, self.c_mul, self.fv)


@lru_cache(maxsize=4)
def model_trace(shape: str, seed: int, n_tok: int) -> tuple:
    """Post-RoPE q8/k8/v8 [layers][n_tok, d_model] of a seeded random model on a random prompt,
    with the layers' (c_mul, fv)."""
    w = random_weights(get_shape(shape), seed)
    m = IntModel(w)
    tokens = np.random.default_rng(seed + 1).integers(0, w.shape.vocab, size=n_tok)
    m.forward(tokens)
    tr = m.traces[0]
    scales = [(w.c_mul(li), w.layers[li].fv) for li in range(len(tr))]
    return [t.q8 for t in tr], [t.k8 for t in tr], [t.v8 for t in tr], scales


def rand_rows(rng: np.random.Generator, n: int, dh: int) -> np.ndarray:
    """int8 rows at a random magnitude (full range down to a few LSBs)."""
    amp = int(rng.choice([3, 20, 64, 128]))
    return rng.integers(-amp, min(amp, 127) + 1, size=(n, dh))


def rand_scale(rng: np.random.Generator, dh: int) -> tuple[int, int]:
    c_mul = exp_scale_int(dh, int(rng.integers(2, 9)), int(rng.integers(2, 9)))
    if rng.random() < 0.15:
        c_mul = int(rng.integers(1 << 30, 1 << 32))
    return c_mul, int(rng.integers(0, 17))


def env_lengths(name: str, default: str) -> list[int]:
    return [int(x) for x in os.environ.get(name, default).split(",") if x]


class BaselineTB:
    """baseline_attn, its HP memory (random content), qkv source, O sink and done monitor."""

    def __init__(self, dut, name: str, bench: bool = False):
        self.dut = dut
        self.rng = test_rng(dut, name)
        self.dh = int(dut.HEAD_DIM.value)
        self.max_ctx = int(dut.MAX_CTX.value)
        self.dc = self.dh // 16
        self.ob = self.dh // 4
        self.params = Params(self.dh, int(dut.PF_Q_TILE.value), int(dut.PF_KV_BLOCK.value), 1, 16)
        self.region = self.max_ctx * self.dh
        self.q_stage = int(dut.STAGE_BASE.value)
        self.o_stage = self.q_stage + -(-self.region // 4096) * 4096
        size = self.o_stage + 4 * self.region + 0x1000
        assert KV_BASE + 2 * N_PAIRS * self.region <= self.q_stage, "STAGE_BASE overlaps the KV regions"
        p_stall = 0.0 if bench else 0.3
        self.cfg = MemConfig.bench() if bench else MemConfig.functional(self.rng)
        dut._log.info("memory: %s", self.cfg.describe())
        self.mem = HpMemory(dut, dut.clk_i, dut.rst_ni, rp.HP_PREFIXES, self.cfg, self.rng, size=size)
        self.src = stream_source(dut, "s_qkv", dut.clk_i, self.rng, p_stall)
        self.snk = stream_sink(dut, "m_o", dut.clk_i, self.rng, p_stall)
        self.image = np.frombuffer(self.mem.fill_random(0, size), dtype=np.uint8).copy()
        self.results: list[rp.Result] = []
        self.sb = Scoreboard("O rows", dut._log)

    # ------------------------------------------------------------------ setup
    async def start(self) -> None:
        d = self.dut
        d.job_valid_i.value = 0
        d.shutdown_req_i.value = 0
        for f in ("phase", "layer", "head", "q_len", "pos0", "k_base", "v_base", "c_mul", "fv"):
            getattr(d, f"job_{f}").value = 0
        await start_clock_reset(d)
        cocotb.start_soon(self._done_monitor())
        await ReadOnly()
        assert int(d.rm_id_o.value) == rp.RM_ID_PREFILL, f"rm_id after reset {int(d.rm_id_o.value)}"
        assert int(d.job_ready_o.value) == 1 and int(d.busy_o.value) == 0
        await RisingEdge(d.clk_i)

    async def _done_monitor(self) -> None:
        """Record err / counters at every done_o pulse (edge-triggered: no Python per cycle)."""
        d = self.dut
        while True:
            await RisingEdge(d.done_o)
            await ReadOnly()
            self.results.append(rp.Result(
                int(d.err_o.value), int(d.err_code_o.value), int(d.stat_busy_cycles.value),
                int(d.stat_active_cycles.value),
                [int(d.stat_rd_beats[i].value) for i in range(4)],
                [int(d.stat_wr_beats[i].value) for i in range(4)]))

    def bases(self, pair: int) -> tuple[int, int]:
        """K / V region of (layer, head) pair ``pair`` (docs/rp-interface.md layout)."""
        k = KV_BASE + 2 * pair * self.region
        return k, k + self.region

    def preload(self, pair: int, k: np.ndarray, v: np.ndarray) -> None:
        """Backdoor: rows 0..n-1 of the K / V cache of ``pair``."""
        for base, rows in zip(self.bases(pair), (k, v), strict=True):
            data = np.asarray(rows, dtype=np.int64).astype(np.int8).view(np.uint8).ravel()
            self.mem.write(base, data.tobytes())
            self.image[base:base + data.size] = data

    def cache_rows(self, pair: int, n: int) -> tuple[np.ndarray, np.ndarray]:
        """Rows 0..n-1 of the expected cache image (int64)."""
        out = []
        for base in self.bases(pair):
            out.append(self.image[base:base + n * self.dh].view(np.int8).astype(np.int64)
                       .reshape(n, self.dh))
        return out[0], out[1]

    def _put(self, addr: int, arr: np.ndarray, dtype: str) -> None:
        data = np.asarray(arr, dtype=np.int64).astype(dtype).view(np.uint8).ravel()
        self.image[addr:addr + data.size] = data

    # ------------------------------------------------------------------ job driving
    async def submit(self, fields: dict[str, int], max_cycles: int = 20000) -> None:
        await rp.submit_job(self.dut, fields, max_cycles)

    def frames(self, job: Job, bad_tag_row: int | None = None) -> list[AxiStreamFrame]:
        out = []
        k_new, v_new = job.k8[job.pos0:], job.v8[job.pos0:]
        for i in range(job.q_len):
            for tag, arr in ((rp.TENSOR_Q, job.q8), (rp.TENSOR_K, k_new), (rp.TENSOR_V, v_new)):
                data = np.asarray(arr[i], dtype=np.int64).astype(np.int8).tobytes()
                tu = 3 if (bad_tag_row == i and tag == rp.TENSOR_K) else tag
                out.append(AxiStreamFrame(data, tuser=tu))
        return out

    async def _send(self, frames: list[AxiStreamFrame]) -> None:
        for fr in frames:
            await self.src.send(fr)

    async def wait_done(self, n0: int, budget: int, what: str = "done_o") -> rp.Result:
        """Wait (at most ``budget`` cycles) for the done_o pulse after ``n0`` earlier ones;
        polls every few cycles (the counters, not this wait, measure the job)."""
        step = max(1, min(16, budget // 4))
        waited = 0
        while len(self.results) <= n0:
            if waited >= budget:
                raise CycleTimeout(f"no {what} within {budget} cycles")
            await ClockCycles(self.dut.clk_i, step)
            waited += step
        assert len(self.results) == n0 + 1, "more than one done pulse"
        return self.results[-1]

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

    def budget(self, job: Job) -> int:
        """Generous cycle bound for one job under the functional memory model."""
        end = job.pos0 + job.q_len
        if job.phase == rp.PHASE_DECODE:
            return 6000 + 200 * end * self.dc
        return 30000 + 60 * self.dc * (end // 16 + 1) * job.q_len + 400 * end * self.dc

    def job_fields(self, job: Job) -> dict[str, int]:
        kb, vb = self.bases(job.pair)
        return dict(phase=job.phase, layer=job.layer, head=job.pair, q_len=job.q_len,
                    pos0=job.pos0, k_base=kb, v_base=vb, c_mul=job.c_mul, fv=job.fv)

    async def run(self, job: Job, expect_err: int = rp.ERR_NONE, check: bool = True,
                  bad_tag_row: int | None = None) -> rp.Result:
        """One job to done: O rows, memory image, port use and counters checked."""
        d = self.dut
        for p in self.mem.ports:
            p.stats = PortStats()
        exp = job.expected() if check else None
        budget = self.budget(job)
        n0 = len(self.results)
        t0, c0 = time.time(), cocotb.utils.get_sim_time("ns")
        await self.submit(self.job_fields(job))
        sender = cocotb.start_soon(self._send(self.frames(job, bad_tag_row)))
        got = await self.collect(job.q_len if job.phase == rp.PHASE_PREFILL else 1, budget)
        res = await self.wait_done(n0, budget)
        await wait_until(d.clk_i, sender.done, 200, "qkv rows sent")
        sender.result()
        assert (res.err, res.code) == (int(expect_err != rp.ERR_NONE), expect_err), \
            f"err_o/err_code_o = {res.err}/{res.code}, expected code {expect_err}"
        want_id = rp.RM_ID_DECODE if job.phase == rp.PHASE_DECODE else rp.RM_ID_PREFILL
        assert int(d.rm_id_o.value) == want_id, f"rm_id {int(d.rm_id_o.value)} != {want_id}"
        assert sorted(got) == list(range(job.q_len)), f"O row indices {sorted(got)[:8]}"
        if check:
            for r in range(job.q_len):
                self.sb.expect(exp[r])
                self.sb.observe(got[r])
            self.expect_image(job, exp)
            self.check_memory()
            self.check_ports(job, res)
        d._log.info("%s L=%d pos0=%d: busy %d active %d rd %s wr %s, %.0f cycles, %.1f s wall",
                    "prefill" if job.phase == rp.PHASE_PREFILL else "decode", job.q_len, job.pos0,
                    res.busy, res.active, res.rd, res.wr,
                    (cocotb.utils.get_sim_time("ns") - c0) / CLK_PERIOD_NS, time.time() - t0)
        return res

    # ------------------------------------------------------------------ checks
    def expect_image(self, job: Job, exp_o: np.ndarray) -> None:
        """KV cache rows of the job, its Q rows in the Q staging area, O rows in the O area."""
        kb, vb = self.bases(job.pair)
        self._put(kb + job.pos0 * self.dh, job.k8[job.pos0:], "<i1")
        self._put(vb + job.pos0 * self.dh, job.v8[job.pos0:], "<i1")
        self._put(self.q_stage, job.q8, "<i1")
        self._put(self.o_stage, exp_o, "<i4")

    def check_memory(self) -> None:
        assert not self.mem.protocol_errors, self.mem.protocol_errors[:3]
        bad = np.flatnonzero(self.mem.mem != self.image)
        assert bad.size == 0, (f"{bad.size} memory bytes differ from the expected image, first at "
                               f"{[hex(int(b)) for b in bad[:4]]}")

    def expected_beats(self, job: Job) -> tuple[list[int], list[int]]:
        """R / W beats per HP port: Q staging (HP0), K (HP1), V (HP2), O staging (HP3)."""
        n = job.q_len
        qs, os_ = n * self.dc, n * self.ob
        if job.phase == rp.PHASE_DECODE:
            kv = job.pos0 * self.dc
            return [qs, kv, kv, os_], [qs, self.dc, self.dc, os_]
        t = traffic(job.pos0, n, self.params)
        return ([qs, t["rd_hp0"] + t["rd_hp1"], t["rd_hp2"] + t["rd_hp3"], os_],
                [qs, t["wr_hp0"] + t["wr_hp1"], t["wr_hp2"] + t["wr_hp3"], os_])

    def check_ports(self, job: Job, res: rp.Result) -> None:
        """Every burst of a port inside that port's tensor area; beat counts exact."""
        kb, vb = self.bases(job.pair)
        end = job.pos0 + job.q_len
        areas = [(self.q_stage, self.q_stage + job.q_len * self.dh, "Q staging"),
                 (kb, kb + end * self.dh, "K region"), (vb, vb + end * self.dh, "V region"),
                 (self.o_stage, self.o_stage + job.q_len * 4 * self.dh, "O staging")]
        rd, wr = self.expected_beats(job)
        for i, (port, (lo, hi, what)) in enumerate(zip(self.mem.ports, areas, strict=True)):
            st = port.stats
            for kind, addr, beats in st.bursts:
                assert lo <= addr and addr + 16 * beats <= hi, \
                    f"HP{i}: {kind} burst [{addr:#x}, +{16 * beats}) outside the {what} [{lo:#x}, {hi:#x})"
            assert (st.rd_beats, st.wr_beats) == (rd[i], wr[i]), \
                f"HP{i}: memory saw R {st.rd_beats} W {st.wr_beats} beats, expected {rd[i]} / {wr[i]}"
        assert res.rd == rd and res.wr == wr, f"counters rd {res.rd} wr {res.wr}, expected {rd} {wr}"
        if job.phase == rp.PHASE_PREFILL:
            act = active_cycles(job.pos0, job.q_len, self.params)
            assert res.active == act, f"PE-active {res.active} != schedule model {act}"
        assert 0 < res.active <= res.busy, f"active {res.active} busy {res.busy}"

    def finish(self) -> None:
        self.sb.check()
        self.check_memory()


# ---------------------------------------------------------------------- stimuli
def shape_for(dh: int) -> str:
    return {16: "tiny", 64: "small"}.get(dh, "")


def trace_job(tb: BaselineTB, n_tok: int, L: int, pos0: int, pair: int, layer: int,
              phase: int = rp.PHASE_PREFILL) -> Job:
    """Rows [pos0, pos0 + L) of a golden-model trace (post-RoPE K) for head ``pair % heads``;
    seeded random data when no model shape has this head_dim."""
    shape = shape_for(tb.dh)
    if not shape:
        return random_job(tb, L, pos0, pair, phase)
    q8, k8, v8, scales = model_trace(shape, 7, n_tok)
    layer %= len(q8)
    head = pair % (q8[0].shape[1] // tb.dh)
    sl = slice(head * tb.dh, (head + 1) * tb.dh)
    return Job(phase, q8[layer][pos0:pos0 + L, sl], k8[layer][:pos0 + L, sl],
               v8[layer][:pos0 + L, sl], pos0, *scales[layer], pair=pair, layer=layer)


def random_job(tb: BaselineTB, L: int, pos0: int, pair: int, phase: int = rp.PHASE_PREFILL,
               k8: np.ndarray | None = None, v8: np.ndarray | None = None) -> Job:
    rng, dh = tb.rng, tb.dh
    n = pos0 + L
    k_all = rand_rows(rng, n, dh) if k8 is None else k8[:n]
    v_all = rand_rows(rng, n, dh) if v8 is None else v8[:n]
    return Job(phase, rand_rows(rng, L, dh), k_all, v_all, pos0, *rand_scale(rng, dh), pair=pair)


def decode_job(tb: BaselineTB, pair: int, pos0: int) -> Job:
    """One decode step at pos0 over the cache image of ``pair`` (new random Q/K/V row)."""
    k_old, v_old = tb.cache_rows(pair, pos0)
    new = rand_rows(tb.rng, 3, tb.dh)
    return Job(rp.PHASE_DECODE, new[0:1], np.concatenate([k_old, new[1:2]]),
               np.concatenate([v_old, new[2:3]]), pos0, *rand_scale(tb.rng, tb.dh), pair=pair)


# ---------------------------------------------------------------------- tests
@cocotb.test()
async def test_baseline_prefill(dut):
    """Prefill jobs of BASELINE_PREFILL_LENGTHS on golden-model traces (incl. L = 1 and lengths
    that are no multiple of 16), then a prompt continued in chunks at unaligned positions (the
    later chunks read the cache the earlier ones wrote through the merged K / V ports)."""
    tb = BaselineTB(dut, "test_baseline_prefill")
    await tb.start()
    lengths = [L for L in env_lengths("BASELINE_PREFILL_LENGTHS", "1,7,37,64") if tb.max_ctx >= L]
    for i, L in enumerate(lengths):
        await tb.run(trace_job(tb, max(lengths), L, 0, pair=i % N_PAIRS, layer=i))
    total = min(tb.max_ctx, 150)
    cuts = sorted(tb.rng.choice(np.arange(1, total), size=2, replace=False).tolist())
    base = random_job(tb, total, 0, pair=N_PAIRS - 1)
    for a, b in zip([0, *cuts], [*cuts, total], strict=True):
        await tb.run(Job(rp.PHASE_PREFILL, base.q8[a:b], base.k8[:b], base.v8[:b], a, base.c_mul,
                         base.fv, pair=N_PAIRS - 1))
    tb.finish()


@cocotb.test()
async def test_baseline_decode(dut):
    """Decode steps at every L of BASELINE_DECODE_LENGTHS (keys 0..L-1, pos0 = L-1) over a
    random cache, then consecutive steps on one head reading what the previous steps appended."""
    tb = BaselineTB(dut, "test_baseline_decode")
    await tb.start()
    lengths = [L for L in env_lengths("BASELINE_DECODE_LENGTHS", "1,2,17,63,64,100")
               if tb.max_ctx >= L]
    for i, L in enumerate(lengths):
        pair = i % N_PAIRS
        tb.preload(pair, rand_rows(tb.rng, L - 1, tb.dh), rand_rows(tb.rng, L - 1, tb.dh))
        await tb.run(decode_job(tb, pair, L - 1))
    start = int(tb.rng.integers(12, 16))
    tb.preload(0, rand_rows(tb.rng, start, tb.dh), rand_rows(tb.rng, start, tb.dh))
    for pos0 in range(start, start + 6):
        await tb.run(decode_job(tb, 0, pos0))
    tb.finish()


@cocotb.test()
async def test_baseline_prefill_then_decode(dut):
    """Both engines co-resident, the phase picks one per job: the golden model's prompt is
    prefilled for several (layer, head) pairs, then the next tokens are decoded on those pairs,
    interleaved with prefill jobs of another pair, so the engines alternate job by job; the
    decode steps read the cache the prefill engine wrote."""
    tb = BaselineTB(dut, "test_baseline_prefill_then_decode")
    await tb.start()
    plen, steps = int(tb.rng.integers(20, 40)), 3
    n_tok = plen + steps
    pairs = [0, 1, 2]
    for pair in pairs:
        await tb.run(trace_job(tb, n_tok, plen, 0, pair=pair, layer=pair))
    other = random_job(tb, min(tb.max_ctx, 3 * steps + 8), 0, pair=5)
    chunk = 0
    for s in range(steps):
        for pair in pairs:
            full = trace_job(tb, n_tok, 1, plen + s, pair=pair, layer=pair, phase=rp.PHASE_DECODE)
            await tb.run(full)
        a, b = chunk, chunk + 3 + (s == 0) * 8
        await tb.run(Job(rp.PHASE_PREFILL, other.q8[a:b], other.k8[:b], other.v8[:b], a,
                         other.c_mul, other.fv, pair=5))
        chunk = b
    tb.finish()


@cocotb.test()
async def test_baseline_refused_jobs(dut):
    """Jobs either engine refuses (unknown phase, decode q_len != 1 or pos0 beyond MAX_CTX,
    prefill q_len 0 or beyond MAX_CTX, misaligned or out-of-range bases): done_o pulses the cycle
    after acceptance with the engine's code, no input is taken, no AXI traffic; then normal jobs."""
    tb = BaselineTB(dut, "test_baseline_refused_jobs")
    await tb.start()
    d, dh = dut, tb.dh
    kb, vb = tb.bases(0)
    good = dict(layer=1, head=2, q_len=1, pos0=5, k_base=kb, v_base=vb,
                c_mul=exp_scale_int(dh, 4, 4), fv=5)
    cases = [({"phase": 0}, rp.ERR_PHASE), ({"phase": 3}, rp.ERR_PHASE),
             ({"phase": rp.PHASE_DECODE, "q_len": 2}, rp.ERR_LEN),
             ({"phase": rp.PHASE_DECODE, "pos0": tb.max_ctx}, rp.ERR_LEN),
             ({"phase": rp.PHASE_DECODE, "k_base": kb + 8}, rp.ERR_ALIGN),
             ({"phase": rp.PHASE_PREFILL, "q_len": 0}, rp.ERR_LEN),
             ({"phase": rp.PHASE_PREFILL, "q_len": 2, "pos0": tb.max_ctx - 1}, rp.ERR_LEN),
             ({"phase": rp.PHASE_PREFILL, "v_base": vb + 4}, rp.ERR_ALIGN),
             ({"phase": rp.PHASE_PREFILL, "k_base": (1 << 40) - 2 * dh}, rp.ERR_ALIGN)]
    for p in tb.mem.ports:
        p.stats = PortStats()
    for over, code in cases:
        n0 = len(tb.results)
        await tb.submit({**good, **over})
        await ReadOnly()                        # the cycle after acceptance
        assert int(d.done_o.value) == 1, f"{over}: no done_o the cycle after acceptance"
        assert int(d.s_qkv_tready_o.value) == 0
        res = await tb.wait_done(n0, 4)
        assert (res.err, res.code) == (1, code), f"{over}: err {res.err} code {res.code}"
        assert res.busy == 0 and res.rd == [0] * 4 and res.wr == [0] * 4
        await RisingEdge(d.clk_i)
        await ReadOnly()
        assert int(d.busy_o.value) == 0 and int(d.job_ready_o.value) == 1
        assert int(d.err_o.value) == 1 and int(d.err_code_o.value) == code, "error not sticky"
        await RisingEdge(d.clk_i)
    assert all(p.stats.rd_bursts == 0 and p.stats.wr_bursts == 0 for p in tb.mem.ports)
    tb.preload(0, rand_rows(tb.rng, 5, dh), rand_rows(tb.rng, 5, dh))
    await tb.run(decode_job(tb, 0, 5))
    assert int(d.err_o.value) == 0
    await tb.run(random_job(tb, 9, 0, pair=1))
    tb.finish()


@cocotb.test()
async def test_baseline_errors(dut):
    """A wrong qkv tag gives RmErrStream (the job still finishes with all its rows); SLVERR on
    the Q staging read-back, DECERR on the O staging write and SLVERR on a K cache read give
    RmErrAxi (rows still come out); the next clean job is exact."""
    tb = BaselineTB(dut, "test_baseline_errors")
    await tb.start()
    dh = tb.dh
    job = random_job(tb, 20, 0, pair=0)
    await tb.run(job, expect_err=rp.ERR_STREAM, check=False, bad_tag_row=5)
    tb.image[:] = tb.mem.mem                        # contents after a framing error: unspecified
    cases = [("Q read", tb.q_stage + 2 * dh, tb.q_stage + 3 * dh, "SLVERR", True, False,
              rp.PHASE_PREFILL),
             ("O write", tb.o_stage, tb.o_stage + 4 * dh, "DECERR", False, True, rp.PHASE_DECODE),
             ("K read", tb.bases(2)[0] + 3 * dh, tb.bases(2)[0] + 5 * dh, "SLVERR", True, False,
              rp.PHASE_DECODE)]
    for what, lo, hi, resp, reads, writes, phase in cases:
        if phase == rp.PHASE_PREFILL:
            job = random_job(tb, 12, 0, pair=1)
        else:
            tb.preload(2, rand_rows(tb.rng, 40, dh), rand_rows(tb.rng, 40, dh))
            job = decode_job(tb, 2, 40)
        region = tb.mem.add_error(lo, hi, AxiResp[resp], reads=reads, writes=writes)
        await tb.run(job, expect_err=rp.ERR_AXI, check=False)
        tb.mem.remove_error(region)
        dut._log.info("%s error: RmErrAxi, all rows delivered", what)
        tb.image[:] = tb.mem.mem
    await tb.run(random_job(tb, 17, 0, pair=3))
    await tb.run(decode_job(tb, 3, 17))
    tb.finish()


@cocotb.test()
async def test_baseline_shutdown(dut):
    """shutdown_req during a job: no new job is accepted, the job (and its staging traffic)
    completes, shutdown_ack only then; after release the next job is exact."""
    tb = BaselineTB(dut, "test_baseline_shutdown")
    await tb.start()
    d = dut
    job = random_job(tb, min(40, tb.max_ctx), 0, pair=0)
    task = cocotb.start_soon(tb.run(job))
    await wait_until(d.clk_i, lambda: int(d.busy_o.value) == 1, 20000, "busy")
    await ClockCycles(d.clk_i, 10)
    d.shutdown_req_i.value = 1
    for _ in range(tb.budget(job)):
        await RisingEdge(d.clk_i)
        await ReadOnly()
        assert int(d.job_ready_o.value) == 0, "job_ready during shutdown"
        ack, busy = int(d.shutdown_ack_o.value), int(d.busy_o.value)
        assert not (ack and busy), "shutdown_ack while a job was in progress"
        if ack:
            break
    else:
        raise CycleTimeout("no shutdown_ack")
    await wait_until(d.clk_i, task.done, 2000, "job finished")
    task.result()
    assert not tb.mem.busy(), "AXI traffic outstanding at shutdown_ack"
    d.shutdown_req_i.value = 0
    await ClockCycles(d.clk_i, 2)
    await tb.run(decode_job(tb, 0, job.q_len))
    tb.finish()


@cocotb.test(skip="PDSWAP_BENCH_JSON" not in os.environ)
async def test_baseline_bench(dut):
    """Bench memory (latency 60, no stalls, cap 4 ports), no stream backpressure: busy cycles of
    decode jobs (pos0 = L - 1, random cache) and prefill jobs (pos0 = 0); every result is still
    bit-exact and port-checked. Results go to $PDSWAP_BENCH_JSON."""
    tb = BaselineTB(dut, "test_baseline_bench", bench=True)
    await tb.start()
    out: dict[str, dict] = {"decode": {}, "prefill": {}}
    for i, L in enumerate(env_lengths("BASELINE_BENCH_DECODE", "64,256,1024,2048")):
        pair = i % N_PAIRS
        tb.preload(pair, rand_rows(tb.rng, L - 1, tb.dh), rand_rows(tb.rng, L - 1, tb.dh))
        t0 = time.time()
        res = await tb.run(decode_job(tb, pair, L - 1))
        out["decode"][str(L)] = {"busy_cycles": res.busy, "active_cycles": res.active,
                                 "rd_beats": res.rd, "wr_beats": res.wr, "wall_s": time.time() - t0}
    for i, L in enumerate(env_lengths("BASELINE_BENCH_PREFILL", "64,256")):
        t0 = time.time()
        res = await tb.run(random_job(tb, L, 0, pair=i % N_PAIRS))
        out["prefill"][str(L)] = {"busy_cycles": res.busy, "active_cycles": res.active,
                                  "rd_beats": res.rd, "wr_beats": res.wr, "wall_s": time.time() - t0}
    tb.finish()
    with open(os.environ["PDSWAP_BENCH_JSON"], "w") as fh:
        json.dump(out, fh, indent=2)
