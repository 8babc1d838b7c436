"""Formats that turn a rendered site (one course in one language) into one finished file.

Each registers here what the build needs to know: its name (as `--format` takes it), the file's
suffix, how the file is made from a site and its coursepack.json, and the real validator that
checks it. The zips (SCORM 1.2, SCORM 2004, offline) and the single .html file are still made
in builder.build; moving them here is the rest of issue 13's design step.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from builder.formats.base import OneFile
from builder.formats.epub import EPUB, check_epub, epub_file
from builder.formats.zim import ZIM, check_zim, zim_file
from builder.problems import Problems
from builder.render import Site


@dataclass(frozen=True)
class FileFormat:
    """A format whose package is one file made from a site."""

    name: str
    suffix: str
    make: Callable[[Site, bytes, Problems], OneFile | None]  # site, coursepack.json -> the file (None: an error)
    check: Callable[[Path], list[str]]  # the format's own validator: its complaints, none when valid


FILE_FORMATS = {
    EPUB: FileFormat(EPUB, ".epub", epub_file, check_epub),
    ZIM: FileFormat(ZIM, ".zim", zim_file, check_zim),
}
