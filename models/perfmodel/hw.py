"""Hardware parameters of the performance model: platform (clock, DDR, PCAP, budget), static
region (TLMM, element-wise lanes, DMA) and the two attention RMs.

Every field is a parameter of the RTL (`rtl/<block>/*.sv`) or of the memory model
(`tb/common/axi_mem.py` MemConfig), or a documented platform assumption (docs/perf-model.md).
Nothing here is fitted to the paper's results.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

BEAT_BYTES = 16          # 128-bit AXI HP data path (docs/conventions.md)
KV_BLOCK_ALIGN = 16      # attention key blocks are multiples of B = 16 (docs/numerics.md)


@dataclass(frozen=True)
class Resources:
    """FPGA resources; BRAM in BRAM36 units (a RAMB18 is 0.5)."""

    lut: float = 0.0
    ff: float = 0.0
    bram: float = 0.0
    uram: float = 0.0
    dsp: float = 0.0

    KINDS = ("lut", "ff", "bram", "uram", "dsp")

    def __add__(self, o: Resources) -> Resources:
        return Resources(*(getattr(self, k) + getattr(o, k) for k in self.KINDS))

    def __mul__(self, s: float) -> Resources:
        return Resources(*(getattr(self, k) * s for k in self.KINDS))

    __rmul__ = __mul__

    def max(self, o: Resources) -> Resources:
        return Resources(*(max(getattr(self, k), getattr(o, k)) for k in self.KINDS))

    def fits(self, budget: Resources, limit: float = 1.0) -> bool:
        return all(getattr(self, k) <= limit * getattr(budget, k) for k in self.KINDS)

    def utilisation(self, budget: Resources) -> dict[str, float]:
        return {k: getattr(self, k) / getattr(budget, k) for k in self.KINDS}

    def worst(self, budget: Resources) -> tuple[str, float]:
        u = self.utilisation(budget)
        k = max(u, key=u.get)
        return k, u[k]

    def as_dict(self) -> dict[str, float]:
        return {k: getattr(self, k) for k in self.KINDS}


#: XCK26 (KV260) budget from the brief / design notes
XCK26 = Resources(lut=117_120, ff=234_240, bram=144, uram=64, dsp=1_248)


@dataclass(frozen=True)
class Platform:
    """Clock, DDR behind the HP ports, PCAP and host figures."""

    name: str
    f_clk_mhz: float = 250.0          # fabric clock (sw/pdswap_host/pcap.py PAPER_FABRIC_MHZ)
    hp_ports: int = 4                 # AXI4 HP masters, 128-bit each
    ddr_latency: int = 60             # first-beat read latency, cycles (MemConfig.bench)
    ddr_cap: float = 4.0              # shared beats/cycle over all ports (MemConfig.bench: ports)
    mem_outstanding: int = 16         # bursts the memory accepts per port and direction
    b_latency: int = 4                # last W beat -> B response, cycles
    pcap_bytes_per_s: float = 1.0     # partial-bitstream rate (docs/reconfig.md mapping)
    partial_bytes: int = 1 << 20      # partial bitstream of the attention RP
    host_lm_head_bytes_per_s: float = 0.0   # PS bandwidth streaming E16 for the LM head (0: ignore)
    onchip_weights: bool = True       # ternary weights resident in the TLMM weight memory
    budget: Resources = XCK26

    @property
    def f_clk_hz(self) -> float:
        return self.f_clk_mhz * 1e6

    def seconds(self, cycles: float) -> float:
        return cycles / self.f_clk_hz

    @property
    def reconf_cycles(self) -> float:
        """Partial reconfiguration through PCAP, in fabric cycles."""
        return self.partial_bytes / self.pcap_bytes_per_s * self.f_clk_hz


def _paper_pcap_rate() -> float:
    """The project's PCAP mapping (sw/pdswap_host/pcap.py, docs/reconfig.md): ~1 MiB in 45 ms."""
    try:
        from pdswap_host.pcap import DEFAULT_RATE, PAPER_FABRIC_MHZ
        return DEFAULT_RATE * PAPER_FABRIC_MHZ * 1e6
    except ImportError:  # sw/ not on the path: same numbers
        return (1 << 20) / 45e-3


#: simulation bench platform: tb.common.axi_mem.MemConfig.bench() (latency 60, cap 4, 16 outst.)
BENCH = Platform("bench", pcap_bytes_per_s=_paper_pcap_rate())

#: KV260 (XCK26) assumptions for the paper-scale projection (docs/perf-model.md "Platform"):
#: 250 MHz fabric; DDR4-2400 x64 = 19.2 GB/s peak, 80 % of it sustained for long sequential
#: bursts = 15.36 GB/s = 3.84 beats/cycle shared by the four HP ports; 60-cycle (240 ns)
#: first-beat latency; PCAP ~1 MiB in 45 ms (project mapping); the 0.73B model's ternary
#: weights (136 MB of base-3 codes) do not fit on chip and stream from DDR; the host (A53) LM
#: head streams the int16 embedding table (98 MB) at 4 GB/s.
KV260 = Platform("kv260", f_clk_mhz=250.0, ddr_latency=60,
                 ddr_cap=19.2e9 * 0.8 / (250e6 * BEAT_BYTES), pcap_bytes_per_s=_paper_pcap_rate(),
                 host_lm_head_bytes_per_s=4.0e9, onchip_weights=False)


