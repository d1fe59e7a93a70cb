"""PCAP model: rate mapping (paper 45 ms -> bytes/cycle), exact rate accounting of the sender,
stream rules, and the register map shared with rtl/rp/rp_cfg_ctrl.sv. Pure Python."""

from __future__ import annotations

import math
import re
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from pdswap_host import pcap
from pdswap_host.pcap import (
    DEFAULT_RATE,
    PcapCore,
    RateLimiter,
    Reg,
    State,
    Status,
    rate_bytes_per_cycle,
    reconf_cycles,
    scaled_payload_bytes,
)

REPO = Path(__file__).resolve().parents[1]
RTL = REPO / "rtl" / "rp" / "rp_cfg_ctrl.sv"
RATES = [Fraction(4), Fraction(3), Fraction(5, 2), Fraction(2), Fraction(3, 2), Fraction(1),
         Fraction(7, 10), Fraction(1, 3), Fraction(37, 100), Fraction(DEFAULT_RATE)]


def test_pcap_paper_rate_mapping() -> None:
    # ~1 MiB partial bitstream in 45 ms at the 250 MHz fabric clock
    r = rate_bytes_per_cycle(1 << 20, 250.0, 45.0)
    assert r == pytest.approx((1 << 20) / (45e-3 * 250e6), rel=1e-15)
    assert r == DEFAULT_RATE
    assert 0.0932 < r < 0.0933
    cycles = reconf_cycles(1 << 20, DEFAULT_RATE)
    assert abs(cycles - 11_250_000) <= 1
    assert cycles / 250e6 * 1e3 == pytest.approx(45.0, rel=1e-6)
    # other clocks/targets scale linearly
    assert rate_bytes_per_cycle(1 << 20, 125.0, 45.0) == pytest.approx(2 * r)
    assert rate_bytes_per_cycle(2 << 20, 250.0, 90.0) == pytest.approx(r)


def test_pcap_rate_mapping_rejects_bad_values() -> None:
    with pytest.raises(ValueError, match="need nbytes"):
        rate_bytes_per_cycle(0, 250.0, 45.0)
    with pytest.raises(ValueError, match="need nbytes"):
        rate_bytes_per_cycle(1024, -1.0, 45.0)
    with pytest.raises(ValueError, match="more than the 4 B/cycle"):
        rate_bytes_per_cycle(64 << 20, 250.0, 1.0)


def test_pcap_scaled_payload_keeps_ratio() -> None:
    # the sim's projection+FFN window is short: the payload shrinks so that streaming it at the
    # paper rate still takes 45/31 of that window
    for overlap in (10_000, 123_457, 1_000_000):
        n = scaled_payload_bytes(overlap)
        assert n % 4 == 0 and n >= 4
        ratio = reconf_cycles(n, DEFAULT_RATE) / overlap
        assert ratio == pytest.approx(45 / 31, abs=4 / DEFAULT_RATE / overlap + 1e-9)
    assert scaled_payload_bytes(1) == 4
    assert scaled_payload_bytes(1000, rate=4, ratio=1.0) == 4000


@pytest.mark.parametrize("rate", RATES, ids=lambda r: f"r{float(r):.4f}")
def test_pcap_rate_exact_when_sink_ready(rate: Fraction) -> None:
    """Always-ready sink: after N steps exactly floor((N-1) * rate / 4) words are accepted."""
    words = list(range(4000))
    core = PcapCore(words, rate)
    for n in range(1, 3000):
        core.step(True)
        assert core.stats.words == min(len(words), math.floor((n - 1) * rate / 4)), n
    # long-run rate equals the nominal one (no credit lost to the bucket cap)
    assert core.stats.words * 4 / 2999 == pytest.approx(float(rate), abs=8 / 2999)


