"""`make bench` figures of the static baseline (docs/baseline.md) against PD-Swap's attention RMs.

Both designs run in the same `make bench` call on the same jobs: the `small` head (dh = 64),
MAX_CTX 2048, bench memory (``MemConfig.bench()``: first-beat latency 60, no random stalls,
shared cap = 4 ports' peak), no stream backpressure, every O row and the memory image checked
bit-exact while measuring. Decode jobs: keys 0..L-1, pos0 = L-1 over a random cache; prefill
jobs: pos0 = 0. Cycles are the designs' own ``stats_o.busy_cycles`` (job accepted .. done).

* ``decode_attention_speedup_vs_baseline_L{64,256,1024,2048}``: baseline_attn decode cycles /
  rm_decode (PD-Swap map: K on HP0+HP1, V on HP2+HP3, Q and O on chip) decode cycles;
* ``baseline_decode_cycles_L*``, ``baseline_prefill_cycles_L{64,256}``;
* ``baseline_decode_staging_cycles_L*``: baseline cycles minus the same decode engine on the
  same uniform map without the Q/O staging (rm_decode PORT_MAP=1 alone): what the DDR round
  trips of Q and O add; ``baseline_decode_map_speedup_L*`` = uniform engine / PD-Swap engine
  (the port-map part of the speedup);
* ``prefill_attention_speedup_vs_baseline_L{64,256}``: baseline prefill cycles / rm_prefill
  (PD-Swap prefill RM, bench configuration) cycles;
* ``baseline_kv_beats_per_cycle_L1024``: K+V beats (HP1 + HP2, R + W) per busy cycle.
"""

from __future__ import annotations

import json
import tempfile
import time
from pathlib import Path

from tb.baseline_attn.test_baseline_attn import BLOCK
from tb.common.runner import run

BENCH_PARAMS = {"HEAD_DIM": 64, "MAX_CTX": 2048, "STAGE_BASE": 0x30_0000, "PF_Q_TILE": 64,
                "PF_KV_BLOCK": 32}
DECODE_LENGTHS = (64, 256, 1024, 2048)
PREFILL_LENGTHS = (64, 256)


def measure(decode_lengths: tuple[int, ...] = DECODE_LENGTHS,
            prefill_lengths: tuple[int, ...] = PREFILL_LENGTHS, seed: int = 1) -> dict:
    """One bench run of baseline_attn: {"decode": {L: rec}, "prefill": {L: rec}}."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "baseline_bench.json"
        env = {"PDSWAP_BENCH_JSON": str(path),
               "BASELINE_BENCH_DECODE": ",".join(str(L) for L in decode_lengths),
               "BASELINE_BENCH_PREFILL": ",".join(str(L) for L in prefill_lengths)}
        run(BLOCK, BENCH_PARAMS, seed=seed, testcase="test_baseline_bench", extra_env=env,
            tag="bench", echo=False, timeout_s=7200.0)
        raw = json.loads(path.read_text())
    return {kind: {int(k): v for k, v in recs.items()} for kind, recs in raw.items()}


def bench() -> dict[str, float]:
    from tb.rm_decode import bench_rm_decode as rmd
    from tb.rm_prefill import bench_rm_prefill as rmp

    t0 = time.time()
    base = measure()
    pdswap = rmd.measure(rmd.PDSWAP, rmd.SMALL_DH, DECODE_LENGTHS)
    uniform = rmd.measure(rmd.UNIFORM, rmd.SMALL_DH, DECODE_LENGTHS)
    pre = rmp.bench(PREFILL_LENGTHS)
    figs: dict[str, float] = {}
    bdec = {L: float(r["busy_cycles"]) for L, r in base["decode"].items()}
    figs.update(rmd.speedup_vs_baseline({L: pdswap[L]["busy_cycles"] for L in DECODE_LENGTHS},
                                        bdec))
    for L in DECODE_LENGTHS:
        figs[f"baseline_decode_cycles_L{L}"] = bdec[L]
        figs[f"baseline_decode_staging_cycles_L{L}"] = bdec[L] - uniform[L]["busy_cycles"]
        figs[f"baseline_decode_map_speedup_L{L}"] = (uniform[L]["busy_cycles"]
                                                     / pdswap[L]["busy_cycles"])
    for L in PREFILL_LENGTHS:
        cyc = float(base["prefill"][L]["busy_cycles"])
        figs[f"baseline_prefill_cycles_L{L}"] = cyc
        figs[f"prefill_attention_speedup_vs_baseline_L{L}"] = cyc / pre[f"prefill_cycles_L{L}"]
    r = base["decode"][1024]
    figs["baseline_kv_beats_per_cycle_L1024"] = (r["rd_beats"][1] + r["rd_beats"][2] +
                                                 r["wr_beats"][1] + r["wr_beats"][2]) / r["busy_cycles"]
    figs["baseline_bench_wall_s"] = round(time.time() - t0, 1)
    return figs


if __name__ == "__main__":
    for k, v in sorted(bench().items()):
        print(f"{k:48s} {v:.6g}")
