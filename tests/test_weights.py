"""[weights] Real-checkpoint loader of the golden model (bitnet_golden.loader).

Every checkpoint here is written by the tests themselves: seeded random float master weights in
the public Hugging Face naming (safetensors / npz, F32 / F16 / BF16), pre-quantised ternary
exports (int8 and 2-bit packed), and broken variants for every error the loader must report.
Expected models are built directly from the arrays with the weights API (TernaryLinear +
ModelWeights.from_parts), never through the loader.
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bitnet_golden import FloatModel, IntModel, ModelWeights, generate, get_shape, random_weights
from bitnet_golden.loader import (
    EMBED,
    FINAL_NORM,
    LM_HEAD,
    BitNetConfig,
    CheckpointError,
    DictSource,
    SafetensorsFile,
    load_checkpoint,
    load_weights,
    norm_name,
    pack_2bit,
    proj_name,
    random_state_dict,
    save_checkpoint,
    truncate_layers,
    unpack_2bit,
    weights_from_env,
    write_safetensors,
)
from bitnet_golden.model import calibrate
from bitnet_golden.quant import TernaryLinear
from bitnet_golden.weights import NORM_NAMES, PROJ_NAMES, LayerWeights
from safetensors.numpy import save_file

PROMPT = [3, 17, 200, 45, 9, 128, 77, 1]


def tiny_config(**over: Any) -> dict[str, Any]:
    """A tiny BitNet config.json (public field names)."""
    d: dict[str, Any] = {
        "architectures": ["BitnetForCausalLM"], "model_type": "bitnet", "hidden_size": 64,
        "intermediate_size": 128, "num_hidden_layers": 2, "num_attention_heads": 4,
        "num_key_value_heads": 4, "vocab_size": 256, "rms_norm_eps": 1e-5, "rope_theta": 10000.0,
        "hidden_act": "silu", "max_position_embeddings": 256, "tie_word_embeddings": True,
        "torch_dtype": "float16",
    }
    d.update(over)
    return {k: v for k, v in d.items() if v is not None}


def write_ckpt(tmp: Path, tensors: dict[str, np.ndarray], cfg: dict[str, Any],
               name: str = "model.safetensors") -> tuple[Path, Path]:
    tmp.mkdir(parents=True, exist_ok=True)
    wp, cp = tmp / name, tmp / "config.json"
    if name.endswith(".npz"):
        np.savez(wp, **tensors)
    else:
        save_file(tensors, str(wp))
    cp.write_text(json.dumps(cfg))
    return wp, cp


def expected_model(tensors: dict[str, np.ndarray], cfg: dict[str, Any], layers: int | None = None,
                   max_ctx: int | None = None) -> ModelWeights:
    """The model the loader must produce, built straight from float arrays."""
    c = BitNetConfig.from_dict(cfg)
    shape = c.shape(layers=layers, max_ctx=max_ctx, name="expected")
    lws = []
    for li in range(shape.n_layers):
        proj = {p: TernaryLinear.from_float(np.asarray(tensors[proj_name(li, p)], np.float64))
                for p in PROJ_NAMES}
        gamma = {n: np.asarray(tensors[norm_name(li, n)], np.float64) for n in NORM_NAMES}
        lws.append(LayerWeights(proj=proj, gamma=gamma))
    head = tensors.get(LM_HEAD)
    return ModelWeights.from_parts(shape, np.asarray(tensors[EMBED], np.float64), lws,
                                   np.asarray(tensors[FINAL_NORM], np.float64),
                                   lm_head=None if head is None else np.asarray(head, np.float64))


def assert_same_model(a: ModelWeights, b: ModelWeights) -> None:
    assert a.shape.n_layers == b.shape.n_layers and a.shape.max_ctx == b.shape.max_ctx
    for la, lb in zip(a.layers, b.layers, strict=True):
        for p in PROJ_NAMES:
            pa, pb = la.proj[p], lb.proj[p]
            assert np.array_equal(pa.wq, pb.wq), p
            assert (pa.beta, pa.wmul, pa.wshift) == (pb.beta, pb.wmul, pb.wshift), p
        for n in NORM_NAMES:
            assert np.array_equal(la.gamma[n], lb.gamma[n]), n
        assert (la.fq, la.fk, la.fv) == (lb.fq, lb.fk, lb.fv)
    assert np.array_equal(a.embed, b.embed)
    assert np.array_equal(a.gamma_final, b.gamma_final)
    assert (a.lm_head is None) == (b.lm_head is None)
    if a.lm_head is not None:
        assert np.array_equal(a.lm_head, b.lm_head)


def bf16_round(x: np.ndarray) -> np.ndarray:
    """Independent float32 -> bfloat16 (round half to even on the 8-bit significand) -> float64."""
    x = np.asarray(x, np.float64)
    e = np.floor(np.log2(np.where(x == 0, 1.0, np.abs(x))))
    q = np.round(x * 2.0 ** (7 - e)) * 2.0 ** (e - 7)
    return np.where(x == 0, 0.0, q)


def cos_rows(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    return np.sum(a * b, -1) / (np.linalg.norm(a, axis=-1) * np.linalg.norm(b, axis=-1))


def run_both(w: ModelWeights) -> tuple[list[int], list[int], np.ndarray]:
    """Tokens of both paths and the cosine of their prefill hidden states."""
    hi = IntModel(w).forward(PROMPT) / 65536.0
    hf = FloatModel(w).forward(PROMPT)
    return generate(IntModel(w), PROMPT, 6), generate(FloatModel(w), PROMPT, 6), cos_rows(hi, hf)


# =========================================================================== round trips


@pytest.mark.parametrize("dtype", ["F32", "F16", "BF16"])
@pytest.mark.parametrize("tied", [True, False])
def test_weights_float_checkpoint_roundtrip(tmp_path: Path, dtype: str, tied: bool) -> None:
    cfg = tiny_config(tie_word_embeddings=tied)
    t32 = random_state_dict(BitNetConfig.from_dict(cfg), seed=11)
    assert (LM_HEAD in t32) == (not tied)
    wp = tmp_path / "model.safetensors"
    if dtype == "F32":
        save_file(t32, str(wp))
        exp = {k: v.astype(np.float64) for k, v in t32.items()}
    elif dtype == "F16":
        save_file({k: v.astype(np.float16) for k, v in t32.items()}, str(wp))
        exp = {k: v.astype(np.float16).astype(np.float64) for k, v in t32.items()}
    else:
        write_safetensors(t32, wp, dtypes=dict.fromkeys(t32, "BF16"))
        exp = {k: bf16_round(v) for k, v in t32.items()}
        hdr_len = int.from_bytes(wp.read_bytes()[:8], "little")
        hdr = json.loads(wp.read_bytes()[8:8 + hdr_len])
        assert {hdr[k]["dtype"] for k in t32} == {"BF16"}
    (tmp_path / "config.json").write_text(json.dumps(cfg))

    lc = load_checkpoint(tmp_path)                      # directory: model.safetensors + config
    w = lc.weights
    assert lc.formats == {f"{dtype} float": 14} and lc.layers_loaded == 2
    assert w.tied == tied
    ref = expected_model(exp, cfg)
    assert_same_model(w, ref)

    ti, tf, cos = run_both(w)
    ri, rf, _ = run_both(ref)
    assert (ti, tf) == (ri, rf)
    assert IntModel(w).forward(PROMPT).tolist() == IntModel(ref).forward(PROMPT).tolist()
    assert cos.min() > 0.99, cos                        # int path tracks the float reference
    assert all(0 <= t < 256 for t in ti + tf)


def test_weights_npz_matches_safetensors(tmp_path: Path) -> None:
    cfg = tiny_config(tie_word_embeddings=False)
    t = random_state_dict(BitNetConfig.from_dict(cfg), seed=5)
    a, ca = write_ckpt(tmp_path / "st", t, cfg)
    t_be = {k: v.astype(v.dtype.newbyteorder(">")) if k == EMBED else v for k, v in t.items()}
    b, _ = write_ckpt(tmp_path / "npz", t_be, cfg, name="model.npz")
    wa, wb = load_weights(a, ca), load_weights(b)
    assert_same_model(wa, wb)
    assert_same_model(wa, expected_model(t, cfg))
    assert generate(IntModel(wa), PROMPT, 5) == generate(IntModel(wb), PROMPT, 5)


@pytest.mark.parametrize("fmt", ["ternary", "packed"])
@pytest.mark.parametrize("convention", ["multiply", "divide"])
def test_weights_export_roundtrip(tmp_path: Path, fmt: str, convention: str) -> None:
    """Golden model -> pre-quantised checkpoint -> loader: the same model, bit for bit."""
    w = random_weights(get_shape("tiny"), seed=4)
    wp, cp = save_checkpoint(w, tmp_path, fmt=fmt, convention=convention)
    lc = load_checkpoint(wp, cp)
    back = lc.weights
    want_fmt = "U8 packed ternary" if fmt == "packed" else "I8 ternary"
    assert lc.formats == {want_fmt: 14}
    if convention == "multiply":
        assert_same_model(back, w)
    else:  # mean|W| = 1 / (1 / mean|W|): within one float64 rounding
        for la, lb in zip(w.layers, back.layers, strict=True):
            for p in PROJ_NAMES:
                assert np.array_equal(la.proj[p].wq, lb.proj[p].wq)
                assert la.proj[p].beta == pytest.approx(lb.proj[p].beta, rel=1e-15)
    assert IntModel(back).forward(PROMPT).tolist() == IntModel(w).forward(PROMPT).tolist()
    assert generate(IntModel(back), PROMPT, 6) == generate(IntModel(w), PROMPT, 6)
    assert generate(FloatModel(back), PROMPT, 6) == generate(FloatModel(w), PROMPT, 6)


def test_weights_packed_layout_known_answer() -> None:
    """transformers' documented unpack_weights example (4 values per byte, row blocks)."""
    packed = np.array([[0b10100001, 0b00011000], [0b10010000, 0b00001010]], dtype=np.uint8)
    want = [[0, -1], [-1, 1], [-1, 1], [-1, 1], [1, 0], [0, -1], [1, -1], [1, -1]]
    assert unpack_2bit(packed, 8).tolist() == want
    assert pack_2bit(np.array(want)).tolist() == packed.tolist()
    rng = np.random.default_rng(0)
    for out in (4, 5, 7, 12):                          # rows not a multiple of 4 are padded
        w = rng.integers(-1, 2, size=(out, 9))
        assert unpack_2bit(pack_2bit(w), out).tolist() == w.tolist()
    with pytest.raises(ValueError, match="invalid 2-bit code 3"):
        unpack_2bit(np.full((1, 2), 0xFF, np.uint8), 4)


