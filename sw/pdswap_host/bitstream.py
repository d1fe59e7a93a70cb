"""pdswap partial-bitstream container: writer, strict reader, error classes (docs/bitstream.md).

Layout (32-bit words, little-endian)::

    word 0        SYNC      0xAA995566
    word 1        VERSION   1
    word 2        RP_ID     target reconfigurable partition
    word 3        RM_ID     reconfigurable module carried (rtl/rp/rp_pkg.sv ids: 1 prefill,
                            2 decode, 3 reference; 0 = RmIdNone is never valid)
    word 4        LENGTH    payload length in bytes: non-zero multiple of 4, <= max payload
    words 5..     PAYLOAD   LENGTH bytes
    last word     CRC       CRC-32 (IEEE 802.3, = zlib.crc32) over every byte before it:
                            header words 0..4 and the payload

The reader checks the fields in the order the configuration controller (rtl/rp/rp_cfg_ctrl.sv)
meets them on the stream, so for any file the exception raised names the same problem as the
controller's error code (``BitstreamError.code``; ``hw_error_code`` maps a file to it).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass
from enum import IntEnum
from pathlib import Path

import numpy as np

SYNC_WORD = 0xAA995566
FORMAT_VERSION = 1
HEADER_WORDS = 5
HEADER_BYTES = 4 * HEADER_WORDS
CRC_BYTES = 4
OVERHEAD_BYTES = HEADER_BYTES + CRC_BYTES
DEFAULT_MAX_PAYLOAD = 16 << 20          # 16 MiB; a real RP partial bitstream is ~1 MB
U32_MAX = 0xFFFFFFFF

RM_NONE = 0                                             # rp_pkg::RmIdNone (empty partition)
RM_NAMES = {"prefill": 1, "decode": 2, "reference": 3}  # rp_pkg::RmIdPrefill/Decode/Reference
PAYLOAD_TAG = b"PDRM"                   # payload starts with the tag and the RM id (u32 LE)
PAYLOAD_MIN = len(PAYLOAD_TAG) + 4      # smallest payload make_payload can build


class ErrCode(IntEnum):
    """Error codes of the configuration controller (ERR_CODE register; same numbers in RTL)."""

    NONE = 0
    SYNC = 1            # word 0 is not the sync word
    VERSION = 2         # unknown format version
    RP_ID = 3           # container addressed to another partition
    RM_ID = 4           # RM id not implemented by this partition
    ZERO = 5            # zero payload length
    ALIGN = 6           # payload length not a multiple of 4
    OVERSIZE = 7        # declared payload length above the maximum
    EXTRA = 8           # more words than declared (no tlast on the CRC word)
    TRUNC = 9           # stream/file ends before the CRC word
    CRC = 10            # CRC mismatch
    RETRIGGER = 11      # trigger while a reconfiguration is in progress
    BUSY = 12           # RM stayed busy longer than BUSY_TIMEOUT
    ACK_TIMEOUT = 13    # no shutdown acknowledge within ACK_TIMEOUT
    ABORT = 14          # host abort


class BitstreamError(ValueError):
    """A malformed container; ``code`` is the controller's error code for the same file."""

    code: ErrCode | None = None


class BadSyncError(BitstreamError):
    code = ErrCode.SYNC


class UnknownVersionError(BitstreamError):
    code = ErrCode.VERSION


class WrongRpError(BitstreamError):
    code = ErrCode.RP_ID


class UnknownRmError(BitstreamError):
    code = ErrCode.RM_ID


class ZeroLengthError(BitstreamError):
    code = ErrCode.ZERO


class UnalignedLengthError(BitstreamError):
    code = ErrCode.ALIGN


class OversizeError(BitstreamError):
    code = ErrCode.OVERSIZE


class LengthMismatchError(BitstreamError):
    """The file length disagrees with the declared payload length."""


class TruncatedError(LengthMismatchError):
    code = ErrCode.TRUNC


class TrailingDataError(LengthMismatchError):
    code = ErrCode.EXTRA


class UnalignedFileError(LengthMismatchError):
    """File length is not a whole number of 32-bit words (cannot be streamed at all)."""

    code = None


class CrcMismatchError(BitstreamError):
    code = ErrCode.CRC


