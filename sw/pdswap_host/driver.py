"""Host driver of the static region: what the PS software does, transport-agnostic.

`Bus` moves AXI-Lite register accesses (cocotbext-axi master in block tests, the SV bridge in the
fast co-simulation); `Ddr` reads and writes the DDR model directly (the PS and the fabric share
DDR). Every wait is bounded in polls and reports the register state when it gives up.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Protocol

import numpy as np
from bitnet_golden.fixedpoint import Q

from .csr import CTRL_CNT_CLR, CTRL_ERR_CLR, CTRL_START, ERRORS, ID_VALUE, STATUS_DONE, STATUS_ERR, Cmd, Reg
from .model_image import ModelImage


class Bus(Protocol):
    async def write_reg(self, addr: int, value: int) -> None: ...
    async def read_reg(self, addr: int) -> int: ...


class Ddr(Protocol):
    async def write(self, addr: int, data: bytes) -> None: ...
    async def read(self, addr: int, n: int) -> bytes: ...


class CommandError(RuntimeError):
    """The static region reported an error (STATUS.error) or a command did not finish."""


@dataclass(frozen=True)
class DdrLayout:
    """Where the host puts things in DDR (all 4 KiB aligned)."""

    weights: int = 0x0000_0000    # TLMM weight image (small: 0.53 MB)
    gains: int = 0x0010_0000
    rope: int = 0x0011_0000       # RoPE tables (small: 256 KiB)
    desc: int = 0x0018_0000
    embed: int = 0x0020_0000      # up to 2048 rows x 256 x int32
    out: int = 0x0040_0000
    hstore: int = 0x0060_0000
    kv: int = 0x0080_0000         # KV cache (small: 4 MiB)
    size: int = 0x0100_0000


@dataclass
class StaticRegion:
    bus: Bus
    ddr: Ddr
    layout: DdrLayout = DdrLayout()
    max_polls: int = 1_000_000

    async def check_id(self) -> dict[str, int]:
        ident = await self.bus.read_reg(Reg.ID)
        if ident != ID_VALUE:
            raise CommandError(f"static region ID reads {ident:#x}, expected {ID_VALUE:#x}")
        dims = await self.bus.read_reg(Reg.P_DIMS)
        heads = await self.bus.read_reg(Reg.P_HEADS)
        rows = await self.bus.read_reg(Reg.P_ROWS)
        return {"d": dims & 0xFFFF, "f": dims >> 16, "heads": heads & 0xFF,
                "head_dim": (heads >> 8) & 0xFF, "layers": heads >> 16,
                "max_rows": rows & 0xFFFF, "max_ctx": rows >> 16}

    async def set_regs(self, **regs: int) -> None:
        for name, value in regs.items():
            await self.bus.write_reg(Reg[name.upper()], int(value) & 0xFFFF_FFFF)

    async def command(self, cmd: Cmd, pre: Sequence[tuple[str, int]] = (), **regs: int) -> int:
        """Write registers (`pre` pairs in order, then `regs`), start `cmd`, wait for done;
        returns the command's cycle count."""
        for name, value in pre:
            await self.bus.write_reg(Reg[name.upper()], int(value) & 0xFFFF_FFFF)
        await self.set_regs(**regs)
        await self.bus.write_reg(Reg.CTRL, CTRL_START | (int(cmd) << 4))
        status = 0
        for _ in range(self.max_polls):
            status = await self.bus.read_reg(Reg.STATUS)
            if status & (STATUS_DONE | STATUS_ERR):
                break
        else:
            raise CommandError(f"{cmd.name}: no done after {self.max_polls} polls (STATUS {status:#x})")
        if status & STATUS_ERR:
            code = (status >> 8) & 0xFF
            rp = await self.bus.read_reg(Reg.RP_STATUS)
            await self.bus.write_reg(Reg.CTRL, CTRL_ERR_CLR)
            raise CommandError(f"{cmd.name}: error {code} ({ERRORS.get(code, '?')}), RP_STATUS {rp:#x}")
        return await self.bus.read_reg(Reg.CYC_LAST)

    async def clear_counters(self) -> None:
        await self.bus.write_reg(Reg.CTRL, CTRL_CNT_CLR)

    async def cycles(self) -> int:
        """The free-running cycle counter (32 bits)."""
        return await self.bus.read_reg(Reg.CYCLES)

    # ---------------------------------------------------------------- model loading
    async def load_model(self, image: ModelImage) -> dict[str, int]:
        """Put the images in DDR and load them into the on-chip memories; returns cycles."""
        lay = self.layout
        cycles = {}
        for cmd, addr, blob in ((Cmd.LOAD_W, lay.weights, image.weights),
                                (Cmd.LOAD_G, lay.gains, image.gains),
                                (Cmd.LOAD_R, lay.rope, image.rope),
                                (Cmd.LOAD_D, lay.desc, image.desc)):
            await self.ddr.write(addr, blob)
            cycles[cmd.name] = await self.command(cmd, ddr_lo=addr, ddr_hi=addr >> 32,
                                                  len=len(blob), dst=0)
        await self.set_regs(gbase_final=image.gbase_final, eps_d=image.eps_d, eps_f=image.eps_f,
                            kv_lo=lay.kv, kv_hi=lay.kv >> 32)
        return cycles

    # ---------------------------------------------------------------- data movement
    async def embed(self, h_q16: np.ndarray) -> int:
        """Write Q.16 embedding rows to DDR and EMBED them into the residual buffer."""
        rows = np.asarray(h_q16, dtype=np.int64)
        await self.ddr.write(self.layout.embed, rows.astype("<i4").tobytes())
        return await self.command(Cmd.EMBED, rows=rows.shape[0], ddr_lo=self.layout.embed,
                                  ddr_hi=self.layout.embed >> 32)

    async def store_h(self, rows: int, d: int) -> np.ndarray:
        await self.command(Cmd.STORE_H, rows=rows, ddr_lo=self.layout.hstore,
                           ddr_hi=self.layout.hstore >> 32)
        return await self.read_rows(self.layout.hstore, rows, d)

    async def final(self, rows: int, d: int) -> np.ndarray:
        await self.command(Cmd.FINAL, rows=rows, ddr_lo=self.layout.out, ddr_hi=self.layout.out >> 32)
        return await self.read_rows(self.layout.out, rows, d)

    async def read_rows(self, addr: int, rows: int, d: int) -> np.ndarray:
        raw = await self.ddr.read(addr, rows * d * 4)
        return np.frombuffer(raw, dtype="<i4").astype(np.int64).reshape(rows, d)

    # ---------------------------------------------------------------- one layer
    async def layer(self, layer: int, rows: int, pos0: int, phase: int) -> dict[str, int]:
        """PRE, ATT, POST of one layer for `rows` tokens at positions pos0..; returns cycles."""
        await self.set_regs(layer=layer, rows=rows, pos0=pos0, phase=phase)
        out = {}
        for cmd in (Cmd.PRE, Cmd.ATT, Cmd.POST):
            out[cmd.name] = await self.command(cmd)
        return out


def q16_to_float(x: np.ndarray) -> np.ndarray:
    return np.asarray(x, dtype=np.float64) / 2.0**Q
