"""HP-port DDR model: N AXI4 slave ports over one shared byte memory (design notes §4).

Built on cocotbext-axi's channel models (AxiARSink / AxiRSource / AxiAWSink / AxiWSink /
AxiBSource and their pause generators); this module only adds what the stock ``AxiRam`` lacks:

* **first-beat latency** (``MemConfig.latency`` cycles from the AR handshake edge to the first
  edge at which the first R beat can handshake) with **pipelined** outstanding bursts: burst n+1
  may start the cycle after burst n's last beat;
* a **shared bandwidth cap** in beats/cycle across all ports (reads and writes), enforced at
  burst granularity (virtual-time scheduling, no per-cycle coroutine);
* **random backpressure** on AR/R/AW/W (one coroutine per memory drives every pause flag);
* **error regions** (address range -> SLVERR/DECERR for reads and/or writes) that can be added
  and removed at any time; out-of-range addresses answer DECERR;
* per-port **statistics** and protocol assertions (4 KiB rule, full-width INCR bursts, WLAST).

Timing definitions (all in cycles of ``clk``; "edge" = rising edge at which a handshake is
sampled):

* read latency L: first R beat is valid right after edge ``t_AR + L - 1`` at the earliest, i.e.
  it can handshake at edge ``t_AR + L`` (L >= 2);
* B latency: the B response can handshake ``b_latency`` cycles after the last W handshake
  (b_latency >= 2, measured from when the model processed that beat);
* bandwidth: the memory has ceil(cap) channels of cap/ceil(cap) beats/cycle; a burst takes the
  earliest free channel no earlier than its address handshake and than the end of its port's
  previous burst in the same direction (``_Bandwidth``). A read burst's data comes ``latency``
  after its slot starts; a write burst's W beats are accepted from its slot start. The
  aggregate rate over all ports and both directions is <= ``cap``; a lone port gets
  min(1, cap); with the default cap (one per port) and one direction streaming per port, no
  burst waits for another port's.

Read data is sampled from the memory when the burst is scheduled (half a cycle before its first
beat can be driven); beats in an error region carry their RRESP and zero data. A write burst
touching an error region answers that BRESP and does not write the beats inside the region
(beats outside it are written).
"""

from __future__ import annotations

import logging
import math
from collections import deque
from dataclasses import dataclass, field

import cocotb
import numpy as np
from cocotb.queue import Queue
from cocotb.triggers import Event, RisingEdge, Timer
from cocotb.utils import get_sim_steps, get_sim_time
from cocotbext.axi import AxiResp
from cocotbext.axi.axi_channels import (
    AxiARSink,
    AxiARTransaction,
    AxiAWSink,
    AxiAWTransaction,
    AxiBSource,
    AxiRSource,
    AxiWSink,
)

from .busmap import axi_bus
from .env import CLK_PERIOD_NS

BEAT_BYTES = 16          # 128-bit HP ports
BEAT_SHIFT = 4
INCR = 1


def _resp(r: AxiResp | str | int) -> AxiResp:
    if isinstance(r, str):
        return AxiResp[r.upper()]
    return AxiResp(int(r))


@dataclass
class ErrorRegion:
    """Bytes [lo, hi) answer ``resp`` (SLVERR or DECERR) on reads and/or writes."""

    lo: int
    hi: int
    resp: AxiResp = AxiResp.SLVERR
    reads: bool = True
    writes: bool = True

    def __post_init__(self) -> None:
        self.resp = _resp(self.resp)
        if self.resp not in (AxiResp.SLVERR, AxiResp.DECERR):
            raise ValueError(f"error region response must be SLVERR or DECERR, not {self.resp!r}")
        if not 0 <= self.lo < self.hi:
            raise ValueError(f"error region [{self.lo:#x}, {self.hi:#x}) is empty or negative")


