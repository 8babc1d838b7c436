"""The offline library: `index.html` and `catalog.json` beside the packages, listing all of them.

Every package carries a small `coursepack.json` (`package_entry`), so the library is rebuilt from
the zips in the folder alone, whichever run built them: a USB stick's library grows build by build.
"""

from __future__ import annotations

import json
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

import jinja2

from builder.combined import MULTIPLE
from builder.course import Course
from builder.locale import autonym
from builder.package import file_sha256, write_file
from builder.problems import Problem, display_path
from builder.render import TEMPLATES
from builder.single import EMBEDDED_ENTRY
from builder.sizes import SPEEDS, download_time, human_size

ENTRY = "coursepack.json"  # the file inside each package that the library reads
ENTRY_SCHEMA = 1
CATALOG_SCHEMA = 1
FORMAT_ORDER = ("offline", "single", "scorm12", "scorm2004")  # the file most people want first
LIBRARY_SPEED = "256 kbit/s"
FIELDS = ("course", "version", "lang", "format", "title", "description", "main_lang")
EMBEDDED_WITHIN = 65536  # bytes: builder.single writes the entry second in <head>, well inside these
_EMBEDDED = re.compile(f'<script type="application/json" id="{EMBEDDED_ENTRY}">(.*?)</script>', re.DOTALL)

# The library's interface words, in one place until the page is translated.
STRINGS = {
    "title": "Course library",
    "which_file": "Which file? To learn on this computer or phone, take the offline zip: unzip it and open "
                  "index.html. A single .html file, where there is one, is the same course as one web page, easy "
                  "to send by e-mail or messaging app. The SCORM zips are for the LMS administrator to upload.",
    "summary": "Packages: {count}, {size} in all. Download times are for a {speed} connection.",
    "empty": "There are no packages in this folder yet.",
    "col_file": "File",
    "version": "Version {version}",
    "col_size": "Size",
    "col_time": "Time at {speed}",
    "sha256": "SHA-256",
    "checksum_note": "To check a copy, compare its SHA-256 checksum with the one listed here.",
    "format_offline": "Offline course",
    "format_single": "Single web page",
    "format_scorm12": "SCORM 1.2",
    "format_scorm2004": "SCORM 2004",
    "use_offline": "Unzip, then open index.html",
    "all_languages": "All languages in one package",
    "use_scorm": "For the LMS administrator",
    "use_single": "Open it in any browser; easy to send by e-mail or messaging app",
}


@dataclass(frozen=True)
class Listed:
    """One package found in the folder: its file and what its coursepack.json says."""

    file: str
    size: int
    sha256: str
    course: str
    version: str
    lang: str
    format: str
    title: str
    description: str
    main_lang: str
    languages: tuple[str, ...] = ()  # several only in a combined package (lang 'mul')


