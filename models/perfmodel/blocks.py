"""Per-block cycle models of the static region and the memory path.

Each function returns busy cycles of one job of the RTL block with its input never starved and
its output never back-pressured (the bench condition), from the block's parameters and its
documented pipeline constants (quoted from the RTL headers / docs). They are checked against the
RTL's measured cycles by ``perfmodel.calibrate`` (reports/bench.json).
"""

from __future__ import annotations

import math
from functools import lru_cache

from .hw import BEAT_BYTES, DmaParams, Platform, TlmmParams


def cdiv(a: int, b: int) -> int:
    return -(-a // b)


# --------------------------------------------------------------------------- memory path
def port_rate(plat: Platform, dma: DmaParams, burst_beats: int | None = None) -> float:
    """Sustained R beats/cycle of one HP port streaming a long read.

    A burst of B beats holds one of O outstanding slots from its AR handshake to its last R beat,
    ``latency + B - 1`` cycles (tb/common/axi_mem.py timing); with O slots issued back to back
    the port delivers O*B beats per ``latency + B - 1`` cycles (Little's law), at most one beat
    per cycle. O = min(DMA MAX_OUTSTANDING, memory's outstanding limit).
    """
    b = min(dma.max_burst, burst_beats) if burst_beats else dma.max_burst
    o = min(dma.max_outstanding, plat.mem_outstanding)
    return min(1.0, o * b / (plat.ddr_latency + b - 1))


def stream_rate(plat: Platform, dma: DmaParams, ports: int, burst_beats: int | None = None) -> float:
    """Aggregate beats/cycle of ``ports`` HP ports reading concurrently, capped by the DDR."""
    return min(ports * port_rate(plat, dma, burst_beats), plat.ddr_cap)


def dma_read_cycles(nbytes: int, plat: Platform, dma: DmaParams, ports: int = 1) -> float:
    """Cycles from the first AR to the last R beat of an ``nbytes`` read split over ``ports``."""
    beats = cdiv(nbytes, BEAT_BYTES)
    if beats == 0:
        return 0.0
    return plat.ddr_latency + beats / stream_rate(plat, dma, ports, beats)


# --------------------------------------------------------------------------- TLMM
# Pipeline constants of rtl/tlmm/tlmm.sv (header "Cycles per job", docs/tlmm.md "Timing").
TLMM_T_START = 1    # cfg handshake -> first input beat
TLMM_T_BUILD = 2    # last input beat of a block -> first weight line (group read + table build)
TLMM_T_DRAIN = 4    # last line issued -> first output beat
TLMM_T_DONE = 1     # last output beat -> done


def tlmm_lines(n: int, k: int, p: TlmmParams) -> int:
    """Weight lines swept per block of rows: ceil(K/G) groups x ceil(N/LANES) lines."""
    return cdiv(k, p.g) * cdiv(n, p.lanes)


@lru_cache(maxsize=4096)
def tlmm_cycles(n: int, k: int, m: int, p: TlmmParams, line_cycles: float = 1.0) -> float:
    """Busy cycles of one TLMM job (N outputs, K inputs, M rows), blocks of ROWS rows.

    Two activation buffers and two accumulator banks overlap fill (ROWS*ceil(K/IN_LANES) input
    beats), compute (ceil(K/G)*ceil(N/LANES) lines, ``line_cycles`` each: 1 with the weights on
    chip, more when the weight stream from DDR is slower than one line per cycle) and drain
    (ROWS*ceil(N/4) output beats):
      fill b    after fill b-1 and after compute b-2 (buffer reuse)
      compute b T_BUILD after fill b, after compute b-1 and after drain b-2
      drain b   T_DRAIN after compute b's last line started, after drain b-1
    """
    c = tlmm_lines(n, k, p) * line_cycles
    kb = cdiv(k, p.in_lanes)
    nb = cdiv(n, 4)
    fill_end: list[float] = []
    comp_end: list[float] = []
    drain_end: list[float] = []
    for b, r0 in enumerate(range(0, m, p.rows)):
        rb = min(p.rows, m - r0)
        f0 = max(fill_end[b - 1] if b else TLMM_T_START, comp_end[b - 2] if b >= 2 else 0)
        fill_end.append(f0 + rb * kb)
        c0 = max(fill_end[b] + TLMM_T_BUILD, comp_end[b - 1] if b else 0,
                 drain_end[b - 2] if b >= 2 else 0)
        comp_end.append(c0 + c)
        d0 = max(comp_end[b] - 1 + TLMM_T_DRAIN, drain_end[b - 1] if b else 0)
        drain_end.append(d0 + rb * nb)
    return drain_end[-1] + TLMM_T_DONE


def tlmm_weight_line_cycles(p: TlmmParams, plat: Platform, dma: DmaParams, ports: int) -> float:
    """Cycles per weight line when the codes stream from DDR (0.73B model: weights off chip).

    A line is LANES codes = LANES bytes = LANES/16 beats; the weight stream delivers
    stream_rate(ports) beats/cycle, so a line takes max(1, LANES/16 / rate) cycles.
    """
    if plat.onchip_weights:
        return 1.0
    return max(1.0, p.lanes / BEAT_BYTES / stream_rate(plat, dma, ports))


# --------------------------------------------------------------------------- element-wise
# Timing from the RTL headers and docs/elementwise.md: ``mid`` = cycles from a row's last input
# beat to its first output beat, ``gap`` = extra cycles per row in steady state.
RMSNORM_MID, RMSNORM_GAP = 10, 3     # rsqrt sequencer + 3-stage pass 2; "ceil(n/LANES) + ~3"
QUANT_MID, QUANT_GAP = 40, 0         # seq_divider: DIVIDEND_W (39) + 1 cycles
ROPE_MID, ROPE_GAP = 8, 0            # 4 + OUT_LANES/LANES (16/4)
SWIGLU_LATENCY = 5                   # 5-stage pipeline, 1 beat/cycle
RESIDUAL_LATENCY = 1                 # 1 beat/cycle


def row_beats(d: int, lanes: int) -> int:
    return cdiv(d, lanes)


def two_pass_cycles(d: int, m: int, lanes: int, mid: int, gap: int = 0) -> int:
    """Ping-pong row buffers (rmsnorm, act_quant, rope): row k+1 streams in while row k is
    processed and streamed out, one beat per cycle each way; a lone row of b beats takes
    b + mid + b cycles, each further row max(b + gap, mid + 1) (a row whose processing is
    longer than the next row's input holds the pipeline)."""
    b = row_beats(d, lanes)
    per_row = max(b + gap, mid + 1)
    return b + (m - 1) * per_row + mid + b


def rmsnorm_cycles(d: int, m: int, lanes: int) -> int:
    return two_pass_cycles(d, m, lanes, RMSNORM_MID, RMSNORM_GAP)


def quant_cycles(d: int, m: int, lanes: int) -> int:
    return two_pass_cycles(d, m, lanes, QUANT_MID, QUANT_GAP)


def rope_cycles(d: int, m: int, lanes: int) -> int:
    return two_pass_cycles(d, m, lanes, ROPE_MID, ROPE_GAP)


def swiglu_cycles(d: int, m: int, lanes: int) -> int:
    return m * row_beats(d, lanes) + SWIGLU_LATENCY


def residual_cycles(d: int, m: int, lanes: int) -> int:
    return m * row_beats(d, lanes) + RESIDUAL_LATENCY


def ceil_log2(x: int) -> int:
    return max(1, math.ceil(math.log2(max(2, x))))
