"""Python-Markdown additions for lessons written for pandoc, Quarto and Jekyll: figures, table captions, alt text.

- Figures: an image alone in its paragraph becomes `<figure>` + `<figcaption>` when its caption is
  marked as pandoc, Quarto and R Markdown lessons mark it — `![Caption](x.png){alt="…"}` (also
  `fig-alt`, `fig-cap`, or an id `#fig-…`) — or, as in Jekyll lessons, when an italic line directly
  follows it (`![alt](x.png)` then `*Caption*`, in the same paragraph or the next).
- Table captions: pandoc's `: Caption` or `Table: Caption` paragraph right after a table is its `<caption>`.
- Alt text: `![](x.png)` keeps no alt attribute at all, so the page check (builder.pages) tells a
  missing description from a decorative image marked `{: alt="" }`; both come from the tree itself.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree

from markdown import Extension, Markdown
from markdown.blockprocessors import BlockProcessor
from markdown.extensions.attr_list import get_attrs_and_remainder
from markdown.treeprocessors import Treeprocessor

_ATTRS = re.compile(r"^\s*+\{:?(?P<attrs>[^{}\n]*)\}\s*$")  # attrs stripped after: a lazy group backtracked cubically
_CAPTION = re.compile(r"^(?:[Tt]able)?:[ \t]+(?P<text>\S.*?)(?:[ \t]*\{(?P<attrs>[^{}\n]*)\})?\s*$", re.S)
_DELIMITER_ROW = re.compile(r"^[ \t|:-]*-[ \t|:-]*$")
FIGURE_KEYS = ("alt", "fig-alt", "fig-cap")


class MarkupExtension(Extension):
    """Figures, table captions and honest alt attributes (see the module docstring)."""

    def extendMarkdown(self, md: Markdown) -> None:
        # after the inline images (20), before attr_list (8) applies `{…}` and hides what the brackets held
        md.treeprocessors.register(_Images(md), "coursepack_images", 9)
        # before the table (75) takes the caption line as a row, and def_list (25) as a definition
        md.parser.blockprocessors.register(_TableCaption(md.parser), "coursepack_table_caption", 76)


class _Images(Treeprocessor):
    """One walk over the tree: lone images with a caption become figures; empty alt attributes go."""

    def run(self, root: etree.Element) -> None:
        if next(root.iter("img"), None) is None:  # a page without images: no walk in Python at all
            return
        for parent in list(root.iter()):
            children = list(parent)
            for index, child in enumerate(children):
                if child.tag == "img" and not child.get("alt") and child.get("data-cp-attrs") is None:
                    child.attrib.pop("alt", None)  # `{: alt="" }` puts it back, for a decorative image
                elif child.tag == "p":
                    following = children[index + 1] if index + 1 < len(children) else None
                    _figure(self.md, parent, child, following)
                if child.tag == "img":
                    child.attrib.pop("data-cp-attrs", None)


def _lone_image(p: etree.Element) -> etree.Element | None:
    """The paragraph's image, when the paragraph holds nothing else (but a following italic line)."""
    if (p.text or "").strip() or not len(p) or p[0].tag != "img" or len(p) > 2:
        return None
    if len(p) == 2 and not (p[1].tag == "em" and "\n" in (p[0].tail or "") and not (p[0].tail or "").strip()
                            and not (p[1].tail or "").strip()):
        return None
    return p[0]


def _figure(md: Markdown, parent: etree.Element, p: etree.Element, following: etree.Element | None) -> None:
    """Make `p` a <figure> when its lone image carries a caption (see the module docstring)."""
    img = _lone_image(p)
    if img is None:
        return
    words = img.get("alt") or ""
    attrs = _ATTRS.match(img.tail or "") if len(p) == 1 else None
    if attrs:
        _attributed_figure(md, p, img, words, attrs["attrs"].strip())
    elif len(p) == 2:
        _italic_figure(p, img, p[1])
    elif following is not None and _only_italic(following):
        _italic_figure(p, img, following[0])
        parent.remove(following)


