"""DSE (models/perfmodel/dse.py) on small hand-checkable spaces: ranking by latency, the
fallback step, the exhaustive optimum, the Pareto front, swap (max) vs baseline (sum)."""

from __future__ import annotations

from dataclasses import replace

import pytest
from bitnet_golden.shapes import get_shape
from perfmodel import dse
from perfmodel import system as S
from perfmodel.hw import BENCH, Resources
from perfmodel.resources import DesignResources

SHAPE = get_shape("small")
WL = S.Workload(prompt=256, tokens=8)
SPACE = dse.Space(pe_rows=(1, 2, 4, 8), pe_cols=(16,), q_tile=(32,), kv_block=(32,),
                  pf_outstanding=(8,), dec_lanes=(1, 2), dec_outstanding=(8,))


def _budget(lut: float, dsp: float) -> Resources:
    return Resources(lut=lut, ff=1e9, bram=1e9, uram=1e9, dsp=dsp)


def test_dse_unconstrained_picks_fastest():
    res = dse.explore(SHAPE, replace(BENCH, budget=_budget(1e9, 1e9)), WL, space=SPACE)
    assert res.evaluated == 4 * 2 and res.feasible == 8
    assert res.fallback_steps == []
    assert res.chosen.latency == min(p.latency for p in res.pareto)
    # more PE rows never slow the prefill down; the chosen point has the most
    assert res.chosen.design.prefill.pe_rows == 8
    assert res.chosen.ttft < dse.evaluate(replace(res.chosen.design, prefill=replace(
        res.chosen.design.prefill, pe_rows=1)), SHAPE, BENCH, WL).ttft


def test_dse_fallback_lowers_rp_parallelism():
    free = dse.explore(SHAPE, replace(BENCH, budget=_budget(1e9, 1e9)), WL, space=SPACE)
    pts = {p.design.prefill.pe_rows: p for p in [free.chosen]}
    big = pts[8].res.total.dsp
    # a DSP budget between the PE_ROWS=2 and PE_ROWS=4 designs
    p2 = dse.evaluate(replace(free.chosen.design, prefill=replace(free.chosen.design.prefill,
                                                                  pe_rows=2)), SHAPE, BENCH, WL)
    p4 = dse.evaluate(replace(free.chosen.design, prefill=replace(free.chosen.design.prefill,
                                                                  pe_rows=4)), SHAPE, BENCH, WL)
    dsp = (p2.res.total.dsp + p4.res.total.dsp) / 2
    assert p2.res.total.dsp < dsp < p4.res.total.dsp < big
    res = dse.explore(SHAPE, replace(BENCH, budget=_budget(1e9, dsp)), WL, space=SPACE)
    assert res.first.design.prefill.pe_rows == 8
    assert res.fallback_steps == ["dsp: prefill PE_ROWS 8 -> 4", "dsp: prefill PE_ROWS 4 -> 2"]
    assert res.chosen.design.prefill.pe_rows == 2
    assert res.chosen.res.total.dsp <= dsp
    assert res.optimum is not None and res.optimum.latency <= res.chosen.latency
    assert res.optimum.res.fits(_budget(1e9, dsp))


def test_dse_pareto_front_is_non_dominated():
    res = dse.explore(SHAPE, replace(BENCH, budget=_budget(1e9, 1e9)), WL,
                      space=replace(SPACE, pe_cols=(4, 16), dec_outstanding=(2, 8)))
    b = res.budget
    front = res.pareto
    assert front and front[0].latency == min(p.latency for p in front)
    for i, p in enumerate(front):
        for q in front[i + 1:]:
            assert q.latency >= p.latency and q.util(b) < p.util(b)


def test_dse_swap_max_vs_baseline_sum():
    """A budget where the two RMs fit one at a time but not together: PD-Swap keeps the big
    prefill array, the co-resident baseline has to fall back."""
    d = dse.explore(SHAPE, replace(BENCH, budget=_budget(1e9, 1e9)), WL, space=SPACE).chosen
    r = d.res
    assert isinstance(r, DesignResources)
    lut = r.static.lut + r.prefill.lut + 0.5 * r.decode.lut   # max fits, sum does not
    plat = replace(BENCH, budget=_budget(lut, 1e9))
    sw = dse.explore(SHAPE, plat, WL, swap=True, space=SPACE)
    ba = dse.explore(SHAPE, plat, WL, swap=False, space=SPACE)
    assert sw.chosen.design.prefill.pe_rows == 8 and not sw.fallback_steps
    assert ba.fallback_steps and ba.chosen.res.total.lut <= lut
    assert ba.chosen.latency > sw.chosen.latency - sw.chosen.swap_exposed


def test_dse_fallback_gives_up_when_static_too_big():
    res = dse.explore(SHAPE, replace(BENCH, budget=_budget(1000, 1e9)), WL, space=SPACE)
    assert res.optimum is None and res.feasible == 0
    assert "static region alone" in res.fallback_steps[-1]


def test_dse_cli_prints_chosen_point_and_pareto(capsys):
    from perfmodel.__main__ import main
    assert main(["dse", "--shape", "tiny", "--prompt", "32", "--tokens", "4", "--rows", "3"]) == 0
    out = capsys.readouterr().out
    assert "**chosen** (fallback)" in out and "Pareto front" in out


@pytest.mark.parametrize("swap", [True, False])
def test_dse_table_markdown(swap):
    res = dse.explore(SHAPE, BENCH, WL, swap=swap, space=SPACE)
    md = dse.table(res, BENCH, 5)
    assert ("PD-Swap" in md) == swap and "| point |" in md
