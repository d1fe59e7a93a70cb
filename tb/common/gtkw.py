"""Write GTKWave save files (groups of signals) for the testbenches' `<block>.gtkw`."""

from __future__ import annotations

from pathlib import Path

FMT = {"bin": "@28", "hex": "@22", "dec": "@24", "sdec": "@424"}


def render(top: str, groups: list[tuple[str, list[tuple[str, str]]]], title: str = "") -> str:
    """groups: [(group name, [(signal path below top, format), ...]), ...]."""
    out = [f"[*] GTKWave save file for {top}{': ' + title if title else ''}",
           '[dumpfile] "dump.fst"', "[timestart] 0", "[size] 1600 900", "[signals_width] 300",
           "[sst_expanded] 1", "[sst_vpaned_height] 300"]
    for name, sigs in groups:
        out += ["@800200", f"-{name}"]
        for path, fmt in sigs:
            out += [FMT[fmt], f"{top}.{path}"]
        out += ["@1000200", f"-{name}"]
    return "\n".join(out) + "\n"


def write(path: Path, top: str, groups: list[tuple[str, list[tuple[str, str]]]],
          title: str = "") -> None:
    path.write_text(render(top, groups, title))
