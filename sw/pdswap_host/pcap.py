"""PCAP model: the Zynq PS sending a partial bitstream to the configuration controller.

* ``rate_bytes_per_cycle`` / ``reconf_cycles`` / ``scaled_payload_bytes``: the mapping from the
  paper's reconfiguration time to a stream rate at the fabric clock (docs/reconfig.md).
* ``RateLimiter``: exact (Fraction) token bucket, ``rate`` bytes of credit per cycle.
* ``PcapCore``: the per-cycle decision of the sender (pure Python, unit-tested without a
  simulator): which word to present, honouring the rate, random stalls and valid/ready rules.
* ``Pcap``: the cocotb driver of a ``<prefix>_t{data,valid,ready,last}`` 32-bit stream.
* ``Reg`` / ``State`` / ``Status``: register map of rtl/rp/rp_cfg_ctrl.sv, ``RpCfgHost``: the
  PS side of its AXI-Lite interface (trigger, abort, clear, status).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import IntEnum
from fractions import Fraction
from typing import ClassVar

import numpy as np

from .bitstream import Container, ErrCode, words_of

WORD_BYTES = 4

# Paper figures (PD-Swap on KV260): reconfiguration of the attention RP through PCAP takes about
# 45 ms; the projection + FFN work it overlaps takes about 31 ms at 128 tokens. The partial
# bitstream size is not published; ~1 MiB is typical for an RP of a few clock regions.
PAPER_RECONF_MS = 45.0
PAPER_OVERLAP_MS = 31.0
PAPER_FABRIC_MHZ = 250.0
PAPER_PARTIAL_BYTES = 1 << 20
RECONF_TO_OVERLAP = PAPER_RECONF_MS / PAPER_OVERLAP_MS


def rate_bytes_per_cycle(nbytes: int, fabric_mhz: float, target_ms: float) -> float:
    """Stream rate (bytes per fabric cycle) that moves ``nbytes`` in ``target_ms`` at
    ``fabric_mhz``: nbytes / (target_ms * 1e-3 * fabric_mhz * 1e6)."""
    if nbytes <= 0 or fabric_mhz <= 0 or target_ms <= 0:
        raise ValueError(f"need nbytes, fabric_mhz, target_ms > 0 (got {nbytes}, {fabric_mhz}, "
                         f"{target_ms})")
    rate = nbytes / (target_ms * 1e-3 * fabric_mhz * 1e6)
    if rate > WORD_BYTES:
        raise ValueError(f"{nbytes} B in {target_ms} ms at {fabric_mhz} MHz needs {rate:.3f} B/cycle, "
                         f"more than the {WORD_BYTES} B/cycle of a 32-bit port")
    return rate


def reconf_cycles(nbytes: int, rate: float | Fraction) -> int:
    """Cycles to stream ``nbytes`` at ``rate`` bytes/cycle (without stalls or backpressure)."""
    return math.ceil(Fraction(nbytes) / Fraction(rate))


#: paper mapping: ~1 MiB in 45 ms at 250 MHz = 0.0932 B/cycle (23.3 MB/s effective)
DEFAULT_RATE = rate_bytes_per_cycle(PAPER_PARTIAL_BYTES, PAPER_FABRIC_MHZ, PAPER_RECONF_MS)


def scaled_payload_bytes(overlap_cycles: int, rate: float = DEFAULT_RATE,
                         ratio: float = RECONF_TO_OVERLAP) -> int:
    """Simulation payload size that keeps the paper's reconfiguration:overlap ratio.

    The simulated model is far smaller than the paper's, so its projection+FFN window
    ``overlap_cycles`` is short; streaming at ``rate`` for ``ratio * overlap_cycles`` cycles moves
    this many bytes (rounded down to whole words, at least one word).
    """
    n = int(ratio * overlap_cycles * rate) // WORD_BYTES * WORD_BYTES
    return max(n, WORD_BYTES)


class RateLimiter:
    """Token bucket: ``rate`` bytes of credit per cycle, at most ``depth`` bytes banked.

    Exact arithmetic (Fraction), so a fractional rate never drifts: over N cycles with a sink that
    is always ready, floor(N * rate / 4) words leave (one word per 4 bytes of credit). The default
    depth, one word plus one cycle of credit, is the smallest that never clips credit while the
    sink keeps up (after a word is taken less than 4 bytes remain, so a tick stays below
    4 + rate); a stalled sink can then bank at most one extra word.
    """

    def __init__(self, rate: float | Fraction, depth: float | Fraction | None = None):
        r = Fraction(rate)
        if not 0 < r <= WORD_BYTES:
            raise ValueError(f"rate {float(r)} B/cycle must be in (0, {WORD_BYTES}]")
        d = WORD_BYTES + r if depth is None else Fraction(depth)
        if d < WORD_BYTES + r:
            raise ValueError(f"bucket depth {float(d)} B must be at least one word plus one cycle "
                             f"of credit ({float(WORD_BYTES + r)} B), or the rate is clipped")
        self.rate = r
        self.depth = d
        self.credit = Fraction(0)

    def tick(self) -> None:
        self.credit = min(self.credit + self.rate, self.depth)

    def ready(self) -> bool:
        return self.credit >= WORD_BYTES

    def take(self) -> None:
        assert self.ready(), "took a word without credit"
        self.credit -= WORD_BYTES


@dataclass
class PcapStats:
    words: int = 0
    cycles: int = 0                 # steps until the last word was accepted
    first_cycle: int | None = None  # step of the first handshake
    last_cycle: int | None = None   # step of the last handshake
    stall_cycles: int = 0           # cycles a word could have gone but a random stall held it
    wait_cycles: int = 0            # cycles valid was high and ready low (backpressure)
    handshakes: list[int] = field(default_factory=list)

    @property
    def bytes(self) -> int:
        return WORD_BYTES * self.words


class PcapTimeout(AssertionError):
    """The controller did not accept the whole bitstream within the cycle budget."""


class PcapCore:
    """Per-cycle sender logic for one container (no simulator needed).

    Call ``step(ready)`` once per rising edge with the tready sampled at that edge; it returns
    (tvalid, tdata, tlast) to drive for the next cycle. A word, once presented, is held until
    accepted (AXI-Stream rule); new words need 4 bytes of rate credit and no random stall.
    """

    def __init__(self, words: list[int], rate: float | Fraction = DEFAULT_RATE,
                 p_stall: float = 0.0, rng: np.random.Generator | None = None,
                 depth: float | Fraction | None = None):
        if not words:
            raise ValueError("nothing to send: empty bitstream")
        if not 0.0 <= p_stall < 1.0:
            raise ValueError(f"stall probability {p_stall} must be in [0, 1)")
        if p_stall > 0 and rng is None:
            raise ValueError("random stalls need an rng")
        self.words = [int(w) & 0xFFFFFFFF for w in words]
        self.limiter = RateLimiter(rate, depth)
        self.p_stall = p_stall
        self.rng = rng
        self.valid = False
        self.next = 0           # index of the next word to present
        self.step_no = 0
        self.stats = PcapStats()

    @property
    def done(self) -> bool:
        return self.stats.words == len(self.words)

    def _drive(self) -> tuple[bool, int, bool]:
        if not self.valid:
            return False, 0, False
        i = self.next - 1
        return True, self.words[i], i == len(self.words) - 1

    def step(self, ready: bool) -> tuple[bool, int, bool]:
        self.step_no += 1
        st = self.stats
        if self.valid:
            if ready:
                st.words += 1
                st.handshakes.append(self.step_no)
                st.first_cycle = st.first_cycle or self.step_no
                st.last_cycle = self.step_no
                if self.done:
                    st.cycles = self.step_no
                self.valid = False
            else:
                st.wait_cycles += 1
        self.limiter.tick()
        if not self.valid and self.next < len(self.words) and self.limiter.ready():
            if self.p_stall > 0 and self.rng.random() < self.p_stall:
                st.stall_cycles += 1
            else:
                self.limiter.take()
                self.valid = True
                self.next += 1
        return self._drive()


class Pcap:
    """cocotb driver: streams containers into ``<prefix>_tdata/_tvalid/_tready/_tlast`` (32-bit).

    ``rate`` bytes/cycle (default: the paper mapping), ``p_stall`` random idle cycles between
    words. ``send`` returns when the last word has been accepted or raises after ``max_cycles``.
    """

    def __init__(self, dut, clk, prefix: str = "s_axis", rate: float | Fraction = DEFAULT_RATE,
                 p_stall: float = 0.0, rng: np.random.Generator | None = None):
        self.dut = dut
        self.clk = clk
        self.rate = rate
        self.p_stall = p_stall
        self.rng = rng
        self.core: PcapCore | None = None
        self.tdata = self._sig(prefix, "tdata")
        self.tvalid = self._sig(prefix, "tvalid")
        self.tready = self._sig(prefix, "tready")
        self.tlast = self._sig(prefix, "tlast")
        self.tvalid.value = 0
        self.tlast.value = 0
        self.tdata.value = 0

    def _sig(self, prefix: str, name: str):
        for suffix in ("_i", "_o", ""):
            if hasattr(self.dut, f"{prefix}_{name}{suffix}"):
                return getattr(self.dut, f"{prefix}_{name}{suffix}")
        raise AttributeError(f"PCAP: no signal {prefix}_{name}[_i|_o] on {self.dut._name}")

    @property
    def words_sent(self) -> int:
        return 0 if self.core is None else self.core.stats.words

    async def send(self, data: bytes | Container, max_cycles: int,
                   rate: float | Fraction | None = None, p_stall: float | None = None) -> PcapStats:
        from cocotb.triggers import RisingEdge  # late import: the pure parts run without cocotb

        if isinstance(data, Container):
            data = data.to_bytes()
        core = PcapCore(words_of(data), self.rate if rate is None else rate,
                        self.p_stall if p_stall is None else p_stall, self.rng)
        self.core = core
        edge = RisingEdge(self.clk)
        for _ in range(max_cycles):
            await edge
            ready = bool(self.tready.value) if core.valid else False
            valid, word, last = core.step(ready)
            self.tvalid.value = int(valid)
            self.tdata.value = word
            self.tlast.value = int(last)
            if core.done:
                return core.stats
        self.tvalid.value = 0
        raise PcapTimeout(f"PCAP: {core.stats.words}/{len(core.words)} words accepted after "
                           f"{max_cycles} cycles")


# ---------------------------------------------------------------------- controller registers
class Reg(IntEnum):
    """Byte offsets of rp_cfg_ctrl's AXI-Lite registers (docs/reconfig.md)."""

    MAGIC = 0x00          # RO 0x52504346 "RPCF"
    CTRL = 0x04           # WO pulses: bit0 TRIGGER, bit1 ABORT, bit2 ERR_CLEAR
    STATUS = 0x08         # RO, see Status
    ERR_CODE = 0x0C       # RO ErrCode of the last failed attempt (0 after trigger/clear)
    RM_ID = 0x10          # RO [7:0] active RM (rm_sel_o), [8] loaded
    HDR_RM_ID = 0x14      # RO RM id field of the container being/last loaded
    BYTES_RX = 0x18       # RO container bytes accepted in this attempt
    CYC_PENDING = 0x1C    # RO cycles waiting for the RM to be idle
    CYC_SHUTDOWN = 0x20   # RO cycles waiting for the shutdown ack
    CYC_LOAD = 0x24       # RO cycles in LOADING
    CYC_RESET = 0x28      # RO cycles in RESET_RM
    BUSY_TIMEOUT = 0x2C   # RW cycles (0 = wait for the RM forever)
    ACK_TIMEOUT = 0x30    # RW cycles (0 = wait for the ack forever)
    ERR_COUNT = 0x34      # RO failed attempts since reset
    LOAD_COUNT = 0x38     # RO successful loads since reset
    RP_ID = 0x3C          # RO parameter
    MAX_BYTES = 0x40      # RO parameter
    INFO = 0x44           # RO [15:0] NUM_RM, [31:24] format version
    RESET_CYCLES = 0x48   # RO parameter


