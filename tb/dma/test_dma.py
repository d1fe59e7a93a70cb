"""cocotb tests of axi_dma (read + write engines on one AXI4 master) against the HP memory model.

Expected values come from a golden byte image of the memory plus the documented command
checks, burst splitting and error-region semantics (tb/common/axi_mem.py), never from the DUT.
"""

from __future__ import annotations

import json
import logging
import os

import cocotb
import numpy as np
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge
from cocotb.utils import get_sim_time
from cocotbext.axi import AxiResp, AxiStreamFrame
from cocotbext.axi.stream import define_stream

from tb.common.axi_mem import BEAT_BYTES, HpMemory, MemConfig
from tb.common.busmap import mapped
from tb.common.env import CLK_PERIOD_NS, pause_gen, start_clock_reset, test_rng, wait_until
from tb.common.runner import Block
from tb.common.scoreboard import Scoreboard
from tb.common.streams import frame_tuser, stream_sink, stream_source

BLOCK = Block("dma", sources=("dma/axi_dma_fifo.sv", "dma/axi_dma_burst.sv", "dma/axi_dma_rd.sv",
                              "dma/axi_dma_wr.sv", "dma/axi_dma.sv"),
              parameters={"ADDR_W": 40, "ID_W": 4, "LEN_W": 32, "MAX_LEN": 65536,
                          "MAX_BURST": 16, "MAX_OUTSTANDING": 8})

# status codes (docs/dma.md)
STS_OK, STS_SLVERR, STS_DECERR = 0, 2, 3
STS_ZERO, STS_ALIGN, STS_LEN, STS_WRAP = 4, 5, 6, 7
RESP_CODE = {AxiResp.SLVERR: STS_SLVERR, AxiResp.DECERR: STS_DECERR}

MEM_SIZE = 1 << 20
RD_LO, RD_HI = 0x00000, 0x40000       # read-only area for concurrent random reads
WR_LO, WR_HI = 0x40000, 0x80000       # write area

DmaCmdBus, DmaCmdTransaction, DmaCmdSource, _, _ = define_stream(
    "DmaCmd", signals=["valid", "ready", "addr", "len"])
DmaStsBus, DmaStsTransaction, _, DmaStsSink, _ = define_stream(
    "DmaSts", signals=["valid", "ready", "code"])