@pytest.mark.parametrize("rate", RATES, ids=lambda r: f"r{float(r):.4f}")
def test_pcap_backpressure_and_stalls(rate: Fraction) -> None:
    """Random tready and random stalls: order and data kept, valid/data/last held until ready,
    the rate never exceeded, every word delivered once, tlast only on the last."""
    rng = np.random.default_rng(7)
    words = [int(x) for x in rng.integers(0, 1 << 32, 300)]
    core = PcapCore(words, rate, p_stall=0.3, rng=rng)
    got, lasts = [], []
    drive = (False, 0, False)
    ready_prob = 0.6
    n = 0
    while not core.done:
        n += 1
        assert n < 200_000, "PCAP model hung"
        ready = bool(rng.random() < ready_prob)
        if drive[0] and ready:
            got.append(drive[1])
            lasts.append(drive[2])
        new = core.step(ready)
        if drive[0] and not ready:
            assert new == drive, "valid/data/last changed before ready"
        drive = new
        # never faster than the rate (credit accrues from step 1)
        assert core.stats.words <= math.floor(n * rate / 4)
    assert got == words
    assert lasts == [False] * (len(words) - 1) + [True]
    assert core.stats.stall_cycles > 0 and core.stats.wait_cycles > 0
    assert core.stats.bytes == 4 * len(words)
    assert core.stats.handshakes == sorted(core.stats.handshakes)
    assert core.stats.cycles == core.stats.last_cycle == core.stats.handshakes[-1]


def test_pcap_bucket_banks_at_most_one_extra_word() -> None:
    core = PcapCore(list(range(100)), Fraction(1, 2))
    for _ in range(1000):                       # stalled sink: one word presented, credit banked
        core.step(False)
    assert core.limiter.credit == core.limiter.depth == Fraction(9, 2)
    core.step(True)                             # word 0 accepted, word 1 presented at once
    core.step(True)                             # word 1 accepted; word 2 needs fresh credit
    assert core.stats.words == 2 and not core.valid
    for _ in range(5):
        core.step(True)
    assert not core.valid                       # 1 B left + 5 x 1/2 B < 4 B
    core.step(True)
    assert core.valid                           # 4 bytes at 1/2 B/cycle: 8 cycles per word


def test_pcap_rejects_bad_arguments() -> None:
    with pytest.raises(ValueError, match="empty bitstream"):
        PcapCore([], 1)
    with pytest.raises(ValueError, match=r"rate 0.0 B/cycle must be in \(0, 4\]"):
        RateLimiter(0)
    with pytest.raises(ValueError, match=r"rate 5\.0"):
        RateLimiter(5)
    with pytest.raises(ValueError, match=r"bucket depth 4\.0 B"):
        RateLimiter(1, depth=4)
    with pytest.raises(ValueError, match="stall probability"):
        PcapCore([1], 1, p_stall=1.0, rng=np.random.default_rng())
    with pytest.raises(ValueError, match="need an rng"):
        PcapCore([1], 1, p_stall=0.5)


def _rtl_localparams(prefix: str) -> dict[str, int]:
    text = RTL.read_text()
    return {m.group(1): int(m.group(2)) for m in
            re.finditer(rf"localparam int unsigned {prefix}(\w+)\s*=\s*(\d+);", text)}


def _camel(name: str) -> str:
    return "".join(p.capitalize() for p in name.lower().split("_"))


def test_pcap_register_map_matches_rtl() -> None:
    rtl = _rtl_localparams("Reg")
    assert rtl, f"no Reg* localparams found in {RTL}"
    assert {_camel(r.name): r.value // 4 for r in Reg} == rtl
    assert pcap.N_REGS == len(Reg) == int(re.search(r"NRegs\s*=\s*(\d+)", RTL.read_text()).group(1))
    assert [r.value for r in Reg] == [4 * i for i in range(len(Reg))]


def test_pcap_state_and_status_decode_match_rtl() -> None:
    text = RTL.read_text()
    states = {m.group(1): int(m.group(2)) for m in
              re.finditer(r"St(\w+)\s*=\s*3'd(\d+)", text)}
    assert {_camel(s.name): s.value for s in State} == states
    s = Status((1 << 5) | (1 << 6) | State.ERROR | (1 << 4))
    assert s.state == State.ERROR and s.error and s.decouple and s.rm_reset and not s.loaded
    assert "ERROR" in repr(s)
