#!/usr/bin/env python3
"""`make bench`: collect every named figure into one flat JSON object (reports/bench.json).

Sources: the golden model's float-vs-integer error, and every `tb/<block>/bench_<block>.py`
exposing `bench() -> dict[str, float]` (they run no-backpressure cocotb benchmarks with the
documented bench memory model). Later subsystems add their own bench modules.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "models"), str(REPO / "sw")]


def bench_modules() -> list[str]:
    mods = sorted(f"tb.{p.parent.name}.{p.stem}" for p in (REPO / "tb").glob("*/bench_*.py"))
    # the performance model calibrates against every other block's figures: run it last
    return sorted(mods, key=lambda m: m == "tb.perfmodel.bench_perfmodel")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--out", type=Path, default=REPO / "reports" / "bench.json")
    ap.add_argument("--only", help="comma-separated bench module names (e.g. bench_tlmm)")
    args = ap.parse_args(argv)
    from bitnet_golden.report import float_vs_int

    figures: dict[str, float] = {}
    t0 = time.time()
    only = set(args.only.split(",")) if args.only else None
    if only is None or "golden" in only:
        for shape in ("tiny", "small"):
            figures.update(float_vs_int(shape))
    failed = []
    for mod in bench_modules():
        if only is not None and mod.rsplit(".", 1)[-1] not in only:
            continue
        t1 = time.time()
        try:
            m = importlib.import_module(mod)
            figs = (m.bench(dict(figures)) if "figures" in inspect.signature(m.bench).parameters
                    else m.bench())
        except Exception as e:  # a failing bench must not hide the others' figures
            failed.append(f"{mod}: {e}")
            print(f"BENCH FAIL {mod}: {e}", file=sys.stderr)
            continue
        clash = sorted(set(figs) & set(figures))
        if clash:
            failed.append(f"{mod}: duplicate keys {clash}")
        figures.update({k: float(v) for k, v in figs.items()})
        print(f"{mod}: {len(figs)} figures in {time.time() - t1:.1f} s", flush=True)
    figures["bench_wall_seconds"] = round(time.time() - t0, 1)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(figures, indent=2, sort_keys=True) + "\n")
    width = max(map(len, figures))
    for k in sorted(figures):
        print(f"{k:{width}s}  {figures[k]:.6g}")
    print(f"wrote {args.out}")
    if failed:
        print("failed benches:\n  " + "\n  ".join(failed), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
