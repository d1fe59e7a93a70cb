"""`make bench` figures of tlmm: cycles per projection (tiny/small x Q/K/V/O, gate/up, down x
decode, prefill 16, prefill 64) and the steady-state lookup efficiency, default parameters
(G 5, LANES 16, ROWS 2), weights on chip, no backpressure. Each cycle figure has a
`tlmm_model_cycles_*` twin from bitnet_golden.tlmm.tlmm_cycles (the analytic formula)."""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from tb.common.runner import run
from tb.tlmm.test_tlmm import BLOCK


def bench() -> dict[str, float]:
    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "tlmm_bench.json"
        run(BLOCK, {}, seed=1, testcase="test_tlmm_bench", tag="bench",
            extra_env={"PDSWAP_BENCH_JSON": str(path)})
        figures = json.loads(path.read_text())
    figures["tlmm_bench_wall_seconds"] = round(time.time() - t0, 1)
    return {k: float(v) for k, v in figures.items()}


if __name__ == "__main__":
    for key, value in sorted(bench().items()):
        print(f"{key:48s} {value:.6g}")
