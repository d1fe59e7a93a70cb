"""Token-level timeline: prefill (TTFT), decode steps, the swap and its overlap.

Sums the block models (``blocks``, ``rm``) over the layer structure of docs/numerics.md for one
design (PD-Swap or the co-resident baseline) on one platform. All times in fabric cycles unless
a name ends in ``_s``.

Assumptions (docs/perf-model.md "Timeline"): the static-region commands of a layer (EMBED, PRE,
ATT, POST, FINAL of docs/static-region.md) run one after the other over all M rows (M = prompt
length in prefill, 1 in decode), streaming consumers chained to their producers; the RP runs
the n_heads attention jobs of a layer back to back; the LM head runs on the host after the final
RMSNorm of the last row; weights that do not fit on chip stream from DDR during their TLMM job
(``T_w`` = the part of that stream not hidden behind the lookups).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bitnet_golden.shapes import ModelShape

from . import blocks as B
from . import rm as R
from .hw import Design, Platform

JOB_GAP = 2            # cycles between two RP jobs (job handshake)


@dataclass
class Breakdown:
    """Cycles of one phase split like the paper's equations."""

    proj: float = 0.0          # TLMM lookups (weights on chip)
    tw: float = 0.0            # exposed weight streaming (T_w)
    att: float = 0.0           # attention RM jobs
    elt: float = 0.0           # RMSNorm, quantizers, RoPE, SwiGLU, residual adds
    host: float = 0.0          # LM head on the host (in fabric cycles)
    parts: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return self.proj + self.tw + self.att + self.elt + self.host

    def add(self, o: Breakdown, times: float = 1.0) -> None:
        self.proj += o.proj * times
        self.tw += o.tw * times
        self.att += o.att * times
        self.elt += o.elt * times
        self.host += o.host * times
        for k, v in o.parts.items():
            self.parts[k] = self.parts.get(k, 0.0) + v * times


def projections(shape: ModelShape) -> dict[str, tuple[int, int]]:
    """(N, K) of every BitLinear of a layer, in execution order."""
    d, f = shape.d_model, shape.d_ffn
    return {"q": (d, d), "k": (d, d), "v": (d, d), "o": (d, d),
            "gate": (f, d), "up": (f, d), "down": (d, f)}


def ternary_weights(shape: ModelShape) -> int:
    """Ternary linear weights of the whole model (= MACs per token of the projections)."""
    return shape.n_layers * sum(n * k for n, k in projections(shape).values())


def weight_code_bytes(shape: ModelShape, g: int) -> int:
    """Base-3 code bytes of all layers (one byte per G weights)."""
    return shape.n_layers * sum(n * B.cdiv(k, g) for n, k in projections(shape).values())


def _tlmm(design: Design, plat: Platform, n: int, k: int, m: int) -> tuple[float, float]:
    """(on-chip cycles, exposed weight-streaming cycles) of one TLMM job."""
    st = design.static
    base = B.tlmm_cycles(n, k, m, st.tlmm)
    if plat.onchip_weights:
        return base, 0.0
    lc = B.tlmm_weight_line_cycles(st.tlmm, plat, st.dma, st.weight_ports)
    stretched = B.tlmm_cycles(n, k, m, st.tlmm, lc) if lc > 1.0 else base
    return base, stretched - base + plat.ddr_latency


def norm_quant_cycles(d: int, m: int, lanes: int) -> float:
    """RMSNorm streaming into act_quant (``XBUF = quant(norm(..))``, docs/static-region.md): rows
    at the slower of the two periods; the last row goes through norm in, norm mid, norm out =
    quant in, quant mid, quant out."""
    b = B.row_beats(d, lanes)
    p_norm = max(b + B.RMSNORM_GAP, B.RMSNORM_MID + 1)
    p_quant = max(b + B.QUANT_GAP, B.QUANT_MID + 1)
    return float((m - 1) * max(p_norm, p_quant) + 3 * b + B.RMSNORM_MID + B.QUANT_MID)


def static_part(shape: ModelShape, design: Design, plat: Platform, m: int, which: str
                ) -> Breakdown:
    """Static-region work of one layer for M rows, command by command (docs/static-region.md):
    ``pre`` = PRE (norm -> quant, then Q, K, V TLMM jobs each streaming into RoPE / the V
    requantiser), ``post`` = POST (sub-norm -> quant, O job into the residual add, norm -> quant,
    gate job, up job streaming into SwiGLU with the gate rows, sub-norm -> quant, down job into
    the residual add). A streaming consumer adds its tail (its latency and, for a whole-row
    block, the last row) after the producing TLMM job."""
    d, f, lanes = shape.d_model, shape.d_ffn, design.static.elt_lanes
    out = Breakdown()
    names = ("q", "k", "v") if which == "pre" else ("o", "gate", "up", "down")
    for name in names:
        n, k = projections(shape)[name]
        c, tw = _tlmm(design, plat, n, k, m)
        out.proj += c
        out.tw += tw
        out.parts[f"tlmm_{name}"] = c
    rope_tail = B.ROPE_MID + B.cdiv(d, 16)              # whole row, then int8 rows (16 per beat)
    if which == "pre":
        elt = {"norm_quant_in": norm_quant_cycles(d, m, lanes), "rope_q": rope_tail,
               "rope_k": rope_tail, "requant_v": rope_tail}
    else:
        elt = {"norm_quant_attn": norm_quant_cycles(d, m, lanes),
               "residual_o": B.RESIDUAL_LATENCY, "norm_quant_post": norm_quant_cycles(d, m, lanes),
               "swiglu": B.SWIGLU_LATENCY, "norm_quant_ffn": norm_quant_cycles(f, m, lanes),
               "residual_down": B.RESIDUAL_LATENCY}
    out.elt = float(sum(elt.values()))
    out.parts.update({k: float(v) for k, v in elt.items()})
    return out


