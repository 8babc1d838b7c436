"""Find the packages in an output folder that may hold anything: read as little as possible of each
file, and nothing of a file whose stamp a record (or this build) already knows.

Only the small coursepack.json of a zip is ever read, and only when the zip looks like one of ours;
anything else is left out with the reason.
"""

from __future__ import annotations

import hashlib
import json
import re
import stat
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from builder.formats import ENTRIES, SUFFIXES
from builder.package import file_sha256, stamp
from builder.problems import Problem, display_path
from builder.single import EMBEDDED_ENTRY

ENTRY = "coursepack.json"  # the file inside each package that the library reads
ENTRY_SCHEMA = 1
PACKAGE_SUFFIXES = SUFFIXES  # the library lists files with the endings of the registered formats only
FIELDS = ("course", "version", "lang", "format", "title", "description", "main_lang")
EMBEDDED_WITHIN = 65536  # bytes: builder.single writes the entry second in <head>, well inside these
_EMBEDDED = re.compile(f'<script type="application/json" id="{EMBEDDED_ENTRY}">(.*?)</script>', re.DOTALL)
RECORD_SCHEMA = 1
MAX_ENTRY = 65536  # bytes of coursepack.json we read: ours are a few hundred
MAX_DIRECTORY = 16 << 20  # bytes of a zip's file list we agree to read: ours hold a few thousand names
MAX_RECORD = 64 << 20
_ZIP_ERRORS = (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, RuntimeError, EOFError, zlib.error,
               ValueError, OverflowError)  # what zipfile raises on damaged or unusual archives


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
    stamp: tuple[int, ...] = ()  # builder.package.stamp of the file when it was read


class NotAPackage(ValueError):
    """Why a file in the output folder is left out of the library."""


@dataclass(frozen=True)
class Known:
    """What the record (or this build) already knows of a file: its stamp then, its SHA-256, its entry."""

    stamp: tuple[int, ...]
    sha256: str
    entry: dict | None = None


def record_path(cache: Path, out: Path) -> Path:
    """Where the record of an output folder's packages is kept: in the cache (not beside the packages,
    whose folder holds only what learners get), one file per output folder."""
    key = hashlib.sha256(str(out.resolve()).encode("utf-8", "surrogateescape")).hexdigest()[:16]
    return cache / "library" / f"{key}.json"


def read_record(path: Path) -> dict[str, Known]:
    """What the last build recorded of each file; nothing when the record is missing or damaged."""
    try:
        if not stat.S_ISREG(path.lstat().st_mode) or path.lstat().st_size > MAX_RECORD:
            return {}
        data = json.loads(path.read_bytes())
        files = data["files"] if data.get("schema") == RECORD_SCHEMA else {}
        return {name: known for name, item in files.items() if (known := _known(item)) is not None}
    except (OSError, ValueError, TypeError, KeyError, AttributeError, RecursionError):
        return {}


def _known(item: object) -> Known | None:
    """One record item, if it is well formed (the record lives in a folder anyone may write to)."""
    if not isinstance(item, dict):
        return None
    key, sha, entry = item.get("stamp"), item.get("sha256"), item.get("entry")
    if not (isinstance(key, list) and len(key) == 4 and all(type(n) is int for n in key)
            and isinstance(sha, str) and re.fullmatch("[0-9a-f]{64}", sha)):
        return None
    try:
        _fields(entry)
    except ValueError:
        return None
    return Known(tuple(key), sha, entry)


def record_bytes(listed: list[Listed]) -> bytes:
    files = {item.file: {"stamp": list(item.stamp), "sha256": item.sha256,
                         "entry": {**{k: getattr(item, k) for k in FIELDS}, "languages": list(item.languages)}}
             for item in listed}
    return (json.dumps({"schema": RECORD_SCHEMA, "files": files}, indent=1, ensure_ascii=False) + "\n").encode()


def scan(out: Path, known: dict[str, Known] | None = None) -> tuple[list[Listed], list[Problem]]:
    """Every package in `out` (zips, single .html files, e-books, ZIMs), by file name, and a warning for each file that is
    not one; `index.html` is the library itself. `known` spares reading files whose stamp has not changed."""
    listed, left_out = [], []
    names = sorted(p for p in out.iterdir() if p.suffix in PACKAGE_SUFFIXES and p.name != "index.html"
                   and not p.name.startswith(".") and not p.is_dir())
    for path in names:
        try:
            listed.append(read_package(path, (known or {}).get(path.name)))
        except (ValueError, OSError) as e:
            reason = f"cannot read it: {e.strerror}" if isinstance(e, OSError) else str(e)
            left_out.append(Problem(display_path(path), 0, f"left out of the library: {reason}",
                                    "rebuild it with this coursepack, or move it out of the folder", warning=True))
    return listed, left_out


