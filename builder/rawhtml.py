"""Raw HTML in Markdown: an allow-list of what authors need; anything else is an error at its line.

Runs on a module's whole Markdown output, so it covers raw HTML blocks, inline HTML, `md_in_html`
and attributes set with `{: … }` alike. What is refused is reported (the author learns that their
form or embed would not reach learners, instead of finding it silently gone) and also left out of
the page, so later checks do not report it twice; the build of the course fails either way. nh3
(ammonia, an HTML5 parser like browsers') then cleans the page with the same allow-list, so HTML
that lxml and a browser would read differently cannot slip past the check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterator

import lxml.html
import nh3

from builder.markup import Source
from builder.offline_check import CLICK_SCHEMES, NEVER, Finding, check_css, click_problem
from builder.problems import Problems
from builder.trees import inner_html
from builder.urls import scheme, shown, srcset_urls

GENERIC = {"id", "class", "title", "lang", "dir", "role", "hidden", "tabindex", "translate", "style"}
PREFIXES = {"aria-", "data-"}
_MEDIA = {"src", "controls", "preload", "loop", "muted", "width", "height", "captions"}
ALLOWED: dict[str, set[str]] = {
    **{tag: set() for tag in (
        "p br hr h1 h2 h3 h4 h5 h6 em strong b i u s del ins code pre kbd samp var sub sup small mark abbr "
        "dfn cite q blockquote span div bdi bdo wbr ruby rt rp address ul dl dt dd table caption thead tbody "
        "tfoot tr figure figcaption section article aside header footer summary picture").split()},
    "a": {"href", "hreflang", "type", "download", "target", "rel"},
    "img": {"src", "alt", "width", "height", "srcset", "sizes", "loading", "decoding", "captions"},  # captions: media
    "audio": _MEDIA, "video": _MEDIA | {"poster", "playsinline"},
    "source": {"src", "srcset", "type", "media", "sizes", "width", "height"},
    "track": {"src", "kind", "srclang", "label", "default"},
    "ol": {"start", "type", "reversed"}, "li": {"value"},
    "th": {"colspan", "rowspan", "headers", "scope", "align"}, "td": {"colspan", "rowspan", "headers", "align"},
    "col": {"span"}, "colgroup": {"span"}, "time": {"datetime"}, "data": {"value"}, "details": {"open", "name"},
    "style": {"media"}, "link": {"rel", "href", "media", "type"},  # a style sheet of the course (checked)
    "input": {"type", "checked", "disabled", "name", "value"}, "label": {"for"},  # tabs and task lists
}
VALUES = {("input", "type"): {"checkbox", "radio"}, ("link", "rel"): {"stylesheet"}}
URLS = {"href", "src", "poster"}
LEFT_TO_RESOLVER = CLICK_SCHEMES | {"", "//"}  # the web and paths inside the course: refs.Resolver judges them
_GONE = {"script", "noscript", "iframe", "frame", "frameset", "object", "embed", "applet", "template", "svg",
         "math", "textarea", "select", "title", "xmp", "noembed", "noframes", "plaintext"}  # with their content
TAG_HINTS = {
    "base": "it would send every link and file of the page elsewhere; remove it",
    "meta": "a page's <meta> comes from its template; remove it",
    "form": "a form could send what learners type away; use a quiz or survey block instead",
    "script": "scripts in a module are not allowed; put course scripts in templates/static/",
    "svg": "save the drawing as an .svg file and include it as an image: ![what it shows](drawing.svg)",
    "iframe": "an embedded page or plugin could load anything; link to the file instead, or show audio and "
              "video with ![label](file.mp4)",
}
TAG_HINTS.update({t: TAG_HINTS["form"] for t in ("button", "select", "textarea", "fieldset", "output")})
TAG_HINTS.update({t: TAG_HINTS["iframe"] for t in ("frame", "frameset", "object", "embed", "applet", "portal")})
TAG_HINTS.update({"math": TAG_HINTS["svg"], "noscript": TAG_HINTS["script"]})
# nh3 takes an attribute restricted to some values (VALUES) apart from the free ones
_NH3_ATTRIBUTES = {"*": GENERIC, **{t: a - {n for (v, n) in VALUES if v == t} for t, a in ALLOWED.items()}}
RESERVED = "data-coursepack-"  # the quiz placeholders (builder.quiz.PLACEHOLDER) pass through here
_INLINE_CODE = re.compile(r"`[^`]*`")
LIST = "the allowed tags and attributes are listed in docs/authoring.md (Raw HTML)"


@dataclass(frozen=True)
class Refusal:
    """One thing the allow-list refuses: texts to find its line by, the error, and what to leave out."""

    needles: tuple[str, ...]
    message: str
    hint: str
    attribute: str | None = None  # the attribute to leave out; None: the whole element


def sanitise(body: str, source: Source, problems: Problems) -> str:
    """`body` (a module's Markdown output) with an error for every tag, attribute or URL not allowed,
    and without them."""
    if not body.strip():
        return body
    root = lxml.html.fragment_fromstring(body, create_parent="div")
    lines = _Lines(source)
    forged = any(RESERVED in line and RESERVED in _INLINE_CODE.sub("", line) for line in lines.lower)  # by the author
    for element in list(_elements(root)):
        for refusal in refusals(element, forged):
            problems.error(source.path, lines.find(*refusal.needles), refusal.message, refusal.hint)
            if refusal.attribute is not None:
                element.attrib.pop(refusal.attribute, None)
            elif element.getparent() is not None:
                element.drop_tree()
    return nh3.clean(inner_html(root), tags=set(ALLOWED), clean_content_tags=_GONE, attributes=_NH3_ATTRIBUTES,
                     tag_attribute_values={t: {a: v} for (t, a), v in VALUES.items()},
                     generic_attribute_prefixes=PREFIXES, attribute_filter=_keep, url_schemes=CLICK_SCHEMES,
                     link_rel=None, strip_comments=True)


def _elements(parent) -> Iterator:
    """Every element below `parent`, but not inside one that is refused (that one error is enough)."""
    for element in parent:
        if isinstance(element.tag, str):
            yield element
            if element.tag.lower() in ALLOWED:
                yield from _elements(element)


def refusals(element, reserved_refused: bool = False) -> list[Refusal]:
    """What the allow-list refuses in one element; `reserved_refused`: coursepack's own data-coursepack-*
    attributes too (the module writes one itself, which would be taken for a quiz's place)."""
    tag = element.tag.lower()
    if tag not in ALLOWED:
        return [Refusal((f"<{tag}",), f"raw HTML <{tag}> is not allowed", TAG_HINTS.get(tag, LIST))]
    if not element.attrib and not (tag == "style" and element.text):
        return []
    for (of, name), values in VALUES.items():  # <link rel="preconnect">, <input type="image">: another element
        value = element.get(name)
        if of == tag and value is not None and value.strip().lower() not in values:
            return [Refusal((f"{name}=", f"<{tag}"), f"raw HTML <{tag} {name}=\"{value}\"> is not allowed",
                            "allowed: " + ", ".join(f'{name}="{v}"' for v in sorted(values)))]
    found = []
    for name, value in element.attrib.items():
        if reserved_refused and name.startswith(RESERVED):
            found.append(Refusal((RESERVED, f"<{tag}"), f"raw HTML attribute {name}= is coursepack's own",
                                 "remove it: coursepack marks where quizzes go with it", name))
        elif not (name in GENERIC or name in ALLOWED[tag] or name.startswith(tuple(PREFIXES))):
            found.append(Refusal((f"{name}=", f"<{tag}"), f"raw HTML attribute {name}= on <{tag}> is not allowed",
                                 _attribute_hint(name), name))
        else:
            found += [Refusal((f.needle, _written(f.needle), f"{name}="), f.message, f.hint, name)
                      for f in _url_or_style(tag, name, value)]
    if tag == "style" and element.text:
        found += [Refusal((f.needle, "<style"), f.message, f.hint) for f in check_css(element.text, None)]
    return found


def _url_or_style(tag: str, name: str, value: str) -> list[Finding]:
    """A style attribute's CSS, or a URL attribute's schemes; paths in the course are the resolver's to judge."""
    if name == "style":
        return check_css(value, None)
    if name not in URLS and name != "srcset":
        return []
    found = []
    for url in srcset_urls(value) if name == "srcset" else [value]:
        kind = scheme(url)
        if kind in LEFT_TO_RESOLVER:
            continue
        if tag == "a" and name == "href":
            found.append(click_problem(url, None))
        else:
            found.append(Finding(f"'{shown(url)}' uses '{kind}:', which a module may not use", url.strip(),
                                 "put the file in the course folder and refer to it by a relative path"))
    return [f for f in found if f]


def _written(url: str) -> str:
    """The part of a URL before any control character or entity, as the author typed it ('java' of 'java&#9;…')."""
    head = re.split(r"[\x00-\x1f&]", url)[0]
    return head if len(head) >= 3 else ""


def _attribute_hint(name: str) -> str:
    """Why an attribute is refused, for the ones that are refused for a reason beyond not being needed."""
    if name.startswith("on"):
        return "event handlers run scripts, which a module may not have; remove it"
    return NEVER.get(name, f"remove it ({LIST})")


def _keep(tag: str, name: str, value: str) -> str | None:
    """nh3's last word on an attribute: style sheets and srcset URLs are checked as above."""
    if name in ("style", "srcset") and _url_or_style(tag, name, value):
        return None
    return value


class _Lines:
    """Finds the source line of a refused piece of HTML: the first prose line holding one of its texts,
    moving on past lines already given for the same text."""

    def __init__(self, source: Source) -> None:
        self.source = source
        self.lower = [line.lower() for line in source.prose]
        self.used: dict[str, int] = {}

    def find(self, *needles: str) -> int:
        """The line of the first needle found (the module's first body line if none is)."""
        for needle in needles:
            key = needle.lower()
            hits = [n for n, line in enumerate(self.lower) if key and key in line]
            if hits:
                index = min(self.used.get(key, 0), len(hits) - 1)
                self.used[key] = index + 1
                return self.source.body_start + hits[index]
        return self.source.body_start
