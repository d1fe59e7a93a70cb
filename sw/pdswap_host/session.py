"""The PS software of PD-Swap: prefill with the prefill RM, overlapped swap, decode with the decode RM.

Where each step runs (README "Where each step runs"):
* host (PS): token embedding lookup, LM head (int16 embeddings, exact int64 logits), sampling,
  the PCAP transfer of the partial bitstream, and this schedule;
* fabric: everything in `StaticRegion` commands (norms, quantizers, TLMM projections, RoPE,
  SwiGLU, residuals, final norm) and attention in the loaded RM.

The swap to the decode RM is triggered right after the last layer's prefill attention, so it
overlaps that layer's POST, the FINAL norm, the host's LM head/sampling, and the first decode
step's EMBED and layer-0 PRE (nothing of which needs the RP). Only then does the host wait for
the controller to report LOADED.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Protocol

import numpy as np
from bitnet_golden.model import sample
from bitnet_golden.weights import ModelWeights

from .csr import PHASE_DECODE, PHASE_PREFILL, Cmd
from .driver import Bus, CommandError, StaticRegion
from .pcap import CTRL_ERR_CLEAR, CTRL_TRIGGER, MAGIC, Reg, State


class PcapPort(Protocol):
    """Streams a container into the configuration port (the PS's PCAP DMA)."""

    async def start(self, container: bytes) -> None: ...
    async def wait(self) -> None: ...


class CfgPort:
    """The configuration controller's registers over a driver Bus."""

    def __init__(self, bus: Bus, max_polls: int = 1_000_000):
        self.bus = bus
        self.max_polls = max_polls

    async def check(self) -> None:
        magic = await self.bus.read_reg(Reg.MAGIC)
        if magic != MAGIC:
            raise CommandError(f"configuration controller MAGIC reads {magic:#x}")

    async def state(self) -> State:
        return State(await self.bus.read_reg(Reg.STATUS) & 7)

    async def trigger(self) -> None:
        await self.bus.write_reg(Reg.CTRL, CTRL_TRIGGER)

    async def wait_loaded(self, rm_id: int) -> None:
        for _ in range(self.max_polls):
            st = State(await self.bus.read_reg(Reg.STATUS) & 7)
            if st == State.LOADED:
                got = await self.bus.read_reg(Reg.RM_ID) & 0xFF
                if got != rm_id:
                    raise CommandError(f"loaded RM id {got}, expected {rm_id}")
                return
            if st == State.ERROR:
                code = await self.bus.read_reg(Reg.ERR_CODE)
                await self.bus.write_reg(Reg.CTRL, CTRL_ERR_CLEAR)
                raise CommandError(f"reconfiguration failed with error code {code}")
        raise CommandError(f"no LOADED after {self.max_polls} polls")

    async def swap_cycles(self) -> dict[str, int]:
        names = ("CYC_PENDING", "CYC_SHUTDOWN", "CYC_LOAD", "CYC_RESET")
        out = {n: await self.bus.read_reg(Reg[n]) for n in names}
        out["total"] = sum(out.values())
        return out


@dataclass
class StepCycles:
    """Fabric cycles of one forward call, per command type."""

    cmds: dict[str, int] = field(default_factory=dict)

    def add(self, name: str, cycles: int) -> None:
        self.cmds[name] = self.cmds.get(name, 0) + cycles

    @property
    def attention(self) -> int:
        return self.cmds.get("ATT", 0)

    @property
    def projection(self) -> int:
        return sum(v for k, v in self.cmds.items() if k in ("EMBED", "PRE", "POST", "FINAL"))


@dataclass
class SwapReport:
    trigger_cycle: int = 0
    loaded_cycle: int = 0
    ready_cycle: int = 0           # when decode attention could start (static work done)
    phases: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return self.phases.get("total", 0)

    @property
    def overlapped(self) -> int:
        return max(0, min(self.loaded_cycle, self.ready_cycle) - self.trigger_cycle)

    @property
    def exposed(self) -> int:
        return max(0, self.loaded_cycle - self.ready_cycle)

    @property
    def hidden_fraction(self) -> float:
        return self.overlapped / self.total if self.total else 0.0


@dataclass
class RunReport:
    tokens: list[int] = field(default_factory=list)
    prefill: StepCycles = field(default_factory=StepCycles)
    decode: list[StepCycles] = field(default_factory=list)
    swap: SwapReport = field(default_factory=SwapReport)
    load_cycles: dict[str, int] = field(default_factory=dict)
    total_cycles: int = 0


# a hook: (call index, layer, rows) -> awaitable, used by tests to check every layer's output
LayerHook = Callable[[int, int, int], Awaitable[None]]


@dataclass
class InferenceSession:
    sr: StaticRegion
    cfg: CfgPort
    pcap: PcapPort
    weights: ModelWeights
    prefill_container: bytes
    decode_container: bytes
    swap: bool = True              # False: static baseline (both engines resident, no swap)
    layer_hook: LayerHook | None = None
    top_k: int = 1
    seed: int = 0
    progress: Callable[[str], None] | None = None

    async def configure(self, container: bytes, rm_id: int) -> None:
        """Load an RM through the controller and the PCAP and wait until it is in place."""
        await self.cfg.trigger()
        await self.pcap.start(container)
        await self.pcap.wait()
        await self.cfg.wait_loaded(rm_id)

    def _say(self, msg: str) -> None:
        if self.progress is not None:
            self.progress(msg)

    def _logits_token(self, hidden_row: np.ndarray, rng: np.random.Generator) -> int:
        e16, fe = self.weights.lm_head_int()
        logits = np.asarray(hidden_row, dtype=np.int64) @ e16.T
        return sample(logits, self.top_k, rng, 2.0 ** -(16 + fe))

    async def _call(self, call: int, tokens: np.ndarray, pos0: int, phase: int,
                    cyc: StepCycles, on_last_att: Callable[[], Awaitable[None]] | None = None,
                    skip_layer0_pre: bool = False) -> np.ndarray:
        s = self.weights.shape
        rows = len(tokens)
        if not skip_layer0_pre:
            cyc.add("EMBED", await self.sr.embed(self.weights.embed_int(tokens)))
        for li in range(s.n_layers):
            # the layer's registers go with its first command (one batch on a batching bus)
            first = {"layer": li, "rows": rows, "pos0": pos0, "phase": phase}
            if not (skip_layer0_pre and li == 0):
                cyc.add("PRE", await self.sr.command(Cmd.PRE, **first))
                first = {}
            cyc.add("ATT", await self.sr.command(Cmd.ATT, **first))
            if on_last_att is not None and li == s.n_layers - 1:
                await on_last_att()
            post = await self.sr.command(Cmd.POST)
            cyc.add("POST", post)
            if li == s.n_layers - 1:
                cyc.cmds["POST_last"] = post     # the last layer's O projection + FFN
            if self.layer_hook is not None:
                await self.layer_hook(call, li, rows)
        c = await self.sr.command(Cmd.FINAL, pre=(("rows", rows),), rows=rows,
                                  ddr_lo=self.sr.layout.out, ddr_hi=self.sr.layout.out >> 32)
        cyc.add("FINAL", c)
        return await self.sr.read_rows(self.sr.layout.out, rows, s.d_model)

    async def run(self, prompt: np.ndarray, n_tokens: int) -> RunReport:
        """Prefill `prompt`, then generate `n_tokens` greedily (or top-k)."""
        s = self.weights.shape
        rep = RunReport()
        rng = np.random.default_rng(self.seed)
        t_start = await self.sr.cycles()
        prompt = np.asarray(prompt)

        async def trigger_swap() -> None:
            rep.swap.trigger_cycle = await self.sr.cycles()
            await self.cfg.trigger()
            await self.pcap.start(self.decode_container)
            self._say("swap to the decode RM started (overlapping the last POST + FINAL)")

        self._say(f"prefill: {len(prompt)} tokens x {s.n_layers} layers")
        hidden = await self._call(0, prompt, 0, PHASE_PREFILL, rep.prefill,
                                  on_last_att=trigger_swap if self.swap else None)
        tok = self._logits_token(hidden[-1], rng)
        rep.tokens.append(tok)
        pos = len(prompt)
        for step in range(1, n_tokens):
            cyc = StepCycles()
            if step == 1 and self.swap:
                # work that does not need the RP overlaps the rest of the swap
                cyc.add("EMBED", await self.sr.embed(self.weights.embed_int([tok])))
                cyc.add("PRE", await self.sr.command(Cmd.PRE, layer=0, rows=1, pos0=pos,
                                                     phase=PHASE_DECODE))
                rep.swap.ready_cycle = await self.sr.cycles()
                await self.pcap.wait()
                await self.cfg.wait_loaded(2)
                rep.swap.phases = await self.cfg.swap_cycles()
                rep.swap.loaded_cycle = rep.swap.trigger_cycle + rep.swap.total
                self._say(f"swap done: {rep.swap.total} cycles, "
                          f"{100 * rep.swap.hidden_fraction:.0f} % hidden")
                hidden = await self._call(step, np.array([tok]), pos, PHASE_DECODE, cyc,
                                          skip_layer0_pre=True)
            else:
                hidden = await self._call(step, np.array([tok]), pos, PHASE_DECODE, cyc)
            rep.decode.append(cyc)
            tok = self._logits_token(hidden[-1], rng)
            rep.tokens.append(tok)
            pos += 1
            self._say(f"token {step}/{n_tokens - 1}: {tok}")
        if n_tokens == 1 and self.swap:     # nothing to overlap with: just finish the swap
            rep.swap.ready_cycle = await self.sr.cycles()
            await self.pcap.wait()
            await self.cfg.wait_loaded(2)
            rep.swap.phases = await self.cfg.swap_cycles()
            rep.swap.loaded_cycle = rep.swap.trigger_cycle + rep.swap.total
        rep.total_cycles = (await self.sr.cycles() - t_start) & 0xFFFF_FFFF
        return rep
