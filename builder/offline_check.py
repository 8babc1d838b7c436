"""Check what a package actually carries: no HTML, CSS or SVG file in it may reach beyond the package.

Run on the bytes that go into the zips (and the single .html file), whatever produced them:
Markdown, our templates, a course's own template overrides and static files, files the author
links to. Real parsers read them (lxml for HTML and SVG, tinycss2 for CSS: builder/css.py), so
escapes and odd spellings a browser understands are understood here too. Hyperlinks a learner clicks may go to the
web (they are marked as needing a connection); anything that loads, submits or navigates on its
own must stay inside the package.
"""

from __future__ import annotations

import base64
import hashlib
import posixpath
from dataclasses import dataclass
from functools import lru_cache, wraps
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Callable
from urllib.parse import unquote_to_bytes

import lxml.etree
import nh3

from builder.css import css_urls
from builder.locale import TEMPLATES
from builder.names import inside
from builder.problems import Problems
from builder.urls import clean_url, scheme, shown, srcset_urls

if TYPE_CHECKING:
    from builder.course import Course
    from builder.render import Site

WEB_SCHEMES = {"http", "https"}
CLICK_SCHEMES = {"http", "https", "mailto", "tel"}  # where a hyperlink the learner clicks may go
CHECKED = {".html": "html", ".htm": "html", ".xhtml": "html", ".css": "css", ".svg": "svg"}
# Attributes whose value is fetched by the browser without a click (srcset-like ones hold several URLs).
LOAD = {"src", "poster", "background", "lowsrc", "dynsrc", "codebase", "archive", "xlink:href"}
SRCSETS = {"srcset", "imagesrcset"}
SUBMIT = {"action", "formaction"}  # a form goes there when submitted
NEVER = {"ping": "it sends a request to that address whenever the link is followed",
         "srcdoc": "it holds a whole page that is never checked; link to a page of the package instead",
         "attributionsrc": "it makes the browser report to that address",
         "manifest": "an application cache manifest can list files on the web; remove it"}
PRESENTATION = {"fill", "stroke", "filter", "clip-path", "mask", "marker-start", "marker-mid", "marker-end", "cursor"}
_WATCHED = {*NEVER, *LOAD, *SRCSETS, *SUBMIT, *PRESENTATION, "href", "data", "style", "to", "from", "values"}
# For browser_view: the tags that can load or navigate (others are unwrapped, keeping what is inside them),
# the raw-text ones, the attributes read here, and every scheme the checks name (nh3 drops the others).
_LOADING_TAGS = {"a", "area", "img", "image", "use", "feimage", "script", "link", "base", "meta", "iframe", "frame",
                 "object", "embed", "applet", "portal", "video", "audio", "source", "track", "input", "button", "form",
                 "body", "table", "td", "th", "svg", "style", "animate", "set", "picture"}
_RAW_TEXT = {"noscript", "noembed", "noframes", "xmp", "title", "textarea", "template", "plaintext"}
_KEPT = {*_WATCHED, "rel", "http-equiv", "download", "attributename", "xlink:href"}
_ANY_SCHEME = {"http", "https", "ftp", "ws", "wss", "file", "data", "blob", "javascript", "vbscript", "mailto", "tel",
               "about", "filesystem", "jar", "view-source"}
_CHECKED_BEFORE: dict[tuple[str, bytes, str], tuple[Finding, ...]] = {}
_REMEMBERED = 300  # characters of a URL (or all attributes of an element) whose check is memoised
_ANIMATE = {"animate", "set"}
_HTML = lxml.etree.HTMLParser(no_network=True)  # plain elements: faster than lxml.html's classes
WEB = "would be loaded from the internet, which an offline package cannot do"


@dataclass(frozen=True)
class Finding:
    """One thing in a file that reaches beyond the package: what, the text to find it by, and the fix."""

    message: str
    needle: str
    hint: str
    line: int = 0  # in the file checked, when its parser knows


# --- URLs ------------------------------------------------------------------------------------------

def _remembered(check: Callable[..., Finding | None]) -> Callable[..., Finding | None]:
    """`check`, memoised for values up to _REMEMBERED characters: every page of a course repeats the same
    navigation and contents links; longer values (a single file's data: URLs) are checked each time."""
    memo = lru_cache(maxsize=4096)(check)

    @wraps(check)
    def checked(value: str, *rest: object) -> Finding | None:
        return memo(value, *rest) if len(value) <= _REMEMBERED else check(value, *rest)
    return checked


