"""The single-file format: a course in one language as one self-contained .html file.

For learners who are sent a course through a messaging app or by e-mail: one file that opens in any
browser, with nothing to unzip and nothing else to fetch. The pages the other formats carry are
rendered as usual and put together here: the home page's header, menu and footer around one
`<section data-cp-page>` per page (home, each module, My progress). The course title is the one h1;
every other page's headings move one level down, so a module's title is an h2. Links between pages
become links inside the document, ids the pages share get a prefix, and the stylesheet, runtime,
course model, images and small files are inlined (`data:` URIs and inline `<style>`/`<script>`).
Audio, video and other files bigger than `max_inline` are left out, with a note in their place.
With JavaScript off the file reads as one long document; with it, the file's own script
(templates/single.js) shows one section at a time, and coursepack.js keeps progress in localStorage
as in the offline package (docs/tracking.md).
"""

from __future__ import annotations

import base64
import hashlib
import json
import posixpath
import re
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

import lxml.html
from lxml.html import HtmlElement

from builder.assets import minify
from builder.docids import ids_in, relink, section_id, unique_ids
from builder.formats import MAX_INLINE
from builder.locale import Strings, fill, strings
from builder.package import Entry
from builder.problems import Problems
from builder.refs import LOAD_ATTRS, rewrite_css
from builder.render import HOME, PRINT, PROGRESS, Site, environment, file_text
from builder.sizes import human_size
from builder.trees import demote_headings, remove_keeping_tail
from builder.urls import split_srcset

LEFT_OUT_PAGES = (PRINT,)  # the whole course on one page: without JavaScript, the single file is that already
SHIM = "single.js"  # the template showing one page at a time; only the single file carries it
EMBEDDED_ENTRY = "coursepack-package"  # id of the <script> holding what coursepack.json holds in a zip
# Fixed here rather than read from the system's MIME table, so every machine writes the same bytes.
MIME = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg",
        ".gif": "image/gif", ".webp": "image/webp", ".avif": "image/avif", ".bmp": "image/bmp",
        ".ico": "image/x-icon", ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".aac": "audio/aac",
        ".ogg": "audio/ogg", ".oga": "audio/ogg", ".opus": "audio/ogg", ".wav": "audio/wav",
        ".flac": "audio/flac", ".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm",
        ".ogv": "video/ogg", ".mov": "video/quicktime", ".vtt": "text/vtt", ".css": "text/css",
        ".js": "text/javascript", ".json": "application/json", ".txt": "text/plain", ".csv": "text/csv",
        ".html": "text/html", ".htm": "text/html", ".pdf": "application/pdf", ".woff": "font/woff",
        ".woff2": "font/woff2", ".ttf": "font/ttf", ".otf": "font/otf"}
_CLOSE_TAG = {"script": re.compile(r"<(/script|!--)", re.IGNORECASE),
              "style": re.compile(r"<(/style)", re.IGNORECASE)}


@dataclass(frozen=True)
class SingleFile:
    """The finished document, and every file it carries inside (size, and what it takes inlined)."""

    data: bytes
    entries: tuple[Entry, ...]


def single_file(site: Site, entry: bytes, problems: Problems, max_inline: int = MAX_INLINE) -> SingleFile | None:
    """Every page of `site` in one document, with `entry` (coursepack.json) in its head; None after an error."""
    names = [name for name in site.pages if name not in LEFT_OUT_PAGES]
    docs = {name: lxml.html.document_fromstring(file_text(site.files[name])) for name in names}
    mains = {name: doc.find(".//main") for name, doc in docs.items()}
    missing = [name for name, main in mains.items() if main is None] or ([] if HOME in docs else [HOME])
    if missing:
        problems.error(site.course.config, 0, f"the single-file package needs a <main> on every page, and "
                       f"{', '.join(missing)} has none", "keep the <main> of base.html in your own templates")
        return None
    doc = docs[HOME]
    sections = {name: _section(name, docs[name], mains[name]) for name in names}
    title = _frame(doc, mains[HOME], sections)
    # My progress first, then home, then the modules: the ids coursepack.js looks for on My progress never change
    order = sorted(sections, key=lambda name: (name != PROGRESS, name != HOME))
    renames = unique_ids(ids_in(doc), {name: sections[name] for name in order})
    for name, section in sections.items():
        relink(section, name, renames)
    relink(doc, HOME, renames, outside=True)
    main = doc.find(".//main")
    if title is not None:
        main.append(title)
    main.extend(sections.values())
    drop_links(doc, set(site.pages) - set(names))
    inliner = Inliner(site, max_inline)
    inliner.document(doc)
    inliner.shim(doc, _shim(site))
    _embed_entry(doc, entry)
    html = lxml.html.tostring(doc, encoding="unicode", doctype="<!doctype html>")
    return SingleFile((html + "\n").encode("utf-8"), inliner.entries())


# --- pages into sections ------------------------------------------------------------------------

