"""What the formats that turn a rendered site into one file share: the result, its pages, the date they carry."""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime, timezone

import lxml.html
from lxml.html import HtmlElement

from pathlib import Path
from typing import TYPE_CHECKING

from builder.scan import ENTRY
from builder.package import Entry
from builder.render import HOME, PRINT, PROGRESS, Site, file_text

if TYPE_CHECKING:
    from builder.formats import Request


@dataclass(frozen=True)
class OneFile:
    """A finished package that is one file (an .epub, a .zim), and every file it holds."""

    data: bytes
    entries: tuple[Entry, ...]


def site_files(request: Request) -> dict[str, bytes | Path]:
    """The site's files as a zip carries them, with the library's coursepack.json at the root."""
    return {**request.site.files, ENTRY: request.entry}


def module_pages(site: Site) -> list[str]:
    """The site's module pages in course order: every page but home, My progress and the printable one."""
    return [name for name in site.pages if name not in (HOME, PROGRESS, PRINT)]


def parse_page(site: Site, name: str) -> HtmlElement:
    """One rendered page of `site` as an lxml document."""
    return lxml.html.document_fromstring(file_text(site.files[name]))


def release_time() -> datetime:
    """When an e-book or ZIM says it was made: SOURCE_DATE_EPOCH when set (reproducible builds), else today
    at midnight UTC, so that every build of one day gives the same bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), timezone.utc)
    return datetime.now(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
