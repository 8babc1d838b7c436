"""Build every module page of a course in one language: HTML body, title, toc, references."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import unquote

import lxml.html
from lxml import etree
from lxml.html import HtmlElement
from markdown.extensions.toc import unique

from builder import progress
from builder.course import Course, ModuleSource
from builder.divs import FRONT_MATTER_BOXES, KEPT_ID, convert_divs, front_matter_boxes
from builder.docids import WITH_ID, ids_in
from builder.limits import MODULE, markdown_shape
from builder.locale import strings
from builder.markup import Source, split_source, to_html
from builder.media import Media, Shelf, pack_page
from builder.names import FileNames
from builder.players import add_players
from builder.problems import Problems, did_you_mean
from builder.quiz import Quiz, check_unique_ids, extract_quizzes
from builder.quizhtml import plain, quiz_section
from builder.rawhtml import sanitise
from builder.refs import LINK_ATTRS, LOAD_ATTRS, SOURCE_LINE, CourseFile, PageLink, Resolver, rewrite_css
from builder.safefiles import RealPaths, read_course_text
from builder.tabs import switchable_tabs
from builder.trees import HEADINGS, demote_headings, inner_html, remove_keeping_tail
from builder.urls import split_srcset

_H1 = re.compile(r"^[ \t>]*(?:#(?:[ \t].*)?|=+[ \t]*)$")


# ids of the page templates around the body, and what they mark (the skip link goes to #main)
RESERVED_IDS = {"main": "the page's main content", "cp-toc-title": "the title of 'On this page'"}


@dataclass(frozen=True)
class TocEntry:
    """A '## ' heading of a page's table of contents, with its '### ' headings."""

    id: str
    title: str
    children: tuple["TocEntry", ...] = ()


@dataclass
class Page:
    """A module rendered in one language, ready for the templates."""

    module: ModuleSource
    source: Path
    title: str
    description: str
    duration: int | None
    body: str
    toc: list[TocEntry]
    ids: set[str]
    links: list[PageLink] = field(default_factory=list)
    files: list[CourseFile] = field(default_factory=list)
    fallback: bool = False  # shown in the course language because no translation exists
    quizzes: list[Quiz] = field(default_factory=list)

    @property
    def href(self) -> str:
        return self.module.page


def build_pages(course: Course, lang: str, problems: Problems, media: Media | None = None,
                names: FileNames | None = None) -> list[Page]:
    """Render every module in `lang`, then check links between them.

    `media` prepares the course's files and `names` names them in packages; share one of each
    between the languages of a course, so each file is optimised once and a collision reported once.
    """
    t = strings(course, lang)
    packing = Packing(media or Media(course.images, root=course.root), Shelf(), names or FileNames(course.root))
    module_pages = {packing.real_paths.of(p): m.page for m in course.modules for p in m.files.values()}
    pages = []
    for module in course.modules:
        page = build_page(course, module, lang, module_pages, problems, t, packing)
        pages += [page] if page is not None else []
        progress.step()
    check_links(pages, problems)
    check_unique_ids([quiz for page in pages for quiz in page.quizzes], problems)
    return pages


@dataclass(frozen=True)
class Packing:
    """Where the pages of one package get their files: the course's media, and the package's shelf."""

    media: Media
    shelf: Shelf
    names: FileNames | None = None
    listings: dict[Path, set[str]] = field(default_factory=dict)  # folders' names, for builder.refs
    real_paths: RealPaths = field(default_factory=RealPaths)  # folders' resolved paths, for builder.refs