def _section(name: str, doc: HtmlElement, main: HtmlElement) -> HtmlElement:
    """The content of a page's <main> (without the resume offer) as its section; headings demoted but home's."""
    section = lxml.html.Element("section", {"id": section_id(name), "class": "cp-page", "data-cp-page": name,
                                            "data-cp-title": (doc.findtext(".//title") or "").strip()})
    section.text, section.tail = main.text, "\n"
    for child in list(main):
        if "cp-resume" not in (child.get("class") or "").split():
            section.append(child)  # moves it, with its tail
    if name != HOME:
        demote_headings(section)
    return section


def _frame(doc: HtmlElement, main: HtmlElement, sections: dict[str, HtmlElement]) -> HtmlElement | None:
    """Keep the home page's header, menu, footer and resume offer; lift its h1 out: the document's title."""
    for child in list(main):
        if "cp-resume" not in (child.get("class") or "").split():
            main.remove(child)
    main.text = "\n"
    body = doc.find("body")
    body.set("class", "page-single")
    for link in doc.iter("a"):
        link.attrib.pop("aria-current", None)  # one long document: single.js marks the page shown
    title = next(sections[HOME].iter("h1"), None)
    if title is not None:
        remove_keeping_tail(title)
        title.tail = "\n"
    return title


def drop_links(doc: HtmlElement, pages: set[str]) -> None:
    """Links to pages the file leaves out go, and a paragraph holding nothing but such a link with them."""
    for link in [a for a in doc.iter("a") if unquote(urlsplit(a.get("href") or "").path) in pages]:
        parent = link.getparent()
        if parent.tag == "p" and len(parent) == 1 and not (parent.text or "").strip() \
                and not (link.tail or "").strip():
            parent.drop_tree()
        else:
            link.drop_tag()


def _shim(site: Site) -> bytes:
    """single.js, course-first like every template, minified as shipped assets are."""
    env = environment(site.course)
    source, _, _ = env.loader.get_source(env, SHIM)
    return minify(source.encode("utf-8"), ".js")


def _embed_entry(doc: HtmlElement, entry: bytes) -> None:
    """coursepack.json's data as the head's second element, where the library finds it without parsing it all."""
    data = json.dumps(json.loads(entry), ensure_ascii=False, separators=(",", ":")).replace("<", "\\u003c")
    script = lxml.html.Element("script", {"type": "application/json", "id": EMBEDDED_ENTRY})
    script.text = data
    script.tail = "\n"
    head = doc.find("head")
    charset = next((i for i, e in enumerate(head) if e.tag == "meta" and e.get("charset")), -1)
    head.insert(charset + 1, script)


# --- files into the document ----------------------------------------------------------------------

