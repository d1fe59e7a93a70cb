"""Per-test environment: seeded RNG, clock, reset and cycle-bounded waits."""

from __future__ import annotations

import os
from collections.abc import Callable

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, NextTimeStep, ReadOnly, RisingEdge

CLK_PERIOD_NS = 4  # 250 MHz fabric clock in simulation time (any value works; cycles matter)


class CycleTimeout(AssertionError):
    """A wait exceeded its cycle budget: the DUT hung or is far slower than specified."""


def test_rng(dut, name: str = "") -> np.random.Generator:
    """numpy Generator seeded from cocotb's seed (which seeds Python's `random` too).

    Logs the seed and how to replay the test, so every failure can be reproduced.
    """
    seed = int(cocotb.RANDOM_SEED)
    block = os.environ.get("PDSWAP_BLOCK", "?")
    params = os.environ.get("PDSWAP_PARAMS_CLI", "")
    dut._log.info("seed=%d  replay: make sim MODULE=%s SEED=%d TESTCASE=%s%s", seed, block, seed,
                  name or "<test>", f' PARAMS="{params}"' if params else "")
    return np.random.default_rng(seed)


async def start_clock_reset(dut, clk: str = "clk_i", rst_n: str = "rst_ni",
                            reset_cycles: int = 5) -> None:
    """Start a cocotb Clock on `clk` and pulse the active-low reset `rst_n`."""
    clock = getattr(dut, clk)
    cocotb.start_soon(Clock(clock, CLK_PERIOD_NS, units="ns").start())
    rst = getattr(dut, rst_n)
    rst.value = 0
    await ClockCycles(clock, reset_cycles)
    rst.value = 1
    await RisingEdge(clock)


async def wait_until(clk, cond: Callable[[], bool], max_cycles: int, what: str) -> int:
    """Wait on rising edges until `cond()` holds (sampled in ReadOnly); returns cycles waited.

    Returns just after the read-only phase (next time step), so the caller may drive signals.
    """
    for n in range(max_cycles):
        await RisingEdge(clk)
        await ReadOnly()
        if cond():
            await NextTimeStep()
            return n + 1
    raise CycleTimeout(f"timeout after {max_cycles} cycles waiting for {what}")


async def handshake(clk, valid, ready, max_cycles: int, what: str) -> None:
    """Raise ``valid`` and hold it until the clock edge at which ``ready`` is high (sampled in
    ReadOnly just before it): that edge is the transfer; ``valid`` drops right after it."""
    valid.value = 1
    for _ in range(max_cycles):
        await ReadOnly()
        seen = int(ready.value)
        await RisingEdge(clk)
        if seen:
            valid.value = 0
            return
    raise CycleTimeout(f"{what} not accepted within {max_cycles} cycles")


def pause_gen(rng: np.random.Generator, p_stall: float, block: int = 4096):
    """Endless random backpressure pattern: True (stall) with probability p_stall per cycle."""
    if not 0.0 <= p_stall < 1.0:
        raise ValueError(f"stall probability {p_stall} must be in [0, 1)")
    while True:
        yield from (bool(x) for x in rng.random(block) < p_stall)
