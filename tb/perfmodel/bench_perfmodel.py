"""`make bench` figures of the performance model (models/perfmodel, docs/perf-model.md).

* calibration: model vs RTL-measured cycles for every block bench key it knows
  (``model_vs_rtl_max_rel_error``, target <= 0.05), missing blocks listed, never invented;
* resources: yosys ``synth_xilinx -family xcup`` per block (cached under sim_build/yosys/) vs the
  cost model, and the XCK26 budget check (swap: max of the RMs, baseline: sum);
* DSE and the paper-scale projection (``paper_decode_speedup_L64/_L256/_L1024/_L2048``);
* writes reports/perf.md, reports/perf_speedup.png and reports/perf.json.

Measured figures: ``bench(figures)`` uses the ones it is given. The collector
(scripts/bench.py) calls ``bench()`` without them and imports the bench modules in name order,
so the block benches of the same run (rm_decode, rm_prefill, tlmm sort after perfmodel) are not
known yet: ``bench()`` then calibrates against the previous reports/bench.json and, when run
under the collector, registers an exit hook that redoes the calibration on the JSON the
collector has just written (complete figures of this run), merges the ``model_vs_rtl_*`` keys
into it and rewrites section 1 of reports/perf.md.
"""

from __future__ import annotations

import atexit
import json
import os
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
for p in (REPO, REPO / "models", REPO / "sw"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

from perfmodel import calibrate, report  # noqa: E402


def _collector_out() -> Path | None:
    """The JSON path of scripts/bench.py when it is the running program, else None."""
    if not sys.argv or Path(sys.argv[0]).name != "bench.py":
        return None
    out = REPO / "reports" / "bench.json"
    for i, a in enumerate(sys.argv):
        if a == "--out" and i + 1 < len(sys.argv):
            out = Path(sys.argv[i + 1])
        elif a.startswith("--out="):
            out = Path(a.split("=", 1)[1])
    return out if out.is_absolute() else Path.cwd() / out


def _late_calibration(out: Path) -> None:
    """After the collector: calibrate on this run's complete figures, merge into its JSON."""
    if not out.is_file():
        return
    data = json.loads(out.read_text())
    figs = {k: float(v) for k, v in data.items() if isinstance(v, (int, float))}
    rep = calibrate.check(figs, f"this `make bench` run ({out.name}, merged after the collector)")
    for k in [k for k in data if k.startswith("model_vs_rtl_")]:
        del data[k]
    data.update(rep.figures())
    out.write_text(json.dumps(data, indent=2, sort_keys=True) + "\n")
    report.rewrite_calibration(rep)
    worst = rep.max_rel_error
    print(f"perfmodel: calibration on this run's figures merged into {out}: {len(rep.cases)} "
          f"cases, max rel. error {'n/a' if worst is None else f'{worst:.4f}'}, "
          f"{len(rep.missing)} blocks missing", flush=True)


def bench(figures: dict[str, float] | None = None) -> dict[str, float]:
    t0 = time.time()
    if figures is None:
        path = REPO / "reports" / "bench.json"
        figures = calibrate.load(path)
        source = (f"previous `make bench` run, {path.relative_to(REPO)} of "
                  f"{time.strftime('%Y-%m-%d %H:%M', time.localtime(path.stat().st_mtime))}"
                  if figures else "none (reports/bench.json absent)")
        out = _collector_out()
        if out is not None:
            atexit.register(_late_calibration, out)
    else:
        source = "this `make bench` run"
    run_yosys = os.environ.get("PERF_YOSYS", "1") != "0"
    res = report.write(figures, source, run_yosys=run_yosys)
    res["perfmodel_bench_wall_seconds"] = round(time.time() - t0, 1)
    return res


if __name__ == "__main__":
    for key, value in sorted(bench().items()):
        print(f"{key:48s} {value:.6g}")
