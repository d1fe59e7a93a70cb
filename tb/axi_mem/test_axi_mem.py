"""cocotb tests of the HP memory model (tb/common/axi_mem.py) driven by cocotbext-axi AxiMasters."""

from __future__ import annotations

import logging

import cocotb
import numpy as np
from cocotb.triggers import ReadOnly, RisingEdge
from cocotb.utils import get_sim_time
from cocotbext.axi import AxiMaster, AxiResp

from tb.common.axi_mem import BEAT_BYTES, HpMemory, MemConfig
from tb.common.busmap import axi_bus
from tb.common.env import CLK_PERIOD_NS, pause_gen, start_clock_reset, test_rng, wait_until
from tb.common.runner import Block

BLOCK = Block("axi_mem", sources=(), parameters={"ADDR_W": 32, "ID_W": 4})
PREFIXES = [f"m_axi_hp{i}" for i in range(4)]
MEM_SIZE = 1 << 20


def cycles_now() -> float:
    return get_sim_time("ns") / CLK_PERIOD_NS


class TB:
    def __init__(self, dut, name: str, cfg: MemConfig | None = None, master_stall: float = 0.0,
                 max_burst_len: int = 256):
        self.dut = dut
        self.rng = test_rng(dut, name)
        self.cfg = cfg if cfg is not None else MemConfig.functional(self.rng)
        dut._log.info("memory: %s", self.cfg.describe())
        self.mem = HpMemory(dut, dut.clk_i, dut.rst_ni, PREFIXES, self.cfg, self.rng, size=MEM_SIZE)
        self.masters = []
        for p in PREFIXES:
            m = AxiMaster(axi_bus(dut, p), dut.clk_i, dut.rst_ni, reset_active_level=False,
                          max_burst_len=max_burst_len)
            for ifc in (m.read_if, m.write_if):
                ifc.log.setLevel(logging.WARNING)
            if master_stall > 0:  # RREADY / BREADY backpressure from the master side
                m.read_if.r_channel.set_pause_generator(pause_gen(self.rng, master_stall))
                m.write_if.b_channel.set_pause_generator(pause_gen(self.rng, master_stall))
            self.masters.append(m)

    async def start(self) -> None:
        await start_clock_reset(self.dut)

    async def idle(self, max_cycles: int = 20000) -> None:
        await wait_until(self.dut.clk_i, lambda: not self.mem.busy(), max_cycles, "memory idle")

    def check_no_protocol_errors(self) -> None:
        assert not self.mem.protocol_errors, self.mem.protocol_errors


async def bounded(clk, coro, max_cycles: int, what: str):
    """Run ``coro`` to completion within ``max_cycles`` cycles of ``clk``."""
    task = cocotb.start_soon(coro)
    await wait_until(clk, task.done, max_cycles, what)
    return task.result()


