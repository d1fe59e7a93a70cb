"""Reconfiguration harness (tb/rp): RM swaps mid-simulation at the pdswap_top level.

Each cocotb test is its own pytest case (select with ``-k``, e.g. ``-k busy``) over the seed
sweep; the stand-in-RM test runs on the RM_SET=0 build; the randomized soak is ``slow``.
"""

from __future__ import annotations

import pytest

import tb.rp.test_rp as tbmod
from tb.common.runner import build, run
from tb.rp.test_rp import BLOCK

KEYWORDS = ("reconf", "swap", "bitstream", "pcap", "decouple")
TESTS = [name for name, obj in vars(tbmod).items()
         if name.startswith("test_") and type(obj).__name__ == "test"]
STUB_TESTS = [t for t in TESTS if "_stub_" in t]
SLOW_TESTS = [t for t in TESTS if t.endswith("_soak")]
RM_TESTS = [t for t in TESTS if t not in STUB_TESTS and t not in SLOW_TESTS]


def test_rp_reconf_testcases_found() -> None:
    """At least 8 harness tests, every name carries one of the issue's keywords."""
    assert len(RM_TESTS) + len(STUB_TESTS) >= 8, TESTS
    for t in TESTS:
        assert any(k in t for k in KEYWORDS), t


@pytest.mark.parametrize("testcase", RM_TESTS)
def test_rp_reconf(testcase: str, seed: int) -> None:
    run(BLOCK, {}, seed=seed, testcase=testcase)


@pytest.mark.parametrize("testcase", STUB_TESTS)
def test_rp_reconf_stub(testcase: str, seed: int) -> None:
    run(BLOCK, {"RM_SET": 0}, seed=seed, testcase=testcase)


@pytest.mark.slow
@pytest.mark.parametrize("testcase", SLOW_TESTS)
def test_rp_reconf_soak(testcase: str, seed: int) -> None:
    run(BLOCK, {}, seed=seed, testcase=testcase, extra_env={"RP_SOAK_ITERS": "24"})


def test_rp_reconf_bad_param_fails_elaboration() -> None:
    """An unknown RM set stops elaboration with a message naming the value."""
    with pytest.raises(RuntimeError) as exc:
        build(BLOCK, {"RM_SET": 2})
    assert "rp_wrapper: RM_SET=2 unknown" in str(exc.value)


def test_rp_if_codes_from_rp_pkg(tmp_path) -> None:
    """The testbenches' RP codes are parsed from rtl/rp/rp_pkg.sv (docs/rp-interface.md values)."""
    from tb.common import rp_if

    assert (rp_if.PHASE_PREFILL, rp_if.PHASE_DECODE) == (1, 2)
    assert (rp_if.RM_ID_NONE, rp_if.RM_ID_PREFILL, rp_if.RM_ID_DECODE) == (0, 1, 2)
    assert (rp_if.TENSOR_Q, rp_if.TENSOR_K, rp_if.TENSOR_V) == (0, 1, 2)
    errs = [rp_if.ERR_NONE, rp_if.ERR_PHASE, rp_if.ERR_LEN, rp_if.ERR_ALIGN, rp_if.ERR_AXI,
            rp_if.ERR_STREAM]
    assert errs == list(range(6))
    bad = tmp_path / "empty_pkg.sv"
    bad.write_text("package empty_pkg; endpackage\n")
    with pytest.raises(RuntimeError, match=r"empty_pkg\.sv"):
        rp_if._codes(bad)
