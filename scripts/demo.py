#!/usr/bin/env python3
"""`make sim`: the end-to-end PD-Swap co-simulation on a BitNet b1.58 model, with a readable summary.

pdswap_top (static region + RP with the prefill and decode RMs + configuration controller) runs a
prompt through prefill, swaps the RM through the PCAP while the last projection/FFN work goes on,
and generates tokens with the decode RM; every layer and token is compared with the golden model.
Fast path: SV clock, SV DDR model, SV AXI-Lite mailbox and SV PCAP (docs/memory-model.md).

Then the same flow runs on the static baseline top (both attention engines resident, uniform
port map, no swap) for a side-by-side table (BASELINE=0 skips it).

Environment (make variables): MODEL=tiny|small, PROMPT_LEN, TOKENS, SEED, TOP_K, WAVES=1,
BASELINE=0|1, WEIGHTS=<.safetensors|.npz> [CONFIG, LAYERS, MAX_CTX] for a real checkpoint
(docs/weights.md).
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import threading
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "models"), str(REPO / "sw")]

from bitnet_golden import get_shape  # noqa: E402
from bitnet_golden.loader import CheckpointError, load_checkpoint  # noqa: E402

from tb.common.runner import BUILD_ROOT, run  # noqa: E402
from tb.e2e.test_e2e import BLOCK, E2EConfig, rtl_params  # noqa: E402

FABRIC_MHZ = 250.0


def env_int(name: str, default: int, lo: int, hi: int) -> int:
    raw = os.environ.get(name) or str(default)
    try:
        val = int(raw)
    except ValueError:
        sys.exit(f"make sim: {name}={raw!r} is not an integer")
    if not lo <= val <= hi:
        sys.exit(f"make sim: {name}={val} outside [{lo}, {hi}]")
    return val


def tail_progress(stop: threading.Event, root: Path, t0: float) -> None:
    """Print the co-simulation's progress lines (`e2e: ...`) from the newest run log."""
    seen = 0
    while not stop.wait(0.5):
        logs = sorted(root.glob("e2e-*/runs/*/sim.log"), key=lambda p: p.stat().st_mtime)
        if not logs or logs[-1].stat().st_mtime < t0:
            continue
        lines = [ln for ln in logs[-1].read_text(errors="replace").splitlines() if " e2e: " in ln]
        for ln in lines[seen:]:
            print(f"  [{time.time() - t0:6.1f} s] {ln.split(' e2e: ', 1)[1]}", flush=True)
        seen = len(lines)


