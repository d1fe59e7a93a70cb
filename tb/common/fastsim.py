"""The fast simulation path: SV DDR/HP model + SV clock, cocotb out of the per-cycle loop.

Two memory models sit behind one ``MemConfig`` (tb/common/axi_mem.py, docs/memory-model.md):

* ``HpMemory`` (cocotbext-axi, cocotb ``Clock``): protocol assertions, runtime error injection,
  rich statistics; Python runs every cycle (~4.5K cycles/s with 4 ports streaming). Block tests.
* ``hp_ddr_model`` (tb/common/sv/, SV clock from ``sv_clk_gen``): the same timing in
  SystemVerilog; cocotb only writes configuration registers and waits on ``Timer``, so the
  simulator runs at Verilator speed. Long runs, end-to-end co-simulation and benchmarks.

This module is the cocotb side of the second one:

* ``sv_settings`` / ``plusargs``: the single translation ``MemConfig`` -> hp_ddr_model registers
  (or plusargs, for runs without cocotb configuration); ``build_params`` for the compile-time
  sizes; ``FAST_ARGS`` / ``SV_SOURCES`` for a ``runner.Block`` using the fast path.
* ``SvClock``: ``Timer``-based waits aligned to the falling edges of the SV clock (no race with
  the design), ``wait_until`` with a cycle budget and a polling interval, reset requests.
* ``SvMemory``: configuration, backdoor load / dump of the DDR array through ``$readmemh`` /
  ``$writememh`` (a file in the simulator's working directory), word access, statistics.
* ``Tgen`` / ``TgenJob``: the axi_tgen traffic generators of the fast-path testbenches and the
  golden model of what a job writes and reads (pattern, checksum).

Never mix an SV clock with cocotbext-axi drivers: their handshakes race with a clock generated
inside the simulation (../shared/toolchain-notes.md). Use ``HpMemory`` with a cocotb ``Clock``.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from cocotb.triggers import Timer
from cocotb.utils import get_sim_steps, get_sim_time

from .axi_mem import BEAT_BYTES, MemConfig
from .env import CLK_PERIOD_NS, CycleTimeout
from .runner import REPO

SV_DIR = REPO / "tb" / "common" / "sv"
# Sources of the fast-path testbench models, relative to rtl/ (as runner.Block wants them).
SV_SOURCES = ("../tb/common/sv/sv_clk_gen.sv", "../tb/common/sv/axi_tgen.sv",
              "../tb/common/sv/hp_ddr_model.sv")
# Verilator flags of a block using the SV clock (delays) and the shared wrapper macros.
FAST_ARGS = ("--timing", "--timescale", "1ns/1ps", f"-I{SV_DIR}")
PERIOD_PS = int(CLK_PERIOD_NS * 1000)
Q16 = 1 << 16
MAX_CHANS = 16                  # hp_ddr_model's bandwidth channels (cap <= 16 beats/cycle)
RESP = {"OKAY": 0, "EXOKAY": 1, "SLVERR": 2, "DECERR": 3}
HEX_FILE = "hpmem.hex"          # hp_ddr_model's default bd_file, in the simulator's cwd


# ------------------------------------------------------------------ MemConfig -> SV settings
@dataclass(frozen=True)
class SvMemSettings:
    """Values of the hp_ddr_model ``cfg_*`` / ``err_*`` registers for one ``MemConfig``."""

    latency: int
    b_latency: int
    cost_q: int                      # channel cycles per beat (ceil(cap) / cap), Q.16
    chans: int                       # ceil(cap) bandwidth channels
    max_out: int
    ar_stall: int                    # probabilities, Q0.16
    r_stall: int
    aw_stall: int
    w_stall: int
    seed: int
    errors: tuple[tuple[int, int, int, int], ...] = ()   # (lo, hi, resp, mode bit0 R / bit1 W)

    def registers(self) -> dict[str, int]:
        return {"cfg_latency": self.latency, "cfg_b_latency": self.b_latency,
                "cfg_cost_q": self.cost_q, "cfg_chans": self.chans, "cfg_max_out": self.max_out,
                "cfg_ar_stall": self.ar_stall, "cfg_r_stall": self.r_stall,
                "cfg_aw_stall": self.aw_stall, "cfg_w_stall": self.w_stall,
                "cfg_seed": self.seed}


def _q16_prob(p: float) -> int:
    return min(Q16 - 1, round(p * Q16))


def sv_settings(cfg: MemConfig, n_ports: int = 4, seed: int = 1) -> SvMemSettings:
    """The one translation of a ``MemConfig`` into hp_ddr_model settings.

    ``cap`` (beats/cycle, None = ``n_ports``) becomes ceil(cap) channels, each busy
    ceil(cap)/cap cycles per beat (Q.16), as axi_mem.py's ``_Bandwidth``; stall probabilities
    become Q0.16.
    """
    cfg.validate()
    cap = float(n_ports) if cfg.cap is None else float(cfg.cap)
    chans = max(1, math.ceil(cap - 1e-9))
    if chans > MAX_CHANS:
        raise ValueError(f"cap={cap:g} needs {chans} channels; hp_ddr_model has {MAX_CHANS}")
    cost_q = max(1, round(Q16 * chans / cap))
    errors = []
    for r in cfg.errors:
        mode = (1 if r.reads else 0) | (2 if r.writes else 0)
        errors.append((int(r.lo), int(r.hi), int(r.resp), mode))
    return SvMemSettings(latency=cfg.latency, b_latency=cfg.b_latency, cost_q=cost_q,
                         chans=chans, max_out=cfg.max_outstanding,
                         ar_stall=_q16_prob(cfg.ar_stall), r_stall=_q16_prob(cfg.r_stall),
                         aw_stall=_q16_prob(cfg.aw_stall), w_stall=_q16_prob(cfg.w_stall),
                         seed=seed & 0xFFFFFFFF, errors=tuple(errors))


def plusargs(cfg: MemConfig, n_ports: int = 4, seed: int = 1, mem_file: str | None = None,
             prefix: str = "hpmem") -> list[str]:
    """The same settings as simulator plusargs (read by hp_ddr_model at time 0)."""
    s = sv_settings(cfg, n_ports, seed)
    regs = s.registers()
    out = [f"+{prefix}_{k[4:]}={v}" for k, v in regs.items()]
    for i, (lo, hi, resp, mode) in enumerate(s.errors):
        out += [f"+{prefix}_err{i}_lo={lo:x}", f"+{prefix}_err{i}_hi={hi:x}",
                f"+{prefix}_err{i}_resp={resp}", f"+{prefix}_err{i}_mode={mode}"]
    if mem_file is not None:
        out.append(f"+{prefix}_file={mem_file}")
    return out


def build_params(cfg: MemConfig, mem_bytes: int = 1 << 20, **extra: int) -> dict[str, int]:
    """Compile-time parameters of an hp_ddr_model wrapper able to hold ``cfg``."""
    return {"MEM_BYTES": mem_bytes, "MAX_OUT": max(16, cfg.max_outstanding),
            "N_ERR": max(4, len(cfg.errors)), **extra}


# ------------------------------------------------------------------ hex images
def to_hex(data: bytes) -> str:
    """$readmemh text: one 128-bit little-endian beat per line, most significant digit first."""
    if len(data) % BEAT_BYTES:
        raise ValueError(f"{len(data)} bytes is not a whole number of 16-byte beats")
    rows = np.frombuffer(data, dtype=np.uint8).reshape(-1, BEAT_BYTES)[:, ::-1]
    h = rows.tobytes().hex()
    w = 2 * BEAT_BYTES
    return "\n".join(h[i:i + w] for i in range(0, len(h), w)) + "\n"


def from_hex(text: str) -> bytes:
    """Inverse of ``to_hex`` for $writememh output (skips comments and @address lines)."""
    words = [ln.split("//")[0].strip() for ln in text.splitlines()]
    words = [w for w in words if w and not w.startswith("@")]
    raw = bytes.fromhex("".join(w.rjust(2 * BEAT_BYTES, "0") for w in words))
    return np.frombuffer(raw, dtype=np.uint8).reshape(-1, BEAT_BYTES)[:, ::-1].tobytes()


# ------------------------------------------------------------------ SV clock
class SvClock:
    """Waits on an ``sv_clk_gen`` instance with ``Timer`` only (no Python per cycle).

    Every wait ends on a falling edge (a multiple of the period), where cocotb may read results
    and write registers without racing the rising-edge logic.
    """

    def __init__(self, gen, period_ps: int | None = None):
        self.gen = gen
        self.period_ps = int(gen.PERIOD_PS.value) if period_ps is None else period_ps
        self.period = get_sim_steps(self.period_ps, "ps")

    def cycle(self) -> int:
        """Rising edges since time 0."""
        return int(self.gen.cyc.value)

    async def align(self) -> None:
        """Advance to the next falling edge (time a positive multiple of the period)."""
        now = get_sim_time("step")
        rem = now % self.period
        await Timer(self.period - rem if (rem or now == 0) else self.period, "step")

    async def start(self) -> None:
        """First call of a test: past time 0 (initial blocks done), on a falling edge."""
        await self.align()

    async def cycles(self, n: int) -> None:
        if n > 0:
            await Timer(n * self.period, "step")

    async def wait_until(self, cond: Callable[[], bool], max_cycles: int, what: str,
                         poll: int = 64) -> int:
        """Poll ``cond`` every ``poll`` cycles; CycleTimeout after ``max_cycles``.

        Returns the cycles waited (a multiple of ``poll``); exact cycle counts come from the
        design's own counters, not from this.
        """
        waited = 0
        while not cond():
            if waited >= max_cycles:
                raise CycleTimeout(f"timeout after {max_cycles} cycles waiting for {what}")
            step = min(poll, max_cycles - waited) or 1
            await self.cycles(step)
            waited += step
        return waited

    async def reset(self, max_cycles: int = 1000) -> None:
        """Pulse the generator's reset (RESET_CYCLES edges) and wait until it is released."""
        gen = self.gen
        gen.rst_req.value = int(gen.rst_req.value) + 1
        await self.cycles(2)
        await self.wait_until(lambda: int(gen.rst_no.value) == 1, max_cycles, "reset release",
                              poll=1)


