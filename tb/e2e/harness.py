"""End-to-end co-simulation harness: pdswap_top + DDR + host + PCAP, in either transport.

FAST = 0: cocotb Clock, cocotbext-axi HP memory and AXI-Lite masters, Python PCAP (protocol
checkers on every port, Python per cycle). FAST = 1: SV clock, SV DDR model, SV AXI-Lite mailbox
and SV PCAP (no Python per cycle). Both run the same host software (`pdswap_host.session`) and
the same golden checks.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

import cocotb
import numpy as np
from bitnet_golden import IntModel, generate
from bitnet_golden.model import FloatModel
from bitnet_golden.weights import ModelWeights
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, Edge, First, Timer
from pdswap_host.bitstream import make_payload, pack
from pdswap_host.driver import CommandError, DdrLayout, StaticRegion
from pdswap_host.model_image import HwConfig, build
from pdswap_host.pcap import Pcap
from pdswap_host.session import CfgPort, InferenceSession, RunReport

from tb.common.axi_mem import HpMemory, MemConfig
from tb.common.env import CLK_PERIOD_NS
from tb.common.fastsim import SvClock, SvMemory
from tb.common.host import AxilBus, SyncDdr

RM_PREFILL, RM_DECODE = 1, 2
LAYOUT = DdrLayout()
PCAP_HEX = "pcap.hex"       # pcap_sv's FILE, in the simulator's working directory


# ------------------------------------------------------------------ fast-path adapters
OP_WRITE, OP_READ, OP_POLL = 1, 2, 3


class Mailbox:
    """tb/e2e/axil_mailbox.sv: programs of up to NPROG register accesses, one cocotb round trip
    per program (a write of mb_prog, then one edge of mb_ack).

    An entry is (op, port, addr, data, poll_mask, stop_mask): write `data`, read, or poll (read
    until value & poll_mask != 0, at most `data` reads); the program stops after an entry whose
    read data has a bit of stop_mask set. The entries run back to back with the cycles that one
    round trip per entry took, so batching changes no cycle count. Every program is bounded by
    the mailbox's watchdog (mb_budget cycles) and by a cocotb Timer as a second guard.
    """

    NPROG = 16

    def __init__(self, dut, budget_cycles: int = 1 << 30):
        self.dut = dut
        self.prog, self.ack, self.stat = dut.mb_prog, dut.mb_ack, dut.mb_stat
        self.seq = 0
        self.budget = budget_cycles
        dut.mb_budget.value = budget_cycles
        self.guard_ns = (budget_cycles + 1024) * CLK_PERIOD_NS

    async def run(self, entries: list[tuple[int, int, int, int, int, int]]) -> tuple[int, int]:
        """Run `entries` (split into programs of NPROG); returns (entries done, last read data).

        Raises CommandError on an error response, an exhausted poll budget or the watchdog.
        """
        done, rdata = 0, 0
        for k in range(0, len(entries), self.NPROG):
            chunk = entries[k:k + self.NPROG]
            self.seq = self.seq % 255 + 1                    # 1..255, never the reset value 0
            word = self.seq | (len(chunk) << 8)
            for i, (op, port, addr, data, pmask, smask) in enumerate(chunk):
                word |= ((data & 0xFFFF_FFFF) | (int(addr) << 32) | (pmask << 40) | (smask << 48)
                         | (port << 56) | (op << 57)) << (32 + 64 * i)
            self.prog.value = word
            res = await First(Edge(self.ack), Timer(self.guard_ns, "ns"))
            if isinstance(res, Timer):
                raise CommandError("AXI-Lite mailbox: no answer")
            st = int(self.stat.value)
            n, rdata = (st >> 32) & 0xFF, st & 0xFFFF_FFFF
            done += n
            if (st >> 40) & 3:
                op, port, addr = chunk[min(n, len(chunk) - 1)][:3]
                what = "watchdog" if (st >> 41) & 1 else \
                    f"error response or poll budget exhausted after {st >> 42} reads"
                raise CommandError(f"AXI-Lite op {op} at {addr:#x} (port {port}): {what}")
            if n < len(chunk):
                break                                        # stopped by a stop mask
        return done, rdata


class MailboxBus:
    """Driver Bus over the mailbox (port 0 static region, 1 configuration controller)."""

    def __init__(self, mb: Mailbox, port: int):
        self.mb, self.port = mb, port

    async def write_reg(self, addr: int, value: int) -> None:
        await self.mb.run([(OP_WRITE, self.port, addr, value, 0, 0)])

    async def read_reg(self, addr: int) -> int:
        return (await self.mb.run([(OP_READ, self.port, addr, 0, 0, 0)]))[1]

    async def poll(self, addr: int, mask: int, max_polls: int) -> int:
        """Read `addr` in SV until (value & mask) != 0; returns the value."""
        return (await self.mb.run([(OP_POLL, self.port, addr, max_polls, mask, 0)]))[1]

    async def write_regs(self, pairs: list[tuple[int, int]]) -> None:
        """Several writes in one program."""
        await self.mb.run([(OP_WRITE, self.port, a, v, 0, 0) for a, v in pairs])


class SvDdr:
    """Driver Ddr over the SV DDR model's backdoor."""

    def __init__(self, mem: SvMemory):
        self.mem = mem

    async def write(self, addr: int, data: bytes) -> None:
        await self.mem.load(addr, data)

    async def read(self, addr: int, n: int) -> bytes:
        return await self.mem.dump(addr, n)


