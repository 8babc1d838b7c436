"""File names that every LMS and unzip tool keeps intact, and paths that stay inside a course."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(name: str) -> str:
    """Transliterate to ASCII and replace characters LMSs strip (& ' \" : | < > ~, spaces) with '-'."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    cleaned = _UNSAFE.sub("-", ascii_name).strip("-")
    return re.sub(r"-{2,}", "-", cleaned) or "file"


def safe_path(path: str) -> str:
    """Make every segment of a '/'-separated path safe."""
    return "/".join(safe_name(part) for part in path.split("/"))


def inside(path: Path, root: Path) -> bool:
    """True when `path`, with every symlink followed, lies within `root`."""
    return path.resolve().is_relative_to(root.resolve())
