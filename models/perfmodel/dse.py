"""Design-space exploration: RP parallelism under the resource budget, picked by modelled latency.

Space (``Space``): prefill RM (PE_ROWS, PE_COLS, Q_TILE, KV_BLOCK, MAX_OUTSTANDING), decode RM
(K/V lanes, MAX_OUTSTANDING) and optionally the static TLMM (ROWS, LANES) = r_proj.
Objective: end-to-end latency of a workload (prompt length, generated tokens) from
``system.generation`` (TTFT + exposed swap + decode steps).
Constraint: ``r_proj + max(r_pre, r_dec) <= limit * R_total`` (PD-Swap) or
``r_proj + r_pre + r_dec`` (co-resident baseline), every resource kind (``resources``).

Selection follows the paper: for every static configuration (r_proj) whose static region fits,
the RM pair with the lowest modelled latency is taken and, while the whole design exceeds the
budget (``limit`` x R_total), the **fallback** lowers the RP parallelism one step (halve the
parallel dimension of the RM that uses most of the overflowing resource: PE_ROWS, then PE_COLS,
then Q_TILE for prefill; lanes, then outstanding bursts for decode) until it fits; the fastest of
these is the chosen point. The exhaustive optimum under the budget is reported beside it (the
fallback is a greedy heuristic and may miss it), with the Pareto table (latency vs utilisation
of the scarcest resource).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace

from bitnet_golden.shapes import ModelShape

from . import system as S
from .hw import DecodeRM, Design, Platform, PrefillRM, Resources, StaticConfig
from .resources import DesignResources, decode_cost, prefill_cost, static_cost


@dataclass
class Space:
    pe_rows: tuple[int, ...] = (1, 2, 4, 8, 16)
    pe_cols: tuple[int, ...] = (4, 8, 16)
    q_tile: tuple[int, ...] = (32, 64, 128)
    kv_block: tuple[int, ...] = (16, 32, 64)
    pf_outstanding: tuple[int, ...] = (4, 8, 16)
    dec_lanes: tuple[int, ...] = (1, 2, 4)
    dec_outstanding: tuple[int, ...] = (2, 4, 8, 16)
    tlmm_rows: tuple[int, ...] = ()       # empty: keep the static TLMM as given
    tlmm_lanes: tuple[int, ...] = ()

    def prefills(self, swap: bool) -> list[PrefillRM]:
        ports = 2 if swap else 1
        return [PrefillRM(q_tile=qt, kv_block=kb, pe_rows=pr, pe_cols=pc, max_outstanding=o,
                          k_ports=ports, v_ports=ports)
                for pr, pc, qt, kb, o in itertools.product(self.pe_rows, self.pe_cols,
                                                           self.q_tile, self.kv_block,
                                                           self.pf_outstanding)]

    def decodes(self, swap: bool) -> list[DecodeRM]:
        ports = 2 if swap else 1
        return [DecodeRM(lanes=ln, k_ports=ports, v_ports=ports, max_outstanding=o)
                for ln, o in itertools.product(self.dec_lanes, self.dec_outstanding)]

    def statics(self, base: StaticConfig) -> list[StaticConfig]:
        rows = self.tlmm_rows or (base.tlmm.rows,)
        lanes = self.tlmm_lanes or (base.tlmm.lanes,)
        # a wider TLMM needs LANES/16 beats of weight codes per cycle when they stream from DDR:
        # one HP port per 16 lanes
        return [replace(base, tlmm=replace(base.tlmm, rows=r, lanes=ln),
                        weight_ports=max(base.weight_ports, ln // 16) if self.tlmm_lanes
                        else base.weight_ports)
                for r, ln in itertools.product(rows, lanes)]


@dataclass
class Point:
    design: Design
    res: DesignResources
    ttft: float
    decode: float
    swap_exposed: float

    @property
    def latency(self) -> float:
        return self.ttft + self.decode + self.swap_exposed

    def util(self, budget: Resources) -> float:
        return self.res.total.worst(budget)[1]

    def label(self) -> str:
        p, d, t = self.design.prefill, self.design.decode, self.design.static.tlmm
        return (f"TLMM R{t.rows}xL{t.lanes} | prefill {p.pe_rows}x{p.pe_cols} Qt{p.q_tile} "
                f"Kb{p.kv_block} O{p.max_outstanding} | decode lanes {d.lanes} O{d.max_outstanding}")


@dataclass
class Result:
    chosen: Point
    optimum: Point | None
    fallback_steps: list[str]
    pareto: list[Point]
    evaluated: int
    feasible: int
    swap: bool
    limit: float
    budget: Resources
    first: Point | None = None
    notes: list[str] = field(default_factory=list)


def explore(shape: ModelShape, plat: Platform, wl: S.Workload, swap: bool = True,
            space: Space | None = None, static: StaticConfig | None = None, limit: float = 1.0,
            stride: int = 16) -> Result:
    """Enumerate the space, rank by latency, apply the fallback; see the module docstring."""
    space = space or Space()
    base = static or StaticConfig()
    budget = plat.budget
    onchip = plat.onchip_weights
    mk = Design
    pts: list[Point] = []
    pre_cache: dict[tuple, tuple[float, Resources]] = {}
    dec_cache: dict[tuple, tuple[float, Resources]] = {}
    for st in space.statics(base):
        r_static = static_cost(st, shape, onchip)
        dummy = mk("x", st, PrefillRM(), DecodeRM(), swap)
        sw = S.swap(shape, dummy, plat, wl.prompt).exposed if swap else 0.0
        static_dec = None
        for pf in space.prefills(swap):
            key = (st, pf)
            if key not in pre_cache:
                d = mk("x", st, pf, DecodeRM(), swap)
                pre_cache[key] = (S.prefill(shape, d, plat, wl.prompt).total,
                                  prefill_cost(pf, shape.head_dim))
        for dc in space.decodes(swap):
            key = (st, dc)
            if key not in dec_cache:
                d = mk("x", st, PrefillRM(), dc, swap)
                gen = S.generation(shape, d, plat, S.Workload(wl.prompt, wl.tokens), stride)
                dec_cache[key] = (gen.decode, decode_cost(dc.lanes, shape.head_dim,
                                                          dc.max_outstanding))
        static_dec = [(dc, *dec_cache[(st, dc)]) for dc in space.decodes(swap)]
        for pf in space.prefills(swap):
            ttft, r_pre = pre_cache[(st, pf)]
            for dc, dec, r_dec in static_dec:
                res = DesignResources(r_static, r_pre, r_dec, swap)
                pts.append(Point(mk("pdswap" if swap else "baseline", st, pf, dc, swap), res,
                                 ttft, dec, sw))
    pts.sort(key=lambda p: (p.latency, p.util(budget)))
    feas = [p for p in pts if p.res.fits(budget, limit)]
    optimum = feas[0] if feas else None
    # per static configuration (r_proj): its fastest RM pair, lowered by the fallback until the
    # whole design fits; the best of those is the chosen point
    firsts: dict[StaticConfig, Point] = {}
    for p in pts:
        firsts.setdefault(p.design.static, p)
    tried = []
    for first in firsts.values():
        if not first.res.static.fits(budget, limit):
            continue                                   # no RP fallback can fix the static part
        chosen, steps = _fallback(first, shape, plat, wl, swap, limit, stride)
        if chosen.res.fits(budget, limit):
            tried.append((chosen.latency, chosen, steps, first))
    if tried:
        _, chosen, steps, first = min(tried, key=lambda t: t[0])
    else:
        first = pts[0]
        chosen, steps = _fallback(first, shape, plat, wl, swap, limit, stride)
    return Result(chosen, optimum, steps, pareto(feas, budget), len(pts), len(feas), swap, limit,
                  budget, first=first)


def _lower(design: Design, res: DesignResources, budget: Resources) -> tuple[Design, str] | None:
    """One fallback step: halve the parallel dimension of the RM that uses most of the
    overflowing resource."""
    kind, _ = res.total.worst(budget)
    pf, dc = design.prefill, design.decode
    pre_heavier = getattr(res.prefill, kind) >= getattr(res.decode, kind)
    order = ("prefill", "decode") if pre_heavier else ("decode", "prefill")
    for which in order:
        if which == "prefill":
            if pf.pe_rows > 1:
                return design.with_(prefill=replace(pf, pe_rows=pf.pe_rows // 2)), \
                    f"{kind}: prefill PE_ROWS {pf.pe_rows} -> {pf.pe_rows // 2}"
            if pf.pe_cols > 1:
                return design.with_(prefill=replace(pf, pe_cols=pf.pe_cols // 2)), \
                    f"{kind}: prefill PE_COLS {pf.pe_cols} -> {pf.pe_cols // 2}"
            if pf.q_tile > 16:
                return design.with_(prefill=replace(pf, q_tile=pf.q_tile // 2)), \
                    f"{kind}: prefill Q_TILE {pf.q_tile} -> {pf.q_tile // 2}"
        else:
            if dc.lanes > 1:
                return design.with_(decode=replace(dc, lanes=dc.lanes // 2)), \
                    f"{kind}: decode lanes {dc.lanes} -> {dc.lanes // 2}"
            if dc.max_outstanding > 1:
                return design.with_(decode=replace(dc, max_outstanding=dc.max_outstanding // 2)), \
                    f"{kind}: decode MAX_OUTSTANDING {dc.max_outstanding} -> " \
                    f"{dc.max_outstanding // 2}"
    return None


def evaluate(design: Design, shape: ModelShape, plat: Platform, wl: S.Workload, stride: int = 16
             ) -> Point:
    res = DesignResources(static_cost(design.static, shape, plat.onchip_weights),
                          prefill_cost(design.prefill, shape.head_dim),
                          decode_cost(design.decode.lanes, shape.head_dim,
                                      design.decode.max_outstanding), design.swap)
    gen = S.generation(shape, design, plat, wl, stride)
    return Point(design, res, gen.ttft, gen.decode, gen.swap.exposed)


def _fallback(first: Point, shape: ModelShape, plat: Platform, wl: S.Workload, swap: bool,
              limit: float, stride: int) -> tuple[Point, list[str]]:
    p = first
    steps: list[str] = []
    while not p.res.fits(plat.budget, limit):
        nxt = _lower(p.design, p.res, plat.budget)
        if nxt is None:
            steps.append("no lower RP parallelism left: the static region alone exceeds the budget")
            break
        d, why = nxt
        steps.append(why)
        p = evaluate(d, shape, plat, wl, stride)
    return p, steps


def pareto(points: list[Point], budget: Resources) -> list[Point]:
    """Points not dominated in (latency, utilisation of the scarcest resource)."""
    out: list[Point] = []
    best_u = float("inf")
    for p in sorted(points, key=lambda q: (q.latency, q.util(budget))):
        u = p.util(budget)
        if u < best_u - 1e-12:
            out.append(p)
            best_u = u
    return out


def table(res: Result, plat: Platform, max_rows: int = 20) -> str:
    """Markdown: the chosen point, the fallback steps and the Pareto table."""
    def row(p: Point, tag: str = "") -> str:
        t = p.res.total
        u = t.utilisation(res.budget)
        ms = 1e3
        return (f"| {tag}{p.label()} | {plat.seconds(p.ttft) * ms:.4g} | "
                f"{plat.seconds(p.decode) * ms:.4g} | {plat.seconds(p.swap_exposed) * ms:.3g} | "
                f"{plat.seconds(p.latency) * ms:.4g} | "
                f"{t.lut:,.0f} ({u['lut']:.0%}) | {t.ff:,.0f} | {t.bram:g} | {t.uram:g} | "
                f"{t.dsp:,.0f} ({u['dsp']:.0%}) |")
    head = ("| point | TTFT ms | decode ms | swap exposed ms | total ms | LUT | FF | BRAM36 | URAM | "
            "DSP |\n|---|---|---|---|---|---|---|---|---|---|")
    kind = ("PD-Swap (r_proj + max(r_pre, r_dec))" if res.swap
            else "co-resident baseline (r_proj + r_pre + r_dec)")
    lines = [f"{kind}: "
             f"{res.evaluated} points, {res.feasible} within {res.limit:.0%} of the budget", "", head]
    if res.first is not None:
        lines.append(row(res.first, "fastest RMs for the chosen r_proj (before fallback): "))
    lines.append(row(res.chosen, "**chosen** (fallback): "))
    if res.optimum is not None:
        lines.append(row(res.optimum, "exhaustive optimum: "))
    lines += ["", "Fallback steps: " + ("; ".join(res.fallback_steps) or "none (fits)"), "",
              "Pareto front (latency vs scarcest-resource utilisation):", "", head]
    lines += [row(p) for p in res.pareto[:max_rows]]
    return "\n".join(lines)