@dataclass
class MemConfig:
    """Timing, backpressure and error configuration of one ``HpMemory`` (shared by its ports)."""

    latency: int = 60               # first-beat read latency, cycles (>= 2)
    cap: float | None = None        # shared beats/cycle (reads + writes); None = number of ports
    ar_stall: float = 0.0           # per-cycle probability that ARREADY is low
    r_stall: float = 0.0            # ... that RVALID is held low although data is ready
    aw_stall: float = 0.0
    w_stall: float = 0.0
    b_latency: int = 4              # cycles from the last W handshake to the B handshake (>= 2)
    max_outstanding: int = 16       # per port and direction: accepted, not yet answered bursts
    errors: list[ErrorRegion] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.validate()

    def validate(self) -> None:
        if self.latency < 2:
            raise ValueError(f"latency={self.latency}: the model needs at least 2 cycles")
        if self.b_latency < 2:
            raise ValueError(f"b_latency={self.b_latency}: the model needs at least 2 cycles")
        if self.cap is not None and self.cap <= 0:
            raise ValueError(f"cap={self.cap} must be > 0 beats/cycle")
        if self.max_outstanding < 1:
            raise ValueError(f"max_outstanding={self.max_outstanding} must be >= 1")
        for name in ("ar_stall", "r_stall", "aw_stall", "w_stall"):
            p = getattr(self, name)
            if not 0.0 <= p < 1.0:
                raise ValueError(f"{name}={p} must be in [0, 1)")

    @classmethod
    def functional(cls, rng: np.random.Generator, **overrides) -> MemConfig:
        """Block-test memory: random latency 10..80, random stalls, B latency and outstanding."""
        kw = dict(latency=int(rng.integers(10, 81)),
                  ar_stall=float(rng.uniform(0.05, 0.5)), r_stall=float(rng.uniform(0.05, 0.5)),
                  aw_stall=float(rng.uniform(0.05, 0.5)), w_stall=float(rng.uniform(0.05, 0.5)),
                  b_latency=int(rng.integers(2, 21)), max_outstanding=int(rng.integers(2, 17)))
        kw.update(overrides)
        return cls(**kw)

    @classmethod
    def bench(cls, ports: int = 4, **overrides) -> MemConfig:
        """Benchmark memory: latency 60, no random stalls, cap = peak of ``ports`` ports."""
        kw = dict(latency=60, cap=float(ports), b_latency=4, max_outstanding=16)
        kw.update(overrides)
        return cls(**kw)

    # ------------------------------------------------------------- runtime error injection
    def add_error(self, lo: int, hi: int, resp: AxiResp | str = AxiResp.SLVERR,
                  reads: bool = True, writes: bool = True) -> ErrorRegion:
        """Make bytes [lo, hi) answer ``resp`` from now on.

        Regions are looked up when a read burst's data is produced (half a cycle before its
        first beat can be driven) and when a write burst's W beats start to be taken.
        """
        region = ErrorRegion(lo, hi, _resp(resp), reads, writes)
        self.errors.append(region)
        return region

    def remove_error(self, region: ErrorRegion) -> None:
        self.errors.remove(region)

    def clear_errors(self) -> None:
        self.errors.clear()

    def describe(self) -> str:
        cap = "ports" if self.cap is None else f"{self.cap:g}"
        return (f"latency={self.latency} cap={cap} stalls(ar/r/aw/w)={self.ar_stall:.2f}/"
                f"{self.r_stall:.2f}/{self.aw_stall:.2f}/{self.w_stall:.2f} "
                f"b_latency={self.b_latency} max_outstanding={self.max_outstanding} "
                f"errors={len(self.errors)}")


