"""End-to-end token co-simulation: prompt -> prefill -> overlapped swap -> decode, bit-exact.

The run is configured by the JSON in PDSWAP_E2E_CFG (see `E2EConfig`); the pytest entry points
(tests/test_e2e.py), `make sim` (scripts/demo.py) and `make bench` set it.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass

import cocotb
import numpy as np
from bitnet_golden import get_shape, random_weights
from bitnet_golden.shapes import ModelShape
from pdswap_host.pcap import rate_bytes_per_cycle

from tb.common.axi_mem import MemConfig
from tb.common.env import test_rng
from tb.common.fastsim import FAST_ARGS
from tb.common.runner import Block
from tb.e2e.harness import E2E

RTL_SOURCES = (
    "rp/rp_pkg.sv", "static/sr_pkg.sv", "attn/attn_pkg.sv", "common/axil_regs.sv",
    "common/seq_divider.sv", "common/crc32_d32.sv",
    "static/sr_ram.sv", "static/sr_rd_stream.sv", "static/sr_wr_stream.sv", "static/sr_pack4.sv",
    "static/sr_csr.sv", "quant/act_quant.sv", "rmsnorm/rsqrt_rom.sv", "rmsnorm/rmsnorm.sv",
    "tlmm/tlmm_table.sv", "tlmm/tlmm.sv", "rope/rope.sv", "residual/residual_add.sv",
    "swiglu/sigmoid_rom.sv", "swiglu/swiglu.sv", "dma/axi_dma_fifo.sv", "dma/axi_dma_burst.sv",
    "dma/axi_dma_rd.sv", "dma/axi_dma_wr.sv", "dma/axi_dma.sv", "static/static_region.sv",
    "attn/exp2_rom.sv", "attn/attn_exp2.sv",
    "rp/rm_stub.sv", "rp/rm_shell.sv", "rp/rp_safe.sv", "rp/rp_decoupler.sv", "rp/rp_wrapper.sv",
    "rp/rp_cfg_ctrl.sv",
    "top/pdswap_top.sv",
    "baseline/bl_axi_merge.sv", "baseline/bl_q_stage.sv", "baseline/bl_o_stage.sv",
    "baseline/baseline_attn.sv", "baseline/bl_cfg_regs.sv", "baseline/baseline_top.sv",
)


def rm_sources() -> tuple[str, ...]:
    """Every file of the two RMs (their folders), so the list follows the RM RTL as it grows."""
    from tb.common.runner import RTL

    return tuple(sorted(str(p.relative_to(RTL)) for d in ("rm_prefill", "rm_decode")
                        for p in (RTL / d).glob("*.sv")))


TB_SOURCES = ("../tb/common/sv/sv_clk_gen.sv", "../tb/common/sv/hp_ddr_model.sv",
              "../tb/e2e/axil_mailbox.sv", "../tb/e2e/pcap_sv.sv")

def _pow2(n: int) -> int:
    return 1 << max(1, (n - 1).bit_length())


def rtl_params(shape: ModelShape, tlmm_g: int = 5, tlmm_lanes: int = 32) -> dict[str, int]:
    """tb_e2e / pdswap_top parameters for a model shape (memories sized to the model's images)."""
    from bitnet_golden.tlmm import image_words

    d, f = shape.d_model, shape.d_ffn
    per_layer = (4 * image_words(d, d, tlmm_g, tlmm_lanes) + 2 * image_words(f, d, tlmm_g, tlmm_lanes)
                 + image_words(d, f, tlmm_g, tlmm_lanes))
    gains = shape.n_layers * (3 * d + f) // 4 + d // 4
    return {"D": d, "F": f, "N_HEADS": shape.n_heads, "HEAD_DIM": shape.head_dim,
            "N_LAYERS": shape.n_layers, "MAX_ROWS": shape.max_ctx, "MAX_CTX": shape.max_ctx,
            "WDEPTH": _pow2(shape.n_layers * per_layer + 16), "G_WORDS": _pow2(gains)}


SHAPE_PARAMS = {name: rtl_params(get_shape(name)) for name in ("tiny", "small")}
BLOCK = Block("e2e", sources=RTL_SOURCES + rm_sources() + TB_SOURCES,
              parameters={"FAST": 1, "BASELINE": 0, **SHAPE_PARAMS["tiny"]},
              # X-assignments need no randomising here (x-initial stays unique)
              extra_args=(*FAST_ARGS, "--x-assign", "fast"), public_vlt="e2e_public.vlt",
              make_args=("OPT_FAST=-O3",))


@dataclass
class E2EConfig:
    model: str = "tiny"
    prompt_len: int = 16
    tokens: int = 8
    seed: int = 1            # model weights and prompt
    top_k: int = 1
    payload_bytes: int = 2048
    pcap_rate: float = 0.0   # bytes/cycle; 0 = the paper mapping (pcap.rate_bytes_per_cycle)
    check_layers: bool = True
    swap: bool = True
    mem: str = "functional"  # functional (random stalls) | bench
    expect_late_swap: bool = False
    weights: str = ""        # a checkpoint (.safetensors / .npz) instead of seeded random weights
    config: str = ""
    layers: int = 0
    max_ctx: int = 0

    def model_weights(self):
        """The model of this run: a checkpoint (bitnet_golden.loader) or seeded random weights."""
        if self.weights:
            from bitnet_golden.loader import load_checkpoint

            return load_checkpoint(self.weights, self.config or None, layers=self.layers or None,
                                   max_ctx=self.max_ctx or None).weights
        return random_weights(get_shape(self.model), seed=self.seed)

    @classmethod
    def from_env(cls) -> E2EConfig:
        raw = os.environ.get("PDSWAP_E2E_CFG")
        return cls(**json.loads(raw)) if raw else cls()

    def to_env(self) -> dict[str, str]:
        return {"PDSWAP_E2E_CFG": json.dumps(asdict(self))}


@cocotb.test()
async def test_e2e_generate(dut):
    """Prefill, overlapped swap, decode: every layer and every token bit-exact vs golden."""
    cfg = E2EConfig.from_env()
    baseline = int(dut.BASELINE.value) == 1
    if baseline and cfg.swap:
        raise AssertionError("the static baseline never reconfigures: run it with swap=False")
    rng = test_rng(dut, "test_e2e_generate")
    w = cfg.model_weights()
    shape = w.shape
    if int(dut.D.value) != shape.d_model or int(dut.N_LAYERS.value) != shape.n_layers:
        raise AssertionError(f"build parameters do not match the model ({shape})")
    prompt = np.random.default_rng(cfg.seed).integers(0, shape.vocab, size=cfg.prompt_len)
    mem = MemConfig.functional(rng) if cfg.mem == "functional" else MemConfig.bench()
    rate = cfg.pcap_rate or rate_bytes_per_cycle(1 << 20, 250.0, 45.0)
    e2e = E2E(dut, w, rng, mem_cfg=mem, pcap_rate=rate, payload_bytes=cfg.payload_bytes,
              check_layers=cfg.check_layers, swap=cfg.swap,
              progress=lambda m: dut._log.info("e2e: %s", m))
    await e2e.start()
    res = await e2e.run(prompt, cfg.tokens)
    s = res.summary()
    dut._log.info("e2e summary: %s", json.dumps(s, default=int))
    assert not res.mismatches, res.mismatches[:5]
    assert res.report.tokens == res.golden_tokens, (res.report.tokens, res.golden_tokens)
    assert res.layers_checked == (shape.n_layers * cfg.tokens if cfg.check_layers else 0)
    if baseline:
        assert res.report.swap.total == 0, "a swap happened on the static baseline"
    if cfg.swap and cfg.tokens > 1:
        if cfg.expect_late_swap:
            assert res.report.swap.exposed > 0, "the slow swap should finish after decode could start"
        assert res.report.swap.total > 0