def split_bursts(addr: int, length: int, max_burst: int) -> list[tuple[int, int]]:
    """Golden burst split: (address, beats), <= max_burst beats, never across 4 KiB."""
    out, beats = [], length // BEAT_BYTES
    while beats:
        n = min(beats, max_burst, (0x1000 - (addr & 0xFFF)) // BEAT_BYTES)
        out.append((addr, n))
        addr += n * BEAT_BYTES
        beats -= n
    return out


def now_cycles() -> float:
    return get_sim_time("ns") / CLK_PERIOD_NS


class TB:
    def __init__(self, dut, name: str, cfg: MemConfig | None = None, p_stall: float = 0.3):
        self.dut = dut
        self.clk = dut.clk_i
        self.rng = test_rng(dut, name)
        self.addr_w = int(dut.ADDR_W.value)
        self.max_len = int(dut.MAX_LEN.value)
        self.max_burst = int(dut.MAX_BURST.value)
        self.max_out = int(dut.MAX_OUTSTANDING.value)
        # "long" transfer size: 32 KiB, less for engines that cannot cover the latency anyway
        self.long = min(0x8000, self.max_len, 1024 * self.max_burst * self.max_out)
        self.cfg = cfg if cfg is not None else MemConfig.functional(self.rng)
        dut._log.info("dma: MAX_BURST=%d MAX_OUTSTANDING=%d; memory %s", self.max_burst,
                      self.max_out, self.cfg.describe())
        self.mem = HpMemory(dut, self.clk, dut.rst_ni, ["m_axi"], self.cfg, self.rng,
                            size=MEM_SIZE)
        self.golden = np.zeros(MEM_SIZE, dtype=np.uint8)
        rst = dut.rst_ni
        self.rd_cmd = DmaCmdSource(mapped(DmaCmdBus, dut, "rd_cmd"), self.clk, rst, False)
        self.wr_cmd = DmaCmdSource(mapped(DmaCmdBus, dut, "wr_cmd"), self.clk, rst, False)
        self.rd_sts = DmaStsSink(mapped(DmaStsBus, dut, "rd_sts"), self.clk, rst, False)
        self.wr_sts = DmaStsSink(mapped(DmaStsBus, dut, "wr_sts"), self.clk, rst, False)
        for ch in (self.rd_cmd, self.wr_cmd, self.rd_sts, self.wr_sts):
            ch.log.setLevel(logging.WARNING)
            if p_stall > 0:
                ch.set_pause_generator(pause_gen(self.rng, p_stall))
        self.rd_data = stream_sink(dut, "m_axis", self.clk, self.rng, p_stall, rst)
        self.wr_data = stream_source(dut, "s_axis", self.clk, self.rng, p_stall, rst)
        self.sb_rd = Scoreboard("rd data", dut._log)
        self.sb_rd_user = Scoreboard("rd tuser", dut._log)
        self.sb_rd_sts = Scoreboard("rd status", dut._log)
        self.sb_wr_sts = Scoreboard("wr status", dut._log)
        self.wr_pending: list[tuple[int, bytes, np.ndarray]] = []
        self.n_rd = self.n_wr = 0            # commands issued
        self.rd_beats = self.wr_beats = 0    # beats the good commands move (since clear)
        self.rd_codes: list[int] = []        # expected status codes (since clear)
        self.wr_codes: list[int] = []
        self.bursts: list[tuple[str, int, int]] = []   # golden AXI bursts, in order per kind
        dut.clear_i.value = 0
        cocotb.start_soon(self._rd_monitor())
        cocotb.start_soon(self._rd_sts_monitor())
        cocotb.start_soon(self._wr_sts_monitor())

    async def start(self) -> None:
        await start_clock_reset(self.dut)

    # ---------------------------------------------------------------- golden expectations
    def cmd_code(self, addr: int, length: int) -> int:
        if length == 0:
            return STS_ZERO
        if addr % BEAT_BYTES or length % BEAT_BYTES:
            return STS_ALIGN
        if length > self.max_len:
            return STS_LEN
        if addr + length > (1 << self.addr_w):
            return STS_WRAP
        return STS_OK

    def beat_resps(self, addr: int, length: int, write: bool) -> list[AxiResp]:
        """The model's documented per-beat response for the current error regions."""
        out = []
        for i in range(length // BEAT_BYTES):
            a = addr + i * BEAT_BYTES
            resp = AxiResp.OKAY
            if a + BEAT_BYTES > MEM_SIZE:
                resp = AxiResp.DECERR
            else:
                for r in self.cfg.errors:
                    if (r.writes if write else r.reads) and r.lo < a + BEAT_BYTES and a < r.hi:
                        resp = r.resp
                        break
            out.append(resp)
        return out

    # ---------------------------------------------------------------- commands
    async def rd(self, addr: int, length: int, flags: np.ndarray | None = None,
                 code: int | None = None) -> None:
        """Queue a read command with its expected data, per-beat error flags and status."""
        c = self.cmd_code(addr, length)
        if c == STS_OK:
            resps = self.beat_resps(addr, length, write=False)
            if flags is None:
                flags = np.array([r != AxiResp.OKAY for r in resps], dtype=np.int64)
            data = np.zeros(length, dtype=np.uint8)
            inside = self.golden[addr:addr + length]
            data[:len(inside)] = inside
            for i, f in enumerate(flags):
                if f:
                    data[i * BEAT_BYTES:(i + 1) * BEAT_BYTES] = 0   # error beats carry zeros
            if code is None:
                first = next((r for r in resps if r != AxiResp.OKAY), None)
                code = STS_OK if first is None else RESP_CODE[first]
            self.sb_rd.expect(data)
            self.sb_rd_user.expect(np.asarray(flags, dtype=np.int64))
            self.bursts += [("R", a, n) for a, n in split_bursts(addr, length, self.max_burst)]
            self.rd_beats += length // BEAT_BYTES
        else:
            code = c
        self.sb_rd_sts.expect(np.array([code]))
        self.rd_codes.append(code)
        self.n_rd += 1
        await self.rd_cmd.send(DmaCmdTransaction(addr=addr, len=length))

    async def wr(self, addr: int, data: bytes | None, length: int | None = None,
                 code: int | None = None) -> None:
        """Queue a write command (+ its data if the command is good) and its expected status."""
        length = len(data) if length is None else length
        c = self.cmd_code(addr, length)
        if c == STS_OK:
            resps = self.beat_resps(addr, length, write=True)
            if code is None:
                code = STS_OK
                for a, n in split_bursts(addr, length, self.max_burst):
                    i0 = (a - addr) // BEAT_BYTES
                    bad = [r for r in resps[i0:i0 + n] if r != AxiResp.OKAY]
                    if bad:
                        code = RESP_CODE[bad[0]]
                        break
            keep = np.array([r == AxiResp.OKAY for r in resps], dtype=bool)
            self.wr_pending.append((addr, data, keep))
            self.bursts += [("W", a, n) for a, n in split_bursts(addr, length, self.max_burst)]
            self.wr_beats += length // BEAT_BYTES
        else:
            code = c
            self.wr_pending.append((addr, None, None))
        self.sb_wr_sts.expect(np.array([code]))
        self.wr_codes.append(code)
        self.n_wr += 1
        await self.wr_cmd.send(DmaCmdTransaction(addr=addr, len=length))
        if c == STS_OK:
            await self.wr_data.send(AxiStreamFrame(data))

    # ---------------------------------------------------------------- monitors
    async def _rd_monitor(self):
        while True:
            frame = await self.rd_data.recv()
            data = np.frombuffer(bytes(frame.tdata), dtype=np.uint8)
            self.sb_rd.observe(data)
            tu = frame_tuser(frame)
            beats = len(data) // BEAT_BYTES
            flags = tu * beats if len(tu) == 1 else tu[::BEAT_BYTES]
            self.sb_rd_user.observe(np.array(flags, dtype=np.int64))

    async def _rd_sts_monitor(self):
        while True:
            s = await self.rd_sts.recv()
            self.sb_rd_sts.observe(np.array([int(s.code)]))

    async def _wr_sts_monitor(self):
        while True:
            s = await self.wr_sts.recv()
            self.sb_wr_sts.observe(np.array([int(s.code)]))
            addr, data, keep = self.wr_pending.pop(0)
            if data is not None:   # the write is complete: update the golden image
                buf = np.frombuffer(data, dtype=np.uint8)
                for i in np.flatnonzero(keep):
                    a = addr + int(i) * BEAT_BYTES
                    self.golden[a:a + BEAT_BYTES] = buf[i * BEAT_BYTES:(i + 1) * BEAT_BYTES]

    # ---------------------------------------------------------------- waiting and checking
    def outstanding(self) -> int:
        return sum(len(sb.expected) for sb in (self.sb_rd, self.sb_rd_sts, self.sb_wr_sts))

    async def drain(self, max_cycles: int) -> None:
        await wait_until(self.clk, lambda: self.outstanding() == 0, max_cycles,
                         "all DMA statuses and read frames")
        await wait_until(self.clk, lambda: not int(self.dut.rd_busy_o.value)
                         and not int(self.dut.wr_busy_o.value) and not self.mem.busy(),
                         1000, "DMA and memory idle")

    def budget(self, beats: int, cmds: int) -> int:
        return 40 * beats + (4 * self.cfg.latency + 200) * cmds + 2000

    def check(self, counters: bool = True) -> None:
        for sb in (self.sb_rd, self.sb_rd_user, self.sb_rd_sts, self.sb_wr_sts):
            if sb.expected or sb.mismatches or sb.matched:
                sb.check()
        assert not self.mem.protocol_errors, self.mem.protocol_errors
        image = self.mem.read(0, MEM_SIZE)
        if image != self.golden.tobytes():
            diff = np.flatnonzero(np.frombuffer(image, np.uint8) != self.golden)
            raise AssertionError(f"memory differs from golden at {len(diff)} bytes, first "
                                 f"{[hex(int(x)) for x in diff[:4]]}")
        # the AXI bursts, per direction, are exactly the golden split of the good commands
        got = self.mem.ports[0].stats.bursts
        for kind in ("R", "W"):
            exp_k = [b for b in self.bursts if b[0] == kind]
            got_k = [b for b in got if b[0] == kind]
            assert got_k == exp_k, f"{kind} bursts differ: first mismatch at " \
                f"{next((i for i, (a, b) in enumerate(zip(got_k, exp_k, strict=False)) if a != b), None)}, " \
                f"{len(got_k)} vs {len(exp_k)} bursts"
        if counters:
            self.check_counters()

    def check_counters(self) -> None:
        d = self.dut
        rb, rbusy, rstall = (int(d.rd_cnt_beats_o.value), int(d.rd_cnt_busy_o.value),
                             int(d.rd_cnt_stall_o.value))
        wb, wbusy, wstall = (int(d.wr_cnt_beats_o.value), int(d.wr_cnt_busy_o.value),
                             int(d.wr_cnt_stall_o.value))
        d._log.info("counters: rd beats %d busy %d stall %d | wr beats %d busy %d stall %d",
                    rb, rbusy, rstall, wb, wbusy, wstall)
        assert rb == self.rd_beats, f"rd beat counter {rb} != {self.rd_beats}"
        assert wb == self.wr_beats, f"wr beat counter {wb} != {self.wr_beats}"
        assert rstall == rbusy - rb and wstall == wbusy - wb, "stall != busy - beats"
        assert rbusy >= rb and wbusy >= wb
        assert int(d.rd_err_o.value) == any(c != STS_OK for c in self.rd_codes), "rd_err_o"
        assert int(d.wr_err_o.value) == any(c != STS_OK for c in self.wr_codes), "wr_err_o"

    async def clear(self) -> None:
        self.dut.clear_i.value = 1
        await RisingEdge(self.clk)
        self.dut.clear_i.value = 0
        await ReadOnly()
        for sig in ("rd_cnt_beats_o", "rd_cnt_busy_o", "rd_cnt_stall_o", "wr_cnt_beats_o",
                    "wr_cnt_busy_o", "wr_cnt_stall_o", "rd_err_o", "wr_err_o"):
            assert int(getattr(self.dut, sig).value) == 0, f"{sig} not cleared"
        await RisingEdge(self.clk)
        self.rd_beats = self.wr_beats = 0
        self.rd_codes.clear()
        self.wr_codes.clear()


def rand_len(rng: np.random.Generator, max_beats: int) -> int:
    return int(rng.integers(1, max_beats + 1)) * BEAT_BYTES


def rand_addr(rng: np.random.Generator, lo: int, hi: int, length: int) -> int:
    """Aligned address in [lo, hi - length]; half of them just below a 4 KiB boundary."""
    if rng.random() < 0.5:
        page = int(rng.integers(lo // 0x1000, (hi - length) // 0x1000))
        a = page * 0x1000 + 0x1000 - int(rng.integers(1, 8)) * BEAT_BYTES
        if lo <= a <= hi - length:
            return a
    return lo + int(rng.integers(0, (hi - lo - length) // BEAT_BYTES + 1)) * BEAT_BYTES


@cocotb.test()
async def test_dma_random(dut):
    """Random concurrent read/write command sequences (incl. bad ones) checked against memory."""
    tb = TB(dut, "test_dma_random")
    await tb.start()
    rng = tb.rng
    tb.golden[RD_LO:RD_HI] = np.frombuffer(tb.mem.fill_random(RD_LO, RD_HI - RD_LO), np.uint8)
    n_cmds, beats = 24, 0
    written: list[tuple[int, int]] = []

    async def readers():
        nonlocal beats
        for _ in range(n_cmds):
            if rng.random() < 0.1:
                await tb.rd(int(rng.integers(0, 4)) * 8, int(rng.integers(0, 3)) * 24)  # bad
                continue
            n = rand_len(rng, 48)
            beats += n // BEAT_BYTES
            await tb.rd(rand_addr(rng, RD_LO, RD_HI, n), n)

    async def writers():
        nonlocal beats
        for _ in range(n_cmds):
            if rng.random() < 0.1:
                await tb.wr(WR_LO + 8, None, length=32)                       # misaligned
                continue
            n = rand_len(rng, 48)
            beats += n // BEAT_BYTES
            data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
            a = rand_addr(rng, WR_LO, WR_HI, n)
            written.append((a, n))
            await tb.wr(a, data)

    r, w = cocotb.start_soon(readers()), cocotb.start_soon(writers())
    await wait_until(tb.clk, lambda: r.done() and w.done(), tb.budget(2000, 2 * n_cmds), "issue")
    await tb.drain(tb.budget(beats, 2 * n_cmds))
    tb.check()
    await tb.clear()
    # phase 2: read back every span written, through the DMA, as back-to-back commands
    spans = sorted(written)
    for a, n in spans:
        await tb.rd(a, n)
    await tb.drain(tb.budget(sum(n for _, n in spans) // BEAT_BYTES, len(spans)))
    tb.check()


@cocotb.test()
async def test_dma_4k_split(dut):
    """Reads and writes crossing one or several 4 KiB boundaries split exactly there."""
    tb = TB(dut, "test_dma_4k_split")
    await tb.start()
    tb.golden[RD_LO:RD_HI] = np.frombuffer(tb.mem.fill_random(RD_LO, RD_HI - RD_LO), np.uint8)
    cases = [(0x1000 - 16, 32), (0x2000 - 64, 0x1000), (0x5000 - 0x310, 0x2400),
             (0x7FF0, 16), (0x9000 - 16 * 17, 16 * 18), (0xB000, 0x1000)]
    beats = 0
    for off, n in cases:
        await tb.rd(RD_LO + off, n)
        data = tb.rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        await tb.wr(WR_LO + off, data)
        beats += 2 * n // BEAT_BYTES
    await tb.drain(tb.budget(beats, 2 * len(cases)))
    tb.check()
    crossing = [b for b in tb.mem.ports[0].stats.bursts
                if (b[1] & 0xFFF) + b[2] * BEAT_BYTES > 0x1000]
    assert not crossing, crossing
    assert all(b[2] <= tb.max_burst for b in tb.mem.ports[0].stats.bursts)


@cocotb.test()
async def test_dma_long(dut):
    """Long transfers (16 and 32 KiB: several 256-beat bursts at MAX_BURST=256), concurrent."""
    tb = TB(dut, "test_dma_long")
    await tb.start()
    tb.golden[RD_LO:RD_HI] = np.frombuffer(tb.mem.fill_random(RD_LO, RD_HI - RD_LO), np.uint8)
    big = tb.long
    await tb.rd(RD_LO + 0x1000, 0x4000)
    await tb.rd(RD_LO + 0x10000, big)
    data = tb.rng.integers(0, 256, big, dtype=np.uint8).tobytes()
    await tb.wr(WR_LO + 0x3000, data)
    await tb.drain(tb.budget(2 * big // 16 + 0x400, 3))
    tb.check()
    # read back what was written
    await tb.rd(WR_LO + 0x3000, big)
    await tb.drain(tb.budget(big // 16, 1))
    tb.check()


@cocotb.test()
async def test_dma_errors(dut):
    """SLVERR/DECERR mid-stream on reads and writes: error status, exact beats, next command OK."""
    tb = TB(dut, "test_dma_errors")
    await tb.start()
    tb.golden[RD_LO:RD_HI] = np.frombuffer(tb.mem.fill_random(RD_LO, RD_HI - RD_LO), np.uint8)
    rng = tb.rng
    budget = tb.budget(0x1000, 4)
    # static regions in the middle of a transfer
    slv = tb.mem.add_error(RD_LO + 0x2100, RD_LO + 0x2180, "SLVERR")
    await tb.rd(RD_LO + 0x2000, 0x400)                       # -> SLVERR, beats 16..23 flagged
    await tb.rd(RD_LO + 0x3000, 0x400)                       # clean -> OK
    dec = tb.mem.add_error(RD_LO + 0x4040, RD_LO + 0x4060, "DECERR")
    slv2 = tb.mem.add_error(RD_LO + 0x4200, RD_LO + 0x4300, "SLVERR")
    await tb.rd(RD_LO + 0x4000, 0x800)                       # first error DECERR -> 3
    await tb.drain(budget)
    tb.check()
    wslv = tb.mem.add_error(WR_LO + 0x1200, WR_LO + 0x1240, "SLVERR", reads=False)
    data = rng.integers(0, 256, 0x800, dtype=np.uint8).tobytes()
    await tb.wr(WR_LO + 0x1000, data)                        # -> SLVERR, region not written
    wdec = tb.mem.add_error(WR_LO + 0x2700, WR_LO + 0x2800, "DECERR", reads=False)
    await tb.wr(WR_LO + 0x2000, rng.integers(0, 256, 0x1000, dtype=np.uint8).tobytes())
    await tb.wr(WR_LO + 0x5000, rng.integers(0, 256, 0x200, dtype=np.uint8).tobytes())  # OK
    await tb.drain(budget)
    tb.check()
    for r in (slv, dec, slv2, wslv, wdec):
        tb.mem.remove_error(r)
    # beyond the memory the interconnect answers DECERR (first burst OK, second DECERR)
    await tb.rd(MEM_SIZE - 0x40, 0x80)
    await tb.drain(budget)
    await tb.wr(MEM_SIZE - 0x40, rng.integers(0, 256, 0x80, dtype=np.uint8).tobytes())
    await tb.drain(budget)
    tb.check()

    # runtime injection: a region appears while a long transfer is under way, ahead of the
    # bursts already requested (at most MAX_OUTSTANDING * MAX_BURST beats ahead of the output)
    n = tb.long
    window = tb.max_out * tb.max_burst * BEAT_BYTES + BEAT_BYTES
    assert window < n - 0x100, (window, n)
    flags = np.zeros(n // BEAT_BYTES, dtype=np.int64)
    flags[-0x100 // BEAT_BYTES:] = 1
    base = int(dut.rd_cnt_beats_o.value)
    await tb.rd(RD_LO + 0x10000, n, flags=flags, code=STS_SLVERR)
    await wait_until(tb.clk, lambda: int(dut.rd_cnt_beats_o.value) > base, budget,
                     "first beat of the long read")
    late = tb.mem.add_error(RD_LO + 0x10000 + n - 0x100, RD_LO + 0x10000 + n, "SLVERR")
    await tb.drain(tb.budget(n // 16, 1))
    tb.mem.remove_error(late)
    tb.check()
    # the same for a write: the region covers the last bursts, which are not yet issued
    wdata = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
    waddr = WR_LO + 0x10000
    tb.sb_wr_sts.expect(np.array([STS_DECERR]))
    tb.wr_codes.append(STS_DECERR)
    keep = np.ones(n // BEAT_BYTES, dtype=bool)
    keep[-0x100 // BEAT_BYTES:] = False
    tb.wr_pending.append((waddr, wdata, keep))
    tb.bursts += [("W", a, k) for a, k in split_bursts(waddr, n, tb.max_burst)]
    tb.wr_beats += n // BEAT_BYTES
    await tb.wr_cmd.send(DmaCmdTransaction(addr=waddr, len=n))
    await tb.wr_data.send(AxiStreamFrame(wdata))
    base = int(dut.wr_cnt_beats_o.value)
    await wait_until(tb.clk, lambda: int(dut.wr_cnt_beats_o.value) > base, budget,
                     "first beat of the long write")
    wlate = tb.mem.add_error(waddr + n - 0x100, waddr + n, "DECERR", reads=False)
    await tb.drain(tb.budget(n // 16, 1))
    tb.mem.remove_error(wlate)
    # and the next commands are fine
    await tb.rd(RD_LO + 0x20000, 0x200)
    await tb.wr(WR_LO + 0x30000, rng.integers(0, 256, 0x200, dtype=np.uint8).tobytes())
    await tb.drain(budget)
    tb.check()
    await tb.clear()


@cocotb.test()
async def test_dma_bad_cmds(dut):
    """Bad commands are rejected in order with their code and cause no AXI traffic."""
    tb = TB(dut, "test_dma_bad_cmds")
    await tb.start()
    tb.golden[RD_LO:RD_HI] = np.frombuffer(tb.mem.fill_random(RD_LO, RD_HI - RD_LO), np.uint8)
    top = 1 << tb.addr_w
    bad = [(0x100, 0), (0x108, 0x100), (0x100, 0x108), (0x100, tb.max_len + 16),
           (top - 16, 32), (top - 0x1000, 0x1000 + 16)]
    expect = [STS_ZERO, STS_ALIGN, STS_ALIGN, STS_LEN, STS_WRAP, STS_WRAP]
    assert [tb.cmd_code(a, n) for a, n in bad] == expect
    for a, n in bad:
        await tb.rd(a, n)
        await tb.wr(a, None, length=n)
        await tb.rd(RD_LO + 0x800, 0x40)                             # good ones in between
        await tb.wr(WR_LO + 0x800, tb.rng.integers(0, 256, 0x40, dtype=np.uint8).tobytes())
    await tb.rd(RD_LO, tb.max_len)                                   # exactly MAX_LEN is fine
    await tb.drain(tb.budget(tb.max_len // 16 + 100, 4 * len(bad) + 1))
    tb.check()
    assert len(tb.mem.ports[0].stats.bursts) == len(tb.bursts)       # no traffic for bad ones
    assert int(dut.rd_err_o.value) == 1 and int(dut.wr_err_o.value) == 1
    await tb.clear()


@cocotb.test()
async def test_dma_throughput(dut):
    """Bench memory (latency 60, no stalls): 64 KiB read / write, back-to-back commands."""
    tb = TB(dut, "test_dma_throughput", MemConfig.bench(), p_stall=0.0)
    await tb.start()
    tb.golden[RD_LO:RD_HI] = np.frombuffer(tb.mem.fill_random(RD_LO, RD_HI - RD_LO), np.uint8)
    n = min(0x10000, tb.max_len)
    beats = n // BEAT_BYTES
    res = {}

    async def timed(what: str, issue, n_beats: int, counter: str) -> float:
        base = int(getattr(dut, counter).value)
        t0 = now_cycles()
        await issue()
        await wait_until(tb.clk, lambda: int(getattr(dut, counter).value) - base >= n_beats,
                         40 * n_beats + 2000, what)
        rate = n_beats / (now_cycles() - t0)
        res[what] = rate
        return rate

    async def one_read():
        await tb.rd(RD_LO, n)

    async def many_reads():
        for k in range(16):
            await tb.rd(RD_LO + 0x20000 + k * (n // 16), n // 16)

    async def one_write():
        await tb.wr(WR_LO, tb.rng.integers(0, 256, n, dtype=np.uint8).tobytes())

    await timed("rd_64k", one_read, beats, "rd_cnt_beats_o")
    await tb.drain(5000)
    await timed("rd_16x4k", many_reads, beats, "rd_cnt_beats_o")
    await tb.drain(5000)
    await timed("wr_64k", one_write, beats, "wr_cnt_beats_o")
    await tb.drain(5000)
    rb, wb = int(dut.rd_cnt_beats_o.value), int(dut.wr_cnt_beats_o.value)
    t0 = now_cycles()
    await tb.rd(RD_LO, n)
    await tb.wr(WR_LO + 0x10000, tb.rng.integers(0, 256, n, dtype=np.uint8).tobytes())
    await wait_until(tb.clk, lambda: int(dut.rd_cnt_beats_o.value) - rb >= beats
                     and int(dut.wr_cnt_beats_o.value) - wb >= beats, 40 * beats, "rd + wr")
    res["rdwr_64k_each"] = 2 * beats / (now_cycles() - t0)
    await tb.drain(5000)
    tb.check()
    s = tb.mem.ports[0].stats
    res.update(max_burst=tb.max_burst, max_outstanding=tb.max_out,
               lat_min=s.lat_min, lat_max=s.lat_max)
    dut._log.info("throughput (beats/cycle, incl. first-beat latency): %s", res)
    with open("dma_throughput.json", "w") as fh:     # run directory: read by bench / sweep
        json.dump(res, fh)
    min_rate = float(os.environ.get("DMA_MIN_RATE", "0"))
    for k in ("rd_64k", "rd_16x4k", "wr_64k"):
        assert res[k] >= min_rate, f"{k}: {res[k]:.3f} beats/cycle < {min_rate}"
    assert res["rdwr_64k_each"] >= 2 * min_rate * 0.97, res["rdwr_64k_each"]
    await ClockCycles(tb.clk, 2)
