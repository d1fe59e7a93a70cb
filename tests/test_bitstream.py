"""Partial-bitstream container (pdswap_host.bitstream) and the pdswap-bitgen CLI. Pure Python."""

from __future__ import annotations

import os
import re
import struct
import subprocess
import sys
import zlib
from pathlib import Path

import numpy as np
import pytest
from pdswap_host import bitgen
from pdswap_host.bitstream import (
    CRC_BYTES,
    DEFAULT_MAX_PAYLOAD,
    FORMAT_VERSION,
    HEADER_BYTES,
    PAYLOAD_TAG,
    SYNC_WORD,
    BadSyncError,
    BitstreamError,
    Container,
    CrcMismatchError,
    ErrCode,
    LengthMismatchError,
    OversizeError,
    TrailingDataError,
    TruncatedError,
    UnalignedFileError,
    UnalignedLengthError,
    UnknownRmError,
    UnknownVersionError,
    WrongRpError,
    ZeroLengthError,
    crc32,
    hw_error_code,
    make_payload,
    pack,
    pack_raw,
    parse,
    payload_rm_id,
    read,
    words_of,
    write,
)

REPO = Path(__file__).resolve().parents[1]
RTL = REPO / "rtl" / "rp" / "rp_cfg_ctrl.sv"


def crc32_bitwise(data: bytes) -> int:
    """IEEE 802.3 CRC-32 from its definition: reflected poly 0xEDB88320, init/xorout all ones."""
    c = 0xFFFFFFFF
    for b in data:
        c ^= b
        for _ in range(8):
            c = (c >> 1) ^ (0xEDB88320 if c & 1 else 0)
    return c ^ 0xFFFFFFFF


def crc32_words(words: list[int]) -> int:
    """The RTL's algorithm (rtl/common/crc32_d32.sv): XOR a whole LE word in, shift 32 times."""
    c = 0xFFFFFFFF
    for w in words:
        c ^= w
        for _ in range(32):
            c = (c >> 1) ^ (0xEDB88320 if c & 1 else 0)
    return c ^ 0xFFFFFFFF


def good(rp: int = 0, rm: int = 1, n: int = 64, seed: int = 3) -> bytes:
    return pack(rp, rm, make_payload(rm, n, seed))


# ---------------------------------------------------------------------- format
def test_bitstream_crc_is_ieee_802_3() -> None:
    assert crc32(b"123456789") == 0xCBF43926          # the standard check value
    rng = np.random.default_rng(1)
    for n in (0, 4, 8, 20, 1000):
        data = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        assert crc32(data) == crc32_bitwise(data) == zlib.crc32(data)
        assert crc32_words(words_of(data)) == crc32(data)


def test_bitstream_layout_is_little_endian_words() -> None:
    payload = bytes(range(16))
    data = pack(7, 1, payload)
    assert len(data) == HEADER_BYTES + 16 + CRC_BYTES == 40
    assert data[:4] == b"\x66\x55\x99\xaa"             # SYNC 0xAA995566, least significant byte first
    assert struct.unpack("<5I", data[:20]) == (SYNC_WORD, FORMAT_VERSION, 7, 1, 16)
    assert data[20:36] == payload
    assert struct.unpack("<I", data[36:])[0] == zlib.crc32(data[:36])
    assert words_of(data)[0] == SYNC_WORD and len(words_of(data)) == 10


def test_bitstream_round_trip(seed: int, tmp_path: Path) -> None:
    rng = np.random.default_rng(seed)
    for _ in range(50):
        rp, rm = int(rng.integers(1 << 32)), int(rng.integers(1, 1 << 32))
        n = 4 * int(rng.integers(1, 600))
        payload = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
        c = Container(rp, rm, payload)
        data = c.to_bytes()
        assert len(data) == len(c) == n + 24
        assert parse(data) == c
        assert parse(data, rp_id=rp, num_rm=rm) == c
        assert c.words() == words_of(data)
        assert c.crc == words_of(data)[-1]
        path = tmp_path / f"c{seed}.pdbit"
        write(path, c)
        assert read(path) == c
        assert hw_error_code(data, rp_id=rp, num_rm=rm, max_payload=n) == ErrCode.NONE