@_remembered
def load_problem(value: str, folder: str | None) -> Finding | None:
    """Why a URL the browser fetches on its own (image, style sheet, script…) reaches beyond the package.

    `folder` is where the file sits in the package; None leaves relative paths to the caller."""
    kind = scheme(value)
    if kind == "data":
        return data_problem(value)
    if kind in WEB_SCHEMES or kind == "//":
        return Finding(f"'{shown(value)}' {WEB}", value.strip(), "download the file into the course folder and "
                       "refer to it by a relative path")
    if kind:
        return Finding(f"'{shown(value)}' uses '{kind}:', which a package cannot load", value.strip(),
                       "refer to a file of the course by a relative path")
    return _outside(value, folder)


@_remembered
def click_problem(value: str, folder: str | None, download: bool = False) -> Finding | None:
    """Why a hyperlink the learner clicks is not allowed: scripts, data and local files outside the package."""
    kind = scheme(value)
    if kind in CLICK_SCHEMES or kind == "//" or (kind == "data" and download):
        return None  # the web needs a connection (marked as such); a data: download stays in the page
    if kind:
        return Finding(f"link '{shown(value)}' is a {kind}: URL, which a package does not allow", value.strip(),
                       "link to a page or file of the course, or to a web page (https://…)")
    return _outside(value, folder)


def _outside(value: str, folder: str | None) -> Finding | None:
    """A relative URL that climbs out of the package (or starts at the disk's root) reaches other files."""
    if folder is None:
        return None
    path = clean_url(value).split("#")[0].split("?")[0].replace("\\", "/")
    if not path:
        return None
    joined = posixpath.normpath(posixpath.join(folder, path))
    if path.startswith("/") or joined == ".." or joined.startswith("../"):
        return Finding(f"'{shown(value)}' points outside the package", value.strip(),
                       "refer to a file of the course by a path that stays inside it")
    return None


def data_problem(value: str) -> Finding | None:
    """A data: URL is part of the page; one holding a style sheet, drawing or page is checked in turn."""
    header, _, payload = clean_url(value).partition(",")
    mime = header[5:].split(";")[0].strip().lower()
    kind = {"text/css": "css", "image/svg+xml": "svg", "text/html": "html"}.get(mime)
    if kind is None:
        return None
    try:
        data = base64.b64decode(payload) if header.lower().endswith(";base64") else unquote_to_bytes(payload)
    except ValueError:
        return Finding(f"a data: URL ({mime}) that cannot be read", value[:40], "write the file into the package")
    inner = check_bytes(kind, data, "")
    return inner[0] if inner else None


# --- CSS -------------------------------------------------------------------------------------------

def check_css(text: str, folder: str | None = "") -> list[Finding]:
    """Every URL of a style sheet, style="…" attribute or CSS value that reaches beyond the package."""
    findings = []
    for url, line in css_urls(text):
        problem = load_problem(url, folder)
        if problem:
            findings.append(Finding(problem.message, problem.needle, problem.hint, line))
    return findings


# --- HTML and SVG ----------------------------------------------------------------------------------

def check_html(text: str, folder: str = "") -> list[Finding]:
    """Every element or attribute of a page that loads, submits or navigates beyond the package: as lxml
    reads the page, then as a browser does, for what only a browser would see (line unknown)."""
    found = _walk(text, folder)
    seen = {f.message for f in found}
    return found + [Finding(f.message, f.needle, f.hint) for f in _walk(browser_view(text), folder)
                    if f.message not in seen]


def browser_view(text: str) -> str:
    """What can load in a page, as html5ever (through nh3) parses it with scripting on, written plainly.

    lxml and browsers read some markup differently: a '</noscript>' inside an attribute ends the
    <noscript> for a browser, an <img> inside <svg><style> breaks out of it. Raw-text elements go, with
    their content (the lxml reading checks what is in them), so what is left parses the same in both."""
    return nh3.clean(text, tags=_LOADING_TAGS, clean_content_tags=_RAW_TEXT, attributes={"*": _KEPT},
                     url_schemes=_ANY_SCHEME, link_rel=None, strip_comments=True)


def _walk(text: str, folder: str) -> list[Finding]:
    if not text.strip():
        return []
    root = lxml.etree.fromstring(text, _HTML)
    if root is None:
        return []
    return [f for element in root.iter() if isinstance(element.tag, str) and (element.attrib or element.tag == "style")
            for f in check_element(element, folder)]


