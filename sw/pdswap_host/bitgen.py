"""pdswap-bitgen: write simulation partial-bitstream containers (docs/bitstream.md).

Examples::

    pdswap-bitgen --rm decode --size 4096 --seed 7 -o decode.pdbit
    pdswap-bitgen --rm prefill --rm decode --rp 0 --size 1024 -o bits/   # one file per RM
    pdswap-bitgen --check decode.pdbit --rp 0 --num-rm 2                  # validate a file

RM ids follow rtl/rp/rp_pkg.sv: prefill 1, decode 2, reference 3 (0 = RmIdNone; numeric ids,
valid or not, are written as given so that malformed test files can be made).

The payload is seeded random data that starts with ``PDRM`` and the RM id, so a loaded RM can
be traced back to its file. Exit status: 0 ok, 1 invalid container (--check), 2 bad arguments.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .bitstream import (
    DEFAULT_MAX_PAYLOAD,
    PAYLOAD_MIN,
    RM_NAMES,
    U32_MAX,
    BitstreamError,
    Container,
    make_payload,
    read,
    rm_name,
    write,
)

EXT = ".pdbit"


def _int(text: str) -> int:
    return int(text, 0)


def parse_rm(text: str) -> int:
    """``prefill``/``decode``/``reference`` or a 32-bit id (decimal or 0x hex)."""
    key = text.strip().lower()
    if key in RM_NAMES:
        return RM_NAMES[key]
    try:
        v = _int(key)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"invalid RM {text!r}: use {', '.join(RM_NAMES)} or an integer id "
            f"in [0, {U32_MAX}]") from None
    if not 0 <= v <= U32_MAX:
        raise argparse.ArgumentTypeError(f"invalid RM id {text!r}: must be in [0, {U32_MAX}]")
    return v


def _u32_arg(what: str):
    def conv(text: str) -> int:
        try:
            v = _int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"invalid {what} {text!r}: not an integer") from None
        if not 0 <= v <= U32_MAX:
            raise argparse.ArgumentTypeError(f"invalid {what} {text!r}: must be in [0, {U32_MAX}]")
        return v
    conv.__name__ = what
    return conv


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="pdswap-bitgen", description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rm", type=parse_rm, action="append", metavar="RM",
                    help="reconfigurable module: prefill (1), decode (2), reference (3) or a "
                         "numeric id (repeatable)")
    ap.add_argument("--rp", type=_u32_arg("RP id"), default=0, help="target partition id (default 0)")
    ap.add_argument("--size", type=_u32_arg("size"), default=4096,
                    help=f"payload bytes: multiple of 4, >= {PAYLOAD_MIN} (default 4096)")
    ap.add_argument("--seed", type=_u32_arg("seed"), default=1, help="payload RNG seed (default 1)")
    ap.add_argument("--max-payload", type=_u32_arg("max payload"), default=DEFAULT_MAX_PAYLOAD,
                    help=f"largest payload allowed (default {DEFAULT_MAX_PAYLOAD})")
    ap.add_argument("-o", "--output", type=Path,
                    help=f"output file (one --rm) or directory (several; files <rm>{EXT})")
    ap.add_argument("--check", type=Path, metavar="FILE",
                    help="validate FILE instead of writing (with --rp / --num-rm if given)")
    ap.add_argument("--num-rm", type=_u32_arg("RM count"), default=None,
                    help="with --check: accept RM ids 1..NUM_RM only")
    return ap


def _check(ap: argparse.ArgumentParser, args: argparse.Namespace, argv: list[str]) -> int:
    if args.rm or args.output:
        ap.error("--check takes no --rm / -o")
    rp = args.rp if any(a == "--rp" or a.startswith("--rp=") for a in argv) else None
    if not args.check.is_file():
        ap.error(f"--check: file {str(args.check)!r} does not exist")
    try:
        c = read(args.check, rp_id=rp, num_rm=args.num_rm, max_payload=args.max_payload)
    except BitstreamError as e:
        print(f"pdswap-bitgen: INVALID {type(e).__name__}: {e}", file=sys.stderr)
        return 1
    print(f"{args.check}: ok, rp {c.rp_id} rm {c.rm_id} ({rm_name(c.rm_id)}) "
          f"payload {len(c.payload)} B crc 0x{c.crc:08x}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    ap = build_parser()
    args = ap.parse_args(argv)
    if args.check is not None:
        return _check(ap, args, argv)
    if not args.rm:
        ap.error("--rm is required (prefill, decode or a numeric id)")
    if args.output is None:
        ap.error("-o/--output is required")
    if args.size < PAYLOAD_MIN or args.size % 4:
        ap.error(f"--size {args.size}: payload size must be a multiple of 4 and at least {PAYLOAD_MIN}")
    if args.max_payload == 0 or args.max_payload % 4:
        ap.error(f"--max-payload {args.max_payload}: must be a non-zero multiple of 4")
    if args.size > args.max_payload:
        ap.error(f"--size {args.size}: exceeds --max-payload {args.max_payload}")
    if len(set(args.rm)) != len(args.rm):
        ap.error(f"--rm given twice for the same id: {args.rm}")

    out: Path = args.output
    if len(args.rm) == 1 and not (out.is_dir() or str(out).endswith(("/", "\\"))):
        targets = [(args.rm[0], out)]
    else:
        if out.exists() and not out.is_dir():
            ap.error(f"-o {str(out)!r}: several --rm need an output directory, not a file")
        targets = [(rm, out / f"{rm_name(rm)}{EXT}") for rm in args.rm]
    for _rm, path in targets:
        if not path.parent.exists():
            path.parent.mkdir(parents=True, exist_ok=True)

    for rm, path in targets:
        c = Container(args.rp, rm, make_payload(rm, args.size, args.seed))
        data = write(path, c, args.max_payload)
        print(f"wrote {path}: rp {args.rp} rm {rm} ({rm_name(rm)}) payload {args.size} B "
              f"seed {args.seed} crc 0x{c.crc:08x} total {len(data)} B")
    return 0


if __name__ == "__main__":
    sys.exit(main())
