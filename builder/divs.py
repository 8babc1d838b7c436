"""Pandoc fenced divs (`::: challenge`, `::: {.callout-tip title="…"}`) as pymdown-extensions blocks.

Carpentries, Quarto, R Markdown and pandoc lessons put their boxes in fenced divs. This pass finds
them on the source lines (fenced code skipped, quiz and survey blocks already taken out by
builder.quiz), pairs every fence as pandoc does — a bare colon line closes the innermost open div,
whatever its number of colons — and rewrites each div as a `///` block of pymdownx.blocks
(admonition or details), which does the Markdown inside: code, lists, nested boxes. Problems are
reported with the fence's own line. Jekyll lesson boxes and MkDocs content tabs are first turned
into fenced divs, line for line (`quoted_boxes`, `tab_boxes`), so they take the same way.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from markdown.extensions.attr_list import get_attrs_and_remainder

from builder.problems import Problems, closest

_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<colons>:{3,})(?P<rest>.*)$")
_HEADER = re.compile(r"^\s*(?:\{(?P<attrs>[^{}]*)\}|(?P<word>[^\s{}:]+))?\s*(?P<title>.*?)\s*:*\s*$")
_HEADING = re.compile(r"^[ \t]*#{2,6}[ \t]+(?P<text>[^{}]*?)[ \t#]*$")
_UNTITLED = re.compile(r"^[ \t]*(?:!!!|\?\?\?\+?)[ \t]+(?P<kind>[\w-]+)[ \t]*$")
_ANY_HEADING = re.compile(r"^[ \t]*#{2,6}[ \t]")
_IDENT = re.compile(r"^-?[^\W\d][\w-]*$")  # what pymdownx.blocks takes as a class or an id
QUESTION_BLOCKS = ("quiz", "survey")
TAB_SET = "data-cp-set"  # tabs of one set (builder.tabs): a panel-tabset's, or MkDocs tabs from a '===!' on
KEPT_ID = "data-cp-id"  # an id pymdownx.blocks refuses (`#fig:map`, `#1st`) rides here; builder.pages restores it


@dataclass(frozen=True)
class Kind:
    """How a div class is shown: its box style, whether it folds (<details>), its default title's locale key."""

    style: str
    folded: bool = False

    @property
    def label(self) -> str:
        return f"box_{self.style}"


# Carpentries (sandpaper), Quarto callouts and the admonition types of Python-Markdown / MkDocs Material.
KINDS: dict[str, Kind] = {
    **{name: Kind(name) for name in ("callout", "challenge", "prereq", "keypoints", "objectives", "questions",
                                     "discussion", "testimonial", "checklist", "note", "tip", "warning",
                                     "important", "caution", "example")},
    **{name: Kind(name, folded=True) for name in ("solution", "hint", "spoiler", "instructor")},
    **{f"callout-{name}": Kind(name) for name in ("note", "tip", "warning", "important", "caution")},
    "info": Kind("note"), "danger": Kind("important"), "attention": Kind("warning"), "error": Kind("important"),
}


@dataclass
class Div:
    """One fenced div: where it opens and closes, and what its header says."""

    line: int  # index of the opening fence among the body lines
    indent: str
    classes: list[str] | None  # None: a header that is no div, reported
    attrs: dict[str, str]
    title: str
    end: int = -1
    children: list["Div"] = field(default_factory=list)

    @property
    def height(self) -> int:
        return 1 + max((child.height for child in self.children), default=0)

    @property
    def kind(self) -> Kind | None:
        return next((KINDS[c] for c in self.classes or () if c in KINDS), None)


def convert_divs(lines: list[str], prose: list[str], first: int, path: Path, labels: dict[str, str],
                 problems: Problems) -> list[str]:
    """`lines` with every fenced div as a pymdownx block; `prose` is the source with fenced code blanked.

    `!!! note` and `??? note` boxes without a title get their kind's name in the page's language too
    (Python-Markdown would write the English word).
    """
    out = [_titled(line, labels) if text and line.lstrip().startswith(("!!!", "???")) else line
           for line, text in zip(lines, prose)]
    blank = [line if text else "" for line, text in zip(lines, prose)]
    for div in _pair(blank, first, path, problems):
        _rewrite(div, out, labels, blank)
    return out