def check_svg(data: bytes, folder: str = "") -> list[Finding]:
    """The same for a drawing: hrefs, styles, url() in presentation attributes, and style sheet instructions."""
    parser = lxml.etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False,
                                  recover=True)
    try:
        root = lxml.etree.fromstring(data, parser)
    except lxml.etree.XMLSyntaxError:
        return []  # not a drawing a browser shows either
    if root is None:
        return []
    findings = []
    for node in [*reversed(list(root.itersiblings(preceding=True))), *root.iter()]:
        if isinstance(node, lxml.etree._ProcessingInstruction) and node.target == "xml-stylesheet":
            href = node.get("href") or ""
            findings += [Finding(f.message, f.needle, f.hint, node.sourceline or 0)
                         for f in [load_problem(href, folder)] if f]
        elif isinstance(node.tag, str):
            findings += check_element(node, folder)
    return findings


def check_element(element: lxml.etree._Element, folder: str) -> list[Finding]:
    """One element's attributes and content, wherever it comes from (page, drawing, inline SVG)."""
    tag = element.tag.rpartition("}")[2].lower()  # SVG's are namespaced
    items = tuple(element.items())
    judge = _judged if sum(map(len, chain.from_iterable(items))) <= _REMEMBERED else _judge
    own, attributes = judge(tag, items, folder)
    text = check_css(element.text, folder) if tag == "style" and element.text else []  # lines from the <style> tag's
    if not (own or attributes or text):  # most elements: no line to look up, no lists to build
        return []
    line = element.sourceline or 0
    return ([Finding(f.message, f.needle, f.hint, line) for f in own]
            + [Finding(f.message, f.needle, f.hint, line + f.line - 1) for f in text]
            + [Finding(f.message, f.needle, f.hint, line) for f in attributes])


def _judge(tag: str, items: tuple[tuple[str, str], ...], folder: str) -> tuple[tuple[Finding, ...], ...]:
    """What an element with these attributes reaches: the findings of the element itself, then of each attribute
    (without lines). Memoised below (`_judged`): the pages of a course repeat the same links and images."""
    attrs = dict(items)
    own = []
    if tag == "base" and attrs.get("href") is not None:
        own.append(Finding("<base href> is not allowed", "<base", "it sends every link and file of the page "
                           "elsewhere; remove it"))
    if tag == "meta" and (attrs.get("http-equiv") or "").strip().lower() == "refresh":
        own.append(Finding("<meta http-equiv=\"refresh\"> is not allowed", "refresh", "it leaves the page on "
                           "its own; link to the page instead"))
    if tag == "link" and "manifest" in (attrs.get("rel") or "").lower().split():
        own.append(Finding("<link rel=\"manifest\"> is not allowed", "manifest", "a web app manifest names "
                           "files on the web; remove it"))
    found: list[Finding] = []
    for name, value in items:
        name = _name(name)
        if (name in _WATCHED or name.startswith("on")) and not (tag == "base" and name == "href"):  # <base>: above
            found += [f for f in _attribute(tag, name, value, attrs, folder) if f]
    return tuple(own), tuple(found)


_judged = lru_cache(maxsize=4096)(_judge)


def _name(name: str) -> str:
    """Attribute names as written in HTML: lowercase, and SVG's namespaced href as 'xlink:href'."""
    return "xlink:href" if name == "{http://www.w3.org/1999/xlink}href" else name.lower()


def _attribute(tag: str, name: str, value: str, attrs: dict[str, str], folder: str) -> list[Finding | None]:
    """What one attribute loads, submits or navigates to, by what kind of URL it holds."""
    if name in NEVER and value.strip():
        return [Finding(f"{name}= on <{tag}> is not allowed", f"{name}=", NEVER[name])]
    if name.startswith("on"):
        return [Finding(f"the event handler {name}= on <{tag}> is not allowed", f"{name}=",
                        "it runs a script the build cannot check; put scripts in templates/static/")]
    if name == "href":
        clicked = tag in ("a", "area")
        return [click_problem(value, folder, attrs.get("download") is not None) if clicked
                else load_problem(value, folder)]
    if name in LOAD or (name == "data" and tag == "object"):
        return [load_problem(value, folder)]
    if name in SRCSETS:
        return [load_problem(url, folder) for url in srcset_urls(value)]
    if name in SUBMIT and value.strip():
        return [load_problem(value, folder)]
    if name == "style":
        return list(check_css(value, folder))
    if tag in _ANIMATE and name in ("to", "from", "values") and _animates_href(attrs):
        return [click_problem(v, folder) or load_problem(v, folder) for v in value.split(";")]
    if name in PRESENTATION:  # SVG: fill="url(…)", filter="url(…)"
        return list(check_css(value, folder))
    return []