def run_one(cfg: E2EConfig, params: dict[str, int], seed: int, tag: str):
    """One co-simulation; returns (summary dict or None, passed, RunResult or None, wall s)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "e2e.json"
        t0 = time.time()
        stop = threading.Event()
        th = threading.Thread(target=tail_progress, args=(stop, BUILD_ROOT, t0), daemon=True)
        th.start()
        res, ok = None, True
        try:
            res = run(BLOCK, params, seed=seed, echo=False, tag=tag,
                      extra_env={**cfg.to_env(), "PDSWAP_E2E_JSON": str(out)})
        except AssertionError as e:
            ok = False
            print(f"\nco-simulation FAILED: {str(e).splitlines()[0]}")
        finally:
            stop.set()
            th.join()
        summary = json.loads(out.read_text()) if out.exists() else None
        return summary, ok, res, time.time() - t0


def main() -> int:
    seed = env_int("SEED", 1, 0, 2**31 - 1)
    weights = os.environ.get("WEIGHTS", "").strip()
    if weights:
        try:
            ck = load_checkpoint(weights, os.environ.get("CONFIG", "").strip() or None,
                                 layers=int(os.environ["LAYERS"]) if os.environ.get("LAYERS") else None,
                                 max_ctx=int(os.environ["MAX_CTX"]) if os.environ.get("MAX_CTX") else None,
                                 calibrate_seed=None)
        except (CheckpointError, ValueError) as e:
            sys.exit(f"make sim: WEIGHTS: {e}")
        shape, model = ck.weights.shape, f"checkpoint {weights}"
    else:
        name = os.environ.get("MODEL") or "tiny"
        try:
            shape = get_shape(name)
        except ValueError as e:
            sys.exit(f"make sim: MODEL: {e}")
        if name == "paper":
            sys.exit("make sim: MODEL=paper is for the analytic model only (python -m perfmodel)")
        model = name
    tokens = env_int("TOKENS", 8, 1, shape.max_ctx - 1)
    prompt_len = env_int("PROMPT_LEN", 16, 1, shape.max_ctx - tokens)
    top_k = env_int("TOP_K", 1, 1, shape.vocab)
    cfg = E2EConfig(model=shape.name, prompt_len=prompt_len, tokens=tokens, seed=seed, top_k=top_k,
                    mem="bench", check_layers=True, weights=weights,
                    config=os.environ.get("CONFIG", ""), layers=int(os.environ.get("LAYERS") or 0),
                    max_ctx=int(os.environ.get("MAX_CTX") or 0))
    params = {"FAST": 1, **rtl_params(shape)}
    print(f"pdswap: end-to-end co-simulation of BitNet b1.58 ({model}: d={shape.d_model}, "
          f"{shape.n_layers} layers, {shape.n_heads} heads x {shape.head_dim}, FFN {shape.d_ffn})")
    print(f"prompt {prompt_len} tokens, generate {tokens}, seed {seed}"
          f"{', top-k ' + str(top_k) if top_k > 1 else ' (greedy)'}; building the Verilator model "
          f"(cached after the first run) ...", flush=True)
    s, ok, res, wall = run_one(cfg, params, seed, "demo")
    if s is None:
        return 1
    base = None
    if os.environ.get("BASELINE", "1") not in ("0", ""):
        print("running the same flow on the static baseline (no swap, uniform ports) ...", flush=True)
        base, _, _, _ = run_one(replace(cfg, swap=False), {**params, "BASELINE": 1}, seed, "baseline")
    dec = s["decode_cycles_per_token"]
    print("\n=== PD-Swap end-to-end summary ===")
    print(f"generated tokens      : {s['tokens']}")
    print(f"golden (integer) path : {s['golden_tokens']}")
    print(f"float reference path  : {s['float_tokens']}")
    print(f"bit-exact             : {'yes' if s['bit_exact'] and ok else 'NO'} "
          f"({s['layers_checked']} layer outputs + {len(s['tokens'])} tokens compared)")
    print(f"prefill projection    : {s['prefill_projection_cycles']:>10,} cycles")
    print(f"prefill attention     : {s['prefill_attention_cycles']:>10,} cycles (prefill RM)")
    print(f"swap (PCAP)           : {s['swap_cycles']:>10,} cycles, "
          f"{s['swap_overlapped_cycles']:,} overlapped ({100 * s['swap_hidden_fraction']:.0f} % hidden), "
          f"{s['swap_exposed_cycles']:,} exposed")
    print(f"decode per token      : {dec:>10,.0f} cycles "
          f"(attention {s['decode_attention_cycles_per_token']:,.0f}, decode RM)")
    if dec:
        print(f"decode throughput     : {FABRIC_MHZ * 1e6 / dec:,.0f} tokens/s at {FABRIC_MHZ:.0f} MHz "
              f"(fabric only; LM head and sampling on the host)")
    print(f"simulation            : {s['sim_cycles']:,} cycles in {s['wall_s']:.1f} s of run "
          f"({s['sim_cycles_per_second']:,.0f} cycles/s), {wall:.0f} s wall with build")
    if res is not None and os.environ.get("WAVES", "0") not in ("", "0") and res.wave:
        print(f"waves                 : {res.wave}")
    if base is not None:
        print_side_by_side(s, base)
    return 0 if ok and s["bit_exact"] and (base is None or base["bit_exact"]) else 1


def print_side_by_side(pd: dict, bl: dict) -> None:
    same = "same tokens" if pd["tokens"] == bl["tokens"] else "DIFFERENT"
    rows = [("generated", f"{len(pd['tokens'])} tokens", f"{len(bl['tokens'])} ({same})"),
            ("bit-exact", "yes" if pd["bit_exact"] else "NO", "yes" if bl["bit_exact"] else "NO"),
            ("prefill cycles", f"{pd['prefill_projection_cycles'] + pd['prefill_attention_cycles']:,}",
             f"{bl['prefill_projection_cycles'] + bl['prefill_attention_cycles']:,}"),
            ("  of which attention", f"{pd['prefill_attention_cycles']:,}",
             f"{bl['prefill_attention_cycles']:,}"),
            ("swap cycles exposed", f"{pd['swap_exposed_cycles']:,}", "0 (no swap)"),
            ("decode cycles/token", f"{pd['decode_cycles_per_token']:,.0f}",
             f"{bl['decode_cycles_per_token']:,.0f}"),
            ("  of which attention", f"{pd['decode_attention_cycles_per_token']:,.0f}",
             f"{bl['decode_attention_cycles_per_token']:,.0f}")]
    dpd, dbl = pd["decode_cycles_per_token"], bl["decode_cycles_per_token"]
    if dpd and dbl:
        rows.append(("decode tokens/s @250MHz", f"{FABRIC_MHZ * 1e6 / dpd:,.0f}",
                     f"{FABRIC_MHZ * 1e6 / dbl:,.0f}"))
        rows.append(("decode speedup", f"{dbl / dpd:.2f}x", "1.00x"))
    print("\n=== PD-Swap vs static baseline (same model, same prompt) ===")
    print(f"{'':26s} {'PD-Swap':>16s} {'baseline':>16s}")
    for name, a, b in rows:
        print(f"{name:26s} {a:>16s} {b:>16s}")


if __name__ == "__main__":
    sys.exit(main())
