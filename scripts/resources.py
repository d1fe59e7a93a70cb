#!/usr/bin/env python3
"""Per-block resource estimates: Debian yosys 0.23 `synth_xilinx -family xcup` on every block's
RTL (file list and parameters from its `BLOCK = Block(...)`, DUT from its tb wrapper), cached by
source hash under sim_build/yosys/, beside the structural cost model of models/perfmodel; then the
XCK26 budget check (PD-Swap: static + max(RMs), baseline: static + sum). docs/perf-model.md.

    scripts/resources.py [--blocks tlmm,dma] [--no-yosys] [--timeout 900] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(REPO), str(REPO / "models"), str(REPO / "sw")]

from perfmodel import resources as R  # noqa: E402
from perfmodel.hw import KV260, baseline_design, pdswap_design  # noqa: E402
from perfmodel.report import budget_section, resources_section  # noqa: E402
from perfmodel.yosys import have_yosys  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--blocks", help="comma-separated subset of the blocks (e.g. tlmm,dma)")
    ap.add_argument("--no-yosys", action="store_true", help="cached yosys results only")
    ap.add_argument("--timeout", type=float, default=900.0, help="seconds per yosys run")
    ap.add_argument("--json", type=Path, help="write the per-block figures as JSON")
    a = ap.parse_args(argv)
    if a.blocks:
        names = {R.split_entry(e)[0] for e in R.RESOURCE_BLOCKS}
        unknown = set(a.blocks.split(",")) - names
        if unknown:
            ap.error(f"unknown blocks {sorted(unknown)}; choose from {sorted(names)}")
        R.RESOURCE_BLOCKS = tuple(e for e in R.RESOURCE_BLOCKS
                                  if R.split_entry(e)[0] in a.blocks.split(","))
    if not a.no_yosys and not have_yosys():
        print("yosys not found (Debian: apt-get install yosys): cost model only", file=sys.stderr)
    md, figs, rows = resources_section(run_yosys=not a.no_yosys, timeout_s=a.timeout)
    print(md)
    print()
    bud, _ = budget_section({"PD-Swap (RTL default RMs)": pdswap_design(),
                             "baseline (RTL default RMs)": baseline_design()}, "paper", KV260)
    print(bud)
    if a.json:
        a.json.write_text(json.dumps({"figures": figs, "blocks": rows}, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
