"""Course files as packages carry them: images optimised, identical contents stored once, work cached on disk.

`Media` prepares each file once per build (and, with its cache folder, once for as long as the file,
the settings and Pillow stay the same); `pack_page` puts a page's files on the `Shelf` of its
package and rewrites the page's references to match.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

import lxml.html

from builder import images, pnghead
from builder.images import BadImage, ImageSettings, Optimised
from builder.limits import role_of
from builder.offline_check import check_css
from builder.package import file_sha256, write_cache_entry
from builder.problems import Problems
from builder.refs import LINK_ATTRS, LOAD_ATTRS, CourseFile, rewrite_css
from builder.safefiles import RealPaths, Refused, check_course_file, decode_text, read_course_file
from builder.urls import split_srcset

CACHE_FOLDER = ".coursepack-cache"
CACHE_SUFFIX = ".img"  # an optimised image: a line of JSON (what it is), then its bytes
_BECOMES = {".png": {".png", ".jpg"}}  # what optimising may turn a kind of image into; others stay as they are
_MAGIC = {".png": b"\x89PNG\r\n\x1a\n", ".jpg": b"\xff\xd8\xff", ".jpeg": b"\xff\xd8\xff"}
IMAGE_SUFFIXES = images.OPTIMISED | images.MEASURED | {".svg"}


@dataclass(frozen=True)
class Prepared:
    """A course file ready for packages: its bytes (None: the source file as it is), kind and size."""

    data: bytes | None
    suffix: str
    sha256: str
    width: int | None = None
    height: int | None = None


def default_cache(root: Path) -> Path:
    """Beside the course folders (`courses/.coursepack-cache`), so every course there shares it."""
    return root.resolve().parent / CACHE_FOLDER


class Media:
    """Reads, checks and optimises the files of one course; results are kept in memory and in `cache`."""

    def __init__(self, settings: ImageSettings, cache: Path | None = None, *, root: Path) -> None:
        self.settings, self.cache, self.root = settings, cache, root  # files are read only inside `root`
        self._prepared: dict[Path, Prepared | None] = {}
        self._real_paths = RealPaths()  # one build of one course: its folders resolved once

    def prepare(self, source: Path, problems: Problems) -> Prepared | None:
        """The packaged form of a file, or None when it cannot be packaged (the problem is recorded)."""
        if source not in self._prepared:
            self._prepared[source] = self._prepare(source, problems)
        return self._prepared[source]

    def _prepare(self, source: Path, problems: Problems) -> Prepared | None:
        suffix, role = source.suffix.lower(), role_of(source.suffix)
        try:
            if role.text or suffix in IMAGE_SUFFIXES:
                data = read_course_file(self.root, source, role, self._real_paths)
            else:  # audio, video and other files can be large: checked here, hashed in blocks
                check_course_file(self.root, source, role, self._real_paths)
                return Prepared(None, suffix, file_sha256(source))
        except Refused as e:
            problems.error(source, 0, e.message, e.hint)
            return None
        if role.text and not _check_text(data, source, problems):
            return None
        if suffix not in IMAGE_SUFFIXES:
            return Prepared(None, suffix, hashlib.sha256(data).hexdigest())
        digest = hashlib.sha256(data).hexdigest()
        key = self._key(digest, suffix)
        result = self._load(key)
        if result is not None and not _trusted(result, suffix, data):
            result = None  # an entry someone else wrote: do the work again, and store the true result
        if result is None:
            try:
                result = _optimise(data, suffix, self.settings)
            except BadImage as e:
                problems.error(source, e.line, e.message, e.hint)
                return None
            self._store(key, result)
        packaged = hashlib.sha256(result.data).hexdigest() if result.data is not None else digest
        return Prepared(result.data, result.suffix, packaged, result.width, result.height)

    def _key(self, digest: str, suffix: str) -> str:
        """Everything the result depends on: the bytes, the kind, the settings, and the code doing the work."""
        settings = [self.settings.max_width, self.settings.quality, self.settings.lossy]
        return hashlib.sha256(json.dumps([digest, suffix, settings, images.RECIPE]).encode()).hexdigest()

    def _load(self, key: str) -> Optimised | None:
        if self.cache is None:
            return None
        try:
            head, _, data = (self.cache / key[:2] / f"{key}{CACHE_SUFFIX}").read_bytes().partition(b"\n")
            meta = json.loads(head)
            return Optimised(data if meta["optimised"] else None, meta["suffix"], meta["width"], meta["height"])
        except (OSError, ValueError, KeyError, TypeError):
            return None  # not cached yet, or an entry from elsewhere: do the work again

    def _store(self, key: str, result: Optimised) -> None:
        """One file per image, a line of JSON then the bytes, written the cheap way (a cold build writes
        thousands: a random temp file each cost about as much as optimising a small PNG)."""
        if self.cache is None:
            return
        meta = {"optimised": result.data is not None, "suffix": result.suffix, "width": result.width,
                "height": result.height}
        try:
            write_cache_entry(self.cache / key[:2] / f"{key}{CACHE_SUFFIX}",
                              json.dumps(meta, sort_keys=True).encode() + b"\n" + (result.data or b""))
        except OSError:
            pass  # a cache that cannot be written (read-only share, full disk) only costs time next build


def _trusted(result: Optimised, suffix: str, source: bytes) -> bool:
    """Whether a cache entry may be packaged. The cache folder may come from anyone (a shared repository, a
    restored CI cache), so an entry may not give the file another kind (an image.svg, a page.html), an SVG
    is checked again (a script in one runs when a learner opens it) and other bytes must be of their kind.
    A raster entry may still show another picture: proving it is the source's would cost the work itself."""
    sizes = all(v is None or (type(v) is int and v > 0) for v in (result.width, result.height))
    if result.suffix not in _BECOMES.get(suffix, {suffix}) or not sizes:
        return False
    if suffix == ".svg":
        try:
            images.checked_svg(result.data if result.data is not None else source)
        except BadImage:
            return False
        return True
    magic = _MAGIC.get(result.suffix)
    return result.data is None or (magic is not None and result.data.startswith(magic))


