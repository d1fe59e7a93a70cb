"""End-to-end benchmark figures (make bench): swap overlap at the paper's 45:31 ratio, sim speed.

* `swap_hidden_fraction`: tiny model, 128-token prompt. A first run measures the last layer's
  O projection + FFN (POST) of the prefill; the PCAP rate is then set so that the reconfiguration
  takes 45/31 of that (the paper: 45 ms reconfiguration vs 31 ms remaining projection + FFN at
  128 tokens), and a second run measures how much of the swap is overlapped.
* `sim_cycles_per_second_e2e`: the `make sim` run (tiny, 16 + 8 tokens, fast path).
* `e2e_decode_speedup_vs_baseline_L128`, `_L1024`: small model, prompts of 128 and 1024 tokens,
  decode cycles per token (every layer: projections, norms, FFN and attention) of the static
  baseline top over those of pdswap_top, i.e. the end-to-end decode tokens/s ratio at the same
  fabric clock (LM head and sampling on the host are not counted for either).
Bench memory model: latency 60, no random stalls, cap = 4 ports' peak.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from tb.common.runner import run
from tb.e2e.test_e2e import BLOCK, SHAPE_PARAMS, E2EConfig

PAYLOAD = 4096
SWAP_TO_TAIL = 45.0 / 31.0


def run_e2e(cfg: E2EConfig, tag: str, params: dict[str, int] | None = None) -> dict:
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "e2e.json"
        run(BLOCK, {"FAST": 1, **(params or {})}, seed=cfg.seed, echo=False, tag=tag,
            extra_env={**cfg.to_env(), "PDSWAP_E2E_JSON": str(out)})
        return json.loads(out.read_text())


def bench() -> dict[str, float]:
    fig: dict[str, float] = {}
    base = dict(model="tiny", prompt_len=128, tokens=3, seed=1, mem="bench", check_layers=False,
                payload_bytes=PAYLOAD)
    probe = run_e2e(E2EConfig(**base, pcap_rate=4.0), "swapprobe")
    tail = probe["prefill_last_post_cycles"]
    rate = PAYLOAD / (SWAP_TO_TAIL * tail)
    s = run_e2e(E2EConfig(**base, pcap_rate=rate), "swap4531")
    fig.update({
        "swap_hidden_fraction": s["swap_hidden_fraction"],
        "swap_cycles_L128": s["swap_cycles"],
        "swap_overlapped_cycles_L128": s["swap_overlapped_cycles"],
        "swap_exposed_cycles_L128": s["swap_exposed_cycles"],
        "e2e_prefill_last_post_cycles_L128": tail,
        "e2e_prefill_final_cycles_L128": s["prefill_final_cycles"],
        "e2e_prefill_projection_cycles_L128": s["prefill_projection_cycles"],
        "e2e_prefill_attention_cycles_L128": s["prefill_attention_cycles"],
        "e2e_decode_cycles_per_token_L128": s["decode_cycles_per_token"],
        "pcap_rate_bytes_per_cycle_4531": rate,
    })
    for ctx in (128, 1024):
        common = dict(model="small", prompt_len=ctx, tokens=3, seed=2, mem="bench",
                      check_layers=False, payload_bytes=PAYLOAD)
        pd = run_e2e(E2EConfig(**common, pcap_rate=4.0), f"pd{ctx}", SHAPE_PARAMS["small"])
        bl = run_e2e(E2EConfig(**common, swap=False), f"bl{ctx}",
                     {**SHAPE_PARAMS["small"], "BASELINE": 1})
        if pd["tokens"] != bl["tokens"]:
            raise AssertionError(f"L={ctx}: PD-Swap and baseline disagree: {pd['tokens']} {bl['tokens']}")
        fig[f"e2e_decode_cycles_per_token_small_L{ctx}"] = pd["decode_cycles_per_token"]
        fig[f"e2e_baseline_decode_cycles_per_token_small_L{ctx}"] = bl["decode_cycles_per_token"]
        fig[f"e2e_decode_speedup_vs_baseline_L{ctx}"] = (bl["decode_cycles_per_token"]
                                                         / pd["decode_cycles_per_token"])
        fig[f"e2e_ttft_speedup_vs_baseline_L{ctx}"] = (
            (bl["prefill_projection_cycles"] + bl["prefill_attention_cycles"])
            / (pd["prefill_projection_cycles"] + pd["prefill_attention_cycles"]))
    demo = run_e2e(E2EConfig(mem="bench"), "simspeed")
    fig["sim_cycles_per_second_e2e"] = demo["sim_cycles_per_second"]
    fig["e2e_bit_exact"] = float(demo["bit_exact"] and s["bit_exact"] and probe["bit_exact"])
    return fig
