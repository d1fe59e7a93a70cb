"""cocotb tests of rp_cfg_ctrl: configuration controller driven by the PCAP model.

The PS side is modelled by pdswap_host.pcap (PCAP stream at a configurable rate with random
stalls, AXI-Lite register access through cocotbext-axi with random backpressure on all five
channels); a cocotb stand-in RM answers shutdown requests after a random drain time and drives
rm_busy_i. Expected outcomes come from the Python container reader (hw_error_code), never from
the DUT; a monitor checks the RP safety invariants every cycle and counts the phases
independently of the DUT's counters.
"""

from __future__ import annotations

import logging
import struct
from fractions import Fraction

import cocotb
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge
from cocotbext.axi import AxiLiteMaster, AxiResp
from pdswap_host.bitstream import (
    HEADER_BYTES,
    PAYLOAD_MIN,
    RM_NAMES,
    SYNC_WORD,
    ErrCode,
    crc32,
    hw_error_code,
    make_payload,
    pack,
    pack_raw,
)
from pdswap_host.pcap import (
    DEFAULT_RATE,
    MAGIC,
    N_REGS,
    Pcap,
    PcapCore,
    Reg,
    RpCfgHost,
    State,
    Status,
    reconf_cycles,
)

from tb.common.busmap import axil_bus
from tb.common.env import start_clock_reset, test_rng, wait_until
from tb.common.runner import Block

BLOCK = Block("rp_cfg", sources=("common/axil_regs.sv", "common/crc32_d32.sv", "rp/rp_cfg_ctrl.sv"),
              parameters={"RP_ID": 0, "NUM_RM": 2, "MAX_BYTES": 1024, "RESET_CYCLES": 8,
                          "BUSY_TIMEOUT": 0, "ACK_TIMEOUT": 0})

PREFILL, DECODE = RM_NAMES["prefill"], RM_NAMES["decode"]   # rp_pkg::RmIdPrefill / RmIdDecode
RATES = (Fraction(4), Fraction(3), Fraction(5, 2), Fraction(3, 2), Fraction(1), Fraction(7, 10),
         Fraction(37, 100))


class RmStub:
    """Stand-in RM: drains for a random number of cycles after shutdown_req_o, then acks (held
    while the request is high); drives rm_busy_i from ``busy``; a reset kills the running job."""

    def __init__(self, dut, rng, max_drain: int = 6):
        self.dut = dut
        self.rng = rng
        self.max_drain = max_drain
        self.fixed_drain: int | None = None
        self.ack_enabled = True
        self.busy = False
        self.acks = 0
        dut.shutdown_ack_i.value = 0
        dut.rm_busy_i.value = 0

    async def run(self) -> None:
        dut = self.dut
        drain = None
        ack = 0
        while True:
            await RisingEdge(dut.clk_i)
            req = int(dut.shutdown_req_o.value)
            if int(dut.rm_reset_o.value):
                self.busy = False
            nxt = 0
            if req and self.ack_enabled:
                if drain is None:
                    drain = (self.fixed_drain if self.fixed_drain is not None
                             else int(self.rng.integers(0, self.max_drain + 1)))
                if drain == 0:
                    nxt = 1
                else:
                    drain -= 1
            if not req:
                drain = None
            if nxt and not ack:
                self.acks += 1
            ack = nxt
            dut.shutdown_ack_i.value = ack
            dut.rm_busy_i.value = int(self.busy)

    async def busy_for(self, cycles: int) -> None:
        self.busy = True
        await ClockCycles(self.dut.clk_i, cycles)
        self.busy = False


