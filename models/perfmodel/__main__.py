"""CLI: ``python -m perfmodel dse|project|calibrate|equations`` (docs/perf-model.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bitnet_golden.shapes import SHAPES, get_shape

from . import calibrate, dse, equations, project
from . import system as S
from .hw import BENCH, KV260, baseline_design, pdswap_design

PLATFORMS = {"kv260": KV260, "bench": BENCH}


def _ints(s: str) -> tuple[int, ...]:
    return tuple(int(x) for x in s.split(",") if x)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m perfmodel", description=__doc__)
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("dse", help="explore RP parallelism; print the chosen point and the Pareto table")
    d.add_argument("--shape", default="paper", choices=sorted(SHAPES))
    d.add_argument("--platform", default=None, choices=sorted(PLATFORMS),
                   help="default: kv260 for the paper shape, bench otherwise")
    d.add_argument("--prompt", type=int, default=768)
    d.add_argument("--tokens", type=int, default=256)
    d.add_argument("--baseline", action="store_true", help="co-resident baseline (sum constraint)")
    d.add_argument("--limit", type=float, default=1.0, help="usable fraction of the budget")
    d.add_argument("--tlmm-rows", type=_ints, default=(), help="also sweep TLMM ROWS, e.g. 1,2,4")
    d.add_argument("--tlmm-lanes", type=_ints, default=(), help="also sweep TLMM LANES, e.g. 16,32")
    d.add_argument("--rows", type=int, default=20, help="Pareto rows to print")
    p = sub.add_parser("project", help="paper-scale projection table (+ --figure PNG)")
    p.add_argument("--figure", type=Path)
    c = sub.add_parser("calibrate", help="model vs RTL-measured cycles from a bench JSON")
    c.add_argument("--bench", type=Path, default=Path("reports/bench.json"))
    e = sub.add_parser("equations", help="the paper's equations vs the detailed timeline")
    e.add_argument("--shape", default="paper", choices=sorted(SHAPES))
    e.add_argument("--platform", default=None, choices=sorted(PLATFORMS))
    e.add_argument("--ctx", type=_ints, default=(64, 256, 1024, 2048))
    a = ap.parse_args(argv)

    if a.cmd == "dse":
        shape = get_shape(a.shape)
        plat = PLATFORMS[a.platform or ("kv260" if a.shape == "paper" else "bench")]
        space = dse.Space(tlmm_rows=a.tlmm_rows, tlmm_lanes=a.tlmm_lanes)
        res = dse.explore(shape, plat, S.Workload(a.prompt, a.tokens), swap=not a.baseline,
                          space=space, limit=a.limit)
        print(f"shape {a.shape}, platform {plat.name}, prompt {a.prompt}, tokens {a.tokens}")
        print(dse.table(res, plat, a.rows))
        return 0
    if a.cmd == "project":
        pr = project.project()
        print(project.markdown(pr))
        if a.figure:
            print(f"figure: {project.figure(pr, a.figure)}")
        return 0
    if a.cmd == "calibrate":
        figs = calibrate.load(a.bench)
        rep = calibrate.check(figs, str(a.bench))
        print(rep.markdown())
        worst = rep.max_rel_error
        return 0 if worst is None or worst <= calibrate.TARGET else 1
    if a.cmd == "equations":
        shape = get_shape(a.shape)
        plat = PLATFORMS[a.platform or ("kv260" if a.shape == "paper" else "bench")]
        for des in (pdswap_design(), baseline_design()):
            print(f"{des.name}: f_pre {equations.f_pre(des):g}, f_dec {equations.f_dec(des):g}, "
                  f"g_pre {equations.g_pre(des, plat, shape.head_dim):g}, "
                  f"g_dec {equations.g_dec(des, plat, shape.head_dim):g} MAC/cycle")
            for L in a.ctx:
                eq = equations.t_dec(shape, des, plat, L)
                tl = S.decode_step(shape, des, plat, L)
                ep = equations.t_pre(shape, des, plat, L)
                tp = S.prefill(shape, des, plat, L)
                print(f"  L={L:5d}  T_dec eq {plat.seconds(eq.total) * 1e3:9.3f} ms  timeline "
                      f"{plat.seconds(tl.total - tl.host) * 1e3:9.3f} ms (+host "
                      f"{plat.seconds(tl.host) * 1e3:.2f})   T_pre eq {plat.seconds(ep.total):8.3f} s"
                      f"  timeline {plat.seconds(tp.total - tp.host):8.3f} s")
        return 0
    return 2


if __name__ == "__main__":
    sys.exit(main())
