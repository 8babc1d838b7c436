"""PNGs that re-encoding cannot make smaller, told from their chunks and raw rows without Pillow.

builder.raster re-encodes a PNG at zlib's highest level, keeping only the colours used (as a palette
when 256 hold them) and no ancillary chunk; a grey image under 8 bits comes out as 8-bit grey. So two
kinds of file come out no smaller and are kept as they are, without importing Pillow: a grey image
under 8 bits, and a palette image of 17 to 256 different colours, each used, in unfiltered 8-bit rows
(how libpng-based optimisers write them; filtered rows cannot be counted without decoding). Both must
also be zlib's highest level, not interlaced, no wider than the course's limit, and hold nothing but
IHDR, (PLTE,) IDAT and IEND. The file is still checked as Pillow would read it (chunk CRCs, a zlib
stream that ends at the exact size of the rows, valid row filters): a broken one goes to Pillow, which
reports it. The answer depends on the bytes and the width limit only (docs/decisions.md).
"""

from __future__ import annotations

import struct
import zlib
from dataclasses import dataclass

SIGNATURE = b"\x89PNG\r\n\x1a\n"
MAX_PIXELS = 1 << 24  # larger ones go to Pillow, whose decompression-bomb check stays the only one
_PIXELS_ONLY = {b"IHDR", b"PLTE", b"IDAT", b"IEND"}
_PALETTE, _GREY = 3, 0
_ZLIB_BEST = 3  # FLEVEL of a zlib header: 3 is levels 7-9 (Pillow's optimize writes 9)


@dataclass(frozen=True)
class Head:
    """What the chunks say: size, pixel format, palette entries, chunk kinds in order, the IDAT stream."""

    width: int
    height: int
    depth: int
    colour: int
    interlace: int
    plte: bytes
    kinds: tuple[bytes, ...]
    stream: bytes

    @property
    def palette(self) -> int:
        """Entries in the palette (PLTE)."""
        return len(self.plte) // 3

    @property
    def stride(self) -> int:
        """Bytes per inflated row: a filter byte, then the pixels."""
        return 1 + (self.width * self.depth + 7) // 8


def read_head(data: bytes) -> Head | None:
    """The chunks of a PNG whose framing and CRCs are sound up to an IEND that ends the file; else None."""
    if not data.startswith(SIGNATURE):
        return None
    pos, kinds, fields, plte, stream = len(SIGNATURE), [], None, b"", []
    while pos + 12 <= len(data):
        length, kind = struct.unpack_from(">I4s", data, pos)
        end = pos + 12 + length
        if end > len(data) or zlib.crc32(data[pos + 4:end - 4]) != int.from_bytes(data[end - 4:end], "big"):
            return None
        body = data[pos + 8:end - 4]
        if (kind == b"IHDR") != (not kinds) or (kind == b"IHDR" and length != 13):
            return None  # IHDR first, once
        if kind == b"IHDR":
            fields = struct.unpack(">IIBBBBB", body)
            if fields[4] or fields[5]:
                return None  # a compression or filter method PNG does not define
        elif kind == b"PLTE":
            plte = body
        elif kind == b"IDAT":
            stream.append(body)
        kinds.append(kind)
        pos = end
        if kind == b"IEND":
            if pos != len(data) or fields is None:
                return None
            width, height, depth, colour, _, _, interlace = fields
            return Head(width, height, depth, colour, interlace, plte, tuple(kinds), b"".join(stream))
    return None


def cannot_shrink(data: bytes, max_width: int) -> tuple[int, int] | None:
    """The width and height of a PNG that builder.raster would not make smaller; None: let it try."""
    if not _first_look(data, max_width):
        return None  # most PNGs (true colour, or too wide) end here, after reading 29 bytes
    head = read_head(data)
    if head is None or not _already_minimal(head):
        return None
    rows = _rows(head)
    if rows is None or (head.colour == _PALETTE and not _palette_in_use(head, rows)):
        return None
    return head.width, head.height


def _first_look(data: bytes, max_width: int) -> bool:
    """The IHDR's pixel format and size, before any chunk is walked."""
    if len(data) < 33 or not data.startswith(SIGNATURE) or data[12:16] != b"IHDR":
        return False
    width, height, depth, colour, _, _, interlace = struct.unpack_from(">IIBBBBB", data, 16)
    if interlace or not 0 < width <= max_width or not 0 < width * height <= MAX_PIXELS:
        return False
    return (colour == _GREY and depth in (1, 2, 4)) or (colour == _PALETTE and depth == 8)


def _already_minimal(head: Head) -> bool:
    """Nothing but pixels, at zlib's highest level; a palette that needs 8 bits."""
    if set(head.kinds) - _PIXELS_ONLY or len(head.stream) < 2:
        return False
    cmf, flg = head.stream[0], head.stream[1]
    if cmf & 0x0F != 8 or (cmf << 8 | flg) % 31 or flg & 0x20 or flg >> 6 != _ZLIB_BEST:
        return False
    if head.colour == _GREY:
        return not head.plte
    return 16 < head.palette <= 256  # fewer colours: Pillow writes fewer bits and filters them


def _rows(head: Head) -> bytes | None:
    """The inflated rows (a filter byte, then the pixels), when the stream holds exactly them and ends."""
    expected = head.stride * head.height
    inflater = zlib.decompressobj()
    try:
        rows = inflater.decompress(head.stream, expected + 1)
    except zlib.error:
        return None
    if len(rows) != expected or not inflater.eof or inflater.unused_data:
        return None
    return rows if max(rows[::head.stride]) <= 4 else None  # the five PNG row filters


def _palette_in_use(head: Head, rows: bytes) -> bool:
    """Unfiltered rows using every palette entry, each a different colour: Pillow, which keeps only the
    colours used, would find nothing to drop."""
    if any(rows[::head.stride]):
        return False  # filtered rows: their indices are not the bytes
    if len({head.plte[i:i + 3] for i in range(0, 3 * head.palette, 3)}) != head.palette:
        return False  # the same colour twice
    return _uses_every_index(rows, head.stride, head.palette)


def _uses_every_index(rows: bytes, stride: int, entries: int) -> bool:
    """Whether each index of the palette occurs in the pixels (8-bit rows, filter bytes left out)."""
    pixels = b"".join(rows[n + 1:n + stride] for n in range(0, len(rows), stride))
    return all(bytes((index,)) in pixels for index in range(entries))
