"""Table-lookup matmul (TLMM): the weight-code format and the table semantics of the RTL engine.

Weights are packed **base-3 per group of G** (G <= 5): the code of a group is
``sum_k (w_k + 1) * 3^k`` (w_k in {-1, 0, 1}, k = 0 is the group's first input), stored in one
byte (243 codes fit for G = 5, 1.6 bit/weight). A group that runs past the matrix's input
dimension is padded with w = 0 (code digit 1). For every group of G int8 activations the engine
builds the table T[c] = sum_k digit_k(c) * x_k over all 3^G codes and each weight code indexes
it; the accumulator then equals the exact integer dot product (``ternary_matmul``).
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from .fixedpoint import IntArray, as_i64

MAX_G = 5


def check_group(g: int) -> None:
    if not 1 <= g <= MAX_G:
        raise ValueError(f"TLMM group size G={g} must be in [1, {MAX_G}] (codes are one byte)")


def n_groups(k: int, g: int) -> int:
    return -(-k // g)


def pack_codes(wq: npt.ArrayLike, g: int) -> npt.NDArray[np.uint8]:
    """Ternary [N, K] -> codes [N, ceil(K/G)] (uint8), base-3, zero-padded groups."""
    check_group(g)
    w = as_i64(wq)
    n, k = w.shape
    kg = n_groups(k, g)
    padded = np.zeros((n, kg * g), dtype=np.int64)
    padded[:, :k] = w
    digits = (padded + 1).reshape(n, kg, g)
    return (digits * (3 ** np.arange(g))).sum(axis=-1).astype(np.uint8)


def unpack_codes(codes: npt.ArrayLike, g: int, k: int) -> IntArray:
    """Inverse of pack_codes: codes [N, ceil(K/G)] -> ternary [N, K]."""
    check_group(g)
    c = as_i64(codes)
    digits = (c[..., None] // (3 ** np.arange(g))) % 3
    return (digits - 1).reshape(c.shape[0], -1)[:, :k]


def group_table(x_group: npt.ArrayLike) -> IntArray:
    """T[c] for c in [0, 3^G): the signed partial sum selected by weight code c."""
    x = as_i64(x_group)
    g = x.shape[-1]
    check_group(g)
    c = np.arange(3**g)
    digits = (c[:, None] // (3 ** np.arange(g))[None, :]) % 3 - 1  # [3^G, G]
    return digits @ x


def tlmm_reference(xq: npt.ArrayLike, codes: npt.ArrayLike, g: int) -> IntArray:
    """Accumulate by table lookup exactly as the engine does (for documentation and tests)."""
    x = as_i64(xq)
    c = as_i64(codes)
    rows, k = x.shape
    kg = c.shape[1]
    xp = np.zeros((rows, kg * g), dtype=np.int64)
    xp[:, :k] = x
    acc = np.zeros((rows, c.shape[0]), dtype=np.int64)
    for grp in range(kg):
        for r in range(rows):
            acc[r] += group_table(xp[r, grp * g:(grp + 1) * g])[c[:, grp]]
    return acc


# --------------------------------------------------------------------------- weight image
# The engine (rtl/tlmm/tlmm.sv, docs/tlmm.md) reads one "line" of LANES codes per cycle: the
# codes of LANES consecutive outputs n for one group j. The image is a sequence of 128-bit words
# (16 codes each, byte b = bits [8b+7:8b], little endian), group-major:
#     code(n, j) -> word  j * NW + n // 16,  byte  n % 16
#     NW = ceil(N / LW) * LW / 16 words per group, LW = max(16, LANES)
# Codes past N (to the end of a group's NW words) and past K (the zero-padded last group) are
# C0 = (3^G - 1) / 2, the code of G zero weights, so they add nothing. In DDR word i sits at byte
# offset 16 * i of the image; the DMA writes it to weight-memory address base + i.
WORD_CODES = 16


def zero_code(g: int) -> int:
    """C0: the code of G zero weights (every base-3 digit 1); T[C0] = 0."""
    check_group(g)
    return (3**g - 1) // 2


def weight_banks(lanes: int) -> int:
    """Weight-memory banks (128-bit each) read per cycle; a matrix base must be a multiple."""
    check_lanes(lanes)
    return max(1, lanes // WORD_CODES)


def check_lanes(lanes: int) -> None:
    if lanes not in (4, 8, 16, 32, 64):
        raise ValueError(f"TLMM LANES={lanes} must be 4, 8, 16, 32 or 64")


def image_group_words(n: int, lanes: int = 16) -> int:
    """NW: 128-bit words per group of the image of an N-output matrix."""
    check_lanes(lanes)
    lw = max(WORD_CODES, lanes)
    return -(-n // lw) * (lw // WORD_CODES)


def image_words(n: int, k: int, g: int, lanes: int = 16) -> int:
    """Size of the image of an N x K matrix in 128-bit words: ceil(K/G) * NW."""
    return n_groups(k, g) * image_group_words(n, lanes)


def weight_image(wq: npt.ArrayLike, g: int, lanes: int = 16) -> npt.NDArray[np.uint8]:
    """Ternary [N, K] -> the engine's image, uint8 [words, 16] (row = one 128-bit word)."""
    codes = pack_codes(wq, g)                                 # [N, KG]
    n, kg = codes.shape
    nw = image_group_words(n, lanes)
    img = np.full((kg, nw * WORD_CODES), zero_code(g), dtype=np.uint8)
    img[:, :n] = codes.T
    return img.reshape(kg * nw, WORD_CODES)