def attention_prefill(shape: ModelShape, design: Design, plat: Platform, L: int) -> float:
    """One layer's prefill attention: n_heads jobs of q_len = L on the prefill RM."""
    job = R.prefill_cycles(L, shape.head_dim, design.prefill, plat)
    return shape.n_heads * (job + JOB_GAP)


def attention_decode(shape: ModelShape, design: Design, plat: Platform, pos0: int) -> float:
    """One layer's decode attention for the token at position pos0 (pos0 + 1 keys)."""
    job = R.decode_cycles(pos0, shape.head_dim, design.decode, plat)
    return shape.n_heads * (job + JOB_GAP)


def host_lm_head_cycles(shape: ModelShape, plat: Platform) -> float:
    """LM head on the host: stream the int16 embedding table once per generated token."""
    if plat.host_lm_head_bytes_per_s <= 0:
        return 0.0
    return shape.vocab * shape.d_model * 2 / plat.host_lm_head_bytes_per_s * plat.f_clk_hz


def final_norm_cycles(shape: ModelShape, design: Design) -> float:
    """FINAL for the last row: final RMSNorm, then the row (d x int32) to DDR for the host."""
    return float(B.rmsnorm_cycles(shape.d_model, 1, design.static.elt_lanes)
                 + B.cdiv(shape.d_model, 4))


def embed_cycles(shape: ModelShape, design: Design, plat: Platform, m: int) -> float:
    """EMBED: M rows of d Q.16 values DDR -> HBUF over one HP port."""
    return B.dma_read_cycles(m * shape.d_model * 4, plat, design.static.dma)


def prefill(shape: ModelShape, design: Design, plat: Platform, L: int) -> Breakdown:
    """TTFT: every layer over the L prompt rows, the final norm and the host LM head."""
    out = Breakdown()
    layer = Breakdown()
    layer.add(static_part(shape, design, plat, L, "pre"))
    layer.att = attention_prefill(shape, design, plat, L)
    layer.parts["attention"] = layer.att
    layer.add(static_part(shape, design, plat, L, "post"))
    out.add(layer, shape.n_layers)
    out.elt += final_norm_cycles(shape, design) + embed_cycles(shape, design, plat, L)
    out.host = host_lm_head_cycles(shape, plat)
    return out


def decode_step(shape: ModelShape, design: Design, plat: Platform, ctx: int) -> Breakdown:
    """One generated token whose attention covers ``ctx`` keys (its position is ctx - 1)."""
    out = Breakdown()
    layer = Breakdown()
    layer.add(static_part(shape, design, plat, 1, "pre"))
    layer.att = attention_decode(shape, design, plat, ctx - 1)
    layer.parts["attention"] = layer.att
    layer.add(static_part(shape, design, plat, 1, "post"))
    out.add(layer, shape.n_layers)
    out.elt += final_norm_cycles(shape, design) + embed_cycles(shape, design, plat, 1)
    out.host = host_lm_head_cycles(shape, plat)
    return out


@dataclass
class Swap:
    reconf: float          # partial reconfiguration (PCAP) cycles
    window: float          # work that runs while the RP reconfigures
    exposed: float         # max(0, reconf - window)

    @property
    def hidden_fraction(self) -> float:
        return 1.0 - self.exposed / self.reconf if self.reconf else 1.0


def swap(shape: ModelShape, design: Design, plat: Platform, L: int) -> Swap:
    """Prefill -> decode swap: starts when the last layer's prefill attention ends; overlaps the
    rest of that layer (O projection, FFN), the final norm, the host LM head of the first token
    and the first decode step's layer-0 work before attention (norm, Q/K/V, RoPE)."""
    if not design.swap:
        return Swap(0.0, 0.0, 0.0)
    post = static_part(shape, design, plat, L, "post")
    pre1 = static_part(shape, design, plat, 1, "pre")
    window = (post.total + final_norm_cycles(shape, design) + host_lm_head_cycles(shape, plat)
              + embed_cycles(shape, design, plat, 1) + pre1.total)
    rc = plat.reconf_cycles
    return Swap(rc, window, max(0.0, rc - window))


def swap_window_paper(shape: ModelShape, design: Design, plat: Platform, L: int) -> float:
    """The paper's overlap window: the last layer's remaining projection + FFN only."""
    return static_part(shape, design, plat, L, "post").total


@dataclass
class Workload:
    prompt: int
    tokens: int            # generated tokens (the first comes out of the prefill)

    def __post_init__(self) -> None:
        if self.prompt < 1 or self.tokens < 1:
            raise ValueError(f"workload needs prompt >= 1 and tokens >= 1 (got {self.prompt}, "
                             f"{self.tokens})")


@dataclass
class Generation:
    ttft: float
    decode: float          # sum of decode steps 2..tokens
    swap: Swap

    @property
    def total(self) -> float:
        return self.ttft + self.decode + self.swap.exposed


def generation(shape: ModelShape, design: Design, plat: Platform, wl: Workload,
               stride: int = 1) -> Generation:
    """End-to-end latency of a request: prefill, the swap, tokens-1 decode steps (context
    prompt+1 .. prompt+tokens-1). ``stride`` > 1 evaluates every stride-th step and scales
    (decode time is piecewise linear in the context)."""
    ttft = prefill(shape, design, plat, wl.prompt).total
    sw = swap(shape, design, plat, wl.prompt)
    ctxs = list(range(wl.prompt + 1, wl.prompt + wl.tokens))
    dec = 0.0
    if ctxs:
        pick = ctxs[::stride]
        dec = sum(decode_step(shape, design, plat, c).total for c in pick) * len(ctxs) / len(pick)
    return Generation(ttft, dec, sw)
