"""A small deterministic zip writer whose entries are compressed and hashed once, whatever the zips sharing them.

The formats of a course carry the same pages, assets and images: a `Store` deflates each distinct content
once (raw deflate, as zipfile does, so the bytes match what zipfile would write), computes its CRC-32 and
SHA-256 once, and `write_zip` lays the stored bytes into each zip, hashing the zip as it goes. Large course
files are streamed through a spill file, so memory stays small whatever the media weigh.
"""

from __future__ import annotations

import hashlib
import struct
import tempfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from builder.problems import CoursepackError

STORED, DEFLATED = 0, 8  # zip compression methods
FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip's earliest date: the same bytes whenever we build
FILE_MODE = 0o644 << 16  # rw-r--r--, honoured because the entries say they were made on Unix
UNIX = 3
VERSION = 20  # zip 2.0: deflate; what zipfile writes for entries without zip64
UTF8_NAME = 0x800
LIMIT = 0xFFFFFFFF  # beyond this (or 65,535 entries) a zip needs zip64, which packages never should
CHUNK = 1 << 20
SPILL_OVER = 1 << 16  # course files bigger than this go through the spill file: memory stays flat whatever the media

class TooBig(CoursepackError):
    """A package beyond what a zip without zip64 holds: the course's error, not a crash."""

    def __init__(self, what: str, hint: str) -> None:
        super().__init__(f"{what} — {hint}")
        self.what, self.hint = what, hint


_LOCAL = struct.Struct("<4s2B4HL2L2H")
_CENTRAL = struct.Struct("<4s4B4HL2L5H2L")
_END = struct.Struct("<4s4H2LH")
_DOS_DATE = (FIXED_TIME[0] - 1980) << 9 | FIXED_TIME[1] << 5 | FIXED_TIME[2]
_DOS_TIME = FIXED_TIME[3] << 11 | FIXED_TIME[4] << 5 | FIXED_TIME[5] // 2


@dataclass(frozen=True)
class Packed:
    """One content as zips store it: method, CRC, sizes, SHA-256 of the original, and where the stored bytes are."""

    method: int
    crc: int
    size: int
    compressed: int
    sha256: str
    data: bytes | None  # the stored bytes, or None when they are in the spill file at `offset`
    offset: int = 0


class Store:
    """Each distinct content compressed, checked and hashed once, for every zip of a course."""

    def __init__(self) -> None:
        self._packed: dict[tuple[int, bytes | Path], Packed] = {}
        self._spill: BinaryIO | None = None

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Drop the spill file, if any."""
        if self._spill is not None:
            self._spill.close()
            self._spill = None

    def pack(self, content: bytes | Path, method: int) -> Packed:
        """`content` (bytes, or a file) stored with `method`; the work is done the first time only."""
        key = (method, content)
        if key not in self._packed:
            if isinstance(content, Path) and content.stat().st_size > SPILL_OVER:
                self._packed[key] = self._spilled(content, method)
            else:
                data = content if isinstance(content, bytes) else content.read_bytes()
                self._packed[key] = _in_memory(data, method)
        return self._packed[key]

    def _spilled(self, source: Path, method: int) -> Packed:
        """A large file compressed in chunks into the spill file, so it is never in memory whole."""
        if self._spill is None:
            self._spill = tempfile.TemporaryFile()
        spill = self._spill
        spill.seek(0, 2)
        offset = spill.tell()
        digest, crc, size = hashlib.sha256(), 0, 0
        deflate = _deflater() if method == DEFLATED else None
        with source.open("rb") as f:
            for block in iter(lambda: f.read(CHUNK), b""):
                digest.update(block)
                crc = zlib.crc32(block, crc)
                size += len(block)
                spill.write(deflate.compress(block) if deflate else block)
        if deflate:
            spill.write(deflate.flush())
        return Packed(method, crc, size, spill.tell() - offset, digest.hexdigest(), None, offset)

    def copy(self, packed: Packed, out: BinaryIO) -> None:
        """Write an entry's stored bytes to `out`."""
        if packed.data is not None:
            out.write(packed.data)
            return
        assert self._spill is not None
        self._spill.seek(packed.offset)
        left = packed.compressed
        while left:
            block = self._spill.read(min(CHUNK, left))
            out.write(block)
            left -= len(block)


def _deflater() -> zlib._Compress:
    """Raw deflate at zlib's default level, as zipfile's ZIP_DEFLATED writes it."""
    return zlib.compressobj(zlib.Z_DEFAULT_COMPRESSION, zlib.DEFLATED, -15)


def _in_memory(data: bytes, method: int) -> Packed:
    stored = data
    if method == DEFLATED:
        deflate = _deflater()
        stored = deflate.compress(data) + deflate.flush()
    return Packed(method, zlib.crc32(data), len(data), len(stored), hashlib.sha256(data).hexdigest(), stored)


class HashingWriter:
    """A file that hashes and counts what is written to it, so a finished zip need not be read again."""

    def __init__(self, raw: BinaryIO) -> None:
        self.raw, self.digest, self.size = raw, hashlib.sha256(), 0

    def write(self, data: bytes) -> None:
        """Write, hash and count `data`."""
        self.raw.write(data)
        self.digest.update(data)
        self.size += len(data)


def write_zip(out: HashingWriter, entries: list[tuple[str, Packed]], store: Store) -> None:
    """A zip of `entries` in the order given: local headers and data, central directory, end record."""
    if len(entries) > 0xFFFF:
        raise TooBig(f"a package would hold {len(entries):,} files, more than a zip without zip64 can",
                     "split the course")
    central = []
    for name, packed in entries:
        if packed.size > LIMIT or packed.compressed > LIMIT or out.size > LIMIT:
            raise TooBig(f"'{name}' would make the package bigger than 4 GB, which zips without zip64 "
                         "cannot hold", "make the file smaller or split the course")
        encoded = name.encode("utf-8")
        flags = 0 if name.isascii() else UTF8_NAME
        central.append(_CENTRAL.pack(b"PK\x01\x02", VERSION, UNIX, VERSION, 0, flags, packed.method, _DOS_TIME,
                                     _DOS_DATE, packed.crc, packed.compressed, packed.size, len(encoded), 0, 0, 0,
                                     0, FILE_MODE, out.size) + encoded)
        out.write(_LOCAL.pack(b"PK\x03\x04", VERSION, 0, flags, packed.method, _DOS_TIME, _DOS_DATE, packed.crc,
                              packed.compressed, packed.size, len(encoded), 0) + encoded)
        store.copy(packed, out)
    start = out.size
    for record in central:
        out.write(record)
    if out.size > LIMIT:
        raise TooBig("the package would be bigger than 4 GB, which zips without zip64 cannot hold",
                     "split the course")
    out.write(_END.pack(b"PK\x05\x06", 0, 0, len(entries), len(entries), out.size - start, start, 0))