def _optimise(data: bytes, suffix: str, settings: ImageSettings) -> Optimised:
    if suffix == ".svg":
        return images.optimise_svg(data)
    if suffix == ".png" and (size := pnghead.cannot_shrink(data, settings.max_width)):
        return Optimised(None, suffix, *size)  # already as small as Pillow would make it: not even opened
    from builder import raster  # Pillow: only for an image the cache does not have

    if suffix in images.MEASURED:
        return raster.measure(data, suffix)
    return raster.optimise(data, suffix, settings)


def _check_text(data: bytes, source: Path, problems: Problems) -> bool:
    """Stylesheets, scripts and captions must be UTF-8 (the single file reads them as such); a stylesheet
    may not load anything from the internet either (read by tinycss2)."""
    text = decode_text(data, source, problems)
    if text is None:
        return False
    if source.suffix.lower() == ".css":
        for finding in check_css(text, None):
            problems.error(source, finding.line, finding.message, finding.hint)
    return True


# --- one package's files -------------------------------------------------------------------------

@dataclass
class Shelf:
    """The course files of one package: each content shown in pages once, under the first name it was given."""

    by_content: dict[str, CourseFile] = field(default_factory=dict)
    sizes: dict[str, tuple[int | None, int | None]] = field(default_factory=dict)  # target -> width, height


def pack_page(root: lxml.html.HtmlElement, files: list[CourseFile], media: Media, shelf: Shelf,
              problems: Problems) -> list[CourseFile]:
    """Prepare a page's files, keep each content once, rewrite the page to match, and size its images.

    A file the page links to (`<a href>`) is what the learner downloads and saves under its name:
    it always keeps its own, even when another file has the same bytes (a 'notes.txt' link never
    downloads 'data.csv'). Only what pages load (images, media, captions) shares one stored copy.
    """
    packed, renames, linked = [], {}, _linked(root)
    for file in dict.fromkeys(files):
        prepared = media.prepare(file.source, problems)
        if prepared is None:
            packed.append(file)
            continue
        own = CourseFile(file.source, _target(file, prepared.suffix), prepared.data)
        kept = shelf.by_content.setdefault(prepared.sha256, own)
        if file.target in linked:
            kept = own
        shelf.sizes.setdefault(kept.target, (prepared.width, prepared.height))
        if kept.target != file.target:
            renames[file.target] = kept.target
        packed.append(kept)
    if renames:
        _rename(root, renames)
    _size_images(root, shelf.sizes)
    return list(dict.fromkeys(packed))


def _linked(root: lxml.html.HtmlElement) -> set[str]:
    """The files the page's links lead to (resolved package paths, without #fragment)."""
    return {(element.get(attr) or "").partition("#")[0] for element in root.iter(*LINK_ATTRS)
            for attr in LINK_ATTRS[element.tag]}


def _target(file: CourseFile, suffix: str) -> str:
    """The file's name in the package; a PNG that became a JPEG ends in .jpg (-png.jpg if that name is taken)."""
    old = file.source.suffix
    if suffix == old.lower():
        return file.target
    stem = file.target[: len(file.target) - len(old)]
    beside = file.source.with_suffix(suffix).name.casefold()  # Photo.jpg would be photo.jpg on Windows and macOS
    taken = any(p.name.casefold() == beside for p in file.source.parent.iterdir())
    return f"{stem}-png{suffix}" if taken else stem + suffix


def _rename(root: lxml.html.HtmlElement, renames: dict[str, str]) -> None:
    """Point every reference (attributes, srcset, CSS url()) at the file's name in the package."""
    def one(url: str) -> str:
        path, hash_, fragment = url.partition("#")
        return renames.get(path, path) + hash_ + fragment

    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        for attr in LINK_ATTRS.get(element.tag, ()) + LOAD_ATTRS.get(element.tag, ()):
            value = element.get(attr)
            if value and attr == "srcset":
                element.set(attr, ", ".join(one(url) + d for url, d in split_srcset(value)))
            elif value:
                element.set(attr, one(value))
        if element.get("style"):
            element.set("style", rewrite_css(element.get("style"), one))
        if element.tag == "style" and element.text:
            element.text = rewrite_css(element.text, one)


def _size_images(root: lxml.html.HtmlElement, sizes: dict[str, tuple[int | None, int | None]]) -> None:
    """width and height, so the page does not jump as images arrive; lazy loading below the first image."""
    for number, img in enumerate(root.iter("img")):
        width, height = sizes.get((img.get("src") or "").partition("#")[0], (None, None))
        if width and height and img.get("width") is None and img.get("height") is None:
            img.set("width", str(width))
            img.set("height", str(height))
        if number and img.get("loading") is None:  # the first image is likely in view at once
            img.set("loading", "lazy")
