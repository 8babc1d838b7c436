"""File names that every LMS and unzip tool keeps intact, and paths that stay inside a course.

Names in packages use only `[A-Za-z0-9._-]` (../shared/LMS-NOTES.md): any script is transliterated
with anyascii (`карта.png` -> `karta.png`, `地图.png` -> `DeTu.png`). Two course files whose safe
names are one name where letter case is ignored get distinct names from a hash of their own path,
so a name never depends on the order files are met in; two files that are themselves one file on
Windows or macOS (`a.png`, `a.PNG`) are an error once both are packaged (`FileNames.claim`).
"""

from __future__ import annotations

import hashlib
import os
import re
import unicodedata
from collections import defaultdict
from pathlib import Path

from anyascii import anyascii

from builder.problems import Problems, display_path

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_WINDOWS_DEVICES = {"CON", "PRN", "AUX", "NUL", *(f"{d}{n}" for d in ("COM", "LPT") for n in range(1, 10))}
MAX_STEM = 100  # characters; a long name in a long script can triple in length when transliterated
FOLDER = "files/"  # where course files sit in every package


def safe_name(name: str) -> str:
    """Any script as ASCII; characters LMSs strip (& ' \" : | < > ~, spaces) as '-'; never hidden, empty or a device."""
    stem, ext = (anyascii(unicodedata.normalize("NFC", part)) for part in _split(name))
    stem = _clean(stem) or "file"
    if stem.upper() in _WINDOWS_DEVICES:  # Windows cannot create CON.png or nul.txt
        stem += "_"
    if len(stem) > MAX_STEM:
        stem = f"{stem[:MAX_STEM - 9]}-{_digest(name)}"
    ext = _clean(ext)
    return f"{stem}.{ext}" if ext else stem


def _split(text: str) -> tuple[str, str]:
    """'a.tar.gz' -> ('a.tar', 'gz'); '.htaccess' -> ('.htaccess', '')."""
    if "." not in text.lstrip("."):
        return text, ""
    stem, _, ext = text.rpartition(".")
    return stem, ext


def _clean(part: str) -> str:
    """'Données (v2)' -> 'Donnees-v2': one '-' for each run of unsafe characters, none beside a '.' or at the ends."""
    return re.sub(r"-*\.-*", ".", re.sub(r"-{2,}", "-", _UNSAFE.sub("-", part))).strip("-.")


def _digest(text: str) -> str:
    """8 hex digits of the text: the same in every build."""
    return hashlib.sha256(text.encode("utf-8", "surrogateescape")).hexdigest()[:8]


def safe_path(path: str) -> str:
    """Make every segment of a '/'-separated path safe."""
    return "/".join(safe_name(part) for part in path.split("/"))


def package_names(paths: list[str]) -> dict[str, str]:
    """Safe paths for course files, distinct even where letter case is ignored.

    In a group of files whose safe paths are one, a file whose name needed no change keeps it and
    every other gets '-<hash of its own path>' before its extension: `karta.png` stays, `карта.png`
    becomes `karta-1f3a9c2e.png`, whatever else is in the course or the order of the walk.
    """
    safe = {path: safe_path(path) for path in paths}
    groups: dict[str, list[str]] = defaultdict(list)
    for path, name in safe.items():
        groups[name.casefold()].append(path)
    for members in groups.values():
        for path in members if len(members) > 1 else ():
            if safe[path] != path:
                safe[path] = _suffixed(safe[path], path)
    return safe


def _suffixed(name: str, original: str) -> str:
    folder, _, base = name.rpartition("/")
    stem, ext = _split(base)
    base = f"{stem}-{_digest(original)}" + (f".{ext}" if ext else "")
    return f"{folder}/{base}" if folder else base


class FileNames:
    """The package names of one course's files, and which file claimed each name (to report collisions once)."""

    def __init__(self, root: Path) -> None:
        self.root = root.resolve()
        self._names: dict[str, str] | None = None
        self._claims: dict[str, tuple[str, Path, int]] = {}  # casefolded name -> file, page, line
        self._reported: set[frozenset[str]] = set()

    def packaged(self, path: str) -> str:
        """'images/карта.png' (relative to the course folder) -> 'files/images/karta.png'."""
        if self._names is None:
            self._names = package_names(_walk(self.root))
        name = self._names.get(path)
        return FOLDER + (safe_path(path) if name is None else name)

    def claim(self, path: str, page: Path, line: int, problems: Problems) -> str:
        """The file's package name; an error when another packaged file has that name but for letter case."""
        name = self.packaged(path)
        keys = (name.casefold(), unicodedata.normalize("NFC", path).casefold())  # one file to Windows or macOS
        first = next((self._claims[k] for k in keys if k in self._claims), (path, page, line))
        self._claims.update(dict.fromkeys(keys, first))
        pair = frozenset((path, first[0]))
        if first[0] != path and pair not in self._reported:
            self._reported.add(pair)
            where = f"{display_path(first[1])}:{first[2]}" if first[2] else display_path(first[1])
            problems.error(page, line, f"'{path}' collides with '{first[0]}' (used at {where}): "
                           f"{collision(path, first[0], self.packaged(first[0]), name)}", "rename one")
        return name


def collision(path: str, other: str, other_name: str, name: str) -> str:
    """Why two sources cannot both be packaged: `other` became `other_name`, `path` became `name`."""
    if unicodedata.normalize("NFC", path) == unicodedata.normalize("NFC", other):
        return "one name written in two Unicode forms, which macOS keeps as one file"
    if other_name == name:
        return f"both are packaged as '{name}'"
    if other_name.casefold() != name.casefold():  # apart in the package, but a course folder cannot hold both
        return "names that differ only in letter case are one file on Windows and macOS"
    return f"'{other_name}' and '{name}' are one file on Windows and macOS"


def _walk(root: Path) -> list[str]:
    """Every file below `root`, relative and '/'-separated; links are listed, not followed."""
    found = []
    for folder, _, files in os.walk(root):
        relative = Path(folder).relative_to(root).as_posix()
        found.extend(name if relative == "." else f"{relative}/{name}" for name in files)
    return found


def inside(path: Path, root: Path) -> bool:
    """True when `path`, with every symlink followed, lies within `root`."""
    return path.resolve().is_relative_to(root.resolve())