# ------------------------------------------------------------------ SV memory
@dataclass
class SvPortStats:
    """hp_ddr_model per-port counters (cycles are the model's edge counts since reset)."""

    rd_bursts: int
    rd_beats: int
    wr_bursts: int
    wr_beats: int
    rd_err_beats: int
    wr_err_bursts: int
    lat_min: int | None
    lat_max: int | None
    rd_first: int | None
    rd_last: int | None
    wr_first: int | None
    wr_last: int | None


def _u(v) -> int:
    return int(v.value)


class SvMemory:
    """cocotb handle on one hp_ddr_model instance (configuration, backdoor, statistics)."""

    NONE32 = 0xFFFFFFFF
    NONE64 = 0xFFFFFFFFFFFFFFFF

    def __init__(self, handle, clock: SvClock, workdir: str | os.PathLike | None = None):
        self.h = handle
        self.clock = clock
        self.n_ports = _u(handle.N_PORTS)
        self.size = _u(handle.MEM_BYTES)
        self.base = _u(handle.BASE)
        self.max_out = _u(handle.MAX_OUT)
        self.n_err = _u(handle.N_ERR)
        self.workdir = Path(workdir) if workdir is not None else Path(os.getcwd())
        self.settings: SvMemSettings | None = None

    # ---------------------------------------------------------------- configuration
    def configure(self, cfg: MemConfig, seed: int = 1) -> SvMemSettings:
        """Write every setting of ``cfg``; the stall seed takes effect at the next reset.

        Call on a falling edge (after ``SvClock.start``). Error regions are checked per beat
        when it is driven or consumed, so they can change at any time.
        """
        s = sv_settings(cfg, self.n_ports, seed)
        if s.max_out > self.max_out:
            raise ValueError(f"max_outstanding={s.max_out} > the model's MAX_OUT={self.max_out}; "
                             f"build with build_params(cfg)")
        for name, v in s.registers().items():
            getattr(self.h, name).value = v
        self.set_errors(s.errors)
        self.settings = s
        return s

    def set_errors(self, errors: Sequence[tuple[int, int, int, int]]) -> None:
        if len(errors) > self.n_err:
            raise ValueError(f"{len(errors)} error regions > the model's N_ERR={self.n_err}")
        for i in range(self.n_err):
            lo, hi, resp, mode = errors[i] if i < len(errors) else (0, 0, 2, 0)
            self.h.err_lo[i].value = lo
            self.h.err_hi[i].value = hi
            self.h.err_resp[i].value = resp
            self.h.err_mode[i].value = mode

    # ---------------------------------------------------------------- backdoor
    async def _backdoor(self, op: int, lo: int = 0, hi: int = 0) -> None:
        h = self.h
        h.bd_op.value = op
        h.bd_lo.value = lo
        h.bd_hi.value = hi
        req = (_u(h.bd_req) + 1) & 0xFFFFFFFF
        h.bd_req.value = req
        await self.clock.wait_until(lambda: _u(h.bd_ack) == req, 100, f"backdoor op {op}",
                                    poll=1)

    def _words(self, addr: int, n: int) -> tuple[int, int]:
        off = addr - self.base
        if off < 0 or off + n > self.size or off % BEAT_BYTES or n % BEAT_BYTES or n <= 0:
            raise ValueError(f"[{addr:#x}, +{n:#x}) must be whole beats inside "
                             f"[{self.base:#x}, {self.base + self.size:#x})")
        return off // BEAT_BYTES, (off + n) // BEAT_BYTES - 1

    async def load(self, addr: int, data: bytes | bytearray | np.ndarray) -> None:
        """Store ``data`` at ``addr`` through $readmemh (fast for large images).

        Unaligned spans are read-modify-written over the covering beats.
        """
        raw = bytes(data) if not isinstance(data, np.ndarray) else \
            np.ascontiguousarray(data).view(np.uint8).tobytes()
        lo_a = addr - (addr - self.base) % BEAT_BYTES
        hi_a = addr + len(raw)
        hi_a += (-(hi_a - self.base)) % BEAT_BYTES
        if (lo_a, hi_a) != (addr, addr + len(raw)):
            buf = bytearray(await self.dump(lo_a, hi_a - lo_a))
            buf[addr - lo_a:addr - lo_a + len(raw)] = raw
            raw = bytes(buf)
        lo, hi = self._words(lo_a, len(raw))
        (self.workdir / HEX_FILE).write_text(to_hex(raw))
        await self._backdoor(1, lo, hi)

    async def dump(self, addr: int, n: int) -> bytes:
        """Read [addr, addr+n) through $writememh."""
        lo_a = addr - (addr - self.base) % BEAT_BYTES
        hi_a = addr + n
        hi_a += (-(hi_a - self.base)) % BEAT_BYTES
        lo, hi = self._words(lo_a, hi_a - lo_a)
        await self._backdoor(2, lo, hi)
        raw = from_hex((self.workdir / HEX_FILE).read_text())
        if len(raw) != hi_a - lo_a:
            raise RuntimeError(f"$writememh returned {len(raw)} bytes, expected {hi_a - lo_a}")
        return raw[addr - lo_a:addr - lo_a + n]

    async def zero(self, addr: int, n: int) -> None:
        lo, hi = self._words(addr, n)
        await self._backdoor(3, lo, hi)

    async def clear_stats(self) -> None:
        await self._backdoor(4)

    def write_word(self, idx: int, value: int) -> None:
        """Deposit one 128-bit beat (index = (address - BASE) / 16); ~31K words/s."""
        self.h.mem[idx].value = value

    def read_word(self, idx: int) -> int:
        return int(self.h.mem[idx].value)

    # ---------------------------------------------------------------- status
    def busy(self) -> bool:
        return bool(_u(self.h.busy_o))

    def cycle(self) -> int:
        return _u(self.h.cyc)

    def stats(self, p: int) -> SvPortStats:
        h = self.h

        def opt(v: int, none: int) -> int | None:
            return None if v == none else v

        return SvPortStats(
            rd_bursts=_u(h.st_rd_bursts[p]), rd_beats=_u(h.st_rd_beats[p]),
            wr_bursts=_u(h.st_wr_bursts[p]), wr_beats=_u(h.st_wr_beats[p]),
            rd_err_beats=_u(h.st_rd_err_beats[p]), wr_err_bursts=_u(h.st_wr_err_bursts[p]),
            lat_min=opt(_u(h.st_lat_min[p]), self.NONE32),
            lat_max=opt(_u(h.st_lat_max[p]), 0) if _u(h.st_rd_beats[p]) else None,
            rd_first=opt(_u(h.st_rd_first[p]), self.NONE64),
            rd_last=_u(h.st_rd_last[p]) if _u(h.st_rd_beats[p]) else None,
            wr_first=opt(_u(h.st_wr_first[p]), self.NONE64),
            wr_last=_u(h.st_wr_last[p]) if _u(h.st_wr_beats[p]) else None)

    def debug_state(self) -> str:
        """Queue occupancies and handshake signals per port (for hang diagnostics)."""
        h = self.h
        out = [f"  cycle {self.cycle()}, busy {self.busy()}"]
        for p in range(self.n_ports):
            out.append(f"  port {p}: read bursts {_u(h.rq_cnt[p])} (beat {_u(h.r_idx[p])}), "
                       f"write bursts {_u(h.wq_cnt[p])} (beat {_u(h.w_idx[p])}), "
                       f"W buffer {_u(h.wb_cnt[p])}, B queue {_u(h.bq_cnt[p])} "
                       f"({_u(h.bq_sent[p])} due); ready ar/aw/w "
                       f"{(_u(h.arready_q) >> p) & 1}/{(_u(h.awready_q) >> p) & 1}/"
                       f"{(_u(h.wready_q) >> p) & 1}, valid r/b {(_u(h.rvalid_q) >> p) & 1}/"
                       f"{(_u(h.bvalid_q) >> p) & 1}")
        return "\n".join(out)

    def protocol_errors(self) -> int:
        return _u(self.h.proto_errors)

    def check(self) -> None:
        n = self.protocol_errors()
        assert n == 0, f"hp_ddr_model: {n} protocol error(s), see the simulator log"

    def summary(self) -> str:
        s = self.settings
        head = "hp_ddr_model" + ("" if s is None else
                                 f" latency={s.latency} cap={s.chans * Q16 / s.cost_q:g} "
                                 f"b_latency={s.b_latency} max_out={s.max_out}")
        lines = [head]
        for p in range(self.n_ports):
            st = self.stats(p)
            lines.append(f"  port {p}: R {st.rd_bursts} bursts/{st.rd_beats} beats "
                         f"(err {st.rd_err_beats}), W {st.wr_bursts} bursts/{st.wr_beats} beats "
                         f"(err {st.wr_err_bursts}), first-beat latency {st.lat_min}..{st.lat_max}")
        return "\n".join(lines)


