"""EPUB 3: a course in one language as a reflowable e-book, for e-readers and phone reading apps.

Made from the rendered offline site: the home page becomes the title page, each module a chapter.
A book runs no scripts, so knowledge checks and graded quizzes become static questions whose
answers (with their feedback) sit in an Answers chapter at the end, linked both ways; surveys,
which exist to send answers to the programme, are left out. Links to the printable page and
My progress go, links to files a reader cannot open (PDF, spreadsheets) keep only their text,
and media that are not EPUB core media types are left out with their fallback text.
The zip is deterministic: `mimetype` first and stored, fixed times, sorted entries.
"""

from __future__ import annotations

import posixpath
import subprocess
import uuid
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from builder.formats import Request
from builder.formats.base import OneFile, module_pages, parse_page, release_time
from builder.locale import TEMPLATES, Strings, fill, strings
from builder.package import STORED_SUFFIXES, Entry
from builder.problems import Problems
from builder.refs import LOAD_ATTRS
from builder.render import HOME, Site, file_bytes, text_dir
from builder.scan import ENTRY
from builder.single import drop_links, local_size
from builder.tabs import tabs_in_a_row
from builder.trees import remove_keeping_tail
from builder.zips import DEFLATED, STORED, HashingWriter, Store, write_zip

EPUB = "epub"
XHTML_NS = "http://www.w3.org/1999/xhtml"
OPS_NS = "http://www.idpf.org/2007/ops"
OPF_NS = "http://www.idpf.org/2007/opf"
DC_NS = "http://purl.org/dc/elements/1.1/"
CONTAINER_NS = "urn:oasis:names:tc:opendocument:xmlns:container"
OEBPS = "EPUB/"  # every publication file sits in this folder; the zip root holds only mimetype and META-INF
STYLESHEET = "assets/epub.css"
NAV, ANSWERS = "nav.xhtml", "answers.xhtml"
# EPUB 3.2 core media types: reading systems must show these, so they need no fallback.
CORE = {".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg", ".gif": "image/gif",
        ".svg": "image/svg+xml", ".mp3": "audio/mpeg", ".m4a": "audio/mp4", ".aac": "audio/mp4",
        ".css": "text/css", ".woff": "font/woff", ".woff2": "font/woff2", ".ttf": "font/ttf",
        ".otf": "font/otf", ".vtt": "text/vtt"}
VIDEO = {".mp4": "video/mp4", ".m4v": "video/mp4", ".webm": "video/webm"}  # video needs no fallback in 3.2
GONE = ("script", "noscript", "button", "input", "textarea", "select")  # nothing runs in the book
ACCESSIBILITY_SUMMARY = ("Every image has a text alternative or is marked decorative; headings, a table of "
                         "contents and the reading order follow the course; questions are plain text with "
                         "their answers in a chapter at the end. No scripting is needed.")


@dataclass
class Chapter:
    """One XHTML document of the book, made from one page or built here."""

    name: str
    title: str
    kind: str  # epub:type of its section: titlepage, chapter or backmatter
    main: HtmlElement  # the content, as rendered and cleaned


def make(request: Request, problems: Problems) -> OneFile | None:
    """The registry's entry point: the site and its coursepack.json as one file."""
    return epub_file(request.site, request.entry, problems)


