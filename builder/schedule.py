"""Which course is built where and when: largest first in the process pool, and a deterministic split over machines.

The pool gets courses largest first (by bytes of Markdown, which is what a warm build spends its time on),
so the last course to finish is a small one and no core idles while another builds a big course alone.
`--shard I/N` splits the courses over N machines by the number of Markdown files (pages to render, in every
language): a count, not a size, so that a checkout with other line endings splits the same way. Every
shard sees the same list and computes the same split, so each course is built by exactly one of them.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass
from pathlib import Path

from builder.limits import COURSE_YAML, module_suffix
from builder.problems import Problems, UsageProblem
from builder.safefiles import read_course_text
from builder.yamlfile import parse_yaml_once

_SHARD = re.compile(r"\s*(\d+)\s*/\s*(\d+)\s*")


@dataclass(frozen=True)
class Shard:
    """Shard `index` (1-based) of `count`."""

    index: int
    count: int


def parse_shard(text: str) -> Shard:
    """'2/4' -> Shard(2, 4); a usage error for anything else."""
    match = _SHARD.fullmatch(text)
    if not match or not 1 <= int(match[1]) <= int(match[2]):
        raise UsageProblem(f"--shard '{text}' is not I/N with 1 <= I <= N; write e.g. --shard 1/4")
    return Shard(int(match[1]), int(match[2]))


def markdown_files(root: Path) -> list[Path]:
    """The Markdown (.md, .Rmd, .qmd) files under a course folder (its pages in every language), without following links."""
    found = []
    for top, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found.extend(Path(top) / n for n in sorted(names) if module_suffix(n))
    return found


def weight(root: Path) -> int:
    """Bytes of Markdown in a course folder: roughly what a build of it costs once its images are cached."""
    total = 0
    for path in markdown_files(root):
        try:
            total += path.stat().st_size
        except OSError:
            pass  # reported when the course is built
    return total


def largest_first(roots: list[Path]) -> list[Path]:
    """Courses in the order a pool should get them: heaviest first, ties in the given order."""
    weights = {root: weight(root) for root in roots}
    return sorted(roots, key=lambda root: -weights[root])


def declared_id(root: Path) -> str | None:
    """The id course.yaml declares, or None when it cannot be read (loading the course reports why)."""
    ignored = Problems()  # read as safely as when the course is loaded (no FIFO, link out or YAML bomb)
    text = read_course_text(root, root / "course.yaml", COURSE_YAML, ignored)
    doc = parse_yaml_once(text, root / "course.yaml", ignored) if text is not None else None
    value = doc.data.get("id") if doc else None
    return value if isinstance(value, str) and value else None


def course_id(root: Path) -> str:
    """The id in course.yaml, or the folder name when there is none."""
    return declared_id(root) or root.name


def split(roots: list[Path], count: int) -> list[list[Path]]:
    """`count` groups of courses, balanced by pages: most pages first, each to the group with fewest so far.

    Depends only on course ids, folder names and how many Markdown files each course has, never on
    the order of `roots` or on file sizes, so every machine computes the same split.
    """
    keyed = sorted(((len(markdown_files(root)), course_id(root), root.name, root) for root in roots),
                   key=lambda k: (-k[0], k[1], k[2]))
    groups: list[list[Path]] = [[] for _ in range(count)]
    loads = [0] * count
    for pages, _, _, root in keyed:
        smallest = loads.index(min(loads))
        groups[smallest].append(root)
        loads[smallest] += max(pages, 1)
    return groups


def shard(roots: list[Path], which: Shard) -> list[Path]:
    """The courses of one shard, in the given order."""
    mine = set(split(roots, which.count)[which.index - 1])
    return [root for root in roots if root in mine]