class SvPcap:
    """The SV PCAP (tb/e2e/pcap_sv.sv): container words deposited, streamed at `rate` B/cycle."""

    def __init__(self, dut, clock: SvClock, rate: float | Fraction):
        self.dut, self.clock = dut, clock
        self.rate = rate

    async def start(self, container: bytes) -> None:
        d = self.dut
        words = np.frombuffer(container, dtype="<u4")
        # pcap_sv loads the words with $readmemh when the transfer starts (no per-word deposit)
        Path(PCAP_HEX).write_text("".join(f"{int(w):08x}\n" for w in words))
        d.pc_file.value = 1
        d.pc_len.value = len(words)
        d.pc_rate.value = round(float(self.rate) * 65536)
        d.pc_start.value = 1 - int(d.pc_start.value)

    async def wait(self) -> None:
        d = self.dut
        if int(d.pc_done.value) != int(d.pc_start.value):
            await First(Edge(d.pc_done), Timer(1 << 40, "ps"))
        await self.clock.align()


class PyPcap:
    """The Python PCAP model (cocotb Clock transport) as a PcapPort."""

    def __init__(self, pcap: Pcap, rate: float | Fraction, max_cycles: int = 1 << 24):
        self.pcap, self.rate, self.max_cycles = pcap, rate, max_cycles
        self.task = None

    async def start(self, container: bytes) -> None:
        self.task = cocotb.start_soon(self.pcap.send(container, self.max_cycles, rate=self.rate))

    async def wait(self) -> None:
        if self.task is not None:
            await self.task
            self.task = None


class PollingStaticRegion(StaticRegion):
    """StaticRegion whose register writes, start, wait and cycle read of a command run as one
    mailbox program (the waits inside the SV mailbox: no Python per poll)."""

    async def set_regs(self, **regs: int) -> None:
        from pdswap_host.csr import Reg

        await self.bus.write_regs([(Reg[n.upper()], int(v) & 0xFFFF_FFFF) for n, v in regs.items()])

    async def command(self, cmd, pre=(), **regs):  # type: ignore[override]
        from pdswap_host.csr import CTRL_ERR_CLR, CTRL_START, ERRORS, STATUS_DONE, STATUS_ERR, Reg

        port = self.bus.port
        prog = [(OP_WRITE, port, Reg[n.upper()], int(v) & 0xFFFF_FFFF, 0, 0)
                for n, v in (*pre, *regs.items())]
        prog += [(OP_WRITE, port, Reg.CTRL, CTRL_START | (int(cmd) << 4), 0, 0),
                 (OP_POLL, port, Reg.STATUS, self.max_polls, STATUS_DONE | STATUS_ERR, STATUS_ERR),
                 (OP_READ, port, Reg.CYC_LAST, 0, 0, 0)]
        done, value = await self.bus.mb.run(prog)
        if done < len(prog):                          # the poll saw STATUS.error
            code = (value >> 8) & 0xFF
            rp = await self.bus.read_reg(Reg.RP_STATUS)
            await self.bus.write_reg(Reg.CTRL, CTRL_ERR_CLR)
            raise CommandError(f"{cmd.name}: error {code} ({ERRORS.get(code, '?')}), RP_STATUS {rp:#x}")
        return value


