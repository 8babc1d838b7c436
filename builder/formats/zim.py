"""ZIM: a course in one language as one file for Kiwix (phone app, desktop, Raspberry Pi hotspot).

The rendered offline site goes in as it is: every page and file at its own path, the course home as
the main page, full-text search on. Quizzes work as in the offline package: coursepack.js keeps
progress in the reader's localStorage (docs/tracking.md). Kiwix JS in service-worker mode blocks
inline scripts; our pages load only `<script src>` files, but the printable page has one (its Print
button), so it is left out with the links to it: readers print from a module page instead.
The metadata Kiwix's library shows is required by the openZIM spec: Name, Title, Creator,
Publisher, Date, Description (at most 80 characters), Language (ISO 639-3) and a 48×48 PNG
illustration, drawn here from the course id.
"""

from __future__ import annotations

import hashlib
import os
import posixpath
import subprocess
import sys
import tempfile
from colorsys import hsv_to_rgb
from contextlib import contextmanager
from io import BytesIO
from pathlib import Path
from typing import Iterator

import lxml.html
from babel.core import get_global
from PIL import Image, ImageDraw, ImageFont

try:
    from libzim.writer import Creator, Hint, Item, StringProvider
except ImportError:  # the optional extra coursepack[zim]: a binary wheel not every platform has
    Creator = Hint = StringProvider = None
    Item = object

from builder import __version__
from builder.formats import Request
from builder.formats.base import OneFile, release_time
from builder.package import Entry
from builder.problems import CoursepackError, Problems
from builder.render import HOME, PRINT, PROGRESS, Site, file_bytes
from builder.scan import ENTRY
from builder.single import MIME, drop_links

ZIM = "zim"
TITLE_MAX = 30  # characters, openZIM metadata spec (openZIM's own scrapers refuse longer titles)
DESCRIPTION_MAX = 80  # characters, openZIM metadata spec
LONG_DESCRIPTION_MAX = 4000
LEFT_OUT = (PRINT,)
# ISO 639-1 -> 639-3 where CLDR's aliases offer several (individual language, macrolanguage, bibliographic):
# Kiwix's catalogue uses the macrolanguage code.
ISO_639_3 = {"ar": "ara", "fa": "fas", "zh": "zho", "ms": "msa", "sw": "swa", "qu": "que", "fr": "fra",
             "de": "deu", "nl": "nld", "cs": "ces", "el": "ell", "hy": "hye", "ka": "kat", "ro": "ron",
             "sk": "slk", "sq": "sqi", "mk": "mkd", "eu": "eus", "is": "isl", "my": "mya", "bo": "bod",
             "cy": "cym", "mi": "mri", "no": "nor", "et": "est", "lv": "lav", "uz": "uzb", "az": "aze",
             "mn": "mon", "ne": "nep", "om": "orm", "ps": "pus", "ku": "kur"}


def iso639_3(lang: str) -> str:
    """`es` -> `spa`, `pt-BR` -> `por`: the three-letter code the ZIM Language metadata needs."""
    base = lang.split("-")[0].lower()
    if len(base) == 3:
        return base
    if base in ISO_639_3:
        return ISO_639_3[base]
    codes = sorted(alias for alias, target in get_global("language_aliases").items()
                   if target == base and len(alias) == 3)
    if len(codes) != 1:
        raise ValueError(f"no ISO 639-3 code known for language '{lang}'")
    return codes[0]


def short_description(text: str, limit: int = DESCRIPTION_MAX) -> str:
    """A title or description cut at a word to fit `limit` characters, with an ellipsis when cut."""
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[:limit - 1].rsplit(" ", 1)[0].rstrip(" ,;:.-—")
    return cut + "…"