def _animates_href(attrs: dict[str, str]) -> bool:
    return (attrs.get("attributeName") or "").strip().lower() in ("href", "xlink:href")


# --- files of a package ----------------------------------------------------------------------------

def check_bytes(kind: str, data: bytes, folder: str) -> tuple[Finding, ...]:
    """The findings for one file's bytes; remembered by digest (not by the bytes, which may be a whole
    single-file course), since every format and language of a course carries many of the same files."""
    key = (kind, hashlib.sha256(data).digest(), folder)
    if key not in _CHECKED_BEFORE:
        if len(_CHECKED_BEFORE) >= 4096:  # a long `serve` session: start afresh rather than grow
            _CHECKED_BEFORE.clear()
        _CHECKED_BEFORE[key] = _check(kind, data, folder)
    return _CHECKED_BEFORE[key]


def _check(kind: str, data: bytes, folder: str) -> tuple[Finding, ...]:
    if kind == "css":
        return tuple(check_css(data.decode("utf-8", errors="replace"), folder))
    if kind == "svg":
        return tuple(check_svg(data, folder))
    return tuple(check_html(data.decode("utf-8", errors="replace"), folder))


def check_sites(sites: list[Site], problems: Problems, files: dict[str, bytes | Path] | None = None) -> None:
    """Check every HTML, CSS and SVG file of a course's rendered sites (or `files` made from them, such as
    the single file): one error for each mistake, however many files and languages carry it."""
    if not sites:
        return
    course = sites[0].course
    found: dict[tuple[Path, int, str, str], list[str]] = {}
    for site in sites:
        check_files(site.files if files is None else files, sources(course), course.root, problems, found)
    for (path, line, message, hint), names in found.items():
        names = sorted(set(names), key=lambda n: (n.count("/"), n))
        more = f" and {len(names) - 1} other file{'s' if len(names) > 2 else ''}" if len(names) > 1 else ""
        problems.error(path, line, f"{names[0]}{more} in the package: {message}", hint)


def sources(course: Course) -> list[Path]:
    """Where a page's text may come from, in the order to name them: the course's own templates and static
    files, its modules, then ours."""
    own = sorted(p for p in course.templates.rglob("*") if p.is_file() and inside(p, course.root)) \
        if course.templates.is_dir() else []
    modules = sorted({path for module in course.modules for path in module.files.values()})
    ours = sorted(p for p in TEMPLATES.glob("*.html")) + sorted(TEMPLATES.glob("static/*"))
    return own + modules + ours


def check_files(files: dict[str, bytes | Path], sources: list[Path], fallback: Path, problems: Problems,
                found: dict[tuple[Path, int, str, str], list[str]]) -> None:
    """Everything in a package's HTML, CSS and SVG files that reaches beyond the package.

    A course file packaged as it is is an error at its own line. Anything else is added to `found`, under
    the first of `sources` (course templates, modules, our templates) that holds the offending text (else
    `fallback`, the course folder), with the package files it is in.
    """
    for name in sorted(files):
        kind = CHECKED.get(posixpath.splitext(name)[1].lower())
        if kind is None:
            continue
        content = files[name]
        data = content.read_bytes() if isinstance(content, Path) else content
        for finding in check_bytes(kind, data, posixpath.dirname(name)):
            if isinstance(content, Path):  # a course file packaged as it is: its own lines
                problems.error(content, finding.line, finding.message, finding.hint)
                continue
            path, line = _source(finding, sources)
            found.setdefault((path or fallback, line, finding.message, finding.hint), []).append(name)


def _source(finding: Finding, candidates: list[Path]) -> tuple[Path | None, int]:
    """The first candidate file holding the offending text, and its line; else the first whose own check
    finds the same thing (a URL written with escapes, in a style sheet that was minified)."""
    texts = {}
    for path in candidates:
        try:
            texts[path] = path.read_bytes()
        except OSError:
            continue
        for number, text in enumerate(texts[path].decode("utf-8", errors="replace").lower().splitlines(), 1):
            if finding.needle and finding.needle.lower() in text:
                return path, number
    for path, data in texts.items():
        kind = CHECKED.get(path.suffix.lower())
        same = [f for f in check_bytes(kind, data, "") if f.message == finding.message] if kind else []
        if same:
            return path, same[0].line
    return None, 0