def build_page(course: Course, module: ModuleSource, lang: str, module_pages: dict[Path, str],
               problems: Problems, t: dict[str, str], packing: Packing | None = None) -> Page | None:
    """Render one module file; every problem found is recorded."""
    path = module.files.get(lang)
    fallback = path is None
    if fallback:
        path = module.files[course.language]
        problems.warn(path, 0, f"no '{lang}' version of this module; the {course.language} text is used",
                      f"add {module.name}.{lang}{path.suffix} beside it")
        t = strings(course, course.language)  # words written into the body match its language
    text = read_course_text(course.root, path, MODULE, problems)
    if text is None:
        return None
    source = split_source(text, path, problems)
    shape = markdown_shape(source.body.split("\n"), source.prose)
    if shape is not None:
        problems.error(path, source.body_start + shape.line, shape.message, shape.hint)
        return None
    markdown, quizzes = extract_quizzes(source, problems)
    lines = convert_divs(markdown.split("\n"), source.prose, source.body_start, path, t, problems)
    try:
        body, toc_tokens = to_html("\n".join(lines))
    except RecursionError:  # Python-Markdown nests a call per level (and per term of a definition list)
        problems.error(path, source.body_start, "the module nests too deeply to convert",
                       "nest lists and quotes less deep, and put a blank line between the terms of a long "
                       "definition list")
        return None
    body = sanitise(body, source, problems)  # raw HTML: the allow-list of builder/rawhtml.py
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    title, demoted = _take_title(root, source, problems)
    if demoted:  # the '# ' title, if also written in the body, left it: its sections are what remains
        toc_tokens = _shifted([t for token in toc_tokens
                               for t in (token["children"] if _same_words(html.unescape(token["name"]), title)
                                         else [token])])
    for box in root.xpath(f".//*[@{KEPT_ID}]"):  # a box's id as its author wrote it (builder.divs)
        box.set("id", box.attrib.pop(KEPT_ID))
    sections = [quiz_section(quiz, t) for quiz in quizzes]
    _make_room(root, toc_tokens, _taken_ids(quizzes, sections), _outside_quizzes(source, markdown), problems)
    toc = _toc(toc_tokens, _folded_ids(root))
    _add_front_matter_boxes(root, source, t, problems)
    _insert_quizzes(root, quizzes, sections, toc)  # before the checks below, which then cover quizzes too
    resolver = Resolver(course.root, path, module_pages, problems, packing.names if packing else None,
                        packing.listings if packing else {}, packing.real_paths if packing else RealPaths())
    page = Page(module, path, title, source.meta.get("description", ""), _duration(source.meta),
                "", toc, _ids(root, source, problems), fallback=fallback, quizzes=quizzes)
    _check_alt(root, source, problems)
    _check_definitions(root, source, problems)
    add_players(root, source, course.root, course.language if fallback else lang, course.language, t, problems)
    _resolve_refs(root, source, resolver, page)
    packing = packing or Packing(Media(course.images, root=course.root), Shelf())
    page.files = pack_page(root, page.files, packing.media, packing.shelf, problems)
    _mark_external(root, t["external_link"])
    _wrap_tables(root)
    switchable_tabs(root, module.page.removesuffix(".html"))
    page.body = inner_html(root)
    return page


def _add_front_matter_boxes(root, source: Source, t: dict[str, str], problems: Problems) -> None:
    """Front-matter questions and objectives as boxes at the top of the page, key points at its end."""
    for names, at_top in zip(FRONT_MATTER_BOXES, (True, False)):
        lines = front_matter_boxes(source.meta, names)
        if lines:
            html_text, _ = to_html("\n".join(convert_divs(lines, lines, 0, source.path, t, problems)))
            boxes = lxml.html.fragments_fromstring(sanitise(html_text, source, problems))
            for box in boxes:
                box.tail = "\n"
            if not at_top and len(root) and not (root[-1].tail or "").strip():
                root[-1].tail = "\n"
            at = 0 if at_top else len(root)
            root[at:at] = boxes


def _taken_ids(quizzes: list[Quiz], sections: list[HtmlElement]) -> dict[str, str]:
    """Ids the page's templates and quizzes use, and who uses each, in words for an error."""
    taken = dict(RESERVED_IDS)
    for quiz, section in zip(quizzes, sections):
        taken.update(dict.fromkeys(ids_in(section), f"the {quiz.kind} '{quiz.id}' on line {quiz.line}"))
    return taken


def _outside_quizzes(source: Source, markdown: str) -> Source:
    """`source` with quiz blocks blanked, as they are in `markdown`: their `{#id}` name quizzes, not elements."""
    kept = [a == b for a, b in zip(source.body.split("\n"), markdown.split("\n"))]
    return replace(source, prose=[line if same else "" for line, same in zip(source.prose, kept)], _seen={})


