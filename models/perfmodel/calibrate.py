"""Calibration check: the model's predicted cycles against the RTL's measured cycles.

Measured figures come from ``make bench`` (reports/bench.json, written by each block's
``tb/<block>/bench_<block>.py``). For every measured key this module knows, it evaluates the
model at the parameters the bench ran with (read from the bench's ``*_param_*`` keys where it
emits them, else the block's testbench defaults) and reports the relative error. Blocks whose
measurements are absent are listed as missing; nothing is invented for them.

Target (issue [model]): max relative error <= 0.05.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path

from bitnet_golden.shapes import get_shape

from . import blocks as B
from . import rm as R
from .hw import BENCH, DecodeRM, DmaParams, PrefillRM, TlmmParams

TARGET = 0.05


@dataclass
class Case:
    block: str
    key: str
    measured: float
    predicted: float
    note: str = ""

    @property
    def rel_error(self) -> float:
        return abs(self.predicted - self.measured) / abs(self.measured) if self.measured else \
            float("inf")


@dataclass
class Expected:
    """A block whose bench the calibration uses: the key pattern it looks for."""

    block: str
    pattern: str
    source: str


EXPECTED = [
    Expected("tlmm", r"^tlmm_cycles_(tiny|small)_(qkvo|gateup|down)_(decode|prefill\d+)$",
             "tb/tlmm/bench_tlmm.py"),
    Expected("dma", r"^dma_rd_(64k|16x4k)_beats_per_cycle$", "tb/dma/bench_dma.py"),
    Expected("rm_prefill", r"^prefill_cycles_L\d+$", "tb/rm_prefill/bench_rm_prefill.py"),
    Expected("rm_decode", r"^decode_(uniform_)?cycles_L\d+$", "tb/rm_decode/bench_rm_decode.py"),
    Expected("rmsnorm", r"^rmsnorm_cycles_.*$", "tb/rmsnorm/bench_rmsnorm.py"),
    Expected("quant", r"^quant_cycles_.*$", "tb/quant/bench_quant.py"),
    Expected("swiglu", r"^swiglu_cycles_.*$", "tb/swiglu/bench_swiglu.py"),
    Expected("residual", r"^residual_cycles_.*$", "tb/residual/bench_residual.py"),
    Expected("rope", r"^rope_cycles_.*$", "tb/rope/bench_rope.py"),
]

TLMM_CLS = {"qkvo": lambda s: (s.d_model, s.d_model), "gateup": lambda s: (s.d_ffn, s.d_model),
            "down": lambda s: (s.d_model, s.d_ffn)}


def _param(fig: dict[str, float], prefix: str, name: str, default: int) -> int:
    return int(fig.get(f"{prefix}_param_{name}", default))


def _tlmm(fig: dict[str, float]) -> list[Case]:
    p = TlmmParams(g=_param(fig, "tlmm", "g", 5), lanes=_param(fig, "tlmm", "lanes", 16),
                   rows=_param(fig, "tlmm", "rows", 2), in_lanes=_param(fig, "tlmm", "in_lanes", 16))
    out = []
    for k, v in sorted(fig.items()):
        m = re.match(EXPECTED[0].pattern, k)
        if not m:
            continue
        shape, cls, phase = m.groups()
        n, kk = TLMM_CLS[cls](get_shape(shape))
        rows = 1 if phase == "decode" else int(phase[len("prefill"):])
        out.append(Case("tlmm", k, v, B.tlmm_cycles(n, kk, rows, p),
                        f"N={n} K={kk} M={rows} G={p.g} LANES={p.lanes} ROWS={p.rows}"))
    return out


def _dma(fig: dict[str, float]) -> list[Case]:
    dma = DmaParams(int(fig.get("dma_max_burst", 16)), int(fig.get("dma_max_outstanding", 8)))
    out = []
    for k, nbytes, cmds in (("dma_rd_64k_beats_per_cycle", 65536, 1),
                            ("dma_rd_16x4k_beats_per_cycle", 4096, 16)):
        if k in fig:
            beats = nbytes // 16 * cmds
            cyc = B.dma_read_cycles(nbytes * cmds, BENCH, dma)
            out.append(Case("dma", k, fig[k], beats / cyc,
                            f"{cmds} x {nbytes} B, burst {dma.max_burst}, outstanding "
                            f"{dma.max_outstanding}, latency {BENCH.ddr_latency}"))
    return out


def _bench_const(module: str, name: str, default):
    """A constant of a block's bench module (its parameters), default if it cannot be read."""
    try:
        import importlib
        return getattr(importlib.import_module(module), name)
    except Exception:
        return default


PREFILL_BENCH_DEFAULT = {"HEAD_DIM": 64, "Q_TILE": 64, "KV_BLOCK": 32, "PE_ROWS": 1,
                         "PE_COLS": 16}


