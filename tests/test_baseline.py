"""Static baseline (TeLLMe-like): baseline_attn (both attention engines co-resident, uniform port
map Q / K / V / O on HP0..HP3) in cocotb on Verilator (tb/baseline_attn/test_baseline_attn.py;
bench figures: tb/baseline_attn/bench_baseline.py; design: docs/baseline.md).

Default regression: the `tiny` head (16) runs every cocotb test (prefill L up to 255, decode L up
to 256, prefill-then-decode, refused jobs, errors, shutdown); the `small` head (64, MAX_CTX 2048,
the bench build) runs prefill, decode (L up to 1000) and prefill-then-decode. Slow: the small
head with every test and decode at L = 2048. `test_baseline_top_e2e`: baseline_top in the
end-to-end testbench (static region + host software, tiny model, no swap), bit-exact.
"""

from __future__ import annotations

import pytest

from tb.baseline_attn.test_baseline_attn import BLOCK
from tb.common.runner import build, run
from tb.e2e.test_e2e import BLOCK as E2E_BLOCK
from tb.e2e.test_e2e import E2EConfig

ALL_TESTS = None
TINY = {"HEAD_DIM": 16, "MAX_CTX": 256, "STAGE_BASE": 0x10_0000, "PF_Q_TILE": 32,
        "PF_KV_BLOCK": 32}
SMALL = {"HEAD_DIM": 64, "MAX_CTX": 2048, "STAGE_BASE": 0x30_0000, "PF_Q_TILE": 64,
         "PF_KV_BLOCK": 32}
CONFIGS = {
    # name: (wrapper parameters, cocotb testcases or None for all, prefill L, decode L)
    "tiny": (TINY, ALL_TESTS, "1,7,37,64,255", "1,2,17,63,64,100,256"),
    "small": (SMALL, "test_baseline_prefill,test_baseline_decode,"
                     "test_baseline_prefill_then_decode", "1,37,64", "1,17,64,1000"),
}
SLOW_CONFIGS = {
    "small-all": (SMALL, ALL_TESTS, "1,7,37,64,255,300", "1,2,17,63,64,100,1000,2048"),
}


def _run(cfg: tuple, seed: int, tag: str) -> None:
    params, testcase, prefill, decode = cfg
    run(BLOCK, params, seed=seed, testcase=testcase, tag=tag,
        extra_env={"BASELINE_PREFILL_LENGTHS": prefill, "BASELINE_DECODE_LENGTHS": decode})


@pytest.mark.parametrize("cfg", sorted(CONFIGS))
def test_baseline_rtl(cfg: str, seed: int) -> None:
    _run(CONFIGS[cfg], seed, cfg)


@pytest.mark.slow
@pytest.mark.parametrize("cfg", sorted(SLOW_CONFIGS))
def test_baseline_rtl_slow(cfg: str, seed: int) -> None:
    _run(SLOW_CONFIGS[cfg], seed, cfg)


@pytest.mark.parametrize("params, message", [
    ({"STAGE_BASE": 0x10_0800}, "baseline_attn: STAGE_BASE=0x100800 must be 4 KiB aligned"),
    ({"KV_FIFO_DEPTH": 1}, "bl_q_stage: KV_FIFO_DEPTH=1 outside [2, 4096] beats"),
    ({"HEAD_DIM": 24}, "baseline_attn: HEAD_DIM=24 must be a multiple of 16"),
])
def test_baseline_bad_params(params: dict[str, int], message: str) -> None:
    """Illegal parameter combinations stop the build at elaboration with a readable message."""
    with pytest.raises(RuntimeError) as exc:
        build(BLOCK, params)
    assert message in str(exc.value)


def test_baseline_top_e2e(seed: int) -> None:
    """baseline_top end to end (tiny model, 13-token prompt + 3 tokens, SV clock + SV DDR)."""
    cfg = E2EConfig(prompt_len=13, tokens=3, seed=seed + 200, swap=False)
    run(E2E_BLOCK, {"FAST": 1, "BASELINE": 1}, seed=seed, extra_env=cfg.to_env(), tag="p13t3")
