"""static_region: whole BitNet layers (prefill and decode) bit-exact vs the golden integer path.

The RP is played by `CocotbRm`, a cocotb model that accepts RP jobs, checks the Q/K/V rows the
static region sends against the golden model, keeps its own KV cache and answers with the golden
attention rows (out of order, to exercise the O-row index). Weights, gains, RoPE tables and layer
descriptors go through DDR and the LOAD_* commands exactly as the host driver does it.
"""

from __future__ import annotations

import cocotb
import numpy as np
from bitnet_golden import IntModel, get_shape, random_weights
from bitnet_golden import ops_int as oi
from cocotb.triggers import RisingEdge
from cocotbext.axi import AxiStreamFrame
from pdswap_host.csr import PHASE_DECODE, PHASE_PREFILL, Cmd, Reg
from pdswap_host.driver import CommandError, DdrLayout, StaticRegion
from pdswap_host.model_image import HwConfig, build

from tb.common.axi_mem import HpMemory, MemConfig
from tb.common.env import start_clock_reset, test_rng
from tb.common.host import AxilBus, SyncDdr
from tb.common.runner import Block
from tb.common.streams import frame_tuser, stream_sink, stream_source, unpack_ints

SOURCES = (
    "rp/rp_pkg.sv", "rp/rp_safe.sv", "static/sr_pkg.sv", "common/axil_regs.sv", "common/seq_divider.sv",
    "static/sr_ram.sv", "static/sr_rd_stream.sv", "static/sr_wr_stream.sv", "static/sr_pack4.sv",
    "static/sr_csr.sv", "quant/act_quant.sv", "rmsnorm/rsqrt_rom.sv", "rmsnorm/rmsnorm.sv",
    "tlmm/tlmm_table.sv", "tlmm/tlmm.sv", "rope/rope.sv", "residual/residual_add.sv",
    "swiglu/sigmoid_rom.sv", "swiglu/swiglu.sv", "dma/axi_dma_fifo.sv", "dma/axi_dma_burst.sv",
    "dma/axi_dma_rd.sv", "dma/axi_dma_wr.sv", "dma/axi_dma.sv", "static/static_region.sv",
)
BLOCK = Block("static_region", sources=SOURCES,
              parameters={"D": 64, "F": 128, "N_HEADS": 4, "HEAD_DIM": 16, "N_LAYERS": 2,
                          "MAX_ROWS": 64, "MAX_CTX": 256, "WDEPTH": 2048, "G_WORDS": 256})
LAYOUT = DdrLayout(weights=0x0, gains=0x10000, rope=0x20000, desc=0x30000, embed=0x40000,
                   out=0x50000, hstore=0x60000, kv=0x80000, size=0x100000)
POLLS = 20000


