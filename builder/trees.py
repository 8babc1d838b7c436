"""Small edits of lxml trees shared by the page and image stages."""

from __future__ import annotations

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
