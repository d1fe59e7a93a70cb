"""Exact scoreboard: expected items (from the golden model, never from the DUT) vs observed."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import numpy as np


@dataclass
class Scoreboard:
    """Compare observed items in order against expected ones, bit for bit.

    Items are numpy integer arrays (or anything np.array_equal accepts). Mismatches are
    collected with their index so a failing test reports all of them, not just the first.
    """

    name: str
    log: object = None
    expected: deque = field(default_factory=deque)
    matched: int = 0
    mismatches: list[str] = field(default_factory=list)
    max_report: int = 8

    def expect(self, item) -> None:
        self.expected.append(np.asarray(item))

    def observe(self, item) -> None:
        got = np.asarray(item)
        idx = self.matched + len(self.mismatches)
        if not self.expected:
            self.mismatches.append(f"#{idx}: unexpected item {got.ravel()[:16]}")
            return
        exp = self.expected.popleft()
        if exp.shape == got.shape and np.array_equal(exp, got):
            self.matched += 1
            return
        if exp.shape != got.shape:
            self.mismatches.append(f"#{idx}: shape {got.shape} != expected {exp.shape}")
        else:
            bad = np.flatnonzero(exp.ravel() != got.ravel())
            self.mismatches.append(
                f"#{idx}: {len(bad)}/{exp.size} differ, first at {bad[:4].tolist()}: "
                f"got {got.ravel()[bad[:4]].tolist()} expected {exp.ravel()[bad[:4]].tolist()}")

    def check(self) -> None:
        """Assert every expected item arrived and matched exactly."""
        msg = f"{self.name}: {self.matched} matched, {len(self.mismatches)} mismatched, " \
              f"{len(self.expected)} missing"
        if self.log is not None:
            self.log.info(msg)
        problems = self.mismatches[: self.max_report]
        assert not self.mismatches and not self.expected, msg + "\n" + "\n".join(problems)
        assert self.matched > 0, f"{self.name}: nothing was compared"
