"""Real BitNet b1.58 checkpoints -> golden model (``ModelWeights``).

Reads a Hugging Face style state dict from ``.safetensors`` (single file, sharded index, or a
directory) or ``.npz`` plus its ``config.json`` and builds the golden model's weights:

* tensor names are the public ones (``model.embed_tokens.weight``,
  ``model.layers.N.self_attn.{q,k,v,o}_proj.weight``, ``...self_attn.attn_sub_norm.weight``,
  ``...mlp.{gate,up,down}_proj.weight``, ``...mlp.ffn_sub_norm.weight``,
  ``...input_layernorm.weight``, ``...post_attention_layernorm.weight``, ``model.norm.weight``,
  optional ``lm_head.weight``); the 1bitLLM spellings of the sub-norms (``inner_attn_ln``,
  ``ffn_layernorm``) are accepted as aliases;
* float master weights (F64/F32/F16/BF16) are quantised with the BitNet absmean quantizer;
  already-ternary weights come with a per-tensor ``<proj>.weight_scale`` (int8/float values in
  {-1, 0, 1}, or uint8 2-bit packed in the transformers ``BitLinear`` layout);
* only the first ``layers`` decoder layers are read (lazily: safetensors ``safe_open`` /
  memory-mapped BF16, npz members on demand); every name and shape of the file is still checked
  against the config (headers only);
* every mismatch is a :class:`CheckpointError` that names the tensor, the field or the value:
  missing / unexpected tensors, wrong shapes, unsupported dtypes or values, and the model features
  the pdswap RTL does not implement (GQA, activations other than SiLU, biases, RoPE scaling).

See docs/weights.md, section "Real checkpoints".
"""

from __future__ import annotations

import json
import math
import os
import re
import struct
import time
import zipfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from .quant import TernaryLinear
from .shapes import ModelShape
from .weights import NORM_NAMES, PROJ_NAMES, LayerWeights, ModelWeights


class CheckpointError(ValueError):
    """A checkpoint or config that the golden model / the RTL cannot run, with the reason."""


# =========================================================================== names

EMBED = "model.embed_tokens.weight"
FINAL_NORM = "model.norm.weight"
LM_HEAD = "lm_head.weight"
LAYER_PREFIX = "model.layers."
PROJ_MODULES = {"q": "self_attn.q_proj", "k": "self_attn.k_proj", "v": "self_attn.v_proj",
                "o": "self_attn.o_proj", "gate": "mlp.gate_proj", "up": "mlp.up_proj",
                "down": "mlp.down_proj"}
# canonical module first, then accepted aliases (1bitLLM/bitnet_b1_58-* spell the sub-norms so)
NORM_MODULES = {"input": ("input_layernorm",),
                "attn_sub": ("self_attn.attn_sub_norm", "self_attn.inner_attn_ln"),
                "post": ("post_attention_layernorm",),
                "ffn_sub": ("mlp.ffn_sub_norm", "mlp.ffn_layernorm")}
# buffers some exporters write that carry nothing the model needs (recomputed from the config)
IGNORED_LAYER_KEYS = ("self_attn.rotary_emb.inv_freq",)
SUPPORTED_ACTS = ("silu", "swish")  # both mean x * sigmoid(x) in transformers' ACT2FN
DEFAULT_ROPE_THETA = 10000.0
DEFAULT_MAX_POSITIONS = 2048
MAX_LISTED = 12  # names listed per kind of mismatch in an error message

_LAYER_RE = re.compile(r"^model\.layers\.(\d+)\.(.+)$")


def proj_name(layer: int, proj: str) -> str:
    return f"{LAYER_PREFIX}{layer}.{PROJ_MODULES[proj]}.weight"


def norm_name(layer: int, norm: str) -> str:
    return f"{LAYER_PREFIX}{layer}.{NORM_MODULES[norm][0]}.weight"


# =========================================================================== config