class Inliner:
    """Puts a site's files inside the document; records what each takes, and leaves big media out."""

    def __init__(self, site: Site, max_inline: int) -> None:
        self.files, self.pages, self.max_inline = site.files, set(site.pages), max_inline
        self.t = strings(site.course, site.lang)
        self.used: dict[str, int] = {}  # path -> characters it takes in the document
        self._data: dict[str, bytes] = {}
        self._uris: dict[str, str] = {}

    def document(self, doc: HtmlElement) -> None:
        """Leave out what is too big, then inline every file the document still refers to."""
        for media in [e for e in doc.iter("audio", "video")]:
            self._media(media)
        for element in [e for e in doc.iter() if isinstance(e.tag, str)]:
            if element.tag == "script" and element.get("src"):
                self._script(element)
            elif element.tag == "link" and "stylesheet" in (element.get("rel") or "").lower().split():
                self._stylesheet(element)
            elif element.tag in ("a", "area", "iframe", "embed", "object"):
                self._linked(element)
            else:
                self._loaded(element)
            if element.get("style"):
                element.set("style", self._css(element.get("style"), ""))
            if element.tag == "style" and element.text:
                element.text = self._safe(self._css(element.text, ""), "style")

    def shim(self, doc: HtmlElement, data: bytes) -> None:
        """single.js as the body's first script, so coursepack.js finds the page to show already shown."""
        script = lxml.html.Element("script")
        script.text = self._safe(data.decode("utf-8"), "script")
        script.tail = "\n"
        body = doc.find("body")
        first = next(body.iter("script"), None)
        if first is None:
            body.append(script)
        else:
            first.addprevious(script)
        self._data[SHIM] = data
        self.used[SHIM] = len(script.text.encode("utf-8"))

    def entries(self) -> tuple[Entry, ...]:
        """Each file inlined: its own size and SHA-256, and the characters it takes in the document."""
        return tuple(Entry(path, len(self._data[path]), used, hashlib.sha256(self._data[path]).hexdigest())
                     for path, used in sorted(self.used.items()))

    # what an element refers to

    def _media(self, media: HtmlElement) -> None:
        """Audio or video too big to carry: a note says where it is, in the player's place."""
        paths = [p for p in (self._path(media.get("src")), *(self._path(s.get("src")) for s in media.iter("source")))
                 if p]
        size = sum(len(self._read(p)) for p in dict.fromkeys(paths))
        if not paths or all(len(self._read(p)) <= self.max_inline for p in paths):
            return
        tag = "span" if media.getparent().tag in ("p", "a", "span", "label") else "p"
        note = lxml.html.Element(tag, {"class": "cp-left-out"})
        note.text = fill(self.t[f"single_left_out_{media.tag}"], size=self._size(size))
        note.tail = media.tail
        media.getparent().replace(media, note)

    def _linked(self, element: HtmlElement) -> None:
        """A linked or embedded file: inlined up to the limit (links then download it), else a note."""
        attr = "data" if element.tag == "object" else "href" if element.tag in ("a", "area") else "src"
        path = self._path(element.get(attr))
        if path is None:
            return
        size = len(self._read(path))
        if size <= self.max_inline:
            element.set(attr, self._uri(path, element.get(attr)))
            if element.tag in ("a", "area") and element.get("download") is None:
                element.set("download", posixpath.basename(path))  # browsers will not open a data: page
            return
        note = fill(self.t["single_left_out_file"], size=self._size(size))
        if element.tag in ("a", "area"):
            element.tag = "span"
            for name in list(element.attrib):
                del element.attrib[name]
            element.set("class", "cp-left-out")
            last = element[-1] if len(element) else None
            if last is not None:
                last.tail = (last.tail or "") + " " + note
            else:
                element.text = (element.text or "") + " " + note
        else:
            replacement = lxml.html.Element("span", {"class": "cp-left-out"})
            replacement.text = note
            replacement.tail = element.tail
            element.getparent().replace(element, replacement)

    def _loaded(self, element: HtmlElement) -> None:
        """Images, posters, captions and the like: always inlined (images are optimised already)."""
        for attr in LOAD_ATTRS.get(element.tag, ()):
            value = element.get(attr)
            if not value:
                continue
            if attr == "srcset":
                element.set(attr, ", ".join((self._uri(p, url) if (p := self._path(url)) else url) + descriptor
                                            for url, descriptor in split_srcset(value)))
            elif (path := self._path(value)) is not None:
                element.set(attr, self._uri(path, value))

    def _script(self, element: HtmlElement) -> None:
        path = self._path(element.get("src"))
        if path is None:
            return
        del element.attrib["src"]
        element.text = self._safe(self._read(path).decode("utf-8"), "script")
        self.used[path] = self.used.get(path, 0) + len(element.text.encode("utf-8"))

    def _stylesheet(self, element: HtmlElement) -> None:
        path = self._path(element.get("href"))
        if path is None:
            return
        style = lxml.html.Element("style")
        style.text = self._safe(self._css(self._read(path).decode("utf-8"), posixpath.dirname(path)), "style")
        style.tail = element.tail
        self.used[path] = self.used.get(path, 0) + len(style.text.encode("utf-8"))
        element.getparent().replace(element, style)

    def _css(self, css: str, folder: str) -> str:
        """CSS whose url(…) files are inlined; `folder` is where the CSS sits in the package."""
        def one(url: str) -> str:
            path = self._path(url, folder)
            return self._uri(path, url) if path else url
        return rewrite_css(css, one)

    # files

    def _path(self, url: str | None, folder: str = "") -> str | None:
        """The package path of a file a URL names, or None for pages, anchors, data: and the web."""
        if not url:
            return None
        parts = urlsplit(url.strip())
        if parts.scheme or parts.netloc or not parts.path:
            return None
        path = posixpath.normpath(posixpath.join(folder, unquote(parts.path)))
        return path if path in self.files and path not in self.pages else None

    def _read(self, path: str) -> bytes:
        if path not in self._data:
            content = self.files[path]
            self._data[path] = content if isinstance(content, bytes) else content.read_bytes()
        return self._data[path]

    def _uri(self, path: str, url: str) -> str:
        """The file as a data: URI, keeping a #fragment."""
        if path not in self._uris:
            self._uris[path] = data_uri(self._read(path), MIME.get(posixpath.splitext(path)[1].lower(),
                                                                   "application/octet-stream"))
        uri = self._uris[path]
        self.used[path] = self.used.get(path, 0) + len(uri)
        fragment = urlsplit(url.strip()).fragment
        return f"{uri}#{fragment}" if fragment else uri

    def _size(self, size: int) -> str:
        return local_size(size, self.t)

    @staticmethod
    def _safe(text: str, tag: str) -> str:
        """Script or style text that cannot end its element early: `</script` becomes `<\\/script`."""
        return _CLOSE_TAG[tag].sub(lambda m: "<\\" + m[1], text)


def local_size(size: int, t: Strings) -> str:
    """'1.5 MB' with the language's decimal separator: '1,5 MB' in Spanish."""
    number, _, unit = human_size(size).partition(" ")
    return f"{number.replace('.', t['decimal_separator'])} {unit}"


def data_uri(data: bytes, mime: str) -> str:
    """A base64 data: URI.

    Base64 for SVG and other text too: percent-encoding it safely (quotes, brackets, spaces and '#'
    encoded, so that the URI cannot end an attribute, a srcset or an unquoted url()) comes out as long
    or longer, and base64 holds nothing a browser or an HTML parser could read as markup.
    """
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