class CocotbRm:
    """Stand-in attention RM: golden attention per job, own KV cache, checks the Q/K/V it gets."""

    def __init__(self, dut, rng: np.random.Generator, shape, rm_id: int = 3):
        self.dut, self.rng, self.s = dut, rng, shape
        shp = (shape.n_layers, shape.n_heads, shape.max_ctx, shape.head_dim)
        self.k = np.zeros(shp, dtype=np.int64)
        self.v = np.zeros(shp, dtype=np.int64)
        self.received: dict[tuple[int, int], dict[str, np.ndarray]] = {}
        self.jobs = 0
        self.refuse_next = 0      # error code to answer the next job with (no rows read)
        self.qkv = stream_sink(dut, "qkv", dut.clk_i, rng, 0.2)
        self.o = stream_source(dut, "o", dut.clk_i, rng, 0.2)
        dut.job_ready.value = 0
        dut.rm_done.value = 0
        dut.rm_busy.value = 0
        dut.rm_err.value = 0
        dut.rm_err_code.value = 0
        dut.rm_id.value = rm_id
        self.task = cocotb.start_soon(self.run())

    def restart(self) -> None:
        """The partition was decoupled (its RM reset): drop the job in flight, start afresh."""
        self.task.kill()
        self.qkv.clear()
        self.o.clear()
        for name in ("job_ready", "rm_done", "rm_busy", "rm_err"):
            getattr(self.dut, name).value = 0
        self.task = cocotb.start_soon(self.run())

    async def run(self) -> None:
        dut, dh = self.dut, self.s.head_dim
        while True:
            await RisingEdge(dut.clk_i)
            if not int(dut.job_valid.value):
                continue
            layer, head = int(dut.job_layer.value), int(dut.job_head.value)
            q_len, pos0 = int(dut.job_q_len.value), int(dut.job_pos0.value)
            c_mul, fv = int(dut.job_c_mul.value), int(dut.job_fv.value)
            dut.job_ready.value = 1
            dut.rm_busy.value = 1
            await RisingEdge(dut.clk_i)
            dut.job_ready.value = 0
            if self.refuse_next:                  # refused up front: done + error, no rows read
                dut.rm_busy.value = 0
                dut.rm_done.value = 1
                dut.rm_err.value = 1
                dut.rm_err_code.value = self.refuse_next
                await RisingEdge(dut.clk_i)
                dut.rm_done.value = 0
                self.refuse_next = 0
                continue
            dut.rm_err.value = 0
            rows = {"q": [], "k": [], "v": []}
            for _ in range(q_len):
                for tag, name in enumerate("qkv"):
                    frame = await self.qkv.recv()
                    assert set(frame_tuser(frame)) == {tag}, f"row tag {frame_tuser(frame)} != {tag}"
                    rows[name].append(unpack_ints(frame.tdata, 8))
            got = {k: np.stack(v) for k, v in rows.items()}
            self.received[(layer, head)] = got
            pos = np.arange(pos0, pos0 + q_len)
            self.k[layer, head, pos] = got["k"]
            self.v[layer, head, pos] = got["v"]
            lk = pos0 + q_len
            o = oi.attention_int(got["q"], pos, self.k[layer, head, :lk], self.v[layer, head, :lk],
                                 c_mul, fv)
            for r in self.rng.permutation(q_len):           # out of order: O rows carry their index
                await self.o.send(AxiStreamFrame(o[r].astype("<i4").tobytes(), tuser=int(r)))
            await self.o.wait()
            for _ in range(4):
                await RisingEdge(dut.clk_i)
            dut.rm_busy.value = 0
            dut.rm_done.value = 1
            await RisingEdge(dut.clk_i)
            dut.rm_done.value = 0
            self.jobs += 1
            assert dh == got["q"].shape[1]


class TB:
    def __init__(self, dut, name: str, seed_model: int = 1, mem_cfg: MemConfig | None = None):
        self.dut = dut
        self.rng = test_rng(dut, name)
        self.shape = get_shape("tiny")
        self.w = random_weights(self.shape, seed=seed_model)
        self.mem_cfg = mem_cfg if mem_cfg is not None else MemConfig.functional(self.rng)
        dut.rp_decoupled_i.value = 0
        dut.rp_swap_pending_i.value = 0

    async def start(self, rm: bool = True) -> None:
        await start_clock_reset(self.dut)
        self.mem = HpMemory(self.dut, self.dut.clk_i, self.dut.rst_ni, prefixes=("m_axi",),
                            cfg=self.mem_cfg, rng=self.rng, size=LAYOUT.size)
        bus = AxilBus.attach(self.dut, "s_axil", self.dut.clk_i, self.dut.rst_ni)
        self.sr = StaticRegion(bus, SyncDdr(self.mem), LAYOUT, max_polls=POLLS)
        self.rm = CocotbRm(self.dut, self.rng, self.shape) if rm else None
        hw = HwConfig(wdepth=int(self.dut.WDEPTH.value), g_words=int(self.dut.G_WORDS.value),
                      max_rows=int(self.dut.MAX_ROWS.value), max_ctx=int(self.dut.MAX_CTX.value))
        self.image = build(self.w, hw)

    async def load(self) -> None:
        dims = await self.sr.check_id()
        assert dims["d"] == self.shape.d_model and dims["layers"] == self.shape.n_layers, dims
        await self.sr.load_model(self.image)

    def check_qkv(self, golden: IntModel, call: int, pos: slice) -> int:
        """Q/K/V rows the RM received vs the golden layer traces of forward call `call`."""
        assert self.rm is not None
        s, n = self.shape, 0
        for li, tr in enumerate(golden.traces[call]):
            for h in range(s.n_heads):
                got = self.rm.received[(li, h)]
                cols = slice(h * s.head_dim, (h + 1) * s.head_dim)
                for name, exp in (("q", tr.q8), ("k", tr.k8), ("v", tr.v8)):
                    assert np.array_equal(got[name], exp[:, cols]), f"{name}8 layer {li} head {h}"
                    n += got[name].size
        return n