@cocotb.test()
async def test_axi_mem_integrity(dut):
    """4 ports at once, random reads/writes (aligned, any length, partial strobes) under stalls."""
    tb = TB(dut, "test_axi_mem_integrity", master_stall=0.3)
    await tb.start()
    rng = tb.rng
    shared_lo, shared_n = 0x0, 0x10000            # read-only, preloaded through the backdoor
    shared = tb.mem.fill_random(shared_lo, shared_n)
    golden = bytearray(tb.mem.read(0, MEM_SIZE))
    region = 0x20000                              # port p writes only [region*(p+1), +region)

    async def worker(p: int) -> int:
        m = tb.masters[p]
        lo = region * (p + 1)
        ops = 0
        for _ in range(10):
            # write a random span of this port's region, then read it back through the port
            n = int(rng.integers(1, 1500))
            addr = lo + int(rng.integers(0, (region - n) // BEAT_BYTES)) * BEAT_BYTES
            data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
            wr = await m.write(addr, data)
            assert wr.resp == AxiResp.OKAY, f"port {p}: write resp {wr.resp}"
            golden[addr:addr + n] = data
            rd = await m.read(addr, n)
            assert rd.resp == AxiResp.OKAY, f"port {p}: read resp {rd.resp}"
            assert rd.data == data, f"port {p}: read-back mismatch at {addr:#x}+{n}"
            # read a random span of the shared region (other ports read it concurrently)
            n = int(rng.integers(1, 3000))
            addr = shared_lo + int(rng.integers(0, (shared_n - n) // BEAT_BYTES)) * BEAT_BYTES
            rd = await m.read(addr, n)
            assert rd.data == shared[addr - shared_lo:addr - shared_lo + n], \
                f"port {p}: shared read mismatch at {addr:#x}+{n}"
            ops += 3
        return ops

    tasks = [cocotb.start_soon(worker(p)) for p in range(4)]
    await wait_until(dut.clk_i, lambda: all(t.done() for t in tasks), 200000, "4 workers")
    assert sum(t.result() for t in tasks) == 4 * 30
    await tb.idle()
    assert tb.mem.read(0, MEM_SIZE) == bytes(golden), "backdoor image differs from golden"
    for port in tb.mem.ports:
        s = port.stats
        assert s.rd_bursts > 0 and s.wr_bursts > 0
        assert s.lat_min is not None and s.lat_min >= tb.cfg.latency, (port.prefix, s.lat_min)
    dut._log.info(tb.mem.summary())
    tb.check_no_protocol_errors()


@cocotb.test()
async def test_axi_mem_latency(dut):
    """First-beat latency observed on the bus (AR handshake -> first R handshake) >= configured."""
    rng = test_rng(dut, "test_axi_mem_latency")
    lat = int(rng.integers(10, 81))
    tb = TB(dut, "test_axi_mem_latency", MemConfig(latency=lat, b_latency=int(rng.integers(2, 9))))
    await tb.start()
    tb.mem.fill_random(0, 0x4000)
    seen: list[int] = []

    async def monitor():  # independent of the model: samples port 0's handshakes every cycle
        t_ar = []
        first = True
        while True:
            await RisingEdge(dut.clk_i)
            await ReadOnly()
            now = round(cycles_now())
            if int(dut.m_axi_hp0_arvalid_o.value) and int(dut.m_axi_hp0_arready_i.value):
                t_ar.append(now)
            if int(dut.m_axi_hp0_rvalid_i.value) and int(dut.m_axi_hp0_rready_o.value):
                if first:
                    seen.append(now - t_ar.pop(0))
                first = bool(int(dut.m_axi_hp0_rlast_i.value))

    cocotb.start_soon(monitor())
    m = tb.masters[0]
    for _ in range(6):
        n = int(rng.integers(1, 8)) * BEAT_BYTES
        addr = int(rng.integers(0, 0x4000 // BEAT_BYTES - 8)) * BEAT_BYTES
        rd = await bounded(dut.clk_i, m.read(addr, n), 10 * lat, "single read")
        assert rd.data == tb.mem.read(addr, n)
    # four ports at once: the cap (default = 4 beats/cycle) may add queueing, never remove latency
    reads = [cocotb.start_soon(tb.masters[p].read(p * 0x1000, 64 * BEAT_BYTES)) for p in range(4)]
    await wait_until(dut.clk_i, lambda: all(r.done() for r in reads), 20 * lat, "4 reads")
    dut._log.info("latency %d: bus-observed first-beat latencies %s; %s", lat, seen,
                  tb.mem.summary())
    assert len(seen) == 6 + 1, seen   # port 0: six single bursts + one 64-beat burst
    assert min(seen) >= lat, f"observed latency {min(seen)} < configured {lat}"
    assert seen[:6] == [lat] * 6, f"idle single reads should see exactly {lat}: {seen[:6]}"
    s = tb.mem.ports[0].stats
    assert s.lat_min == lat, (s.lat_min, lat)
    for port in tb.mem.ports:
        assert port.stats.lat_min >= lat
    tb.check_no_protocol_errors()


@cocotb.test()
async def test_axi_mem_pipelining(dut):
    """Latency 60, 8 outstanding 16-beat reads on one port: the port streams >= 0.9 beats/cycle."""
    cfg = MemConfig(latency=60, max_outstanding=8)
    tb = TB(dut, "test_axi_mem_pipelining", cfg, max_burst_len=16)
    await tb.start()
    n_bursts = 64
    n = n_bursts * 16 * BEAT_BYTES
    data = tb.mem.fill_random(0x8000, n)
    t0 = cycles_now()
    rd = await bounded(dut.clk_i, tb.masters[0].read(0x8000, n), 4000, "pipelined read")
    t1 = cycles_now()
    assert rd.data == data
    s = tb.mem.ports[0].stats
    beats = n // BEAT_BYTES
    stream = beats / ((s.rd_last_t - s.rd_first_t) / tb.mem.period + 1)
    overall = beats / (t1 - t0)
    dut._log.info("pipelining: %d beats, streaming %.3f beats/cycle, %.3f incl. latency; "
                  "first-beat latency %s..%s", beats, stream, overall, s.lat_min, s.lat_max)
    assert s.rd_bursts == n_bursts
    assert stream >= 0.9, f"streaming rate {stream:.3f} < 0.9 beats/cycle"
    assert overall >= 0.9, f"overall rate {overall:.3f} < 0.9 beats/cycle"
    assert s.lat_min == 60


async def stream_ports(tb: TB, ports: list[int], bursts: int, write: bool = False) -> float:
    """Every port in ``ports`` reads (or writes) ``bursts`` 16-beat bursts; aggregate beats/cycle."""
    n = bursts * 16 * BEAT_BYTES
    t0 = cycles_now()
    if write:
        jobs = [tb.masters[p].write(0x40000 * p, bytes(n)) for p in ports]
    else:
        jobs = [tb.masters[p].read(0x40000 * p, n) for p in ports]
    tasks = [cocotb.start_soon(j) for j in jobs]
    await wait_until(tb.dut.clk_i, lambda: all(t.done() for t in tasks), 40 * bursts * 16,
                     "streaming ports")
    return len(ports) * bursts * 16 / (cycles_now() - t0)


def steady_rate(tb: TB) -> float:
    """Aggregate R beats/cycle between the first and the last R beat over all ports."""
    ps = [p.stats for p in tb.mem.ports if p.stats.rd_beats]
    t0 = min(s.rd_first_t for s in ps)
    t1 = max(s.rd_last_t for s in ps)
    return sum(s.rd_beats for s in ps) / ((t1 - t0) / tb.mem.period + 1)


@cocotb.test()
async def test_axi_mem_cap_limited(dut):
    """cap=2.0: four streaming ports share <= 2 beats/cycle (reads, then reads + writes)."""
    tb = TB(dut, "test_axi_mem_cap_limited", MemConfig(latency=60, cap=2.0), max_burst_len=16)
    await tb.start()
    overall = await stream_ports(tb, [0, 1, 2, 3], bursts=32)
    steady = steady_rate(tb)
    dut._log.info("cap 2.0, 4 read ports: %.3f beats/cycle steady, %.3f overall", steady, overall)
    assert steady <= 2.0 + 0.05, f"aggregate {steady:.3f} beats/cycle exceeds the cap 2.0"
    assert steady >= 1.9, f"aggregate {steady:.3f}: the cap should be reached"
    # the cap is shared by reads and writes
    t0 = cycles_now()
    tasks = [cocotb.start_soon(stream_ports(tb, [0, 1], bursts=32)),
             cocotb.start_soon(stream_ports(tb, [2, 3], bursts=32, write=True))]
    await wait_until(dut.clk_i, lambda: all(t.done() for t in tasks), 8000, "mixed streams")
    mixed = 4 * 32 * 16 / (cycles_now() - t0)
    dut._log.info("cap 2.0, 2 read + 2 write ports: %.3f beats/cycle overall", mixed)
    assert mixed <= 2.0 + 0.05, f"mixed aggregate {mixed:.3f} exceeds the cap 2.0"
    dut._log.info(tb.mem.summary())


@cocotb.test()
async def test_axi_mem_cap_uncapped(dut):
    """Default cap (= 4 ports): four streaming ports reach ~4 beats/cycle."""
    tb = TB(dut, "test_axi_mem_cap_uncapped", MemConfig(latency=60), max_burst_len=16)
    await tb.start()
    overall = await stream_ports(tb, [0, 1, 2, 3], bursts=32)
    steady = steady_rate(tb)
    dut._log.info("default cap, 4 read ports: %.3f beats/cycle steady, %.3f overall", steady,
                  overall)
    assert steady >= 3.8, f"uncapped aggregate {steady:.3f} beats/cycle, expected ~4"
    assert steady <= 4.0 + 1e-9


@cocotb.test()
async def test_axi_mem_errors(dut):
    """SLVERR and DECERR regions on reads and writes; out-of-range DECERR; runtime injection."""
    tb = TB(dut, "test_axi_mem_errors", master_stall=0.2, max_burst_len=16)
    await tb.start()
    m = tb.masters[1]
    tb.mem.fill_random(0, 0x10000)
    clk = dut.clk_i
    budget = 50 * tb.cfg.latency + 5000
    slv = tb.mem.add_error(0x1100, 0x1200, "SLVERR")
    dec = tb.mem.add_error(0x3000, 0x3040, "DECERR", reads=True, writes=True)
    ronly = tb.mem.add_error(0x5000, 0x5100, "SLVERR", reads=True, writes=False)
    for lo, hi, resp in ((0x1100, 0x1200, AxiResp.SLVERR), (0x3000, 0x3040, AxiResp.DECERR)):
        # read spanning the region: error response, data outside the region intact
        addr, n = lo - 0x80, (hi - lo) + 0x100
        before = tb.mem.read(addr, n)
        rd = await bounded(clk, m.read(addr, n), budget, "error read")
        assert rd.resp == resp, f"read [{addr:#x},+{n:#x}) resp {rd.resp}, expected {resp}"
        exp = bytearray(before)
        exp[lo - addr:hi - addr] = bytes(hi - lo)       # erroneous beats carry zero data
        assert rd.data == bytes(exp)
        # write spanning the region: error response, bytes inside the region not written
        data = tb.rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        wr = await bounded(clk, m.write(addr, data), budget, "error write")
        assert wr.resp == resp, f"write resp {wr.resp}, expected {resp}"
        exp = bytearray(data)
        exp[lo - addr:hi - addr] = before[lo - addr:hi - addr]
        assert tb.mem.read(addr, n) == bytes(exp)
    # read-only region: writes succeed, reads fail
    wr = await bounded(clk, m.write(0x5000, bytes(range(256))), budget, "write ro region")
    assert wr.resp == AxiResp.OKAY
    rd = await bounded(clk, m.read(0x5000, 256), budget, "read ro region")
    assert rd.resp == AxiResp.SLVERR
    assert tb.mem.read(0x5000, 256) == bytes(range(256))
    # out of range -> DECERR, no data written
    rd = await bounded(clk, m.read(MEM_SIZE - 0x20, 0x40), budget, "oob read")
    assert rd.resp == AxiResp.DECERR
    # removing regions restores OKAY
    for r in (slv, dec, ronly):
        tb.mem.remove_error(r)
    rd = await bounded(clk, m.read(0x1000, 0x3000), budget, "clean read")
    assert rd.resp == AxiResp.OKAY and rd.data == tb.mem.read(0x1000, 0x3000)
    # runtime injection: a region appears in the middle of a long read and disappears again
    n = 0x4000                      # 64 bursts; at most 16 accepted ahead of the injection
    base = tb.mem.ports[1].stats.rd_bursts
    task = cocotb.start_soon(m.read(0x8000, n))
    await wait_until(clk, lambda: tb.mem.ports[1].stats.rd_bursts >= base + 4, budget,
                     "read under way")
    late = tb.mem.add_error(0x8000 + n - 0x400, 0x8000 + n, AxiResp.SLVERR)
    await wait_until(clk, task.done, budget, "injected read")
    tb.mem.remove_error(late)
    rd = task.result()
    assert rd.resp == AxiResp.SLVERR, f"mid-stream injection not seen: {rd.resp}"
    assert rd.data[-0x400:] == bytes(0x400)
    rd = await bounded(clk, m.read(0x8000, n), budget, "read after removal")
    assert rd.resp == AxiResp.OKAY
    s = tb.mem.ports[1].stats
    assert s.rd_err_beats > 0 and s.wr_err_bursts >= 2
    await tb.idle()
    dut._log.info(tb.mem.summary())
    tb.check_no_protocol_errors()
