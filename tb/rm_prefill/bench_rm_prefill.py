"""`make bench` figures of rm_prefill (docs/rm_prefill.md, "Measured").

Runs ``test_prefill_bench`` of tb/rm_prefill/test_rm_prefill.py on the ``small`` head shape
(head_dim 64, PE array 1 x 16 dot-16 units = 256 MACs/cycle, Q_TILE 64, KV_BLOCK 32) with the
bench memory model (MemConfig.bench(): first-beat latency 60 cycles, shared cap 4 beats/cycle, no
stalls) and no stream backpressure: one job per L at pos0 = 0, every O row and the KV cache
checked bit-exact. Returns:

* ``prefill_pe_utilization_L256``: PE-active / busy cycles at L = 256 (target >= 0.85);
* ``prefill_cycles_L<L>`` for L = 64 .. 1024: busy cycles (job accepted .. done), ~L^2;
* ``prefill_model_cycles_L<L>``: the event model's prediction (tb/rm_prefill/model.py);
* ``prefill_kv_reread_L256``: K/V rows read from DDR per row written (this schedule) and
  ``prefill_kv_reread_naive_L256`` for the naive order; ``prefill_sim_wall_s``: wall time.
"""

from __future__ import annotations

import json
import sys
import tempfile
import time
from pathlib import Path

from tb.common.runner import run
from tb.rm_prefill.model import Params, busy_cycles, reuse
from tb.rm_prefill.test_rm_prefill import BLOCK

BENCH_PARAMS = {"HEAD_DIM": 64, "MAX_CTX": 2048, "Q_TILE": 64, "KV_BLOCK": 32, "PE_ROWS": 1,
                "PE_COLS": 16}
LENGTHS = (64, 128, 256, 512, 1024)


def params() -> Params:
    b = BENCH_PARAMS
    return Params(b["HEAD_DIM"], b["Q_TILE"], b["KV_BLOCK"], b["PE_ROWS"], b["PE_COLS"])


def bench(lengths: tuple[int, ...] = LENGTHS) -> dict[str, float]:
    t0 = time.time()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "prefill.json"
        run(BLOCK, BENCH_PARAMS, seed=1, testcase="test_prefill_bench", tag="bench", echo=False,
            timeout_s=7200.0,
            extra_env={"PDSWAP_BENCH_JSON": str(path),
                       "PDSWAP_BENCH_L": ",".join(str(n) for n in lengths)})
        res = json.loads(path.read_text())
    p = params()
    out: dict[str, float] = {}
    for n in lengths:
        st = res[str(n)]
        out[f"prefill_cycles_L{n}"] = float(st["busy"])
        out[f"prefill_model_cycles_L{n}"] = float(busy_cycles(0, n, p))
        if n == 256:
            out["prefill_pe_utilization_L256"] = st["active"] / st["busy"]
            ru = reuse(256, p)
            out["prefill_kv_reread_L256"] = ru["kv_reread_factor"]
            out["prefill_kv_reread_naive_L256"] = ru["kv_reread_factor_naive"]
            out["prefill_q_reuse_L256"] = ru["q_reuse"]
    out["prefill_sim_wall_s"] = round(time.time() - t0, 1)
    return out


if __name__ == "__main__":
    ls = tuple(int(x) for x in sys.argv[1].split(",")) if len(sys.argv) > 1 else LENGTHS
    for k, v in sorted(bench(ls).items()):
        print(f"{k:32s} {v:.6g}")
