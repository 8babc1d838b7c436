"""Read course files safely: regular files inside the course folder, of bounded size, never blocking.

Every file a course brings is read here, whatever its role (course.yaml, modules, templates,
interface strings, transcripts, captions, stylesheets, images, linked files), so one rule holds
everywhere: a symbolic link may point to another file of the course, never outside it, and a FIFO,
device, socket or folder is refused before it is opened (reading a FIFO would block the build for
ever). Files are opened without following a last link and without blocking, then checked again
on the open handle, so a file swapped in between is refused too.
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import AnyStr

from builder.limits import Role
from builder.problems import Problems
from builder.sizes import human_size

_FLAGS = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
OUTSIDE_HINT = "copy the file into the course folder instead of linking to it"
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f-\x9f]")  # tab, line ends and form feed are text


class Refused(Exception):
    """A course file that must not be read: what is wrong with it, and how to fix it."""

    def __init__(self, message: str, hint: str) -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


class RealPaths:
    """Paths with every link followed, each folder resolved once: a course's pages name hundreds of files
    in a few folders, and resolving a path costs a system call per part of it.

    Keep one for one pass over a course only: a folder made a link after it was resolved is not seen."""

    def __init__(self) -> None:
        self._folders: dict[Path, Path] = {}

    def folder(self, path: Path) -> Path:
        """`path.resolve()`, remembered."""
        real = self._folders.get(path)
        if real is None:
            real = self._folders[path] = path.resolve()
        return real

    def of(self, path: Path) -> Path:
        """`path.resolve()`: its folder's, remembered, and its name, followed when it is a link."""
        if path.name in ("", ".", ".."):
            return path.resolve()
        real = self.folder(path.parent) / path.name
        return path.resolve() if real.is_symlink() else real


def check_course_file(root: Path, path: Path, role: Role, real_paths: RealPaths | None = None) -> int:
    """The size of a course file that may be read; Refused says why one may not (nothing is read)."""
    real = _real(root, path, role, real_paths or RealPaths())
    info = _stat(real, role, os.stat)
    with _opened(real, role):  # permission to read is only known by trying
        pass
    return info.st_size


def read_course_file(root: Path, path: Path, role: Role, real_paths: RealPaths | None = None) -> bytes:
    """The bytes of a course file, or Refused: outside the course, not a regular file, unreadable or too big."""
    real = _real(root, path, role, real_paths or RealPaths())
    _stat(real, role, os.stat)  # a FIFO or device is never opened
    with _opened(real, role) as handle:
        _stat(handle.fileno(), role, os.fstat)
        data = handle.read(role.max_bytes + 1)
    if len(data) > role.max_bytes:  # it grew after the check
        raise _too_big(len(data), role)
    return data


def read_course_text(root: Path, path: Path, role: Role, problems: Problems) -> str | None:
    """A course text file as str (UTF-8, line ends made '\\n'); None when it is refused (the problem is recorded)."""
    try:
        data = read_course_file(root, path, role)
    except Refused as e:
        problems.error(path, 0, e.message, e.hint)
        return None
    return decode_text(data, path, problems)


def decode_text(data: bytes, path: Path, problems: Problems) -> str | None:
    """UTF-8 bytes as text with '\\n' line ends (CR-only and CRLF too, so line numbers match any editor);
    invalid bytes and control characters (invisible, and refused by XML) are problems with line and column."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as e:
        before = _lf(data[: e.start]).decode("utf-8")
        problems.error(path, before.count("\n") + 1, f"file is not UTF-8 text (byte 0x{data[e.start]:02X} in "
                       f"column {_column(before)})", "save it as UTF-8 in your editor")
        return None
    text = _lf(text.removeprefix("\ufeff"))
    control = _CONTROL.search(text)
    if control:
        before = text[: control.start()]
        problems.error(path, before.count("\n") + 1, f"control character U+{ord(control[0]):04X} in column "
                       f"{_column(before)}", "remove it (most editors do not show it)")
        return None
    return text


def _column(before: str) -> int:
    return len(before) - before.rfind("\n")


def _lf(data: AnyStr) -> AnyStr:
    """CRLF and CR-only line ends as '\\n' (bytes or str)."""
    lf, cr = ("\n", "\r") if isinstance(data, str) else (b"\n", b"\r")
    return data.replace(cr + lf, lf).replace(cr, lf)


def _real(root: Path, path: Path, role: Role, real_paths: RealPaths) -> Path:
    """`path` with every link followed, when that stays inside `root`."""
    real = real_paths.of(path)
    if real.is_relative_to(real_paths.folder(root)):
        return real
    if Path(os.path.abspath(path)).is_relative_to(os.path.abspath(root)):
        raise Refused(f"this {role.name} is a link to a file outside the course folder", OUTSIDE_HINT)
    raise Refused(f"this {role.name} lies outside the course folder", "keep every file inside the course folder")


def _stat(target: Path | int, role: Role, how) -> os.stat_result:
    try:
        info = how(target)
    except OSError as e:
        raise _unreadable(e, role) from None
    if not stat.S_ISREG(info.st_mode):
        raise Refused(f"this {role.name} is {_kind(info.st_mode)}, not a regular file",
                      "replace it with an ordinary file")
    if info.st_size > role.max_bytes:
        raise _too_big(info.st_size, role)
    return info


def _opened(real: Path, role: Role):
    try:
        return os.fdopen(os.open(real, _FLAGS), "rb")
    except OSError as e:
        raise _unreadable(e, role) from None


def _unreadable(error: OSError, role: Role) -> Refused:
    return Refused(f"cannot read this {role.name}: {error.strerror or error}",
                   "check that the file exists and that you may read it")


def _too_big(size: int, role: Role) -> Refused:
    shown, limit = human_size(size), human_size(role.max_bytes)
    return Refused(f"this {role.name} is {shown if shown != limit else f'{size:,} bytes'}, over the limit of {limit}",
                   role.smaller)


def _kind(mode: int) -> str:
    if stat.S_ISDIR(mode):
        return "a folder"
    if stat.S_ISFIFO(mode):
        return "a named pipe (FIFO)"
    if stat.S_ISSOCK(mode):
        return "a socket"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    return "a special file"
