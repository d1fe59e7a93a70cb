"""rm_decode (PD-Swap Decode attention RM): cocotb tests on Verilator over head shapes, port maps
and seeds (tb/rm_decode/test_rm_decode.py; the bench figures are tb/rm_decode/bench_rm_decode.py).

Default regression: the `tiny` head (16) runs every cocotb test with L up to 2048, the `small`
head (64) the length sweep up to 1000, the golden-prefill decode, the framing errors and the
cycle model, the Uniform (baseline) port map a short functional run, and the prefill-then-decode
co-simulation with the real rm_prefill (tiny head). Slow: `small` at L = 2048, the full test
set on the Uniform map with the small head, prefill-then-decode with the small head.
"""

from __future__ import annotations

import pytest

from tb.common.runner import build, run
from tb.rm_decode.test_rm_decode import BLOCK
from tb.rm_decode.test_rm_decode_pd import BLOCK as PD_BLOCK

ALL_TESTS = None
CONFIGS = {
    # name: (wrapper parameters, cocotb testcases or None for all, DECODE_LENGTHS)
    "tiny": ({"HEAD_DIM": 16, "MAX_CTX": 2048, "PORT_MAP": 0}, ALL_TESTS,
             "1,2,17,63,64,1000,2048"),
    "small": ({"HEAD_DIM": 64, "MAX_CTX": 2048, "PORT_MAP": 0},
              "test_decode_lengths,test_decode_after_golden_prefill,test_decode_stream_errors,"
              "test_decode_throughput", "1,2,63,64,1000"),
    "tiny-uniform": ({"HEAD_DIM": 16, "MAX_CTX": 256, "PORT_MAP": 1},
                     "test_decode_lengths,test_decode_axi_errors,test_decode_throughput",
                     "1,2,17,63,64,256"),
}
SLOW_CONFIGS = {
    "small-L2048": ({"HEAD_DIM": 64, "MAX_CTX": 2048, "PORT_MAP": 0}, "test_decode_lengths",
                    "2048,1999"),
    "small-uniform": ({"HEAD_DIM": 64, "MAX_CTX": 2048, "PORT_MAP": 1}, ALL_TESTS,
                      "1,2,63,64,1000,2048"),
    "small-all": ({"HEAD_DIM": 64, "MAX_CTX": 2048, "PORT_MAP": 0}, ALL_TESTS, "2,100"),
}


def _run(cfg: tuple, seed: int, tag: str) -> None:
    params, testcase, lengths = cfg
    run(BLOCK, params, seed=seed, testcase=testcase, tag=tag,
        extra_env={"DECODE_LENGTHS": lengths})


@pytest.mark.parametrize("cfg", sorted(CONFIGS))
def test_decode_rtl(cfg: str, seed: int) -> None:
    _run(CONFIGS[cfg], seed, cfg)


@pytest.mark.slow
@pytest.mark.parametrize("cfg", sorted(SLOW_CONFIGS))
def test_decode_rtl_slow(cfg: str, seed: int) -> None:
    _run(SLOW_CONFIGS[cfg], seed, cfg)


@pytest.mark.parametrize("head_dim", [
    16, pytest.param(64, marks=pytest.mark.slow)])
def test_decode_after_prefill_rm(head_dim: int, seed: int) -> None:
    """rm_prefill writes the prompt's KV cache, rm_decode decodes the next tokens from it."""
    run(PD_BLOCK, {"HEAD_DIM": head_dim, "MAX_CTX": 256}, seed=seed)


@pytest.mark.parametrize("params, message", [
    ({"HEAD_DIM": 24}, "rm_decode: HEAD_DIM=24 must be a multiple of 16"),
    ({"MAX_CTX": 100}, "rm_decode: MAX_CTX=100 must be a multiple of 16"),
    ({"PORT_MAP": 2}, "rm_decode: PORT_MAP=2 must be 0 (PdSwap) or 1 (Uniform)"),
    ({"VQ_DEPTH": 24}, "rm_decode: VQ_DEPTH=24 must be a power of two"),
])
def test_decode_bad_params(params: dict[str, int], message: str) -> None:
    """Illegal parameter combinations stop the build at elaboration with a readable message."""
    with pytest.raises(RuntimeError) as exc:
        build(BLOCK, params)
    assert message in str(exc.value)