FRONT_MATTER_BOXES = (("questions", "objectives"), ("keypoints",))  # (at the top, at the end of the page)


def front_matter_boxes(meta: dict, names: tuple[str, ...]) -> list[str]:
    """Carpentries front-matter lists (`questions:`, `objectives:`, `keypoints:`) as `::: name` divs of list items."""
    lines: list[str] = []
    for name in names:
        if meta.get(name):
            lines += [f"::: {name}", "", *(f"- {item}" for item in meta[name]), "", ":::", ""]
    return lines


def _titled(line: str, labels: dict[str, str]) -> str:
    match = _UNTITLED.match(line)
    kind = KINDS.get(match["kind"]) if match else None
    if kind is None or kind.style != match["kind"] or kind.label not in labels:
        return line  # a kind of its own (`!!! danger`): Python-Markdown's title, the kind's name
    return f'{line.rstrip()} "{labels[kind.label]}"'


def _pair(prose: list[str], first: int, path: Path, problems: Problems) -> list[Div]:
    """Every div, matched open to close with a stack, as pandoc does; unclosed or stray fences reported."""
    stack: list[Div] = []
    found: list[Div] = []
    for index, text in enumerate(prose):
        match = _FENCE.match(text)
        if not match:
            continue
        if not match["rest"].strip(" \t:"):
            if stack:
                stack.pop().end = index
            else:
                problems.error(path, first + index, "':::' closes no block", "open a block with '::: quiz Title' or "
                               "'::: survey Title' or a box with '::: callout', or remove this line")
            continue
        div = _header(match, index, first, path, problems)
        if div.classes is not None:  # a broken header still pairs with its closing fence, and is left as written
            (stack[-1].children if stack else found).append(div)
        stack.append(div)
    for div in stack:
        problems.error(path, first + div.line, f"'{prose[div.line].strip()}' is not closed",
                       "end it with a line holding only ':::'")
    return found


def _header(match: re.Match, index: int, first: int, path: Path, problems: Problems) -> Div:
    """The classes, attributes and title of an opening fence; classes None (and an error) when it is no div."""
    header = _HEADER.match(match["rest"])
    if header is None:
        problems.error(path, first + index, f"cannot read the box header '{match.group(0).strip()}'",
                       "write '::: name' or '::: {.name title=\"Title\"}'")
        return Div(index, match["indent"], None, {}, "")
    classes, attrs = [], {}
    if header["word"]:
        classes.append(header["word"].removeprefix("."))
    pairs = get_attrs_and_remainder(header["attrs"] or "")[0]
    for key, value in pairs:
        if key == ".":
            classes.append(value)
        elif key == "#":
            attrs["id"] = value
        elif value is None:  # MyST writes `:::{note} Title`: a bare word names the box
            classes.append(key)
            if len(pairs) > 1:
                problems.warn(path, first + index, f"'{key}' in '{{{header['attrs'].strip()}}}' is taken as the "
                              f"class '.{key}'", f"write '.{key}' for a class; an id has no spaces "
                              f"('#{attrs.get('id', 'name')}-{key}')")
        else:
            attrs[key] = value
    for name in classes:
        if not _IDENT.match(name):
            problems.warn(path, first + index, f"class '.{name}' is left out: a class starts with a letter and "
                          "holds only letters, digits, '-' and '_'", f"rename it, e.g. '.{_identifier(name)}'")
    word = classes[0] if classes else ""
    suggestion = closest(word, QUESTION_BLOCKS) if header["title"] and word not in KINDS else None
    if suggestion:
        problems.error(path, first + index, f"unknown block '::: {word}'", f"did you mean '{suggestion}'?")
        return Div(index, match["indent"], None, {}, "")
    return Div(index, match["indent"], classes, attrs, header["title"] or attrs.pop("title", ""))


