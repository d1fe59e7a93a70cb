"""Host-side adapters for cocotb tests: the driver's register bus over cocotbext-axi AXI-Lite."""

from __future__ import annotations

from cocotbext.axi import AxiLiteMaster

from .busmap import axil_bus


class AxilBus:
    """pdswap_host.driver.Bus over a cocotbext-axi AXI-Lite master."""

    def __init__(self, master: AxiLiteMaster):
        self.m = master

    @classmethod
    def attach(cls, dut, prefix: str, clk, rst) -> AxilBus:
        """An AXI-Lite master on `<prefix>_*[_i|_o]` ports (active-low reset `rst`)."""
        return cls(AxiLiteMaster(axil_bus(dut, prefix), clk, rst, reset_active_level=False))

    async def write_reg(self, addr: int, value: int) -> None:
        await self.m.write_dword(int(addr), value & 0xFFFF_FFFF)

    async def read_reg(self, addr: int) -> int:
        return await self.m.read_dword(int(addr))


class SyncDdr:
    """pdswap_host.driver.Ddr over a memory with synchronous write/read (HpMemory)."""

    def __init__(self, mem):
        self.mem = mem

    async def write(self, addr: int, data: bytes) -> None:
        self.mem.write(addr, data)

    async def read(self, addr: int, n: int) -> bytes:
        return self.mem.read(addr, n)