# ------------------------------------------------------------------ traffic generators
MODE_READ, MODE_WRITE, MODE_COPY = 1, 2, 3


@dataclass
class TgenJob:
    """One axi_tgen job (tb/common/sv/axi_tgen.sv): bursts of ``beats`` 16-byte beats."""

    mode: int
    src: int = 0
    dst: int = 0
    bursts: int = 16
    beats: int = 16
    max_rd: int = 8
    max_wr: int = 8
    seed: int = 1
    stall: float = 0.0              # per-cycle probability of a master-side gap / not-ready
    id: int = 0

    def __post_init__(self) -> None:
        if self.mode not in (MODE_READ, MODE_WRITE, MODE_COPY):
            raise ValueError(f"mode {self.mode} is not 1 (read), 2 (write) or 3 (copy)")
        if not 1 <= self.beats <= 256 or not 0 <= self.bursts < (1 << 16):
            raise ValueError(f"beats={self.beats} (1..256) / bursts={self.bursts} out of range")
        if not 0.0 <= self.stall < 1.0:
            raise ValueError(f"stall={self.stall} must be in [0, 1)")
        span = self.beats * BEAT_BYTES
        for base in ((self.src,) if self.mode & 1 else ()) + ((self.dst,) if self.mode & 2 else ()):
            for k in range(self.bursts):
                a = base + k * span
                if (a & 0xFFF) + span > 0x1000 or a % BEAT_BYTES:
                    raise ValueError(f"burst {k} at {a:#x} (+{span}) crosses 4 KiB or is unaligned")

    @property
    def nbytes(self) -> int:
        return self.bursts * self.beats * BEAT_BYTES

    def pattern(self) -> bytes:
        """The data a write job stores at [dst, dst + nbytes) (axi_tgen's pattern function)."""
        n = self.bursts * self.beats
        a = (self.dst + BEAT_BYTES * np.arange(n, dtype=np.uint64)).astype(np.uint32)
        seed = np.uint32(self.seed)
        w = np.empty((n, 4), dtype=np.uint32)
        w[:, 0] = a ^ seed
        w[:, 1] = ~a
        w[:, 2] = a * np.uint32(0x9E3779B1)
        w[:, 3] = seed ^ np.uint32(0x5A5A5A5A) ^ (a << np.uint32(7))
        return w.astype("<u4").tobytes()

    def expected_writes(self, src_data: bytes | None = None) -> bytes:
        """Bytes written at dst: the pattern (write) or the source data (copy)."""
        if self.mode == MODE_WRITE:
            return self.pattern()
        if self.mode == MODE_COPY:
            assert src_data is not None and len(src_data) == self.nbytes
            return bytes(src_data)
        return b""


