"""Bind cocotbext-axi buses to lowRISC-style port names (``<prefix>_<signal>_i/_o``).

cocotbext-axi looks for ``<prefix>_<signal>``; our RTL suffixes ports with ``_i``/``_o``. These
helpers build the same bus objects with an explicit signal-name map.
"""

from __future__ import annotations

from cocotbext.axi import AxiBus, AxiLiteBus, AxiStreamBus
from cocotbext.axi.axi_channels import (
    AxiARBus,
    AxiAWBus,
    AxiBBus,
    AxiRBus,
    AxiReadBus,
    AxiWBus,
    AxiWriteBus,
)
from cocotbext.axi.axil_channels import (
    AxiLiteARBus,
    AxiLiteAWBus,
    AxiLiteBBus,
    AxiLiteRBus,
    AxiLiteReadBus,
    AxiLiteWBus,
    AxiLiteWriteBus,
)


def _lookup(dut, prefix: str, sig: str) -> str | None:
    for suffix in ("_i", "_o", ""):
        name = f"{prefix}_{sig}{suffix}"
        if hasattr(dut, name):
            return name
    return None


def mapped(cls, dut, prefix: str):
    """Instantiate bus class `cls` on `dut` with signals named `<prefix>_<sig>[_i|_o]`."""
    req, opt = {}, {}
    for sig in cls._signals:
        name = _lookup(dut, prefix, sig)
        if name is None:
            raise AttributeError(f"{dut._name}: no signal {prefix}_{sig}[_i|_o] for {cls.__name__}")
        req[sig] = name
    for sig in cls._optional_signals:
        name = _lookup(dut, prefix, sig)
        if name is not None:
            opt[sig] = name
    sub = type(f"{cls.__name__}_{prefix}", (cls,), {"_signals": req, "_optional_signals": opt})
    bus = sub(dut, None)
    bus._name = prefix  # models name their logger after it: cocotb.<top>.<prefix>
    return bus


def axis_bus(dut, prefix: str) -> AxiStreamBus:
    return mapped(AxiStreamBus, dut, prefix)


def axi_bus(dut, prefix: str) -> AxiBus:
    write = AxiWriteBus(mapped(AxiAWBus, dut, prefix), mapped(AxiWBus, dut, prefix),
                        mapped(AxiBBus, dut, prefix))
    read = AxiReadBus(mapped(AxiARBus, dut, prefix), mapped(AxiRBus, dut, prefix))
    return AxiBus(write, read)


def axi_read_bus(dut, prefix: str) -> AxiReadBus:
    return AxiReadBus(mapped(AxiARBus, dut, prefix), mapped(AxiRBus, dut, prefix))


def axil_bus(dut, prefix: str) -> AxiLiteBus:
    write = AxiLiteWriteBus(mapped(AxiLiteAWBus, dut, prefix), mapped(AxiLiteWBus, dut, prefix),
                            mapped(AxiLiteBBus, dut, prefix))
    read = AxiLiteReadBus(mapped(AxiLiteARBus, dut, prefix), mapped(AxiLiteRBus, dut, prefix))
    return AxiLiteBus(write, read)