@pytest.mark.parametrize("linear_class,override,beta_of", [
    (None, "auto", lambda s: 1.0 / s), ("bitlinear", "auto", lambda s: 1.0 / s),
    ("autobitlinear", "auto", lambda s: s), ("bitlinear", "multiply", lambda s: s),
    ("autobitlinear", "divide", lambda s: 1.0 / s)])
def test_weights_prequantised_scale_conventions(linear_class: str | None, override: str,
                                                beta_of: Any) -> None:
    """Ternary + weight_scale: BitLinear divides by the scale, AutoBitLinear multiplies."""
    cfg = tiny_config(num_hidden_layers=1)
    if linear_class:
        cfg["quantization_config"] = {"quant_method": "bitnet", "linear_class": linear_class}
    t = random_state_dict(BitNetConfig.from_dict(cfg), seed=2)
    rng = np.random.default_rng(9)
    scales, tern = {}, {}
    for p in PROJ_NAMES:
        n = proj_name(0, p)
        tern[p] = rng.integers(-1, 2, size=t[n].shape).astype(np.int8)
        scales[p] = float(rng.uniform(2.0, 60.0))
        t[n] = tern[p] if p != "up" else tern[p].astype(np.float32)   # float-stored ternary too
        t[n + "_scale"] = np.array([scales[p]], dtype=np.float32)
    w = load_weights(DictSource(t), cfg, scale_convention=override)
    for p in PROJ_NAMES:
        s32 = float(np.float32(scales[p]))
        assert w.layers[0].proj[p].wq.tolist() == tern[p].tolist()
        assert w.layers[0].proj[p].beta == beta_of(s32)


