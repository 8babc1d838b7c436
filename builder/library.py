"""The offline library: `index.html` and `catalog.json` beside the packages, listing all of them.

Every package carries a small `coursepack.json` (`package_entry`), so the library is rebuilt from
the zips in the folder alone, whichever run built them: a USB stick's library grows build by build.
The folder is not trusted: `builder.scan` finds the packages in it, and the library never replaces
an index.html or catalog.json that coursepack did not write.
"""

from __future__ import annotations

import json
import re
import stat
from pathlib import Path
from urllib.parse import quote

import jinja2

from builder.combined import MULTIPLE
from builder.course import Course
from builder.formats import REGISTRY
from builder.locale import autonym
from builder.package import write_file
from builder.problems import Problem, display_path
from builder.render import TEMPLATES, compiled_templates
from builder.scan import ENTRY_SCHEMA, Known, Listed, read_record, record_bytes, scan
from builder.sizes import SPEEDS, download_time, human_size

CATALOG_SCHEMA = 1
LIBRARY_SPEED = "256 kbit/s"
LIBRARY_FILES = ("catalog.json", "index.html")
GENERATOR = "coursepack"
PAGE_MARK = b'<meta name="generator" content="coursepack library">'
_CATALOG_MARK = re.compile(rb'\{\s*"schema":\s*\d+,\s*("generator":\s*"coursepack",\s*)?"courses":')

# The library's interface words, in one place until the page is translated.
STRINGS = {
    "title": "Course library",
    "which_file": "Which file? To learn on this computer or phone, take the offline zip: unzip it and open "
                  "index.html. A single .html file, where there is one, is the same course as one web page, easy "
                  "to send by e-mail or messaging app. An .epub file is the course as an e-book, a .zim file "
                  "opens in the Kiwix app. The SCORM and cmi5 zips are for the LMS administrator to upload, an "
                  ".imscc file to import as a course with the LMS's own quizzes.",
    "summary": "Packages: {count}, {size} in all. Download times are for a {speed} connection.",
    "empty": "There are no packages in this folder yet.",
    "col_file": "File",
    "version": "Version {version}",
    "col_size": "Size",
    "col_time": "Time at {speed}",
    "sha256": "SHA-256",
    "checksum_note": "To check a copy, compare its SHA-256 checksum with the one listed here.",
    "all_languages": "All languages in one package",
}


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


def write_library(out: Path, fresh: dict[str, Known] | None = None, record: Path | None = None) -> list[Problem]:
    """Write `out/catalog.json` and `out/index.html` listing every package in `out` as it is on disk now.

    `fresh` holds what this build knows of the packages it published and `record` (see `builder.scan.record_path`)
    what earlier builds knew, so unchanged packages are not read again. Warns of files left out; an
    error when the library cannot be written, in which case the old one is removed, so the folder never
    lists a package or checksum it does not hold.
    """
    if foreign := foreign_library(out):
        return [_foreign_problem(path) for path in foreign]
    listed, left_out = scan(out, {**(read_record(record) if record else {}), **(fresh or {})})
    data = catalog(listed)
    try:
        _write_if_changed(out / "catalog.json", (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode())
        _write_if_changed(out / "index.html", library_page(data).encode("utf-8"))
    except OSError as e:
        removed = remove_library(out)
        gone = f"the old {' and '.join(removed)} removed, so no stale checksum is listed; " if removed else ""
        return [*left_out, Problem(display_path(out), 0, f"cannot write the library: {e.strerror}",
                                   gone + "free some space (or fix the folder's permissions) and build again")]
    if record:
        try:
            _write_if_changed(record, record_bytes(listed))
        except OSError:
            pass  # a cache: without it the next build hashes again, that is all
    return left_out


def library_present(out: Path) -> bool:
    """Whether `out` holds a library (ours or not) that a build must keep in line with the packages."""
    return any((out / name).exists() or (out / name).is_symlink() for name in LIBRARY_FILES)


def foreign_library(out: Path) -> list[Path]:
    """The index.html or catalog.json in `out` that coursepack did not write: the library must not
    replace them without a word."""
    return [out / name for name in LIBRARY_FILES if not _ours(out / name)]


def _foreign_problem(path: Path) -> Problem:
    return Problem(display_path(path), 0, "not written by coursepack, so the library would replace it",
                   "move it away, or choose another --out for the packages")


def _ours(path: Path) -> bool:
    """Missing, or written by coursepack: the library page carries PAGE_MARK (or, written before the mark,
    its checksum note), catalog.json starts with its schema."""
    try:
        if not stat.S_ISREG(path.lstat().st_mode):
            return False
        with path.open("rb") as f:
            head = f.read(4096)
    except FileNotFoundError:
        return True
    except OSError:
        return False
    if path.name == "catalog.json":
        return _CATALOG_MARK.match(head) is not None
    return PAGE_MARK in head or (b"<title>Course library</title>" in head
                                 and STRINGS["checksum_note"].encode() in path.read_bytes()[:1 << 20])


def remove_library(out: Path) -> list[str]:
    """Remove the library (never a foreign file): better none than one listing what is not there."""
    removed = []
    for name in LIBRARY_FILES:
        path = out / name
        if path.exists() and _ours(path):
            try:
                path.unlink()
                removed.append(name)
            except OSError:
                pass
    return removed


def _write_if_changed(path: Path, data: bytes) -> None:
    """Leave a file that already holds `data` alone, so a no-change build touches nothing."""
    try:
        if path.lstat().st_size == len(data) and stat.S_ISREG(path.lstat().st_mode) and path.read_bytes() == data:
            return
    except OSError:
        pass
    write_file(path, data)


def catalog(listed: list[Listed]) -> dict:
    """catalog.json: per course (by title), per language (main first), releases newest first."""
    by_course: dict[str, list[Listed]] = {}
    for item in listed:
        by_course.setdefault(item.course, []).append(item)
    courses = [_course(course_id, items) for course_id, items in by_course.items()]
    return {"schema": CATALOG_SCHEMA, "generator": GENERATOR,
            "courses": sorted(courses, key=lambda c: (c["title"].casefold(), c["id"]))}


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
    """The format's shelf in the registry; formats this coursepack does not know (a newer one wrote them) last."""
    return REGISTRY[fmt].shelf if fmt in REGISTRY else len(REGISTRY) + 1


def library_page(data: dict) -> str:
    """The library's one static HTML page: no scripts, no requests, readable from file:// at 320 px."""
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), undefined=jinja2.StrictUndefined,
                             autoescape=True, keep_trailing_newline=True, bytecode_cache=compiled_templates())
    env.filters.update(size=human_size, download=lambda size: download_time(size, SPEEDS[LIBRARY_SPEED]),
                       href=lambda name: quote(name))
    releases = [r for c in data["courses"] for r in c["all_languages"]]
    releases += [r for c in data["courses"] for lang in c["languages"] for r in lang["releases"]]
    packages = [p for r in releases for p in r["packages"]]
    return env.get_template("library.html").render(
        catalog=data, t=STRINGS, formats=REGISTRY, speed=LIBRARY_SPEED, autonym=autonym,
        count=len(packages), total=human_size(sum(p["size"] for p in packages)))