def crc32(data: bytes) -> int:
    """CRC-32 IEEE 802.3 (reflected 0xEDB88320, init and final XOR 0xFFFFFFFF), as zlib."""
    return zlib.crc32(data) & U32_MAX


def _u32(name: str, value: int) -> int:
    if not isinstance(value, (int, np.integer)) or not 0 <= int(value) <= U32_MAX:
        raise ValueError(f"{name}={value!r} is not a 32-bit unsigned integer")
    return int(value)


@dataclass(frozen=True)
class Container:
    """One partial bitstream: target partition, module id and payload."""

    rp_id: int
    rm_id: int
    payload: bytes
    version: int = FORMAT_VERSION

    @property
    def header(self) -> bytes:
        return struct.pack("<5I", SYNC_WORD, self.version, self.rp_id, self.rm_id, len(self.payload))

    @property
    def crc(self) -> int:
        return crc32(self.header + self.payload)

    def to_bytes(self, max_payload: int = DEFAULT_MAX_PAYLOAD) -> bytes:
        """Serialise after validating every field (the writer never produces a bad file)."""
        _u32("rp_id", self.rp_id)
        _u32("rm_id", self.rm_id)
        n = len(self.payload)
        if self.version != FORMAT_VERSION:
            raise UnknownVersionError(f"version {self.version} is not the supported {FORMAT_VERSION}")
        if n == 0:
            raise ZeroLengthError("payload is empty (length 0)")
        if n % 4:
            raise UnalignedLengthError(f"payload length {n} bytes is not a multiple of 4")
        if n > max_payload:
            raise OversizeError(f"payload length {n} bytes exceeds the maximum {max_payload}")
        body = self.header + self.payload
        return body + struct.pack("<I", crc32(body))

    def words(self) -> list[int]:
        return words_of(self.to_bytes())

    def __len__(self) -> int:
        return OVERHEAD_BYTES + len(self.payload)


def words_of(data: bytes) -> list[int]:
    """Little-endian 32-bit words of ``data`` (length must be a multiple of 4)."""
    if len(data) % 4:
        raise UnalignedFileError(f"{len(data)} bytes is not a whole number of 32-bit words")
    return list(struct.unpack(f"<{len(data) // 4}I", data))


def pack(rp_id: int, rm_id: int, payload: bytes, max_payload: int = DEFAULT_MAX_PAYLOAD) -> bytes:
    """Build a valid container."""
    return Container(rp_id, rm_id, bytes(payload)).to_bytes(max_payload)


def pack_raw(*, rp_id: int = 0, rm_id: int = 1, payload: bytes = b"", sync: int = SYNC_WORD,
             version: int = FORMAT_VERSION, length: int | None = None, crc: int | None = None,
             tail: bytes = b"") -> bytes:
    """Build a container with no validation (for tests of malformed files).

    ``length`` overrides the declared length, ``crc`` the trailer (default: the correct CRC of
    what precedes it), ``tail`` is appended after the CRC word.
    """
    n = len(payload) if length is None else length
    body = struct.pack("<5I", sync, version, rp_id, rm_id, n) + bytes(payload)
    c = crc32(body) if crc is None else crc
    return body + struct.pack("<I", c & U32_MAX) + tail


