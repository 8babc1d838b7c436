"""Sizes as download costs are quoted: 1 KB = 1000 B, and how long a download takes."""

from __future__ import annotations

import re
from decimal import Decimal

SPEEDS = {"256 kbit/s": 256_000, "2 Mbit/s": 2_000_000}
UNITS = {"": 1, "B": 1, "KB": 1000, "MB": 1_000_000, "GB": 1_000_000_000}
_SIZE = re.compile(r"(\d+(?:\.\d+)?)\s*([KMG]?B)?", re.I)


def human_size(size: int) -> str:
    """Bytes as B, KB or MB (1 KB = 1000 B, as download sizes are quoted)."""
    for unit, factor in (("MB", 1_000_000), ("KB", 1000)):
        if size >= factor:
            return f"{size / factor:.1f} {unit}"
    return f"{size} B"


def sizes_apart(first: int, second: int) -> tuple[str, str]:
    """Two sizes written so they differ: to the byte when rounding would show them the same."""
    if human_size(first) != human_size(second):
        return human_size(first), human_size(second)
    return f"{first:,} B", f"{second:,} B"


def download_time(size: int, bits_per_second: int) -> str:
    """How long a download takes at a given link speed."""
    seconds = size * 8 / bits_per_second
    if seconds < 1:
        return "<1 s"
    return f"{seconds:.0f} s" if seconds < 90 else f"{seconds / 60:.0f} min"


def parse_size(value: object) -> int:
    """Bytes from a number of bytes or text like '2MB', '500 KB', '1.5 MB'; ValueError if it is none."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        size = Decimal(value)
    elif isinstance(value, str) and (match := _SIZE.fullmatch(value.strip())):
        # Decimal, so '1.1 MB' is 1100000 and not 1100000.0000000002
        size = Decimal(match[1]) * UNITS[(match[2] or "").upper()]
    else:
        raise ValueError(f"not a size: {value!r}")
    if size < 1 or size != size.to_integral_value():
        raise ValueError(f"not a whole number of bytes above zero: {value!r}")
    return int(size)