def test_weights_untied_lm_head_used_by_both_paths(tmp_path: Path) -> None:
    cfg = tiny_config(tie_word_embeddings=False)
    t = random_state_dict(BitNetConfig.from_dict(cfg), seed=8)
    w = load_weights(*write_ckpt(tmp_path, t, cfg))
    head = t[LM_HEAD].astype(np.float64)
    assert not w.tied and np.array_equal(w.lm_head_float(), head)
    h = FloatModel(w).forward(PROMPT)
    assert np.array_equal(FloatModel(w).logits(h), h @ head.T)
    assert not np.allclose(FloatModel(w).logits(h), h @ w.embed.T)
    e16, fe = w.lm_head_int()
    assert fe == int(np.floor(np.log2(32767.0 / np.max(np.abs(head)))))
    assert np.array_equal(e16, np.clip(np.round(head * 2.0**fe), -32768, 32767))
    hi = IntModel(w).forward(PROMPT)
    assert np.array_equal(IntModel(w).logits(hi), hi.astype(np.int64) @ e16.T)
    # the tied model differs only in the head: prefill hidden states equal, logits not
    tt = {k: v for k, v in t.items() if k != LM_HEAD}
    wt = load_weights(DictSource(tt), tiny_config(tie_word_embeddings=True))
    assert wt.tied and np.array_equal(IntModel(wt).forward(PROMPT), hi)