@dataclass(frozen=True)
class TlmmParams:
    """rtl/tlmm/tlmm.sv parameters."""

    g: int = 5             # weights per code
    lanes: int = 16        # lookups per row per cycle
    rows: int = 2          # rows sharing a weight line
    in_lanes: int = 16     # int8 per input beat

    def __post_init__(self) -> None:
        if not 1 <= self.g <= 5:
            raise ValueError(f"TLMM G={self.g} must be in [1, 5]")
        if self.lanes not in (4, 8, 16, 32, 64):
            raise ValueError(f"TLMM LANES={self.lanes} must be 4, 8, 16, 32 or 64")
        if not 1 <= self.rows <= 16:
            raise ValueError(f"TLMM ROWS={self.rows} must be in [1, 16]")

    @property
    def macs_per_cycle(self) -> int:
        """Ternary weights applied per cycle with every row slot busy."""
        return self.g * self.lanes * self.rows


@dataclass(frozen=True)
class DmaParams:
    """rtl/dma/axi_dma*.sv parameters."""

    max_burst: int = 16          # beats per burst
    max_outstanding: int = 8     # bursts in flight per engine


@dataclass(frozen=True)
class StaticConfig:
    """Static region: TLMM, element-wise blocks, DMA."""

    tlmm: TlmmParams = field(default_factory=TlmmParams)
    elt_lanes: int = 4           # LANES of rmsnorm, act_quant, swiglu, residual_add, rope
    dma: DmaParams = field(default_factory=DmaParams)
    weight_ports: int = 1        # HP ports streaming weights when they do not fit on chip
    wdepth: int = 8192           # TLMM weight memory words (128-bit)


@dataclass(frozen=True)
class PrefillRM:
    """rtl/rm_prefill/rm_prefill.sv parameters (+ its port map).

    Q_TILE query rows stay on chip (Q reuse over every history block); the QK and the P.V arrays
    are PE_ROWS x PE_COLS 16-wide int8 dot products (16 * PE_ROWS * PE_COLS MACs per cycle
    each); history keys come from DDR in blocks of KV_BLOCK keys, K on k_ports, V on v_ports.
    """

    q_tile: int = 32
    kv_block: int = 32
    pe_rows: int = 1
    pe_cols: int = 16
    max_burst: int = 16
    max_outstanding: int = 8
    k_ports: int = 2
    v_ports: int = 2

    def __post_init__(self) -> None:
        if self.kv_block % KV_BLOCK_ALIGN or self.q_tile % KV_BLOCK_ALIGN:
            raise ValueError(f"prefill Q_TILE={self.q_tile} / KV_BLOCK={self.kv_block} must be "
                             "multiples of 16")
        if self.pe_cols not in (1, 2, 4, 8, 16) or self.pe_rows < 1 or 16 % self.pe_rows:
            raise ValueError(f"prefill PE_ROWS={self.pe_rows} (divides 16) / PE_COLS="
                             f"{self.pe_cols} (divides 16) invalid")
        if min(self.k_ports, self.v_ports, self.max_outstanding, self.max_burst) < 1:
            raise ValueError("prefill ports / outstanding / burst must be >= 1")

    @property
    def dma(self) -> DmaParams:
        return DmaParams(self.max_burst, self.max_outstanding)

    @property
    def macs(self) -> int:
        """int8 MACs per cycle of the QK array (the P.V array has as many)."""
        return 16 * self.pe_rows * self.pe_cols


@dataclass(frozen=True)
class DecodeRM:
    """rtl/rm_decode/rm_decode.sv parameters (+ its port map).

    ``lanes`` K lanes and as many V lanes, each a 16-wide int8 dot product taking one 16-byte
    beat per cycle (16-key blocks dealt round-robin); K blocks read on k_ports, V on v_ports
    (PORT_MAP 0 PdSwap: 2 + 2; PORT_MAP 1 Uniform: 1 + 1), one burst per 16-key block.
    """

    lanes: int = 2
    k_ports: int = 2
    v_ports: int = 2
    max_outstanding: int = 8
    div_steps: int = 2

    def __post_init__(self) -> None:
        if min(self.lanes, self.k_ports, self.v_ports, self.max_outstanding, self.div_steps) < 1:
            raise ValueError("decode RM lanes / ports / outstanding / DIV_STEPS must be >= 1")

    def dma(self, head_dim: int) -> DmaParams:
        """One burst per 16-key block: 16 * head_dim / 16 = head_dim beats (at most 256)."""
        return DmaParams(min(256, head_dim), self.max_outstanding)

    @property
    def macs(self) -> int:
        return 16 * self.lanes


@dataclass(frozen=True)
class Design:
    """A full accelerator: swap (one RP holding either RM) or co-resident baseline."""

    name: str
    static: StaticConfig
    prefill: PrefillRM
    decode: DecodeRM
    swap: bool = True            # PD-Swap (reconfigure between phases) vs both RMs resident

    def with_(self, **kw) -> Design:
        return replace(self, **kw)


def pdswap_design(static: StaticConfig | None = None, prefill: PrefillRM | None = None,
                  decode: DecodeRM | None = None) -> Design:
    """PD-Swap: RP holds the prefill or the decode RM; decode maps K to 2 ports and V to 2."""
    return Design("pdswap", static or StaticConfig(), prefill or PrefillRM(),
                  decode or DecodeRM(), swap=True)


def baseline_design(static: StaticConfig | None = None, prefill: PrefillRM | None = None,
                    decode: DecodeRM | None = None) -> Design:
    """TeLLMe-like baseline: both attention engines co-resident, uniform port map (Q, K, V, O
    on HP0..HP3), so K and V each get one port in both phases."""
    pre = replace(prefill or PrefillRM(), k_ports=1, v_ports=1)
    dec = replace(decode or DecodeRM(), k_ports=1, v_ports=1)   # PORT_MAP 1 (Uniform)
    return Design("baseline", static or StaticConfig(), pre, dec, swap=False)
