"""cocotb tests of tlmm: the ternary table-lookup linear engine, bit-exact vs ops_int.linear_int."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass

import cocotb
import numpy as np
from bitnet_golden.ops_int import NORM_OUT_BITS, act_quant_int, linear_int
from bitnet_golden.quant import TernaryLinear
from bitnet_golden.shapes import get_shape
from bitnet_golden.tlmm import image_ints, image_words, pack_images, tlmm_cycles, weight_banks
from bitnet_golden.weights import random_weights
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge
from cocotbext.axi import AxiStreamFrame

from tb.common.env import handshake, start_clock_reset, test_rng, wait_until
from tb.common.runner import Block
from tb.common.scoreboard import Scoreboard
from tb.common.streams import pack_ints, stream_sink, stream_source, unpack_ints

BLOCK = Block("tlmm", sources=("tlmm/tlmm_table.sv", "tlmm/tlmm.sv"),
              parameters={"G": 5, "LANES": 32, "ROWS": 1, "IN_LANES": 16, "N_MAX": 512,
                          "K_MAX": 512, "WDEPTH": 8192, "HALF": 1})
MAX28 = (1 << (NORM_OUT_BITS - 1)) - 1
PROJ_SHAPES = {"qkvo": "q", "gateup": "up", "down": "down"}   # projection class -> weight name


@dataclass
class Matrix:
    """A ternary matrix with its requantisation constants and weight-memory base address."""

    wq: np.ndarray
    wmul: int
    wshift: int
    base: int = 0

    @property
    def n(self) -> int:
        return int(self.wq.shape[0])

    @property
    def k(self) -> int:
        return int(self.wq.shape[1])


class TB:
    def __init__(self, dut, name: str, p_stall: float = 0.3):
        self.dut = dut
        self.rng = test_rng(dut, name)
        self.p = {k: int(getattr(dut, k).value) for k in
                  ("G", "LANES", "ROWS", "IN_LANES", "N_MAX", "K_MAX", "WDEPTH")}
        self.g, self.lanes, self.rows = self.p["G"], self.p["LANES"], self.p["ROWS"]
        self.in_lanes = self.p["IN_LANES"]
        self.src = stream_source(dut, "s_axis", dut.clk_i, self.rng, p_stall)
        self.snk = stream_sink(dut, "m_axis", dut.clk_i, self.rng, p_stall)
        self.sb = Scoreboard("tlmm rows", dut._log)
        self.jobs: list[dict[str, float]] = []

    async def start(self) -> None:
        d = self.dut
        d.wmem_we_i.value = 0
        d.wmem_addr_i.value = 0
        d.wmem_wdata_i.value = 0
        d.cfg_valid_i.value = 0
        d.cnt_clr_i.value = 0
        for sig in ("cfg_n_i", "cfg_k_i", "cfg_m_i", "cfg_wbase_i", "cfg_wmul_i", "cfg_wshift_i"):
            getattr(d, sig).value = 0
        await start_clock_reset(d)

    # ---------------------------------------------------------------- weights
    async def load(self, mats: dict[str, Matrix], base: int = 0) -> None:
        """Build the image of `mats`, write it through the weight port, set each base."""
        img, bases = pack_images({k: m.wq for k, m in mats.items()}, self.g, self.lanes, base)
        assert base + img.shape[0] <= self.p["WDEPTH"], "test image larger than WDEPTH"
        for name, b in bases.items():
            mats[name].base = b
        d = self.dut
        for i, word in enumerate(image_ints(img)):
            d.wmem_we_i.value = 1
            d.wmem_addr_i.value = base + i
            d.wmem_wdata_i.value = word
            await RisingEdge(d.clk_i)
        d.wmem_we_i.value = 0

    # ---------------------------------------------------------------- one job
    async def configure(self, n: int, k: int, m: int, wbase: int, wmul: int, wshift: int) -> None:
        d = self.dut
        d.cfg_n_i.value = n
        d.cfg_k_i.value = k
        d.cfg_m_i.value = m
        d.cfg_wbase_i.value = wbase
        d.cfg_wmul_i.value = wmul
        d.cfg_wshift_i.value = wshift
        await handshake(d.clk_i, d.cfg_valid_i, d.cfg_ready_o, 1000, "cfg")

    async def clear_counters(self) -> None:
        self.dut.cnt_clr_i.value = 1
        await RisingEdge(self.dut.clk_i)
        self.dut.cnt_clr_i.value = 0

    def counters(self) -> dict[str, int]:
        d = self.dut
        return {"busy": int(d.cnt_busy_o.value), "lookups": int(d.cnt_lookup_o.value),
                "stall_in": int(d.cnt_stall_in_o.value), "stall_out": int(d.cnt_stall_out_o.value)}

    async def run_job(self, mat: Matrix, xq: np.ndarray, amax: np.ndarray,
                      tag: str = "") -> dict[str, int]:
        """Run one projection of the rows xq [M, K] (int8) with per-row amax; check every row."""
        m_rows, k = xq.shape
        assert k == mat.k
        n = mat.n
        exp = linear_int(xq, amax.reshape(-1, 1), mat.wq, mat.wmul, mat.wshift)
        pad = (-n) % 4
        for r in range(m_rows):
            self.sb.expect(np.concatenate([exp[r], np.zeros(pad, dtype=np.int64)]))
        budget = 8 * tlmm_cycles(n, k, m_rows, self.g, self.lanes, self.rows, self.in_lanes) + 2000
        await self.clear_counters()
        await self.configure(n, k, m_rows, mat.base, mat.wmul, mat.wshift)
        collector = cocotb.start_soon(self.collect(m_rows, budget))
        for r in range(m_rows):
            frame = AxiStreamFrame(pack_ints(xq[r], 8, self.in_lanes), tuser=int(amax[r]))
            await self.src.send(frame)
        await collector
        await wait_until(self.dut.clk_i, lambda: not int(self.dut.busy_o.value), budget, "job end")
        await RisingEdge(self.dut.clk_i)
        c = self.counters()
        c.update(n=n, k=k, m=m_rows)
        self.dut._log.info("tlmm job %s N=%d K=%d M=%d: %s", tag, n, k, m_rows, c)
        assert int(self.dut.err_len_o.value) == 0, "unexpected row-length error"
        assert int(self.dut.err_cfg_o.value) == 0, "unexpected config error"
        self.jobs.append(c)
        return c

    async def collect(self, n_rows: int, max_cycles: int) -> None:
        for _ in range(n_rows):
            await wait_until(self.dut.clk_i, lambda: not self.snk.empty(), max_cycles, "output row")
            frame = self.snk.recv_nowait()
            self.sb.observe(unpack_ints(frame.tdata, 32))

    def check(self) -> None:
        self.sb.check()


# -------------------------------------------------------------------- stimulus
def act_rows(rng: np.random.Generator, m: int, k: int) -> tuple[np.ndarray, np.ndarray]:
    """RMSNorm-like Q.16 rows at random magnitudes through the golden quantizer: (xq, amax)."""
    scale = 2.0 ** rng.uniform(4, 26, size=(m, 1))
    y = np.clip(np.round(rng.standard_normal((m, k)) * scale), -MAX28, MAX28).astype(np.int64)
    xq, amax = act_quant_int(y)
    return xq, amax[:, 0]


def model_mats(shape: str, seed: int, layer: int = 0) -> dict[str, Matrix]:
    """The three projection classes of one layer of random_weights(shape)."""
    w = random_weights(get_shape(shape), seed=seed)
    out = {}
    for cls, name in PROJ_SHAPES.items():
        p = w.layers[layer].proj[name]
        out[cls] = Matrix(p.wq.astype(np.int64), p.wmul, p.wshift)
    return out


def random_mat(rng: np.random.Generator, n: int, k: int) -> Matrix:
    """Seeded random float weights quantised with the BitNet absmean quantizer."""
    tl = TernaryLinear.from_float(rng.normal(0.0, 1.0 / np.sqrt(k), size=(n, k)))  # weight_quant
    return Matrix(tl.wq.astype(np.int64), tl.wmul, tl.wshift)


def const_mat(n: int, k: int, value: int) -> Matrix:
    tl = TernaryLinear.from_ternary(np.full((n, k), value, dtype=np.int8), 1.0)
    return Matrix(tl.wq.astype(np.int64), tl.wmul, tl.wshift)


# -------------------------------------------------------------------- tests
async def model_shapes(dut, name: str, shape: str, ms: tuple[int, ...]) -> None:
    tb = TB(dut, name)
    await tb.start()
    mats = model_mats(shape, seed=int(tb.rng.integers(1 << 16)))
    together = sum(image_words(m.n, m.k, tb.g, tb.lanes) for m in mats.values()) <= tb.p["WDEPTH"]
    if together:                      # several matrices resident, each job names its base
        await tb.load(mats)
    for cls, mat in mats.items():
        if not together:
            await tb.load({cls: mat})
        for m in ms:
            xq, amax = act_rows(tb.rng, m, mat.k)
            await tb.run_job(mat, xq, amax, tag=f"{shape}/{cls}")
    tb.check()


@cocotb.test()
async def test_tlmm_tiny(dut):
    """tiny (d 64, ffn 128): Q/K/V/O, gate/up and down shapes; decode (M=1) and prefill (7, 16)."""
    await model_shapes(dut, "test_tlmm_tiny", "tiny", (1, 7, 16))


@cocotb.test()
async def test_tlmm_small(dut):
    """small (d 256, ffn 512): every projection shape, decode (M=1) and prefill (M=16)."""
    await model_shapes(dut, "test_tlmm_small", "small", (1, 16))


@cocotb.test()
async def test_tlmm_edges(dut):
    """Zero rows, int8 extremes with all +1 / all -1 weights, K % G != 0, N % 16 != 0,
    requantisation extremes (saturation, wshift 0, large shifts), the largest N and K."""
    tb = TB(dut, "test_tlmm_edges")
    await tb.start()
    rng = tb.rng
    k_max, n_max = tb.p["K_MAX"], tb.p["N_MAX"]
    k_odd = next(k for k in (37, 61, 101, 129) if k % tb.g and k <= k_max) if tb.g > 1 else 37
    mats = {
        "plus": const_mat(16, k_max, 1),
        "minus": const_mat(16, k_max, -1),
        "odd": random_mat(rng, 20, k_odd),
        "one": random_mat(rng, 1, 3),
        "rand": random_mat(rng, 48, 64),
    }
    await tb.load(mats)
    big = (1 << 27)
    ext = np.array([[-128] * k_max, [127] * k_max, [-128, 127] * (k_max // 2)], dtype=np.int64)
    for name in ("plus", "minus"):
        mat = mats[name]
        # largest accumulators (+/-128 K_MAX) with the largest amax: saturates
        await tb.run_job(mat, ext, np.array([big, big, big]), tag=f"{name}/sat")
        # same accumulators with a small amax: exact, no saturation
        await tb.run_job(mat, ext, np.array([1, 3, 255]), tag=f"{name}/small")
    mat = mats["rand"]
    zeros = np.zeros((3, mat.k), dtype=np.int64)
    await tb.run_job(mat, zeros, np.array([0, 12345, big]), tag="zeros")
    # requantisation corners on random rows: wshift 0 (no rounding), tiny multipliers, big shifts
    for wmul, wshift in ((1, 0), (3, 1), (0xFFFF, 0), (0x4000, 62), (0x7FFF, 40), (0x5555, 17)):
        xq = rng.integers(-128, 128, size=(2, mat.k))
        amax = rng.integers(0, big + 1, size=2)
        await tb.run_job(Matrix(mat.wq, wmul, wshift, mat.base), xq, amax, tag=f"q{wmul}>>{wshift}")
    for name in ("odd", "one"):
        xq, amax = act_rows(rng, 5, mats[name].k)
        await tb.run_job(mats[name], xq, amax, tag=name)
    big_mat = random_mat(rng, n_max, k_max)
    await tb.load({"max": big_mat})
    xq, amax = act_rows(rng, 2, k_max)
    await tb.run_job(big_mat, xq, amax, tag="max")
    tb.check()


@cocotb.test()
async def test_tlmm_random_shapes(dut):
    """Random small N, K, M: one or two groups per row and one line per group (tables and
    accumulator banks turn over every cycle), partial blocks, K % G != 0, N % 4 != 0."""
    tb = TB(dut, "test_tlmm_random_shapes")
    await tb.start()
    rng = tb.rng
    shapes = [(int(rng.integers(1, 3 * tb.lanes + 1)), int(rng.integers(1, 4 * tb.g + 1)))
              for _ in range(12)]
    shapes += [(1, 1), (tb.lanes, tb.g), (tb.lanes + 1, tb.g + 1)]
    mats = {f"m{i}": random_mat(rng, n, k) for i, (n, k) in enumerate(shapes)}
    await tb.load(mats)
    for name, mat in mats.items():
        xq, amax = act_rows(rng, int(rng.integers(1, 3 * tb.rows + 4)), mat.k)
        await tb.run_job(mat, xq, amax, tag=name)
    tb.check()


@cocotb.test()
async def test_tlmm_errors(dut):
    """Illegal job configurations are rejected (err_cfg_o, done, no rows consumed); a row of the
    wrong length sets err_len_o without a hang; the engine still computes correctly afterwards."""
    tb = TB(dut, "test_tlmm_errors")
    await tb.start()
    d = dut
    mat = random_mat(tb.rng, 32, 40)
    await tb.load({"m": mat})
    ok = (32, 40, 1, mat.base, mat.wmul, mat.wshift)
    banks = weight_banks(tb.lanes)
    bad = [(0, 40, 1), (tb.p["N_MAX"] + 1, 40, 1), (32, 0, 1), (32, tb.p["K_MAX"] + 1, 1),
           (32, 40, 0)]
    cases = [(*b, *ok[3:]) for b in bad]
    cases.append((32, 40, 1, tb.p["WDEPTH"] - 1, mat.wmul, mat.wshift))   # image past the end
    cases.append((32, 40, 1, 1 << 31, mat.wmul, mat.wshift))              # far out of range
    if banks > 1:
        cases.append((32, 40, 1, 1, mat.wmul, mat.wshift))                # misaligned base
    for cfg in cases:
        await tb.configure(*cfg)
        await ReadOnly()               # the cycle right after the handshake
        assert int(d.done_o.value) == 1, f"no done pulse for rejected config {cfg}"
        assert int(d.err_cfg_o.value) == 1, f"config {cfg} not rejected"
        assert int(d.busy_o.value) == 0, f"config {cfg} started a job"
        assert int(d.s_axis_tready_o.value) == 0
        await RisingEdge(d.clk_i)
    xq, amax = act_rows(tb.rng, 3, 40)
    exp = linear_int(xq, amax.reshape(-1, 1), mat.wq, mat.wmul, mat.wshift)
    # a good job after the rejected ones, then one with a short and a long input row
    tb.sb.expect(exp[0])
    tb.sb.expect(exp[1])
    await tb.configure(*ok[:2], 2, *ok[3:])
    for r in range(2):
        await tb.src.send(AxiStreamFrame(pack_ints(xq[r], 8, tb.in_lanes), tuser=int(amax[r])))
    await tb.collect(2, 4000)
    await wait_until(d.clk_i, lambda: not int(d.busy_o.value), 100, "job end")
    assert int(d.err_len_o.value) == 0
    await RisingEdge(d.clk_i)
    await tb.configure(*ok[:2], 2, *ok[3:])
    await tb.src.send(AxiStreamFrame(pack_ints(xq[0, :8], 8, tb.in_lanes), tuser=1))
    long_row = np.concatenate([xq[1]] * (tb.p["K_MAX"] // 40 + 2))
    await tb.src.send(AxiStreamFrame(pack_ints(long_row, 8, tb.in_lanes), tuser=1))
    for _ in range(2):
        await wait_until(d.clk_i, lambda: not tb.snk.empty(), 20000, "output row after bad rows")
        tb.snk.recv_nowait()          # contents undefined after a protocol error
    await wait_until(d.clk_i, lambda: not int(d.busy_o.value), 100, "job end after bad rows")
    assert int(d.err_len_o.value) == 1, "row-length error not reported"
    tb.check()


@cocotb.test()
async def test_tlmm_perf(dut):
    """No backpressure: busy cycles equal the documented model (bitnet_golden.tlmm.tlmm_cycles)
    for compute-, drain- and input-bound shapes, the lookup counter equals the work, and the
    steady-state lookup efficiency on the small shape (Q/K/V/O, M = 16 rounded up to whole
    blocks of ROWS rows) is at least 0.90."""
    tb = TB(dut, "test_tlmm_perf", p_stall=0.0)
    await tb.start()
    rng = tb.rng
    mats = {"qkvo": model_mats("small", seed=int(rng.integers(1 << 16)))["qkvo"],
            "drain": random_mat(rng, 64, 16), "input": random_mat(rng, 16, 256),
            "odd": random_mat(rng, 20, 37)}
    await tb.load(mats)
    steady = tb.rows * -(-16 // tb.rows)      # whole blocks: M = 16 rounded up to ROWS
    runs = [("qkvo", 1), ("qkvo", 5), ("qkvo", steady), ("drain", 9), ("input", 9), ("odd", 7)]
    for name, m in runs:
        mat = mats[name]
        xq, amax = act_rows(rng, m, mat.k)
        c = await tb.run_job(mat, xq, amax, tag=f"perf/{name}")
        model = tlmm_cycles(mat.n, mat.k, m, tb.g, tb.lanes, tb.rows, tb.in_lanes)
        eff = c["lookups"] / (c["busy"] * tb.lanes * tb.rows)
        dut._log.info("%s M=%d: %d cycles (model %d), lookup efficiency %.3f", name, m, c["busy"],
                      model, eff)
        assert c["busy"] == model, f"{name} M={m}: {c['busy']} cycles != model {model}"
        kg = -(-mat.k // tb.g)
        assert c["lookups"] == m * kg * (-(-mat.n // tb.lanes)) * tb.lanes
        if name == "qkvo" and m == steady:
            assert eff >= 0.90, f"lookup efficiency {eff:.3f} < 0.90"
    tb.check()


# -------------------------------------------------------------------- bench (bench_tlmm.py)
BENCH_MS = {"decode": 1, "prefill16": 16, "prefill64": 64}


@cocotb.test(skip=True)
async def test_tlmm_bench(dut):
    """Cycles per projection for tiny/small x decode/prefill and the steady-state efficiency;
    writes the figures as JSON to $PDSWAP_BENCH_JSON (run by tb/tlmm/bench_tlmm.py)."""
    tb = TB(dut, "test_tlmm_bench", p_stall=0.0)
    await tb.start()
    out: dict[str, float] = {}
    for shape in ("tiny", "small"):
        mats = model_mats(shape, seed=1)
        await tb.load(mats)
        for cls, mat in mats.items():
            for phase, m in BENCH_MS.items():
                xq, amax = act_rows(tb.rng, m, mat.k)
                c = await tb.run_job(mat, xq, amax, tag=f"{shape}/{cls}/{phase}")
                key = f"tlmm_cycles_{shape}_{cls}_{phase}"
                out[key] = float(c["busy"])
                out[key.replace("cycles", "model_cycles")] = float(
                    tlmm_cycles(mat.n, mat.k, m, tb.g, tb.lanes, tb.rows, tb.in_lanes))
                if shape == "small" and cls == "qkvo" and phase == "prefill64":
                    out["tlmm_lookup_efficiency"] = c["lookups"] / (c["busy"] * tb.lanes * tb.rows)
                if phase == "decode":
                    out[f"tlmm_lookup_efficiency_{shape}_{cls}_decode"] = (
                        c["lookups"] / (c["busy"] * tb.lanes * tb.rows))
    tb.check()
    errs = [abs(v - out[k.replace("cycles", "model_cycles")]) for k, v in out.items()
            if k.startswith("tlmm_cycles_")]
    out["tlmm_model_max_abs_error_cycles"] = max(errs)
    for k, v in tb.p.items():
        out[f"tlmm_param_{k.lower()}"] = float(v)
    path = os.environ.get("PDSWAP_BENCH_JSON")
    if path:
        with open(path, "w") as fh:
            json.dump(out, fh, indent=1, sort_keys=True)
    await ClockCycles(dut.clk_i, 2)

