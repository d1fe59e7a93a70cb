"""Per-block resource model (LUT / FF / BRAM36 / URAM / DSP) and the XCK26 budget check.

Two sources, per block:
* ``yosys``: Debian yosys 0.23 ``synth_xilinx -family xcup`` on the block's RTL at the
  parameters of its testbench (``perfmodel.yosys``; ``scripts/resources.py`` runs it);
* ``cost``: the structural cost model below (per PE / per lane / per stored bit, UltraScale+
  primitives), evaluated at any parameters; it is what the DSE uses, and it is checked against
  yosys on every block yosys can read (docs/perf-model.md "Resources").

Primitive costs (UltraScale+, documented in docs/perf-model.md):
  adder / subtractor / comparator / accumulator: 1 LUT per bit (CARRY8 chain);
  N:1 multiplexer: N/4 LUT per bit (LUT6 + MUXF7/F8: 16:1 in 4 LUTs);
  register: 1 FF per bit;  LUT RAM: 64 bits per LUT (RAM64M: 4 LUTs hold 64 x 3 bits);
  RAM: a memory of at least 4 Kib goes to BRAM36 (36 Kib; 512 x 72 or 1K x 36 aspect, so
  ceil(width/72) * ceil(depth/512) blocks), one of at least 1 Mib to URAM288 (4K x 72);
  multiplier W1 x W2 (signed): ceil(W1/27) * ceil(W2/18) DSP48E2; an int8 x int8 product in
  LUTs costs ~ 64 LUT (used when a design maps small multiplies to fabric);
  AXI DMA engine (one read + one write, MAX_OUTSTANDING bursts): fixed cost per port.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from bitnet_golden.shapes import ModelShape

from .hw import XCK26, Design, PrefillRM, Resources, StaticConfig

BRAM_BITS = 36 * 1024
URAM_MIN_BITS = 1 << 20              # large tables (RoPE at 2K context, weight buffers) -> URAM
LUTRAM_BITS_PER_LUT = 64 * 3 / 4      # RAM64M: 4 LUTs, 64 x 3 bits (one write, 3 read ports)


def clog2(x: int) -> int:
    return max(1, math.ceil(math.log2(max(2, x))))


def memory(width: int, depth: int, copies: int = 1) -> Resources:
    """A simple dual-port RAM: URAM288 if it holds >= 1 Mib, BRAM36 if >= 4 Kib, else LUT RAM."""
    bits = width * depth
    if bits >= URAM_MIN_BITS:
        return uram(width, depth) * copies
    if bits >= 4096:
        blocks = math.ceil(width / 72) * math.ceil(depth / 512) if depth >= 512 else \
            math.ceil(width / 36) * math.ceil(depth / 1024) / 2
        blocks = max(blocks, bits / BRAM_BITS)
        return Resources(bram=copies * math.ceil(blocks * 2) / 2)
    return Resources(lut=copies * math.ceil(bits / LUTRAM_BITS_PER_LUT))


def uram(width: int, depth: int) -> Resources:
    return Resources(uram=math.ceil(width / 72) * math.ceil(depth / 4096))


def mult_dsp(w1: int, w2: int, n: int = 1) -> Resources:
    return Resources(dsp=n * math.ceil(w1 / 27) * math.ceil(w2 / 18))


def adder(bits: int, n: int = 1) -> Resources:
    return Resources(lut=n * bits)


def mux(inputs: int, bits: int, n: int = 1) -> Resources:
    return Resources(lut=n * bits * max(1.0, inputs / 4))


def regs(bits: int, n: int = 1) -> Resources:
    return Resources(ff=n * bits)


#: one AXI DMA engine pair (rtl/dma/axi_dma.sv, 16 x 8): burst splitter, FIFOs, counters
DMA_ENGINE = Resources(lut=1000, ff=500)
#: control, job decode, counters of a block (state machines, 48-bit counters)
CTRL = Resources(lut=400, ff=500)
#: rp_cfg_ctrl + AXI-Lite registers + CRC-32 (header parser, 32-bit datapath, timeouts)
RP_CFG = Resources(lut=500, ff=300) + adder(32, 4) + regs(32, 6) + Resources(lut=64)


# --------------------------------------------------------------------------- static region
#: TLMM constants from yosys on two small configurations (G 3, 64 x 64, 256-word weight memory;
#: LANES 4 x ROWS 1: 4,813 LUT, LANES 8 x ROWS 2: 8,951 LUT; the default G 5 configuration is
#: beyond a 4 GiB yosys run): a fixed part (configuration arithmetic incl. the division by G,
#: counters, requantisation rounding, input/output FIFOs) and a per row-lane datapath (negate,
#: S1 accumulate, bypass, accumulator LUT-RAM ports) besides the TE:1 table mux and the table
#: builders, which are counted structurally. Solving the two points gives the two constants.
TLMM_FIXED = Resources(lut=3347, ff=900)
TLMM_LANE = Resources(lut=301.5, ff=60)


def tlmm_cost(g: int, lanes: int, rows: int, in_lanes: int = 16, n_max: int = 512,
              k_max: int = 512, wdepth: int = 8192, half: bool = True, onchip_uram: bool = False
              ) -> Resources:
    """rtl/tlmm/tlmm.sv: fixed part + ROWS table builders (TE = (3^G-1)/2 entries of TW bits,
    one adder each) and a 2-entry table ring + ROWS x LANES lookups (TE:1 mux of TW bits + the
    per-lane datapath) + 4 requantisation multipliers + memories (weights, activations,
    accumulators)."""
    tf = 3 ** g
    te = (tf - 1) // 2 if half else tf
    tw = clog2(g * 128 + 1) + 1
    acc_w = clog2(k_max * 128 + 1) + 1
    rl = rows * lanes
    r = TLMM_FIXED
    r += adder(tw, rows * te) + regs(tw, 2 * rows * te)       # table builders + ring
    r += mux(te, tw, rl) + TLMM_LANE * rl                     # lookups + lane datapath
    r += memory(lanes * acc_w, 2 * rows * max(1, n_max // lanes)) if n_max * k_max > 64 * 64 \
        else Resources()                                      # accumulator banks (in the fit)
    r += memory(in_lanes * 8, 2 * rows * max(1, k_max // in_lanes))   # activation buffers
    r += uram(128, wdepth) if onchip_uram else memory(128, wdepth)    # weight memory
    r += mult_dsp(acc_w, 48, 4)                                       # requantisation
    return r


def _row_buffer(lanes: int, d_max: int) -> Resources:
    return memory(lanes * 32, 2 * max(1, d_max // lanes))


def rmsnorm_cost(lanes: int, d_max: int) -> Resources:
    """Ping-pong rows, per lane h^2 (32x32) and h*y1, u*G (two 32x32 multiplies), the rsqrt."""
    return (CTRL + _row_buffer(lanes, d_max) + mult_dsp(32, 32, 3 * lanes) + adder(64, lanes)
            + regs(96, lanes) + mult_dsp(32, 32, 2) + Resources(lut=300, ff=300))


def quant_cost(lanes: int, d_max: int) -> Resources:
    """Ping-pong rows, the sequential divider (40-bit), per lane y * rq (28 x 32)."""
    return (CTRL + _row_buffer(lanes, d_max) + mult_dsp(28, 33, lanes) + adder(40, 2)
            + regs(120, 1) + regs(64, lanes) + adder(28, lanes))


def swiglu_cost(lanes: int) -> Resources:
    """5-stage pipeline per lane: sigmoid interpolation, x * sig, silu * up."""
    return (CTRL * 0.5 + mult_dsp(17, 13, lanes) + mult_dsp(32, 17, lanes) +
            mult_dsp(32, 32, lanes) + adder(34, 3 * lanes) + regs(160, lanes) + memory(34, 257))


def residual_cost(lanes: int) -> Resources:
    return Resources(lut=40, ff=10) + adder(33, lanes) + regs(32, lanes)


def rope_cost(lanes: int, d_max: int, head_dim: int, max_ctx: int) -> Resources:
    """Ping-pong rows, per lane 4 multiplies (32 x 16) of the rotation, requantisation, the
    cos/sin table (MAX_CTX * HEAD_DIM/2 x 32 bits)."""
    return (CTRL + _row_buffer(lanes, d_max) + mult_dsp(32, 16, 4 * lanes) + adder(48, 2 * lanes)
            + regs(96, lanes) + memory(32 * lanes, max(1, max_ctx * head_dim // 2 // lanes)))


def dma_cost(max_outstanding: int = 8) -> Resources:
    return DMA_ENGINE * (1 + (max_outstanding - 8) / 32)


def elementwise_cost(lanes: int, d_max: int, head_dim: int = 96, max_ctx: int = 2048
                     ) -> Resources:
    """RMSNorm + act_quant + SwiGLU + residual + RoPE at LANES values per beat."""
    return (rmsnorm_cost(lanes, d_max) + quant_cost(lanes, d_max) + swiglu_cost(lanes) +
            residual_cost(lanes) + rope_cost(lanes, d_max, head_dim, max_ctx))


def static_cost(st: StaticConfig, shape: ModelShape, onchip_weights: bool) -> Resources:
    """Static region: TLMM + element-wise + weight/activation DMA (2 ports) + row buffers +
    the configuration controller."""
    d_max = max(shape.d_model, shape.d_ffn)
    t = st.tlmm
    n_max = max(shape.d_model, shape.d_ffn)
    n_max = -(-n_max // t.lanes) * t.lanes
    k_max = -(-d_max // t.in_lanes) * t.in_lanes
    wdepth = st.wdepth
    r = tlmm_cost(t.g, t.lanes, t.rows, t.in_lanes, n_max, k_max, wdepth,
                  onchip_uram=not onchip_weights or wdepth >= 32768)
    r += elementwise_cost(st.elt_lanes, d_max, shape.head_dim, shape.max_ctx)
    r += DMA_ENGINE * 2
    r += memory(128, 4 * max(1, d_max // 16))                 # row buffers (sr_ram)
    r += RP_CFG + Resources(lut=300, ff=100)                  # rp_cfg_ctrl, AXI-Lite, decoupler
    return r


# --------------------------------------------------------------------------- RMs
def prefill_cost(rm: PrefillRM, head_dim: int) -> Resources:
    """rtl/rm_prefill: QK array (PE_ROWS x PE_COLS dot16, int8) and P.V array (PE_ROWS x
    PE_COLS x 16 products p(U1.16) x v(int8)), per-row softmax state, 40-bit accumulators
    (Q_TILE x head_dim), Q tiles, local and history K/V slots, 4 DMA engines."""
    pes = rm.pe_rows * rm.pe_cols
    r = CTRL * 2
    r += mult_dsp(8, 8, pes * 16 // 2)                        # QK: two int8 products per DSP
    r += adder(20, pes * 15)                                  # dot16 adder trees
    r += mult_dsp(17, 8, pes * 16)                            # P.V products
    r += adder(40, pes * 16)                                  # P.V accumulate
    r += mult_dsp(40, 17, rm.pe_rows * 2) + regs(96, rm.pe_rows)   # acc * alpha rescale
    r += Resources(lut=300 * rm.pe_rows, ff=300 * rm.pe_rows)      # logit, exp2, max per row
    r += memory(40 * 16, rm.q_tile * head_dim // 16)          # accumulators
    r += memory(128, 2 * rm.q_tile * head_dim // 16)          # Q tiles
    r += memory(128, 3 * rm.q_tile * head_dim // 16, 2)       # local K / V slots
    r += memory(128, 2 * rm.kv_block * head_dim // 16, 2)     # history K / V slots
    r += Resources(lut=600, ff=700)                           # pf_finish dividers, O stream
    r += DMA_ENGINE * 4 * (1 + (rm.max_outstanding - 8) / 32)
    return r


def decode_cost(lanes: int, head_dim: int, max_outstanding: int = 8, vq_depth: int = 32
                ) -> Resources:
    """rtl/rm_decode: ``lanes`` K lanes (dot16 + logit) and V lanes (16 x p.v, 40-bit acc),
    softmax sequencer, merge (acc * alpha, inv_l), Q/K/V row buffers, 4 DMA engines."""
    r = CTRL * 2
    r += (mult_dsp(8, 8, 8) + adder(20, 15) + mult_dsp(32, 32)) * lanes      # K lanes
    r += (mult_dsp(17, 8, 16) + adder(40, 16) + memory(128, vq_depth)) * lanes  # V lanes
    r += mult_dsp(40, 17, 16) + regs(40, head_dim) + adder(40, 16)            # merge
    r += Resources(lut=800, ff=900)                                            # softmax, recip
    r += regs(128, 3 * max(1, head_dim // 16))
    r += DMA_ENGINE * 4 * (1 + (max_outstanding - 8) / 32)
    return r


@dataclass
class DesignResources:
    static: Resources
    prefill: Resources
    decode: Resources
    swap: bool

    @property
    def rp(self) -> Resources:
        return self.prefill.max(self.decode) if self.swap else self.prefill + self.decode

    @property
    def total(self) -> Resources:
        return self.static + self.rp

    def fits(self, budget: Resources = XCK26, limit: float = 1.0) -> bool:
        return self.total.fits(budget, limit)


def design_cost(design: Design, shape: ModelShape, onchip_weights: bool = True
                ) -> DesignResources:
    return DesignResources(static_cost(design.static, shape, onchip_weights),
                           prefill_cost(design.prefill, shape.head_dim),
                           decode_cost(design.decode.lanes, shape.head_dim,
                                       design.decode.max_outstanding),
                           design.swap)


# --------------------------------------------------------------------------- per-block (yosys check)
def block_cost(block: str, p: dict[str, int]) -> Resources | None:
    """Cost model of a testbench block at the DUT parameters the yosys flow used."""
    g = p.get
    if block == "tlmm":
        return tlmm_cost(g("G", 5), g("LANES", 32), g("ROWS", 1), g("IN_LANES", 16),
                         g("N_MAX", 512), g("K_MAX", 512), g("WDEPTH", 4096), bool(g("HALF", 1)))
    if block == "rmsnorm":
        return rmsnorm_cost(g("LANES", 4), g("D_MAX", 4096))
    if block == "quant":
        return quant_cost(g("LANES", 4), g("D_MAX", 4096))
    if block == "swiglu":
        return swiglu_cost(g("LANES", 4))
    if block == "residual":
        return residual_cost(g("LANES", 4))
    if block == "rope":
        return rope_cost(g("LANES", 4), g("D_MAX", 1536), g("HEAD_DIM", 96), g("MAX_CTX", 2048))
    if block == "dma":
        return dma_cost(g("MAX_OUTSTANDING", 8))
    if block == "rm_prefill":
        return prefill_cost(PrefillRM(q_tile=g("Q_TILE", 32), kv_block=g("KV_BLOCK", 32),
                                      pe_rows=g("PE_ROWS", 1), pe_cols=g("PE_COLS", 16),
                                      max_outstanding=g("MAX_OUTSTANDING", 8)), g("HEAD_DIM", 16))
    if block == "rm_decode":
        return decode_cost(2, g("HEAD_DIM", 16), g("MAX_OUTSTANDING", 8), g("VQ_DEPTH", 32))
    if block == "rp_cfg":
        return RP_CFG
    return None


RESOURCE_BLOCKS = ("tlmm", "tlmm:G=3,LANES=4,ROWS=1,N_MAX=64,K_MAX=64,WDEPTH=256",
                   "tlmm:G=3,LANES=8,ROWS=2,N_MAX=64,K_MAX=64,WDEPTH=256",
                   "rmsnorm", "quant", "swiglu", "residual", "rope", "dma", "rm_prefill",
                   "rm_decode", "rp_cfg")


#: yosys points the cost model's TLMM constants are solved from (reported, not counted as checks)
YOSYS_FIT_POINTS = ("tlmm:G=3,LANES=4,ROWS=1,N_MAX=64,K_MAX=64,WDEPTH=256",
                    "tlmm:G=3,LANES=8,ROWS=2,N_MAX=64,K_MAX=64,WDEPTH=256")

#: blocks not sent to yosys at their testbench parameters, with the reason (cost model only)
YOSYS_SKIP = {
    "tlmm": "G 5 (121-entry tables x ROWS x LANES lookups) exceeds a 4 GiB / 15 min yosys 0.23 "
            "run (measured twice); the two small configurations check the cost model",
}


def split_entry(entry: str) -> tuple[str, dict[str, int]]:
    """``block`` or ``block:P=V,P=V`` (extra, smaller configurations that yosys can finish,
    checking the cost model's scaling at a second point)."""
    name, _, rest = entry.partition(":")
    over = {k: int(v) for k, v in (kv.split("=") for kv in rest.split(",") if kv)}
    return name, over
