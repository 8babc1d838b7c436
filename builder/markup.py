"""Markdown module files to HTML fragments, with front matter and source lines kept."""

from __future__ import annotations

import html
import re
from bisect import bisect_right
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from importlib import import_module
from pathlib import Path

import markdown
from anyascii import anyascii
from markdown.extensions.toc import slugify

from builder import schema
from builder.divs import quoted_boxes, tab_boxes
from builder.limits import FRONT_MATTER_CHARS
from builder.mdext import MarkupExtension
from builder.problems import Problems
from builder.yamlfile import parse_yaml

# pymdownx.superfences (not fenced_code): fenced code also inside boxes and list items; pymdownx.blocks: the
# `///` boxes builder.divs writes for pandoc fenced divs, and `/// caption`; pymdownx.details: MkDocs' `???`.
# Full module paths: a short name makes Python-Markdown read every installed package's entry points first.
EXTENSIONS = ["markdown.extensions.tables", "pymdownx.superfences", "markdown.extensions.footnotes",
              "markdown.extensions.admonition", "pymdownx.details", "pymdownx.blocks.admonition",
              "pymdownx.blocks.details", "pymdownx.blocks.caption", "markdown.extensions.attr_list",
              "markdown.extensions.def_list", "markdown.extensions.toc", "markdown.extensions.md_in_html",
              "markdown.extensions.sane_lists", "markdown.extensions.abbr", MarkupExtension()]
# A code fence, also inside a box, list item or quote; R Markdown / Quarto chunks write the language as {r}.
_FENCE = re.compile(r"^(?P<lead>[ \t>]*)(?P<fence>`{3,}|~{3,})(?P<info>.*)$")
_KRAMDOWN_LANG = re.compile(r"^(?P<lead>[ \t>]*)\{:\s*\.(?:language-)?(?P<lang>[\w+-]+)\s*\}\s*$")
_CHUNK = re.compile(r"^\s*\{(?P<lang>[A-Za-z][\w+-]*)(?:[\s,][^}]*)?\}\s*$")
_FRONT_END = {"---", "..."}
_CHUNK_MARK = "data-cp-chunk"
_CHUNK_OPTIONS = re.compile(r"\A(?:[ \t]*#\|.*\n?)+")  # Quarto's option lines, at the top of a chunk


@dataclass
class Source:
    """A module file's text split into front matter and body, with helpers to find lines."""

    path: Path
    body: str
    meta: dict = field(default_factory=dict)
    body_start: int = 1  # line number of the body's first line
    prose: list[str] = field(default_factory=list)  # body lines, fenced code blanked
    _seen: dict[str, int] = field(default_factory=dict)  # needle -> where in _prose its next search starts

    def line_of(self, needle: str) -> int:
        """Line of the next not-yet-reported occurrence of `needle` in prose (0 when absent).

        One search of the joined prose per call, resumed where the last one for the same needle ended:
        a page with thousands of links takes linear time, not a scan of every line per link.
        """
        text, starts = self._prose
        found = text.find(needle, self._seen.get(needle, 0)) if "\n" not in needle else -1
        if found < 0:
            return 0
        number = bisect_right(starts, found) - 1
        self._seen[needle] = starts[number + 1] if number + 1 < len(starts) else len(text) + 1
        return self.body_start + number

    @cached_property
    def _prose(self) -> tuple[str, list[int]]:
        """The prose lines joined, and where each line starts."""
        starts, offset = [], 0
        for line in self.prose:
            starts.append(offset)
            offset += len(line) + 1
        return "\n".join(self.prose), starts

    def lines_matching(self, regex: re.Pattern) -> list[tuple[int, re.Match]]:
        """Every match of `regex` in prose lines, with its line number."""
        return [(self.body_start + n, m) for n, line in enumerate(self.prose) for m in regex.finditer(line)]


