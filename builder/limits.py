"""The size and shape limit of every input, in one place, each checked before the input is parsed.

Courses come from many hands, and a build must stay bounded in time and memory whatever they hold:
a YAML alias bomb, a 50 MB module or a paragraph of ten thousand '[' would otherwise run for
minutes or exhaust memory. Each limit leaves ample room for real courses; docs/authoring.md
("Limits") lists them for authors. The figures behind them are in docs/decisions.md.
"""

from __future__ import annotations

import re
from bisect import bisect_left
from dataclasses import dataclass

KB, MB = 1000, 1_000_000


@dataclass(frozen=True)
class Role:
    """What a course file is used as: its name in messages, its largest size, how to get under it, and
    whether it must be UTF-8 text."""

    name: str
    max_bytes: int
    smaller: str
    text: bool = False


_SPLIT = "split it into smaller files"
COURSE_YAML = Role("course.yaml", 100 * KB, "keep long texts in the modules", text=True)
MODULE = Role("module", 1 * MB, "split it into several modules", text=True)
TRANSCRIPT = Role("transcript", 1 * MB, _SPLIT, text=True)
CAPTIONS = Role("caption file", 2 * MB, "split the video and its captions", text=True)
STRINGS = Role("interface strings file", 100 * KB, "keep only the strings you change", text=True)
TEMPLATE = Role("template", 1 * MB, _SPLIT, text=True)
STYLESHEET = Role("stylesheet", 5 * MB, "remove what the course does not use", text=True)
SCRIPT = Role("script", 5 * MB, "remove what the course does not use", text=True)
DRAWING = Role("SVG drawing", 10 * MB, "simplify it in the drawing program")  # XML: it declares its encoding
IMAGE = Role("image", 50 * MB, "save it smaller in an image editor")
MEDIA = Role("audio or video file", 500 * MB, "export it at a lower resolution or bitrate")
FILE = Role("file", 500 * MB, "make it smaller or split it")

_BY_SUFFIX = {".css": STYLESHEET, ".js": SCRIPT, ".vtt": CAPTIONS, ".svg": DRAWING, ".png": IMAGE,
              ".jpg": IMAGE, ".jpeg": IMAGE, ".gif": IMAGE, ".webp": IMAGE, ".avif": IMAGE}
_MEDIA_SUFFIXES = {".mp4", ".m4v", ".webm", ".ogv", ".mov", ".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus",
                   ".wav", ".flac"}

FRONT_MATTER_CHARS = 20_000  # a module's front matter: YAML is parsed in pure Python, ~15 KB a second at worst
YAML_DEPTH = 10  # nested mappings and lists: course.yaml needs 4 (translations.es.keywords[0])
NUMBER_DIGITS = 30  # a YAML number longer than this is a mistake (and Python refuses > 4300 digits)
ID_LENGTH = 64  # course id: part of every package file name, which must stay under 255 bytes
VERSION_LENGTH = 32
LANGUAGE_LENGTH = 35  # longest language tag: BCP 47 asks for 35 characters at least
# What a learner may say of themselves on My progress, written as `profile` in the results file and read by
# `coursepack report --group-by` (builder.results); the input's maxlength, and the most choices a course presets.
LEARNER_FIELDS = ("town", "organisation", "cohort")
LEARNER_FIELD_LENGTH = 100
LEARNER_CHOICES = 1000
LINE_CHARS = 50_000  # one line of a module or transcript
PARAGRAPH_CHARS = 200_000  # lines without a blank line between them (a table is one)
UNCLOSED_SCAN = 5_000_000  # characters Markdown may search for brackets that never close, per file


# Module files: Markdown, R Markdown (Carpentries episodes) and Quarto, all read as Markdown.
MODULE_SUFFIXES = (".md", ".rmd", ".qmd")


def module_suffix(name: str) -> str:
    """'01-intro.Rmd' -> '.Rmd', as written; '' when the file is no module file."""
    stem, dot, ext = name.rpartition(".")
    return f".{ext}" if dot and stem and f".{ext.lower()}" in MODULE_SUFFIXES else ""