def illustration(course_id: str, size: int = 48) -> bytes:
    """A square PNG: the course's initials on a colour taken from its id, so each course looks its own."""
    hue = int(hashlib.sha256(course_id.encode()).hexdigest()[:2], 16)
    image = Image.new("RGB", (size, size), _colour(hue))
    initials = "".join(word[0] for word in course_id.replace("_", "-").split("-") if word)[:2].upper() or "C"
    draw = ImageDraw.Draw(image)
    font = ImageFont.load_default(size=size // 2)
    box = draw.textbbox((0, 0), initials, font=font)
    draw.text(((size - box[2] - box[0]) / 2, (size - box[3] - box[1]) / 2), initials, fill="white", font=font)
    out = BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _colour(hue: int) -> tuple[int, int, int]:
    """A dark colour (white text stays readable on it) for a hue from 0 to 255."""
    r, g, b = hsv_to_rgb(hue / 256, 0.6, 0.45)
    return round(r * 255), round(g * 255), round(b * 255)


class _Item(Item):
    """One file of the site as a ZIM entry."""

    def __init__(self, path: str, data: bytes, title: str, front: bool) -> None:
        super().__init__()
        self.path, self.data, self.title, self.front = path, data, title, front

    def get_path(self) -> str:
        return self.path

    def get_title(self) -> str:
        return self.title

    def get_mimetype(self) -> str:
        mime = MIME.get(posixpath.splitext(self.path)[1].lower(), "application/octet-stream")
        return f"{mime};charset=utf-8" if mime.startswith("text/") else mime

    def get_contentprovider(self) -> StringProvider:
        return StringProvider(self.data)

    def get_hints(self) -> dict[Hint, int]:
        return {Hint.FRONT_ARTICLE: self.front}


def make(request: Request, problems: Problems) -> OneFile | None:
    """The registry's entry point: the site and its coursepack.json as one file."""
    return zim_file(request.site, request.entry, problems)


def zim_file(site: Site, entry: bytes, problems: Problems) -> OneFile | None:
    """The course in `site` (one language, pages at the package root) as a ZIM file carrying `entry` (the
    library's coursepack.json); None, with an error, for a language with no ISO 639-3 code known."""
    if Creator is None:
        raise CoursepackError("the zim format needs python-libzim: pip install 'coursepack[zim]'")
    try:
        language = iso639_3(site.lang)
    except ValueError as e:
        problems.error(site.course.config, 0, f"cannot make the zim package: {e}",
                       "write the language as its ISO 639-3 code (three letters) in course.yaml")
        return None
    files = {**_files(site), ENTRY: (entry, "")}
    with tempfile.TemporaryDirectory(prefix="coursepack-zim-") as folder:
        path = Path(folder) / "course.zim"
        creator = Creator(str(path)).config_indexing(True, language).config_nbworkers(1)
        with _quiet_stdout(), creator:
            creator.set_mainpath(HOME)
            for name, (data, title) in files.items():
                creator.add_item(_Item(name, data, title, front=name in site.pages and name != PROGRESS))
            _metadata(creator, site)
        data = path.read_bytes()
    entries = tuple(Entry(name, len(content), len(content), hashlib.sha256(content).hexdigest())
                    for name, (content, _) in sorted(files.items()))
    return OneFile(data, entries)


@contextmanager
def _quiet_stdout() -> Iterator[None]:
    """libzim prints its progress ("Resolve redirect", "set index") to file descriptor 1 whatever its verbosity;
    the build's own output must stay readable (and parseable with --json)."""
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(os.devnull, "wb") as null:
            os.dup2(null.fileno(), 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)


def _files(site: Site) -> dict[str, tuple[bytes, str]]:
    """Every file the ZIM carries, with the title of each page; links to the pages left out go."""
    files = {}
    for name in sorted(site.files):
        if name in LEFT_OUT:
            continue
        data = file_bytes(site.files[name])
        title = ""
        if name in site.pages:
            doc = lxml.html.document_fromstring(data.decode("utf-8"))
            title = (doc.findtext(".//title") or "").strip()
            if any(page.encode() in data for page in LEFT_OUT):
                drop_links(doc, set(LEFT_OUT))
                data = lxml.html.tostring(doc, encoding="unicode", doctype="<!doctype html>").encode("utf-8")
        files[name] = (data, title)
    return files


def _metadata(creator: Creator, site: Site) -> None:
    """The metadata Kiwix's library and zimcheck require, and a little more it shows."""
    course, text = site.course, site.course.text(site.lang)
    creator.add_metadata("Name", f"coursepack_{site.lang}_{course.id}")
    creator.add_metadata("Title", short_description(text.title, TITLE_MAX))
    creator.add_metadata("Creator", ", ".join(course.authors) or course.organisation or "coursepack")
    creator.add_metadata("Publisher", course.organisation or ", ".join(course.authors) or "coursepack")
    creator.add_metadata("Date", release_time().strftime("%Y-%m-%d"))
    creator.add_metadata("Description", short_description(text.description or text.title))
    if len(" ".join(text.description.split())) > DESCRIPTION_MAX:
        creator.add_metadata("LongDescription", short_description(text.description, LONG_DESCRIPTION_MAX))
    creator.add_metadata("Language", iso639_3(site.lang))
    if course.licence:
        creator.add_metadata("License", course.licence)
    kinds = {MIME.get(posixpath.splitext(name)[1].lower(), "").split("/")[0] for name in site.files}
    flags = [f"_pictures:{'yes' if 'image' in kinds else 'no'}", f"_videos:{'yes' if 'video' in kinds else 'no'}"]
    creator.add_metadata("Tags", ";".join(["_category:other", "_ftindex:yes", *flags, *text.keywords]))
    creator.add_metadata("Flavour", "course")
    creator.add_metadata("Scraper", f"coursepack {__version__}")
    creator.add_illustration(48, illustration(course.id))


def check(path: Path) -> list[str]:
    """zimcheck's complaints about a ZIM file (empty when it is valid)."""
    run = subprocess.run(["zimcheck", "--all", "--details", str(path)], capture_output=True, text=True)
    if run.returncode == 0:
        return []
    return [line for line in run.stdout.splitlines() if "[ERROR]" in line or "Error" in line] \
        or [f"zimcheck exited with {run.returncode}: {(run.stdout + run.stderr).strip()}"]

