"""`make sim MODULE=<block>`: run one block's cocotb testbench (default parameters, one seed)."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
import time

from .runner import REPO, Block, run


def available_blocks() -> list[str]:
    return sorted(p.parent.name for p in (REPO / "tb").glob("*/test_*.py")
                  if p.stem == f"test_{p.parent.name}")


def load_block(name: str) -> Block:
    if name not in available_blocks():
        raise SystemExit(f"unknown MODULE={name!r}; available: {', '.join(available_blocks())}")
    return importlib.import_module(f"tb.{name}.test_{name}").BLOCK


def parse_param(text: str) -> tuple[str, int]:
    key, sep, val = text.partition("=")
    if not sep or not key:
        raise argparse.ArgumentTypeError(f"parameter {text!r} is not NAME=VALUE")
    try:
        return key, int(val, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"parameter {text!r}: value {val!r} is not an integer") from None


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="make sim MODULE=<block>", description=__doc__)
    ap.add_argument("module")
    ap.add_argument("--seed", type=int, default=int(os.environ.get("SEED") or 1))
    ap.add_argument("--testcase", default=os.environ.get("TESTCASE") or None)
    ap.add_argument("--param", type=parse_param, action="append", default=[],
                    help="override a wrapper parameter, NAME=VALUE (repeatable)")
    args = ap.parse_args(argv)
    args.param += [parse_param(t) for t in os.environ.get("PARAMS", "").split()]
    block = load_block(args.module)
    params = dict(args.param)
    unknown = sorted(set(params) - set(block.parameters))
    if unknown:
        raise SystemExit(f"unknown parameter(s) {unknown} for {block.name}; "
                         f"known: {sorted(block.parameters)}")
    t0 = time.time()
    try:
        res = run(block, params, seed=args.seed, testcase=args.testcase)
    except AssertionError as e:
        print(f"\nFAIL {block.name}: {e}", file=sys.stderr)
        return 1
    print(f"\nPASS {block.name}: {res.summary()} ({time.time() - t0:.1f} s wall)")
    if res.wave is not None:
        gtkw = res.run_dir / f"{block.name}.gtkw"
        view = gtkw if gtkw.exists() else res.wave
        print(f"waves: {res.wave}\nview:  gtkwave {view}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
