"""Equivalence of the two HP/DDR memory models on the same DMA job (docs/memory-model.md).

One cocotb test, ``test_memeq_job``, runs in both builds of tb_memeq:

* SV_MEM=0: cocotb ``Clock`` + ``HpMemory`` (tb/common/axi_mem.py, cocotbext-axi);
* SV_MEM=1: ``sv_clk_gen`` + ``hp_ddr_model`` (tb/common/sv/, instances ``u_clk`` / ``u_mem``),
  cocotb polls with ``Timer``.

The job (four axi_dma engines, one per HP port: copies, reads, writes) and the memory
configuration come from ``job_spec(case, seed)``, so both runs of a seed see the same job and the
same ``MemConfig``. Each run checks its own results against the golden image / checksums and
writes them to ``$MEMEQ_OUT`` (JSON); tests/test_memeq.py compares the two files: identical
results, cycle counts within 2 %.
"""

from __future__ import annotations

import hashlib
import json
import os
import time
from dataclasses import asdict, dataclass

import cocotb
import numpy as np
from cocotb.triggers import RisingEdge

from tb.common.axi_mem import BEAT_BYTES, HpMemory, MemConfig
from tb.common.env import start_clock_reset, test_rng, wait_until
from tb.common.fastsim import (
    FAST_ARGS,
    MODE_COPY,
    MODE_READ,
    MODE_WRITE,
    SV_SOURCES,
    SvClock,
    SvMemory,
    checksum,
)
from tb.common.runner import Block

DMA_SOURCES = ("dma/axi_dma_fifo.sv", "dma/axi_dma_burst.sv", "dma/axi_dma_rd.sv",
               "dma/axi_dma_wr.sv", "dma/axi_dma.sv")
BLOCK = Block("memeq", sources=DMA_SOURCES + SV_SOURCES + ("../tb/common/sv/dma_job.sv",),
              parameters={"SV_MEM": 0, "ADDR_W": 32, "ID_W": 4, "MEM_BYTES": 1 << 20,
                          "MAX_OUT": 16, "N_ERR": 4, "W_BUF": 2, "MAX_BURST": 16,
                          "MAX_OUTSTANDING": 8, "PERIOD_PS": 4000},
              extra_args=FAST_ARGS)
PREFIXES = [f"m_axi_hp{i}" for i in range(4)]
MEM_BYTES = 1 << 20
CASES = ("bench", "cap2", "cap1_5", "errors", "rand", "nocontention")
STS = {"OKAY": 0, "SLVERR": 2, "DECERR": 3}


@dataclass
class DmaJob:
    port: int
    mode: int
    src: int
    dst: int
    nbytes: int
    seed: int


def job_spec(case: str, seed: int) -> tuple[MemConfig, list[DmaJob], int]:
    """(memory configuration, one job per port, seed of the source data) of a test case."""
    rng = np.random.default_rng([seed, CASES.index(case)])
    kib = 1024
    # 32 KiB copies on ports 0 and 1, a 64 KiB read on port 2, a 64 KiB write on port 3
    jobs = [DmaJob(0, MODE_COPY, 0x00000, 0x40000, 32 * kib, 11),
            DmaJob(1, MODE_COPY, 0x10000, 0x50000, 32 * kib, 12),
            DmaJob(2, MODE_READ, 0x20000, 0, 64 * kib, 13),
            DmaJob(3, MODE_WRITE, 0, 0x60000, 64 * kib, 14)]
    if case == "bench":
        cfg = MemConfig.bench()
    elif case == "cap2":
        cfg = MemConfig.bench(cap=2.0)
    elif case == "cap1_5":
        cfg = MemConfig(latency=30, cap=1.5, b_latency=8, max_outstanding=4)
    elif case == "errors":
        cfg = MemConfig(latency=40, b_latency=6)
        cfg.add_error(0x20000 + 0x1230, 0x20000 + 0x1480, "SLVERR")          # port 2 reads
        cfg.add_error(0x60000 + 0x2000, 0x60000 + 0x2010, "DECERR")          # port 3 writes
        cfg.add_error(0x00000 + 0x0100, 0x00000 + 0x0200, "SLVERR", writes=False)  # port 0 src
    elif case == "nocontention":
        cfg = MemConfig(latency=60, cap=8.0)       # 8 channels >= the 6 streams: no tie-breaks
    elif case == "rand":
        cap = [None, 1.0, 2.5, 3.0, 4.0][int(rng.integers(0, 5))]
        cfg = MemConfig(latency=int(rng.integers(10, 81)), cap=cap,
                        b_latency=int(rng.integers(2, 17)),
                        max_outstanding=int(rng.integers(2, 17)))
        jobs = []
        for p in range(4):
            mode = int(rng.integers(1, 4))
            n = int(rng.integers(4, 17)) * 2 * kib + int(rng.integers(0, 64)) * BEAT_BYTES
            src = 0x10000 * p + int(rng.integers(0, 0x400)) * BEAT_BYTES
            dst = 0x80000 + 0x10000 * p + int(rng.integers(0, 0x400)) * BEAT_BYTES
            jobs.append(DmaJob(p, mode, src, dst, n, int(rng.integers(1, 1 << 31))))
    else:
        raise ValueError(f"unknown memeq case {case!r}; known: {CASES}")
    return cfg, jobs, int(rng.integers(1, 1 << 31))