@dataclass(frozen=True)
class BitNetConfig:
    """The ``config.json`` fields the golden model uses (Hugging Face names)."""

    hidden_size: int
    intermediate_size: int
    num_hidden_layers: int
    num_attention_heads: int
    num_key_value_heads: int
    vocab_size: int
    rms_norm_eps: float
    rope_theta: float
    hidden_act: str
    tie_word_embeddings: bool | None   # None: not in the config, decided by lm_head.weight
    max_position_embeddings: int
    linear_class: str = "bitlinear"    # quantization_config.linear_class (weight_scale meaning)
    source: str = "<dict>"

    @property
    def head_dim(self) -> int:
        return self.hidden_size // self.num_attention_heads

    @classmethod
    def from_json(cls, path: str | os.PathLike[str]) -> BitNetConfig:
        p = Path(path)
        if not p.is_file():
            raise CheckpointError(f"config file {str(p)!r} not found")
        try:
            d = json.loads(p.read_text())
        except (json.JSONDecodeError, UnicodeDecodeError) as e:
            raise CheckpointError(f"config file {str(p)!r} is not valid JSON: {e}") from None
        if not isinstance(d, dict):
            raise CheckpointError(f"config file {str(p)!r}: top level must be a JSON object")
        return cls.from_dict(d, source=str(p))

    @classmethod
    def from_dict(cls, d: Mapping[str, Any], source: str = "<dict>") -> BitNetConfig:
        """Parse and check a config; all problems are reported together."""
        errs: list[str] = []

        def get_int(key: str, default: int | None = None) -> int:
            if key not in d or d[key] is None:
                if default is None:
                    errs.append(f"missing field {key!r}")
                    return 1
                return default
            v = d[key]
            if isinstance(v, bool) or not isinstance(v, int) or v < 1:
                errs.append(f"{key} must be a positive integer, got {v!r}")
                return 1
            return v

        def get_float(key: str, default: float | None = None) -> float:
            if key not in d or d[key] is None:
                if default is None:
                    errs.append(f"missing field {key!r}")
                    return 1.0
                return default
            v = d[key]
            if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v) \
                    or v <= 0:
                errs.append(f"{key} must be a positive number, got {v!r}")
                return 1.0
            return float(v)

        hidden = get_int("hidden_size")
        inter = get_int("intermediate_size")
        n_layers = get_int("num_hidden_layers")
        heads = get_int("num_attention_heads")
        kv_heads = get_int("num_key_value_heads", heads)
        vocab = get_int("vocab_size")
        eps = get_float("rms_norm_eps")
        theta = get_float("rope_theta", DEFAULT_ROPE_THETA)
        max_pos = get_int("max_position_embeddings", DEFAULT_MAX_POSITIONS)

        act = d.get("hidden_act")
        if act is None:
            errs.append("missing field 'hidden_act'")
        elif not isinstance(act, str) or act.lower() not in SUPPORTED_ACTS:
            errs.append(f"hidden_act {act!r} is not supported: the pdswap RTL implements SiLU / "
                        f"SwiGLU only (hidden_act 'silu')")
        tie = d.get("tie_word_embeddings")
        if tie is not None and not isinstance(tie, bool):
            errs.append(f"tie_word_embeddings must be true or false, got {tie!r}")
            tie = None

        if kv_heads != heads:
            errs.append(f"num_key_value_heads {kv_heads} != num_attention_heads {heads}: grouped-"
                        f"query attention (GQA) is not supported by the pdswap RTL, which "
                        f"implements plain multi-head attention only")
        if hidden % heads:
            errs.append(f"hidden_size {hidden} is not a multiple of num_attention_heads {heads}")
        else:
            hd = hidden // heads
            if hd % 2:
                errs.append(f"head dimension {hd} (hidden_size/num_attention_heads) must be even "
                            f"for rotate-half RoPE")
            if d.get("head_dim") not in (None, hd):
                errs.append(f"head_dim {d.get('head_dim')!r} != hidden_size/num_attention_heads "
                            f"= {hd} (only head_dim * heads == hidden_size is supported)")
        if d.get("rope_scaling") not in (None, {}):
            errs.append(f"rope_scaling {d.get('rope_scaling')!r} is not supported (plain RoPE "
                        f"with theta^(-2i/d) only)")
        for key in ("attention_bias", "mlp_bias"):
            if d.get(key):
                errs.append(f"{key} = {d.get(key)!r} is not supported (BitLinear without bias)")

        linear_class = "bitlinear"
        qc = d.get("quantization_config")
        if qc is not None:
            if not isinstance(qc, dict):
                errs.append(f"quantization_config must be an object, got {qc!r}")
            else:
                method = qc.get("quant_method", "bitnet")
                if method != "bitnet":
                    errs.append(f"quantization_config.quant_method {method!r} is not supported "
                                f"(only 'bitnet')")
                linear_class = qc.get("linear_class", "bitlinear")
                if linear_class not in ("bitlinear", "autobitlinear"):
                    errs.append(f"quantization_config.linear_class {linear_class!r} is not "
                                f"supported (bitlinear or autobitlinear)")
                if qc.get("use_rms_norm"):
                    errs.append("quantization_config.use_rms_norm = true is not supported (an "
                                "extra RMSNorm inside every BitLinear)")

        if errs:
            raise CheckpointError(f"config {source}: " + "; ".join(errs))
        return cls(hidden_size=hidden, intermediate_size=inter, num_hidden_layers=n_layers,
                   num_attention_heads=heads, num_key_value_heads=kv_heads, vocab_size=vocab,
                   rms_norm_eps=eps, rope_theta=theta, hidden_act=str(act).lower(),
                   tie_word_embeddings=tie, max_position_embeddings=max_pos,
                   linear_class=str(linear_class), source=source)

    def to_dict(self) -> dict[str, Any]:
        """The config as Hugging Face ``config.json`` fields (what ``save_checkpoint`` writes)."""
        d: dict[str, Any] = {
            "architectures": ["BitnetForCausalLM"], "model_type": "bitnet",
            "hidden_size": self.hidden_size, "intermediate_size": self.intermediate_size,
            "num_hidden_layers": self.num_hidden_layers,
            "num_attention_heads": self.num_attention_heads,
            "num_key_value_heads": self.num_key_value_heads, "vocab_size": self.vocab_size,
            "rms_norm_eps": self.rms_norm_eps, "rope_theta": self.rope_theta,
            "hidden_act": self.hidden_act, "max_position_embeddings": self.max_position_embeddings,
        }
        if self.tie_word_embeddings is not None:
            d["tie_word_embeddings"] = self.tie_word_embeddings
        if self.linear_class != "bitlinear":
            d["quantization_config"] = {"quant_method": "bitnet", "linear_class": self.linear_class,
                                        "quantization_mode": "offline"}
        return d

    @classmethod
    def from_shape(cls, shape: ModelShape, tie_word_embeddings: bool = True) -> BitNetConfig:
        return cls(hidden_size=shape.d_model, intermediate_size=shape.d_ffn,
                   num_hidden_layers=shape.n_layers, num_attention_heads=shape.n_heads,
                   num_key_value_heads=shape.n_heads, vocab_size=shape.vocab,
                   rms_norm_eps=shape.rms_eps, rope_theta=shape.rope_theta, hidden_act="silu",
                   tie_word_embeddings=tie_word_embeddings,
                   max_position_embeddings=shape.max_ctx, source=f"shape {shape.name!r}")

    def shape(self, layers: int | None = None, max_ctx: int | None = None,
              name: str = "checkpoint") -> ModelShape:
        """The golden model shape: the first ``layers`` layers, context capped at ``max_ctx``."""
        n = self.num_hidden_layers if layers is None else check_layers(layers,
                                                                       self.num_hidden_layers)
        ctx = self.max_position_embeddings
        if max_ctx is not None:
            if isinstance(max_ctx, bool) or not isinstance(max_ctx, int) or max_ctx < 1:
                raise CheckpointError(f"max_ctx must be a positive integer, got {max_ctx!r}")
            ctx = min(ctx, max_ctx)
        return ModelShape(name=name, d_model=self.hidden_size, n_heads=self.num_attention_heads,
                          head_dim=self.head_dim, d_ffn=self.intermediate_size, n_layers=n,
                          vocab=self.vocab_size, max_ctx=ctx, rms_eps=self.rms_norm_eps,
                          rope_theta=self.rope_theta)