def _rm_prefill(fig: dict[str, float]) -> list[Case]:
    bp = _bench_const("tb.rm_prefill.bench_rm_prefill", "BENCH_PARAMS", PREFILL_BENCH_DEFAULT)
    rmp = PrefillRM(q_tile=bp["Q_TILE"], kv_block=bp["KV_BLOCK"], pe_rows=bp["PE_ROWS"],
                    pe_cols=bp["PE_COLS"], max_burst=bp.get("MAX_BURST", 16),
                    max_outstanding=bp.get("MAX_OUTSTANDING", 8))
    dh = bp["HEAD_DIM"]
    out = []
    for k, v in sorted(fig.items(), key=lambda kv: (len(kv[0]), kv[0])):
        m = re.match(r"^prefill_cycles_L(\d+)$", k)
        if m:
            L = int(m.group(1))
            out.append(Case("rm_prefill", k, v, R.prefill_cycles(L, dh, rmp, BENCH),
                            f"q_len={L} head_dim={dh} PE {rmp.pe_rows}x{rmp.pe_cols} "
                            f"Q_TILE {rmp.q_tile} KV_BLOCK {rmp.kv_block}"))
    return out


def _rm_decode(fig: dict[str, float]) -> list[Case]:
    dh = int(_bench_const("tb.rm_decode.bench_rm_decode", "SMALL_DH", 64))
    tiny_dh = int(_bench_const("tb.rm_decode.bench_rm_decode", "TINY_DH", 16))
    out = []
    for k, v in sorted(fig.items(), key=lambda kv: (len(kv[0]), kv[0])):
        m = re.match(r"^decode_(uniform_)?cycles_L(\d+)$", k)
        if m:
            ports = 1 if m.group(1) else 2
            L = int(m.group(2))
            rmd = DecodeRM(lanes=2, k_ports=ports, v_ports=ports)
            out.append(Case("rm_decode", k, v, R.decode_cycles(L - 1, dh, rmd, BENCH),
                            f"L={L} keys, head_dim={dh}, PORT_MAP "
                            f"{'1 Uniform' if ports == 1 else '0 PdSwap'}"))
        m = re.match(r"^decode_(small|tiny)_kv_beats_per_cycle_L(\d+)_out(\d+)$", k)
        if m:
            hd = dh if m.group(1) == "small" else tiny_dh
            L, o = int(m.group(2)), int(m.group(3))
            plat = replace(BENCH, mem_outstanding=o)
            busy = R.decode_cycles(L - 1, hd, DecodeRM(), plat)
            beats = R.decode_kv_read_beats(L - 1, hd) + 2 * (hd // 16)
            out.append(Case("rm_decode", k, v, beats / busy,
                            f"L={L}, head_dim={hd}, {o} bursts outstanding per port"))
    return out


PREDICTORS: dict[str, Callable[[dict[str, float]], list[Case]]] = {
    "tlmm": _tlmm, "dma": _dma, "rm_prefill": _rm_prefill, "rm_decode": _rm_decode,
}


@dataclass
class Report:
    cases: list[Case]
    missing: list[Expected]
    source: str

    @property
    def max_rel_error(self) -> float | None:
        return max((c.rel_error for c in self.cases), default=None)

    def figures(self) -> dict[str, float]:
        out = {"model_vs_rtl_cases": float(len(self.cases)),
               "model_vs_rtl_missing_blocks": float(len(self.missing))}
        if self.cases:
            out["model_vs_rtl_max_rel_error"] = float(self.max_rel_error)
            for blk in sorted({c.block for c in self.cases}):
                out[f"model_vs_rtl_max_rel_error_{blk}"] = float(
                    max(c.rel_error for c in self.cases if c.block == blk))
        return out

    def markdown(self) -> str:
        lines = [f"Measured figures: {self.source}", ""]
        if self.cases:
            worst = self.max_rel_error
            lines += [f"{len(self.cases)} cases, max relative error **{worst:.4f}** "
                      f"(target <= {TARGET}: {'met' if worst <= TARGET else 'NOT met'}).", "",
                      "| block | key | measured | model | rel. error | case |",
                      "|---|---|---|---|---|---|"]
            lines += [f"| {c.block} | `{c.key}` | {c.measured:.6g} | {c.predicted:.6g} | "
                      f"{c.rel_error:.4f} | {c.note} |" for c in self.cases]
        else:
            lines.append("No measured cycle figure available yet: nothing to compare.")
        if self.missing:
            lines += ["", "Missing measurements (no key matched; the model is not checked there):",
                      ""]
            lines += [f"- {m.block}: no key matching `{m.pattern}` (bench module {m.source})"
                      for m in self.missing]
        return "\n".join(lines)


def check(figures: dict[str, float], source: str = "") -> Report:
    cases: list[Case] = []
    missing: list[Expected] = []
    for exp in EXPECTED:
        found = [k for k in figures if re.match(exp.pattern, k)]
        pred = PREDICTORS.get(exp.block)
        got = pred(figures) if (found and pred) else []
        if got:
            cases += got
        else:
            missing.append(exp)
    return Report(cases, missing, source)


def load(path: Path) -> dict[str, float]:
    if not path.is_file():
        return {}
    try:
        return {k: float(v) for k, v in json.loads(path.read_text()).items()
                if isinstance(v, (int, float))}
    except (ValueError, json.JSONDecodeError):
        return {}
