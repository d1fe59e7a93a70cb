"""Build and run one block's cocotb testbench on Verilator (through cocotb-test).

* One Verilator build directory per block + parameter set + flags, reused while the sources'
  content is unchanged (a stamp holds a hash of sources and command line), built under a file
  lock so that pytest-xdist workers never build the same directory concurrently.
* Every run gets its own directory (results.xml, optional dump.fst + GTKWave save file), so
  parallel seeds of one build never collide.
* WAVES=1 (or waves=True) builds with --trace-fst and runs with --trace.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
RTL = REPO / "rtl"
BUILD_ROOT = Path(os.environ.get("PDSWAP_BUILD", REPO / "sim_build"))
MIN_VERILATOR = (5, 6)
DEBIAN_HINT = ("install it with: sudo apt-get install verilator g++ make "
               "(Debian 12 / Ubuntu 24.04 ship Verilator >= 5.006)")

# Verilator is 2-state: randomise uninitialised state so that a missing reset shows up.
COMPILE_ARGS = ["--x-assign", "unique", "--x-initial", "unique"]
# Verilator's runtime library objects are shared by all builds through tb/common/objcache.sh;
# a block's make_args come after these and win (e.g. the end-to-end fast path's OPT_FAST=-O3).
# -O1 for the model: measured on rm_prefill (tiny) it builds in 28 s against 32 s with
# Verilator's default -Os and its cocotb-driven runs are no slower (3.0 s against 3.9 s).
OBJCACHE = Path(__file__).resolve().parent / "objcache.sh"
MAKE_ARGS = [f"OBJCACHE={OBJCACHE}", "OPT_FAST=-O1"]


def check_verilator() -> str:
    """Return the Verilator version string or exit with a message naming the Debian packages."""
    exe = shutil.which("verilator")
    if exe is None:
        sys.exit(f"pdswap: Verilator not found on PATH; {DEBIAN_HINT}")
    out = subprocess.run([exe, "--version"], capture_output=True, text=True).stdout
    m = re.search(r"Verilator (\d+)\.(\d+)", out)
    if not m or (int(m.group(1)), int(m.group(2))) < MIN_VERILATOR:
        sys.exit(f"pdswap: need Verilator >= {MIN_VERILATOR[0]}.{MIN_VERILATOR[1]:03d}, "
                 f"found {out.strip() or 'unknown'}; {DEBIAN_HINT}")
    return out.strip()


@dataclass(frozen=True)
class Block:
    """One testbench: a port-less tb_<name> wrapper around the DUT plus its cocotb module."""

    name: str
    sources: tuple[str, ...]                # RTL paths relative to rtl/
    parameters: dict[str, int] = field(default_factory=dict)   # wrapper defaults
    extra_args: tuple[str, ...] = ()
    # None: cocotb's default --public-flat-rw (every signal visible, slower model). A path to a
    # Verilator config file (.vlt, relative to the tb folder) instead makes only the signals it
    # lists public, which lets Verilator optimise the rest (the fast end-to-end path).
    public_vlt: str | None = None
    make_args: tuple[str, ...] = ()         # e.g. ("OPT_FAST=-O3",) for long simulations

    @property
    def tb_dir(self) -> Path:
        return REPO / "tb" / self.name

    @property
    def toplevel(self) -> str:
        return f"tb_{self.name}"

    @property
    def module(self) -> str:
        return f"tb.{self.name}.test_{self.name}"

    def source_paths(self) -> list[Path]:
        paths = [RTL / s for s in self.sources] + [self.tb_dir / f"{self.toplevel}.sv"]
        for p in paths:
            if not p.is_file():
                raise FileNotFoundError(f"block {self.name!r}: missing source {p}")
        return paths


@dataclass
class RunResult:
    run_dir: Path
    results: Path
    tests: int
    failures: int
    wave: Path | None

    def summary(self) -> str:
        return f"{self.tests} cocotb test(s), {self.failures} failed, run dir {self.run_dir}"


def _key(block: Block, params: dict[str, int], waves: bool) -> str:
    pstr = "-".join(f"{k}{v}" for k, v in sorted(params.items()))
    h = hashlib.sha1(repr((sorted(params.items()), waves, block.extra_args, block.public_vlt,
                           block.make_args, COMPILE_ARGS)).encode()).hexdigest()[:8]
    name = f"{block.name}-{pstr}"[:80]
    return f"{name}-{'w' if waves else 'n'}{h}"


def _fingerprint(paths: list[Path], cmdline: str) -> str:
    h = hashlib.sha1(cmdline.encode())
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()


def _simulator(block: Block, params: dict[str, int], build_dir: Path, waves: bool,
               run_dir: Path | None = None, **kw: object):
    from cocotb_test.simulator import Verilator  # imported late: heavy

    return Verilator(
        toplevel=block.toplevel,
        module=block.module,
        verilog_sources=[str(p) for p in block.source_paths()],
        includes=[str(RTL), *(str(d) for d in sorted(RTL.iterdir()) if d.is_dir())],
        parameters=params,
        compile_args=COMPILE_ARGS + list(block.extra_args),
        sim_build=str(build_dir),
        work_dir=str(run_dir) if run_dir else None,
        python_search=[str(REPO), str(REPO / "models"), str(REPO / "sw")],
        waves=waves,
        compile_only=True,
        make_args=MAKE_ARGS + list(block.make_args),
        **kw,
    )


def build(block: Block, params: dict[str, int] | None = None, waves: bool = False) -> Path:
    """Build (or reuse) the Verilator model of ``block`` with ``params``; returns its directory."""
    check_verilator()
    p = {**block.parameters, **(params or {})}
    build_dir = BUILD_ROOT / _key(block, p, waves)
    build_dir.mkdir(parents=True, exist_ok=True)
    sim = _simulator(block, p, build_dir, waves)
    cmds = sim.build_command()
    if block.public_vlt is not None:
        vlt = str(block.tb_dir / block.public_vlt)
        cmds[0] = [a for a in cmds[0] if a != "--public-flat-rw"]
        cmds[0].insert(cmds[0].index("--vpi") + 1, vlt)
    fp = _fingerprint(block.source_paths() + ([block.tb_dir / block.public_vlt]
                                              if block.public_vlt else []), repr(cmds))
    stamp = build_dir / "pdswap.stamp"
    with open(build_dir / ".lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        exe = build_dir / block.toplevel
        if exe.is_file() and stamp.is_file() and stamp.read_text() == fp:
            return build_dir
        stamp.unlink(missing_ok=True)
        t0 = time.time()
        log = build_dir / "build.log"
        env = {**os.environ, "PDSWAP_OBJCACHE_DIR": str(BUILD_ROOT / ".objcache")}
        with open(log, "w") as fh:
            for cmd in cmds:
                r = subprocess.run(cmd, stdout=fh, stderr=subprocess.STDOUT, cwd=build_dir, env=env)
                if r.returncode:
                    tail = log.read_text()[-4000:]
                    raise RuntimeError(f"Verilator build of {block.name} failed "
                                       f"(exit {r.returncode}); log {log}:\n{tail}")
        stamp.write_text(fp)
        _note_time("build", build_dir.name, "", time.time() - t0)
    return build_dir


def _note_time(kind: str, build: str, run_name: str, seconds: float) -> None:
    """Append to sim_build/timing.csv (what the regression spends where; see README)."""
    try:
        with open(BUILD_ROOT / "timing.csv", "a") as fh:
            fh.write(f"{kind},{build},{run_name},{seconds:.2f}\n")
    except OSError:
        pass


def run(block: Block, params: dict[str, int] | None = None, seed: int = 1,
        testcase: str | None = None, waves: bool | None = None, timeout_s: float = 1800.0,
        extra_env: dict[str, str] | None = None, tag: str = "", echo: bool = True,
        plusargs: tuple[str, ...] | list[str] = ()) -> RunResult:
    """Run the cocotb tests of ``block`` (all, or ``testcase``) with a fixed random seed.

    ``plusargs`` are passed to the simulator (e.g. ``+hpmem_latency=60``, see fastsim.plusargs).
    Raises AssertionError if any cocotb test fails or none ran.
    """
    if waves is None:
        waves = os.environ.get("WAVES", "0") not in ("", "0")
    p = {**block.parameters, **(params or {})}
    build_dir = build(block, p, waves)
    run_name = f"{testcase or 'all'}{'-' + tag if tag else ''}-s{seed}"
    run_dir = build_dir / "runs" / run_name
    (build_dir / "runs").mkdir(exist_ok=True)
    # a second process running the same testcase/seed/tag at once gets its own directory
    run_lock = open(build_dir / "runs" / f".{run_name}.lock", "w")  # noqa: SIM115 (held to the end)
    try:
        fcntl.flock(run_lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        run_lock.close()
        run_lock = open(os.devnull, "w")  # noqa: SIM115
        run_dir = build_dir / "runs" / f"{run_name}-p{os.getpid()}"
    if run_dir.exists():
        shutil.rmtree(run_dir)
    run_dir.mkdir(parents=True)
    results = run_dir / "results.xml"
    env = {"RANDOM_SEED": str(seed), "COCOTB_RESULTS_FILE": str(results),
           "PDSWAP_BLOCK": block.name,
           "PDSWAP_PARAMS_CLI": " ".join(f"{k}={v}" for k, v in sorted((params or {}).items())),
           "COCOTB_REDUCED_LOG_FMT": "1",
           # numpy's BLAS threads would spin next to the simulator on the 2-core machines
           "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", **(extra_env or {})}
    sim = _simulator(block, p, build_dir, waves, run_dir=run_dir, testcase=testcase,
                     seed=seed, extra_env=env)
    sim.set_env()
    # cocotb-test's set_env() copies os.environ over the per-run settings; `make` exports
    # TESTCASE= (empty) and a user may export RANDOM_SEED, which would silently run every
    # cocotb test of the module (or another seed) in each pytest item. Re-apply ours.
    sim.env.update(env)
    sim.env.pop("TESTCASE", None)
    if testcase:
        sim.env["TESTCASE"] = testcase
    plus = [f"+verilator+seed+{seed}", "+verilator+rand+reset+2", *plusargs]
    wave = None
    if waves:
        wave = run_dir / "dump.fst"
        plus += ["--trace", "--trace-file", str(wave)]
    cmd = [str(build_dir / block.toplevel), *plus]
    log = run_dir / "sim.log"
    t0 = time.time()
    with open(log, "w") as fh:
        proc = subprocess.run(cmd, cwd=run_dir, env=sim.env, stdout=fh, stderr=subprocess.STDOUT,
                              timeout=timeout_s)
    _note_time("run", build_dir.name, run_dir.name, time.time() - t0)
    if echo:  # pytest shows it for failing tests; `make sim MODULE=` prints it
        sys.stdout.write(log.read_text()[-20000:])
    if waves:
        _write_gtkw(block, run_dir, wave)
    if not results.is_file():
        raise AssertionError(f"{block.name}: simulator exited {proc.returncode} without results; "
                             f"log {log}")
    run_lock.close()
    tests, failures = _parse_results(results)
    res = RunResult(run_dir, results, tests, failures, wave)
    if tests == 0:
        raise AssertionError(f"{block.name}: no cocotb test ran (testcase={testcase!r}); log {log}")
    if testcase and tests != len(testcase.split(",")):
        raise AssertionError(f"{block.name}: TESTCASE={testcase!r} but {tests} cocotb tests ran; "
                             f"log {log}")
    if failures:
        raise AssertionError(f"{block.name}: {res.summary()}; replay with RANDOM_SEED={seed}; "
                             f"log {log}")
    return res


def _parse_results(path: Path) -> tuple[int, int]:
    tests = failures = 0
    for tc in ET.parse(path).iter("testcase"):
        tests += 1
        if tc.find("failure") is not None or tc.find("error") is not None:
            failures += 1
    return tests, failures


def _write_gtkw(block: Block, run_dir: Path, wave: Path | None) -> None:
    """Copy the block's GTKWave save file next to the FST, pointing at it."""
    src = block.tb_dir / f"{block.name}.gtkw"
    if wave is None or not src.is_file():
        return
    text = re.sub(r'^\[dumpfile\].*$', f'[dumpfile] "{wave}"', src.read_text(), flags=re.M)
    (run_dir / src.name).write_text(text)
