"""Equivalence of the cocotbext-axi HP memory model and the SV one on the same DMA job.

For each case and seed: run tb_memeq once with SV_MEM=0 (cocotb Clock + HpMemory) and once with
SV_MEM=1 (SV clock + hp_ddr_model), both from the same MemConfig (tb/memeq/test_memeq.py
job_spec). Each run checks itself against the golden model; here the two must give identical
results (statuses, beat counts, checksums, final memory image) and job cycle counts within 2 %.

Per-port cycle counts: when more streams want the memory than it has bandwidth channels, the
two models may break ties between address handshakes of the same edge differently (HpMemory in
cocotb's coroutine order, hp_ddr_model in port order, AR before AW), which moves bandwidth
between ports by a few bursts; they must agree within 5 % (docs/memory-model.md). Without
contention ("nocontention") they must agree exactly.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tb.common.runner import build, run
from tb.memeq.test_memeq import BLOCK, CASES

JOB_TOLERANCE = 0.02
PORT_TOLERANCE = 0.05
EXACT = ("nocontention",)


def run_path(case: str, seed: int, sv_mem: int, tmp_path: Path) -> dict:
    out = tmp_path / f"memeq-{case}-{'sv' if sv_mem else 'cocotb'}.json"
    run(BLOCK, {"SV_MEM": sv_mem}, seed=seed, tag=case,
        extra_env={"MEMEQ_CASE": case, "MEMEQ_OUT": str(out)})
    return json.loads(out.read_text())


def rel(a: int, b: int) -> float:
    return abs(a - b) / max(a, 1)


@pytest.mark.parametrize("case", CASES)
def test_memeq_equivalence(case: str, seed: int, tmp_path: Path) -> None:
    a = run_path(case, seed, 0, tmp_path)
    b = run_path(case, seed, 1, tmp_path)
    assert a["jobs"] == b["jobs"]
    lines = [f"memeq {case} seed {seed}: job cycles cocotb {a['cycles']} SV {b['cycles']} "
             f"({100 * rel(a['cycles'], b['cycles']):.2f} %); cocotb path "
             f"{a['cycles'] / a['cpu_s']:.0f} cycles/CPU-s, SV path "
             f"{b['cycles'] / b['cpu_s']:.0f} cycles/CPU-s"]
    bad = []
    if a["image_sha256"] != b["image_sha256"]:
        bad.append("final memory images differ")
    if rel(a["cycles"], b["cycles"]) > JOB_TOLERANCE:
        bad.append(f"job cycles differ by more than {100 * JOB_TOLERANCE:g} %")
    tol = 0.0 if case in EXACT else PORT_TOLERANCE
    for p, ra in a["ports"].items():
        rb = b["ports"][p]
        bad += [f"port {p} {k}: cocotb {ra[k]} != SV {rb[k]}" for k in ra
                if k != "cycles" and ra[k] != rb[k]]
        d = rel(ra["cycles"], rb["cycles"])
        lines.append(f"  port {p}: cycles cocotb {ra['cycles']} SV {rb['cycles']} "
                     f"({100 * d:.2f} %)")
        if d > tol:
            bad.append(f"port {p}: cycles differ by {100 * d:.2f} % > {100 * tol:g} %")
    print("\n".join(lines))
    assert not bad, "\n".join(lines + bad)


def test_memeq_bad_param() -> None:
    with pytest.raises(RuntimeError) as exc:
        build(BLOCK, {"SV_MEM": 2})
    assert "tb_memeq: SV_MEM=2 must be 0" in str(exc.value)