def _zip_entry(path: Path, name: str = ENTRY) -> object:
    """coursepack.json of a zip (at `name`: an e-book keeps it in META-INF), read with care: nothing else in
    the zip is decompressed, and an entry that is encrypted, oddly compressed or large is refused before it
    is read."""
    with path.open("rb") as f:
        try:
            _check_directory(f)
            with zipfile.ZipFile(f) as archive:
                info = archive.getinfo(name)
                _check_entry(info)
                with archive.open(info) as member:
                    data = member.read(MAX_ENTRY + 1)
        except KeyError:
            raise NotAPackage(f"it has no {ENTRY}, so it is not a coursepack package or predates the library") \
                from None
        except NotAPackage:
            raise
        except _ZIP_ERRORS as e:
            raise NotAPackage(f"a damaged zip file ({e})") from None
    if len(data) > MAX_ENTRY:
        raise NotAPackage(f"its {ENTRY} is over {MAX_ENTRY // 1024} KB, so it is not one coursepack wrote")
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise NotAPackage(f"its {ENTRY} is not valid JSON") from None


def _check_directory(f: BinaryIO) -> None:
    """Refuse a zip whose list of files is too large to read (zipfile would hold it all in memory)."""
    end = zipfile._EndRecData(f)  # the end record zipfile itself reads first; None when there is none
    if end is None:
        raise NotAPackage("not a zip file")
    if end[zipfile._ECD_SIZE] > MAX_DIRECTORY:
        raise NotAPackage(f"it lists too many files ({end[zipfile._ECD_ENTRIES_TOTAL]}) to be a coursepack package")


def _check_entry(info: zipfile.ZipInfo) -> None:
    if info.flag_bits & 0x1:
        raise NotAPackage(f"its {ENTRY} is encrypted, so it is not one coursepack wrote")
    if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED):
        raise NotAPackage(f"its {ENTRY} is compressed with an unusual method, so it is not one coursepack wrote")
    if info.file_size > MAX_ENTRY:
        raise NotAPackage(f"its {ENTRY} is over {MAX_ENTRY // 1024} KB, so it is not one coursepack wrote")


def _zim_entry(path: Path) -> object:
    """coursepack.json from a ZIM file's entry of that name, read with python-libzim (coursepack[zim])."""
    try:
        from libzim.reader import Archive
    except ImportError:
        raise NotAPackage("listing a .zim needs python-libzim: pip install 'coursepack[zim]'") from None
    try:
        item = Archive(path).get_entry_by_path(ENTRY).get_item()
        if item.size > MAX_ENTRY:
            raise NotAPackage(f"its {ENTRY} is over {MAX_ENTRY // 1024} KB, so it is not one coursepack wrote")
        data = bytes(item.content)
    except KeyError:
        raise NotAPackage(f"it has no {ENTRY}, so it is not a coursepack package") from None
    except RuntimeError as e:
        raise NotAPackage(f"a damaged ZIM file ({e})") from None
    try:
        return json.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise NotAPackage(f"its {ENTRY} is not valid JSON") from None


def _entry(path: Path) -> object:
    """What a package says of itself, wherever its format keeps it (the registry's `entry`)."""
    kind, _, inside = ENTRIES[path.suffix].partition(":")
    if kind == "html":
        return embedded_entry(path)
    if kind == "zim":
        return _zim_entry(path)
    return _zip_entry(path, inside)


def embedded_entry(path: Path) -> object:
    """What a single .html package carries instead of coursepack.json: a script in its head, found in its
    first bytes, so a library of large files is listed without reading them whole."""
    with path.open("rb") as f:
        head = f.read(EMBEDDED_WITHIN).decode("utf-8", errors="replace")
    match = _EMBEDDED.search(head)
    if match is None:
        raise NotAPackage(f"it has no <script id=\"{EMBEDDED_ENTRY}\">, so it is not a coursepack single-file "
                         "package")
    try:
        return json.loads(match[1])
    except json.JSONDecodeError:
        raise NotAPackage(f"its {EMBEDDED_ENTRY} script is not valid JSON") from None


def read_package(path: Path, known: Known | None = None) -> Listed:
    """A package's listing from its coursepack.json; ValueError says why a file is not a package.

    `known` (from the record or this build) is trusted only while the file's stamp is unchanged.
    """
    if not stat.S_ISREG(path.lstat().st_mode):
        raise NotAPackage("it is a link or a special file, not a package")
    try:
        path.name.encode("utf-8")
    except UnicodeEncodeError:  # bytes no UTF-8 decoder accepted: the page and catalogue cannot name it
        raise NotAPackage("its name is not UTF-8 text, so the library could not link it") from None
    key = stamp(path)
    if known is None or known.stamp != key:
        known = Known(key, "", None)
    entry = known.entry if known.entry is not None else _entry(path)
    fields, languages = _fields(entry)
    return Listed(path.name, key[0], known.sha256 or file_sha256(path), **fields, languages=languages, stamp=key)


def _fields(entry: object) -> tuple[dict[str, str], tuple[str, ...]]:
    """The listing fields of a coursepack.json, checked; ValueError when one is missing or not text."""
    if not isinstance(entry, dict) or not all(isinstance(entry.get(k), str) for k in FIELDS):
        raise NotAPackage(f"its {ENTRY} lacks one of: {', '.join(FIELDS)}")
    languages = entry.get("languages", [entry["lang"]])
    if not isinstance(languages, list) or not languages or not all(isinstance(x, str) for x in languages):
        raise NotAPackage(f"its {ENTRY} has 'languages' that are not a list of language codes")
    return {k: entry[k] for k in FIELDS}, tuple(languages)
