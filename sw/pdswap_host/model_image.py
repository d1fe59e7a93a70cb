"""The model as the static region loads it: DDR images of weights, gains, RoPE tables, descriptors.

Layouts (docs/static-region.md, docs/tlmm.md, docs/elementwise.md):
* weights: `bitnet_golden.tlmm.pack_images` of every layer's seven matrices (one image, word
  bases per matrix); loaded with LOAD_W into the TLMM weight memory at word 0;
* gains: RMSNorm gain vectors with sqrt(d) folded in, 4 x int32 per 128-bit word, one vector
  after the other (input, attn_sub, post, ffn_sub of every layer, then final); LOAD_G at word 0;
* RoPE: word pos * (head_dim/8) + j holds, in lane l, {sin[pos, 4j+l], cos[pos, 4j+l]} (int16);
* descriptors: 32 x 32-bit words per layer (docs/static-region.md, "Layer descriptors").
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from bitnet_golden.ops_int import rmsnorm_eps_int
from bitnet_golden.tlmm import pack_images
from bitnet_golden.weights import NORM_NAMES, PROJ_NAMES, ModelWeights

DESC_WORDS = 32


@dataclass(frozen=True)
class HwConfig:
    """Static-region parameters the images must match (the RTL's `static_region` parameters)."""

    tlmm_g: int = 5
    tlmm_lanes: int = 32
    wdepth: int = 4096
    g_words: int = 1024
    max_rows: int = 256
    max_ctx: int = 256

    def check(self, w: ModelWeights) -> None:
        s = w.shape
        if s.max_ctx > self.max_ctx:
            raise ValueError(f"model max_ctx {s.max_ctx} exceeds the hardware MAX_CTX {self.max_ctx}")


@dataclass
class ModelImage:
    weights: bytes
    gains: bytes
    rope: bytes
    desc: bytes
    wbase: list[dict[str, int]]
    gbase: list[dict[str, int]]
    gbase_final: int
    eps_d: int
    eps_f: int
    layer_desc: list[list[int]] = field(default_factory=list)

    @property
    def weight_words(self) -> int:
        return len(self.weights) // 16

    @property
    def gain_words(self) -> int:
        return len(self.gains) // 16


def _i32_words(v: np.ndarray) -> bytes:
    """A vector of int32 as 128-bit words (4 lanes, little-endian), zero-padded to a whole word."""
    a = np.asarray(v, dtype=np.int64)
    a = np.concatenate([a, np.zeros((-len(a)) % 4, dtype=np.int64)])
    return a.astype("<i4").tobytes()


def rope_image(w: ModelWeights) -> bytes:
    cos_t, sin_t = w.rope()                                   # [max_ctx, dh/2] Q1.14
    lanes = (cos_t.astype(np.int64) & 0xFFFF) | ((sin_t.astype(np.int64) & 0xFFFF) << 16)
    return lanes.astype("<u4").tobytes()                      # row pos = dh/8 words of 4 lanes


def build(w: ModelWeights, hw: HwConfig) -> ModelImage:
    """All DDR images and the per-layer descriptors of `w` for a static region with `hw`."""
    hw.check(w)
    s = w.shape
    mats = {f"L{li}.{p}": lw.proj[p].wq for li, lw in enumerate(w.layers) for p in PROJ_NAMES}
    img, bases = pack_images(mats, hw.tlmm_g, hw.tlmm_lanes)
    if img.shape[0] > hw.wdepth:
        raise ValueError(f"weights need {img.shape[0]} words, the TLMM memory has WDEPTH={hw.wdepth}")
    gains = bytearray()
    gbase: list[dict[str, int]] = []
    for li in range(s.n_layers):
        gb = {}
        for name in NORM_NAMES:
            gb[name] = len(gains) // 16
            gains += _i32_words(w.gamma_int(li, name))
        gbase.append(gb)
    gbase_final = len(gains) // 16
    gains += _i32_words(w.gamma_int(None, "final"))
    if len(gains) // 16 > hw.g_words:
        raise ValueError(f"gains need {len(gains) // 16} words, the gain memory has G_WORDS={hw.g_words}")
    descs, wbase = [], []
    for li, lw in enumerate(w.layers):
        wb = {p: bases[f"L{li}.{p}"] for p in PROJ_NAMES}
        wbase.append(wb)
        words = [0] * DESC_WORDS
        for i, p in enumerate(PROJ_NAMES):
            words[i] = wb[p]
            words[7 + i] = lw.proj[p].wmul | (lw.proj[p].wshift << 16)
        for i, name in enumerate(NORM_NAMES):
            words[14 + i] = gbase[li][name]
        words[18] = lw.fq | (lw.fk << 8) | (lw.fv << 16)
        words[19] = w.c_mul(li)
        descs.append(words)
    desc = b"".join(np.asarray(d, dtype="<u4").tobytes() for d in descs)
    return ModelImage(
        weights=bytes(img.tobytes()), gains=bytes(gains), rope=rope_image(w), desc=desc,
        wbase=wbase, gbase=gbase, gbase_final=gbase_final,
        eps_d=w.eps_int(s.d_model), eps_f=rmsnorm_eps_int(s.d_ffn, s.rms_eps), layer_desc=descs)
