"""Every output format, one module each, behind one small interface.

A format says its name (as `--format` takes it), its file suffix, whether `build` writes it by
default, whether the combined package of a course in several languages is made in it, how it
makes a package from a rendered site, (where there is one) the real validator of its files, and
how the library presents it. `build` loops over the chosen formats; `--format` choices come from
`REGISTRY`, in its order.
A format's maker returns the files of a zip, which the build writes with the course's shared
store, or one finished file (`data` and `entries`), or None after reporting an error.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Protocol

from builder.package import Entry
from builder.problems import Problems
from builder.render import Site


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


Made = dict[str, bytes | Path] | Finished | None


@dataclass(frozen=True)
class Format:
    """One output format."""

    name: str
    suffix: str  # ".zip", ".html", ".epub", ".zim"
    default: bool  # written by `build` when --format names none
    combined: bool  # also made from the combined site of a course in several languages
    make: Callable[[Request, Problems], Made]
    check: Callable[[Path], list[str]] | None = None  # the format's own validator: its complaints, none when valid
    label: str = ""  # how the library names it
    use: str = ""  # what the library tells people to do with it
    shelf: int = 0  # where the library lists it among a release's files: the one most people want first


REGISTRY: dict[str, Format] = {}


def register(fmt: Format) -> Format:
    """Add a format; the order of registration is the order of `--format` choices and of the summary."""
    REGISTRY[fmt.name] = fmt
    return fmt


from builder.formats import scorm, offline, single, epub, zim  # noqa: E402,F401  - each registers itself