def epub_file(site: Site, entry: bytes, problems: Problems) -> OneFile | None:
    """The course in `site` (one language, pages at the package root) as an EPUB 3 book, carrying `entry`
    (the library's coursepack.json) in META-INF, where reading systems leave other files alone.
    None, with an error, when a page (from the course's own templates) has no <main>."""
    t = strings(site.course, site.lang)
    pages = [HOME, *module_pages(site)]
    names = {page: posixpath.splitext(page)[0] + ".xhtml" for page in pages}
    mains = {page: parse_page(site, page).find(".//main") for page in pages}
    missing = [page for page, main in mains.items() if main is None]
    if missing:
        problems.error(site.course.config, 0, f"the epub package needs a <main> on every page, and "
                       f"{', '.join(missing)} has none", "keep the <main> of base.html in your own templates")
        return None
    resources: dict[str, str] = {}  # package path -> media type
    answers: list[HtmlElement] = []
    chapters = []
    for page, main in mains.items():
        drop_links(main, set(site.pages) - set(pages))
        heading = main.find(".//h1")
        title = heading.text_content() if heading is not None else site.title
        for quiz in _quizzes(main):
            _static_quiz(quiz, names[page], answers)
        _clean(main, site, names, resources, t)
        chapters.append(Chapter(names[page], title.strip(), "titlepage" if page == HOME else "chapter", main))
    if answers:
        chapters.append(_answers_chapter(answers, _heading(t["quiz_key_answers"])))
    _drop_dead_links(chapters)
    files = {OEBPS + c.name: _xhtml(c, site) for c in chapters}
    files[OEBPS + NAV] = _nav(chapters, site, t["nav_label"])
    files[OEBPS + STYLESHEET] = (TEMPLATES / "formats" / "epub.css").read_bytes()
    for path in resources:
        files[OEBPS + path] = file_bytes(site.files[path])
    files[OEBPS + "package.opf"] = _package(site, chapters, resources)
    return _zip(files, entry)


def _heading(label: str) -> str:
    """'Answers:' -> 'Answers': the answer key's label, as a chapter title."""
    return label.strip().rstrip(":：").strip()


# --- pages into chapters ------------------------------------------------------------------------

def _quizzes(main: HtmlElement) -> list[HtmlElement]:
    return main.xpath('.//section[contains(concat(" ", normalize-space(@class), " "), " cp-quiz ")]')


def _static_quiz(quiz: HtmlElement, chapter: str, answers: list[HtmlElement]) -> None:
    """A quiz as plain questions; its answer key moves to the Answers chapter, a link in its place.

    A survey goes altogether: its questions only make sense when the answers can be sent.
    """
    if "cp-survey" in (quiz.get("class") or "").split():
        remove_keeping_tail(quiz)
        return
    for element in quiz.xpath('.//div[@class="cp-actions" or @class="cp-result" or @class="cp-feedback"]'):
        remove_keeping_tail(element)
    for element in quiz.iter("form", "fieldset", "legend", "label"):
        element.tag = _STATIC[element.tag]
    for element in quiz.xpath(".//*[@novalidate or @for]"):
        element.attrib.pop("novalidate", None)
        element.attrib.pop("for", None)
    key = quiz.find('.//details[@class="cp-answers"]')
    if key is None:
        return
    anchor = f"answers-{quiz.get('id')}"
    title = quiz.find(".//h2")
    entry = lxml.html.Element("section", {"id": anchor})
    heading = etree.SubElement(etree.SubElement(entry, "h2"), "a", href=f"{chapter}#{quiz.get('id')}")
    heading.text = title.text_content() if title is not None else quiz.get("id")
    entry.extend(key.findall("ol"))
    answers.append(entry)
    link = lxml.html.Element("p", {"class": "cp-answers-link"})
    etree.SubElement(link, "a", href=f"{ANSWERS}#{anchor}").text = (key.findtext("summary") or "").strip()
    link.tail = key.tail
    key.getparent().replace(key, link)


_STATIC = {"form": "div", "fieldset": "div", "legend": "p", "label": "span"}


def _clean(main: HtmlElement, site: Site, names: dict[str, str], resources: dict[str, str], t: Strings) -> None:
    """Leave out what a book cannot run or hold; point links at chapters and collect the files shown."""
    for element in main.xpath('.//*[contains(concat(" ", @class, " "), " cp-resume ")]|.//nav[@class="pager"]'
                              '|.//div[@class="cp-finish"]'):
        remove_keeping_tail(element)
    tabs_in_a_row(main)
    for element in [e for e in main.iter(*GONE)]:
        remove_keeping_tail(element)
    for element in [e for e in main.iter() if isinstance(e.tag, str)]:
        for attr in [a for a in element.attrib if a.startswith("on") or a == "hidden" and element.tag != "img"]:
            del element.attrib[attr]
        if element.tag in ("a", "area") and element.get("href") is not None:
            _link(element, site, names, t)
        elif element.tag in LOAD_ATTRS:
            _load(element, site, resources, t)


