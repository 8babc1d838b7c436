"""Write packages: deterministic zips, staged in a temp file and renamed into place."""

from __future__ import annotations

import hashlib
import os
import tempfile
import zipfile
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Entry:
    """One file inside a zip, as written."""

    path: str
    size: int
    compressed: int
    sha256: str


@dataclass(frozen=True)
class StagedZip:
    """A package (a zip, or the single .html file) written to a temp file beside `target`: `publish` puts it
    in place, `discard` drops it."""

    target: Path
    temp: Path
    size: int
    sha256: str
    entries: tuple[Entry, ...]


def stage_zip(target: Path, files: dict[str, bytes | Path]) -> StagedZip:
    """Write `files` as a deterministic zip to a temp file beside `target`, leaving `target` untouched."""
    temp = _temp_beside(target)
    try:
        entries = []
        with temp.open("wb") as raw, zipfile.ZipFile(raw, "w") as archive:
            for name in sorted(files, key=entry_order):
                data, info = _read(files[name]), _info(name)
                archive.writestr(info, data)  # sets info.compress_size
                entries.append(Entry(name, len(data), info.compress_size, hashlib.sha256(data).hexdigest()))
        return StagedZip(target, temp, temp.stat().st_size, file_sha256(temp), tuple(entries))
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def stage_file(target: Path, data: bytes, entries: tuple[Entry, ...]) -> StagedZip:
    """Write one finished file (the single-file format) to a temp file beside `target`; `entries` are what it holds."""
    temp = _temp_beside(target)
    try:
        temp.write_bytes(data)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    return StagedZip(target, temp, len(data), hashlib.sha256(data).hexdigest(), entries)


def publish(staged: StagedZip) -> None:
    """Put a staged zip in place of its target, in one rename."""
    os.replace(staged.temp, staged.target)


def discard(staged: StagedZip) -> None:
    """Remove a staged zip's temp file, if it was not published."""
    staged.temp.unlink(missing_ok=True)


def write_file(target: Path, data: bytes) -> None:
    """Write `data` to `target` atomically: a temp file beside it, then one rename."""
    temp = _temp_beside(target)
    try:
        temp.write_bytes(data)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks so a large package needs little memory."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _temp_beside(target: Path) -> Path:
    """An empty, readable temp file in the target's folder, so the final rename is atomic."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    os.close(handle)
    os.chmod(temp, 0o644)
    return Path(temp)


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


def check_output(out: Path, sources: list[Path], what: str = "output folder", option: str = "--out") -> Path:
    """Refuse an output path that is, or lies inside, a course's sources."""
    resolved = out.resolve()
    for source in sources:
        root = source.resolve()
        if resolved == root or resolved.is_relative_to(root):
            raise CoursepackError(f"{what} '{out}' lies inside the course sources '{source}'; "
                                  f"choose another {option}")
    return resolved