async def run_tokens(tb: TB, golden: IntModel, tokens: np.ndarray, pos0: int, phase: int) -> int:
    """One forward call through the RTL, every layer's h checked; returns values compared."""
    s = tb.shape
    rows = len(tokens)
    await tb.sr.embed(tb.w.embed_int(tokens))
    exp_final = golden.forward(tokens)
    call = len(golden.traces) - 1
    compared = 0
    for li in range(s.n_layers):
        await tb.sr.layer(li, rows, pos0, phase)
        h = await tb.sr.store_h(rows, s.d_model)
        exp = golden.traces[call][li].h_out
        assert np.array_equal(h, exp), f"layer {li} h_out: {np.sum(h != exp)} values differ"
        compared += h.size
    compared += tb.check_qkv(golden, call, slice(pos0, pos0 + rows))
    fin = await tb.sr.final(rows, s.d_model)
    assert np.array_equal(fin, exp_final), f"final hidden: {np.sum(fin != exp_final)} differ"
    return compared + fin.size


@cocotb.test()
async def test_static_region_prefill_then_decode(dut):
    """Prefill of 7 tokens (not a multiple of any block size) then 2 decode steps, bit-exact."""
    tb = TB(dut, "test_static_region_prefill_then_decode")
    await tb.start()
    await tb.load()
    golden = IntModel(tb.w)
    golden.reset()
    prompt = tb.rng.integers(0, tb.shape.vocab, size=7)
    n = await run_tokens(tb, golden, prompt, 0, PHASE_PREFILL)
    for step in range(2):
        tok = tb.rng.integers(0, tb.shape.vocab, size=1)
        n += await run_tokens(tb, golden, tok, 7 + step, PHASE_DECODE)
    cyc = {c.name: await tb.sr.bus.read_reg(Reg.CYC_CMD + 4 * (c - 1)) for c in Cmd}
    lookups = await tb.sr.bus.read_reg(Reg.TLMM_LOOKUPS)
    dut._log.info("bit-exact values compared: %d; cycles per command %s; TLMM lookups %d",
                  n, cyc, lookups)
    assert all(cyc[c] > 0 for c in ("PRE", "ATT", "POST", "FINAL", "EMBED")) and lookups > 0


@cocotb.test()
async def test_static_region_att_refused_and_decoupled(dut):
    """An RM that refuses a job, or a partition decoupled under a running job, fails ATT (no hang)."""
    tb = TB(dut, "test_static_region_att_refused_and_decoupled")
    await tb.start()
    await tb.load()
    golden = IntModel(tb.w)
    golden.reset()
    tok = tb.rng.integers(0, tb.shape.vocab, size=3)
    await tb.sr.embed(tb.w.embed_int(tok))
    await tb.sr.set_regs(layer=0, rows=3, pos0=0, phase=PHASE_PREFILL)
    await tb.sr.command(Cmd.PRE)
    tb.rm.refuse_next = 1                                            # RmErrPhase
    try:
        await tb.sr.command(Cmd.ATT)
        raise AssertionError("a refused job did not fail ATT")
    except CommandError as e:
        assert "error 5 " in str(e), str(e)
    # decoupled while the RM works on a job: ATT gives up with error 6
    dut.rm_id.value = 3
    start = cocotb.start_soon(tb.sr.command(Cmd.ATT))
    for _ in range(2000):
        await RisingEdge(dut.clk_i)
        if int(dut.job_valid.value) and int(dut.job_ready.value):
            break
    dut.rp_decoupled_i.value = 1
    tb.rm.restart()
    try:
        await start
        raise AssertionError("decoupling under a job did not fail ATT")
    except CommandError as e:
        assert "error 6 " in str(e), str(e)
    dut.rp_decoupled_i.value = 0
    # the region recovers: a full layer is still bit-exact
    tb.rm.k[:] = 0
    tb.rm.v[:] = 0
    await run_tokens(tb, golden, tok, 0, PHASE_PREFILL)


