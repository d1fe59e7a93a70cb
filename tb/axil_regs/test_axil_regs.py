"""cocotb tests of axil_regs: the reusable AXI4-Lite register slave.

A Python model of the register bank (byte strobes, SLVERR above N_REGS) gives every expected
value; cocotbext-axi AxiLiteMaster drives the port with random backpressure on all channels
(so AW and W arrive in either order); a monitor counts the register-side strobes.
"""

from __future__ import annotations

import logging

import cocotb
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge
from cocotbext.axi import AxiLiteMaster, AxiResp

from tb.common.busmap import axil_bus
from tb.common.env import pause_gen, start_clock_reset, test_rng
from tb.common.runner import Block

BLOCK = Block("axil_regs", sources=("common/axil_regs.sv",), parameters={"ADDR_W": 7, "N_REGS": 19})


class TB:
    def __init__(self, dut, name: str, p_stall: float = 0.3):
        self.dut = dut
        self.rng = test_rng(dut, name)
        self.addr_w = int(dut.ADDR_W.value)
        self.n_regs = int(dut.N_REGS.value)
        self.span = 1 << self.addr_w
        logging.getLogger(f"cocotb.{dut._name}.s_axil").setLevel(logging.WARNING)
        self.axil = AxiLiteMaster(axil_bus(dut, "s_axil"), dut.clk_i, dut.rst_ni,
                                  reset_active_level=False)
        self.set_stall(p_stall)
        self.model = [0xA5000000 | i for i in range(self.n_regs)]
        self.wr_strobes = 0
        self.rd_strobes = 0
        self.want_wr = 0
        self.want_rd = 0

    def set_stall(self, p: float) -> None:
        w, r = self.axil.write_if, self.axil.read_if
        for ch in (w.aw_channel, w.w_channel, w.b_channel, r.ar_channel, r.r_channel):
            ch.set_pause_generator(pause_gen(self.rng, p) if p > 0 else None)

    async def start(self) -> None:
        await start_clock_reset(self.dut)
        cocotb.start_soon(self._count())

    async def _count(self) -> None:
        while True:
            await RisingEdge(self.dut.clk_i)
            await ReadOnly()
            if int(self.dut.wr_en_o.value):
                self.wr_strobes += 1
                assert int(self.dut.wr_idx_o.value) < self.n_regs
            if int(self.dut.rd_en_o.value):
                self.rd_strobes += 1
                assert int(self.dut.rd_idx_o.value) < self.n_regs

    async def write(self, addr: int, data: bytes) -> None:
        """Write ``data`` at byte address ``addr`` (within one register) and check the response."""
        idx = addr // 4
        resp = await self.axil.write(addr, data)
        if idx < self.n_regs:
            assert resp.resp == AxiResp.OKAY, f"write 0x{addr:x}: {resp.resp!r}"
            b = bytearray(self.model[idx].to_bytes(4, "little"))
            off = addr % 4
            b[off:off + len(data)] = data
            self.model[idx] = int.from_bytes(b, "little")
            self.want_wr += 1
        else:
            assert resp.resp == AxiResp.SLVERR, f"write 0x{addr:x} beyond N_REGS: {resp.resp!r}"

    async def read(self, addr: int) -> None:
        idx = addr // 4
        resp = await self.axil.read(addr & ~3, 4)
        got = int.from_bytes(resp.data, "little")
        if idx < self.n_regs:
            assert resp.resp == AxiResp.OKAY, f"read 0x{addr:x}: {resp.resp!r}"
            assert got == self.model[idx], f"reg {idx}: 0x{got:08x} != model 0x{self.model[idx]:08x}"
            self.want_rd += 1
        else:
            assert resp.resp == AxiResp.SLVERR and got == 0, f"read 0x{addr:x}: {resp}"

    def rand_addr(self, in_range: bool | None = None) -> int:
        if in_range is None:
            return int(self.rng.integers(self.span // 4)) * 4
        hi = self.n_regs if in_range else self.span // 4
        lo = 0 if in_range else self.n_regs
        return 4 * int(self.rng.integers(lo, hi))

    async def check_counts(self) -> None:
        await ClockCycles(self.dut.clk_i, 2)
        assert self.wr_strobes == self.want_wr, (self.wr_strobes, self.want_wr)
        assert self.rd_strobes == self.want_rd, (self.rd_strobes, self.want_rd)


@cocotb.test()
async def test_axil_regs_reset_and_full_map(dut):
    """Reset values of every register; every word address beyond N_REGS answers SLVERR."""
    tb = TB(dut, "test_axil_regs_reset_and_full_map")
    await tb.start()
    words = tb.span // 4
    beyond = list(range(tb.n_regs, words))
    if len(beyond) > 64:    # large windows: the first, the last and a random sample
        pick = tb.rng.choice(beyond[1:-1], 62, replace=False).tolist()
        beyond = [beyond[0], *sorted(pick), beyond[-1]]
    for idx in [*range(tb.n_regs), *beyond]:
        await tb.read(4 * idx)
    for idx in beyond:
        await tb.write(4 * idx, b"\xff" * 4)
    for idx in range(tb.n_regs):
        await tb.read(4 * idx)
    await tb.check_counts()


@cocotb.test()
async def test_axil_regs_random(dut):
    """Random sequential reads/writes with random byte strobes and addresses, then concurrent
    write and read streams on disjoint registers (channels independent, no lost transfers)."""
    tb = TB(dut, "test_axil_regs_random")
    await tb.start()
    for _ in range(150):
        addr = tb.rand_addr(bool(tb.rng.random() < 0.85) if tb.n_regs < tb.span // 4 else True)
        if tb.rng.random() < 0.5:
            off = int(tb.rng.integers(4))
            n = int(tb.rng.integers(1, 5 - off))
            await tb.write(addr + off, tb.rng.integers(0, 256, n, dtype="u1").tobytes())
        else:
            await tb.read(addr + int(tb.rng.integers(4)))
    if tb.n_regs >= 2:
        evens = list(range(0, tb.n_regs, 2))
        odds = list(range(1, tb.n_regs, 2))

        async def writer():
            for _ in range(60):
                idx = evens[int(tb.rng.integers(len(evens)))]
                await tb.write(4 * idx, tb.rng.integers(0, 256, 4, dtype="u1").tobytes())

        async def reader():
            for _ in range(60):
                await tb.read(4 * odds[int(tb.rng.integers(len(odds)))])

        w = cocotb.start_soon(writer())
        r = cocotb.start_soon(reader())
        await w
        await r
        for idx in range(tb.n_regs):
            await tb.read(4 * idx)
    await tb.check_counts()


@cocotb.test()
async def test_axil_regs_throughput(dut):
    """Without backpressure: one write and one read every 2 cycles (one of each in flight)."""
    tb = TB(dut, "test_axil_regs_throughput", p_stall=0.0)
    await tb.start()
    n = 32
    t0 = cocotb.utils.get_sim_time("ns")
    events = []
    for i in range(n):          # queued in order: the last write to a register wins
        events.append(tb.axil.init_write(4 * (i % tb.n_regs), (i * 0x01010101).to_bytes(4, "little")))
        tb.model[i % tb.n_regs] = i * 0x01010101
        tb.want_wr += 1
    for ev in events:
        await ev.wait()
        assert ev.data.resp == AxiResp.OKAY
    t1 = cocotb.utils.get_sim_time("ns")
    events = [tb.axil.init_read(4 * (i % tb.n_regs), 4) for i in range(n)]
    for i, ev in enumerate(events):
        await ev.wait()
        assert int.from_bytes(ev.data.data, "little") == tb.model[i % tb.n_regs]
    t2 = cocotb.utils.get_sim_time("ns")
    tb.want_rd += n
    wcyc, rcyc = (t1 - t0) / 4 / n, (t2 - t1) / 4 / n
    dut._log.info("axil_regs: %.2f cycles/write, %.2f cycles/read", wcyc, rcyc)
    assert wcyc <= 2.2 and rcyc <= 2.2, (wcyc, rcyc)
    for idx in range(tb.n_regs):
        await tb.read(4 * idx)
    await tb.check_counts()
