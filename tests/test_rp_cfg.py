"""rp_cfg_ctrl (RP configuration controller): cocotb tests on Verilator, over seeds and configs.

The default configuration runs each cocotb test as its own pytest case, so the error classes
can be selected by name (``pytest tests/test_rp_cfg.py -k crc``); a second configuration runs
the whole cocotb module in one simulator process.
"""

from __future__ import annotations

import pytest

import tb.rp_cfg.test_rp_cfg as tbmod
from tb.common.runner import build, run
from tb.rp_cfg.test_rp_cfg import BLOCK

TESTCASES = [name for name, obj in vars(tbmod).items()
             if name.startswith("test_reconf_") and type(obj).__name__ == "test"]

CONFIGS = {
    # another partition id, three RMs, a longer reset and non-zero timeout reset values
    "rp5_rm3": {"RP_ID": 5, "NUM_RM": 3, "MAX_BYTES": 512, "RESET_CYCLES": 21,
                "BUSY_TIMEOUT": 100000, "ACK_TIMEOUT": 100000},
}


def test_rp_cfg_testcases_found() -> None:
    for cls in ("crc", "id", "trunc", "oversize", "zero", "sync", "busy", "retrigger"):
        assert any(cls in t for t in TESTCASES), f"no cocotb test for error class {cls!r}"


@pytest.mark.parametrize("testcase", TESTCASES)
def test_rp_cfg(testcase: str, seed: int) -> None:
    run(BLOCK, {}, seed=seed, testcase=testcase)


@pytest.mark.parametrize("cfg", sorted(CONFIGS))
def test_rp_cfg_reconf_all(cfg: str, seed: int) -> None:
    run(BLOCK, CONFIGS[cfg], seed=seed)


@pytest.mark.parametrize(("params", "message"), [
    ({"MAX_BYTES": 6}, "rp_cfg_ctrl: MAX_BYTES=6 must be a non-zero multiple of 4"),
    ({"NUM_RM": 0}, "rp_cfg_ctrl: NUM_RM=0 outside [1, 255]"),
    ({"RESET_CYCLES": 0}, "rp_cfg_ctrl: RESET_CYCLES=0 outside [1, 65535]"),
])
def test_rp_cfg_bad_param(params: dict[str, int], message: str) -> None:
    with pytest.raises(RuntimeError) as exc:
        build(BLOCK, params)
    assert message in str(exc.value)
