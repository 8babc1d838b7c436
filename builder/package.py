"""Write packages: deterministic zips, written to a temp file and renamed into place."""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

from builder.problems import CoursepackError

FIXED_TIME = (1980, 1, 1, 0, 0, 0)  # zip's earliest date: the same bytes whenever we build
FILE_MODE = 0o644 << 16
STORED_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".mp3", ".m4a", ".aac", ".ogg", ".oga",
                   ".opus", ".mp4", ".m4v", ".webm", ".ogv", ".zip", ".gz", ".woff", ".woff2"}
FIRST = ("imsmanifest.xml", "index.html")


def entry_order(name: str) -> tuple[int, str]:
    """Manifest first, then the launch page, then everything else sorted."""
    return (FIRST.index(name) if name in FIRST else len(FIRST), name)


def write_zip(target: Path, files: dict[str, bytes | Path]) -> int:
    """Write `files` as a zip at `target` atomically; returns the size in bytes."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        with os.fdopen(handle, "wb") as raw, zipfile.ZipFile(raw, "w") as archive:
            for name in sorted(files, key=entry_order):
                archive.writestr(_info(name), _read(files[name]))
        os.chmod(temp, 0o644)
        os.replace(temp, target)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    return target.stat().st_size


def _info(name: str) -> zipfile.ZipInfo:
    info = zipfile.ZipInfo(name, FIXED_TIME)
    info.create_system = 3  # unix, so the mode bits below are honoured
    info.external_attr = FILE_MODE
    stored = Path(name).suffix.lower() in STORED_SUFFIXES
    info.compress_type = zipfile.ZIP_STORED if stored else zipfile.ZIP_DEFLATED
    if not name.isascii():
        info.flag_bits |= 0x800  # UTF-8 names, so no LMS garbles them
    return info


def _read(content: bytes | Path) -> bytes:
    return content if isinstance(content, bytes) else content.read_bytes()


def check_output(out: Path, sources: list[Path]) -> Path:
    """Refuse an output folder that is, or lies inside, a course's sources."""
    resolved = out.resolve()
    for source in sources:
        root = source.resolve()
        if resolved == root or resolved.is_relative_to(root):
            raise CoursepackError(f"output folder '{out}' lies inside the course sources '{source}'; "
                                  "choose another --out")
    return resolved
