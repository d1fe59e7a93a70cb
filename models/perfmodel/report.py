"""reports/perf.md + reports/perf_speedup.png: calibration, resources, DSE, paper projection."""

from __future__ import annotations

import json
import time
from pathlib import Path

from bitnet_golden.shapes import get_shape

from . import calibrate, dse, project
from . import resources as _res
from . import system as S
from .hw import BENCH, KV260, XCK26, Design, Platform, Resources, baseline_design, pdswap_design
from .resources import block_cost, design_cost
from .yosys import have_yosys, synth_block

REPO = Path(__file__).resolve().parents[2]
REPORTS = REPO / "reports"


def _res_row(name: str, r: Resources, extra: str = "") -> str:
    return (f"| {name} | {r.lut:,.0f} | {r.ff:,.0f} | {r.bram:g} | {r.uram:g} | {r.dsp:,.0f} |"
            f"{extra}")


def resources_section(run_yosys: bool = True, timeout_s: float = 900.0
                      ) -> tuple[str, dict[str, float], list[dict]]:
    """Per block: yosys (where it reads the RTL) vs the cost model at the same parameters."""
    lines = ["| block | source | LUT | FF | BRAM36 | URAM | DSP | cost-model LUT / FF / DSP | note |",
             "|---|---|---|---|---|---|---|---|---|"]
    figs: dict[str, float] = {}
    rows: list[dict] = []
    errs = []
    for entry in _res.RESOURCE_BLOCKS:
        name, over = _res.split_entry(entry)
        blk = name if not over else f"{name} ({', '.join(f'{k}={v}' for k, v in over.items())})"
        key = name if not over else f"{name}_" + "_".join(f"{k.lower()}{v}" for k, v in over.items()
                                                       if k in ("G", "LANES", "ROWS"))
        try:
            skip = _res.YOSYS_SKIP.get(entry)
            r = synth_block(name, timeout_s=timeout_s, overrides=over or None,
                            cache_only=not run_yosys or skip is not None)
            if skip:
                r.ok, r.error = False, f"not sent to yosys: {skip}"
        except (FileNotFoundError, ValueError) as e:
            lines.append(f"| {blk} | - | | | | | | | {e} |")
            continue
        cm = block_cost(name, r.params)
        cms = f"{cm.lut:,.0f} / {cm.ff:,.0f} / {cm.dsp:,.0f}" if cm else "-"
        if r.ok:
            y = r.resources
            fit = entry in _res.YOSYS_FIT_POINTS
            note = (f"yosys {r.seconds:.0f} s{' (cached)' if r.cached else ''}"
                    + ("; the TLMM cost constants are solved from this point (not a check)"
                       if fit else ""))
            lines.append(f"| {blk} | yosys | {y.lut:,.0f} | {y.ff:,.0f} | {y.bram:g} | {y.uram:g} | "
                         f"{y.dsp:,.0f} | {cms} | {note} |")
            for k in Resources.KINDS:
                figs[f"yosys_{key}_{k}"] = float(getattr(y, k))
            if cm is not None and y.lut > 0:
                e = (cm.lut - y.lut) / y.lut
                if not fit:
                    errs.append(abs(e))
                figs[f"resource_model_lut_rel_error_{key}"] = e
            rows.append({"block": blk, "yosys": y.as_dict(), "cost": cm.as_dict() if cm else None,
                         "params": r.params})
        else:
            c = cm or Resources()
            lines.append(f"| {blk} | cost model | {c.lut:,.0f} | {c.ff:,.0f} | {c.bram:g} | "
                         f"{c.uram:g} | {c.dsp:,.0f} | {cms} | "
                         f"{'' if r.error.startswith('not ') else 'yosys could not read it: '}"
                         f"{r.error.replace('|', '/')} |")
            rows.append({"block": blk, "yosys": None, "cost": cm.as_dict() if cm else None,
                         "params": r.params, "error": r.error})
    if errs:
        figs["resource_model_lut_max_abs_rel_error"] = max(errs)
    figs["yosys_blocks_read"] = float(sum(1 for r in rows if r["yosys"]))
    return "\n".join(lines), figs, rows


def budget_section(designs: dict[str, Design], shape_name: str, plat: Platform) -> tuple[str, dict]:
    shape = get_shape(shape_name)
    lines = ["| design | static | RP (swap: max, baseline: sum) | total | LUT % | FF % | BRAM % | "
             "URAM % | DSP % | fits XCK26 |", "|---|---|---|---|---|---|---|---|---|---|"]
    figs = {}
    for name, d in designs.items():
        dr = design_cost(d, shape, plat.onchip_weights)
        u = dr.total.utilisation(plat.budget)

        def fmt(r: Resources) -> str:
            return f"{r.lut:,.0f} LUT / {r.dsp:,.0f} DSP / {r.bram:g} BRAM"
        lines.append(f"| {name} | {fmt(dr.static)} | {fmt(dr.rp)} | {fmt(dr.total)} | "
                     f"{u['lut']:.0%} | {u['ff']:.0%} | {u['bram']:.0%} | {u['uram']:.0%} | "
                     f"{u['dsp']:.0%} | {'yes' if dr.fits(plat.budget) else '**no**'} |")
        figs[name] = u
    return "\n".join(lines), figs