def split_source(text: str, path: Path, problems: Problems) -> Source:
    """Separate YAML front matter (between '---' lines at the top) from the Markdown body."""
    lines = text.split("\n")
    meta: dict = {}
    start = 0
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in _FRONT_END), None)
        if end is None:
            problems.error(path, 1, "front matter is not closed", "end it with a line holding only '---'")
        else:
            front = "\n".join(lines[1:end])
            if len(front) > FRONT_MATTER_CHARS:  # checked before parsing: YAML is slow in pure Python
                problems.error(path, 1, f"front matter of {len(front):,} characters, over the limit of "
                               f"{FRONT_MATTER_CHARS:,}", "keep only the title, description and duration there")
            elif (doc := parse_yaml(front, path, problems, first_line=2)) is not None:
                meta = schema.validate(doc, schema.FRONT_MATTER, problems)
            start = end + 1
    body_lines = lines[start:]
    prose = _blank_fences(body_lines)
    if quoted_boxes(body_lines, prose):
        prose = _blank_fences(body_lines)
    if tab_boxes(body_lines, prose):
        prose = _blank_fences(body_lines)
    return Source(path, "\n".join(body_lines), meta, start + 1, prose)


def _blank_fences(lines: list[str]) -> list[str]:
    """Blank fenced code so that searches for links and headings skip examples.

    As SuperFences does, a fence may be indented or quoted; it closes with the same character, at
    least as many times, and nothing else. The code's language, written as R Markdown does
    (```{r}) or as Jekyll lessons do (`{: .language-r}` under the closing fence), is rewritten in
    `lines` to the plain form (```r).
    """
    out: list[str] = []
    fence, opener = None, 0
    for index, line in enumerate(lines):
        match = _FENCE.match(line)
        if fence is None and match and "`" not in (match["info"] if match["fence"][0] == "`" else ""):
            fence, opener = match["fence"], index
            chunk = _CHUNK.match(match["info"])
            if chunk:  # marked, so that code_block leaves out the chunk's `#| echo: false` option lines
                lines[index] = f"{match['lead']}{fence}{{.{chunk['lang']} {_CHUNK_MARK}=\"\"}}"
            out.append("")
        elif fence is not None:
            if match and match["fence"][0] == fence[0] and len(match["fence"]) >= len(fence) \
                    and not match["info"].strip():
                fence = None
                _language_below(lines, opener, index)
            out.append("")
        else:
            out.append(line)
    return out


def _language_below(lines: list[str], opener: int, closer: int) -> None:
    """`{: .language-r}` right under a closing fence names the language of a fence that has none."""
    below = _KRAMDOWN_LANG.match(lines[closer + 1]) if closer + 1 < len(lines) else None
    above = _FENCE.match(lines[opener])
    if below and not above["info"].strip():
        lines[opener] = f"{above['lead']}{above['fence']}{below['lang']}"
        lines[closer + 1] = below["lead"].rstrip()


def code_block(source: str, language: str, class_name: str, options: dict, md: markdown.Markdown, **kwargs) -> str:
    """A fenced block (an R Markdown or Quarto chunk without its `#|` options) as plain `<pre><code class="language-x">`: no highlighting, whose CSS every page would carry."""
    lang = f' class="language-{html.escape(language)}"' if language else ""
    if _CHUNK_MARK in (kwargs.get("attrs") or {}):  # Quarto shows a chunk without its options; so do we
        source = _CHUNK_OPTIONS.sub("", source)
    return f"<pre><code{lang}>{html.escape(source, quote=False)}\n</code></pre>"


def heading_id(text: str, separator: str) -> str:
    """A heading's id in ASCII letters whatever its script (`Карта зон` -> `karta-zon`): Markdown's own
    slugify drops every non-Latin letter, which left Russian, Arabic or Chinese headings with empty ids."""
    return slugify(anyascii(text), separator)


_TOC = "markdown.extensions.toc"
_TOC_MARKER = "[TOC]"  # toc's default, written out: a page converted with every extension keeps it
_CONFIGS = {_TOC: {"toc_depth": "1-3", "slugify": heading_id, "marker": _TOC_MARKER},
            "pymdownx.superfences": {"custom_fences": [{"name": "*", "class": "", "format": code_block}]},
            # no "Figure 1." / "Table 1." prefixes: English words, and numbers nothing else on the page uses
            "pymdownx.blocks.caption": {"types": ["caption", "figure-caption", "table-caption"], "auto": False}}
