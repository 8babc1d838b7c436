"""Write packages: deterministic zips, staged in a temp file and renamed into place."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path

from builder.problems import CoursepackError
from builder.zips import DEFLATED, STORED, HashingWriter, Store, write_zip

STORED_SUFFIXES = {".png", ".jpg", ".jpeg", ".gif", ".webp", ".avif", ".mp3", ".m4a", ".aac", ".ogg", ".oga",
                   ".opus", ".mp4", ".m4v", ".webm", ".ogv", ".zip", ".gz", ".woff", ".woff2"}
FIRST = ("imsmanifest.xml", "index.html")
# O_NOFOLLOW: a temp name planted as a link in a cache folder from elsewhere must not make us write through it
_NEW_FILE = os.O_WRONLY | os.O_CREAT | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_BINARY", 0)


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


def stage_zip(target: Path, files: dict[str, bytes | Path], store: Store | None = None) -> StagedZip:
    """Write `files` as a deterministic zip to a temp file beside `target`, leaving `target` untouched.

    Pass one `store` for all the zips of a course: each content shared between them is then compressed
    and hashed once. The zip itself is hashed while it is written.
    """
    temp = _temp_beside(target)
    own = store is None
    store = store or Store()
    try:
        packed = [(name, store.pack(files[name], _method(name))) for name in sorted(files, key=entry_order)]
        with temp.open("wb") as raw:
            out = HashingWriter(raw)
            write_zip(out, packed, store)
        entries = tuple(Entry(name, p.size, p.compressed, p.sha256) for name, p in packed)
        return StagedZip(target, temp, out.size, out.digest.hexdigest(), entries)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    finally:
        if own:
            store.close()


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


def write_cache_entry(target: Path, data: bytes) -> None:
    """Write a small cache file atomically at a fraction of `write_file`'s cost (a cold build writes
    thousands): the temp name is fixed per process and thread instead of drawn at random and chmod-ed,
    and the folder is made only when missing. Workers writing the same entry write the same bytes, each
    through its own temp file, and os.replace is atomic: a reader finds a whole entry or none. A build
    killed mid-write leaves at most one `.<pid>-<thread>.part` per folder, which nothing ever reads."""
    temp = target.parent / f".{os.getpid()}-{threading.get_ident()}.part"
    try:
        handle = os.open(temp, _NEW_FILE, 0o644)
    except FileNotFoundError:  # a new folder, or a cache deleted while a server runs
        target.parent.mkdir(parents=True, exist_ok=True)
        handle = os.open(temp, _NEW_FILE, 0o644)
    try:
        with open(handle, "wb") as out:
            out.write(data)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def copy_file(source: Path, target: Path) -> None:
    """Copy `source` to `target` atomically: a temp file beside it, then one rename."""
    temp = _temp_beside(target)
    try:
        shutil.copyfile(source, temp)
        os.replace(temp, target)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


def stamp(path: Path) -> tuple[int, int, int, int]:
    """Size, modification and change times and inode of a file (not following a link): any write or
    replacement changes at least one, so an unchanged stamp means unchanged bytes."""
    st = path.lstat()
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def file_sha256(path: Path) -> str:
    """Hex SHA-256 of a file, read in blocks so a large package needs little memory."""
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _temp_beside(target: Path) -> Path:
    """An empty, readable temp file in the target's folder, so the final rename is atomic; its name
    `.<target>.<owner pid>.<random>.part` lets the next build remove it if this one is killed."""
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, temp = tempfile.mkstemp(prefix=f".{target.name}.{owner_pid()}.", suffix=".part", dir=target.parent)
    os.close(handle)
    os.chmod(temp, 0o644)
    return Path(temp)


def _method(name: str) -> int:
    """Already-compressed kinds (images, audio, video, archives) are stored; everything else deflated."""
    return STORED if Path(name).suffix.lower() in STORED_SUFFIXES else DEFLATED


_LEFTOVER = re.compile(r"\.(?P<name>.+)\.(?P<pid>\d+)\.[a-z0-9_]{8}\.part")
_owner = 0  # the build process that publishes: set in its worker processes (builder.workers), else this one


def owner_pid() -> int:
    """The pid temp files are named after: the process that will publish them, so that its death marks them
    as leftovers even while a worker that wrote them lives on."""
    return _owner or os.getpid()


def set_owner(pid: int) -> None:
    """Name temp files written in this process after `pid` (a worker's parent)."""
    global _owner
    _owner = pid


def remove_leftovers(folder: Path) -> list[str]:
    """Remove the temp files of builds that were killed (their owner process is gone); their names."""
    removed = []
    for path in sorted(folder.glob(".*.part")):
        match = _LEFTOVER.fullmatch(path.name)
        if match and not process_alive(int(match["pid"])) and path.is_file() and not path.is_symlink():
            path.unlink(missing_ok=True)
            removed.append(path.name)
    return removed


def process_alive(pid: int) -> bool:
    """Whether a process of that id runs now (a zombie or one of another user counts as alive)."""
    if pid == os.getpid():
        return True
    if os.name == "nt":  # there os.kill(pid, 0) would send Ctrl-C, not test
        return _windows_process_alive(pid)
    try:
        os.kill(pid, 0)
    except PermissionError:
        return True
    except (ProcessLookupError, OverflowError):  # no such process, or a number no pid can be
        return False
    return True


def _windows_process_alive(pid: int) -> bool:
    import ctypes  # Windows only

    kernel32 = ctypes.WinDLL("kernel32", use_last_error=True)  # type: ignore[attr-defined]
    handle = kernel32.OpenProcess(0x1000, False, pid)  # PROCESS_QUERY_LIMITED_INFORMATION
    if not handle:
        return ctypes.get_last_error() == 5  # access denied: it exists
    code = ctypes.c_ulong()
    alive = kernel32.GetExitCodeProcess(handle, ctypes.byref(code)) and code.value == 259  # STILL_ACTIVE
    kernel32.CloseHandle(handle)
    return bool(alive)


def check_output(out: Path, sources: list[Path], what: str = "output folder", option: str = "--out") -> Path:
    """Refuse an output path that is, or lies inside, a course's sources."""
    resolved = out.resolve()
    for source in sources:
        root = source.resolve()
        if resolved == root or resolved.is_relative_to(root):
            raise CoursepackError(f"{what} '{out}' lies inside the course sources '{source}'; "
                                  f"choose another {option}")
    return resolved
