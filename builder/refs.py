"""Resolve the links and file references of a page against the course folder.

Every reference either stays external (hyperlinks only), points at another module's
page, or names a file inside the course folder that is copied into the package.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

from builder.css import css_urls as tokenized_urls
from builder.limits import module_suffix, role_of
from builder.names import FileNames
from builder.problems import Problems, closest
from builder.safefiles import RealPaths, Refused, check_course_file

LINK_ATTRS = {"a": ("href",), "area": ("href",)}
LOAD_ATTRS = {"img": ("src", "srcset"), "audio": ("src",), "video": ("src", "poster"), "source": ("src", "srcset"),
              "track": ("src",), "iframe": ("src",), "frame": ("src",), "embed": ("src",), "object": ("data",),
              "script": ("src",), "link": ("href",), "input": ("src",),
              # raw HTML that still loads: inline SVG, and the old background attribute
              "image": ("href", "xlink:href"), "use": ("href", "xlink:href"), "feimage": ("href", "xlink:href"),
              "body": ("background",), "table": ("background",), "td": ("background",), "th": ("background",)}
SOURCE_LINE = "data-cp-line"  # on elements the build writes (caption tracks): the Markdown line they come from
EXTERNAL_SCHEMES = {"http", "https"}
HYPERLINK_SCHEMES = {"http", "https", "mailto", "tel"}
_CSS_URL = re.compile(r"""(url\(\s*['"]?)([^'")\s]+)|(@import\s+['"])([^'"]+)""", re.I)


@dataclass(frozen=True)
class CourseFile:
    """A file of the course copied into packages: where it is, and its path in the zip."""

    source: Path
    target: str
    content: bytes | None = field(default=None, compare=False, repr=False)  # optimised; None: the source as it is


@dataclass(frozen=True)
class PageLink:
    """A link to a page (this one or another module) whose anchor is checked once all pages exist."""

    page: str
    fragment: str
    written: str
    line: int


@dataclass
class Resolver:
    """Resolves references written in one module file."""

    root: Path
    source: Path
    module_pages: dict[Path, str]  # resolved module file -> page name
    problems: Problems
    names: FileNames | None = None  # share one between the pages of a course, so a collision is reported once
    listings: dict[Path, set[str]] = field(default_factory=dict)  # folder -> names; share one between pages too
    real_paths: RealPaths = field(default_factory=RealPaths)  # share one between the pages of one build too

    def __post_init__(self) -> None:
        self.real_root = self.real_paths.folder(self.root)
        self.names = self.names or FileNames(self.root)

    def resolve(self, value: str, tag: str, line: int) -> tuple[str, CourseFile | PageLink | None]:
        """Return the rewritten URL and what it refers to; problems are recorded, not raised."""
        parts = urlsplit(value)
        scheme = parts.scheme.lower()
        if value.startswith("//") or scheme in EXTERNAL_SCHEMES:
            if tag in LINK_ATTRS:
                return value, None
            self._error(line, f"'{value}' would be loaded from the internet, which an offline package cannot do",
                        "download the file into the course folder and refer to it by a relative path")
            return value, None
        if scheme in HYPERLINK_SCHEMES or scheme == "data":
            return value, None
        if scheme and len(scheme) > 1:
            self._error(line, f"'{value}' uses '{scheme}:', which does not work in a package",
                        "refer to files by a relative path inside the course folder")
            return value, None
        if not parts.path:
            return value, PageLink("", parts.fragment, value, line) if parts.fragment else None
        return self._local(value, unquote(parts.path), parts.fragment, line)

    def _local(self, value: str, path: str, fragment: str, line: int) -> tuple[str, CourseFile | PageLink | None]:
        if path.startswith(("/", "\\")) or (len(path) > 1 and path[1] == ":"):
            self._error(line, f"'{value}' is an absolute path", "write the path relative to this Markdown file")
            return value, None
        candidate = self.source.parent / path
        target = self.real_paths.of(candidate)
        if not target.is_relative_to(self.real_root):
            if Path(os.path.abspath(candidate)).is_relative_to(os.path.abspath(self.root)):  # via a symlink
                self._error(line, f"'{value}' is a link to a file outside the course folder",
                            "copy the file into the course folder instead of linking to it")
            else:
                self._error(line, f"'{value}' points outside the course folder",
                            "copy the file into the course folder and link to the copy")
            return value, None
        if not _exists_exactly(target, self.listings):
            self._error(line, f"'{value}': file not found", self._suggest(candidate, path))
            return value, None
        if target.is_dir():
            self._error(line, f"'{value}' is a folder, not a file", "link to a file inside it")
            return value, None
        anchor = f"#{fragment}" if fragment else ""
        if target in self.module_pages:
            page = self.module_pages[target]
            return page + anchor, PageLink(page, fragment, value, line)
        if module_suffix(target.name):
            self._error(line, f"'{value}' is a Markdown file that is not a module of this course",
                        "add it to the course's modules, or link to one of them")
            return value, None
        try:
            check_course_file(self.root, target, role_of(target.suffix), self.real_paths)
        except Refused as e:
            self._error(line, f"'{value}': {e.message}", e.hint)
            return value, None
        packaged = self.names.claim(target.relative_to(self.real_root).as_posix(), self.source, line, self.problems)
        return packaged + anchor, CourseFile(target, packaged)

    def _suggest(self, candidate: Path, written: str) -> str:
        """Name the existing file the author most likely meant, written the way they wrote the path."""
        folder = candidate.parent
        if not folder.is_dir():
            return f"the folder '{os.path.relpath(folder, self.source.parent)}' does not exist"
        if candidate.is_symlink():
            return "it is a link to a file that does not exist; put the file itself there"
        close = closest(candidate.name, sorted(p.name for p in folder.iterdir()))
        if close is None:
            return "check the file name and its folder"
        written_folder = written.rpartition("/")[0]
        return f"did you mean '{written_folder}/{close}'?" if written_folder else f"did you mean '{close}'?"

    def _error(self, line: int, message: str, hint: str) -> None:
        self.problems.error(self.source, line, message, hint)


def _exists_exactly(path: Path, listings: dict[Path, set[str]]) -> bool:
    """Exists with exactly this letter case (LMS servers are case-sensitive even where the disk is not).

    Each folder is listed once into `listings`: a course's pages refer to hundreds of files in a few folders."""
    if not path.exists():
        return False
    if path.parent == path:
        return True
    if path.parent not in listings:
        listings[path.parent] = set(os.listdir(path.parent))
    return path.name in listings[path.parent]


def css_urls(css: str) -> list[str]:
    """Every URL a piece of CSS loads, read by tinycss2 (escapes, image-set("…") and all)."""
    return [url for url, _ in tokenized_urls(css)]


def rewrite_css(css: str, rewrite: Callable[[str], str]) -> str:
    """CSS with every plain url(...) and @import target passed through `rewrite`.

    Rewriting keeps the author's text as it is, so it works on the text; what it misses (an escaped
    URL) is refused by the checks, which read tokens (builder.css)."""
    return _CSS_URL.sub(lambda m: (m[1] or m[3]) + rewrite(m[2] or m[4]), css)
