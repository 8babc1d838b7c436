"""File names that every LMS and unzip tool keeps intact."""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """Transliterate to ASCII and replace characters LMSs strip (& ' \" : | < > ~, spaces) with '-'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    cleaned = _UNSAFE.sub("-", ascii_name).strip("-")
    return re.sub(r"-{2,}", "-", cleaned) or "file"


def safe_path(path: str) -> str:
    """Make every segment of a '/'-separated path safe."""
    return "/".join(safe_name(part) for part in path.split("/"))