def check_layers(layers: int, total: int) -> int:
    if isinstance(layers, bool) or not isinstance(layers, int) or not 1 <= layers <= total:
        raise CheckpointError(f"layers {layers!r} out of range: the checkpoint has {total} "
                              f"layer(s), choose 1..{total}")
    return layers


# =========================================================================== tensor sources

# safetensors dtype tags -> numpy dtypes (BF16 is read raw, see _bf16_to_f32)
_ST_DTYPES = {"F64": np.float64, "F32": np.float32, "F16": np.float16, "BF16": np.uint16,
              "I64": np.int64, "I32": np.int32, "I16": np.int16, "I8": np.int8, "U8": np.uint8,
              "U16": np.uint16, "U32": np.uint32, "U64": np.uint64, "BOOL": np.bool_}
FLOAT_TAGS = ("F64", "F32", "F16", "BF16")
INT_TAGS = ("I64", "I32", "I16", "I8", "U8")


def _tag_of(dt: np.dtype[Any]) -> str:
    dt = dt.newbyteorder("=")  # a big-endian npz member is still F32, I8, ...
    for tag, t in _ST_DTYPES.items():
        if tag != "BF16" and np.dtype(t) == dt:
            return tag
    return str(dt)


def _bf16_to_f32(raw: npt.NDArray[np.uint16]) -> npt.NDArray[np.float32]:
    """bfloat16 bit patterns -> float32 (exact: bf16 is the top half of a float32)."""
    return (raw.astype(np.uint32) << 16).view(np.float32)


class TensorSource(Protocol):
    """A read-only, lazily read state dict."""

    path: str

    def keys(self) -> list[str]: ...

    def info(self, name: str) -> tuple[str, tuple[int, ...]]:
        """(dtype tag as in safetensors: F32, BF16, I8, ..., shape) without reading the data."""
        ...

    def read(self, name: str) -> np.ndarray:
        """The tensor as numpy (BF16 converted to float32)."""
        ...