def checksum(data: bytes) -> int:
    """axi_tgen's read checksum over beats in order: chk = rotl1(chk, 128) ^ beat."""
    mask = (1 << 128) - 1
    chk = 0
    for i in range(0, len(data), BEAT_BYTES):
        chk = (((chk << 1) | (chk >> 127)) & mask) ^ int.from_bytes(data[i:i + BEAT_BYTES],
                                                                       "little")
    return chk


@dataclass
class TgenResult:
    done: bool
    cycles: int
    rd_first: int
    rd_last: int
    wr_last: int
    lat_min: int | None
    lat_max: int | None
    rd_beats: int
    wr_beats: int
    rd_err: int
    wr_err: int
    rlast_err: int
    rd_chk: int


class Tgen:
    """The tg_* job / result arrays of a fast-path wrapper (tb/common/sv/hp_tb_macros.svh)."""

    def __init__(self, top, n: int = 4):
        self.top = top
        self.n = n
        self._start = 0             # shadow of tg_start: cocotb writes land later in the step
        top.tg_start.value = 0
        self.fifo_beats = int(top.FIFO_BEATS.value)

    def program(self, i: int, job: TgenJob) -> None:
        """Write job ``i`` and drop start (a rising edge must pass before ``fire``)."""
        if job.mode == MODE_COPY and job.beats > self.fifo_beats:
            raise ValueError(f"copy bursts of {job.beats} beats do not fit the generator's "
                             f"FIFO_BEATS={self.fifo_beats} buffer (the job would never start)")
        t = self.top
        self.idle(i)
        t.tg_mode[i].value = job.mode
        t.tg_src[i].value = job.src
        t.tg_dst[i].value = job.dst
        t.tg_bursts[i].value = job.bursts
        t.tg_len[i].value = job.beats
        t.tg_max_rd[i].value = job.max_rd
        t.tg_max_wr[i].value = job.max_wr
        t.tg_id[i].value = job.id
        t.tg_seed[i].value = job.seed & 0xFFFFFFFF
        t.tg_stall[i].value = min(255, round(job.stall * 256))

    def idle(self, i: int) -> None:
        self._start &= ~(1 << i)
        self.top.tg_start.value = self._start

    def fire(self, ports: Sequence[int]) -> None:
        for i in ports:
            self._start |= 1 << i
        self.top.tg_start.value = self._start

    def done(self, ports: Sequence[int]) -> bool:
        v = int(self.top.tg_done.value)
        return all((v >> i) & 1 for i in ports)

    def result(self, i: int) -> TgenResult:
        t = self.top
        lat_min = int(t.tg_lat_min[i].value)
        rd_beats = int(t.tg_rd_beats[i].value)
        return TgenResult(
            done=bool((int(t.tg_done.value) >> i) & 1), cycles=int(t.tg_cycles[i].value),
            rd_first=int(t.tg_rd_first[i].value), rd_last=int(t.tg_rd_last[i].value),
            wr_last=int(t.tg_wr_last[i].value),
            lat_min=None if lat_min == 0xFFFFFFFF else lat_min,
            lat_max=int(t.tg_lat_max[i].value) if rd_beats else None,
            rd_beats=rd_beats, wr_beats=int(t.tg_wr_beats[i].value),
            rd_err=int(t.tg_rd_err[i].value), wr_err=int(t.tg_wr_err[i].value),
            rlast_err=int(t.tg_rlast_err[i].value), rd_chk=int(t.tg_rd_chk[i].value))