class Monitor:
    """Checks the RP safety invariants every cycle and counts phase cycles since ``mark``."""

    SIGS = ("decouple_o", "rm_reset_o", "reconfiguring_o", "shutdown_req_o", "swap_pending_o",
            "rm_sel_o", "rm_busy_i", "s_axis_tready_o")

    def __init__(self, dut, reset_cycles: int):
        self.dut = dut
        self.reset_cycles = reset_cycles
        self.errors: list[str] = []
        self.reset_run = 0
        self.couplings = 0
        self.cycle = 0
        self.mark()

    def mark(self) -> None:
        self.shutdown_cycles = 0
        self.pending_cycles = 0
        self.ready_cycles = 0

    def _err(self, msg: str) -> None:
        if len(self.errors) < 20:
            self.errors.append(f"cycle {self.cycle}: {msg}")

    async def run(self) -> None:
        sig = [getattr(self.dut, n) for n in self.SIGS]
        prev = None
        while True:
            await RisingEdge(self.dut.clk_i)
            await ReadOnly()
            self.cycle += 1
            v = dict(zip(self.SIGS, (int(s.value) for s in sig), strict=True))
            dec, rst = v["decouple_o"], v["rm_reset_o"]
            if rst and not dec:
                self._err("rm_reset_o high while coupled")
            if v["reconfiguring_o"] and (not dec or rst):
                self._err("reconfiguring_o without decouple_o, or with rm_reset_o")
            if v["shutdown_req_o"] and (dec or not v["swap_pending_o"]):
                self._err("shutdown_req_o while decoupled or without swap_pending_o")
            if v["swap_pending_o"] and dec:
                self._err("swap_pending_o while decoupled (the RM must stay connected to drain)")
            if prev is not None:
                if v["rm_sel_o"] != prev["rm_sel_o"] and not (dec and prev["decouple_o"]):
                    self._err(f"rm_sel_o changed {prev['rm_sel_o']}->{v['rm_sel_o']} while coupled")
                if v["shutdown_req_o"] and not prev["shutdown_req_o"] and prev["rm_busy_i"]:
                    self._err("shutdown requested while the RM was busy (defer policy violated)")
                if prev["decouple_o"] and not dec:
                    self.couplings += 1
                    if rst or self.reset_run != self.reset_cycles:
                        self._err(f"coupled after {self.reset_run} reset cycles "
                                  f"(expected exactly {self.reset_cycles}, then reset low)")
            self.reset_run = self.reset_run + 1 if rst else 0
            self.shutdown_cycles += v["shutdown_req_o"]
            self.pending_cycles += v["swap_pending_o"] and not v["shutdown_req_o"]
            self.ready_cycles += v["s_axis_tready_o"]
            prev = v

    def check(self) -> None:
        assert not self.errors, "RP invariant violations:\n" + "\n".join(self.errors)