class SafetensorsFile:
    """One ``.safetensors`` file via ``safe_open`` (memory-mapped); BF16 read raw and widened."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        from safetensors import safe_open

        self.path = str(path)
        try:
            self._f = safe_open(self.path, framework="numpy")
        except Exception as e:  # safetensors raises its own error types
            raise CheckpointError(f"{self.path}: not a readable safetensors file ({e})") from None
        self._keys = list(self._f.keys())
        self._header: dict[str, Any] | None = None
        self._base = 0
        self.reads: list[str] = []

    def keys(self) -> list[str]:
        return list(self._keys)

    def info(self, name: str) -> tuple[str, tuple[int, ...]]:
        sl = self._f.get_slice(name)
        return str(sl.get_dtype()), tuple(int(x) for x in sl.get_shape())

    def _raw_header(self) -> tuple[dict[str, Any], int]:
        """The JSON header and the byte offset of the data section (8 + header length)."""
        if self._header is None:
            with open(self.path, "rb") as fh:
                (n,) = struct.unpack("<Q", fh.read(8))
                self._header = json.loads(fh.read(n))
                self._base = 8 + n
        return self._header, self._base

    def read(self, name: str) -> np.ndarray:
        self.reads.append(name)
        tag, shape = self.info(name)
        if tag != "BF16":
            try:
                return np.asarray(self._f.get_tensor(name))
            except Exception as e:
                raise CheckpointError(f"{self.path}: cannot read tensor {name!r} of dtype {tag} "
                                      f"({e})") from None
        header, base = self._raw_header()
        begin, end = header[name]["data_offsets"]
        count = int(np.prod(shape, dtype=np.int64))
        if end - begin != 2 * count:
            raise CheckpointError(f"{self.path}: tensor {name!r} has {end - begin} bytes, "
                                  f"expected {2 * count} for BF16 {list(shape)}")
        raw = np.memmap(self.path, dtype="<u2", mode="r", offset=base + begin, shape=(count,))
        return _bf16_to_f32(np.asarray(raw)).reshape(shape)


class ShardedSafetensors:
    """``model.safetensors.index.json`` (``weight_map``: tensor name -> shard file)."""

    def __init__(self, index: str | os.PathLike[str]) -> None:
        self.path = str(index)
        try:
            wm = json.loads(Path(index).read_text())["weight_map"]
        except (OSError, KeyError, TypeError, json.JSONDecodeError) as e:
            raise CheckpointError(f"{self.path}: not a safetensors index with a weight_map "
                                  f"({e!r})") from None
        base = Path(index).parent
        self._files: dict[str, SafetensorsFile] = {}
        self._where: dict[str, SafetensorsFile] = {}
        for name, shard in sorted(wm.items()):
            if shard not in self._files:
                p = base / shard
                if not p.is_file():
                    raise CheckpointError(f"{self.path}: shard {shard!r} (tensor {name!r}) not "
                                          f"found")
                self._files[shard] = SafetensorsFile(p)
            self._where[name] = self._files[shard]
        for shard, f in self._files.items():
            stray = set(f.keys()) - {n for n, g in self._where.items() if g is f}
            if stray:
                raise CheckpointError(f"{self.path}: shard {shard!r} holds tensors missing from "
                                      f"the index: {sorted(stray)[:MAX_LISTED]}")

    @property
    def reads(self) -> list[str]:
        return [n for f in self._files.values() for n in f.reads]

    def keys(self) -> list[str]:
        return list(self._where)

    def info(self, name: str) -> tuple[str, tuple[int, ...]]:
        return self._where[name].info(name)

    def read(self, name: str) -> np.ndarray:
        return self._where[name].read(name)


class NpzFile:
    """An ``.npz`` archive; shapes and dtypes come from the member headers, data on demand."""

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = str(path)
        try:
            self._npz = np.load(self.path, allow_pickle=False)
            if not isinstance(self._npz, np.lib.npyio.NpzFile):
                raise ValueError("not an npz archive")
            self._info: dict[str, tuple[str, tuple[int, ...]]] = {}
            with zipfile.ZipFile(self.path) as zf:
                for member in zf.namelist():
                    if not member.endswith(".npy"):
                        continue
                    with zf.open(member) as fh:
                        version = np.lib.format.read_magic(fh)
                        read_header = (np.lib.format.read_array_header_1_0 if version == (1, 0)
                                       else np.lib.format.read_array_header_2_0)
                        shape, _, dt = read_header(fh)
                    self._info[member[:-4]] = (_tag_of(dt), tuple(int(x) for x in shape))
        except (OSError, ValueError, zipfile.BadZipFile) as e:
            raise CheckpointError(f"{self.path}: not a readable npz archive ({e})") from None
        self.reads: list[str] = []

    def keys(self) -> list[str]:
        return list(self._info)

    def info(self, name: str) -> tuple[str, tuple[int, ...]]:
        return self._info[name]

    def read(self, name: str) -> np.ndarray:
        self.reads.append(name)
        return np.asarray(self._npz[name])


class DictSource:
    """An in-memory state dict (numpy arrays), e.g. built by a script or a test."""

    def __init__(self, tensors: Mapping[str, npt.ArrayLike], path: str = "<dict>") -> None:
        self.path = path
        self._t = {k: np.asarray(v) for k, v in tensors.items()}
        self.reads: list[str] = []

    def keys(self) -> list[str]:
        return list(self._t)

    def info(self, name: str) -> tuple[str, tuple[int, ...]]:
        a = self._t[name]
        return _tag_of(a.dtype), tuple(a.shape)

    def read(self, name: str) -> np.ndarray:
        self.reads.append(name)
        return self._t[name]


def open_source(path: str | os.PathLike[str]) -> TensorSource:
    """Open a checkpoint: ``.safetensors``, ``*.safetensors.index.json``, ``.npz`` or a directory
    holding one of them (``model.safetensors.index.json`` preferred, then ``model.safetensors``)."""
    p = Path(path)
    if p.is_dir():
        for cand in ("model.safetensors.index.json", "model.safetensors"):
            if (p / cand).is_file():
                return open_source(p / cand)
        found = sorted(p.glob("*.safetensors")) + sorted(p.glob("*.npz"))
        if len(found) == 1:
            return open_source(found[0])
        raise CheckpointError(f"directory {str(p)!r}: expected model.safetensors, "
                              f"model.safetensors.index.json or exactly one .safetensors/.npz "
                              f"file, found {[f.name for f in found]}")
    if not p.is_file():
        raise CheckpointError(f"weights file {str(p)!r} not found")
    name = p.name.lower()
    if name.endswith(".index.json"):
        return ShardedSafetensors(p)
    if name.endswith(".safetensors"):
        return SafetensorsFile(p)
    if name.endswith(".npz"):
        return NpzFile(p)
    raise CheckpointError(f"weights file {str(p)!r}: unknown format (expected .safetensors, "
                          f".safetensors.index.json or .npz)")


def default_config_path(weights: str | os.PathLike[str]) -> Path:
    p = Path(weights)
    return (p if p.is_dir() else p.parent) / "config.json"


# =========================================================================== checking


@dataclass
class _Plan:
    """Names of the tensors to read, per role, after checking the whole file's names/shapes."""

    proj: dict[tuple[int, str], str] = field(default_factory=dict)
    scale: dict[tuple[int, str], str] = field(default_factory=dict)
    norm: dict[tuple[int, str], str] = field(default_factory=dict)
    lm_head: str | None = None
    ignored: list[str] = field(default_factory=list)


def _listing(kind: str, items: list[str]) -> str:
    more = f" ... and {len(items) - MAX_LISTED} more" if len(items) > MAX_LISTED else ""
    return f"{kind} ({len(items)}): " + ", ".join(items[:MAX_LISTED]) + more