def test_weights_tie_rules() -> None:
    cfg_none = tiny_config(tie_word_embeddings=None)
    t = random_state_dict(BitNetConfig.from_dict(tiny_config(tie_word_embeddings=False)), seed=1)
    assert not load_weights(DictSource(t), cfg_none).tied            # absent: lm_head decides
    no_head = {k: v for k, v in t.items() if k != LM_HEAD}
    assert load_weights(DictSource(no_head), cfg_none).tied
    copy = dict(no_head, **{LM_HEAD: no_head[EMBED].copy()})
    assert load_weights(DictSource(copy), tiny_config(tie_word_embeddings=True)).tied
    with pytest.raises(CheckpointError, match=r"tie_word_embeddings = true\) but lm_head.weight"):
        load_weights(DictSource(t), tiny_config(tie_word_embeddings=True))
    with pytest.raises(CheckpointError, match=r"missing tensor.*lm_head.weight \(config has "
                                              r"tie_word_embeddings = false\)"):
        load_weights(DictSource(no_head), tiny_config(tie_word_embeddings=False))


def test_weights_first_layers_only_lazy(tmp_path: Path) -> None:
    cfg = tiny_config(num_hidden_layers=3)
    t = random_state_dict(BitNetConfig.from_dict(cfg), seed=21)
    wp, cp = write_ckpt(tmp_path, t, cfg)
    full = load_weights(wp, cp)
    src = SafetensorsFile(wp)
    lc = load_checkpoint(src, cp, layers=2)
    assert lc.layers_loaded == 2 and lc.weights.shape.n_layers == 2
    assert not [n for n in src.reads if n.startswith("model.layers.2.")]
    assert len(src.reads) == 2 * (7 + 4) + 2
    assert_same_model(lc.weights, expected_model(t, cfg, layers=2))
    assert_same_model(lc.weights, truncate_layers(full, 2))
    # calibration is causal: the first two layers keep the exponents of the full model
    for a, b in zip(lc.weights.layers, full.layers[:2], strict=True):
        assert (a.fq, a.fk, a.fv) == (b.fq, b.fk, b.fv)
    assert "layers 2/3 loaded" in lc.describe()


@pytest.mark.parametrize("layers", [0, 4, -1])
def test_weights_layers_out_of_range(tmp_path: Path, layers: int) -> None:
    cfg = tiny_config(num_hidden_layers=3)
    wp, cp = write_ckpt(tmp_path, random_state_dict(BitNetConfig.from_dict(cfg)), cfg)
    with pytest.raises(CheckpointError, match=rf"layers {layers} out of range: the checkpoint has "
                                              r"3 layer\(s\), choose 1\.\.3"):
        load_checkpoint(wp, cp, layers=layers)


def test_weights_calibration_runs_on_loaded_weights(tmp_path: Path) -> None:
    cfg = tiny_config()
    t = random_state_dict(BitNetConfig.from_dict(cfg), seed=30)
    t[EMBED] *= 40.0                                     # large activations: exponents must move
    wp, cp = write_ckpt(tmp_path, t, cfg)
    w = load_weights(wp, cp, calibrate_seed=3)
    raw = load_weights(wp, cp, calibrate_seed=None)
    assert [(lw.fq, lw.fk, lw.fv) for lw in raw.layers] == [(6, 6, 6)] * 2  # untouched defaults
    calibrate(raw, seed=3)
    assert [(lw.fq, lw.fk, lw.fv) for lw in w.layers] == \
        [(lw.fq, lw.fk, lw.fv) for lw in raw.layers]
    assert any((lw.fq, lw.fk, lw.fv) != (6, 6, 6) for lw in w.layers)


def test_weights_max_ctx_from_config_and_cap(tmp_path: Path) -> None:
    cfg = tiny_config(max_position_embeddings=128)
    wp, cp = write_ckpt(tmp_path, random_state_dict(BitNetConfig.from_dict(cfg)), cfg)
    assert load_weights(wp, cp).shape.max_ctx == 128
    assert load_weights(wp, cp, max_ctx=96).shape.max_ctx == 96
    assert load_weights(wp, cp, max_ctx=4096).shape.max_ctx == 128
    w = load_weights(wp, cp, max_ctx=8)
    m = IntModel(w)
    m.forward(PROMPT)
    with pytest.raises(ValueError, match="context 9 exceeds max_ctx 8"):
        m.forward([1])
    with pytest.raises(CheckpointError, match="max_ctx must be a positive integer, got 0"):
        load_weights(wp, cp, max_ctx=0)