# Per page, an extension whose syntax its text cannot hold is left out: it would only add passes (tables,
# footnotes, admonitions, pymdownx.blocks' manager each cost a walk or a test of every block) and imports
# (pymdownx.blocks.html: ~50 ms of regexes). A trigger is a string that any use of the syntax contains,
# or that any output change the extension makes on other text needs (read in each extension's source):
# the escapes they add (`\|` by tables, `\/` by pymdownx.blocks), and the elements another extension
# reacts to (an indented block after a `/// note` box joins it through admonition, after `/// details`
# through pymdownx.details). Always on: superfences (every fence), toc (every heading's id), sane_lists
# (every list) and ours (every image); toc looks for its `[TOC]` paragraph only in text that holds one.
# When in doubt, an extension stays on.
_OURS = "builder.mdext"
_NAMES = tuple(name if isinstance(name, str) else _OURS for name in EXTENSIONS)
_ALWAYS = ("pymdownx.superfences", _TOC, "markdown.extensions.sane_lists", _OURS)
_BLOCKS = ("///", "\\/")  # a pymdownx.blocks box, or a `\/` it unescapes
_TRIGGERS = {"markdown.extensions.tables": ("|",),
             "markdown.extensions.footnotes": ("[^", "\x02"),  # \x02: its placeholders start so
             "markdown.extensions.admonition": ("!!!", "///"),  # ...or in a `/// note` box's indented sequel
             "pymdownx.details": ("???", "///"),  # ...or in a `/// details` box's indented sequel
             "pymdownx.blocks.admonition": _BLOCKS, "pymdownx.blocks.details": _BLOCKS,
             "pymdownx.blocks.caption": _BLOCKS,
             "markdown.extensions.attr_list": ("{",),
             "markdown.extensions.md_in_html": ("<",),
             "markdown.extensions.abbr": ("*[",)}
# def_list: `: ` at a line's start or after a mark (a quote's `>`, a list's `-` or `1.`, a tag's `>`) that
# the blocks its processor sees no longer hold; not after a letter ("Note: "), a footnote's or reference's
# `]: ` or attr_list's `{: `.
_COLON = re.compile(r":[ \t]")
_NOT_A_MARK = "]{_"


def _may_define(body: str) -> bool:
    """Whether a line of `body` may be a definition (`: text`) for def_list."""
    for match in _COLON.finditer(body):
        at = match.start()
        while at and body[at - 1] in " \t":  # each run of spaces is walked once: linear in the text
            at -= 1
        mark = body[at - 1] if at else "\n"
        if not (mark.isalnum() or mark in _NOT_A_MARK):
            return True
    return False


def extensions_for(body: str) -> tuple[str, ...]:
    """The extensions (module names, in EXTENSIONS' order) whose syntax `body` may hold: the others would
    change nothing on it but its conversion time."""
    if "<" in body and "markdown" in body.lower():  # Markdown inside HTML (`<div markdown>`) can make any
        return _NAMES  # element any extension reacts to: all stay on
    return tuple(name for name in _NAMES if name in _ALWAYS or any(t in body for t in _TRIGGERS.get(name, ()))
                 or name == "markdown.extensions.def_list" and _may_define(body))


@lru_cache(maxsize=16)  # the distinct sets a catalogue's pages need are few; a bound keeps memory flat
def _markdown(names: tuple[str, ...], marker: str) -> markdown.Markdown:
    """A converter with these extensions; toc replaces a paragraph `marker` by the contents ("": no search)."""
    configs = {**_CONFIGS, _TOC: {**_CONFIGS[_TOC], "marker": marker}}
    return _Markdown(extensions=list(names), extension_configs=configs, output_format="html")


class _Markdown(markdown.Markdown):
    def build_extension(self, ext_name: str, configs: dict) -> markdown.Extension:
        """By module name: Markdown's own way first scans every installed package's entry points (~10 ms)."""
        return import_module(ext_name).makeExtension(**configs)


def to_html(body: str, every_extension: bool = False) -> tuple[str, list[dict]]:
    """Render Markdown with the extensions its text needs (or all of them); also return the heading tree."""
    if every_extension:
        md = _markdown(_NAMES, _TOC_MARKER)
    else:  # toc's search for its `[TOC]` paragraph walks every element's text: only where the text holds one
        md = _markdown(extensions_for(body), _TOC_MARKER if _TOC_MARKER in body else "")
    md.reset()
    try:
        html = md.convert(body)
    except BaseException:  # e.g. a RecursionError can leave the instance half-way (its parser's states)
        _markdown.cache_clear()
        raise
    return html, md.toc_tokens
