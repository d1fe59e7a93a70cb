"""``pdswap-golden run``: summary contents against the golden model, checkpoints, bad arguments.

Expected tokens are computed here with the golden API (random_weights / ModelWeights.from_parts +
generate), never taken from the CLI output.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from bitnet_golden import FloatModel, IntModel, ModelWeights, generate, get_shape, random_weights
from bitnet_golden import cli as golden_cli
from bitnet_golden.loader import (
    EMBED,
    FINAL_NORM,
    LM_HEAD,
    BitNetConfig,
    norm_name,
    proj_name,
    random_state_dict,
)
from bitnet_golden.quant import TernaryLinear
from bitnet_golden.weights import NORM_NAMES, PROJ_NAMES, LayerWeights
from safetensors.numpy import save_file

REPO = Path(__file__).resolve().parents[1]

TINY_CFG: dict[str, Any] = {
    "hidden_size": 64, "intermediate_size": 128, "num_hidden_layers": 3,
    "num_attention_heads": 4, "num_key_value_heads": 4, "vocab_size": 256, "rms_norm_eps": 1e-5,
    "rope_theta": 10000.0, "hidden_act": "silu", "max_position_embeddings": 256,
    "tie_word_embeddings": False,
}


def cli(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    rc = golden_cli.main(argv)
    out = capsys.readouterr()
    return rc, out.out, out.err


def field(out: str, name: str) -> str:
    m = re.search(rf"^{re.escape(name)}\s*: (.*)$", out, re.MULTILINE)
    assert m, f"no {name!r} line in:\n{out}"
    return m.group(1)


def tokens(out: str, name: str) -> list[int]:
    return [int(t) for t in field(out, name).split()]


def check_summary(out: str, w: ModelWeights, prompt: list[int], n: int, top_k: int,
                  seed: int) -> None:
    want_int = generate(IntModel(w), prompt, n, top_k=top_k, seed=seed)
    want_flt = generate(FloatModel(w), prompt, n, top_k=top_k, seed=seed)
    assert tokens(out, "int tokens") == want_int
    assert tokens(out, "float tokens") == want_flt
    same = sum(a == b for a, b in zip(want_int, want_flt, strict=True))
    assert field(out, "agreement").startswith(f"{same}/{n} tokens equal")
    hi = IntModel(w).forward(prompt) / 65536.0
    hf = FloatModel(w).forward(prompt)
    cos = np.sum(hi * hf, -1) / (np.linalg.norm(hi, axis=-1) * np.linalg.norm(hf, axis=-1))
    pre = field(out, "prefill")
    assert f"last {cos[-1]:.6f}, mean {np.mean(cos):.6f}, min {np.min(cos):.6f}" in pre
    assert cos.min() > 0.99
    calib = " ".join(f"L{i}:{lw.fq}/{lw.fk}/{lw.fv}" for i, lw in enumerate(w.layers))
    assert calib in field(out, "calibration")
    assert re.match(r"load [\d.]+ s, integer path [\d.]+ s, float path [\d.]+ s, total [\d.]+ s$",
                    field(out, "wall time"))


@pytest.mark.parametrize("shape,wseed,n,top_k", [("tiny", 0, 8, 1), ("tiny", 3, 6, 4),
                                                  ("small", 1, 3, 1)])
def test_golden_cli_random_shape(capsys: pytest.CaptureFixture[str], shape: str, wseed: int,
                                 n: int, top_k: int) -> None:
    seed = wseed  # (``seed`` is the conftest's cocotb seed sweep)
    rc, out, err = cli(["run", "--shape", shape, "--seed", str(seed), "--tokens", str(n),
                        "--top-k", str(top_k), "--prompt-len", "12"], capsys)
    assert rc == 0, err
    w = random_weights(get_shape(shape), seed=seed)
    prompt = [int(t) for t in np.random.default_rng(seed).integers(0, w.shape.vocab, size=12)]
    assert field(out, "prompt") == f"12 tokens (random, seed {seed}): " + " ".join(map(str, prompt))
    assert f"random weights of shape {shape!r} (seed {seed})" in field(out, "model")
    check_summary(out, w, prompt, n, top_k, seed)


def test_golden_cli_default_is_tiny_greedy(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, _ = cli(["run"], capsys)
    assert rc == 0
    w = random_weights(get_shape("tiny"), seed=0)
    prompt = [int(t) for t in np.random.default_rng(0).integers(0, 256, size=8)]
    assert "greedy, 8 tokens" in field(out, "sampling")
    check_summary(out, w, prompt, 8, 1, 0)


def test_golden_cli_layers_and_prompt_on_random_shape(capsys: pytest.CaptureFixture[str]) -> None:
    rc, out, err = cli(["run", "--shape", "small", "--layers", "2", "--prompt", "5,6,7,1000",
                        "--tokens", "3", "--max-ctx", "64"], capsys)
    assert rc == 0, err
    full = random_weights(get_shape("small"), seed=0)
    w = ModelWeights.from_parts(replace(full.shape, n_layers=2, max_ctx=64), full.embed,
                                full.layers[:2], full.gamma_final)
    assert "layers 2," in field(out, "model") and "max_ctx 64" in field(out, "model")
    assert field(out, "prompt") == "4 tokens (given): 5 6 7 1000"
    check_summary(out, w, [5, 6, 7, 1000], 3, 1, 0)


def write_checkpoint(tmp: Path, cfg: dict[str, Any], seed: int = 2) -> dict[str, np.ndarray]:
    t = random_state_dict(BitNetConfig.from_dict(cfg), seed=seed)
    save_file({k: v.astype(np.float16) for k, v in t.items()}, str(tmp / "model.safetensors"))
    (tmp / "config.json").write_text(json.dumps(cfg))
    return {k: v.astype(np.float16).astype(np.float64) for k, v in t.items()}


def direct_model(t: dict[str, np.ndarray], cfg: dict[str, Any], layers: int,
                 calibrate_seed: int) -> ModelWeights:
    shape = replace(get_shape("tiny"), name="ck", n_layers=layers,
                    max_ctx=cfg["max_position_embeddings"])
    lws = [LayerWeights(proj={p: TernaryLinear.from_float(t[proj_name(li, p)]) for p in PROJ_NAMES},
                        gamma={n: t[norm_name(li, n)] for n in NORM_NAMES})
           for li in range(layers)]
    return ModelWeights.from_parts(shape, t[EMBED], lws, t[FINAL_NORM], lm_head=t.get(LM_HEAD),
                                   calibrate_seed=calibrate_seed)


@pytest.mark.parametrize("layers", [1, 3])
def test_golden_cli_checkpoint(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               layers: int) -> None:
    t = write_checkpoint(tmp_path, TINY_CFG)
    rc, out, err = cli(["run", "--weights", str(tmp_path / "model.safetensors"), "--config",
                        str(tmp_path / "config.json"), "--layers", str(layers), "--tokens", "5",
                        "--seed", "4", "--top-k", "2"], capsys)
    assert rc == 0, err
    model = field(out, "model")
    assert f"layers {layers}/3 loaded" in out and "F16 float x" in out
    assert "LM head untied (lm_head.weight)" in out and str(tmp_path) in model
    w = direct_model(t, TINY_CFG, layers, calibrate_seed=4)
    prompt = [int(x) for x in np.random.default_rng(4).integers(0, 256, size=8)]
    check_summary(out, w, prompt, 5, 2, 4)


def test_golden_cli_checkpoint_directory_default_config(tmp_path: Path,
                                                        capsys: pytest.CaptureFixture[str]) -> None:
    t = write_checkpoint(tmp_path, TINY_CFG, seed=6)
    rc, out, err = cli(["run", "--weights", str(tmp_path), "--tokens", "4"], capsys)
    assert rc == 0, err
    assert f"config {tmp_path / 'config.json'}" in out
    prompt = [int(x) for x in np.random.default_rng(0).integers(0, 256, size=8)]
    check_summary(out, direct_model(t, TINY_CFG, 3, 0), prompt, 4, 1, 0)


BAD_ARGS = [
    (["run", "--shape", "huge"], r"argument --shape: invalid choice: 'huge'"),
    (["run", "--tokens", "0"], r"argument --tokens: must be >= 1, got 0"),
    (["run", "--tokens", "many"], r"argument --tokens: must be an integer, got 'many'"),
    (["run", "--top-k", "0"], r"argument --top-k: must be >= 1, got 0"),
    (["run", "--layers", "0"], r"argument --layers: must be >= 1, got 0"),
    (["run", "--seed", "-1"], r"argument --seed: must be >= 0, got -1"),
    (["run", "--prompt-len", "x"], r"argument --prompt-len: must be an integer, got 'x'"),
    (["run", "--max-ctx", "0"], r"argument --max-ctx: must be >= 1, got 0"),
    (["run", "--prompt", "1,a"], r"argument --prompt: must be comma-separated token ids, got '1,a'"),
    (["run", "--prompt", "999"], r"--prompt token 999 outside the vocabulary \[0, 256\)"),
    (["run", "--tokens", "300"], r"prompt length 8 \+ --tokens 300 = 308 exceeds max_ctx 256"),
    (["run", "--max-ctx", "32", "--prompt-len", "30", "--tokens", "5"],
     r"prompt length 30 \+ --tokens 5 = 35 exceeds max_ctx 32"),
    (["run", "--top-k", "1000"], r"--top-k 1000 exceeds the vocabulary size 256"),
    (["run", "--layers", "5"], r"--layers 5 exceeds the 2 layer\(s\) of shape 'tiny'"),
    (["run", "--config", "c.json"], r"--config c.json needs --weights"),
    (["run", "--weights", "nofile.safetensors"], r"weights file 'nofile.safetensors' not found"),
    (["run", "--shape", "tiny", "--weights", "x.npz"], r"--shape tiny and --weights x.npz exclude"),
    (["run", "--bogus"], r"unrecognized arguments: --bogus"),
    ([], r"the following arguments are required: COMMAND"),
    (["walk"], r"argument COMMAND: invalid choice: 'walk'"),
]


@pytest.mark.parametrize("argv,pattern", BAD_ARGS, ids=lambda a: "_".join(a) if isinstance(a, list)
                         else None)
def test_golden_cli_bad_arguments(capsys: pytest.CaptureFixture[str], argv: list[str],
                                  pattern: str) -> None:
    rc, out, err = cli(argv, capsys)
    assert rc == 2
    assert re.search(pattern, err), err
    assert "int tokens" not in out


@pytest.mark.parametrize("over,argv,pattern", [
    ({"hidden_act": "relu2"}, [], r"hidden_act 'relu2' is not supported"),
    ({"num_key_value_heads": 1}, [], r"num_key_value_heads 1 != num_attention_heads 4: "
                                     r"grouped-query attention \(GQA\) is not supported"),
    ({}, ["--layers", "9"], r"layers 9 out of range: the checkpoint has 3 layer\(s\)"),
    ({"num_hidden_layers": 2}, [], r"unexpected tensor\(s\) \(11\): model.layers.2."),
])
def test_golden_cli_checkpoint_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                      over: dict[str, Any], argv: list[str], pattern: str) -> None:
    write_checkpoint(tmp_path, TINY_CFG)
    (tmp_path / "config.json").write_text(json.dumps({**TINY_CFG, **over}))
    rc, out, err = cli(["run", "--weights", str(tmp_path / "model.safetensors"), *argv], capsys)
    assert rc == 2 and "int tokens" not in out
    assert re.search(pattern, err), err
    assert err.startswith("pdswap-golden: error: ")


def test_golden_cli_integer_overflow_reported(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    def boom(*_a: Any, **_k: Any) -> list[int]:
        raise OverflowError("TLMM accumulator: |value| 2000000 exceeds 2^31")
    monkeypatch.setattr(golden_cli, "generate", boom)
    rc, _, err = cli(["run"], capsys)
    assert rc == 1
    assert "integer path left its documented bounds" in err and "TLMM accumulator" in err


def test_golden_cli_console_script() -> None:
    """The installed entry point (pyproject: pdswap-golden = bitnet_golden.cli:main)."""
    exe = Path(sys.executable).parent / "pdswap-golden"
    assert exe.is_file(), f"{exe} missing: reinstall the venv (make venv)"
    ok = subprocess.run([str(exe), "run", "--tokens", "2", "--prompt-len", "4"],
                        capture_output=True, text=True, timeout=120, cwd=REPO)
    assert ok.returncode == 0, ok.stderr
    w = random_weights(get_shape("tiny"), seed=0)
    prompt = [int(x) for x in np.random.default_rng(0).integers(0, 256, size=4)]
    assert tokens(ok.stdout, "int tokens") == generate(IntModel(w), prompt, 2)
    bad = subprocess.run([str(exe), "run", "--shape", "huge"], capture_output=True, text=True,
                         timeout=120, cwd=REPO)
    assert bad.returncode == 2 and "invalid choice: 'huge'" in bad.stderr
    mod = subprocess.run([sys.executable, "-m", "bitnet_golden.cli", "run", "--tokens", "1"],
                         capture_output=True, text=True, timeout=120, cwd=REPO,
                         env={"PYTHONPATH": str(REPO / "models"), "PATH": "/usr/bin:/bin"})
    assert mod.returncode == 0, mod.stderr
    assert "int tokens" in mod.stdout