def _link(element: HtmlElement, site: Site, names: dict[str, str], t: Strings) -> None:
    """A link to a page goes to its chapter; a link to a file the book cannot show keeps only its text,
    with the note the single file gives (the file is in the full course package)."""
    parts = urlsplit(element.get("href"))
    if parts.scheme or parts.netloc or not parts.path:
        return
    path = unquote(parts.path)
    if path in names:
        element.set("href", names[path] + (f"#{parts.fragment}" if parts.fragment else ""))
    elif path in site.files:
        note = fill(t["single_left_out_file"], size=local_size(_size(site, path), t))
        element.tail = f" {note}{element.tail or ''}"
        element.drop_tag()


def _load(element: HtmlElement, site: Site, resources: dict[str, str], t: Strings) -> None:
    """Files an element shows go into the book; an element whose file a reader need not play goes."""
    element.attrib.pop("srcset", None)  # src stays: one file per image is enough for a reflowable book
    for attr in LOAD_ATTRS[element.tag]:
        value = element.get(attr)
        path = posixpath.normpath(unquote(urlsplit(value).path)) if value and not urlsplit(value).scheme else None
        if path not in site.files:
            continue
        suffix = posixpath.splitext(path)[1].lower()
        media = CORE.get(suffix) or (VIDEO.get(suffix) if element.tag in ("video", "source") else None)
        if media is None:
            _leave_out(element, t, local_size(_size(site, path), t))
            return
        resources[path] = media


def _leave_out(element: HtmlElement, t: Strings, size: str) -> None:
    """An image becomes its alt text; audio or video a note saying where it is; a <source> just goes."""
    if element.tag in ("img", "audio", "video"):
        inline = element.tag == "img" or element.getparent().tag in ("p", "a", "span", "label")
        span = lxml.html.Element("span" if inline else "p", {"class": "cp-left-out"})
        span.text = element.get("alt") or "" if element.tag == "img" else \
            fill(t[f"single_left_out_{element.tag}"], size=size)
        span.tail = element.tail
        element.getparent().replace(element, span)
    else:
        remove_keeping_tail(element)


def _size(site: Site, path: str) -> int:
    content = site.files[path]
    return len(content) if isinstance(content, bytes) else content.stat().st_size


def _section(main: HtmlElement, kind: str) -> etree._Element:
    """`main`'s content as an XHTML <section epub:type=…>: serialised as XML and read back in the namespace."""
    inner = _escape(main.text or "") + "".join(etree.tostring(child, method="xml", encoding="unicode")
                                               for child in main)
    return etree.fromstring(f'<section xmlns="{XHTML_NS}" xmlns:epub="{OPS_NS}" epub:type="{kind}">'
                            f"{inner}</section>")


def _drop_dead_links(chapters: list[Chapter]) -> None:
    """Links to a place the book left out (a survey) go; a contents entry holding only such a link with them."""
    ids = {c.name: {e.get("id") for e in c.main.iter() if isinstance(e.tag, str) and e.get("id")} for c in chapters}
    for chapter in chapters:
        for link in list(chapter.main.iter("a")):
            parts = urlsplit(link.get("href") or "")
            target = unquote(parts.path) or chapter.name
            if parts.scheme or not parts.fragment or target not in ids or parts.fragment in ids[target]:
                continue
            item = link.getparent()
            if item.tag == "li" and len(item) == 1 and not (item.text or "").strip():
                remove_keeping_tail(item)
            else:
                link.drop_tag()


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;")


def _answers_chapter(answers: list[HtmlElement], title: str) -> Chapter:
    """The answer keys of every quiz, each under its quiz's title linking back to the questions."""
    main = lxml.html.Element("main")
    etree.SubElement(main, "h1").text = title
    main.extend(answers)
    return Chapter(ANSWERS, title, "backmatter", main)


# --- documents ------------------------------------------------------------------------------------

