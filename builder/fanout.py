"""A catalogue spread over machines: what `coursepack list` tells a CI matrix, and `coursepack library DIR...`
gathering the shards' packages into one folder with one library page and catalogue.
"""

from __future__ import annotations

from pathlib import Path

from builder import __version__
from builder.buildkey import course_keys
from builder.course import load_course
from builder.package import copy_file, file_sha256
from builder.problems import Problem, Problems, display_path
from builder.scan import scan
from builder.schedule import markdown_files, split

LIST_SCHEMA = 1


def listing(roots: list[Path], shards: int = 1) -> dict:
    """Every course with its id, version, languages, build key and (with `shards` > 1) the shard building it."""
    owner = {root: n for n, group in enumerate(split(roots, shards), 1) for root in group}
    keys = course_keys(roots)  # the incremental build's key, for the options of a plain `coursepack build`
    courses = []
    for root in roots:
        problems = Problems()
        course = load_course(root, problems)
        entry = {"id": course.id if course else root.name, "folder": display_path(root),
                 "version": course.version if course else None,
                 "languages": list(course.languages) if course else [],
                 "module_files": len(markdown_files(root)), "build_key": keys[root],
                 "errors": [str(p) for p in problems.items if not p.warning]}
        if shards > 1:
            entry["shard"] = f"{owner[root]}/{shards}"
        courses.append(entry)
    return {"schema": LIST_SCHEMA, "coursepack": __version__, "courses": courses}


def gather_packages(folders: list[Path], out: Path) -> list[Problem]:
    """Copy every package of `folders` into `out`, where one with the same bytes is left alone.

    Two different files under one name are an error (two shards built one course version differently, or
    an older package lies in one folder): that name is not copied, and the problem says which files.
    """
    problems: list[Problem] = []
    by_name: dict[str, list[tuple[Path, str]]] = {}
    for folder in folders:
        listed, left_out = scan(folder)
        problems += left_out
        for item in listed:
            by_name.setdefault(item.file, []).append((folder / item.file, item.sha256))
    for name, copies in sorted(by_name.items()):
        (source, digest), *others = copies
        differing = [path for path, other in others if other != digest]
        if differing:
            problems.append(Problem(display_path(differing[0]), 0, f"differs from {display_path(source)}, which "
                                    "has the same name, so neither is in the library", "build both from the same "
                                    "sources and coursepack version, or remove the older one"))
            continue
        target = out / name
        if not _holds(target, digest):
            copy_file(source, target)
    return problems


def _holds(target: Path, digest: str) -> bool:
    """Whether `target` is already a file with these bytes (as when a shard's folder is also the output)."""
    try:
        return target.is_file() and file_sha256(target) == digest
    except OSError:
        return False