def test_bitstream_payload_carries_rm_id() -> None:
    p0, p1 = make_payload(0, 64, 5), make_payload(1, 64, 5)
    assert p0[:4] == PAYLOAD_TAG and payload_rm_id(p0) == 0 and payload_rm_id(p1) == 1
    assert p0[8:] != p1[8:], "payloads of two RMs must differ"
    assert make_payload(1, 64, 5) == p1 and make_payload(1, 64, 6) != p1
    assert len(make_payload(3, 8, 0)) == 8
    assert payload_rm_id(b"\0" * 16) is None and payload_rm_id(b"PDRM") is None
    for bad in (4, 10, 0):
        with pytest.raises(ValueError, match=f"payload size {bad}"):
            make_payload(0, bad, 1)
    with pytest.raises(ValueError, match="seed -1"):
        make_payload(0, 16, -1)


# ---------------------------------------------------------------------- malformed files
MALFORMED = {
    # name: (bytes, exception class, message regex, hardware code)
    "empty": (b"", TruncatedError, "file is empty", ErrCode.TRUNC),
    "odd_size": (good()[:-1], UnalignedFileError, "not a whole number of 32-bit words", None),
    "bad_sync": (pack_raw(sync=0x12345678, rm_id=1, payload=bytes(8)), BadSyncError,
                 "bad sync word 0x12345678 .expected 0xaa995566", ErrCode.SYNC),
    "byte_swapped_sync": (pack_raw(sync=0x665599AA, payload=bytes(8)), BadSyncError,
                          "0x665599aa", ErrCode.SYNC),
    "version": (pack_raw(version=2, payload=bytes(8)), UnknownVersionError,
                "unknown format version 2", ErrCode.VERSION),
    "wrong_rp": (pack_raw(rp_id=3, payload=bytes(8)), WrongRpError,
                 "targets RP 3, this partition is RP 0", ErrCode.RP_ID),
    "unknown_rm": (pack_raw(rm_id=3, payload=bytes(8)), UnknownRmError,
                   r"unknown RM id 3 \(this partition has RM ids 1..2; 0 is RmIdNone\)",
                   ErrCode.RM_ID),
    "rm_none": (pack_raw(rm_id=0, payload=bytes(8)), UnknownRmError, "unknown RM id 0 ",
                ErrCode.RM_ID),
    "zero": (pack_raw(payload=b""), ZeroLengthError, "declared payload length is 0", ErrCode.ZERO),
    "zero_with_data": (pack_raw(payload=bytes(8), length=0), ZeroLengthError, "is 0",
                       ErrCode.ZERO),
    "unaligned_len": (pack_raw(payload=bytes(8), length=7), UnalignedLengthError,
                      "7 bytes is not a multiple of 4", ErrCode.ALIGN),
    "oversize": (pack_raw(payload=bytes(8), length=1028), OversizeError,
                 "1028 bytes exceeds the maximum 1024", ErrCode.OVERSIZE),
    "trunc_header": (good()[:12], TruncatedError, "inside the header .header word 3 missing",
                     ErrCode.TRUNC),
    "trunc_payload": (good()[:40], TruncatedError, "truncated by 48 bytes", ErrCode.TRUNC),
    "trunc_no_crc": (good()[:-4], TruncatedError, "truncated by 4 bytes", ErrCode.TRUNC),
    "trailing": (good() + bytes(8), TrailingDataError, "8 more than the 88", ErrCode.EXTRA),
    "crc_payload": (bytes(b ^ (i == 30) for i, b in enumerate(good())), CrcMismatchError,
                    "CRC mismatch", ErrCode.CRC),
    "crc_word": (good()[:-4] + b"\0\0\0\0", CrcMismatchError, "file says 0x00000000",
                 ErrCode.CRC),
}


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_bitstream_rejects_malformed(case: str) -> None:
    data, exc, msg, code = MALFORMED[case]
    with pytest.raises(exc, match=msg) as e:
        parse(data, rp_id=0, num_rm=2, max_payload=1024)
    assert isinstance(e.value, BitstreamError) and isinstance(e.value, ValueError)
    assert e.value.code == code
    if code is None:
        with pytest.raises(UnalignedFileError):
            hw_error_code(data, rp_id=0, num_rm=2, max_payload=1024)
    else:
        assert hw_error_code(data, rp_id=0, num_rm=2, max_payload=1024) == code


def test_bitstream_length_mismatch_family() -> None:
    assert issubclass(TruncatedError, LengthMismatchError)
    assert issubclass(TrailingDataError, LengthMismatchError)
    assert issubclass(UnalignedFileError, LengthMismatchError)