def _root(site: Site, title: str) -> etree._Element:
    """An XHTML <html> with the book's language and direction, and its <head>."""
    html = etree.Element(f"{{{XHTML_NS}}}html", nsmap={None: XHTML_NS, "epub": OPS_NS})
    html.set("lang", site.lang)
    html.set("{http://www.w3.org/XML/1998/namespace}lang", site.lang)
    html.set("dir", text_dir(site.lang))
    head = etree.SubElement(html, f"{{{XHTML_NS}}}head")
    etree.SubElement(head, f"{{{XHTML_NS}}}meta", charset="utf-8")
    etree.SubElement(head, f"{{{XHTML_NS}}}title").text = title
    etree.SubElement(head, f"{{{XHTML_NS}}}link", rel="stylesheet", type="text/css", href=STYLESHEET)
    return html


def _document(html: etree._Element) -> bytes:
    return etree.tostring(html, xml_declaration=True, encoding="utf-8", doctype="<!DOCTYPE html>") + b"\n"


def _xhtml(chapter: Chapter, site: Site) -> bytes:
    html = _root(site, chapter.title)
    etree.SubElement(html, f"{{{XHTML_NS}}}body").append(_section(chapter.main, chapter.kind))
    return _document(html)


def _nav(chapters: list[Chapter], site: Site, label: str) -> bytes:
    """The navigation document: the table of contents (title page, modules, answers) and landmarks."""
    html = _root(site, label)
    body = etree.SubElement(html, f"{{{XHTML_NS}}}body")
    toc = etree.SubElement(body, f"{{{XHTML_NS}}}nav", {f"{{{OPS_NS}}}type": "toc", "id": "toc"})
    etree.SubElement(toc, f"{{{XHTML_NS}}}h1").text = label
    items = etree.SubElement(toc, f"{{{XHTML_NS}}}ol")
    for chapter in chapters:
        item = etree.SubElement(items, f"{{{XHTML_NS}}}li")
        etree.SubElement(item, f"{{{XHTML_NS}}}a", href=chapter.name).text = chapter.title
    marks = etree.SubElement(body, f"{{{XHTML_NS}}}nav", {f"{{{OPS_NS}}}type": "landmarks", "hidden": "hidden"})
    marks_list = etree.SubElement(marks, f"{{{XHTML_NS}}}ol")
    for kind, chapter in (("titlepage", chapters[0]), ("bodymatter", chapters[min(1, len(chapters) - 1)])):
        item = etree.SubElement(marks_list, f"{{{XHTML_NS}}}li")
        link = etree.SubElement(item, f"{{{XHTML_NS}}}a", {f"{{{OPS_NS}}}type": kind, "href": chapter.name})
        link.text = chapter.title
    return _document(html)


def _package(site: Site, chapters: list[Chapter], resources: dict[str, str]) -> bytes:
    """package.opf: Dublin Core and accessibility metadata, every file, and the reading order."""
    course, text = site.course, site.course.text(site.lang)
    opf = etree.Element(f"{{{OPF_NS}}}package", nsmap={None: OPF_NS, "dc": DC_NS},
                        version="3.0", **{"unique-identifier": "pub-id"})
    opf.set("{http://www.w3.org/XML/1998/namespace}lang", site.lang)
    opf.set("dir", text_dir(site.lang))
    meta = etree.SubElement(opf, f"{{{OPF_NS}}}metadata")
    ident = uuid.uuid5(uuid.NAMESPACE_URL, f"coursepack:{course.id}:{course.version}:{site.lang}")
    _dc(meta, "identifier", f"urn:uuid:{ident}", id="pub-id")
    _dc(meta, "title", text.title)
    _dc(meta, "language", site.lang)
    for author in course.authors:
        _dc(meta, "creator", author)
    if course.organisation:
        _dc(meta, "publisher", course.organisation)
    if course.licence:
        _dc(meta, "rights", course.licence)
    if text.description:
        _dc(meta, "description", text.description)
    for keyword in text.keywords:
        _dc(meta, "subject", keyword)
    _meta(meta, "dcterms:modified", release_time().strftime("%Y-%m-%dT%H:%M:%SZ"))
    for name, value in _accessibility(resources):
        _meta(meta, name, value)
    manifest = etree.SubElement(opf, f"{{{OPF_NS}}}manifest")
    items = [(NAV, "application/xhtml+xml", "nav"), (STYLESHEET, "text/css", "")]
    items += [(c.name, "application/xhtml+xml", "") for c in chapters]
    items += sorted((path, media, "") for path, media in resources.items())
    ids = {}
    for n, (href, media, properties) in enumerate(items):
        ids[href] = f"item-{n}"
        attrs = {"id": ids[href], "href": href, "media-type": media}
        if properties:
            attrs["properties"] = properties
        etree.SubElement(manifest, f"{{{OPF_NS}}}item", attrs)
    spine = etree.SubElement(opf, f"{{{OPF_NS}}}spine")
    spine.set("page-progression-direction", text_dir(site.lang))
    for chapter in chapters:
        etree.SubElement(spine, f"{{{OPF_NS}}}itemref", idref=ids[chapter.name])
    return etree.tostring(opf, xml_declaration=True, encoding="utf-8", pretty_print=True)


