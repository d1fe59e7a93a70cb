"""The RP boundary's codes (phase, RM ids, tensor tags, RM error codes) for the testbenches.

Read from ``rtl/rp/rp_pkg.sv`` itself, so the Python side cannot drift from the RTL: every
``localparam logic [..] Name = N'dV;`` of the package is parsed once at import.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from tb.common.env import handshake

RP_PKG = Path(__file__).resolve().parents[2] / "rtl" / "rp" / "rp_pkg.sv"

_LOCALPARAM = re.compile(r"localparam\s+logic\s*\[[^\]]+\]\s*(\w+)\s*=\s*\d+'d(\d+)\s*;")


def _codes(path: Path = RP_PKG) -> dict[str, int]:
    codes = {name: int(val) for name, val in _LOCALPARAM.findall(path.read_text())}
    if not codes:
        raise RuntimeError(f"no 'localparam logic [..] Name = N'dV;' codes found in {path}")
    return codes


CODES = _codes()


def _code(name: str) -> int:
    try:
        return CODES[name]
    except KeyError:
        raise RuntimeError(f"{RP_PKG} defines no localparam {name!r}") from None


PHASE_PREFILL, PHASE_DECODE = _code("PhasePrefill"), _code("PhaseDecode")
RM_ID_NONE, RM_ID_PREFILL, RM_ID_DECODE, RM_ID_REFERENCE = (
    _code("RmIdNone"), _code("RmIdPrefill"), _code("RmIdDecode"), _code("RmIdReference"))
TENSOR_Q, TENSOR_K, TENSOR_V = _code("TensorQ"), _code("TensorK"), _code("TensorV")
ERR_NONE, ERR_PHASE, ERR_LEN, ERR_ALIGN, ERR_AXI, ERR_STREAM = (
    _code("RmErrNone"), _code("RmErrPhase"), _code("RmErrLen"), _code("RmErrAlign"),
    _code("RmErrAxi"), _code("RmErrStream"))

#: the four HP master port prefixes of every RM / attention testbench wrapper
HP_PREFIXES = [f"m_axi_hp{i}" for i in range(4)]


@dataclass
class Result:
    """What an attention job left in the RM's status: error flag and code, busy / PE-active
    cycle counters, and AXI read / write beats per HP port."""

    err: int
    code: int
    busy: int
    active: int
    rd: list[int]
    wr: list[int]


async def submit_job(dut, fields: dict[str, int], max_cycles: int = 20000) -> None:
    """Drive one job descriptor into an RP-boundary block (``job_<field>`` signals,
    ``job_valid_i`` / ``job_ready_o``) and wait for the handshake, in cycles, never forever."""
    for k, v in fields.items():
        getattr(dut, f"job_{k}").value = v
    await handshake(dut.clk_i, dut.job_valid_i, dut.job_ready_o, max_cycles, "job")