def test_bitstream_checks_in_stream_order() -> None:
    """Several faults: the first one met on the stream wins (same order as the controller)."""
    d = pack_raw(sync=0, version=9, rp_id=4, rm_id=9, payload=bytes(8), length=0, crc=1)
    assert hw_error_code(d, rp_id=0, num_rm=2, max_payload=64) == ErrCode.SYNC
    d = pack_raw(version=9, rp_id=4, rm_id=9, payload=bytes(8), length=0)
    assert hw_error_code(d, rp_id=0, num_rm=2, max_payload=64) == ErrCode.VERSION
    d = pack_raw(rp_id=4, rm_id=9, payload=bytes(8), length=3)
    assert hw_error_code(d, rp_id=0, num_rm=2, max_payload=64) == ErrCode.RP_ID
    d = pack_raw(rm_id=9, payload=bytes(8), length=3)
    assert hw_error_code(d, rp_id=0, num_rm=2, max_payload=64) == ErrCode.RM_ID
    d = pack_raw(payload=bytes(8), length=3)[:16]            # bad length field, then cut short
    assert hw_error_code(d, rp_id=0, num_rm=2, max_payload=64) == ErrCode.TRUNC
    d = pack_raw(payload=bytes(8), length=3)[:20]
    assert hw_error_code(d, rp_id=0, num_rm=2, max_payload=64) == ErrCode.ALIGN
    d = pack_raw(payload=bytes(8), crc=5) + bytes(4)          # extra words win over the CRC
    assert hw_error_code(d, rp_id=0, num_rm=2, max_payload=64) == ErrCode.EXTRA


def test_bitstream_error_codes_match_rtl() -> None:
    text = RTL.read_text()
    rtl = {m.group(1): int(m.group(2)) for m in re.finditer(r"Err(\w+)\s*=\s*8'd(\d+)", text)}
    camel = {"".join(p.capitalize() for p in c.name.lower().split("_")): c.value for c in ErrCode}
    assert camel == rtl


def test_bitstream_writer_refuses_bad_fields() -> None:
    with pytest.raises(ZeroLengthError, match="empty"):
        pack(0, 0, b"")
    with pytest.raises(UnalignedLengthError, match="6 bytes"):
        pack(0, 0, bytes(6))
    with pytest.raises(OversizeError, match="exceeds the maximum 8"):
        pack(0, 0, bytes(12), max_payload=8)
    with pytest.raises(ValueError, match="rp_id=-1"):
        pack(-1, 0, bytes(4))
    with pytest.raises(ValueError, match="rm_id=4294967296"):
        pack(0, 1 << 32, bytes(4))
    with pytest.raises(UnknownVersionError, match="version 2"):
        Container(0, 0, bytes(4), version=2).to_bytes()
    assert len(pack(0, 0, bytes(DEFAULT_MAX_PAYLOAD))) == DEFAULT_MAX_PAYLOAD + 24


def test_bitstream_read_names_the_file(tmp_path: Path) -> None:
    p = tmp_path / "bad.pdbit"
    p.write_bytes(pack_raw(sync=1, payload=bytes(4)))
    with pytest.raises(BadSyncError, match=re.escape(str(p))):
        read(p)


# ---------------------------------------------------------------------- pdswap-bitgen
def test_bitstream_bitgen_writes_one_container(tmp_path: Path, capsys) -> None:
    out = tmp_path / "decode.pdbit"
    assert bitgen.main(["--rm", "decode", "--rp", "3", "--size", "256", "--seed", "9",
                        "-o", str(out)]) == 0
    c = read(out, rp_id=3, num_rm=2)
    assert (c.rp_id, c.rm_id, len(c.payload)) == (3, 2, 256)
    assert c.payload == make_payload(2, 256, 9) and payload_rm_id(c.payload) == 2
    assert "wrote" in capsys.readouterr().out
    # same arguments -> same file; prefill is RM 0; numeric and hex ids
    out2 = tmp_path / "again.pdbit"
    bitgen.main(["--rm", "decode", "--rp", "3", "--size", "256", "--seed", "9", "-o", str(out2)])
    assert out2.read_bytes() == out.read_bytes()
    for rm, want in (("prefill", 1), ("PREFILL", 1), ("reference", 3), ("7", 7), ("0x10", 16),
                     ("0", 0)):
        p = tmp_path / f"rm_{want}.pdbit"
        assert bitgen.main(["--rm", rm, "--size", "16", "-o", str(p)]) == 0
        assert read(p).rm_id == want


