"""Content tabs (MkDocs Material's `=== "Windows"`) that switch without JavaScript.

builder.divs makes each tab a titled box, one after another: what a page shows with styles off,
and in print. Here each run of such boxes gets a radio button and a label per tab in front of it
(the CSS-only pattern of pymdownx.tabbed's alternate style): coursepack.css shows the box whose
button is checked and hides the boxes' own titles, which the labels repeat. The buttons are real
form controls, so Tab reaches the set, arrow keys switch tabs and screen readers say "Linux, radio
button, 2 of 2". Print hides the buttons and shows every box with its title.
"""

from __future__ import annotations

from lxml import etree
from markdown.extensions.toc import unique

from builder.divs import TAB_SET
from builder.docids import ids_in

MAX_TABS = 8  # coursepack.css has a rule per position up to here; a longer run stays one box after another
_BOX = "admonition cp-box tab"


def switchable_tabs(root: etree._Element, prefix: str) -> None:
    """Give each run of 2 to MAX_TABS tab boxes its radio buttons; `prefix` keeps ids unique in print.html.

    The page's own ids stay theirs: a button's id already taken (an author's heading or anchor id) gets
    `_1`, as a heading gives way to a quiz, and its label follows."""
    used = ids_in(root)
    for number, run in enumerate(_runs(root), 1):
        group = f"{prefix}-tabs-{number}"
        tabs = etree.Element("div", {"class": "cp-tabs"})
        run[0].addprevious(tabs)
        tabs.text, tabs.tail, run[-1].tail = "\n", run[-1].tail, "\n"
        for index, box in enumerate(run, 1):
            ident = unique(f"{group}-{index}", used)
            button = etree.SubElement(tabs, "input", {"type": "radio", "name": group, "id": ident})
            if index == 1:
                button.set("checked", "")
            label = etree.SubElement(tabs, "label", {"for": button.get("id")})
            label.text = "".join(box.find("p").itertext())
            label.tail = "\n"
        tabs.extend(run)


def _runs(root: etree._Element) -> list[list[etree._Element]]:
    """Tab boxes of one set that follow each other with only white space between them, 2 to MAX_TABS a run.

    A box's set (TAB_SET) is its panel-tabset's, or that of the '===!' that began a new set of MkDocs tabs.
    """
    runs: list[list[etree._Element]] = []
    sets: list[str | None] = []
    for box in root.xpath(f".//div[@class='{_BOX}']"):
        previous, mark = box.getprevious(), box.attrib.pop(TAB_SET, None)
        if runs and previous is runs[-1][-1] and not (previous.tail or "").strip() and _joins(mark, sets[-1]):
            runs[-1].append(box)
        else:
            runs.append([box])
            sets.append(mark)
    return [run for run in runs if 1 < len(run) <= MAX_TABS]


def _joins(mark: str | None, current: str | None) -> bool:
    """A box of the set being read; a plain MkDocs tab joins MkDocs tabs (None, or begun by '===!'), not a tabset."""
    return mark == current or (mark is None and (current is None or current.startswith("!")))


def tabs_in_a_row(root: etree._Element) -> None:
    """Undo switchable_tabs: every tab a titled box, one after another (an e-book has no buttons to press)."""
    for tabs in root.xpath(".//div[@class='cp-tabs']"):
        boxes = tabs.findall("div")
        boxes[-1].tail = tabs.tail
        for box in boxes:
            tabs.addprevious(box)
        tabs.getparent().remove(tabs)