def source_image(jobs: list[DmaJob], data_seed: int) -> dict[int, bytes]:
    """Random contents of every read source region."""
    rng = np.random.default_rng(data_seed)
    return {j.port: rng.integers(0, 256, j.nbytes, dtype=np.uint8).tobytes()
            for j in jobs if j.mode & MODE_READ}


def expected(cfg: MemConfig, jobs: list[DmaJob], src: dict[int, bytes]) -> tuple[dict, bytes]:
    """Golden per-port results and the final memory image (errors as axi_mem.py models them)."""
    image = bytearray(MEM_BYTES)
    for p, data in src.items():
        j = jobs[p]
        image[j.src:j.src + j.nbytes] = data

    def region_resp(a: int, write: bool) -> int:
        for r in cfg.errors:
            if (r.writes if write else r.reads) and r.lo < a + BEAT_BYTES and a < r.hi:
                return int(r.resp)
        return 0

    res = {}
    for j in jobs:
        out = {"rd_sts": 0, "wr_sts": 0, "rd_beats": 0, "rd_user": 0, "wr_beats": 0, "chk": 0}
        beats = j.nbytes // BEAT_BYTES
        stream = b""
        if j.mode & MODE_READ:
            got = bytearray(image[j.src:j.src + j.nbytes])
            for k in range(beats):
                resp = region_resp(j.src + k * BEAT_BYTES, write=False)
                if resp:
                    got[k * BEAT_BYTES:(k + 1) * BEAT_BYTES] = bytes(BEAT_BYTES)
                    out["rd_user"] += 1
                    out["rd_sts"] = out["rd_sts"] or resp
            stream = bytes(got)
            out["rd_beats"] = beats
            out["chk"] = checksum(stream)
        if j.mode & MODE_WRITE:
            if j.mode == MODE_WRITE:
                stream = pattern(j.dst, beats, j.seed)
            for k in range(beats):
                a = j.dst + k * BEAT_BYTES
                resp = region_resp(a, write=True)
                if resp:
                    out["wr_sts"] = out["wr_sts"] or resp
                else:
                    image[a:a + BEAT_BYTES] = stream[k * BEAT_BYTES:(k + 1) * BEAT_BYTES]
            out["wr_beats"] = beats
        res[j.port] = out
    return res, bytes(image)


def pattern(dst: int, beats: int, seed: int) -> bytes:
    """dma_job / axi_tgen write pattern of ``beats`` beats from ``dst``."""
    a = (dst + BEAT_BYTES * np.arange(beats, dtype=np.uint64)).astype(np.uint32)
    s = np.uint32(seed)
    w = np.stack([a ^ s, ~a, a * np.uint32(0x9E3779B1), s ^ np.uint32(0x5A5A5A5A) ^ (a << 7)],
                 axis=1).astype("<u4")
    return w.tobytes()


def program(dut, jobs: list[DmaJob]) -> int:
    """Write the dj_* job registers (start low); returns the start mask."""
    dut.dj_start.value = 0
    mask = 0
    for j in jobs:
        dut.dj_mode[j.port].value = j.mode
        dut.dj_src[j.port].value = j.src
        dut.dj_dst[j.port].value = j.dst
        dut.dj_len[j.port].value = j.nbytes
        dut.dj_seed[j.port].value = j.seed
        mask |= 1 << j.port
    return mask