def package_entry(course: Course, lang: str, fmt: str) -> bytes:
    """The coursepack.json a package carries: all a library needs to list it.

    The combined package of a course in several languages has lang 'mul' and lists them in `languages`;
    its title and description are the main language's.
    """
    text = course.text(course.language if lang == MULTIPLE else lang)
    entry = {"schema": ENTRY_SCHEMA, "course": course.id, "version": course.version, "lang": lang,
             "format": fmt, "title": text.title, "description": text.description, "main_lang": course.language}
    if lang == MULTIPLE:
        entry["languages"] = list(course.languages)
    return (json.dumps(entry, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def write_library(out: Path) -> list[Problem]:
    """Write `out/catalog.json` and `out/index.html` listing every package in `out`; warns of zips left out."""
    listed, left_out = scan(out)
    data = catalog(listed)
    write_file(out / "catalog.json", (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))
    write_file(out / "index.html", library_page(data).encode("utf-8"))
    return left_out


def scan(out: Path) -> tuple[list[Listed], list[Problem]]:
    """Every package in `out` (zips, and single .html files), by file name, and a warning for each file that is
    not one; `index.html` is the library itself."""
    listed, left_out = [], []
    for path in sorted(p for p in out.iterdir() if p.suffix in (".zip", ".html") and p.name != "index.html"
                       and p.is_file() and not p.name.startswith(".")):
        try:
            listed.append(read_package(path))
        except ValueError as e:
            left_out.append(Problem(display_path(path), 0, f"left out of the library: {e}",
                                    "rebuild it with this coursepack, or move it out of the folder", warning=True))
    return listed, left_out


def _zip_entry(path: Path) -> object:
    try:
        with zipfile.ZipFile(path) as archive:
            return json.loads(archive.read(ENTRY).decode("utf-8"))
    except zipfile.BadZipFile:
        raise ValueError("not a zip file") from None
    except KeyError:
        raise ValueError(f"it has no {ENTRY}, so it is not a coursepack package or predates the library") from None
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise ValueError(f"its {ENTRY} is not valid JSON") from None


def embedded_entry(path: Path) -> object:
    """What a single .html package carries instead of coursepack.json: a script in its head, found in its
    first bytes, so a library of large files is listed without reading them whole."""
    with path.open("rb") as f:
        head = f.read(EMBEDDED_WITHIN).decode("utf-8", errors="replace")
    match = _EMBEDDED.search(head)
    if match is None:
        raise ValueError(f"it has no <script id=\"{EMBEDDED_ENTRY}\">, so it is not a coursepack single-file "
                         "package")
    try:
        return json.loads(match[1])
    except json.JSONDecodeError:
        raise ValueError(f"its {EMBEDDED_ENTRY} script is not valid JSON") from None


def read_package(path: Path) -> Listed:
    """A package's listing from its coursepack.json; ValueError says why a file is not a package."""
    entry = embedded_entry(path) if path.suffix == ".html" else _zip_entry(path)
    if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in FIELDS):
        raise ValueError(f"its {ENTRY} lacks one of: {', '.join(FIELDS)}")
    languages = entry.get("languages", [entry["lang"]])
    if not isinstance(languages, list) or not languages or not all(isinstance(x, str) for x in languages):
        raise ValueError(f"its {ENTRY} has 'languages' that are not a list of language codes")
    return Listed(path.name, path.stat().st_size, file_sha256(path), **{k: entry[k] for k in FIELDS},
                  languages=tuple(languages))


def catalog(listed: list[Listed]) -> dict:
    """catalog.json: per course (by title), per language (main first), releases newest first."""
    by_course: dict[str, list[Listed]] = {}
    for item in listed:
        by_course.setdefault(item.course, []).append(item)
    courses = [_course(course_id, items) for course_id, items in by_course.items()]
    return {"schema": CATALOG_SCHEMA, "courses": sorted(courses, key=lambda c: (c["title"].casefold(), c["id"]))}


def _course(course_id: str, items: list[Listed]) -> dict:
    """One course: its combined packages (every language in one zip), then its packages per language."""
    newest = _newest_first(items)[0]
    by_lang: dict[str, list[Listed]] = {}
    for item in items:
        if item.lang != MULTIPLE:
            by_lang.setdefault(item.lang, []).append(item)
    langs = sorted(by_lang, key=lambda lang: (lang != newest.main_lang, lang))
    main = _newest_first(by_lang[langs[0]])[0] if langs else newest  # a folder may hold only combined packages
    combined = [item for item in items if item.lang == MULTIPLE]
    return {"id": course_id, "lang": main.lang if langs else main.main_lang, "title": main.title,
            "all_languages": [{**_release(release), "languages": list(release[0].languages)}
                              for release in _by_version(combined)],
            "languages": [_language(lang, by_lang[lang]) for lang in langs]}


def _language(lang: str, items: list[Listed]) -> dict:
    newest = _newest_first(items)[0]
    return {"lang": lang, "title": newest.title, "description": newest.description,
            "releases": [_release(release) for release in _by_version(items)]}


def _by_version(items: list[Listed]) -> list[list[Listed]]:
    """The items of each version, newest version first."""
    versions = list(dict.fromkeys(item.version for item in _newest_first(items)))
    return [[i for i in items if i.version == v] for v in versions]


def _release(items: list[Listed]) -> dict:
    items = sorted(items, key=lambda i: (_format_rank(i.format), i.format, i.file))
    return {"version": items[0].version, "formats": list(dict.fromkeys(i.format for i in items)),
            "packages": [{"format": i.format, "file": i.file, "size": i.size, "sha256": i.sha256} for i in items]}


def _newest_first(items: list[Listed]) -> list[Listed]:
    ordered = sorted(items, key=lambda i: (i.version, i.file))
    return sorted(ordered, key=lambda i: _version_key(i.version), reverse=True)


def _version_key(version: str) -> tuple:
    """'1.10.0' after '1.9.2': numbers compare as numbers."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part) for part in re.split(r"(\d+)", version)
                 if part)


def _format_rank(fmt: str) -> int:
    return FORMAT_ORDER.index(fmt) if fmt in FORMAT_ORDER else len(FORMAT_ORDER)


def library_page(data: dict) -> str:
    """The library's one static HTML page: no scripts, no requests, readable from file:// at 320 px."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                             autoescape=True, keep_trailing_newline=True)
    env.filters.update(size=human_size, download=lambda size: download_time(size, SPEEDS[LIBRARY_SPEED]),
                       href=lambda name: quote(name))
    releases = [r for c in data["courses"] for r in c["all_languages"]]
    releases += [r for c in data["courses"] for lang in c["languages"] for r in lang["releases"]]
    packages = [p for r in releases for p in r["packages"]]
    return env.get_template("library.html").render(
        catalog=data, t=STRINGS, speed=LIBRARY_SPEED, autonym=autonym,
        count=len(packages), total=human_size(sum(p["size"] for p in packages)))
