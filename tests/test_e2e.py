"""End-to-end co-simulation (pdswap_top + DDR + host + PCAP), bit-exact vs the golden model."""

from __future__ import annotations

import pytest

from tb.common.runner import run
from tb.e2e.test_e2e import BLOCK, E2EConfig


def test_e2e_tiny_fast(seed: int) -> None:
    """Tiny model, 16-token prompt + 8 tokens, SV clock + SV DDR (the `make sim` path)."""
    cfg = E2EConfig(prompt_len=16, tokens=8, seed=seed)
    run(BLOCK, {"FAST": 1}, seed=seed, extra_env=cfg.to_env(), tag="p16t8")


def test_e2e_odd_prompt_fast(seed: int) -> None:
    """A prompt length that is not a multiple of any block size (13), 3 tokens."""
    cfg = E2EConfig(prompt_len=13, tokens=3, seed=seed + 100)
    run(BLOCK, {"FAST": 1}, seed=seed, extra_env=cfg.to_env(), tag="p13t3")


def test_e2e_slow_pcap_fast() -> None:
    """The swap finishes after decode could start: the host waits for LOADED, still bit-exact."""
    cfg = E2EConfig(prompt_len=8, tokens=3, seed=7, pcap_rate=0.02, payload_bytes=4096,
                    expect_late_swap=True)
    run(BLOCK, {"FAST": 1}, seed=7, extra_env=cfg.to_env(), tag="slowpcap")


def test_e2e_cocotbext_axi_path() -> None:
    """Shorter run on the cocotbext-axi transport: protocol checkers on every port, random stalls."""
    cfg = E2EConfig(prompt_len=5, tokens=2, seed=3, payload_bytes=256, pcap_rate=1.0)
    run(BLOCK, {"FAST": 0}, seed=3, extra_env=cfg.to_env(), tag="cocotb")


@pytest.mark.slow
def test_e2e_small_fast() -> None:
    """Small model, 64-token prompt + 4 tokens."""
    from tb.e2e.test_e2e import SHAPE_PARAMS

    cfg = E2EConfig(model="small", prompt_len=64, tokens=4, seed=5)
    run(BLOCK, {"FAST": 1, **SHAPE_PARAMS["small"]}, seed=5, extra_env=cfg.to_env(), tag="small")
