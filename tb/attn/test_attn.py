"""Shared attention primitives (exp2 ROM + shift, logit, rescale) vs the golden contract."""

from __future__ import annotations

import cocotb
import numpy as np
from bitnet_golden.fixedpoint import EXP_SHIFT, exp2_neg, rshift_round
from cocotb.triggers import Timer

from tb.common.env import test_rng
from tb.common.runner import Block

BLOCK = Block("attn", sources=("attn/attn_pkg.sv", "attn/exp2_rom.sv", "attn/attn_exp2.sv"))


async def settle() -> None:
    await Timer(1, "ns")


def signed(v: int, bits: int) -> int:
    return v - (1 << bits) if v >> (bits - 1) else v


@cocotb.test()
async def test_attn_exp2_exhaustive(dut):
    """Every d in [0, 17*256 + 64) plus random huge gaps (the first block's -2^40 start)."""
    rng = test_rng(dut, "test_attn_exp2_exhaustive")
    ds = np.concatenate([np.arange(17 * 256 + 64), rng.integers(0, 1 << 47, size=200),
                         [(1 << 40) + 5, (1 << 47) - 1]])
    exp = exp2_neg(ds)
    bad = []
    for d, e in zip(ds.tolist(), exp.tolist(), strict=True):
        dut.d_i.value = d
        await settle()
        if int(dut.p_o.value) != e:
            bad.append((d, int(dut.p_o.value), e))
    assert not bad, f"{len(bad)} mismatches, first {bad[:5]}"


@cocotb.test()
async def test_attn_logit_and_rescale(dut):
    """logit = floor(s*c_mul/2^24); rescale = rnd(x*alpha, 16) for signed acc and unsigned l."""
    rng = test_rng(dut, "test_attn_logit_and_rescale")
    n = 2000
    s = rng.integers(-(1 << 21), 1 << 21, size=n)
    c = rng.integers(1, 1 << 32, size=n, dtype=np.uint64).astype(object)
    acc = rng.integers(-(1 << 35), 1 << 35, size=n)
    alpha = rng.integers(0, 65537, size=n)
    lv = rng.integers(0, 1 << 28, size=n)
    bad = []
    for i in range(n):
        dut.s_i.value = int(s[i]) & 0xFFFFFFFF
        dut.c_mul_i.value = int(c[i])
        dut.acc_i.value = int(acc[i]) & ((1 << 40) - 1)
        dut.alpha_i.value = int(alpha[i])
        dut.l_i.value = int(lv[i])
        await settle()
        t_exp = (int(s[i]) * int(c[i])) >> EXP_SHIFT
        a_exp = int(rshift_round(int(acc[i]) * int(alpha[i]), 16))
        l_exp = int(rshift_round(int(lv[i]) * int(alpha[i]), 16))
        got = (signed(int(dut.t_o.value), 48), signed(int(dut.acc_o.value), 40), int(dut.l_o.value))
        if got != (t_exp, a_exp, l_exp):
            bad.append((i, got, (t_exp, a_exp, l_exp)))
    assert not bad, f"{len(bad)} mismatches, first {bad[:3]}"