def collect(dut, jobs: list[DmaJob]) -> dict[int, dict]:
    out = {}
    for j in jobs:
        p = j.port
        out[p] = {"cycles": int(dut.dj_cycles[p].value), "rd_sts": int(dut.dj_rd_sts[p].value),
                  "wr_sts": int(dut.dj_wr_sts[p].value),
                  "rd_beats": int(dut.dj_rd_beats[p].value),
                  "rd_user": int(dut.dj_rd_user[p].value),
                  "wr_beats": int(dut.dj_wr_beats[p].value), "chk": int(dut.dj_chk[p].value)}
    return out


def budget(cfg: MemConfig, jobs: list[DmaJob]) -> int:
    beats = sum(j.nbytes // BEAT_BYTES * (2 if j.mode == MODE_COPY else 1) for j in jobs)
    cap = 4.0 if cfg.cap is None else min(cfg.cap, 4.0)
    return int(4 * (beats / cap + 20 * cfg.latency)) + 5000


@cocotb.test()
async def test_memeq_job(dut):
    """Run the case's DMA job on this build's memory model; check it; write the results."""
    case = os.environ.get("MEMEQ_CASE", "bench")
    test_rng(dut, "test_memeq_job")            # logs the seed; the job is job_spec(case, seed)
    seed = int(cocotb.RANDOM_SEED)
    cfg, jobs, data_seed = job_spec(case, seed)
    src = source_image(jobs, data_seed)
    exp, exp_image = expected(cfg, jobs, src)
    sv = int(dut.SV_MEM.value) == 1
    path = "sv" if sv else "cocotb"
    dut._log.info("case %s (%s path): %s; jobs %s", case, path, cfg.describe(), jobs)
    max_cycles = budget(cfg, jobs)

    if sv:
        clk = SvClock(dut.u_clk)
        await clk.start()
        dut.dj_start.value = 0
        mem = SvMemory(dut.u_mem, clk)
        mem.configure(cfg)
        await clk.reset()
        for p, data in src.items():
            await mem.load(jobs[p].src, data)
        mask = program(dut, jobs)
        await clk.cycles(1)
        dut.dj_start.value = mask
        t0, c0 = time.perf_counter(), time.process_time()
        await clk.cycles(2)
        await clk.wait_until(lambda: (int(dut.dj_done.value) & mask) == mask, max_cycles,
                             "DMA jobs", poll=256)
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        image = await mem.dump(0, MEM_BYTES)
        mem.check()
        dut._log.info(mem.summary())
    else:
        dut.dj_start.value = 0
        await start_clock_reset(dut)
        # created after reset: every channel coroutine starts from the same state whatever the
        # random initial values were (fewer seed-dependent tie-breaks, see docs/memory-model.md)
        mem = HpMemory(dut, dut.clk_i, dut.rst_ni, PREFIXES, cfg, size=MEM_BYTES)
        for p, data in src.items():
            mem.write(jobs[p].src, data)
        mask = program(dut, jobs)
        await RisingEdge(dut.clk_i)
        dut.dj_start.value = mask
        t0, c0 = time.perf_counter(), time.process_time()
        await RisingEdge(dut.clk_i)
        await RisingEdge(dut.clk_i)
        await wait_until(dut.clk_i, lambda: (int(dut.dj_done.value) & mask) == mask,
                         max_cycles, "DMA jobs")
        wall, cpu = time.perf_counter() - t0, time.process_time() - c0
        image = mem.read(0, MEM_BYTES)
        assert not mem.protocol_errors, mem.protocol_errors
        dut._log.info(mem.summary())

    got = collect(dut, jobs)
    cycles = max(r["cycles"] for r in got.values())
    dut._log.info("%s path: job done in %d cycles, %.3f s wall (%.0f cycles/s), %.3f s CPU "
                  "(%.0f cycles/s)", path, cycles, wall, cycles / wall, cpu, cycles / cpu)
    for p, r in got.items():
        dut._log.info("  port %d: %s", p, {k: (hex(v) if k == "chk" else v) for k, v in r.items()})
        want = exp[p]
        for k, v in want.items():
            assert r[k] == v, f"port {p} {k}: got {r[k]:#x}, expected {v:#x}"
    assert image == exp_image, "final memory image differs from the golden image"
    out = os.environ.get("MEMEQ_OUT")
    if out:
        with open(out, "w") as fh:
            json.dump({"path": path, "case": case, "seed": seed, "cycles": cycles,
                       "wall_s": wall, "cpu_s": cpu, "ports": {str(p): r for p, r in got.items()},
                       "image_sha256": hashlib.sha256(image).hexdigest(),
                       "jobs": [asdict(j) for j in jobs]}, fh, indent=1)