@dataclass
class PortStats:
    """What one port saw. Latencies are in cycles (see the module docstring)."""

    rd_bursts: int = 0
    rd_beats: int = 0
    wr_bursts: int = 0
    wr_beats: int = 0
    rd_err_beats: int = 0           # R beats answered SLVERR/DECERR
    wr_err_bursts: int = 0          # B responses SLVERR/DECERR
    lat_min: int | None = None      # first-beat read latency, observed (RVALID high)
    lat_max: int | None = None
    rd_first_t: int | None = None   # sim steps of the first / last R beat driven
    rd_last_t: int | None = None
    bursts: list[tuple[str, int, int]] = field(default_factory=list)  # ('R'|'W', addr, beats)

    def _lat(self, cycles: int) -> None:
        self.lat_min = cycles if self.lat_min is None else min(self.lat_min, cycles)
        self.lat_max = cycles if self.lat_max is None else max(self.lat_max, cycles)


# ------------------------------------------------------------------ channel subclasses
class _StampedAR(AxiARTransaction):
    """AR transaction that remembers the sim time of its handshake."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.t = get_sim_time()


class _StampedAW(AxiAWTransaction):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.t = get_sim_time()


class _ARSink(AxiARSink):
    """ARREADY drops while the port has ``max_outstanding`` read bursts accepted."""

    _transaction_obj = _StampedAR
    port: HpPort

    def full(self):
        return self.count() + self.port.rd_inflight >= self.port.mem.cfg.max_outstanding


class _AWSink(AxiAWSink):
    _transaction_obj = _StampedAW
    port: HpPort

    def full(self):
        return self.count() + self.port.wr_inflight >= self.port.mem.cfg.max_outstanding


class _RQueue(Queue):
    """R source queue that reports when a burst's first / last beat is put on the bus."""

    port: HpPort

    def get_nowait(self):
        item = super().get_nowait()
        mark = getattr(item, "mark", None)
        if mark is not None:
            self.port._r_driven(item, mark)
        return item


class _Bandwidth:
    """Shared bandwidth of one memory: ceil(cap) channels of cap/ceil(cap) beats/cycle each.

    A burst of n beats takes a channel for n * ceil(cap) / cap cycles: the one that became free
    last before the burst may start (best fit), else the one free first. A port
    streams at most one beat per cycle per direction, so its next burst in that direction asks
    for a channel no earlier than n cycles after this one started. The aggregate over all ports
    is therefore <= cap, a lone port still gets min(1, cap), and with cap >= number of concurrent
    streams nobody waits. Times are sim steps; returned start times lie on the clock grid of t.
    """

    def __init__(self, cap: float, period: int):
        self.k = max(1, math.ceil(cap - 1e-9))
        self.cost = period * self.k / cap     # steps one channel is busy per beat
        self.period = period
        self.free = [-math.inf] * self.k
        self.stream_end: dict[object, float] = {}

    def reserve(self, t: int, beats: int, stream: object) -> int:
        s0 = max(float(t), self.stream_end.get(stream, -math.inf))
        # best fit: the channel that became free last before s0 (keeps a stream on one
        # channel and leaves the others to other streams); else the one free first
        ready = [j for j in range(self.k) if self.free[j] <= s0]
        key = self.free.__getitem__
        i = max(ready, key=key) if ready else min(range(self.k), key=key)
        start = max(s0, self.free[i])
        self.free[i] = start + beats * self.cost
        self.stream_end[stream] = start + beats * self.period
        if start <= t:
            return t
        return t + math.ceil((start - t) / self.period - 1e-9) * self.period