def test_weights_sharded_index(tmp_path: Path) -> None:
    cfg = tiny_config()
    t = random_state_dict(BitNetConfig.from_dict(cfg), seed=13)
    names = sorted(t)
    shards = {"model-00001-of-00002.safetensors": names[::2],
              "model-00002-of-00002.safetensors": names[1::2]}
    for fn, ks in shards.items():
        save_file({k: t[k] for k in ks}, str(tmp_path / fn))
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps(
        {"metadata": {}, "weight_map": {k: fn for fn, ks in shards.items() for k in ks}}))
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    assert_same_model(load_weights(tmp_path), expected_model(t, cfg))
    # a shard the index does not mention is an error
    idx = json.loads((tmp_path / "model.safetensors.index.json").read_text())
    del idx["weight_map"][names[0]]
    (tmp_path / "model.safetensors.index.json").write_text(json.dumps(idx))
    with pytest.raises(CheckpointError, match="holds tensors missing from the index"):
        load_weights(tmp_path)


def test_weights_1bitllm_spellings_and_ignored_buffers() -> None:
    cfg = tiny_config()
    t = random_state_dict(BitNetConfig.from_dict(cfg), seed=17)
    alias = {}
    for k, v in t.items():
        k2 = k.replace("self_attn.attn_sub_norm", "self_attn.inner_attn_ln") \
            .replace("mlp.ffn_sub_norm", "mlp.ffn_layernorm")
        alias[k2] = v
    alias["model.layers.0.self_attn.rotary_emb.inv_freq"] = np.ones(8, np.float32)
    lc = load_checkpoint(DictSource(alias), cfg)
    assert lc.ignored == ["model.layers.0.self_attn.rotary_emb.inv_freq"]
    assert_same_model(lc.weights, expected_model(t, cfg))
    both = dict(t, **{"model.layers.1.mlp.ffn_layernorm.weight": t[norm_name(1, "ffn_sub")]})
    with pytest.raises(CheckpointError, match=r"duplicate sub-norm spellings \(1\): "
                                              r"model.layers.1.mlp.ffn_sub_norm.weight and "
                                              r"model.layers.1.mlp.ffn_layernorm.weight"):
        load_weights(DictSource(both), cfg)


def test_weights_from_env(tmp_path: Path) -> None:
    cfg = tiny_config()
    wp, cp = write_ckpt(tmp_path, random_state_dict(BitNetConfig.from_dict(cfg)), cfg)
    assert weights_from_env({"WEIGHTS": ""}) is None
    lc = weights_from_env({"WEIGHTS": str(wp), "CONFIG": str(cp), "LAYERS": "1", "MAX_CTX": "64"})
    assert lc is not None and lc.weights.shape.n_layers == 1 and lc.weights.shape.max_ctx == 64
    with pytest.raises(CheckpointError, match="LAYERS='two' is not an integer"):
        weights_from_env({"WEIGHTS": str(wp), "LAYERS": "two"})


# =========================================================================== errors


def _broken(mutate: Any, **cfg_over: Any) -> tuple[dict[str, np.ndarray], dict[str, Any]]:
    cfg = tiny_config(**cfg_over)
    t = random_state_dict(BitNetConfig.from_dict(tiny_config()), seed=3)
    mutate(t)
    return t, cfg