N_REGS = len(Reg)
CTRL_TRIGGER = 1 << 0
CTRL_ABORT = 1 << 1
CTRL_ERR_CLEAR = 1 << 2
MAGIC = 0x52504346


class State(IntEnum):
    EMPTY = 0
    PENDING = 1
    SHUTDOWN = 2
    LOADING = 3
    RESET_RM = 4
    LOADED = 5
    ERROR = 6


class Status:
    """Fields of the STATUS register."""

    BITS: ClassVar[dict[str, int]] = {
        "loaded": 3, "error": 4, "decouple": 5, "rm_reset": 6, "shutdown_req": 7,
        "reconfiguring": 8, "swap_pending": 9, "rm_busy": 10, "shutdown_ack": 11,
        "drain": 12, "in_frame": 13}

    def __init__(self, value: int):
        self.value = int(value)
        self.state = State(self.value & 7)
        for name, bit in self.BITS.items():
            setattr(self, name, bool((self.value >> bit) & 1))

    def __repr__(self) -> str:
        flags = " ".join(n for n in self.BITS if getattr(self, n))
        return f"Status({self.state.name} {flags})"


class RpCfgHost:
    """PS side of the controller's AXI-Lite port, over a cocotbext-axi AxiLiteMaster."""

    def __init__(self, axil, base: int = 0):
        self.axil = axil
        self.base = base

    async def read(self, reg: Reg) -> int:
        from cocotbext.axi import AxiResp

        r = await self.axil.read(self.base + reg, 4)
        assert r.resp == AxiResp.OKAY, f"read {reg.name}: response {r.resp!r}"
        return int.from_bytes(r.data, "little")

    async def write(self, reg: Reg, value: int) -> None:
        from cocotbext.axi import AxiResp

        r = await self.axil.write(self.base + reg, int(value).to_bytes(4, "little"))
        assert r.resp == AxiResp.OKAY, f"write {reg.name}: response {r.resp!r}"

    async def status(self) -> Status:
        return Status(await self.read(Reg.STATUS))

    async def error(self) -> ErrCode:
        return ErrCode(await self.read(Reg.ERR_CODE))

    async def trigger(self) -> None:
        await self.write(Reg.CTRL, CTRL_TRIGGER)

    async def abort(self) -> None:
        await self.write(Reg.CTRL, CTRL_ABORT)

    async def clear_error(self) -> None:
        await self.write(Reg.CTRL, CTRL_ERR_CLEAR)