def _make_room(root, toc_tokens: list[dict], taken: dict[str, str], source: Source, problems: Problems) -> None:
    """Leave the ids in `taken` to their owners.

    A heading's id made from its text gives way, as Python-Markdown numbers headings of the same text
    (`## Quiz zones` beside the quiz `zones` gets `#quiz-zones_1`): the quiz keeps the anchor links
    and My progress use. An id the author wrote ({: #main }, id="quiz-zones") is an error.
    """
    used: set[str] = set()
    for element in WITH_ID(root):
        ident = element.get("id")
        if ident not in taken:
            continue
        if not used:  # every id on the page, read before the first renaming
            used = ids_in(root) | set(taken)
        setters = _setter_lines(source, ident)
        if setters or element.tag not in HEADINGS:
            problems.error(source.path, setters[0] if setters else source.line_of(ident),
                           f"the id '{ident}' is taken by {taken[ident]}", "give this heading or anchor another id")
        new = unique(ident, used)  # also after an error, so that the page reports it once
        element.set("id", new)
        _rename_token(toc_tokens, ident, new)


def _rename_token(tokens: list[dict], old: str, new: str) -> None:
    for token in tokens:
        if token["id"] == old:
            token["id"] = new
        _rename_token(token["children"], old, new)


def _insert_quizzes(root, quizzes: list[Quiz], sections: list[HtmlElement], toc: list[TocEntry]) -> None:
    """Put each quiz's HTML where its block was, and list it in "On this page" at that place."""
    slots = []  # placeholder, and the top-level toc entries before it: '## ', and '### ' before the first '## '
    before, seen_h2 = 0, False
    for element in root.iter("h2", "h3", "div"):
        if element.tag == "div":
            if element.get("data-coursepack-quiz") is not None:
                slots.append((element, before))
        elif element.tag == "h2" or not seen_h2:
            before += 1
            seen_h2 = seen_h2 or element.tag == "h2"
    for inserted, (slot, before) in enumerate(slots):
        index = int(slot.get("data-coursepack-quiz"))
        quiz, section = quizzes[index], sections[index]
        section.tail = slot.tail
        slot.getparent().replace(slot, section)
        toc.insert(before + inserted, TocEntry(section.get("id"), plain(quiz.title)))


def _take_title(root, source: Source, problems: Problems) -> tuple[str, bool]:
    """The page title, and whether the body's headings moved one level down to make room for it.

    The template shows the title as the page's h1. A front-matter `title:` is the title; a first
    '# ' heading saying the same is that title written twice and leaves the body, other '# '
    headings stay as sections, every heading one level down. Without one, the '# ' heading is the
    title (and leaves the body); a second one is an error.
    """
    h1s = root.findall(".//h1")
    front = source.meta.get("title")
    if front:
        if h1s and _same_words(h1s[0].text_content(), front):
            remove_keeping_tail(h1s.pop(0))
        if h1s:
            demote_headings(root)
        return front, bool(h1s)
    lines = _h1_lines(source)
    for extra in h1s[1:]:
        text = extra.text_content().strip()
        line = next((n for n in lines[1:] if text in source.prose[n - source.body_start]), 0)
        lines = [n for n in lines if n != line]
        problems.error(source.path, line, f"second '# ' title '{text}'",
                       "a module has one '# ' title; use '## ' for its sections")
    if h1s:
        remove_keeping_tail(h1s[0])
        return h1s[0].text_content().strip(), False
    problems.error(source.path, source.body_start, "the module has no title",
                   "start it with a '# Title' line or set 'title:' in its front matter")
    return "", False


def _duration(meta: dict) -> int | None:
    """The module's minutes: `duration`, else a Carpentries episode's teaching and exercise minutes."""
    parts = [meta.get("teaching"), meta.get("exercises")]
    return meta.get("duration") or (sum(p or 0 for p in parts) or None)


