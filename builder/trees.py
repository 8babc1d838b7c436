"""Small edits of lxml trees shared by the page and image stages."""

from __future__ import annotations

import html

import lxml.html
from lxml import etree


def remove_keeping_tail(element: etree._Element) -> None:
    """Remove an element but keep the text that follows it (lxml stores that text on the element)."""
    parent = element.getparent()
    if parent is None:
        return
    if element.tail and element.tail.strip():
        previous = element.getprevious()
        if previous is not None:
            previous.tail = (previous.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")


def demote_headings(root: etree._Element) -> None:
    """Every heading one level down: h1 -> h2 ... h6 -> a level-7 heading (ARIA knows levels past 6)."""
    for element in root.iter():
        if element.tag in HEADINGS:
            level = int(element.tag[1]) + 1
            if level <= 6:
                element.tag = f"h{level}"
            else:
                element.tag = "p"
                element.set("role", "heading")
                element.set("aria-level", str(level))
        elif element.get("role") == "heading" and (element.get("aria-level") or "").isdigit():
            element.set("aria-level", str(int(element.get("aria-level")) + 1))


def inner_html(root: etree._Element) -> str:
    """The HTML inside `root`, without `root` itself (a fragment parsed with a made-up parent)."""
    if root.tag == "div" and not root.attrib and not root.tail:  # as parsed: serialise it whole, in one call
        return lxml.html.tostring(root, encoding="unicode")[len("<div>"):-len("</div>")]
    inner = html.escape(root.text or "", quote=False)
    return inner + "".join(lxml.html.tostring(child, encoding="unicode") for child in root)