# ------------------------------------------------------------------ one port
class HpPort:
    """One AXI4 slave port of an ``HpMemory`` (use through ``HpMemory.ports``)."""

    def __init__(self, mem: HpMemory, prefix: str, dut, clk, rst, reset_active_level: bool):
        self.mem = mem
        self.prefix = prefix
        self.stats = PortStats()
        self.log = logging.getLogger(f"cocotb.{dut._name}.{prefix}")
        bus = axi_bus(dut, prefix)
        self.ar = _ARSink(bus.read.ar, clk, rst, reset_active_level)
        self.r = AxiRSource(bus.read.r, clk, rst, reset_active_level)
        self.aw = _AWSink(bus.write.aw, clk, rst, reset_active_level)
        self.w = AxiWSink(bus.write.w, clk, rst, reset_active_level)
        self.b = AxiBSource(bus.write.b, clk, rst, reset_active_level)
        for ch in (self.ar, self.r, self.aw, self.w, self.b):
            ch.log.setLevel(logging.WARNING)
        self.ar.port = self.aw.port = self
        self.r.queue = _RQueue()
        self.r.queue.port = self
        self.w.queue_occupancy_limit = 2

        width = len(self.r.bus.rdata)
        if width != 8 * BEAT_BYTES or len(self.w.bus.wdata) != 8 * BEAT_BYTES:
            raise ValueError(f"{prefix}: data width {width} bits, the HP model supports 128")
        self.wstrb = hasattr(self.w.bus, "wstrb")
        self.rd_inflight = 0
        self.wr_inflight = 0
        self._rq: deque = deque()          # (edge to enqueue at, burst) for the R scheduler
        self._wq: deque = deque()          # accepted AW bursts waiting for their W beats
        self._bq: deque = deque()          # (edge, B transaction)
        self._rq_ev, self._wq_ev, self._bq_ev = Event(), Event(), Event()
        self._tasks = [cocotb.start_soon(c()) for c in
                       (self._ar_loop, self._r_loop, self._aw_loop, self._w_loop, self._b_loop)]

    # ---------------------------------------------------------------- helpers
    def _check_burst(self, kind: str, addr: int, length: int, size: int, burst: int) -> int:
        beats = length + 1
        ok_size = size == BEAT_SHIFT
        msg = None
        if burst != INCR:
            msg = f"burst type {burst} (only INCR is modelled)"
        elif not ok_size:
            msg = f"size {size} (only full 16-byte beats are modelled)"
        elif addr % BEAT_BYTES:
            msg = "address not aligned to the 16-byte beat"
        elif (addr & 0xFFF) + beats * BEAT_BYTES > 0x1000:
            msg = "burst crosses a 4 KiB boundary"
        if msg is not None:
            text = f"{self.prefix}: {kind} burst addr={addr:#x} len={length}: {msg}"
            self.mem.protocol_errors.append(text)
            raise AssertionError(text)
        return beats

    def busy(self) -> bool:
        return bool(self.rd_inflight or self.wr_inflight or self._rq or self._wq or self._bq
                    or not self.r.queue.empty() or not self.b.queue.empty()
                    or not self.ar.empty() or not self.aw.empty())

    # ---------------------------------------------------------------- read path
    async def _ar_loop(self):
        mem = self.mem
        while True:
            ar = await self.ar.recv()
            addr = int(ar.araddr)
            beats = self._check_burst("read", addr, int(ar.arlen), int(ar.arsize), int(ar.arburst))
            self.rd_inflight += 1
            st = self.stats
            st.rd_bursts += 1
            if mem.record_bursts:
                st.bursts.append(("R", addr, beats))
            start = mem.bw.reserve(ar.t, beats, (self.prefix, "R"))
            self._rq.append((start + (mem.cfg.latency - 1) * mem.period, ar.t, int(ar.arid),
                             addr, beats))
            self._rq_ev.set()

    async def _r_loop(self):
        mem = self.mem
        while True:
            while not self._rq:
                self._rq_ev.clear()
                await self._rq_ev.wait()
            t_go, t_ar, rid, addr, beats = self._rq.popleft()
            await mem._before(t_go)
            resps = mem._resps(addr, beats, write=False)
            data = mem._get(addr, beats * BEAT_BYTES)
            for i in range(beats):
                r = self.r._transaction_obj()
                r.rid = rid
                r.rdata = int.from_bytes(data[i * BEAT_BYTES:(i + 1) * BEAT_BYTES], "little")
                r.rlast = int(i == beats - 1)
                resp = AxiResp.OKAY if resps is None else resps[i]
                r.rresp = resp
                if resp != AxiResp.OKAY:
                    r.rdata = 0
                    self.stats.rd_err_beats += 1
                if i == 0 or i == beats - 1:
                    r.mark = (t_ar if i == 0 else None, i == beats - 1)
                self.r.send_nowait(r)
            self.stats.rd_beats += beats

    def _r_driven(self, item, mark) -> None:
        """Called by the R source when it puts a marked beat on the bus (RVALID from next step)."""
        t_ar, last = mark
        now = get_sim_time()
        st = self.stats
        if t_ar is not None:
            st._lat(round((now - t_ar) / self.mem.period) + 1)
            if st.rd_first_t is None:
                st.rd_first_t = now
        if last:
            st.rd_last_t = now
            self.rd_inflight -= 1
            self.ar.wake_event.set()

    # ---------------------------------------------------------------- write path
    async def _aw_loop(self):
        mem = self.mem
        while True:
            aw = await self.aw.recv()
            addr = int(aw.awaddr)
            beats = self._check_burst("write", addr, int(aw.awlen), int(aw.awsize),
                                      int(aw.awburst))
            self.wr_inflight += 1
            if mem.record_bursts:
                self.stats.bursts.append(("W", addr, beats))
            start = mem.bw.reserve(aw.t, beats, (self.prefix, "W"))
            self._wq.append((start, aw.t, int(aw.awid), addr, beats))
            self._wq_ev.set()

    async def _w_loop(self):
        mem = self.mem
        full = (1 << BEAT_BYTES) - 1
        while True:
            while not self._wq:
                self._wq_ev.clear()
                await self._wq_ev.wait()
            start, t_aw, bid, addr, beats = self._wq[0]
            await mem._before(start)
            resps = mem._resps(addr, beats, write=True)
            bresp = AxiResp.OKAY
            for i in range(beats):
                w = await self.w.recv()
                last = int(w.wlast)
                if last != (i == beats - 1):
                    text = (f"{self.prefix}: write burst addr={addr:#x} beats={beats}: WLAST={last} "
                            f"on beat {i}")
                    mem.protocol_errors.append(text)
                    raise AssertionError(text)
                a = addr + i * BEAT_BYTES
                resp = AxiResp.OKAY if resps is None else resps[i]
                if resp != AxiResp.OKAY:
                    if bresp == AxiResp.OKAY:
                        bresp = resp
                    continue
                strb = int(w.wstrb) if self.wstrb else full
                mem._put(a, int(w.wdata).to_bytes(BEAT_BYTES, "little"), strb)
            self._wq.popleft()
            self.stats.wr_bursts += 1
            self.stats.wr_beats += beats
            b = self.b._transaction_obj()
            b.bid = bid
            b.bresp = bresp
            if bresp != AxiResp.OKAY:
                self.stats.wr_err_bursts += 1
            t_w = mem._edge_at_or_before(get_sim_time(), t_aw)
            self._bq.append((t_w + (mem.cfg.b_latency - 1) * mem.period, b))
            self._bq_ev.set()

    async def _b_loop(self):
        while True:
            while not self._bq:
                self._bq_ev.clear()
                await self._bq_ev.wait()
            t, b = self._bq.popleft()
            await self.mem._before(t)
            self.b.send_nowait(b)
            self.wr_inflight -= 1
            self.aw.wake_event.set()


