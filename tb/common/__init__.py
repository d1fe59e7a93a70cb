"""Shared cocotb helpers for every pdswap testbench (clock/reset, seeds, streams, AXI memory)."""