class PollingCfgPort(CfgPort):
    async def wait_loaded(self, rm_id: int) -> None:
        await self.bus.poll(0x08, (1 << 3) | (1 << 4), self.max_polls)   # STATUS loaded|error
        await super().wait_loaded(rm_id)


# ------------------------------------------------------------------ the harness
@dataclass
class E2EResult:
    report: RunReport
    golden_tokens: list[int]
    float_tokens: list[int]
    layers_checked: int = 0
    mismatches: list[str] = field(default_factory=list)
    wall_s: float = 0.0
    sim_cycles: int = 0
    cpu_s: float = 0.0      # CPU time of the simulator process (Verilator + embedded Python)

    @property
    def bit_exact(self) -> bool:
        return not self.mismatches and self.report.tokens == self.golden_tokens

    def summary(self) -> dict[str, object]:
        r = self.report
        dec = [c.projection + c.attention for c in r.decode]
        return {
            "tokens": r.tokens, "golden_tokens": self.golden_tokens,
            "float_tokens": self.float_tokens, "bit_exact": self.bit_exact,
            "layers_checked": self.layers_checked, "mismatches": self.mismatches[:10],
            "prefill_projection_cycles": r.prefill.projection,
            "prefill_attention_cycles": r.prefill.attention,
            "prefill_last_post_cycles": r.prefill.cmds.get("POST_last", 0),
            "prefill_final_cycles": r.prefill.cmds.get("FINAL", 0),
            "swap_cycles": r.swap.total, "swap_phases": r.swap.phases,
            "swap_overlapped_cycles": r.swap.overlapped, "swap_exposed_cycles": r.swap.exposed,
            "swap_hidden_fraction": r.swap.hidden_fraction,
            "decode_cycles_per_token": float(np.mean(dec)) if dec else 0.0,
            "decode_attention_cycles_per_token":
                float(np.mean([c.attention for c in r.decode])) if r.decode else 0.0,
            "total_cycles": r.total_cycles, "sim_cycles": self.sim_cycles,
            "wall_s": self.wall_s, "cpu_s": self.cpu_s,
            "sim_cycles_per_second": self.sim_cycles / self.wall_s if self.wall_s else 0.0,
            # the same per CPU second: independent of what else runs on the machine
            "sim_cycles_per_cpu_second": self.sim_cycles / self.cpu_s if self.cpu_s else 0.0,
        }