def _same_words(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _h1_lines(source: Source) -> list[int]:
    """Lines of '# ' headings, also inside boxes and quotes, and of setext titles (the line above '===')."""
    return [n - (match[0].strip(" \t>").startswith("=")) for n, match in source.lines_matching(_H1)]


def _shifted(tokens: list[dict]) -> list[dict]:
    """toc tokens of headings moved one level down."""
    return [{**token, "level": token["level"] + 1, "children": _shifted(token["children"])} for token in tokens]


def _folded_ids(root) -> set[str]:
    """Ids inside closed boxes (solutions, hints): "On this page" does not give them away."""
    return {e.get("id") for details in root.iter("details") for e in details.iter() if e.get("id")}


def _toc(tokens: list[dict], hidden: set[str] = frozenset()) -> list[TocEntry]:
    """'## ' headings with their '### ' headings; the '# ' title level is skipped, as are headings in `hidden`."""
    entries: list[TocEntry] = []
    for token in tokens:
        if token["id"] in hidden:
            continue
        if token["level"] == 1:
            entries.extend(_toc(token["children"], hidden))
        elif token["level"] == 2:
            children = tuple(_entry(t) for t in token["children"] if t["level"] == 3 and t["id"] not in hidden)
            entries.append(TocEntry(token["id"], html.unescape(token["name"]), children))
        elif token["level"] == 3:
            entries.append(_entry(token))
    return entries


def _entry(token: dict) -> TocEntry:
    return TocEntry(token["id"], html.unescape(token["name"]))


def _ids(root, source: Source, problems: Problems) -> set[str]:
    seen: dict[str, int] = {}
    for element in WITH_ID(root):
        ident = element.get("id")
        if ident in seen:
            problems.error(source.path, _id_line(source, ident, seen[ident]),
                           f"the id '{ident}' is used twice on this page", "give each heading or anchor its own id")
        seen[ident] = seen.get(ident, 0) + 1
    return set(seen)


def _id_line(source: Source, ident: str, index: int) -> int:
    """Line of the `index`-th place that sets `ident`, else of any text that mentions it."""
    setters = _setter_lines(source, ident)
    return setters[index] if index < len(setters) else source.line_of(ident)


def _setter_lines(source: Source, ident: str) -> list[int]:
    """Lines that set `ident` ({: #id }, id="id"), not those of text that mentions it."""
    return [n for n, _ in source.lines_matching(re.compile(r"""(?:(?<=[{\s])#|\bid\s*=\s*["']?)"""
                                                           + re.escape(ident) + r"""(?=["'\s}>]|$)"""))]


def _check_alt(root, source: Source, problems: Problems) -> None:
    """Every image has an alt attribute (empty for a decorative one): read from the tree the page is made of."""
    seen: dict[str, int] = {}
    for img in root.iter("img"):
        src = img.get("src") or ""
        index = seen[src] = seen.get(src, -1) + 1  # the n-th image of a file is on the n-th line naming it
        if img.get("alt") is not None:
            continue
        lines = [n for n, _ in source.lines_matching(re.compile(re.escape(src or "<img")))]
        line = lines[index] if index < len(lines) else (lines[0] if lines else 0)
        written = source.prose[line - source.body_start] if line else ""
        if "<img" in written and "![" not in written:
            problems.error(source.path, line, "image without alt text",
                           "add an alt attribute that describes the image (alt=\"\" only if decorative)")
        else:
            problems.error(source.path, line, f"image without alt text: ![]({src})",
                           "describe the image between the brackets, or mark a purely decorative image "
                           "with {: alt=\"\" }")


def _check_definitions(root, source: Source, problems: Problems) -> None:
    """A ': definition' with no term above it makes a list screen readers cannot read (axe: definition-list)."""
    for dl in root.iter("dl"):
        first = next((child for child in dl if child.tag in ("dt", "dd")), None)
        if first is None or first.tag != "dd":
            continue
        text = " ".join(first.text_content().split())
        lines = source.lines_matching(re.compile(r"^\s*:[ \t]+" + re.escape(text[:20])))
        problems.error(source.path, lines[0][0] if lines else 0, f"definition without a term: ': {text[:40]}'",
                       "write the term on the line above it, or, for a table caption, put ': Caption' right "
                       "under the table")


_REFERRING = etree.XPath("descendant-or-self::*[@* or self::style]")  # all that may name a file or page


def _resolve_refs(root, source: Source, resolver: Resolver, page: Page) -> None:
    for element in _REFERRING(root):
        line = int(element.attrib.pop(SOURCE_LINE, 0))
        for attr in LINK_ATTRS.get(element.tag, ()) + LOAD_ATTRS.get(element.tag, ()):
            value = element.get(attr)
            if value is None or not value.strip():
                continue
            if attr == "srcset":
                element.set(attr, ", ".join(_resolve_one(url, element.tag, source, resolver, page, line) + descriptor
                                            for url, descriptor in split_srcset(value)))
            else:
                element.set(attr, _resolve_one(value.strip(), element.tag, source, resolver, page, line))
        _resolve_css(element, source, resolver, page)


def _resolve_css(element, source: Source, resolver: Resolver, page: Page) -> None:
    """url(...) and @import in style attributes and <style> blocks load files too."""
    def one(url: str) -> str:
        return _resolve_one(url, "style", source, resolver, page)

    if element.get("style"):
        element.set("style", rewrite_css(element.get("style"), one))
    if element.tag == "style" and element.text:
        element.text = rewrite_css(element.text, one)


def _resolve_one(value: str, tag: str, source: Source, resolver: Resolver, page: Page, line: int = 0) -> str:
    line = line or source.line_of(value)
    if not line and unquote(value) != value and (line := source.line_of(unquote(value))):
        value = unquote(value)  # as the author wrote it: the raw-HTML sanitiser %-encodes non-ASCII URLs
    url, target = resolver.resolve(value, tag, line)
    if isinstance(target, CourseFile):
        page.files.append(target)
    elif isinstance(target, PageLink):
        page.links.append(PageLink(target.page or page.href, target.fragment, target.written, target.line))
    return url


def _mark_external(root, label: str) -> None:
    """Links to the web need a connection, which learners may not have: say so, in sight and to screen readers."""
    for link in root.iter("a"):
        if not (link.get("href") or "").strip().lower().startswith(("http:", "https:", "//")):
            continue
        link.set("class", " ".join(filter(None, (link.get("class"), "cp-external"))))
        note = lxml.html.Element("span", {"class": "cp-sr"})
        note.text = f" {label}"
        link.append(note)


def _wrap_tables(root) -> None:
    """Wide tables scroll inside a focusable, labelled region, so keyboards can scroll them too."""
    for table in list(root.iter("table")):
        wrapper = lxml.html.Element("div", {"class": "table-wrap", "role": "region", "tabindex": "0",
                                            "aria-label": _table_label(table)})
        table.addprevious(wrapper)
        wrapper.append(table)  # the table's tail text moves with it: give it back to the wrapper
        wrapper.tail, table.tail = table.tail, None


def _table_label(table) -> str:
    """The table's caption, else its header cells that say something (an empty corner cell says nothing)."""
    caption = table.find("caption")
    if caption is not None and caption.text_content().strip():
        return " ".join(caption.text_content().split())[:80]
    headers = ", ".join(text for th in table.iter("th") if (text := " ".join(th.text_content().split())))
    return headers[:80] or "table"


def check_links(pages: list[Page], problems: Problems) -> None:
    """Every '#anchor' must exist on the page it points to."""
    ids = {page.href: page.ids for page in pages}
    for page in pages:
        for link in page.links:
            if link.fragment and link.page in ids and link.fragment not in ids[link.page]:
                where = "this page" if link.page == page.href else link.page.removesuffix(".html")
                problems.error(page.source, link.line, f"link '{link.written}': no anchor '#{link.fragment}' "
                               f"on {where}", _anchor_hint(link.fragment, ids[link.page]))


def _anchor_hint(fragment: str, ids: set[str]) -> str:
    if not ids:
        return "that page has no headings or anchors to link to; link to the page itself"
    hint = did_you_mean(fragment, sorted(ids))
    if hint.startswith("did you mean"):
        return hint
    shown = sorted(ids, key=lambda i: ("." in i, i))[:8]  # headings and quizzes before the parts of questions
    return "anchors there: " + ", ".join(f"#{i}" for i in shown) + (", …" if len(ids) > 8 else "")
