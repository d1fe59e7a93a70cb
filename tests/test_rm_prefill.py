"""rm_prefill (prefill attention RM): cocotb tests on Verilator + schedule-model checks."""

from __future__ import annotations

import pytest

from tb.common.runner import build, run
from tb.rm_prefill.model import Params, schedule, traffic
from tb.rm_prefill.test_rm_prefill import BLOCK

# tiny (dh 16) and small (dh 64) head shapes; "var" exercises PE_ROWS/PE_COLS/tile/block variants
CONFIGS = {
    "tiny": {"HEAD_DIM": 16, "MAX_CTX": 256, "Q_TILE": 32, "KV_BLOCK": 32, "PE_ROWS": 1,
             "PE_COLS": 16},
    "small": {"HEAD_DIM": 64, "MAX_CTX": 2048, "Q_TILE": 64, "KV_BLOCK": 32, "PE_ROWS": 1,
              "PE_COLS": 16},
    "var": {"HEAD_DIM": 32, "MAX_CTX": 256, "Q_TILE": 48, "KV_BLOCK": 16, "PE_ROWS": 2,
            "PE_COLS": 8},
}
CASES = {
    "tiny": ("lengths", "chunked", "extreme_scores", "errors", "shutdown"),
    "small": ("lengths", "chunked", "extreme_scores"),
    "var": ("lengths", "chunked"),
}


@pytest.mark.parametrize("cfg,case", [(c, k) for c in CONFIGS for k in CASES[c]])
def test_prefill_rtl(cfg: str, case: str, seed: int) -> None:
    run(BLOCK, CONFIGS[cfg], seed=seed, testcase=f"test_prefill_{case}", tag=cfg)


@pytest.mark.slow
@pytest.mark.parametrize("cfg", ["tiny", "small"])
def test_prefill_rtl_long(cfg: str, seed: int) -> None:
    run(BLOCK, CONFIGS[cfg], seed=seed, testcase="test_prefill_long", tag=cfg)


@pytest.mark.parametrize("params,msg", [
    ({"KV_BLOCK": 24}, "KV_BLOCK=24 must be a multiple of 16"),
    ({"PE_COLS": 3}, "PE_COLS=3 must divide 16"),
    ({"HEAD_DIM": 40}, "HEAD_DIM=40 must be a multiple of 16"),
])
def test_prefill_bad_params(params: dict[str, int], msg: str) -> None:
    with pytest.raises(RuntimeError) as exc:
        build(BLOCK, params)
    assert msg in str(exc.value)


@pytest.mark.parametrize("pos0,L", [(0, 1), (0, 255), (5, 37), (40, 100), (100, 200), (0, 1024)])
@pytest.mark.parametrize("p", [Params(), Params(64, 32, 32, 1, 16), Params(32, 48, 16, 2, 8),
                               Params(16, 16, 64, 4, 4), Params(64, 64, 128, 1, 16)],
                         ids=["tiny", "small", "var", "t16b64", "t64b128"])
def test_prefill_model_schedule(pos0: int, L: int, p: Params) -> None:
    """Every row sees blocks 0, 16, .. up to its diagonal exactly once, in increasing order."""
    seq: dict[int, list[int]] = {}
    for it in schedule(pos0, L, p).items:
        for r in range(it.rows[0], it.rows[1] + 1):
            seq.setdefault(r, []).append(it.kpos)
    assert sorted(seq) == list(range(pos0, pos0 + L))
    for r, ks in seq.items():
        assert ks == list(range(0, r // 16 * 16 + 1, 16)), f"row {r}: {ks[:8]}"
    tr = traffic(pos0, L, p)
    assert tr["wr_hp0"] == tr["wr_hp2"] == L * p.dc
