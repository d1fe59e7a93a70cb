"""tlmm (ternary table-lookup linear engine): cocotb tests on Verilator over seeds and parameter
sets, a bad-parameter elaboration test, and unit tests of the weight image and the cycle model."""

from __future__ import annotations

import numpy as np
import pytest
from bitnet_golden import ops_int as oi
from bitnet_golden.tlmm import (
    group_table,
    image_from_words,
    image_group_words,
    image_ints,
    image_words,
    pack_codes,
    pack_images,
    tlmm_cycles,
    tlmm_cycles_closed,
    tlmm_reference,
    weight_banks,
    weight_image,
    zero_code,
)

from tb.common.runner import build, run
from tb.tlmm.test_tlmm import BLOCK

# default wrapper parameters (G 5, LANES 32, ROWS 1, HALF 1: two weight banks) plus corners of
# the design space: several rows in flight with full 3^G tables and one weight bank; sub-word
# lines, three rows in flight, 8-byte input beats, G = 4.
CONFIGS = {
    "g5l32r1": {},
    "g3l16r2full": {"G": 3, "LANES": 16, "ROWS": 2, "HALF": 0},
    "g4l8r3in8": {"G": 4, "LANES": 8, "ROWS": 3, "IN_LANES": 8},
}
ALL = None                                     # every cocotb test except the bench
QUICK = "test_tlmm_tiny,test_tlmm_edges,test_tlmm_random_shapes,test_tlmm_errors,test_tlmm_perf"


@pytest.mark.parametrize("cfg", ["g5l32r1"])
def test_tlmm_rtl(cfg: str, seed: int) -> None:
    run(BLOCK, CONFIGS[cfg], seed=seed, testcase=ALL)


@pytest.mark.parametrize("cfg", ["g3l16r2full"])
def test_tlmm_rtl_corner(cfg: str, seed: int) -> None:
    run(BLOCK, CONFIGS[cfg], seed=seed, testcase=QUICK)


@pytest.mark.slow
@pytest.mark.parametrize("cfg", sorted(CONFIGS))
def test_tlmm_rtl_full(cfg: str, seed: int) -> None:
    run(BLOCK, CONFIGS[cfg], seed=seed, testcase=ALL)


@pytest.mark.parametrize(("params", "message"), [
    ({"G": 6}, "tlmm: G=6 must be in [1, 5]"),
    ({"LANES": 12}, "tlmm: LANES=12 must be 4, 8, 16, 32 or 64"),
    ({"N_MAX": 520, "LANES": 16}, "tlmm: N_MAX=520 must be a multiple of LANES=16"),
    ({"IN_LANES": 4, "G": 5}, "tlmm: IN_LANES=4 must be a power of two in [G=5, 64]"),
])
def test_tlmm_bad_params(params: dict[str, int], message: str) -> None:
    with pytest.raises(RuntimeError) as err:
        build(BLOCK, params)
    assert message in str(err.value), str(err.value)[-2000:]


# -------------------------------------------------------------------- weight image / model
@pytest.mark.parametrize("g", [1, 2, 3, 4, 5])
@pytest.mark.parametrize("lanes", [4, 16, 32, 64])
def test_tlmm_image_roundtrip(g: int, lanes: int) -> None:
    rng = np.random.default_rng(100 * g + lanes)
    for n, k in ((1, 1), (20, 37), (64, 64), (130, 11)):
        wq = rng.integers(-1, 2, size=(n, k))
        img = weight_image(wq, g, lanes)
        assert img.shape == (image_words(n, k, g, lanes), 16)
        assert np.array_equal(image_from_words(img, n, k, g), wq)
        nw = image_group_words(n, lanes)
        codes = pack_codes(wq, g)
        for j in range(codes.shape[1]):            # code(n, j) at word j*NW + n//16, byte n%16
            grp = img[j * nw:(j + 1) * nw].reshape(-1)
            assert np.array_equal(grp[:n], codes[:, j])
            assert np.all(grp[n:] == zero_code(g))
        word0 = image_ints(img)[0]
        assert word0 & 0xFF == int(img[0, 0]) and word0 >> 120 == int(img[0, 15])


def test_tlmm_image_padding_is_zero_weight() -> None:
    """The padding code C0 selects the all-zero pattern: T[C0] = 0 and T[3^G-1-c] = -T[c]."""
    rng = np.random.default_rng(7)
    for g in range(1, 6):
        x = rng.integers(-128, 128, size=g)
        t = group_table(x)
        assert t[zero_code(g)] == 0
        assert np.array_equal(t[::-1], -t)
        wq = rng.integers(-1, 2, size=(9, 3 * g + 1))
        xq = rng.integers(-128, 128, size=(4, 3 * g + 1))
        assert np.array_equal(tlmm_reference(xq, pack_codes(wq, g), g), oi.ternary_matmul(xq, wq))


def test_tlmm_pack_images_alignment() -> None:
    rng = np.random.default_rng(3)
    mats = {"a": rng.integers(-1, 2, size=(20, 7)), "b": rng.integers(-1, 2, size=(48, 64))}
    for lanes in (8, 16, 32, 64):
        img, bases = pack_images(mats, 5, lanes, base=weight_banks(lanes) * 3)
        for name, wq in mats.items():
            b0 = bases[name] - weight_banks(lanes) * 3
            assert bases[name] % weight_banks(lanes) == 0
            n_words = image_words(*wq.shape, 5, lanes)
            assert np.array_equal(image_from_words(img[b0:b0 + n_words], *wq.shape, 5), wq)
    with pytest.raises(ValueError):
        pack_images(mats, 5, 32, base=1)


@pytest.mark.parametrize("rows", [1, 2, 4])
def test_tlmm_cycle_model_closed_form(rows: int) -> None:
    """The closed form equals the block recurrence whenever every block is compute bound."""
    for n, k in ((64, 64), (128, 64), (64, 128), (256, 256), (512, 256), (256, 512)):
        for lanes in (8, 16, 32):
            c = -(-k // 5) * -(-n // lanes)
            if c < rows * max(-(-k // 16), -(-n // 4)):
                continue
            for m in (1, 7, 16, 64):
                assert tlmm_cycles(n, k, m, 5, lanes, rows) == tlmm_cycles_closed(n, k, m, 5, lanes,
                                                                                  rows)