# ------------------------------------------------------------------ the memory
class HpMemory:
    """N AXI4 slave ports (128-bit, read + write) over ONE shared byte memory.

    ``dut``: the toplevel holding the AXI signals; each prefix is bound with
    ``tb.common.busmap.axi_bus`` (``<prefix>_<sig>[_i|_o]``). ``rst``: active-low reset signal
    (``reset_active_level=False``) or None. Memory bytes ``[base, base + size)`` exist; other
    addresses answer DECERR. ``period_ns`` must be the period of ``clk``.
    """

    def __init__(self, dut, clk, rst=None, prefixes=("m_axi",), cfg: MemConfig | None = None,
                 rng: np.random.Generator | None = None, size: int = 1 << 20, base: int = 0,
                 period_ns: float = CLK_PERIOD_NS, reset_active_level: bool = False,
                 record_bursts: bool = True):
        if isinstance(prefixes, str):
            prefixes = [prefixes]
        self.cfg = cfg if cfg is not None else MemConfig()
        self.cfg.validate()
        self.rng = rng if rng is not None else np.random.default_rng(0)
        self.clk = clk
        self.base = base
        self.size = size
        self.mem = np.zeros(size, dtype=np.uint8)
        self.period = get_sim_steps(period_ns, "ns")
        if self.period % 2:
            raise ValueError(f"clock period {self.period} steps must be even")
        self._half = self.period // 2
        self._edge = RisingEdge(clk)
        self.record_bursts = record_bursts
        self.protocol_errors: list[str] = []
        n = len(prefixes)
        self.cap = float(n) if self.cfg.cap is None else float(self.cfg.cap)
        self.bw = _Bandwidth(self.cap, self.period)
        self.ports = [HpPort(self, p, dut, clk, rst, reset_active_level) for p in prefixes]
        self._pause_task = None
        self._start_pauses()

    # ---------------------------------------------------------------- configuration
    def port(self, prefix: str) -> HpPort:
        for p in self.ports:
            if p.prefix == prefix:
                return p
        raise KeyError(prefix)

    def add_error(self, lo: int, hi: int, resp: AxiResp | str = AxiResp.SLVERR,
                  reads: bool = True, writes: bool = True) -> ErrorRegion:
        """Bytes [lo, hi) answer ``resp`` from now on (see ``MemConfig.add_error``)."""
        return self.cfg.add_error(lo, hi, resp, reads, writes)

    def remove_error(self, region: ErrorRegion) -> None:
        self.cfg.remove_error(region)

    def set_stalls(self, ar: float | None = None, r: float | None = None,
                   aw: float | None = None, w: float | None = None) -> None:
        """Change the random backpressure probabilities at runtime."""
        for name, v in (("ar_stall", ar), ("r_stall", r), ("aw_stall", aw), ("w_stall", w)):
            if v is not None:
                setattr(self.cfg, name, v)
        self.cfg.validate()
        self._start_pauses()

    def _start_pauses(self) -> None:
        c = self.cfg
        if self._pause_task is None and max(c.ar_stall, c.r_stall, c.aw_stall, c.w_stall) > 0:
            self._pause_task = cocotb.start_soon(self._run_pauses())

    async def _run_pauses(self, block: int = 512):
        """One coroutine per memory drives every channel's pause flag (random backpressure)."""
        edge = self._edge
        chans = [(p.ar, p.r, p.aw, p.w) for p in self.ports]
        flat = [ch for group in chans for ch in group]
        while True:
            c = self.cfg
            probs = np.tile([c.ar_stall, c.r_stall, c.aw_stall, c.w_stall], len(self.ports))
            pattern = (self.rng.random((block, len(flat))) < probs).tolist()
            for row in pattern:
                for ch, v in zip(flat, row, strict=True):
                    ch.pause = v
                await edge

    # ---------------------------------------------------------------- backdoor access
    def _span(self, addr: int, n: int) -> slice:
        off = addr - self.base
        if off < 0 or off + n > self.size:
            raise IndexError(f"[{addr:#x}, {addr + n:#x}) outside memory "
                             f"[{self.base:#x}, {self.base + self.size:#x})")
        return slice(off, off + n)

    def write(self, addr: int, data: bytes | bytearray | np.ndarray) -> None:
        buf = np.frombuffer(bytes(data), dtype=np.uint8) if not isinstance(data, np.ndarray) \
            else np.ascontiguousarray(data).view(np.uint8).ravel()
        self.mem[self._span(addr, buf.size)] = buf

    def read(self, addr: int, n: int) -> bytes:
        return self.mem[self._span(addr, n)].tobytes()

    def write_array(self, addr: int, arr: np.ndarray) -> None:
        """Store ``arr`` (any dtype, C order, little-endian) at ``addr``."""
        self.write(addr, np.ascontiguousarray(arr))

    def read_array(self, addr: int, dtype, shape) -> np.ndarray:
        dt = np.dtype(dtype)
        count = int(np.prod(shape))
        return np.frombuffer(self.read(addr, count * dt.itemsize), dtype=dt).reshape(shape).copy()

    def fill_random(self, addr: int, n: int) -> bytes:
        """Fill [addr, addr+n) with random bytes from the model's rng; returns them."""
        data = self.rng.integers(0, 256, n, dtype=np.uint8)
        self.mem[self._span(addr, n)] = data
        return data.tobytes()

    # ---------------------------------------------------------------- internals
    def _get(self, addr: int, n: int) -> bytes:
        off = addr - self.base
        lo, hi = max(off, 0), min(off + n, self.size)
        if lo == off and hi == off + n:
            return self.mem[lo:hi].tobytes()
        out = bytearray(n)          # partly out of range: those beats answer DECERR anyway
        if hi > lo:
            out[lo - off:hi - off] = self.mem[lo:hi].tobytes()
        return bytes(out)

    def _put(self, addr: int, data: bytes, strb: int) -> None:
        off = addr - self.base
        buf = np.frombuffer(data, dtype=np.uint8)
        if strb == (1 << BEAT_BYTES) - 1:
            self.mem[off:off + BEAT_BYTES] = buf
        else:
            m = np.array([(strb >> i) & 1 for i in range(BEAT_BYTES)], dtype=bool)
            self.mem[off:off + BEAT_BYTES][m] = buf[m]

    def _resps(self, addr: int, beats: int, write: bool) -> list[AxiResp] | None:
        """Per-beat responses of a burst, or None when every beat is OKAY (the common case)."""
        end = addr + beats * BEAT_BYTES
        regions = [r for r in self.cfg.errors
                   if (r.writes if write else r.reads) and r.lo < end and addr < r.hi]
        oob = addr < self.base or end > self.base + self.size
        if not regions and not oob:
            return None
        out = []
        for i in range(beats):
            a = addr + i * BEAT_BYTES
            resp = AxiResp.OKAY
            if a < self.base or a + BEAT_BYTES > self.base + self.size:
                resp = AxiResp.DECERR
            else:
                for r in regions:
                    if r.lo < a + BEAT_BYTES and a < r.hi:
                        resp = r.resp
                        break
            out.append(resp)
        return out

    async def _before(self, t: int) -> None:
        """Return half a cycle before the rising edge at sim time ``t`` (at once if that is past).

        Whatever a model puts into a channel queue then goes on the bus at edge ``t`` exactly,
        whether the channel's coroutine is idle or streaming (no same-timestep race).
        """
        target = t - self._half
        now = get_sim_time()
        if target > now:
            await Timer(target - now, "step")

    def _edge_at_or_before(self, now: int, ref: int) -> int:
        """The latest rising edge <= now on the grid of edge time ``ref``."""
        return now - ((now - ref) % self.period)

    # ---------------------------------------------------------------- status
    def busy(self) -> bool:
        return any(p.busy() for p in self.ports)

    def summary(self) -> str:
        lines = [f"HpMemory {self.cfg.describe()} cap={self.cap:g}"]
        for p in self.ports:
            s = p.stats
            lines.append(f"  {p.prefix}: R {s.rd_bursts} bursts/{s.rd_beats} beats "
                         f"(err {s.rd_err_beats}), W {s.wr_bursts} bursts/{s.wr_beats} beats "
                         f"(err {s.wr_err_bursts}), first-beat latency {s.lat_min}..{s.lat_max}")
        return "\n".join(lines)
