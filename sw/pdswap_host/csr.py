"""Register map of the static region's AXI-Lite block (rtl/static/sr_csr.sv) and its commands."""

from __future__ import annotations

from enum import IntEnum


class Reg(IntEnum):
    """Byte offsets of the static-region registers."""

    ID = 0x00
    CTRL = 0x04
    STATUS = 0x08
    ROWS = 0x0C
    POS0 = 0x10
    LAYER = 0x14
    DDR_LO = 0x18
    DDR_HI = 0x1C
    LEN = 0x20
    DST = 0x24
    KV_LO = 0x28
    KV_HI = 0x2C
    GBASE_FINAL = 0x30
    EPS_D = 0x34
    EPS_F = 0x38
    PHASE = 0x3C
    CYC_LAST = 0x40
    CYC_CMD = 0x44          # + 4 * (cmd - 1)
    TLMM_BUSY = 0x6C
    TLMM_LOOKUPS = 0x70
    RP_BUSY = 0x74
    RP_ACTIVE = 0x78
    RP_RD_BEATS = 0x7C
    RP_WR_BEATS = 0x80
    RP_STATUS = 0x84
    P_DIMS = 0x88
    P_HEADS = 0x8C
    P_ROWS = 0x90
    CYCLES = 0x94           # free-running cycle counter


class Cmd(IntEnum):
    LOAD_W = 1
    LOAD_G = 2
    LOAD_R = 3
    LOAD_D = 4
    EMBED = 5
    PRE = 6
    ATT = 7
    POST = 8
    FINAL = 9
    STORE_H = 10


ERRORS = {
    1: "bad command", 2: "bad ROWS/POS0", 3: "DMA error response", 4: "DMA request rejected",
    5: "RP error", 6: "RP not loaded / decoupled", 7: "datapath framing error",
    8: "LAYER out of range", 9: "START while busy", 10: "block configuration error",
}

ID_VALUE = 0x50445357
PHASE_PREFILL = 1
PHASE_DECODE = 2
CTRL_START = 1 << 0
CTRL_CNT_CLR = 1 << 1
CTRL_ERR_CLR = 1 << 2
STATUS_BUSY = 1 << 0
STATUS_DONE = 1 << 1
STATUS_ERR = 1 << 2
