"""The paper's analytic model, with f and g derived from the RTL parameters.

    r_proj + max(r_pre, r_dec) <= R_total                    (swap; baseline: + r_pre + r_dec)
    T_pre = P_proj * L / f_pre(r_proj) + P_att * L^2 / g_pre(r_pre) + T_w
    T_dec = D_proj / f_dec(r_proj)     + D_att * L   / g_dec(r_dec) + T_w

Units: work in MACs (projection: one ternary weight applied to one row; attention: one int8
multiply-accumulate of q.k or p.v), f and g in MACs per cycle, T in cycles.

* P_proj = D_proj = ternary weights of the model (MACs per token).
* f_pre = G * LANES * ROWS (a weight line serves ROWS rows), f_dec = G * LANES (one row).
* P_att = n_layers * n_heads * head_dim: causal attention over L rows does ~L^2/2 (query, key)
  pairs per head, 2 * head_dim MACs each (q.k and p.v).
* g_pre = 2 * 16 * PE_ROWS * PE_COLS (QK and P.V arrays), unless the history stream is slower:
  a tile of Q_TILE rows reuses each key, 2*head_dim MACs per row per key against 2*head_dim/16
  beats per key, so memory allows 16 * Q_TILE * rate_kv MACs/cycle.
* D_att = n_layers * n_heads * 2 * head_dim (one new query against L keys: q.k and p.v);
  g_dec = min(lanes, ports * port rate, cap / 2) beats/cycle per tensor x 16 MACs per beat, i.e.
  memory bound: 2 tensors x 16 bytes per beat, each byte one MAC.
* T_w: the weight stream's exposed part (0 with the weights on chip): per TLMM job the first-beat
  latency plus max(0, stream - lookups) where the stream moves one code byte per G weights at
  ``weight_ports`` x port rate beats/cycle.

The detailed timeline (``perfmodel.system``) adds what the equations leave out (pipeline fill
and drain per job, element-wise operators, the host LM head, the swap); the tests check that
the two agree where those terms vanish.
"""

from __future__ import annotations

from dataclasses import dataclass

from bitnet_golden.shapes import ModelShape

from . import blocks as B
from . import rm as R
from .hw import BEAT_BYTES, Design, Platform, Resources
from .system import projections, ternary_weights


def p_proj(shape: ModelShape) -> int:
    return ternary_weights(shape)


def p_att(shape: ModelShape) -> int:
    return shape.n_layers * shape.n_heads * shape.head_dim


def d_att(shape: ModelShape) -> int:
    return shape.n_layers * shape.n_heads * 2 * shape.head_dim


def f_pre(design: Design) -> float:
    return float(design.static.tlmm.macs_per_cycle)


def f_dec(design: Design) -> float:
    t = design.static.tlmm
    return float(t.g * t.lanes)


def g_pre(design: Design, plat: Platform, head_dim: int) -> float:
    pf = design.prefill
    comp = 2.0 * pf.macs
    dc = B.cdiv(head_dim, 16)
    rate = min(pf.k_ports, pf.v_ports) * B.port_rate(plat, pf.dma, min(pf.max_burst,
                                                                        pf.kv_block * dc))
    rate = min(rate, plat.ddr_cap / 2)
    mem = 16.0 * pf.q_tile * rate
    return min(comp, mem)


def g_dec(design: Design, plat: Platform, head_dim: int) -> float:
    return 2.0 * BEAT_BYTES * R.decode_rate(head_dim, design.decode, plat)


def t_w(shape: ModelShape, design: Design, plat: Platform, m: int) -> float:
    """Exposed weight streaming of one pass over the model with M rows (M=L prefill, 1 decode)."""
    if plat.onchip_weights:
        return 0.0
    st = design.static
    t = st.tlmm
    lc = B.tlmm_weight_line_cycles(t, plat, st.dma, st.weight_ports)
    blocks = B.cdiv(m, t.rows)
    lines = shape.n_layers * sum(B.tlmm_lines(n, k, t) for n, k in projections(shape).values())
    jobs = shape.n_layers * len(projections(shape))
    return blocks * lines * (lc - 1.0) + jobs * plat.ddr_latency


@dataclass
class EquationTerms:
    proj: float
    att: float
    tw: float

    @property
    def total(self) -> float:
        return self.proj + self.att + self.tw


def t_pre(shape: ModelShape, design: Design, plat: Platform, L: int) -> EquationTerms:
    return EquationTerms(p_proj(shape) * L / f_pre(design),
                         p_att(shape) * L * L / g_pre(design, plat, shape.head_dim),
                         t_w(shape, design, plat, L))


def t_dec(shape: ModelShape, design: Design, plat: Platform, L: int) -> EquationTerms:
    return EquationTerms(p_proj(shape) / f_dec(design),
                         d_att(shape) * L / g_dec(design, plat, shape.head_dim),
                         t_w(shape, design, plat, 1))


def resource_constraint(r_proj: Resources, r_pre: Resources, r_dec: Resources,
                        budget: Resources, swap: bool = True, limit: float = 1.0) -> bool:
    """r_proj + max(r_pre, r_dec) <= R_total (swap) or r_proj + r_pre + r_dec (baseline), per
    resource kind, with ``limit`` the usable fraction of the device."""
    need = r_proj + (r_pre.max(r_dec) if swap else r_pre + r_dec)
    return need.fits(budget, limit)