BROKEN = {
    "missing": (lambda t: t.pop(proj_name(1, "up")),
                r"missing tensor\(s\) \(1\): model.layers.1.mlp.up_proj.weight"),
    "missing_norm": (lambda t: t.pop(norm_name(0, "attn_sub")),
                     r"missing tensor\(s\) \(1\): model.layers.0.self_attn.attn_sub_norm.weight"),
    "missing_embed": (lambda t: t.pop(EMBED), r"missing tensor\(s\) \(1\): model.embed_tokens"),
    "extra_layer": (lambda t: t.update({"model.layers.2.mlp.up_proj.weight": np.zeros((128, 64))}),
                    r"unexpected tensor\(s\) \(1\): model.layers.2.mlp.up_proj.weight"),
    "extra_name": (lambda t: t.update({"model.layers.0.mlp.bias": np.zeros(4, np.float32)}),
                   r"unexpected tensor\(s\) \(1\): model.layers.0.mlp.bias"),
    "extra_top": (lambda t: t.update({"transformer.wte.weight": np.zeros(4, np.float32)}),
                  r"unexpected tensor\(s\) \(1\): transformer.wte.weight"),
    "shape_proj": (lambda t: t.update({proj_name(0, "q"): np.zeros((64, 63), np.float32)}),
                   r"model.layers.0.self_attn.q_proj.weight has shape \[64, 63\], expected "
                   r"\[64, 64\]"),
    "shape_down": (lambda t: t.update({proj_name(1, "down"): np.zeros((128, 64), np.float32)}),
                   r"model.layers.1.mlp.down_proj.weight has shape \[128, 64\], expected "
                   r"\[64, 128\]"),
    "shape_ffn_norm": (lambda t: t.update({norm_name(0, "ffn_sub"): np.ones(64, np.float32)}),
                       r"model.layers.0.mlp.ffn_sub_norm.weight has shape \[64\], expected "
                       r"\[128\]"),
    "shape_embed": (lambda t: t.update({EMBED: np.zeros((255, 64), np.float32)}),
                    r"model.embed_tokens.weight has shape \[255, 64\], expected \[256, 64\]"),
    "int_no_scale": (lambda t: t.update({proj_name(0, "k"): np.zeros((64, 64), np.int8)}),
                     r"model.layers.0.self_attn.k_proj.weight has dtype I8 but no "
                     r"model.layers.0.self_attn.k_proj.weight_scale tensor"),
    "int_gamma": (lambda t: t.update({FINAL_NORM: np.ones(64, np.int32)}),
                  r"model.norm.weight has dtype I32, expected a float dtype"),
    "orphan_scale": (lambda t: t.update({proj_name(5 - 4, "o") + "_scale": np.ones(1)}) or
                     t.pop(proj_name(1, "o")),
                     r"model.layers.1.self_attn.o_proj.weight_scale \(no matching "),
    "per_channel_scale": (lambda t: t.update({proj_name(0, "v"): np.ones((64, 64), np.int8),
                                              proj_name(0, "v") + "_scale": np.ones(64)}),
                          r"model.layers.0.self_attn.v_proj.weight_scale has shape \[64\], "
                          r"expected a single per-tensor scale"),
    "packed_shape": (lambda t: t.update({proj_name(0, "gate"): np.zeros((128, 64), np.uint8),
                                         proj_name(0, "gate") + "_scale": np.ones(1)}),
                     r"model.layers.0.mlp.gate_proj.weight has shape \[128, 64\], expected "
                     r"\[32, 64\]"),
}


@pytest.mark.parametrize("case", sorted(BROKEN))
def test_weights_checkpoint_mismatch_errors(tmp_path: Path, case: str) -> None:
    mutate, pattern = BROKEN[case]
    t, cfg = _broken(mutate)
    wp, cp = write_ckpt(tmp_path, t, cfg)
    with pytest.raises(CheckpointError, match=pattern) as ei:
        load_checkpoint(wp, cp, layers=1)          # names/shapes of all layers are checked
    assert str(wp) in str(ei.value) and str(cp) in str(ei.value)


def test_weights_all_mismatches_in_one_message() -> None:
    t, cfg = _broken(lambda t: [t.pop(proj_name(0, p)) for p in PROJ_NAMES]
                     and t.update({"model.layers.7.x": np.ones(1), "junk": np.ones(1)}))
    with pytest.raises(CheckpointError) as ei:
        load_weights(DictSource(t), cfg)
    msg = str(ei.value)
    assert "missing tensor(s) (7)" in msg and "unexpected tensor(s) (2): junk, model.layers.7.x" in msg


BAD_VALUES = {
    "ternary_out_of_range": ({"q": (np.full((64, 64), 2, np.int8), 1.0)},
                             r"q_proj.weight has a weight_scale but values outside \{-1, 0, 1\} "
                             r"\(e.g. 2.0\)"),
    "float_with_scale": ({"o": (np.full((64, 64), 0.25, np.float32), 1.0)},
                         r"o_proj.weight has a weight_scale but values outside"),
    "zero_scale": ({"k": (np.ones((64, 64), np.int8), 0.0)},
                   r"k_proj.weight_scale = 0.0 must be > 0"),
    "negative_scale": ({"k": (np.ones((64, 64), np.int8), -2.0)},
                       r"k_proj.weight_scale = -2.0 must be > 0"),
    "packed_code_3": ({"up": (np.full((32, 64), 0xFF, np.uint8), 1.0)},
                      r"up_proj.weight: packed ternary weight holds the invalid 2-bit code 3"),
}


