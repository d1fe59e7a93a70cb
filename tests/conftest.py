"""pytest configuration: seed sweep for randomised cocotb tests, markers, repo on sys.path."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
for p in (REPO, REPO / "models", REPO / "sw"):
    if str(p) not in sys.path:
        sys.path.insert(0, str(p))

DEFAULT_SEEDS = 2


def seed_list() -> list[int]:
    """SEEDS=N runs every randomised cocotb test over seeds 1..N (default 2)."""
    raw = os.environ.get("SEEDS", str(DEFAULT_SEEDS))
    try:
        n = int(raw)
    except ValueError:
        raise pytest.UsageError(f"SEEDS must be a positive integer, got {raw!r}") from None
    if n < 1:
        raise pytest.UsageError(f"SEEDS must be >= 1, got {n}")
    return list(range(1, n + 1))


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "seed" in metafunc.fixturenames:
        metafunc.parametrize("seed", seed_list(), ids=lambda s: f"seed{s}")