def test_bitstream_bitgen_one_file_per_rm(tmp_path: Path) -> None:
    d = tmp_path / "bits"
    assert bitgen.main(["--rm", "prefill", "--rm", "decode", "--size", "64", "-o", str(d)]) == 0
    assert sorted(p.name for p in d.iterdir()) == ["decode.pdbit", "prefill.pdbit"]
    assert read(d / "prefill.pdbit").rm_id == 1 and read(d / "decode.pdbit").rm_id == 2


def test_bitstream_bitgen_check(tmp_path: Path, capsys) -> None:
    p = tmp_path / "x.pdbit"
    bitgen.main(["--rm", "decode", "--size", "32", "-o", str(p)])
    capsys.readouterr()
    assert bitgen.main(["--check", str(p)]) == 0
    assert "ok, rp 0 rm 2 (decode)" in capsys.readouterr().out
    assert bitgen.main(["--check", str(p), "--rp", "2"]) == 1
    assert "WrongRpError" in capsys.readouterr().err
    assert bitgen.main(["--check", str(p), "--num-rm", "1"]) == 1
    assert "unknown RM id 2" in capsys.readouterr().err
    p.write_bytes(p.read_bytes()[:-4])
    assert bitgen.main(["--check", str(p)]) == 1
    assert "TruncatedError" in capsys.readouterr().err


BAD_ARGS = [
    (["--rm", "attention"], "invalid RM 'attention'"),
    (["--rm", "-1"], "invalid RM id '-1'"),
    (["--rm", "4294967296"], "invalid RM id '4294967296'"),
    (["--rm", "decode", "--size", "6"], "--size 6: payload size must be a multiple of 4"),
    (["--rm", "decode", "--size", "4"], "--size 4: payload size must be a multiple of 4 and at least 8"),
    (["--rm", "decode", "--size", "abc"], "invalid size 'abc'"),
    (["--rm", "decode", "--size", "2048", "--max-payload", "1024"],
     "--size 2048: exceeds --max-payload 1024"),
    (["--rm", "decode", "--max-payload", "10"], "--max-payload 10: must be a non-zero multiple of 4"),
    (["--rm", "decode", "--rp", "x1"], "invalid RP id 'x1'"),
    (["--rm", "decode", "--rp", "-2"], "invalid RP id '-2'"),
    (["--rm", "decode", "--seed", "-3"], "invalid seed '-3'"),
    (["--rm", "decode", "--rm", "2"], "--rm given twice"),
    (["--size", "64"], "--rm is required"),
    (["--rm", "decode", "NOOUT"], "unrecognized arguments: NOOUT"),
]


@pytest.mark.parametrize(("argv", "msg"), BAD_ARGS, ids=[" ".join(a) for a, _ in BAD_ARGS])
def test_bitstream_bitgen_bad_arguments(argv: list[str], msg: str, tmp_path: Path, capsys) -> None:
    if "NOOUT" not in argv:
        argv = [*argv, "-o", str(tmp_path / "o.pdbit")]
    with pytest.raises(SystemExit) as e:
        bitgen.main(argv)
    assert e.value.code == 2
    err = capsys.readouterr().err
    assert msg in err, err
    assert not (tmp_path / "o.pdbit").exists()


def test_bitstream_bitgen_output_errors(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as e:
        bitgen.main(["--rm", "decode"])
    assert e.value.code == 2 and "-o/--output is required" in capsys.readouterr().err
    f = tmp_path / "file"
    f.write_text("x")
    with pytest.raises(SystemExit):
        bitgen.main(["--rm", "prefill", "--rm", "decode", "-o", str(f)])
    assert "need an output directory" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        bitgen.main(["--check", str(tmp_path / "missing.pdbit")])
    assert "does not exist" in capsys.readouterr().err


def test_bitstream_bitgen_console_entry(tmp_path: Path) -> None:
    """The module runs as a program (the pdswap-bitgen console script calls the same main)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(REPO / "sw"), os.environ.get("PYTHONPATH", "")])}
    out = tmp_path / "p.pdbit"
    r = subprocess.run([sys.executable, "-m", "pdswap_host.bitgen", "--rm", "prefill", "--size", "32",
                        "-o", str(out)], capture_output=True, text=True, env=env)
    assert r.returncode == 0, r.stderr
    assert read(out).rm_id == 1
    r = subprocess.run([sys.executable, "-m", "pdswap_host.bitgen", "--rm", "nope", "-o", str(out)],
                       capture_output=True, text=True, env=env)
    assert r.returncode == 2 and "invalid RM 'nope'" in r.stderr
