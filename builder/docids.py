"""Several pages in one document (the single file, print.html): ids made unique, links and references following."""

from __future__ import annotations

from urllib.parse import unquote, urlsplit

from lxml import etree
from lxml.html import HtmlElement

IDREFS = ("for", "headers", "list", "form", "aria-activedescendant", "aria-controls", "aria-describedby",
          "aria-details", "aria-errormessage", "aria-flowto", "aria-labelledby", "aria-owns")
WITH_ID = etree.XPath("descendant-or-self::*[@id]")  # in document order, as root.iter(): XPath walks in C
_BELOW_WITH_ID = etree.XPath("descendant::*[@id]")
_ATTRIBUTED = etree.XPath("descendant-or-self::*[@*]")  # links, idrefs: one test costs less than one per name


def section_id(page: str) -> str:
    """`02-maps.html` -> `page-02-maps`: the id of a page's section, and its address in the document."""
    return "page-" + page.removesuffix(".html")


def ids_in(root: HtmlElement) -> set[str]:
    """Every id in a tree."""
    return {ident for e in WITH_ID(root) if (ident := e.get("id"))}


def unique_ids(frame: set[str], sections: dict[str, HtmlElement]) -> dict[str, dict[str, str]]:
    """Rename ids taken already, page by page in the order of `sections`: per page, old id -> id in the document.

    The ids of the frame (the document around the pages) and the sections' own stay; the first page
    to use an id keeps it, a later one's becomes `<its section's id>-<id>` (pages share `#summary`,
    and footnotes are `fn:1` everywhere).
    """
    taken = frame | {section.get("id") for section in sections.values()}
    renames: dict[str, dict[str, str]] = {}
    for name, section in sections.items():
        mine = renames.setdefault(name, {})
        for element in _BELOW_WITH_ID(section):
            ident = element.get("id")
            if not ident:
                continue
            new, n = ident, 1
            while new in taken:
                n += 1
                new = f"{section.get('id')}-{ident}" + (f"-{n}" if n > 2 else "")
            taken.add(new)
            mine[ident] = new
            element.set("id", new)
    return renames


def relink(root: HtmlElement, page: str, renames: dict[str, dict[str, str]], outside: bool = False) -> None:
    """Links to pages become links to their sections; ids referred to inside a page follow their renaming.

    With `outside`, only the document's frame (header, menu, footer): its own ids were never renamed.
    """
    own = {} if outside else renames[page]
    for element in _ATTRIBUTED(root):
        if element.tag in ("a", "area") and element.get("href") is not None:
            element.set("href", _address(element.get("href"), own, renames))
        for attr in IDREFS:
            if element.get(attr):
                element.set(attr, " ".join(own.get(ident, ident) for ident in element.get(attr).split()))


def _address(href: str, own: dict[str, str], renames: dict[str, dict[str, str]]) -> str:
    """`03-zoning.html#zones` -> `#zones` (or its new name); `index.html` -> `#page-index`; others unchanged."""
    parts = urlsplit(href)
    if parts.scheme or parts.netloc or href.startswith("//"):
        return href
    path = unquote(parts.path)
    if not path:
        return "#" + own.get(parts.fragment, parts.fragment) if parts.fragment else href
    if path not in renames:
        return href  # a file, inlined later
    return "#" + (renames[path].get(parts.fragment, parts.fragment) if parts.fragment else section_id(path))