def image_from_words(img: npt.ArrayLike, n: int, k: int, g: int) -> IntArray:
    """Inverse of weight_image (for tests): image [words, 16] -> ternary [N, K]."""
    img = np.asarray(img, dtype=np.uint8)
    kg = n_groups(k, g)
    codes = img.reshape(kg, -1)[:, :n].T
    return unpack_codes(codes, g, k)


def image_ints(img: npt.ArrayLike) -> list[int]:
    """Image words as 128-bit Python integers (byte 0 in bits [7:0])."""
    img = np.ascontiguousarray(np.asarray(img, dtype=np.uint8))
    return [int.from_bytes(img[i].tobytes(), "little") for i in range(img.shape[0])]


def image_bytes(img: npt.ArrayLike) -> bytes:
    """The image as it sits in DDR: word i at byte offset 16 * i."""
    return np.ascontiguousarray(np.asarray(img, dtype=np.uint8)).tobytes()


def pack_images(mats: dict[str, npt.ArrayLike], g: int, lanes: int = 16,
                base: int = 0) -> tuple[npt.NDArray[np.uint8], dict[str, int]]:
    """Several matrices in one weight-memory image: (words [W, 16], word base address per name).

    Each matrix starts on a multiple of weight_banks(lanes) words (gaps are filled with C0).
    """
    align = weight_banks(lanes)
    if base % align:
        raise ValueError(f"base {base} is not a multiple of {align} words (LANES={lanes})")
    parts: list[npt.NDArray[np.uint8]] = []
    bases: dict[str, int] = {}
    addr = base
    for name, wq in mats.items():
        img = weight_image(wq, g, lanes)
        bases[name] = addr
        pad = (-img.shape[0]) % align
        parts.append(img)
        if pad:
            parts.append(np.full((pad, WORD_CODES), zero_code(g), dtype=np.uint8))
        addr += img.shape[0] + pad
    out = np.concatenate(parts) if parts else np.zeros((0, WORD_CODES), dtype=np.uint8)
    return out, bases


# --------------------------------------------------------------------------- cycle model
# Pipeline constants of rtl/tlmm/tlmm.sv (cycles), see docs/tlmm.md "Timing".
T_START = 1   # configuration handshake -> first input beat accepted (source with data ready)
T_BUILD = 2   # last input beat accepted -> first weight line issued (group read + table build)
T_DRAIN = 4   # last line issued -> first output beat valid (lookup, line read, multiply, round)
T_DONE = 1    # last output beat -> done (busy low)


def tlmm_cycles(n: int, k: int, m: int, g: int, lanes: int = 16, rows: int = 1,
                in_lanes: int = 16) -> int:
    """Busy cycles of one job (cfg accepted .. done) with input and output never stalled.

    Blocks of up to `rows` rows go through fill (rows * ceil(K/IN_LANES) input beats), compute
    (ceil(K/G) * ceil(N/LANES) weight lines, all rows of the block at once) and drain
    (rows * ceil(N/4) output beats), overlapped by the two activation buffers and the two
    accumulator banks:
      fill b    starts when fill b-1 ended and block b-2 finished computing (buffer reuse)
      compute b starts T_BUILD after fill b, after compute b-1, and once drain b-2 ended
      drain b   starts T_DRAIN after compute b started its last line, after drain b-1 ended
    """
    check_group(g)
    check_lanes(lanes)
    c = n_groups(k, g) * (-(-n // lanes))
    kb = -(-k // in_lanes)
    nb = -(-n // 4)
    sizes = [min(rows, m - r) for r in range(0, m, rows)]
    fill_end: list[int] = []
    comp_end: list[int] = []
    drain_end: list[int] = []
    for b, rb in enumerate(sizes):
        f0 = max(fill_end[b - 1] if b else T_START, comp_end[b - 2] if b >= 2 else 0)
        fill_end.append(f0 + rb * kb)
        c0 = max(fill_end[b] + T_BUILD, comp_end[b - 1] if b else 0,
                 drain_end[b - 2] if b >= 2 else 0)
        comp_end.append(c0 + c)
        d0 = max(comp_end[b] - 1 + T_DRAIN, drain_end[b - 1] if b else 0)
        drain_end.append(d0 + rb * nb)
    return drain_end[-1] + T_DONE


def tlmm_cycles_closed(n: int, k: int, m: int, g: int, lanes: int = 16, rows: int = 1,
                       in_lanes: int = 16) -> int:
    """Closed form of tlmm_cycles when every block is compute bound
    (ceil(K/G) * ceil(N/LANES) >= rows * max(ceil(K/IN_LANES), ceil(N/4))):
        r0 * ceil(K/IN_LANES) + ceil(M/rows) * ceil(K/G) * ceil(N/LANES) + r_last * ceil(N/4) + c
    with r0 / r_last the rows of the first / last block and
    c = T_START + T_BUILD + T_DRAIN - 1 + T_DONE = 7.
    """
    c = n_groups(k, g) * (-(-n // lanes))
    r0 = min(rows, m)
    r_last = m - (-(-m // rows) - 1) * rows
    return (r0 * -(-k // in_lanes) + -(-m // rows) * c + r_last * -(-n // 4)
            + T_START + T_BUILD + T_DRAIN - 1 + T_DONE)