@pytest.mark.parametrize("case", sorted(BAD_VALUES))
def test_weights_bad_prequantised_values(case: str) -> None:
    repl, pattern = BAD_VALUES[case]
    cfg = tiny_config()
    t = random_state_dict(BitNetConfig.from_dict(cfg), seed=4)
    for p, (arr, s) in repl.items():
        t[proj_name(0, p)] = arr
        t[proj_name(0, p) + "_scale"] = np.array([s], np.float32)
    with pytest.raises(CheckpointError, match=pattern):
        load_weights(DictSource(t), cfg)


def test_weights_non_finite_values() -> None:
    cfg = tiny_config()
    t = random_state_dict(BitNetConfig.from_dict(cfg), seed=4)
    t[norm_name(1, "post")][3] = np.nan
    with pytest.raises(CheckpointError, match=r"model.layers.1.post_attention_layernorm.weight' "
                                              r"has non-finite values"):
        load_weights(DictSource(t), cfg)
    load_weights(DictSource(t), cfg, layers=1)    # layer 1 is never read with --layers 1


CONFIG_ERRORS = {
    "relu2": ({"hidden_act": "relu2"}, r"hidden_act 'relu2' is not supported: the pdswap RTL "
                                       r"implements SiLU / SwiGLU only"),
    "gelu": ({"hidden_act": "gelu"}, r"hidden_act 'gelu' is not supported"),
    "gqa": ({"num_key_value_heads": 2}, r"num_key_value_heads 2 != num_attention_heads 4: "
                                       r"grouped-query attention \(GQA\) is not supported by the "
                                       r"pdswap RTL"),
    "missing_field": ({"intermediate_size": None}, r"missing field 'intermediate_size'"),
    "missing_eps": ({"rms_norm_eps": None}, r"missing field 'rms_norm_eps'"),
    "missing_act": ({"hidden_act": None}, r"missing field 'hidden_act'"),
    "bad_int": ({"hidden_size": "64"}, r"hidden_size must be a positive integer, got '64'"),
    "bool_int": ({"num_hidden_layers": True}, r"num_hidden_layers must be a positive integer"),
    "zero_vocab": ({"vocab_size": 0}, r"vocab_size must be a positive integer, got 0"),
    "bad_eps": ({"rms_norm_eps": -1e-5}, r"rms_norm_eps must be a positive number, got -1e-05"),
    "heads_divide": ({"num_attention_heads": 5, "num_key_value_heads": 5},
                     r"hidden_size 64 is not a multiple of num_attention_heads 5"),
    "odd_head_dim": ({"hidden_size": 60, "num_attention_heads": 4, "num_key_value_heads": 4},
                     r"head dimension 15 .* must be even"),
    "head_dim": ({"head_dim": 32}, r"head_dim 32 != hidden_size/num_attention_heads = 16"),
    "rope_scaling": ({"rope_scaling": {"type": "linear", "factor": 2.0}},
                     r"rope_scaling .* is not supported"),
    "attention_bias": ({"attention_bias": True}, r"attention_bias = True is not supported"),
    "tie_type": ({"tie_word_embeddings": "yes"}, r"tie_word_embeddings must be true or false"),
    "quant_method": ({"quantization_config": {"quant_method": "gptq"}},
                     r"quantization_config.quant_method 'gptq' is not supported"),
    "linear_class": ({"quantization_config": {"quant_method": "bitnet", "linear_class": "x"}},
                     r"linear_class 'x' is not supported"),
    "use_rms_norm": ({"quantization_config": {"quant_method": "bitnet", "use_rms_norm": True}},
                     r"use_rms_norm = true is not supported"),
}


@pytest.mark.parametrize("case", sorted(CONFIG_ERRORS))
def test_weights_config_errors(tmp_path: Path, case: str) -> None:
    over, pattern = CONFIG_ERRORS[case]
    cp = tmp_path / "config.json"
    cp.write_text(json.dumps(tiny_config(**over)))
    with pytest.raises(CheckpointError, match=pattern) as ei:
        BitNetConfig.from_json(cp)
    assert str(cp) in str(ei.value)


def test_weights_bitnet_2b4t_config_lists_every_unsupported_feature() -> None:
    """The shape of microsoft/bitnet-b1.58-2B-4T's config: GQA and squared ReLU, both named."""
    cfg = tiny_config(hidden_size=2560, intermediate_size=6912, num_hidden_layers=30,
                      num_attention_heads=20, num_key_value_heads=5, vocab_size=128256,
                      hidden_act="relu2", rope_theta=500000.0, max_position_embeddings=4096)
    with pytest.raises(CheckpointError) as ei:
        load_weights(DictSource({}), cfg)
    msg = str(ei.value)
    assert "hidden_act 'relu2' is not supported" in msg
    assert "num_key_value_heads 5 != num_attention_heads 20" in msg and "(GQA)" in msg


