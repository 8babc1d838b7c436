"""Incremental builds: a course whose inputs and options are unchanged since its packages were written is skipped.

A course's build key is a SHA-256 over everything its packages are made from: every file in the course
folder (course.yaml, modules, images, media, its own templates and locales), every file of the shipped
templates (pages, static files, locales), coursepack's version and code, and the build options. Zips
are deterministic, so an unchanged key means the packages on disk are the ones a rebuild would write —
as long as they are still there, with the size and modification time recorded when they were written.
The record of the last build sits beside the packages, in `--out/.coursepack-build.json`.

Hashing reads file contents, but a file whose size and modification time match the record is not read
again (as git's index does); one modified within a few seconds of being hashed is always re-read.
"""

from __future__ import annotations

import hashlib
import json
import os
from stat import S_ISREG
import time
from dataclasses import dataclass
from pathlib import Path

import builder
from builder.build import CourseResult
from builder.package import write_file
from builder.problems import Problem, display_path

RECORD = ".coursepack-build.json"
SCHEMA = 2  # bumped when the record's shape changes; an old record is then ignored
RACY_NS = 3_000_000_000  # a file modified this close to its hashing may change again within one mtime tick
CODE = Path(builder.__file__).resolve().parent


@dataclass(frozen=True)
class Options:
    """The build options a package depends on (--format, --strict, --budget, --single-max-inline)."""

    formats: tuple[str, ...]
    strict: bool
    budget: int | None
    max_inline: int


class Hasher:
    """Content hashes of files, reusing a recorded hash while a file's size and mtime are unchanged."""

    def __init__(self, known: dict[str, list]) -> None:
        self.known = known  # path -> [size, mtime_ns, sha256, hashed_at_ns]
        self.seen: dict[str, list] = {}

    def file(self, path: str) -> str:
        """SHA-256 of one file's bytes; '' for a file that cannot be read (the build reports it)."""
        try:
            stat = os.stat(path)
        except OSError:
            return ""
        if not S_ISREG(stat.st_mode):  # a FIFO or device is never opened: it could hang; the build refuses it
            return f"special {stat.st_mode:o}"
        old = self.known.get(path) or self.seen.get(path)
        if old and old[0] == stat.st_size and old[1] == stat.st_mtime_ns and stat.st_mtime_ns < old[3] - RACY_NS:
            self.seen[path] = old
            return old[2]
        try:
            with open(path, "rb") as file:
                digest = hashlib.file_digest(file, "sha256").hexdigest()
        except OSError:
            return ""
        self.seen[path] = [stat.st_size, stat.st_mtime_ns, digest, time.time_ns()]
        return digest

    def folder(self, folder: Path, suffix: str = "") -> str:
        """One hash over every file below `folder` (or those ending in `suffix`): relative paths and contents."""
        digest = hashlib.sha256()
        for name in files_below(str(folder)):
            if name.endswith(suffix):
                digest.update(f"{name}\0{self.file(os.path.join(folder, name))}\n".encode())
        return digest.hexdigest()


def files_below(folder: str) -> list[str]:
    """Every file under `folder`, as sorted '/'-separated paths relative to it (links to folders not followed).

    Plain strings: a no-change rebuild of a large catalogue is mostly this walk, and pathlib triples it.
    """
    found = []
    for top, _, names in os.walk(folder):
        relative = os.path.relpath(top, folder).replace(os.sep, "/")
        found.extend(name if relative == "." else f"{relative}/{name}" for name in names)
    return sorted(found)


def shared_inputs(hasher: Hasher, options: Options) -> str:
    """What every course depends on: the shipped templates, coursepack's version and code, the options."""
    from builder.locale import TEMPLATES  # what the build really reads, even when a test points it elsewhere
    parts = [builder.__version__, hasher.folder(TEMPLATES), hasher.folder(CODE, ".py"), json.dumps(options.__dict__)]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


class BuildRecord:
    """What the last build into `out` made of each course: its key, its packages and its warnings."""

    def __init__(self, out: Path, options: Options) -> None:
        self.path = out / RECORD
        data = _load(self.path)
        self.courses: dict[str, dict] = data.get("courses", {})
        self.hasher = Hasher(data.get("files", {}))
        self.shared = shared_inputs(self.hasher, options)
        self.keys: dict[str, str] = {}

    def key(self, root: Path) -> str:
        """The build key of the course in `root`, computed before it is built (a later edit changes it again)."""
        name = str(root.resolve())
        if name not in self.keys:
            self.keys[name] = _key(self.shared, self.hasher, root)
        return self.keys[name]

    def up_to_date(self, root: Path) -> CourseResult | None:
        """A result for a course that needs no build (with the warnings it had), or None to build it."""
        key, entry = self.key(root), self.courses.get(str(root.resolve()))
        if not entry or entry["key"] != key or not _intact(self.path.parent, entry["packages"]):
            return None
        return CourseResult(root, entry["course"], [_problem(p, entry["cwd"]) for p in entry["problems"]],
                            up_to_date=True)

    def always_build(self, root: Path) -> None:
        """For --force and --report: build the course whatever its key, and still record it."""
        self.key(root)

    def save(self, results: list[CourseResult]) -> None:
        """Record every course just built; a run that built nothing writes nothing.

        A failed course keeps its old entry: its sources changed, so its key no longer matches until
        they are back to what its packages were built from.
        """
        built = [r for r in results if not r.failed and not r.up_to_date and str(r.root.resolve()) in self.keys]
        if not built:
            return
        for result in built:
            name = str(result.root.resolve())
            self.courses[name] = {
                "key": self.keys[name], "course": result.course,
                "packages": {p.path.name: _stamp(p.path) for p in result.packages},
                "problems": [[p.path, p.line, p.message, p.hint, p.warning] for p in result.problems],
                "cwd": os.getcwd()}  # problem paths are shown relative to where that build ran
        files = {path: entry for path, entry in {**self.hasher.known, **self.hasher.seen}.items()
                 if path in self.hasher.seen or os.path.exists(path)}  # forget deleted files
        data = {"schema": SCHEMA, "courses": self.courses, "files": files}
        write_file(self.path, (json.dumps(data, sort_keys=True, ensure_ascii=False) + "\n").encode("utf-8"))


def course_keys(roots: list[Path], options: Options | None = None) -> dict[Path, str]:
    """The build keys of courses, from scratch (`coursepack list` gives them to CI caches); by default for
    the options of a plain `coursepack build`."""
    from builder.formats import FORMATS, MAX_INLINE

    hasher = Hasher({})
    shared = shared_inputs(hasher, options or Options(FORMATS, False, None, MAX_INLINE))
    return {root: _key(shared, hasher, root) for root in roots}


def _key(shared: str, hasher: Hasher, root: Path) -> str:
    return hashlib.sha256(f"{shared}\n{hasher.folder(root)}".encode()).hexdigest()


def _load(path: Path) -> dict:
    """The record, or an empty one when there is none or it is unreadable (everything is then built)."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) and data.get("schema") == SCHEMA else {}


def _problem(saved: list, cwd: str) -> Problem:
    """A recorded problem, its path shown relative to where this build runs (it may be another folder)."""
    path, *rest = saved
    return Problem(display_path(Path(cwd, path)), *rest)


def _stamp(path: Path) -> list[int]:
    stat = path.stat()
    return [stat.st_size, stat.st_mtime_ns]


def _intact(out: Path, packages: dict[str, list[int]]) -> bool:
    """Every package of the course still in `out`, as it was written (same size and modification time)."""
    try:
        return bool(packages) and all(_stamp(out / name) == stamp for name, stamp in packages.items())
    except OSError:
        return False