def _rewrite(div: Div, out: list[str], labels: dict[str, str], blank: list[str]) -> None:
    """Replace the div's fences, inner divs first, by a block of pymdownx.blocks (`blank`: code lines blanked)."""
    if "panel-tabset" in div.classes and _tabset(div, out, labels, blank):
        return
    for child in div.children:
        _rewrite(child, out, labels, blank)
    kind = div.kind
    folded = (kind is not None and kind.folded) if "collapse" not in div.attrs else True
    title = div.title or _heading_title(div, out, folded)
    if not title and kind is not None and title is not None:
        title = labels.get(kind.label, "")
    options = {"attrs": _html_attrs(div, kind)}
    if folded:
        options["open"] = div.attrs.get("collapse", "true").lower() == "false"
    if kind is not None:
        options["type"] = kind.style
    slashes = "/" * (2 + div.height)
    name = "details" if folded else "admonition"
    lead = f"{div.indent}    "
    header = [f"{div.indent}{slashes} {name} | {_escape(title or '')}"]
    header += [f"{lead}{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in options.items() if value]
    out[div.line] = "\n".join(header) + "\n"
    out[div.end] = f"{div.indent}{slashes}"


_TAB_HEADING = re.compile(r"^[ \t]*(?P<level>#{1,6})[ \t]+(?P<text>.+?)[ \t#]*(?:\{[^{}]*\})?[ \t]*$")


def _tabset(div: Div, out: list[str], labels: dict[str, str], blank: list[str]) -> bool:
    """Quarto's `::: panel-tabset`: each heading of the first one's level starts a tab, made the titled tab
    box `=== "Tab"` makes (builder.tabs switches them); False, and left a plain box, when the tabset holds
    text before its first heading or a heading with no blank line above it to close the tab before."""
    inside = {i for child in div.children for i in range(child.line, child.end + 1)}
    found = [(i, _TAB_HEADING.match(blank[i])) for i in range(div.line + 1, div.end) if i not in inside]
    heads = [(i, m) for i, m in found if m and m["level"] == next(m for _, m in found if m)["level"]] \
        if any(m for _, m in found) else []
    if not heads or any(blank[i].strip() for i in range(div.line + 1, heads[0][0])) \
            or any(out[i - 1].strip() for i, _ in heads[1:]):
        return False
    ends = [i - 1 for i, _ in heads[1:]] + [div.end]
    out[div.line] = ""
    for (line, match), end in zip(heads, ends):
        tab = Div(line, div.indent, ["tab"], {TAB_SET: f"p{div.line}"}, match["text"], end,
                  [child for child in div.children if line < child.line < end])
        _rewrite(tab, out, labels, blank)
    return True


def _heading_title(div: Div, out: list[str], folded: bool) -> str | None:
    """A box that starts with a '## ' heading is titled by it (as in Carpentries lessons): a folded box's
    summary takes the heading's line ("": none, use the kind's name); an open box keeps the heading
    (None: no other title)."""
    first = next((out[i] for i in range(div.line + 1, div.end) if out[i].strip()), "")
    if not _ANY_HEADING.match(first):
        return ""
    if not folded:
        return None
    plain = _HEADING.match(first)  # a heading with {#id} keeps its anchor: it stays a heading
    if plain:
        out[out.index(first, div.line + 1)] = ""
        return plain["text"]
    return ""


def _html_attrs(div: Div, kind: Kind | None) -> dict[str, str]:
    """id, lang, dir and the classes the box keeps (pandoc users style their own); the rest is presentation."""
    classes = [c for c in div.classes if _IDENT.match(c) and (kind is None or KINDS.get(c) is not kind)]
    attrs = {key: value for key, value in div.attrs.items() if key in ("lang", "dir", TAB_SET)}
    if "id" in div.attrs:  # kept as written, so that links to it work: HTML takes any id without spaces
        attrs["id" if _IDENT.match(div.attrs["id"]) else KEPT_ID] = div.attrs["id"]
    if kind is None:
        classes.insert(0, "cp-box")
    if classes:
        attrs["class"] = " ".join(classes)
    return attrs


def _identifier(name: str) -> str:
    """'1st:col' -> 'c-1st-col': a class name pymdownx.blocks takes."""
    name = re.sub(r"[^\w-]+", "-", name).strip("-") or "box"
    return name if _IDENT.match(name) else f"c-{name}"


def _escape(title: str) -> str:
    """A title starting with '#' would become a heading inside the box's title."""
    return "\\" + title if title.startswith("#") else title


# --- Jekyll lessons: a blockquote, then `{: .challenge}` on the line below it ------------------------------

_IAL = re.compile(r"^(?P<lead>(?:[ ]{0,3}>[ ]?)*)\{:\s*\.(?P<kind>[\w-]+)\s*\}\s*$")
_QUOTES = re.compile(r"^(?:[ ]{0,3}>[ ]?)*")


def quoted_boxes(lines: list[str], prose: list[str]) -> bool:
    """Turn Jekyll lesson boxes (a blockquote followed by `{: .challenge}`, as the Carpentries' former
    lesson template writes them) into fenced divs, line for line; whether any was found.

    The blank line above the quote becomes the opening fence and the `{: .kind}` line the closing
    one, so every line keeps its number. Inner boxes come first in the file and are done first.
    """
    found = False
    for index, text in enumerate(prose):
        match = _IAL.match(text)
        if not match or match["kind"] not in KINDS:
            continue
        depth = match["lead"].count(">")
        start = index
        while start > 0 and _depth(lines[start - 1]) > depth:
            start -= 1
        if start == index or start == 0 or lines[start - 1][len(_QUOTES.match(lines[start - 1])[0]):].strip():
            continue
        lead = match["lead"].rstrip() + (" " if depth else "")
        lines[start - 1], lines[index] = f"{lead}::: {match['kind']}", f"{lead}:::"
        lines[start:index] = [_unquote(line, depth) for line in lines[start:index]]
        found = True
    return found


def _depth(line: str) -> int:
    return _QUOTES.match(line)[0].count(">")


def _unquote(line: str, depth: int) -> str:
    """The line with its quote marker number `depth + 1` (and one space after it) taken out."""
    seen = 0
    for at, char in enumerate(line):
        if char == ">":
            seen += 1
            if seen == depth + 1:
                rest = line[at + 1:]
                return line[:at] + (rest[1:] if rest.startswith(" ") else rest)
        elif char not in " \t":
            break
    return line


# --- MkDocs Material content tabs: `=== "Windows"` and its indented content --------------------------------

_TAB = re.compile(r'^(?P<lead>[ \t]*)===(?P<mark>[+!]?)[ \t]+"(?P<title>[^"]*)"[ \t]*$')


def tab_boxes(lines: list[str], prose: list[str]) -> bool:
    """Show content tabs (`=== "Windows"`, indented content) one after another, each in a box titled by
    its tab: the page stays readable without the tabs' script and styles. Line for line, as above."""
    found = False
    for index, text in enumerate(prose):
        match = _TAB.match(text)
        if not match:
            continue
        inner = match["lead"] + "    "
        end = index
        while end + 1 < len(lines) and (lines[end + 1].startswith(inner) or not lines[end + 1].strip()):
            end += 1
        while end > index and not lines[end].strip():
            end -= 1
        if end == index or (end + 1 < len(lines) and lines[end + 1].strip()):
            continue  # no content, or no blank line to close on: left as written
        if end + 1 == len(lines):
            lines.append("")
        new_set = f' {TAB_SET}="!{index}"' if match["mark"] == "!" else ""
        lines[index] = f'{match["lead"]}::: {{.tab title="{match["title"]}"{new_set}}}'
        lines[end + 1] = f'{match["lead"]}:::'
        lines[index + 1:end + 1] = [line[len(inner):] if line.startswith(inner) else line.strip()
                                    for line in lines[index + 1:end + 1]]
        found = True
    return found