def test_weights_file_errors(tmp_path: Path) -> None:
    cfg = tiny_config()
    t = random_state_dict(BitNetConfig.from_dict(cfg))
    wp, cp = write_ckpt(tmp_path / "ok", t, cfg)
    with pytest.raises(CheckpointError, match=r"weights file '.*nope.safetensors' not found"):
        load_weights(tmp_path / "nope.safetensors", cp)
    (tmp_path / "model.bin").write_bytes(b"x")
    with pytest.raises(CheckpointError, match=r"model.bin': unknown format \(expected .safetensors"):
        load_weights(tmp_path / "model.bin", cp)
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00{not json}      ")
    with pytest.raises(CheckpointError, match=r"bad.safetensors: not a readable safetensors file"):
        load_weights(bad, cp)
    badz = tmp_path / "bad.npz"
    badz.write_bytes(b"PK not a zip")
    with pytest.raises(CheckpointError, match=r"bad.npz: not a readable npz archive"):
        load_weights(badz, cp)
    with pytest.raises(CheckpointError, match=r"config file '.*missing.json' not found"):
        load_weights(wp, tmp_path / "missing.json")
    (tmp_path / "broken.json").write_text("{hidden_size: 64")
    with pytest.raises(CheckpointError, match=r"broken.json' is not valid JSON"):
        load_weights(wp, tmp_path / "broken.json")
    (tmp_path / "list.json").write_text("[1, 2]")
    with pytest.raises(CheckpointError, match=r"top level must be a JSON object"):
        load_weights(wp, tmp_path / "list.json")
    lone = tmp_path / "lone"
    lone.mkdir()
    save_file(t, str(lone / "w.safetensors"))
    with pytest.raises(CheckpointError, match=r"no config given and no config.json next to the "
                                              r"weights"):
        load_weights(lone / "w.safetensors")
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(CheckpointError, match=r"directory '.*empty': expected model.safetensors"):
        load_weights(empty, cp)
    with pytest.raises(CheckpointError, match=r"scale_convention 'both'"):
        load_weights(wp, cp, scale_convention="both")


def test_weights_from_parts_checks_shapes() -> None:
    w = random_weights(get_shape("tiny"), seed=0)
    with pytest.raises(ValueError, match=r"lm_head: shape \(256, 32\) != \(256, 64\)"):
        ModelWeights.from_parts(w.shape, w.embed, w.layers, w.gamma_final,
                                lm_head=np.zeros((256, 32)))
    with pytest.raises(ValueError, match=r"has 2 layers, got 1"):
        ModelWeights.from_parts(w.shape, w.embed, w.layers[:1], w.gamma_final)
    same = ModelWeights.from_parts(w.shape, w.embed, w.layers, w.gamma_final)
    assert same.tied and same.lm_head_float() is same.embed


# =========================================================================== paper-sized


@pytest.mark.slow
def test_weights_paper_sized_bf16_checkpoint(tmp_path: Path) -> None:
    """A 0.73B-shaped ("large") BF16 checkpoint with 2 layers: lazy first-layer load + both paths."""
    cfg = tiny_config(hidden_size=1536, intermediate_size=4096, num_hidden_layers=2,
                      num_attention_heads=16, num_key_value_heads=16, vocab_size=32002,
                      max_position_embeddings=2048, torch_dtype="bfloat16")
    t = random_state_dict(BitNetConfig.from_dict(cfg), seed=1)
    wp = write_safetensors(t, tmp_path / "model.safetensors", dtypes=dict.fromkeys(t, "BF16"))
    (tmp_path / "config.json").write_text(json.dumps(cfg))
    t0 = time.perf_counter()
    src = SafetensorsFile(wp)
    lc = load_checkpoint(src, tmp_path / "config.json", layers=1, max_ctx=64)
    load_s = time.perf_counter() - t0
    assert not [n for n in src.reads if n.startswith("model.layers.1.")]
    w = lc.weights
    assert (w.shape.d_model, w.shape.n_heads, w.shape.head_dim) == (1536, 16, 96)
    p0 = w.layers[0].proj["gate"]
    exp = TernaryLinear.from_float(bf16_round(t[proj_name(0, "gate")]))
    assert np.array_equal(p0.wq, exp.wq) and p0.beta == exp.beta
    ti, tf, cos = run_both(w)
    assert cos.min() > 0.99
    print(f"paper-sized bf16 layer load {load_s:.2f} s, tokens int {ti} float {tf}")
