"""Yosys resource flow: Debian yosys 0.23 ``synth_xilinx -family xcup`` on each block's DUT.

The file list and parameters come from the block's ``BLOCK = Block(...)`` in
``tb/<block>/test_<block>.py`` (read with ``ast``, no import), the DUT module and its parameter
map from the port-less wrapper ``tb/<block>/tb_<block>.sv`` (the instance named ``dut``), so the
flow follows the RTL as it changes. Results (also failures: parse errors, the memory cap, the
time limit) are cached as JSON under ``sim_build/yosys/`` keyed by a hash of the sources, the
parameters and the flow version; delete a block's JSON to retry it.
"""

from __future__ import annotations

import ast
import hashlib
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from .hw import Resources

REPO = Path(__file__).resolve().parents[2]
CACHE = REPO / "sim_build" / "yosys"
FLOW_VERSION = "2"
MEM_LIMIT_GIB = 4        # address-space cap of one yosys run (the machine is shared)


def _limit_memory() -> None:
    import resource
    lim = MEM_LIMIT_GIB << 30
    resource.setrlimit(resource.RLIMIT_AS, (lim, lim))


@dataclass
class BlockDef:
    name: str
    sources: tuple[str, ...]
    parameters: dict[str, int] = field(default_factory=dict)


def read_block(name: str) -> BlockDef:
    """BLOCK = Block("name", sources=(...), parameters={...}) of tb/<name>/test_<name>.py."""
    path = REPO / "tb" / name / f"test_{name}.py"
    tree = ast.parse(path.read_text())
    for node in tree.body:
        if (isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "BLOCK"
                                                 for t in node.targets)
                and isinstance(node.value, ast.Call)):
            call = node.value
            args = [ast.literal_eval(a) for a in call.args]
            kw = {k.arg: ast.literal_eval(k.value) for k in call.keywords
                  if k.arg in ("name", "sources", "parameters")}
            bname = kw.get("name", args[0] if args else name)
            sources = tuple(kw.get("sources", args[1] if len(args) > 1 else ()))
            params = dict(kw.get("parameters", args[2] if len(args) > 2 else {}))
            return BlockDef(bname, sources, params)
    raise ValueError(f"{path}: no BLOCK = Block(...) assignment")


_PARAM_RE = re.compile(r"parameter\s+(?:int\s+unsigned\s+|int\s+|bit\s+|logic\s*(?:\[[^\]]*\]\s*)?)?"
                       r"(\w+)\s*=\s*([^,;\n)]+)")


def _eval_int(expr: str, env: dict[str, int]) -> int | None:
    e = expr.strip()
    e = re.sub(r"\d+'[sS]?[dD](\d+)", r"\1", e)
    e = re.sub(r"\d+'[sS]?[hH]([0-9a-fA-F_]+)", lambda m: str(int(m.group(1).replace("_", ""), 16)), e)
    e = re.sub(r"\d+'[sS]?[bB]([01_]+)", lambda m: str(int(m.group(1).replace("_", ""), 2)), e)
    if not re.fullmatch(r"[\w\s()+\-*/%<>=!&|?:]+", e):
        return None
    e = e.replace("!=", " != ").replace("&&", " and ").replace("||", " or ")
    e = re.sub(r"(?<![=!<>])!(?!=)", " not ", e)
    if "?" in e:
        return None
    try:
        v = eval(e.replace("/", "//"), {"__builtins__": {}}, dict(env))
    except Exception:
        return None
    return int(v)


_KEYWORDS = {"logic", "parameter", "localparam", "assign", "end", "begin", "module", "endmodule",
             "wire", "reg", "input", "output", "initial", "always", "always_ff", "always_comb",
             "if", "else", "for", "generate", "endgenerate", "typedef", "import", "int", "bit"}


def dut_instance(name: str, block: BlockDef) -> tuple[str, dict[str, int]]:
    """(DUT module, its parameter values) from tb/<name>/tb_<name>.sv."""
    text = (REPO / "tb" / name / f"tb_{name}.sv").read_text()
    text = re.sub(r"//[^\n]*", "", text)
    head = text.split(");", 1)[0]
    env: dict[str, int] = {}
    for m in _PARAM_RE.finditer(head):
        v = _eval_int(m.group(2), env)
        if v is not None:
            env[m.group(1)] = v
    env.update(block.parameters)
    for m in re.finditer(r"localparam\s+(?:int\s+unsigned\s+|int\s+)?(\w+)\s*=\s*([^;]+);", text):
        v = _eval_int(m.group(2), env)
        if v is not None:
            env[m.group(1)] = v
    d = re.search(r"\bdut\s*\(", text)
    if not d:
        raise ValueError(f"tb_{name}.sv: no instance named dut")
    before = text[:d.start()]
    heads = [m for m in re.finditer(r"^\s*(\w+)\s*(?=#|$)", before, re.M)
             if m.group(1) not in _KEYWORDS]
    if not heads:
        raise ValueError(f"tb_{name}.sv: cannot find the module of instance dut")
    module = heads[-1].group(1)
    ptext = before[heads[-1].end():]
    params: dict[str, int] = {}
    if "#" in ptext:
        for pm in re.finditer(r"\.(\w+)\s*\(([^()]*(?:\([^()]*\)[^()]*)*)\)", ptext):
            v = _eval_int(pm.group(2), env)
            if v is not None:
                params[pm.group(1)] = v
    return module, params


