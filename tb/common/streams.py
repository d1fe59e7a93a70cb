"""Valid/ready stream helpers on cocotbext-axi AXI-Stream models, with random backpressure."""

from __future__ import annotations

import logging

import numpy as np
from cocotbext.axi import AxiStreamFrame, AxiStreamSink, AxiStreamSource

from .busmap import axis_bus
from .env import pause_gen


def stream_source(dut, prefix: str, clk, rng: np.random.Generator, p_stall: float = 0.3,
                  rst=None) -> AxiStreamSource:
    """Drive `<prefix>_t*` ports; the source idles (tvalid low) with probability p_stall."""
    src = AxiStreamSource(axis_bus(dut, prefix), clk, rst, reset_active_level=False)
    src.log.setLevel(logging.WARNING)
    if p_stall > 0:
        src.set_pause_generator(pause_gen(rng, p_stall))
    return src


def stream_sink(dut, prefix: str, clk, rng: np.random.Generator, p_stall: float = 0.3,
                rst=None) -> AxiStreamSink:
    """Receive `<prefix>_t*`; tready is low with probability p_stall (backpressure)."""
    snk = AxiStreamSink(axis_bus(dut, prefix), clk, rst, reset_active_level=False)
    snk.log.setLevel(logging.WARNING)
    if p_stall > 0:
        snk.set_pause_generator(pause_gen(rng, p_stall))
    return snk


def pack_ints(values: np.ndarray, bits: int, lanes: int) -> bytes:
    """Little-endian pack of signed ints into `bits`-wide lanes, padded with 0 to whole beats."""
    v = np.asarray(values, dtype=np.int64).ravel()
    pad = (-len(v)) % lanes
    v = np.concatenate([v, np.zeros(pad, dtype=np.int64)])
    dtype = {8: "<i1", 16: "<i2", 32: "<i4", 64: "<i8"}[bits]
    return v.astype(dtype).tobytes()


def unpack_ints(data: bytes | bytearray, bits: int) -> np.ndarray:
    dtype = {8: "<i1", 16: "<i2", 32: "<i4", 64: "<i8"}[bits]
    return np.frombuffer(bytes(data), dtype=dtype).astype(np.int64)


def frame_tuser(frame: AxiStreamFrame) -> list[int]:
    """Per-byte tuser values of a received frame (compacted frames hold a single int)."""
    tu = frame.tuser
    return [int(tu)] if isinstance(tu, int) else [int(x) for x in tu]
