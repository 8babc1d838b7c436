"""Every output format in one table, each made by its own module, behind one small interface.

A format says its name (as `--format` takes it), its file suffix, whether `build` writes it by
default, whether the combined package of a course in several languages is made in it, how the
library presents it and where it reads the package's coursepack.json, and which module makes it: that module's `make(request, problems)` returns
the files of a zip (the build writes them with the course's shared store), or one finished file
(`data` and `entries`), or None after reporting an error; its `check(path)`, where there is one,
runs the format's real validator. The table is declared here and the makers are imported only
when used, so `coursepack --help` names the formats without loading the pipeline.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from pathlib import Path
from typing import TYPE_CHECKING, Callable, Protocol, Union

if TYPE_CHECKING:
    from builder.package import Entry
    from builder.problems import Problems
    from builder.render import Site

SINGLE = "single"  # the whole course as one .html file per language
MAX_INLINE = 200_000  # bytes: audio, video and other files above this stay out of the single file
FOR_LMS = "For the LMS administrator"


class Finished(Protocol):
    """A package that is one file: its bytes, and every file it holds."""

    data: bytes
    entries: tuple[Entry, ...]


@dataclass(frozen=True)
class Request:
    """What a format is asked to make: one site as one package."""

    site: Site
    entry: bytes  # the library's coursepack.json for this package
    name: str  # the package's file name, for messages
    max_inline: int  # the largest media file the single file carries


Made = Union["dict[str, bytes | Path]", Finished, None]


@dataclass(frozen=True)
class Format:
    """One output format."""

    name: str
    suffix: str  # ".zip", ".html", ".epub", ".zim"
    default: bool  # written by `build` when --format names none
    combined: bool  # also made from the combined site of a course in several languages
    module: str  # "builder.formats.<module>[:<make function>]": what makes it (and may check it)
    label: str  # how the library names it
    use: str  # what the library tells people to do with it
    shelf: int  # where the library lists it among a release's files: the one most people want first
    entry: str = "zip:coursepack.json"  # where the library reads what the package is: "zip:<path>", "html", "zim"

    def make(self, request: Request, problems: Problems) -> Made:
        """The package, as the format's module makes it."""
        module, _, function = self.module.partition(":")
        return getattr(import_module(module), function or "make")(request, problems)

    @property
    def check(self) -> Callable[[Path], list[str]] | None:
        """The format's own validator (its complaints about a file, none when valid), if it has one."""
        return getattr(import_module(self.module.partition(":")[0]), "check", None)


REGISTRY: dict[str, Format] = {f.name: f for f in (
    Format("scorm12", ".zip", True, False, "builder.formats.scorm:make12", "SCORM 1.2", FOR_LMS, 5),
    Format("scorm2004", ".zip", True, False, "builder.formats.scorm:make2004", "SCORM 2004", FOR_LMS, 6),
    Format("offline", ".zip", True, True, "builder.formats.offline", "Offline course",
           "Unzip, then open index.html", 1),
    Format(SINGLE, ".html", False, False, "builder.formats.single", "Single web page",
           "Open it in any browser; easy to send by e-mail or messaging app", 2, "html"),
    Format("epub", ".epub", False, False, "builder.formats.epub", "E-book (EPUB)",
           "Open it in an e-reader or a reading app; questions have their answers at the end", 3,
           "zip:META-INF/coursepack.json"),
    Format("zim", ".zim", False, False, "builder.formats.zim", "Kiwix (ZIM)",
           "Open it in the Kiwix app, or put it on a Kiwix hotspot", 4, "zim"),
    Format("cc", ".imscc", False, False, "builder.formats.cc", "Common Cartridge",
           "Import into Moodle, Canvas, Blackboard, Brightspace as a course with native quizzes", 7),
    Format("cmi5", ".zip", False, False, "builder.formats.cmi5", "cmi5 (xAPI)",
           "Import into an LMS or LRS that speaks cmi5", 8),
)}  # in the order of --format choices and of the build summary
ALL_FORMATS = tuple(REGISTRY)
FORMATS = tuple(name for name, f in REGISTRY.items() if f.default)  # what `build` writes unless --format says otherwise
COMBINED_FORMATS = tuple(name for name, f in REGISTRY.items() if f.combined)  # from the all-languages site too
SUFFIXES = tuple(dict.fromkeys(f.suffix for f in REGISTRY.values()))  # what the library lists
ENTRIES = {f.suffix: f.entry for f in REGISTRY.values()}  # formats sharing a suffix keep their entry alike


def format_help() -> str:
    """`--format`'s help, from the table: every format and what it is, then the defaults."""
    every = "; ".join(f"{name} = {f.label}" for name, f in REGISTRY.items())
    return (f"Package formats to write (repeatable): {every}. Default: {', '.join(FORMATS)}; the others only "
            f"when named. For a course in several languages, {' and '.join(COMBINED_FORMATS)} also writes one "
            "package holding every language, with a language chooser.")