def write(figures: dict[str, float] | None = None, source: str = "", run_yosys: bool = True,
          out_dir: Path = REPORTS, stride: int = 64) -> dict[str, float]:
    """Everything: returns the bench figures, writes perf.md, perf_speedup.png, perf.json."""
    t0 = time.time()
    out_dir.mkdir(parents=True, exist_ok=True)
    figs: dict[str, float] = {}
    # 1. calibration
    cal = calibrate.check(figures or {}, source or "none given")
    figs.update(cal.figures())
    # 2. paper-scale projection (includes the DSE of both designs)
    proj = project.project(KV260, stride=stride)
    figs.update(proj.figures())
    png = project.figure(proj, out_dir / "perf_speedup.png")
    # 3. resources
    res_md, res_figs, res_rows = resources_section(run_yosys=run_yosys)
    figs.update(res_figs)
    default_designs = {"PD-Swap, RTL default RMs": pdswap_design(),
                       "baseline, RTL default RMs": baseline_design(),
                       "PD-Swap, DSE choice": proj.swap, "baseline, DSE choice": proj.base}
    bud_md, bud = budget_section(default_designs, "paper", KV260)
    figs["paper_swap_lut_util"] = bud["PD-Swap, DSE choice"]["lut"]
    figs["paper_baseline_lut_util"] = bud["baseline, DSE choice"]["lut"]
    coresident = design_cost(proj.swap.with_(swap=False), get_shape("paper"), False)
    figs["paper_swap_rms_coresident_lut_util"] = coresident.total.utilisation(XCK26)["lut"]
    # 4. small-shape DSE on the bench platform (the simulated design)
    small = dse.explore(get_shape("small"), BENCH, S.Workload(256, 64), swap=True,
                        stride=16)
    figs["model_wall_seconds"] = round(time.time() - t0, 1)
    md = [
        "# Performance model report",
        "",
        "Generated by `make bench` (`tb/perfmodel/bench_perfmodel.py`, package `models/perfmodel`, "
        "method in docs/perf-model.md). Nothing here is fitted to the paper's results.",
        "",
        "## 1. Calibration: model vs RTL-measured cycles",
        "",
        cal.markdown(),
        "",
        "## 2. Resources",
        "",
        "Per block at its testbench parameters: Debian yosys 0.23 `synth_xilinx -family xcup` "
        "where it reads the RTL, else the structural cost model (resources.py); the cost model "
        "is shown beside every yosys figure as its check.",
        "",
        res_md,
        "",
        "Budget check on XCK26 (117,120 LUT, 234,240 FF, 144 BRAM36, 64 URAM, 1,248 DSP), paper "
        "shape, cost model:",
        "",
        bud_md,
        "",
        f"The PD-Swap DSE point with both RMs co-resident would need "
        f"{figs['paper_swap_rms_coresident_lut_util']:.0%} of the LUTs "
        f"(paper: 106 % for its design).",
        "",
        "## 3. Design-space exploration",
        "",
        f"Paper shape on KV260, workload: prompt {project.WORKLOAD.prompt}, "
        f"{project.WORKLOAD.tokens} generated tokens.",
        "",
        dse.table(proj.swap_dse, KV260, 12),
        "",
        dse.table(proj.base_dse, KV260, 12),
        "",
        "`small` shape on the bench platform (the simulated system), prompt 256, 64 tokens:",
        "",
        dse.table(small, BENCH, 8),
        "",
        "## 4. Paper-scale projection (BitNet b1.58 0.73B on KV260)",
        "",
        project.markdown(proj),
        "",
        f"![speedup]({png.name})",
        "",
        "Differences from the paper are discussed in docs/perf-model.md (\"Projection vs the "
        "paper\"); they are explained, not tuned away.",
    ]
    (out_dir / "perf.md").write_text("\n".join(md) + "\n")
    (out_dir / "perf.json").write_text(json.dumps({"figures": figs, "resources": res_rows,
                                                   "projection": proj.rows}, indent=1))
    return figs


def yosys_available() -> bool:
    return have_yosys()


def rewrite_calibration(rep: calibrate.Report, out_dir: Path = REPORTS) -> None:
    """Replace section 1 of perf.md (used once the complete figures of a run are known)."""
    path = out_dir / "perf.md"
    if not path.is_file():
        return
    text = path.read_text()
    head = "## 1. Calibration: model vs RTL-measured cycles"
    a, b = text.find(head), text.find("## 2. Resources")
    if a < 0 or b < 0:
        return
    path.write_text(text[:a] + head + "\n\n" + rep.markdown() + "\n\n" + text[b:])