def _plan(src: TensorSource, cfg: BitNetConfig) -> _Plan:
    """Match every tensor of the file to the config; raise one error listing all mismatches."""
    d, f, v, n_total = cfg.hidden_size, cfg.intermediate_size, cfg.vocab_size, cfg.num_hidden_layers
    proj_dims = {"q": (d, d), "k": (d, d), "v": (d, d), "o": (d, d),
                 "gate": (f, d), "up": (f, d), "down": (d, f)}
    module_to_proj = {m: p for p, m in PROJ_MODULES.items()}
    module_to_norm = {m: n for n, ms in NORM_MODULES.items() for m in ms}
    plan = _Plan()
    seen_top: set[str] = set()
    extra: list[str] = []
    wrong: list[str] = []
    dup: list[str] = []
    keys = src.keys()

    def want_shape(name: str, got: tuple[int, ...], exp: tuple[int, ...]) -> None:
        if got != exp:
            wrong.append(f"{name} has shape {list(got)}, expected {list(exp)}")

    for name in keys:
        tag, shp = src.info(name)
        if name in (EMBED, FINAL_NORM, LM_HEAD):
            seen_top.add(name)
            want_shape(name, shp, {EMBED: (v, d), FINAL_NORM: (d,), LM_HEAD: (v, d)}[name])
            if tag not in FLOAT_TAGS:
                wrong.append(f"{name} has dtype {tag}, expected a float dtype {FLOAT_TAGS}")
            continue
        m = _LAYER_RE.match(name)
        if not m or int(m.group(1)) >= n_total:
            extra.append(name)
            continue
        li, rest = int(m.group(1)), m.group(2)
        if rest in IGNORED_LAYER_KEYS:
            plan.ignored.append(name)
            continue
        module, _, leaf = rest.rpartition(".")
        if module in module_to_proj and leaf in ("weight", "weight_scale"):
            p = module_to_proj[module]
            if leaf == "weight_scale":
                plan.scale[(li, p)] = name
                if int(np.prod(shp, dtype=np.int64)) != 1:
                    wrong.append(f"{name} has shape {list(shp)}, expected a single per-tensor "
                                 f"scale ([] or [1]); per-channel scales are not supported")
                if tag not in FLOAT_TAGS:
                    wrong.append(f"{name} has dtype {tag}, expected a float dtype")
            else:
                plan.proj[(li, p)] = name
        elif module in module_to_norm and leaf == "weight":
            nn = module_to_norm[module]
            if (li, nn) in plan.norm:
                dup.append(f"{plan.norm[(li, nn)]} and {name}")
            plan.norm[(li, nn)] = name
            want_shape(name, shp, (f,) if nn == "ffn_sub" else (d,))
            if tag not in FLOAT_TAGS:
                wrong.append(f"{name} has dtype {tag}, expected a float dtype {FLOAT_TAGS}")
        else:
            extra.append(name)

    # projection shapes depend on the storage format (packed uint8 has out/4 rows)
    for (li, p), name in plan.proj.items():
        tag, shp = src.info(name)
        out, inp = proj_dims[p]
        if (li, p) in plan.scale:
            if tag == "U8":
                want_shape(name, shp, (-(-out // 4), inp))
            elif tag in FLOAT_TAGS or tag in INT_TAGS:
                want_shape(name, shp, (out, inp))
            else:
                wrong.append(f"{name} has unsupported dtype {tag}")
        else:
            if tag not in FLOAT_TAGS:
                wrong.append(f"{name} has dtype {tag} but no {name}_scale tensor: integer "
                             f"(pre-quantised) weights need a per-tensor weight_scale")
            want_shape(name, shp, (out, inp))
    for (li, p), name in plan.scale.items():
        if (li, p) not in plan.proj:
            extra.append(f"{name} (no matching {proj_name(li, p)})")

    missing = [n for n in (EMBED, FINAL_NORM) if n not in seen_top]
    for li in range(n_total):
        missing += [proj_name(li, p) for p in PROJ_NAMES if (li, p) not in plan.proj]
        missing += [norm_name(li, n) for n in NORM_NAMES if (li, n) not in plan.norm]
    if LM_HEAD in seen_top:
        plan.lm_head = LM_HEAD
    elif cfg.tie_word_embeddings is False:
        missing.append(f"{LM_HEAD} (config has tie_word_embeddings = false)")

    problems = []
    if missing:
        problems.append(_listing("missing tensor(s)", missing))
    if extra:
        problems.append(_listing("unexpected tensor(s)", sorted(extra)))
    if wrong:
        problems.append(_listing("wrong shape/dtype", wrong))
    if dup:
        problems.append(_listing("duplicate sub-norm spellings", dup))
    if problems:
        raise CheckpointError(f"checkpoint {src.path} does not match config {cfg.source} "
                              f"({n_total} layers, hidden {d}, intermediate {f}, vocab {v}):\n  "
                              + "\n  ".join(problems))
    return plan


def _float(src: TensorSource, name: str) -> npt.NDArray[np.float64]:
    a = np.asarray(src.read(name), dtype=np.float64)
    if not np.all(np.isfinite(a)):
        raise CheckpointError(f"{src.path}: tensor {name!r} has non-finite values (NaN/inf)")
    return a


def unpack_2bit(packed: npt.ArrayLike, out_features: int) -> npt.NDArray[np.int8]:
    """transformers ``BitLinear`` packing: uint8 [ceil(out/4), in]; bits 2i..2i+1 of row r hold
    (w + 1) of output row i * ceil(out/4) + r. Code 3 is invalid."""
    p = np.asarray(packed, dtype=np.uint8)
    codes = np.concatenate([(p >> (2 * i)) & 3 for i in range(4)], axis=0)[:out_features]
    if np.any(codes == 3):
        raise ValueError("packed ternary weight holds the invalid 2-bit code 3")
    return (codes.astype(np.int8) - 1).astype(np.int8)


def pack_2bit(wq: npt.ArrayLike) -> npt.NDArray[np.uint8]:
    """Inverse of :func:`unpack_2bit` (rows padded with code 0 up to a multiple of 4)."""
    w = np.asarray(wq, dtype=np.int64)
    rows = -(-w.shape[0] // 4)
    codes = np.zeros((4 * rows, w.shape[1]), dtype=np.uint8)
    codes[: w.shape[0]] = (w + 1).astype(np.uint8)
    out = np.zeros((rows, w.shape[1]), dtype=np.uint8)
    for i in range(4):
        out |= codes[i * rows:(i + 1) * rows] << (2 * i)
    return out


def _projection(src: TensorSource, cfg: BitNetConfig, plan: _Plan, li: int, p: str,
                out_features: int, scale_convention: str) -> tuple[TernaryLinear, str]:
    name = plan.proj[(li, p)]
    tag, _ = src.info(name)
    if (li, p) not in plan.scale:
        return TernaryLinear.from_float(_float(src, name)), f"{tag} float"
    s = float(_float(src, plan.scale[(li, p)]).reshape(-1)[0])
    if not s > 0.0:
        raise CheckpointError(f"{src.path}: {plan.scale[(li, p)]} = {s!r} must be > 0")
    conv = scale_convention
    if conv == "auto":
        conv = "multiply" if cfg.linear_class == "autobitlinear" else "divide"
    beta = s if conv == "multiply" else 1.0 / s
    raw = src.read(name)
    if tag == "U8":
        try:
            wq = unpack_2bit(raw, out_features)
        except ValueError as e:
            raise CheckpointError(f"{src.path}: {name}: {e}") from None
        fmt = "U8 packed ternary"
    else:
        a = np.asarray(raw, dtype=np.float64)
        bad = ~np.isin(a, (-1.0, 0.0, 1.0))
        if np.any(bad):
            raise CheckpointError(f"{src.path}: {name} has a weight_scale but values outside "
                                  f"{{-1, 0, 1}} (e.g. {float(a[bad].ravel()[0])!r}); float master "
                                  f"weights must come without weight_scale")
        wq = a.astype(np.int8)
        fmt = f"{tag} ternary"
    try:
        return TernaryLinear.from_ternary(wq, beta), fmt
    except ValueError as e:
        raise CheckpointError(f"{src.path}: {name}: scale {beta!r}: {e}") from None


# =========================================================================== loading


@dataclass
class LoadedCheckpoint:
    """A checkpoint turned into golden-model weights, with what was found on the way."""

    weights: ModelWeights
    config: BitNetConfig
    source: str
    layers_loaded: int
    formats: dict[str, int]          # "F16 float" / "I8 ternary" / "U8 packed ternary" -> count
    ignored: list[str]
    load_seconds: float

    def describe(self) -> str:
        w, c = self.weights, self.config
        s = w.shape
        fmts = ", ".join(f"{n} x{k}" for n, k in sorted(self.formats.items()))
        n_tern = sum(lw.proj[p].wq.size for lw in w.layers for p in PROJ_NAMES)
        cap = "" if s.max_ctx == c.max_position_embeddings else \
            f" (config {c.max_position_embeddings}, capped)"
        return (f"checkpoint {self.source} (config {c.source})\n"
                f"layers {self.layers_loaded}/{c.num_hidden_layers} loaded, d_model {s.d_model}, "
                f"{s.n_heads} heads x {s.head_dim}, FFN {s.d_ffn}, vocab {s.vocab}, "
                f"max_ctx {s.max_ctx}{cap}, rms_eps {s.rms_eps:g}, rope_theta {s.rope_theta:g}\n"
                f"projections: {fmts}; {n_tern:,} ternary weights; LM head "
                f"{'tied to the embeddings' if w.tied else 'untied (lm_head.weight)'}")


def load_checkpoint(weights: str | os.PathLike[str] | TensorSource,
                    config: str | os.PathLike[str] | BitNetConfig | Mapping[str, Any] | None = None,
                    *, layers: int | None = None, max_ctx: int | None = None,
                    calibrate_seed: int | None = 0, scale_convention: str = "auto",
                    name: str | None = None) -> LoadedCheckpoint:
    """Load a BitNet b1.58 checkpoint into the golden model.

    weights: a path (see :func:`open_source`) or an opened :class:`TensorSource`.
    config:  ``config.json`` path, a parsed :class:`BitNetConfig` or a dict; default: the
             ``config.json`` next to the weights.
    layers:  load only the first N decoder layers (default: all).
    max_ctx: cap the context (default: the config's ``max_position_embeddings``).
    calibrate_seed: seed of the int8 Q/K/V exponent calibration (``model.calibrate``); None skips.
    scale_convention: meaning of ``weight_scale`` for pre-quantised weights: ``divide``
             (transformers ``BitLinear``: y = acc / (s_x * weight_scale), so mean|W| =
             1 / weight_scale), ``multiply`` (``AutoBitLinear``: y = acc / s_x * weight_scale) or
             ``auto`` (from ``quantization_config.linear_class``, default bitlinear -> divide).
    """
    t0 = time.perf_counter()
    if scale_convention not in ("auto", "divide", "multiply"):
        raise CheckpointError(f"scale_convention {scale_convention!r}: choose auto, divide or "
                              f"multiply")
    src: TensorSource
    if isinstance(weights, (str, os.PathLike)):
        src = open_source(weights)
        wpath: Path | None = Path(weights)
    else:
        src, wpath = weights, None
    if isinstance(config, BitNetConfig):
        cfg = config
    elif isinstance(config, Mapping):
        cfg = BitNetConfig.from_dict(config)
    else:
        if config is None:
            if wpath is None:
                raise CheckpointError("no config given for an in-memory checkpoint")
            config = default_config_path(wpath)
            if not Path(config).is_file():
                raise CheckpointError(f"no config given and no config.json next to the weights "
                                      f"({str(config)!r}); pass the config path")
        cfg = BitNetConfig.from_json(config)
    shape = cfg.shape(layers=layers, max_ctx=max_ctx,
                      name=name or (wpath.stem if wpath is not None else "checkpoint"))
    plan = _plan(src, cfg)

    d, f = cfg.hidden_size, cfg.intermediate_size
    outs = {"q": d, "k": d, "v": d, "o": d, "gate": f, "up": f, "down": d}
    formats: dict[str, int] = {}
    layer_list: list[LayerWeights] = []
    for li in range(shape.n_layers):
        proj = {}
        for p in PROJ_NAMES:
            proj[p], fmt = _projection(src, cfg, plan, li, p, outs[p], scale_convention)
            formats[fmt] = formats.get(fmt, 0) + 1
        gamma = {n: _float(src, plan.norm[(li, n)]) for n in NORM_NAMES}
        layer_list.append(LayerWeights(proj=proj, gamma=gamma))
    embed = _float(src, EMBED)
    head = None
    if plan.lm_head is not None:
        head = _float(src, plan.lm_head)
        if cfg.tie_word_embeddings and not np.array_equal(head, embed):
            raise CheckpointError(f"{src.path}: config ties the LM head to the embeddings "
                                  f"(tie_word_embeddings = true) but {LM_HEAD} differs from "
                                  f"{EMBED}")
        if cfg.tie_word_embeddings:
            head = None
    try:
        w = ModelWeights.from_parts(shape, embed, layer_list, _float(src, FINAL_NORM),
                                    lm_head=head, calibrate_seed=calibrate_seed)
    except ValueError as e:  # shapes were checked above; this is a safety net
        raise CheckpointError(f"{src.path}: {e}") from None
    return LoadedCheckpoint(weights=w, config=cfg, source=src.path, layers_loaded=shape.n_layers,
                            formats=formats, ignored=plan.ignored,
                            load_seconds=time.perf_counter() - t0)


def load_weights(weights: str | os.PathLike[str] | TensorSource,
                 config: str | os.PathLike[str] | BitNetConfig | Mapping[str, Any] | None = None,
                 **kw: Any) -> ModelWeights:
    """:func:`load_checkpoint` returning only the :class:`ModelWeights`."""
    return load_checkpoint(weights, config, **kw).weights


def weights_from_env(env: Mapping[str, str] | None = None) -> LoadedCheckpoint | None:
    """``WEIGHTS`` / ``CONFIG`` / ``LAYERS`` / ``MAX_CTX`` (as passed by ``make sim``), or None
    when ``WEIGHTS`` is empty: the hook for the end-to-end co-simulation driver."""
    e = os.environ if env is None else env
    wpath = e.get("WEIGHTS", "").strip()
    if not wpath:
        return None

    def opt_int(key: str) -> int | None:
        raw = e.get(key, "").strip()
        if not raw:
            return None
        try:
            return int(raw)
        except ValueError:
            raise CheckpointError(f"{key}={raw!r} is not an integer") from None

    return load_checkpoint(wpath, e.get("CONFIG", "").strip() or None, layers=opt_int("LAYERS"),
                           max_ctx=opt_int("MAX_CTX"))


def truncate_layers(w: ModelWeights, layers: int, calibrate_seed: int | None = 0) -> ModelWeights:
    """The first ``layers`` layers of a model (same embeddings / final norm / LM head)."""
    check_layers(layers, w.shape.n_layers)
    return ModelWeights.from_parts(replace(w.shape, n_layers=layers), w.embed, w.layers[:layers],
                                   w.gamma_final, lm_head=w.lm_head, calibrate_seed=calibrate_seed,
                                   seed=w.seed)


# =========================================================================== writing


def write_safetensors(tensors: Mapping[str, npt.ArrayLike], path: str | os.PathLike[str],
                      dtypes: Mapping[str, str] | None = None,
                      metadata: Mapping[str, str] | None = None) -> Path:
    """Write a ``.safetensors`` file; ``dtypes`` maps a name to a tag (F32, F16, BF16, I8, U8, ...).

    BF16 is written by round-to-nearest-even of the float32 value (numpy has no bfloat16).
    """
    dtypes = dtypes or {}
    header: dict[str, Any] = {}
    blobs: list[bytes] = []
    off = 0
    for name in sorted(tensors):
        a = np.asarray(tensors[name])
        tag = dtypes.get(name, _tag_of(a.dtype))
        if tag == "BF16":
            u = np.ascontiguousarray(a, dtype=np.float32).view(np.uint32)
            rnd = ((u >> 16) & 1) + 0x7FFF
            data = ((u + rnd) >> 16).astype("<u2").tobytes()
        elif tag in _ST_DTYPES:
            data = np.ascontiguousarray(a, dtype=np.dtype(_ST_DTYPES[tag]).newbyteorder("<")) \
                .tobytes()
        else:
            raise ValueError(f"write_safetensors: unsupported dtype {tag!r} for {name!r}")
        header[name] = {"dtype": tag, "shape": list(a.shape), "data_offsets": [off, off + len(data)]}
        blobs.append(data)
        off += len(data)
    if metadata:
        header["__metadata__"] = dict(metadata)
    hb = json.dumps(header, separators=(",", ":")).encode()
    hb += b" " * (-len(hb) % 8)
    p = Path(path)
    with open(p, "wb") as fh:
        fh.write(struct.pack("<Q", len(hb)))
        fh.write(hb)
        for b in blobs:
            fh.write(b)
    return p


def state_dict(w: ModelWeights, fmt: str = "ternary", convention: str = "multiply"
               ) -> tuple[dict[str, np.ndarray], BitNetConfig]:
    """A model as a public-naming state dict plus its config.

    fmt ``ternary``: int8 {-1, 0, 1} weights + a per-tensor float64 ``weight_scale``; ``packed``:
    the same weights uint8 2-bit packed (transformers layout, :func:`pack_2bit`).
    convention ``multiply`` (transformers ``AutoBitLinear``, written into the config as
    ``quantization_config.linear_class = autobitlinear``): weight_scale = mean|W|, so loading the
    result gives ``w`` back bit for bit; ``divide`` (``BitLinear``): weight_scale = 1 / mean|W|
    (mean|W| comes back within one float64 rounding).
    Gains, embeddings and LM head are float64 (narrow them with ``write_safetensors``' dtypes).
    """
    if fmt not in ("ternary", "packed"):
        raise ValueError(f"state_dict: fmt {fmt!r}: choose ternary or packed")
    if convention not in ("multiply", "divide"):
        raise ValueError(f"state_dict: convention {convention!r}: choose multiply or divide")
    t: dict[str, np.ndarray] = {EMBED: np.asarray(w.embed, dtype=np.float64),
                                FINAL_NORM: np.asarray(w.gamma_final, dtype=np.float64)}
    for li, lw in enumerate(w.layers):
        for p in PROJ_NAMES:
            lin = lw.proj[p]
            t[proj_name(li, p)] = lin.wq if fmt == "ternary" else pack_2bit(lin.wq)
            scale = lin.beta if convention == "multiply" else 1.0 / lin.beta
            t[proj_name(li, p) + "_scale"] = np.array([scale], dtype=np.float64)
        for n in NORM_NAMES:
            t[norm_name(li, n)] = np.asarray(lw.gamma[n], dtype=np.float64)
    if w.lm_head is not None:
        t[LM_HEAD] = np.asarray(w.lm_head, dtype=np.float64)
    cfg = replace(BitNetConfig.from_shape(w.shape, tie_word_embeddings=w.tied),
                  linear_class="autobitlinear" if convention == "multiply" else "bitlinear")
    return t, cfg


def save_checkpoint(w: ModelWeights, directory: str | os.PathLike[str], fmt: str = "ternary",
                    convention: str = "multiply",
                    dtypes: Mapping[str, str] | None = None) -> tuple[Path, Path]:
    """Write ``model.safetensors`` + ``config.json`` for ``w`` into ``directory`` (created);
    see :func:`state_dict` for ``fmt`` and ``convention``."""
    out = Path(directory)
    out.mkdir(parents=True, exist_ok=True)
    tensors, cfg = state_dict(w, fmt, convention)
    wp = write_safetensors(tensors, out / "model.safetensors", dtypes,
                           metadata={"format": "pt", "producer": "bitnet_golden.loader"})
    cp = out / "config.json"
    cp.write_text(json.dumps(cfg.to_dict(), indent=2) + "\n")
    return wp, cp


def random_state_dict(cfg: BitNetConfig, seed: int = 0,
                      layers: Iterable[int] | None = None) -> dict[str, np.ndarray]:
    """Seeded random float32 master weights in the public naming (for tests and demos).

    Linear weights ~ N(0, 1/in_features); RMSNorm gains ~ 1 + 0.1 N(0, 1); embeddings (and an
    untied LM head) ~ N(0, 1).
    """
    rng = np.random.default_rng(seed)
    d, f, v = cfg.hidden_size, cfg.intermediate_size, cfg.vocab_size
    dims = {"q": (d, d), "k": (d, d), "v": (d, d), "o": (d, d),
            "gate": (f, d), "up": (f, d), "down": (d, f)}
    t: dict[str, np.ndarray] = {}
    for li in (range(cfg.num_hidden_layers) if layers is None else layers):
        for p, (o, i) in dims.items():
            t[proj_name(li, p)] = rng.normal(0.0, 1.0 / np.sqrt(i), size=(o, i)).astype(np.float32)
        for n in NORM_NAMES:
            t[norm_name(li, n)] = (1.0 + 0.1 * rng.standard_normal(f if n == "ffn_sub" else d)) \
                .astype(np.float32)
    t[EMBED] = rng.standard_normal((v, d)).astype(np.float32)
    t[FINAL_NORM] = (1.0 + 0.1 * rng.standard_normal(d)).astype(np.float32)
    if cfg.tie_word_embeddings is False:
        t[LM_HEAD] = rng.standard_normal((v, d)).astype(np.float32)
    return t


__all__ = ["EMBED", "FINAL_NORM", "LM_HEAD", "BitNetConfig", "CheckpointError", "DictSource",
           "LoadedCheckpoint", "NpzFile", "SafetensorsFile", "ShardedSafetensors", "TensorSource",
           "load_checkpoint", "load_weights", "norm_name", "open_source", "pack_2bit", "proj_name",
           "random_state_dict", "save_checkpoint", "state_dict", "truncate_layers", "unpack_2bit",
           "weights_from_env", "write_safetensors"]