@cocotb.test()
async def test_static_region_errors(dut):
    """Bad command, bad ROWS, bad LAYER, START while busy, RP absent, DMA SLVERR: all reported."""
    tb = TB(dut, "test_static_region_errors")
    await tb.start(rm=False)
    dut.rm_id.value = 0
    dut.job_ready.value = 0
    dut.rm_done.value = 0
    dut.rm_busy.value = 0
    dut.rm_err.value = 0
    dut.rm_err_code.value = 0
    dut.qkv_tready.value = 0
    dut.o_tvalid.value = 0
    await tb.load()
    sr = tb.sr

    async def expect(code: int, coro) -> None:
        try:
            await coro
        except CommandError as e:
            assert f"error {code} " in str(e), str(e)
            return
        raise AssertionError(f"no error {code}")

    await expect(1, _raw(sr, 15))
    await expect(2, sr.command(Cmd.PRE, rows=0, layer=0))
    await expect(2, sr.command(Cmd.PRE, rows=65, layer=0))           # > MAX_ROWS
    await expect(8, sr.command(Cmd.PRE, rows=1, layer=5))
    await expect(6, sr.command(Cmd.ATT, rows=1, layer=0))            # nothing in the RP
    dut.rm_id.value = 3
    dut.rp_swap_pending_i.value = 1
    await expect(6, sr.command(Cmd.ATT, rows=1, layer=0))            # a swap waits: no new job
    dut.rp_swap_pending_i.value = 0
    dut.rm_id.value = 0
    region = tb.mem.add_error(LAYOUT.hstore, LAYOUT.hstore + 0x1000, "SLVERR", reads=False)
    await expect(3, sr.command(Cmd.STORE_H, rows=2, ddr_lo=LAYOUT.hstore, ddr_hi=0))
    tb.mem.remove_error(region)
    # START while busy: a second START during a long command is refused and reported
    await sr.set_regs(rows=64, layer=0, pos0=0)
    await sr.bus.write_reg(Reg.CTRL, 1 | (Cmd.PRE << 4))
    await sr.bus.write_reg(Reg.CTRL, 1 | (Cmd.PRE << 4))
    await expect(9, _wait_done(sr))
    for _ in range(POLLS):                       # the first command still runs to its end
        if not await sr.bus.read_reg(Reg.STATUS) & 1:
            break
    # and the region still works afterwards
    h = np.arange(4 * 64, dtype=np.int64).reshape(4, 64) * 977
    await sr.embed(h)
    assert np.array_equal(await sr.store_h(4, 64), h)


async def _raw(sr: StaticRegion, cmd: int) -> int:
    """Start an undefined command code (the driver's Cmd enum cannot express it)."""
    await sr.bus.write_reg(Reg.CTRL, 1 | (cmd << 4))
    return await _wait_done(sr)


async def _wait_done(sr: StaticRegion) -> int:
    for _ in range(POLLS):
        st = await sr.bus.read_reg(Reg.STATUS)
        if st & 0b110:
            if st & 0b100:
                await sr.bus.write_reg(Reg.CTRL, 0b100)
                raise CommandError(f"error {(st >> 8) & 0xFF} (raw)")
            return st
    raise CommandError("no done")