@dataclass
class SynthResult:
    block: str
    module: str
    params: dict[str, int]
    ok: bool
    resources: Resources
    cells: dict[str, int]
    error: str = ""
    seconds: float = 0.0
    cached: bool = False


# UltraScale+ primitives -> resource kinds (LUTRAM/SRL primitives occupy LUTs)
_LUT_CELLS = {"LUT1": 1, "LUT2": 1, "LUT3": 1, "LUT4": 1, "LUT5": 1, "LUT6": 1, "LUT6_2": 1,
              "SRL16E": 1, "SRLC32E": 1, "RAM32X1D": 2, "RAM64X1D": 2, "RAM128X1D": 4,
              "RAM256X1S": 4, "RAM32M": 4, "RAM64M": 4, "RAM32M16": 8, "RAM64M8": 8,
              "RAM32X1S": 1, "RAM64X1S": 1, "RAM128X1S": 2, "RAM512X1S": 8}
_FF_CELLS = ("FDRE", "FDSE", "FDCE", "FDPE", "LDCE", "LDPE")


def resources_from_cells(cells: dict[str, int]) -> Resources:
    lut = sum(n * _LUT_CELLS.get(c, 0) for c, n in cells.items())
    ff = sum(n for c, n in cells.items() if c in _FF_CELLS)
    bram = cells.get("RAMB36E2", 0) + 0.5 * cells.get("RAMB18E2", 0)
    uram = cells.get("URAM288", 0)
    dsp = cells.get("DSP48E2", 0)
    return Resources(lut, ff, bram, uram, dsp)


def have_yosys() -> bool:
    return shutil.which("yosys") is not None


def _script(module: str, params: dict[str, int], sources: list[Path], json_out: Path) -> str:
    chp = " ".join(f"-set {k} {v}" for k, v in sorted(params.items()))
    files = " ".join(str(p) for p in sources)
    return (f"read_verilog -sv -DSYNTHESIS -I{REPO / 'rtl'} {files}\n"
            + (f"chparam {chp} {module}\n" if chp else "") +
            f"synth_xilinx -family xcup -top {module} -flatten\n"
            f"tee -q -o {json_out} stat -json\n")


def synth_block(name: str, timeout_s: float = 900.0, overrides: dict[str, int] | None = None,
                use_cache: bool = True, cache_only: bool = False) -> SynthResult:
    """Synthesise the DUT of block ``name`` (cached by source hash); ``cache_only``: never run
    yosys, return the cached result or a not-ok result saying so."""
    blk = read_block(name)
    if overrides:
        blk = BlockDef(blk.name, blk.sources, {**blk.parameters, **overrides})
    module, params = dut_instance(name, blk)
    sources = [REPO / "rtl" / s for s in blk.sources]
    h = hashlib.sha1(f"{FLOW_VERSION}{module}{sorted(params.items())}".encode())
    for p in sources:
        h.update(p.read_bytes())
    key = f"{name}-{h.hexdigest()[:12]}"
    CACHE.mkdir(parents=True, exist_ok=True)
    cache = CACHE / f"{key}.json"
    if use_cache and cache.is_file():
        d = json.loads(cache.read_text())
        return SynthResult(name, module, params, d["ok"], Resources(**d["resources"]), d["cells"],
                           d.get("error", ""), d.get("seconds", 0.0), cached=True)
    if cache_only:
        return SynthResult(name, module, params, False, Resources(), {},
                           "not synthesised yet (scripts/resources.py runs yosys)")
    if not have_yosys():
        return SynthResult(name, module, params, False, Resources(), {},
                           "yosys not installed (Debian: apt-get install yosys)")
    work = CACHE / key
    work.mkdir(exist_ok=True)
    stat_json = work / "stat.json"
    (work / "synth.ys").write_text(_script(module, params, sources, stat_json))
    import time
    t0 = time.time()
    try:
        r = subprocess.run(["yosys", "-q", "-l", str(work / "yosys.log"), "-s", "synth.ys"],
                           cwd=work, capture_output=True, text=True, timeout=timeout_s,
                           preexec_fn=_limit_memory)
        ok = r.returncode == 0 and stat_json.is_file()
        err = "" if ok else _first_error(r.stdout + r.stderr, work / "yosys.log")
        if not ok and (r.returncode < 0 or "bad_alloc" in err or "out of memory" in err):
            err = (f"yosys stopped (exit {r.returncode}) at the {MEM_LIMIT_GIB} GiB memory cap: "
                   f"{err}")
    except subprocess.TimeoutExpired:
        ok, err = False, f"yosys timed out after {timeout_s:.0f} s"
    secs = time.time() - t0
    cells: dict[str, int] = {}
    if ok:
        st = json.loads(stat_json.read_text())
        top = st.get("design", {})
        cells = {k: int(v) for k, v in top.get("num_cells_by_type", {}).items()}
    res = resources_from_cells(cells) if ok else Resources()
    cache.write_text(json.dumps({"ok": ok, "resources": res.as_dict(), "cells": cells,
                                 "error": err, "seconds": secs, "module": module,
                                 "params": params}, indent=1))
    return SynthResult(name, module, params, ok, res, cells, err, secs)


def _first_error(out: str, log: Path) -> str:
    text = out + (log.read_text() if log.is_file() else "")
    for line in text.splitlines():
        if "ERROR" in line:
            return line.strip()[:300]
    return text.strip().splitlines()[-1][:300] if text.strip() else "yosys failed"