def _attributed_figure(md: Markdown, p: etree.Element, img: etree.Element, words: str, raw: str) -> None:
    """`![Caption](x.png){alt="…"}`, pandoc and Quarto's way: the bracket text is the caption."""
    found = dict(get_attrs_and_remainder(raw)[0])
    caption = found.get("fig-cap") or words
    if not caption or not (any(key in found for key in FIGURE_KEYS) or str(found.get("id", "")).startswith("fig-")):
        return
    img.attrib.pop("alt", None)  # the bracket text is the caption; an alt now is the attributes' own
    md.treeprocessors["attr_list"].assign_attrs(img, raw)
    img.set("data-cp-attrs", "")  # its alt is the author's now, even an empty one
    img.tail = None
    alt = img.attrib.pop("fig-alt", None)
    img.attrib.pop("fig-cap", None)
    if alt is not None:
        img.set("alt", alt)
    described = img.get("alt") is not None
    if not described:
        img.set("alt", caption)  # as pandoc: the caption describes the image, and is read once
    p.tag = "figure"
    figcaption = etree.SubElement(p, "figcaption", {} if described else {"aria-hidden": "true"})
    figcaption.text = caption


def _only_italic(p: etree.Element) -> bool:
    return p.tag == "p" and len(p) == 1 and p[0].tag == "em" and not (p.text or "").strip() \
        and not (p[0].tail or "").strip()


def _italic_figure(p: etree.Element, img: etree.Element, em: etree.Element) -> None:
    """`![alt](x.png)` and an italic line below it: Jekyll's caption; the alt stays the alt."""
    p.tag = "figure"
    img.tail = None
    if em in p:
        p.remove(em)
    em.tag, em.tail = "figcaption", None
    p.append(em)


class _TableCaption(BlockProcessor):
    """`: Caption` or `Table: Caption` after a table (with or without a blank line between), or
    `Table: Caption` before one, as pandoc reads them."""

    def test(self, parent: etree.Element, block: str) -> bool:
        if _CAPTION.match(block):
            return self._uncaptioned(parent) is not None or block.lower().startswith("table:")
        rows, _, last = block.rstrip("\n").rpartition("\n")  # the last line first: most blocks end no table
        return bool(_CAPTION.match(last)) and _is_table(rows.split("\n"))

    def run(self, parent: etree.Element, blocks: list[str]) -> None:
        block = blocks.pop(0)
        if not _CAPTION.match(block):  # table rows, then the caption line
            table, _, block = block.rstrip("\n").rpartition("\n")
            self.parser.parseBlocks(parent, [table])
        elif self._uncaptioned(parent) is None:  # `Table: …` above a table, or a paragraph after all
            below = blocks[0].rstrip("\n").split("\n") if blocks else []
            if not _is_table(below) or _CAPTION.match(below[-1]):  # no table, or one with its own caption
                etree.SubElement(parent, "p").text = block.strip()
                return
            self.parser.parseBlocks(parent, [blocks.pop(0)])
        table = self._uncaptioned(parent)
        if table is None:  # the rows were no table for the tables extension: the line is text
            etree.SubElement(parent, "p").text = block.strip()
            return
        match = _CAPTION.match(block)
        caption = etree.Element("caption")
        caption.text = match["text"]
        table.insert(0, caption)  # a caption is a table's first child
        if match["attrs"]:
            self.parser.md.treeprocessors["attr_list"].assign_attrs(table, match["attrs"])

    def _uncaptioned(self, parent: etree.Element) -> etree.Element | None:
        last = self.lastChild(parent)
        return last if last is not None and last.tag == "table" and last.find("caption") is None else None


def _is_table(lines: list[str]) -> bool:
    """Rows of a pipe table: a header row, then a delimiter row."""
    return len(lines) > 1 and "|" in lines[0] and bool(_DELIMITER_ROW.match(lines[1]))


def makeExtension(**kwargs) -> MarkupExtension:  # noqa: N802 (Python-Markdown's name)
    """Python-Markdown loads an extension by module name through this function."""
    return MarkupExtension(**kwargs)