class E2E:
    def __init__(self, dut, weights: ModelWeights, rng: np.random.Generator, *,
                 mem_cfg: MemConfig, pcap_rate: float | Fraction, payload_bytes: int,
                 check_layers: bool = True, swap: bool = True, progress=None):
        self.dut, self.w, self.rng = dut, weights, rng
        self.fast = int(dut.FAST.value) == 1
        self.mem_cfg, self.pcap_rate, self.payload_bytes = mem_cfg, pcap_rate, payload_bytes
        self.check_layers, self.swap, self.progress = check_layers, swap, progress
        self.golden = IntModel(weights)
        self.mismatches: list[str] = []
        self.layers_checked = 0

    async def start(self) -> None:
        d = self.dut
        if self.fast:
            for name in ("mb_prog", "pc_start", "pc_len", "pc_rate", "pc_file"):
                getattr(d, name).value = 0          # mailbox/PCAP requests idle before reset
            self.clock = SvClock(d.u_clk)
            await self.clock.start()
            self.mem = SvMemory(d.u_mem, self.clock)
            self.mem.configure(self.mem_cfg)
            mb = Mailbox(d)
            await self.clock.reset()
            ddr = SvDdr(self.mem)
            sr_bus, cfg_bus = MailboxBus(mb, 0), MailboxBus(mb, 1)
            self.sr = PollingStaticRegion(sr_bus, ddr, LAYOUT, max_polls=1 << 30)
            self.cfg = PollingCfgPort(cfg_bus, max_polls=1 << 30)
            self.pcap = SvPcap(d, self.clock, self.pcap_rate)
        else:
            cocotb.start_soon(Clock(d.c_clk, CLK_PERIOD_NS, units="ns").start())
            d.c_cfg_tvalid.value = 0
            d.c_rst_n.value = 0
            await ClockCycles(d.c_clk, 5)
            d.c_rst_n.value = 1
            self.hp = HpMemory(d, d.c_clk, d.c_rst_n,
                               prefixes=tuple(f"m_axi_hp{i}" for i in range(4)),
                               cfg=self.mem_cfg, rng=self.rng, size=LAYOUT.size)
            self.sr = StaticRegion(AxilBus.attach(d, "c_sr", d.c_clk, d.c_rst_n), SyncDdr(self.hp),
                                   LAYOUT, max_polls=1 << 20)
            self.cfg = CfgPort(AxilBus.attach(d, "c_cfg", d.c_clk, d.c_rst_n), max_polls=1 << 20)
            self.pcap = PyPcap(Pcap(d, d.c_clk, prefix="c_cfg", rate=self.pcap_rate), self.pcap_rate)
        hw = HwConfig(wdepth=int(d.WDEPTH.value), g_words=int(d.G_WORDS.value),
                      max_rows=int(d.MAX_ROWS.value), max_ctx=int(d.MAX_CTX.value))
        self.image = build(self.w, hw)
        await self.sr.check_id()
        await self.cfg.check()
        self.load_cycles = await self.sr.load_model(self.image)
        containers = {rm: pack(0, rm, make_payload(rm, self.payload_bytes, rm)) for rm in (1, 2)}
        self.session = InferenceSession(
            self.sr, self.cfg, self.pcap, self.w, containers[RM_PREFILL], containers[RM_DECODE],
            swap=self.swap, layer_hook=self._check_layer if self.check_layers else None,
            progress=self.progress)
        await self.session.configure(containers[RM_PREFILL], RM_PREFILL)
    async def _check_layer(self, call: int, layer: int, rows: int) -> None:
        h = await self.sr.store_h(rows, self.w.shape.d_model)
        exp = self.golden_traces[call][layer].h_out
        if not np.array_equal(h, exp):
            self.mismatches.append(f"call {call} layer {layer}: {int(np.sum(h != exp))} values differ")
        self.layers_checked += 1

    async def run(self, prompt: np.ndarray, n_tokens: int) -> E2EResult:
        golden_tokens = generate(self.golden, prompt, n_tokens)   # fills golden traces
        self.golden_traces = self.golden.traces
        float_tokens = generate(FloatModel(self.w), prompt, n_tokens)
        c0 = await self.sr.cycles()
        t0, p0 = time.time(), time.process_time()
        report = await self.session.run(prompt, n_tokens)
        wall, cpu = time.time() - t0, time.process_time() - p0
        cycles = (await self.sr.cycles() - c0) & 0xFFFF_FFFF
        res = E2EResult(report, golden_tokens, float_tokens, self.layers_checked,
                        list(self.mismatches), wall, cycles, cpu)
        out = os.environ.get("PDSWAP_E2E_JSON")
        if out:
            with open(out, "w") as fh:
                json.dump(res.summary(), fh, indent=1, default=int)
        return res