def _accessibility(resources: dict[str, str]) -> list[tuple[str, str]]:
    """schema.org accessibility metadata: what the book really offers (every image has alt text: the build
    requires it), so an e-reader shop or library can tell readers."""
    images = any(media.startswith("image/") for media in resources.values())
    sound = any(media.startswith(("audio/", "video/")) for media in resources.values())
    modes = ["textual", *(["visual"] if images else []), *(["auditory"] if sound else [])]
    features = ["structuralNavigation", "tableOfContents", "readingOrder", "displayTransformability",
                *(["alternativeText"] if images else [])]
    return ([("schema:accessMode", mode) for mode in modes]
            + [("schema:accessModeSufficient", "textual")]
            + [("schema:accessibilityFeature", feature) for feature in features]
            + [("schema:accessibilityHazard", "none"), ("schema:accessibilitySummary", ACCESSIBILITY_SUMMARY)])


def _dc(meta: etree._Element, name: str, value: str, **attrs: str) -> None:
    etree.SubElement(meta, f"{{{DC_NS}}}{name}", attrs).text = value


def _meta(meta: etree._Element, prop: str, value: str) -> None:
    etree.SubElement(meta, f"{{{OPF_NS}}}meta", property=prop).text = value


# --- the container ----------------------------------------------------------------------------------

CONTAINER = (f'<?xml version="1.0" encoding="UTF-8"?>\n<container version="1.0" xmlns="{CONTAINER_NS}">\n'
             f'<rootfiles><rootfile full-path="{OEBPS}package.opf" media-type="application/oebps-package+xml"/>'
             "</rootfiles>\n</container>\n").encode()


def _zip(files: dict[str, bytes], entry: bytes) -> OneFile:
    """The OCF zip: `mimetype` first and stored (readers sniff it), then META-INF, then the rest sorted."""
    files = {"mimetype": b"application/epub+zip", "META-INF/container.xml": CONTAINER, f"META-INF/{ENTRY}": entry,
             **dict(sorted(files.items()))}
    buffer = BytesIO()
    with Store() as store:
        packed = [(name, store.pack(data, STORED if name == "mimetype" or _stored(name) else DEFLATED))
                  for name, data in files.items()]
        write_zip(HashingWriter(buffer), packed, store)
    return OneFile(buffer.getvalue(), tuple(Entry(name, p.size, p.compressed, p.sha256) for name, p in packed))


def _stored(name: str) -> bool:
    return posixpath.splitext(name)[1].lower() in STORED_SUFFIXES


# --- the validator -------------------------------------------------------------------------------

EPUBCHECK_JAR = Path("/usr/share/java/epubcheck.jar")  # Debian's epubcheck; its /usr/bin script needs binfmt


def check(path: Path) -> list[str]:
    """epubcheck's errors and warnings about a book (empty when it is valid)."""
    # The quick JIT tier: epubcheck runs once per book, so the JVM's optimising tier never pays off.
    command = (["java", "-XX:TieredStopAtLevel=1", "-jar", str(EPUBCHECK_JAR)] if EPUBCHECK_JAR.is_file()
               else ["epubcheck"])
    run = subprocess.run([*command, "-q", str(path)], capture_output=True, text=True)
    lines = [line for line in (run.stdout + run.stderr).splitlines() if line.startswith(("ERROR", "WARNING", "FATAL"))]
    return lines or ([] if run.returncode == 0 else [f"epubcheck exited with {run.returncode}: {run.stderr.strip()}"])

