"""Prefill-then-decode: rm_decode reads the KV cache that rm_prefill wrote (tb_rm_decode_pd.sv).

Both real RMs sit in the RP wrapper's slots (rm_shell) behind one boundary and one HP memory
model (random latency, stalls and outstanding limits; random backpressure on qkv/O). The golden
IntModel (tiny shape for HEAD_DIM 16, small for 64) provides the data: the prefill RM runs the
prompt's attention for each (layer, head) pair and writes the cache; then the decode RM runs
the next tokens on the same pairs, each step reading what prefill and the earlier decode steps
wrote. Every O row equals the model's attention output and the memory equals the model's cache.
"""

from __future__ import annotations

from dataclasses import dataclass

import cocotb
import numpy as np
from bitnet_golden import IntModel, random_weights, sample
from bitnet_golden.ops_int import attention_int
from bitnet_golden.shapes import SHAPES
from cocotb.triggers import ClockCycles
from cocotbext.axi import AxiStreamFrame

from tb.common.rp_if import ERR_NONE, PHASE_PREFILL
from tb.common.runner import REPO, Block
from tb.rm_decode.test_rm_decode import BLOCK as DECODE_BLOCK
from tb.rm_decode.test_rm_decode import N_REGION_PAIRS, DecodeTB

PREFILL_SOURCES = ("common/seq_divider.sv", "dma/axi_dma.sv", "rm_prefill/pf_softmax.sv",
                   "rm_prefill/pf_sched.sv", "rm_prefill/pf_finish.sv",
                   "rm_prefill/rm_prefill.sv", "rp/rm_stub.sv", "rp/rm_shell.sv", "rp/rp_safe.sv")
RM_ID_PREFILL, RM_ID_DECODE = 1, 2


@dataclass(frozen=True)
class _PdBlock(Block):
    """Second toplevel of the rm_decode testbench directory (own build directories)."""

    @property
    def tb_dir(self):
        return REPO / "tb" / "rm_decode"

    @property
    def module(self) -> str:
        return "tb.rm_decode.test_rm_decode_pd"


BLOCK = _PdBlock("rm_decode_pd",
                 sources=DECODE_BLOCK.sources[:-1] + PREFILL_SOURCES + DECODE_BLOCK.sources[-1:],
                 parameters={"HEAD_DIM": 16, "MAX_CTX": 256},
                 extra_args=(f"-I{REPO / 'rtl' / 'rp'}",))


async def select(tb: DecodeTB, decode: bool) -> None:
    """Hand the boundary to the other RM (both idle), as a swap would."""
    d = tb.dut
    await ClockCycles(d.clk_i, 1)
    assert not int(d.busy_o.value)
    d.sel_decode.value = int(decode)
    await ClockCycles(d.clk_i, 2)
    want = RM_ID_DECODE if decode else RM_ID_PREFILL
    assert int(d.rm_id_o.value) == want, f"rm_id {int(d.rm_id_o.value)} != {want}"


async def run_prefill(tb: DecodeTB, pair: int, q8, k8, v8, c_mul: int, fv: int, layer: int,
                      head: int, exp: np.ndarray) -> None:
    """One prefill job over the prompt (pos0 = 0, q_len = P); O rows and cache checked."""
    kb, vb = tb.bases(pair)
    n_rows = len(q8)
    n0 = len(tb.results)
    await tb.submit(dict(phase=PHASE_PREFILL, layer=layer, head=head, q_len=n_rows, pos0=0,
                         k_base=kb, v_base=vb, c_mul=c_mul, fv=fv))

    async def send() -> None:
        for t in range(n_rows):
            for tag, row in enumerate((q8[t], k8[t], v8[t])):
                data = np.asarray(row, dtype=np.int64).astype(np.int8).tobytes()
                await tb.src.send(AxiStreamFrame(data, tuser=tag))

    sender = cocotb.start_soon(send())
    budget = 20000 + 400 * n_rows * tb.nseg
    got = {}
    for _ in range(n_rows):
        idx, row = await tb.recv_frame(budget)
        assert idx not in got, f"O row {idx} twice"
        got[idx] = row
    res = await tb.wait_done(n0, budget)
    await tb.joined(sender, "qkv rows sent")
    assert (res.err, res.code) == (0, ERR_NONE), f"prefill error {res.code}"
    for i in range(n_rows):
        assert np.array_equal(got[i], exp[i]), f"prefill O row {i} (L{layer} H{head})"
    tb.write_rows(kb, 0, k8)
    tb.write_rows(vb, 0, v8)
    tb.check_memory()


@cocotb.test()
async def test_decode_after_prefill_rm(dut):
    """rm_prefill writes the prompt's cache, rm_decode decodes the next tokens on it."""
    tb = DecodeTB(dut, "test_decode_after_prefill_rm")
    shape = {16: SHAPES["tiny"], 64: SHAPES["small"]}[tb.dh]
    dut.sel_decode.value = 0
    await tb.start(rm_id=RM_ID_PREFILL)
    w = random_weights(shape, seed=int(tb.rng.integers(0, 1000)))
    model = IntModel(w)
    model.reset()
    prompt = tb.rng.integers(0, shape.vocab, size=int(tb.rng.integers(17, 34)))
    hidden = model.forward(prompt)
    plen, dh = len(prompt), shape.head_dim
    pairs = [(li, hh) for li in range(shape.n_layers) for hh in range(shape.n_heads)]
    pairs = pairs[:N_REGION_PAIRS]
    tr = model.traces[-1]
    for slot, (li, hh) in enumerate(pairs):
        sl = slice(hh * dh, (hh + 1) * dh)
        q8, k8, v8 = tr[li].q8[:, sl], tr[li].k8[:, sl], tr[li].v8[:, sl]
        exp = tr[li].attn[:, sl]
        # the model's attention is the contract's: cross-check before using it as the reference
        assert np.array_equal(exp, attention_int(q8, np.arange(plen), k8, v8, w.c_mul(li),
                                                 w.layers[li].fv))
        await run_prefill(tb, slot, q8, k8, v8, w.c_mul(li), w.layers[li].fv, li, hh, exp)
    await select(tb, decode=True)
    for step in range(3 if shape.name == "tiny" else 2):
        hidden = model.forward([sample(model.logits(hidden[-1]))])
        pos0 = plen + step
        tr = model.traces[-1]
        for slot, (li, hh) in enumerate(pairs):
            sl = slice(hh * dh, (hh + 1) * dh)
            got, _ = await tb.run_job(slot, pos0, tr[li].q8[0, sl], tr[li].k8[0, sl],
                                      tr[li].v8[0, sl], w.c_mul(li), w.layers[li].fv,
                                      layer=li, head=hh)
            assert np.array_equal(got, tr[li].attn[0, sl]), f"step {step} L{li} H{hh}"
            k_dd, v_dd = tb.cache_rows(slot, pos0 + 1)
            assert np.array_equal(k_dd, model.k_cache[li, hh, :pos0 + 1]), f"K L{li} H{hh}"
            assert np.array_equal(v_dd, model.v_cache[li, hh, :pos0 + 1]), f"V L{li} H{hh}"
    # and back: a prefill job after the decode steps still finds its RM intact
    await select(tb, decode=False)
    tb.finish()