def role_of(suffix: str) -> Role:
    """The role of a file a page links to or loads, from its suffix."""
    suffix = suffix.lower()
    return MEDIA if suffix in _MEDIA_SUFFIXES else _BY_SUFFIX.get(suffix, FILE)


@dataclass(frozen=True)
class Shape:
    """Where a Markdown text breaks a shape limit: the line (counted from the text's first) and what is wrong."""

    line: int
    message: str
    hint: str


def markdown_shape(lines: list[str], prose: list[str] | None = None) -> Shape | None:
    """The first shape limit `lines` of Markdown break, or None; `prose` is the same lines with fenced code
    blanked, which Markdown sets aside before it looks for links and tags.

    Python-Markdown is linear in the length of ordinary text, but looks from every '[', '](' and '<'
    for its closing character up to the end of the paragraph (or of the file, for '<'): brackets that
    never close make it quadratic (5,000 '[' in a row take 4 s, 10,000 take 40 s). The characters it
    would search are counted here, in one pass, before it runs.
    """
    for number, line in enumerate(lines):
        if len(line) > LINE_CHARS:
            return Shape(number, f"line of {len(line):,} characters, over the limit of {LINE_CHARS:,}",
                         "break it into paragraphs; put a large drawing or table in a file of its own")
    text = "\n".join(line if line.strip() else "" for line in (lines if prose is None else prose))
    scan, longest, at = _tag_scan(text)
    offset = 0
    for block in text.split("\n\n"):  # paragraphs, or a little more (a list is one)
        if len(block) > PARAGRAPH_CHARS:
            return Shape(text.count("\n", 0, offset), f"paragraph of {len(block):,} characters, over the limit of "
                         f"{PARAGRAPH_CHARS:,}", "put a blank line between paragraphs, or split the table")
        cost, span, where = _bracket_scan(block)
        scan += cost
        if span > longest:
            longest, at = span, offset + where
        offset += len(block) + 2
    if scan > UNCLOSED_SCAN:
        return Shape(text.count("\n", 0, at), "too many '[', '(' or '<' that do not close: converting the file "
                     f"would take minutes (a search through {scan:,} characters, over the limit of "
                     f"{UNCLOSED_SCAN:,})", r"close each one, or write \[ \( \< for a bracket that is text; the "
                     "first that does not close may be on this line")
    return None


_BRACKET = re.compile(r"(?<!\\)(?:\]\(|[\[\]])")
_TAG = re.compile(r"<[A-Za-z/!?]")


def _next(positions: list[int], start: int, end: int) -> int:
    """The first of the sorted `positions` at or after `start`, else `end`."""
    i = bisect_left(positions, start)
    return positions[i] if i < len(positions) else end


def _bracket_scan(block: str) -> tuple[int, int, int]:
    """Characters searched from every '[' to its ']' and from every '](' to the next ')' (or the end),
    and the longest search and where it starts."""
    closers = [m.start() for m in re.finditer(r"\)", block)] if "](" in block else []
    cost, longest, at, stack = 0, 0, 0, []
    for match in _BRACKET.finditer(block):
        if match[0] == "[":
            stack.append(match.start())
            continue
        if stack:
            cost += match.start() - stack.pop()
        if match[0] == "](":
            span = _next(closers, match.end(), len(block)) - match.end()
            cost += span
            if span > longest:
                longest, at = span, match.end()
    for opened in stack:  # never closed: searched to the end of the paragraph
        cost += len(block) - opened
        if len(block) - opened > longest:
            longest, at = len(block) - opened, opened
    return cost, longest, at


def _tag_scan(text: str) -> tuple[int, int, int]:
    """Characters the HTML parser searches from every '<' that starts a tag to the next '>' (or the end), and
    the longest search and where it starts."""
    closers = [m.start() for m in re.finditer(">", text)]
    cost, longest, at = 0, 0, 0
    for match in _TAG.finditer(text):
        span = _next(closers, match.end(), len(text)) - match.start()
        cost += span
        if span > longest:
            longest, at = span, match.start()
    return cost, longest, at