class TB:
    def __init__(self, dut, name: str, p_stall: float = 0.3, max_drain: int = 6):
        self.dut = dut
        self.name = name
        self.rng = test_rng(dut, name)
        self.rp_id = int(dut.RP_ID.value)
        self.num_rm = int(dut.NUM_RM.value)
        self.max_bytes = int(dut.MAX_BYTES.value)
        self.reset_cycles = int(dut.RESET_CYCLES.value)
        self.p_stall = p_stall
        logging.getLogger(f"cocotb.{dut._name}.s_axil").setLevel(logging.WARNING)
        self.axil = AxiLiteMaster(axil_bus(dut, "s_axil"), dut.clk_i, dut.rst_ni,
                                  reset_active_level=False)
        if p_stall > 0:
            from tb.common.env import pause_gen
            w, r = self.axil.write_if, self.axil.read_if
            for ch in (w.aw_channel, w.w_channel, w.b_channel, r.ar_channel, r.r_channel):
                ch.set_pause_generator(pause_gen(self.rng, p_stall))
        self.host = RpCfgHost(self.axil)
        self.pcap = Pcap(dut, dut.clk_i, "s_axis", rate=4, p_stall=p_stall, rng=self.rng)
        self.rm = RmStub(dut, self.rng, max_drain)
        self.mon = Monitor(dut, self.reset_cycles)
        self.loads = 0
        self.errors = 0

    async def start(self) -> None:
        await start_clock_reset(self.dut)
        cocotb.start_soon(self.rm.run())
        cocotb.start_soon(self.mon.run())
        await ClockCycles(self.dut.clk_i, 2)

    # ------------------------------------------------------------------ containers
    def payload(self, rm: int, nbytes: int) -> bytes:
        if nbytes >= PAYLOAD_MIN:
            return make_payload(rm, nbytes, int(self.rng.integers(1 << 31)))
        return self.rng.integers(0, 256, nbytes, dtype="u1").tobytes()

    def rand_size(self, hi: int = 256) -> int:
        return 4 * int(self.rng.integers(1, min(hi, self.max_bytes) // 4 + 1))

    def good(self, rm: int | None = None, nbytes: int | None = None) -> bytes:
        rm = 1 + int(self.rng.integers(self.num_rm)) if rm is None else rm
        nbytes = self.rand_size() if nbytes is None else nbytes
        return pack(self.rp_id, rm, self.payload(rm, nbytes), max_payload=self.max_bytes)

    def expected(self, data: bytes) -> ErrCode:
        return hw_error_code(data, rp_id=self.rp_id, num_rm=self.num_rm,
                             max_payload=self.max_bytes)

    def rand_rate(self) -> Fraction:
        return RATES[int(self.rng.integers(len(RATES)))]

    def budget(self, nbytes: int, rate: Fraction) -> int:
        words = (nbytes + 3) // 4
        return int(2 * words * (4 / rate + 1) / (1 - self.pcap.p_stall)) + 1000

    # ------------------------------------------------------------------ register helpers
    async def status(self) -> Status:
        return await self.host.status()

    async def regs(self, *names: Reg) -> dict[Reg, int]:
        return {r: await self.host.read(r) for r in names}

    async def wait_loaded(self) -> None:
        await wait_until(self.dut.clk_i, lambda: int(self.dut.decouple_o.value) == 0,
                         self.reset_cycles + 50, "RP coupled after the load")

    # ------------------------------------------------------------------ one attempt
    async def load(self, data: bytes, expect: ErrCode = ErrCode.NONE, rate: Fraction | None = None,
                   trigger: bool = True) -> None:
        """Trigger, stream ``data`` through the PCAP model and check the outcome."""
        ref = self.expected(data)
        assert ref == expect, f"test intends {expect.name}, the reference reader says {ref.name}"
        rate = self.rand_rate() if rate is None else rate
        before = await self.status()
        old_sel = int(self.dut.rm_sel_o.value)
        counts = await self.regs(Reg.ERR_COUNT, Reg.LOAD_COUNT)
        self.mon.mark()
        if trigger:
            await self.host.trigger()
        stats = await self.pcap.send(data, self.budget(len(data), rate), rate=rate)
        if expect == ErrCode.NONE:
            await self.wait_loaded()
            await self.check_loaded(data, rate, before, stats.words)
            self.loads += 1
        else:
            await ClockCycles(self.dut.clk_i, 2)
            started = expect in (ErrCode.CRC, ErrCode.EXTRA) or (
                expect == ErrCode.TRUNC and len(data) > HEADER_BYTES)
            new_sel = struct.unpack_from("<I", data, 12)[0] & 0xFF if started else old_sel
            await self.check_error(expect, new_sel)
            self.errors += 1
        after = await self.regs(Reg.ERR_COUNT, Reg.LOAD_COUNT)
        assert after[Reg.LOAD_COUNT] == counts[Reg.LOAD_COUNT] + (expect == ErrCode.NONE)
        assert after[Reg.ERR_COUNT] == counts[Reg.ERR_COUNT] + (expect != ErrCode.NONE)
        self.mon.check()

    async def check_loaded(self, data: bytes, rate: Fraction, before: Status, words: int) -> None:
        rm = struct.unpack_from("<I", data, 12)[0]
        st = await self.status()
        assert st.state == State.LOADED and st.loaded and not st.error, st
        assert not (st.decouple or st.rm_reset or st.reconfiguring or st.shutdown_req
                    or st.swap_pending or st.drain or st.in_frame), st
        r = await self.regs(Reg.ERR_CODE, Reg.RM_ID, Reg.HDR_RM_ID, Reg.BYTES_RX, Reg.CYC_PENDING,
                            Reg.CYC_SHUTDOWN, Reg.CYC_LOAD, Reg.CYC_RESET)
        assert r[Reg.ERR_CODE] == ErrCode.NONE, f"ERR_CODE {r[Reg.ERR_CODE]} after a good load"
        assert r[Reg.RM_ID] == (0x100 | rm), f"RM_ID 0x{r[Reg.RM_ID]:x}, expected loaded rm {rm}"
        assert int(self.dut.rm_sel_o.value) == rm
        assert r[Reg.HDR_RM_ID] == rm
        assert r[Reg.BYTES_RX] == len(data) == 4 * words, f"BYTES_RX {r[Reg.BYTES_RX]} != {len(data)}"
        assert r[Reg.CYC_RESET] == self.reset_cycles
        mon = {Reg.CYC_SHUTDOWN: self.mon.shutdown_cycles, Reg.CYC_PENDING: self.mon.pending_cycles,
               Reg.CYC_LOAD: self.mon.ready_cycles}
        for reg, want in mon.items():
            assert r[reg] == want, f"{reg.name} {r[reg]} != {want} counted by the monitor"

        if before.state == State.LOADED:
            assert r[Reg.CYC_PENDING] >= 1 and r[Reg.CYC_SHUTDOWN] >= 1, r
        else:
            assert r[Reg.CYC_PENDING] == 0 and r[Reg.CYC_SHUTDOWN] == 0, r
        # the PCAP cannot deliver faster than its rate (one word may be banked in advance)
        floor = max(words, reconf_cycles(max(len(data) - 8, 0), rate))
        assert r[Reg.CYC_LOAD] >= floor, f"CYC_LOAD {r[Reg.CYC_LOAD]} < {floor} at {float(rate)} B/cycle"
        self.dut._log.info("load rm %d: %d B at %.3f B/cycle: pending %d shutdown %d load %d reset %d",
                           rm, len(data), float(rate), r[Reg.CYC_PENDING], r[Reg.CYC_SHUTDOWN],
                           r[Reg.CYC_LOAD], r[Reg.CYC_RESET])

    async def check_error(self, code: ErrCode, rm_sel: int | None = None) -> None:
        st = await self.status()
        assert st.state == State.ERROR and st.error and not st.loaded, st
        assert st.decouple and st.rm_reset, f"RP not safe after {code.name}: {st}"
        assert not (st.reconfiguring or st.shutdown_req or st.swap_pending), st
        assert not st.drain and not st.in_frame, f"frame not drained after {code.name}: {st}"
        assert int(self.dut.s_axis_tready_o.value) == 0
        got = await self.host.error()
        assert got == code, f"ERR_CODE {got.name}, expected {code.name}"
        rm = await self.host.read(Reg.RM_ID)
        assert not rm & 0x100, "RM_ID reports a loaded RM in ERROR"
        if rm_sel is not None:
            assert rm & 0xFF == rm_sel == int(self.dut.rm_sel_o.value), \
                f"rm_sel {rm & 0xFF} (port {int(self.dut.rm_sel_o.value)}), expected {rm_sel}"
        self.dut._log.info("error %s: RP decoupled, RM in reset", code.name)

    async def recover(self) -> None:
        """A following good bitstream must recover from any error."""
        await self.load(self.good())

    async def wait_words(self, n: int, max_cycles: int = 20000) -> None:
        await wait_until(self.dut.clk_i, lambda: self.pcap.words_sent >= n, max_cycles,
                         f"{n} words sent by the PCAP")

    def finish(self) -> None:
        self.mon.check()
        self.dut._log.info("%s: %d good loads, %d errors checked, %d couplings", self.name,
                           self.loads, self.errors, self.mon.couplings)
        assert self.loads > 0


# ====================================================================== tests
@cocotb.test()
async def test_reconf_regs(dut):
    """AXI-Lite register file: constants, reset state, RW strobes, RO writes, SLVERR, CTRL reads 0."""
    tb = TB(dut, "test_reconf_regs")
    await tb.start()
    r = await tb.regs(Reg.MAGIC, Reg.RP_ID, Reg.MAX_BYTES, Reg.INFO, Reg.RESET_CYCLES,
                      Reg.BUSY_TIMEOUT, Reg.ACK_TIMEOUT, Reg.CTRL, Reg.ERR_CODE, Reg.ERR_COUNT,
                      Reg.LOAD_COUNT)
    assert r[Reg.MAGIC] == MAGIC
    assert r[Reg.RP_ID] == tb.rp_id and r[Reg.MAX_BYTES] == tb.max_bytes
    assert r[Reg.INFO] == (1 << 24) | tb.num_rm, f"INFO 0x{r[Reg.INFO]:08x}"
    assert r[Reg.RESET_CYCLES] == tb.reset_cycles
    assert r[Reg.BUSY_TIMEOUT] == int(dut.BUSY_TIMEOUT.value)
    assert r[Reg.ACK_TIMEOUT] == int(dut.ACK_TIMEOUT.value)
    assert r[Reg.CTRL] == 0 and r[Reg.ERR_CODE] == 0 and r[Reg.ERR_COUNT] == 0
    assert r[Reg.LOAD_COUNT] == 0
    st = await tb.status()
    assert st.state == State.EMPTY and st.decouple and st.rm_reset and not st.loaded, st
    # RW registers with byte strobes
    model = {Reg.BUSY_TIMEOUT: r[Reg.BUSY_TIMEOUT], Reg.ACK_TIMEOUT: r[Reg.ACK_TIMEOUT]}
    for _ in range(12):
        reg = (Reg.BUSY_TIMEOUT, Reg.ACK_TIMEOUT)[int(tb.rng.integers(2))]
        off = int(tb.rng.integers(4))
        n = int(tb.rng.integers(1, 5 - off))
        data = tb.rng.integers(0, 256, n, dtype="u1").tobytes()
        resp = await tb.axil.write(reg + off, data)
        assert resp.resp == AxiResp.OKAY
        b = bytearray(model[reg].to_bytes(4, "little"))
        b[off:off + n] = data
        model[reg] = int.from_bytes(b, "little")
        got = await tb.host.read(reg)
        assert got == model[reg], f"{reg.name}: 0x{got:08x} != 0x{model[reg]:08x}"
    # writes to RO registers are ignored
    await tb.host.write(Reg.MAGIC, 0x12345678)
    await tb.host.write(Reg.ERR_COUNT, 0xFFFF)
    assert await tb.host.read(Reg.MAGIC) == MAGIC
    assert await tb.host.read(Reg.ERR_COUNT) == 0
    # out-of-range word indices answer SLVERR, reads return 0
    for addr in (4 * N_REGS, 0x7C):
        rr = await tb.axil.read(addr, 4)
        assert rr.resp == AxiResp.SLVERR and rr.data == bytes(4), rr
        wr = await tb.axil.write(addr, b"\xff" * 4)
        assert wr.resp == AxiResp.SLVERR, wr
    # ABORT / ERR_CLEAR with nothing in progress do nothing
    await tb.host.abort()
    await tb.host.clear_error()
    st = await tb.status()
    assert st.state == State.EMPTY and await tb.host.read(Reg.ERR_COUNT) == 0, st
    # restore the timeouts the other checks rely on, then one load for the record
    await tb.host.write(Reg.BUSY_TIMEOUT, 0)
    await tb.host.write(Reg.ACK_TIMEOUT, 0)
    await tb.load(tb.good())
    tb.finish()


@cocotb.test()
async def test_reconf_swap(dut):
    """Prefill/decode swaps of random sizes at random rates, stalls and RM busy periods."""
    tb = TB(dut, "test_reconf_swap")
    await tb.start()
    rm = PREFILL
    for i in range(10):
        if i and tb.rng.random() < 0.5:
            cocotb.start_soon(tb.rm.busy_for(int(tb.rng.integers(1, 60))))
        nbytes = tb.rand_size(tb.max_bytes if i % 4 == 3 else 192)
        await tb.load(tb.good(rm, nbytes))
        rm = rm % tb.num_rm + 1
    # reload of the same RM id is a swap too
    await tb.load(tb.good(rm))
    await tb.load(tb.good(rm))
    tb.finish()


@cocotb.test()
async def test_reconf_pcap_rate(dut):
    """LOADING lasts exactly what the PCAP rate model predicts (no stalls, sink never stalls)."""
    tb = TB(dut, "test_reconf_pcap_rate", p_stall=0.0)
    await tb.start()
    await tb.load(tb.good(PREFILL, 64), rate=Fraction(4))
    warm = 200
    tb.rm.fixed_drain = warm       # the PCAP has banked its credit before LOADING starts
    for i, rate in enumerate((Fraction(4), Fraction(3), Fraction(2), Fraction(3, 2), Fraction(1),
                              Fraction(37, 100), Fraction(DEFAULT_RATE))):
        data = tb.good(1 + i % tb.num_rm, 256 if rate >= 1 else 32)
        core = PcapCore(list(struct.unpack(f"<{len(data) // 4}I", data)), rate)
        for _ in range(warm):
            core.step(False)
        want = 0
        while not core.done:
            core.step(True)
            want += 1
        await tb.load(data, rate=rate)
        got = await tb.host.read(Reg.CYC_LOAD)
        dut._log.info("rate %.4f B/cycle: %d B in %d cycles (model %d), %.4f B/cycle achieved",
                      float(rate), len(data), got, want, len(data) / got)
        assert got == want, f"rate {float(rate)}: CYC_LOAD {got} != model {want}"
        # the nominal rate is kept: two words may be banked before LOADING, none is lost
        lo, hi = reconf_cycles(len(data) - 8, rate), reconf_cycles(len(data), rate)
        assert lo <= got <= hi, f"rate {float(rate)}: {got} cycles outside [{lo}, {hi}]"
    tb.finish()


@cocotb.test()
async def test_reconf_crc_error(dut):
    """Corrupted payload byte, corrupted CRC word -> ERR_CRC; RP safe; a good load recovers."""
    tb = TB(dut, "test_reconf_crc_error")
    await tb.start()
    await tb.load(tb.good(PREFILL))
    for kind in ("payload", "crc", "header-rm"):
        data = bytearray(tb.good(DECODE, tb.rand_size()))
        if kind == "payload":
            i = HEADER_BYTES + int(tb.rng.integers(len(data) - HEADER_BYTES - 4))
            data[i] ^= 1 << int(tb.rng.integers(8))
        elif kind == "crc":
            data[-1] ^= 0x80
        else:   # a valid but different RM id in the header, CRC not updated
            data[12] ^= 3                    # decode (2) -> prefill (1)
        await tb.load(bytes(data), ErrCode.CRC)
        await tb.recover()
    tb.finish()


@cocotb.test()
async def test_reconf_id_error(dut):
    """Unknown RM id and wrong RP id -> ERR_RM_ID / ERR_RP_ID before any payload word."""
    tb = TB(dut, "test_reconf_id_error")
    await tb.start()
    await tb.load(tb.good(DECODE))
    for rm in (0, tb.num_rm + 1, 0xFF, 0x100, 0xFFFFFFFF):     # 0 = RmIdNone
        await tb.load(pack(tb.rp_id, rm, tb.payload(rm, 32)), ErrCode.RM_ID)
        await tb.recover()
    for rp in (tb.rp_id + 1, tb.rp_id ^ 0x80000000):
        await tb.load(pack(rp, 0, tb.payload(0, 32)), ErrCode.RP_ID)
        await tb.recover()
    tb.finish()


@cocotb.test()
async def test_reconf_trunc(dut):
    """The stream ends (tlast) before the declared length: in the header, payload, before CRC."""
    tb = TB(dut, "test_reconf_trunc")
    await tb.start()
    await tb.load(tb.good(PREFILL))
    full = tb.good(DECODE, 128)
    for cut_words in (1, 3, 5, 6, 9, len(full) // 4 - 2, len(full) // 4 - 1):
        await tb.load(full[:4 * cut_words], ErrCode.TRUNC)
        await tb.recover()
    tb.finish()


@cocotb.test()
async def test_reconf_oversize(dut):
    """Declared length > MAX_BYTES (ERR_OVERSIZE) and more words than declared (ERR_EXTRA)."""
    tb = TB(dut, "test_reconf_oversize")
    await tb.start()
    await tb.load(tb.good(PREFILL))
    for length, n in ((tb.max_bytes + 4, 64), (0xFFFFFFFC, 16), (tb.max_bytes * 2, tb.max_bytes)):
        data = pack_raw(rp_id=tb.rp_id, rm_id=DECODE, payload=tb.payload(1, n), length=length)
        await tb.load(data, ErrCode.OVERSIZE)
        await tb.recover()
    for extra in (4, 12, 64):
        good = tb.good(DECODE, 32)
        await tb.load(good + tb.payload(1, extra), ErrCode.EXTRA)
        await tb.recover()
    # exactly MAX_BYTES is fine
    await tb.load(tb.good(PREFILL, tb.max_bytes))
    tb.finish()


@cocotb.test()
async def test_reconf_zero(dut):
    """Zero payload length (ERR_ZERO) and a length that is not a multiple of 4 (ERR_ALIGN)."""
    tb = TB(dut, "test_reconf_zero")
    await tb.start()
    await tb.load(tb.good(DECODE))
    await tb.load(pack_raw(rp_id=tb.rp_id, rm_id=PREFILL, payload=b""), ErrCode.ZERO)
    await tb.recover()
    await tb.load(pack_raw(rp_id=tb.rp_id, rm_id=PREFILL, payload=bytes(16), length=0), ErrCode.ZERO)
    await tb.recover()
    for length in (1, 6, 31):
        await tb.load(pack_raw(rp_id=tb.rp_id, rm_id=PREFILL, payload=bytes(32), length=length),
                      ErrCode.ALIGN)
        await tb.recover()
    # the smallest legal payload: one word
    await tb.load(tb.good(PREFILL, 4))
    tb.finish()


@cocotb.test()
async def test_reconf_sync(dut):
    """Bad sync word (ERR_SYNC) and unknown format version (ERR_VERSION)."""
    tb = TB(dut, "test_reconf_sync")
    await tb.start()
    await tb.load(tb.good(PREFILL))
    for sync in (0, SYNC_WORD ^ 1, 0x665599AA):   # last one: wrong byte order
        await tb.load(pack_raw(sync=sync, rp_id=tb.rp_id, rm_id=DECODE, payload=tb.payload(1, 32)),
                      ErrCode.SYNC)
        await tb.recover()
    # a single stray word with tlast
    await tb.load(b"\x01\x02\x03\x04", ErrCode.SYNC)
    await tb.recover()
    for version in (0, 2, 0xFFFFFFFF):
        await tb.load(pack_raw(version=version, rp_id=tb.rp_id, rm_id=DECODE,
                               payload=tb.payload(1, 32)), ErrCode.VERSION)
        await tb.recover()
    tb.finish()


@cocotb.test()
async def test_reconf_busy_defer(dut):
    """A swap requested while the RM is busy waits in PENDING (RM untouched) until it is idle."""
    tb = TB(dut, "test_reconf_busy_defer")
    await tb.start()
    await tb.load(tb.good(PREFILL))
    for hold in (1, 2, 37, 150):
        tb.rm.busy = True
        data = tb.good(int(dut.rm_sel_o.value) % tb.num_rm + 1)
        tb.mon.mark()
        await tb.host.trigger()
        sender = cocotb.start_soon(tb.pcap.send(data, 20000 + hold))
        for _ in range(hold):
            await RisingEdge(dut.clk_i)
            await ReadOnly()
            assert int(dut.swap_pending_o.value) and not int(dut.shutdown_req_o.value)
            assert not int(dut.decouple_o.value) and not int(dut.rm_reset_o.value)
            assert not int(dut.s_axis_tready_o.value) and tb.pcap.words_sent == 0
        await RisingEdge(dut.clk_i)
        st = await tb.status()
        assert st.state == State.PENDING and st.rm_busy and st.swap_pending, st
        tb.rm.busy = False
        await sender
        await tb.wait_loaded()
        cyc = await tb.host.read(Reg.CYC_PENDING)
        assert cyc >= hold and cyc == tb.mon.pending_cycles, (cyc, hold, tb.mon.pending_cycles)
        assert await tb.host.read(Reg.RM_ID) == 0x100 | struct.unpack_from("<I", data, 12)[0]
        tb.loads += 1
    tb.mon.check()
    tb.finish()


@cocotb.test()
async def test_reconf_busy_timeout(dut):
    """RM busy past BUSY_TIMEOUT -> ERR_BUSY (RM reset); the waiting bitstream loads on retry."""
    tb = TB(dut, "test_reconf_busy_timeout")
    await tb.start()
    await tb.load(tb.good(PREFILL))
    for limit in (5, 40):
        await tb.host.write(Reg.BUSY_TIMEOUT, limit)
        tb.rm.busy = True
        data = tb.good(DECODE)
        await tb.host.trigger()
        sender = cocotb.start_soon(tb.pcap.send(data, 50000))
        await wait_until(dut.clk_i, lambda: int(dut.rm_reset_o.value) == 1, limit + 100,
                         "busy timeout")
        await ClockCycles(dut.clk_i, 2)
        assert not tb.rm.busy, "the RM reset should have ended the job"
        await tb.check_error(ErrCode.BUSY, rm_sel=PREFILL)
        assert await tb.host.read(Reg.CYC_PENDING) == limit + 1
        assert tb.pcap.words_sent == 0, "the bitstream must wait for the next trigger"
        tb.errors += 1
        # retry: the same bitstream, still waiting on the stream, now loads
        tb.mon.mark()
        await tb.host.trigger()
        await sender
        await tb.wait_loaded()
        assert await tb.host.read(Reg.RM_ID) == 0x100 | DECODE
        tb.loads += 1
        await tb.load(tb.good(PREFILL))
    await tb.host.write(Reg.BUSY_TIMEOUT, 0)
    tb.finish()


@cocotb.test()
async def test_reconf_busy_ack_timeout(dut):
    """The RM never acknowledges the shutdown -> ERR_ACK_TIMEOUT after ACK_TIMEOUT cycles."""
    tb = TB(dut, "test_reconf_busy_ack_timeout")
    await tb.start()
    await tb.load(tb.good(PREFILL))
    limit = 30
    await tb.host.write(Reg.ACK_TIMEOUT, limit)
    tb.rm.ack_enabled = False
    await tb.host.trigger()
    await wait_until(dut.clk_i, lambda: int(dut.rm_reset_o.value) == 1, limit + 100, "ack timeout")
    await tb.check_error(ErrCode.ACK_TIMEOUT, rm_sel=PREFILL)
    assert await tb.host.read(Reg.CYC_SHUTDOWN) == limit + 1
    tb.errors += 1
    tb.rm.ack_enabled = True
    await tb.recover()
    # an acknowledge within the limit is fine
    tb.rm.fixed_drain = limit - 5
    await tb.load(tb.good(DECODE))
    tb.finish()


@cocotb.test()
async def test_reconf_retrigger(dut):
    """A second trigger while a reconfiguration is in progress -> ERR_RETRIGGER, frame drained."""
    tb = TB(dut, "test_reconf_retrigger")
    await tb.start()
    await tb.load(tb.good(PREFILL))
    # in LOADING: inside the header (RM not touched) and inside the payload (rm_sel switched)
    # (slow rates: the AXI-Lite write of the second trigger takes a few cycles itself)
    for after_words, rate, started in ((1, Fraction(1, 8), False), (12, Fraction(1, 2), True)):
        old = int(dut.rm_sel_o.value)
        new = old % tb.num_rm + 1
        data = tb.good(new, 256)
        await tb.host.trigger()
        sender = cocotb.start_soon(tb.pcap.send(data, 50000, rate=rate))
        await tb.wait_words(after_words)
        await tb.host.trigger()
        await sender                               # the rest of the frame is drained
        await ClockCycles(dut.clk_i, 2)
        await tb.check_error(ErrCode.RETRIGGER, rm_sel=new if started else old)
        tb.errors += 1
        await tb.recover()
    # in SHUTDOWN (the RM has not acknowledged yet) and in PENDING (RM busy)
    for where in ("shutdown", "pending"):
        if where == "shutdown":
            tb.rm.ack_enabled = False
        else:
            tb.rm.busy = True
        await tb.host.trigger()
        sig = dut.shutdown_req_o if where == "shutdown" else dut.swap_pending_o
        await wait_until(dut.clk_i, lambda s=sig: int(s.value) == 1, 200, where)
        await ClockCycles(dut.clk_i, 5)
        await tb.host.trigger()
        await ClockCycles(dut.clk_i, 2)
        await tb.check_error(ErrCode.RETRIGGER)
        tb.errors += 1
        tb.rm.ack_enabled = True
        await tb.recover()
    # a second bitstream right behind the first is not consumed without a new trigger
    a, b = tb.good(PREFILL, 64), tb.good(DECODE, 64)
    await tb.load(a)
    sender = cocotb.start_soon(tb.pcap.send(b, 50000, rate=Fraction(4)))
    await ClockCycles(dut.clk_i, 100)
    assert tb.pcap.words_sent == 0 and int(dut.decouple_o.value) == 0
    await tb.host.trigger()
    await sender
    await tb.wait_loaded()
    assert await tb.host.read(Reg.RM_ID) == 0x100 | DECODE
    tb.loads += 1
    tb.finish()


@cocotb.test()
async def test_reconf_abort(dut):
    """Host ABORT mid-load -> ERR_ABORT; ABORT when idle is ignored; ERR_CLEAR returns to EMPTY."""
    tb = TB(dut, "test_reconf_abort")
    await tb.start()
    await tb.load(tb.good(DECODE))
    data = tb.good(PREFILL, 512)
    await tb.host.trigger()
    sender = cocotb.start_soon(tb.pcap.send(data, 50000, rate=Fraction(1)))
    await tb.wait_words(20)
    await tb.host.abort()
    await sender
    await ClockCycles(dut.clk_i, 2)
    await tb.check_error(ErrCode.ABORT, rm_sel=PREFILL)
    await tb.host.clear_error()
    st = await tb.status()
    assert st.state == State.EMPTY and st.decouple and st.rm_reset and not st.error, st
    assert await tb.host.error() == ErrCode.NONE
    await tb.recover()
    await tb.host.abort()                      # nothing in progress: ignored
    st = await tb.status()
    assert st.state == State.LOADED and not st.error, st
    tb.finish()


@cocotb.test()
async def test_reconf_random(dut):
    """Random mix of good and malformed bitstreams (random sizes, rates, stalls, busy RM)."""
    tb = TB(dut, "test_reconf_random")
    await tb.start()
    kinds = ("good", "crc", "rm", "rp", "trunc", "extra", "zero", "align", "oversize", "sync",
             "version")
    for _ in range(24):
        kind = kinds[int(tb.rng.integers(len(kinds)))]
        rm = 1 + int(tb.rng.integers(tb.num_rm))
        n = tb.rand_size(tb.max_bytes if tb.rng.random() < 0.2 else 128)
        pl = tb.payload(rm, n)
        good = pack(tb.rp_id, rm, pl, max_payload=tb.max_bytes)
        data = {
            "good": good,
            "crc": pack_raw(rp_id=tb.rp_id, rm_id=rm, payload=pl, crc=crc32(good[:-4]) ^ 1),
            "rm": pack_raw(rp_id=tb.rp_id, payload=pl,
                           rm_id=0 if tb.rng.random() < 0.3 else tb.num_rm + 1 + int(tb.rng.integers(99))),
            "rp": pack_raw(rp_id=tb.rp_id + 1 + int(tb.rng.integers(100)), rm_id=rm, payload=pl),
            "trunc": good[:4 * int(tb.rng.integers(1, len(good) // 4))],
            "extra": good + tb.payload(rm, 4 * int(tb.rng.integers(1, 8))),
            "zero": pack_raw(rp_id=tb.rp_id, rm_id=rm, payload=pl, length=0),
            "align": pack_raw(rp_id=tb.rp_id, rm_id=rm, payload=pl,
                              length=n - 1 - int(tb.rng.integers(3))),
            "oversize": pack_raw(rp_id=tb.rp_id, rm_id=rm, payload=pl,
                                 length=tb.max_bytes + 4 * int(tb.rng.integers(1, 1000))),
            "sync": pack_raw(sync=int(tb.rng.integers(1 << 32)) | 1, rp_id=tb.rp_id, rm_id=rm,
                             payload=pl),
            "version": pack_raw(version=2 + int(tb.rng.integers(100)), rp_id=tb.rp_id, rm_id=rm,
                                payload=pl),
        }[kind]
        if tb.rng.random() < 0.25 and int(dut.decouple_o.value) == 0:
            cocotb.start_soon(tb.rm.busy_for(int(tb.rng.integers(1, 40))))
        await tb.load(data, tb.expected(data))
    await tb.recover()
    tb.finish()