def parse(data: bytes, *, rp_id: int | None = None, num_rm: int | None = None,
          max_payload: int = DEFAULT_MAX_PAYLOAD) -> Container:
    """Parse and validate a container; raise the BitstreamError subclass naming the problem.

    ``rp_id`` (if given) must match the header; with ``num_rm`` the RM id must be in
    1..num_rm (the partition's modules; 0 is RmIdNone).
    Fields are checked in stream order, exactly like the configuration controller.
    """
    data = bytes(data)
    size = len(data)

    def word(i: int) -> int:
        if size < 4 * (i + 1):
            raise TruncatedError(f"file ends after {size} bytes, inside the header "
                                 f"(header word {i} missing; a container has at least "
                                 f"{OVERHEAD_BYTES + 4} bytes)")
        return struct.unpack_from("<I", data, 4 * i)[0]

    if size % 4:
        raise UnalignedFileError(f"file length {size} bytes is not a whole number of 32-bit words")
    if size == 0:
        raise TruncatedError("file is empty")
    sync = word(0)
    if sync != SYNC_WORD:
        raise BadSyncError(f"bad sync word 0x{sync:08x} (expected 0x{SYNC_WORD:08x})")
    version = word(1)
    if version != FORMAT_VERSION:
        raise UnknownVersionError(f"unknown format version {version} (supported: {FORMAT_VERSION})")
    rp = word(2)
    if rp_id is not None and rp != rp_id:
        raise WrongRpError(f"container targets RP {rp}, this partition is RP {rp_id}")
    rm = word(3)
    if num_rm is not None and not 1 <= rm <= num_rm:
        raise UnknownRmError(f"unknown RM id {rm} (this partition has RM ids 1..{num_rm}; "
                             f"0 is RmIdNone)")
    length = word(4)
    if length == 0:
        raise ZeroLengthError("declared payload length is 0")
    if length % 4:
        raise UnalignedLengthError(f"declared payload length {length} bytes is not a multiple of 4")
    if length > max_payload:
        raise OversizeError(f"declared payload length {length} bytes exceeds the maximum "
                            f"{max_payload}")
    expect = OVERHEAD_BYTES + length
    if size < expect:
        raise TruncatedError(f"file has {size} bytes, the header declares {length} payload bytes "
                             f"({expect} bytes in all): truncated by {expect - size} bytes")
    if size > expect:
        raise TrailingDataError(f"file has {size} bytes, {size - expect} more than the "
                                f"{expect} the header declares (payload {length} bytes)")
    body = data[:-CRC_BYTES]
    got = struct.unpack_from("<I", data, size - CRC_BYTES)[0]
    want = crc32(body)
    if got != want:
        raise CrcMismatchError(f"CRC mismatch: file says 0x{got:08x}, contents give 0x{want:08x}")
    return Container(rp, rm, data[HEADER_BYTES:-CRC_BYTES], version)


def hw_error_code(data: bytes, *, rp_id: int, num_rm: int, max_payload: int) -> ErrCode:
    """Error code the configuration controller reports for ``data`` streamed with tlast on its
    last word (reference model for the RTL tests)."""
    try:
        parse(data, rp_id=rp_id, num_rm=num_rm, max_payload=max_payload)
    except BitstreamError as e:
        if e.code is None:
            raise
        return e.code
    return ErrCode.NONE


def read(path: str | Path, **kw) -> Container:
    """Read and validate a container file (keyword arguments as for ``parse``)."""
    p = Path(path)
    try:
        return parse(p.read_bytes(), **kw)
    except BitstreamError as e:
        raise type(e)(f"{p}: {e}") from None


def write(path: str | Path, container: Container, max_payload: int = DEFAULT_MAX_PAYLOAD) -> bytes:
    data = container.to_bytes(max_payload)
    Path(path).write_bytes(data)
    return data


def make_payload(rm_id: int, size: int, seed: int) -> bytes:
    """Seeded random payload of ``size`` bytes that starts with ``PDRM`` and the RM id (u32 LE).

    The stream is a function of (seed, rm_id): two RMs built with one seed differ.
    """
    _u32("rm_id", rm_id)
    if size < PAYLOAD_MIN or size % 4:
        raise ValueError(f"payload size {size} must be a multiple of 4 and at least {PAYLOAD_MIN}")
    if seed < 0:
        raise ValueError(f"seed {seed} must be >= 0")
    rng = np.random.default_rng([seed, rm_id])
    body = rng.integers(0, 256, size=size - PAYLOAD_MIN, dtype=np.uint8).tobytes()
    return PAYLOAD_TAG + struct.pack("<I", rm_id) + body


def payload_rm_id(payload: bytes) -> int | None:
    """RM id embedded by make_payload, or None if the payload does not carry the tag."""
    if len(payload) < PAYLOAD_MIN or payload[:4] != PAYLOAD_TAG:
        return None
    return struct.unpack_from("<I", payload, 4)[0]


def rm_name(rm_id: int) -> str:
    for name, i in RM_NAMES.items():
        if i == rm_id:
            return name
    return "none" if rm_id == RM_NONE else f"rm{rm_id}"
