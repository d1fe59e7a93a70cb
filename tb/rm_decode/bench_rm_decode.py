"""`make bench` figures of rm_decode (the PD-Swap Decode attention RM), docs/rm_decode.md.

Bench memory (``MemConfig.bench()``: latency 60, no random stalls, shared cap = 4 ports' peak),
no stream backpressure, one decode job per context length L (keys 0..L-1, pos0 = L-1), every
O row and appended K/V row checked bit-exact against the golden model while measuring.

* ``measure(port_map, ...)`` runs the engine with one HP port map and returns per-L records
  (busy cycles = stats_o.busy_cycles, job accepted .. done; K+V beats = R + W beats of the four
  ports). ``PDSWAP`` is the RM's own map (K on HP0+HP1, V on HP2+HP3), ``UNIFORM`` the static
  baseline's map (K on HP1, V on HP2); the baseline can call ``measure(UNIFORM, ...)``.
* ``speedup_vs_baseline(decode_cycles, baseline_cycles)`` makes the
  ``decode_attention_speedup_vs_baseline_L*`` keys once baseline cycle counts exist.
* The outstanding-burst depth is swept through the memory model's per-port limit
  (``DECODE_BENCH_MEM_OUT``), which caps bursts in flight exactly like the DMA's own limit, so
  one build serves the whole sweep.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from tb.common.runner import run
from tb.rm_decode.test_rm_decode import BLOCK

PDSWAP, UNIFORM = 0, 1
LENGTHS = (64, 256, 1024, 2048)
SMALL_DH, TINY_DH = 64, 16          # head_dim of the `small` and `tiny` model shapes
MAX_CTX = 2048
OUT_SWEEP = (1, 2, 3, 4, 5, 6, 8)


def measure(port_map: int, head_dim: int = SMALL_DH, lengths: tuple[int, ...] = LENGTHS,
            mem_outstanding: int = 16, seed: int = 1) -> dict[int, dict]:
    """One bench run: {L: {"busy_cycles", "kv_beats", "rd_beats", "wr_beats", ...}}."""
    params = {"HEAD_DIM": head_dim, "MAX_CTX": MAX_CTX, "PORT_MAP": port_map}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "rm_decode_bench.json"
        env = {"PDSWAP_BENCH_JSON": str(path),
               "DECODE_BENCH_LENGTHS": ",".join(str(L) for L in lengths),
               "DECODE_BENCH_MEM_OUT": str(mem_outstanding)}
        run(BLOCK, params, seed=seed, testcase="test_decode_bench", extra_env=env,
            tag=f"map{port_map}-out{mem_outstanding}", echo=False)
        raw = json.loads(path.read_text())
    return {int(k): v for k, v in raw.items()}


def beats_per_cycle(rec: dict) -> float:
    return rec["kv_beats"] / rec["busy_cycles"]


def speedup_vs_baseline(decode_cycles: dict[int, float],
                        baseline_cycles: dict[int, float]) -> dict[str, float]:
    """baseline decode-attention cycles / decode RM cycles for every L both have."""
    return {f"decode_attention_speedup_vs_baseline_L{L}": baseline_cycles[L] / decode_cycles[L]
            for L in sorted(decode_cycles) if L in baseline_cycles}


def outstanding_needed(sweep: dict[int, float], tol: float = 0.005) -> int:
    """Smallest depth whose beats/cycle is within ``tol`` of the deepest one measured."""
    best = sweep[max(sweep)]
    return min(d for d, v in sweep.items() if v >= best * (1 - tol))


def bench() -> dict[str, float]:
    figs: dict[str, float] = {}
    pd = measure(PDSWAP)
    un = measure(UNIFORM)
    figs["decode_kv_beats_per_cycle_L1024"] = beats_per_cycle(pd[1024])
    figs["decode_uniform_kv_beats_per_cycle_L1024"] = beats_per_cycle(un[1024])
    for L in LENGTHS:
        figs[f"decode_cycles_L{L}"] = pd[L]["busy_cycles"]
        figs[f"decode_uniform_cycles_L{L}"] = un[L]["busy_cycles"]
        # same engine, Uniform map / PdSwap map: the port-mapping part of the speedup
        figs[f"decode_map_speedup_L{L}"] = un[L]["busy_cycles"] / pd[L]["busy_cycles"]
    # outstanding bursts per HP port needed at L = 1024 (small: 64-beat bursts, tiny: 16-beat)
    for name, dh in (("small", SMALL_DH), ("tiny", TINY_DH)):
        sweep = {d: beats_per_cycle(measure(PDSWAP, dh, (1024,), mem_outstanding=d)[1024])
                 for d in OUT_SWEEP}
        for d, v in sweep.items():
            figs[f"decode_{name}_kv_beats_per_cycle_L1024_out{d}"] = v
        figs[f"decode_{name}_outstanding_needed"] = outstanding_needed(sweep)
    baseline = os.environ.get("PDSWAP_BASELINE_DECODE_JSON")   # {L: cycles}, optional
    if baseline:
        base = {int(k): float(v) for k, v in json.loads(Path(baseline).read_text()).items()}
        figs.update(speedup_vs_baseline({L: pd[L]["busy_cycles"] for L in LENGTHS}, base))
    return figs


if __name__ == "__main__":
    for k, v in sorted(bench().items()):
        print(f"{k:48s} {v:.6g}")
