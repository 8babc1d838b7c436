"""The declared shape of course.yaml and of module front matter.

Each field says its type, its default and why it exists; `validate` checks a parsed
document against a field list and reports every problem with its line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Callable

from builder.limits import (ID_LENGTH, LANGUAGE_LENGTH, LEARNER_CHOICES, LEARNER_FIELD_LENGTH, LEARNER_FIELDS,
                            VERSION_LENGTH)
from builder.problems import Problems, did_you_mean
from builder.sizes import parse_size
from builder.yamlfile import Key, YamlDoc, type_name


class Invalid(Exception):
    """A value of the wrong shape: `message` says expected/got, `hint` how to fix it."""

    def __init__(self, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.message, self.hint = message, hint


Check = Callable[[Any, "str | None"], Any]


@dataclass(frozen=True)
class Field:
    """One key of a YAML mapping: how to check it, its default, why it exists."""

    name: str
    check: "Check | Section"
    default: Any = None
    required: bool = False
    doc: str = ""


@dataclass(frozen=True)
class Section:
    """A nested mapping with its own fields (e.g. `completion:`)."""

    fields: tuple[Field, ...]


@dataclass(frozen=True)
class MappingOf:
    """A mapping whose keys are checked by `key` and values by `value` (e.g. `translations:`)."""

    key: Check
    value: Section


# --- checks: each returns the clean value or raises Invalid -------------------------

def text(value: Any, raw: str | None) -> str:
    """Non-empty text; a bare number keeps its written form (version: 1.10 stays '1.10')."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and raw is not None:
        value = raw
    if not isinstance(value, str):
        raise Invalid(f"expected text, got {type_name(value)}", "write it as plain text, quoted if needed")
    if not value.strip():
        raise Invalid("expected text, got an empty value", "write a value or remove the key")
    check_characters(value)
    return value.strip()


def check_characters(value: str) -> None:
    """Control characters (other than tab and line break) break manifests and pages: refuse them, named."""
    for char in value:
        if char not in "\t\n" and unicodedata.category(char) == "Cc":
            raise Invalid(f"control character U+{ord(char):04X} in the text",
                          "remove it (it is invisible in most editors; an escape like \\a or \\x07 writes one)")


def text_list(value: Any, raw: str | None) -> list[str]:
    """A list of texts; a single text is taken as a list of one."""
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        raise Invalid(f"expected a list of texts, got {type_name(value)}", "write '- item' lines or [a, b]")
    items = []
    for i, item in enumerate(value):
        if not isinstance(item, (str, int, float)) or isinstance(item, bool) or not str(item).strip():
            raise Invalid(f"item {i + 1}: expected text, got {type_name(item)}", "each item must be plain text")
        check_characters(str(item))
        items.append(str(item).strip())
    return items


def pattern(regex: str, what: str, example: str, longest: int) -> Check:
    """Text that must match `regex` and have at most `longest` characters; `what` and `example` make the hint."""
    compiled = re.compile(regex)

    def check(value: Any, raw: str | None) -> str:
        value = text(value, raw)
        if len(value) > longest:
            raise Invalid(f"{len(value)} characters, over the limit of {longest}",
                          f"shorten it (it is part of file names), e.g. '{example}'")
        if not compiled.fullmatch(value):
            raise Invalid(f"'{value}' is not {what}", f"for example '{example}'")
        return value

    return check


def choice(*options: str) -> Check:
    """One of a fixed set of words."""

    def check(value: Any, raw: str | None) -> str:
        value = text(value, raw)
        if value not in options:
            raise Invalid(f"'{value}' is not allowed", did_you_mean(value, options))
        return value

    return check


def number(low: float, high: float) -> Check:
    """A number within [low, high]."""

    def check(value: Any, raw: str | None) -> float:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise Invalid(f"expected a number from {low:g} to {high:g}, got {type_name(value)}",
                          "write a plain number, e.g. 80")
        if not low <= value <= high:
            raise Invalid(f"expected a number from {low:g} to {high:g}, got {value:g}",
                          f"write a number between {low:g} and {high:g}")
        return value

    return check


def integer(low: int, high: int) -> Check:
    """A whole number within [low, high]."""

    def check(value: Any, raw: str | None) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(f"expected a whole number from {low} to {high}, got {type_name(value)}",
                          "write a plain number")
        if not low <= value <= high:
            raise Invalid(f"expected a whole number from {low} to {high}, got {value}",
                          f"write a number between {low} and {high}")
        return value

    return check


def anything(value: Any, raw: str | None) -> Any:
    """Any value: a key other tools read, which a lesson keeps so it builds there too."""
    return value


def boolean(value: Any, raw: str | None) -> bool:
    """true or false."""
    if not isinstance(value, bool):
        raise Invalid(f"expected true or false, got {type_name(value)}", "write true or false")
    return value


_DURATION = re.compile(r"(?:(\d+(?:\.\d+)?)\s*h(?:ours?)?)?\s*(?:(\d+)\s*m(?:in(?:utes?)?)?)?", re.I)


def duration(value: Any, raw: str | None) -> int:
    """Minutes, from a number of minutes or text like '90min', '2h', '1h 30min'."""
    if isinstance(value, int) and not isinstance(value, bool) and value > 0:
        return value
    match = _DURATION.fullmatch(value.strip()) if isinstance(value, str) else None
    if not match or not any(match.groups()):
        raise Invalid(f"expected a duration, got {type_name(value) if not isinstance(value, str) else repr(value)}",
                      "write minutes (45) or hours and minutes ('1h 30min')")
    hours, minutes = match.groups()
    total = round(float(hours or 0) * 60) + int(minutes or 0)
    if total <= 0:
        raise Invalid("duration must be more than zero", "write e.g. '45min'")
    return total


def size(value: Any, raw: str | None) -> int:
    """Bytes, from a number of bytes or text like '2MB', '500KB', '1.5 MB' (1 KB = 1000 B)."""
    try:
        return parse_size(value)
    except ValueError:
        shown = repr(value) if isinstance(value, str) else (raw or type_name(value))
        raise Invalid(f"expected a size, got {shown}", "write bytes (2000000) or a size like '2MB', "
                      "'500KB' or '1.5 MB'") from None


def iri(value: Any, raw: str | None) -> str:
    """An absolute IRI (a scheme, then no spaces): what xAPI and cmi5 take as an activity id."""
    value = text(value, raw)
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`#?]+", value):
        raise Invalid(f"'{value}' is not an absolute IRI without spaces, '?' or '#'",
                      "write a web address your organisation owns, e.g. 'https://learning.example.org/courses'")
    return value.rstrip("/")


slug = pattern(r"[a-z][a-z0-9]*(?:-[a-z0-9]+)*", "a valid id (lowercase letters, digits and single '-', "
               "starting with a letter)", "land-use-basics", ID_LENGTH)
version = pattern(r"[0-9A-Za-z][0-9A-Za-z.+-]*", "a valid version (letters, digits, '.', '-', '+')", "1.0.0",
                  VERSION_LENGTH)
language = pattern(r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*", "a language code", "es", LANGUAGE_LENGTH)


def choices(value: Any, raw: str | None) -> list[str]:
    """Suggested answers to a learner field: short texts, each once, as many as a list can show."""
    items = text_list(value, raw)
    if len(items) > LEARNER_CHOICES:
        raise Invalid(f"{len(items)} choices, over the limit of {LEARNER_CHOICES}", "keep the ones learners need")
    for item in items:
        if len(item) > LEARNER_FIELD_LENGTH:
            raise Invalid(f"'{item[:30]}…' has {len(item)} characters, over the limit of {LEARNER_FIELD_LENGTH}",
                          "shorten it: learners can type no more")
        if items.count(item) > 1:
            raise Invalid(f"'{item}' is listed twice", "list each choice once")
    return items


def language_list(value: Any, raw: str | None) -> list[str]:
    """Several language codes, each checked, no repeats."""
    codes = [language(code, code) for code in text_list(value, raw)]
    for code in codes:
        if codes.count(code) > 1:
            raise Invalid(f"language '{code}' is listed twice", "list each language once")
    return codes


# --- the course schema -----------------------------------------------------------------

TRANSLATABLE = Section((
    Field("title", text, doc="Course title in this language."),
    Field("description", text, doc="Course description in this language."),
    Field("keywords", text_list, doc="Keywords in this language."),
    Field("objectives", text_list, doc="Learning objectives in this language."),
))

COMPLETION = Section((
    Field("rule", choice("pages", "quiz", "both"), "pages",
          doc="When the LMS sees the course as complete: all pages viewed, graded quiz passed, or both."),
    Field("mastery_score", number(0, 100), 80,
          doc="Percentage a learner needs to pass graded quizzes; written into the SCORM manifests."),
))

CMI5 = Section((
    Field("iri", iri, "", doc="Where the cmi5 course and AU ids start (default https://coursepack.invalid/courses): "
          "an address your organisation owns keeps them unique in any LMS."),
))

IMAGES = Section((
    Field("max_width", integer(16, 10000), 1280,
          doc="Widest an image may be, in pixels: wider PNG and JPEG images are scaled down, keeping their "
              "proportions, since a phone or laptop screen shows no more and every pixel costs bytes."),
    Field("quality", integer(1, 95), 80,
          doc="JPEG quality from 1 to 95: lower is smaller and blurrier; 80 is hard to tell from the original."),
    Field("lossy", boolean, False,
          doc="Let photo-like PNGs (many colours, nothing see-through) become JPEGs when that is smaller; "
              "off by default because it blurs sharp lines and text a little."),
))

LEARNER = Section(tuple(
    Field(name, choices, [], doc=f"Choices offered for the learner's {name} on My progress (they may still type "
          "another); empty: free text.") for name in LEARNER_FIELDS))

COURSE = (
    Field("id", slug, required=True, doc="Stable id: package file names and SCORM identifiers derive from it."),
    Field("title", text, required=True, doc="Shown on every page and in the LMS."),
    Field("version", version, required=True, doc="Part of each package name; bump it for every release."),
    Field("language", language, "en", doc="Language of the un-suffixed module files."),
    Field("languages", language_list, None, doc="Every language the course is written in (default: `language`)."),
    Field("description", text, "", doc="One or two sentences for the home page, LMS and catalogue."),
    Field("authors", text_list, [], doc="People credited in the footer and metadata."),
    Field("organisation", text, "", doc="Who publishes the course."),
    Field("licence", text, "", doc="Licence of the content, e.g. CC-BY-4.0."),
    Field("keywords", text_list, [], doc="Search words for catalogues and LMS metadata."),
    Field("duration", duration, None, doc="Estimated learning time shown on the home page."),
    Field("objectives", text_list, [], doc="Learning objectives listed on the home page."),
    Field("completion", COMPLETION, {}, doc="Completion rule and mastery score used by tracking."),
    Field("cmi5", CMI5, {}, doc="Settings of the cmi5 package (`--format cmi5`)."),
    Field("budget", size, None, doc="Largest size a package may have ('2MB', '500KB' or bytes): a bigger "
          "package fails the build, so a course stays cheap to download on a slow link."),
    Field("images", IMAGES, {}, doc="How images are made smaller at build time (PNG and JPEG)."),
    Field("learner_fields", LEARNER, {}, doc="Town, organisation and cohort a learner may add to the results "
          "file they save, so a coordinator's report groups by them; each may list choices."),
    Field("modules", text_list, None, doc="Module files in order (default: file-name order of modules/*.md)."),
    Field("translations", MappingOf(language, TRANSLATABLE), {},
          doc="Per-language title, description, keywords and objectives."),
)

# Front-matter keys of R Markdown, Quarto and Jekyll that say how those tools build the page, or who wrote it.
TOOL_KEYS = ("author", "date", "output", "format", "execute", "jupyter", "editor", "editor_options", "knitr",
             "layout", "permalink")
FRONT_MATTER = (
    Field("title", text, None, doc="Module title (default: the module's '# ' heading)."),
    Field("description", text, "", doc="One sentence shown in the module list."),
    Field("duration", duration, None, doc="Estimated minutes for this module."),
    Field("teaching", integer(0, 10000), None, doc="Carpentries: minutes of teaching; with 'exercises', the "
          "module's duration when 'duration' is not set."),
    Field("exercises", integer(0, 10000), None, doc="Carpentries: minutes of exercises."),
    *(Field(name, text_list, [], doc=f"Carpentries: the episode's {name}, shown in a '{name}' box {where} of the "
            "page.") for name, where in (("questions", "at the top"), ("objectives", "at the top"),
                                         ("keypoints", "at the end"))),
    *(Field(name, anything, None, doc="Written by R Markdown, Quarto or Jekyll for their own use: accepted, "
            "not used.") for name in TOOL_KEYS),
)


def validate(doc: YamlDoc, fields: tuple[Field, ...], problems: Problems) -> dict[str, Any]:
    """Check a whole document; every problem is recorded, and defaults fill the gaps."""
    return _section(doc, doc.data, fields, (), problems)


def _section(doc: YamlDoc, data: dict, fields: tuple[Field, ...], key: Key,
             problems: Problems) -> dict[str, Any]:
    by_name = {f.name: f for f in fields}
    for name in data:
        if name not in by_name:
            problems.error(doc.path, doc.line(key + (name,)), f"{_label(key + (str(name),))}: unknown key",
                           did_you_mean(str(name), tuple(by_name)))
    out: dict[str, Any] = {}
    for f in fields:
        here = key + (f.name,)
        if f.name not in data:
            if f.required:
                problems.error(doc.path, doc.line(key), f"missing required key '{_label(here)}'",
                               f"add '{f.name}: …' ({f.doc[:1].lower() + f.doc[1:].rstrip('.')})")
            out[f.name] = _default(f)
            continue
        out[f.name] = _value(doc, data[f.name], f, here, problems)
    return out


def _value(doc: YamlDoc, value: Any, f: Field, key: Key, problems: Problems) -> Any:
    if isinstance(f.check, (Section, MappingOf)):
        if value is None:
            return _default(f)
        if not isinstance(value, dict):
            problems.error(doc.path, doc.line(key), f"{_label(key)}: expected a mapping, got {type_name(value)}",
                           "indent 'key: value' lines below it")
            return _default(f)
        if isinstance(f.check, Section):
            return _section(doc, value, f.check.fields, key, problems)
        return _mapping_of(doc, value, f.check, key, problems)
    try:
        return f.check(value, doc.raw.get(key))
    except Invalid as e:
        problems.error(doc.path, doc.line(key), f"{_label(key)}: {e.message}", e.hint)
        return _default(f)


def _mapping_of(doc: YamlDoc, data: dict, spec: MappingOf, key: Key, problems: Problems) -> dict:
    out = {}
    for name, value in data.items():
        here = key + (name,)
        try:
            clean = spec.key(name, str(name))
        except Invalid as e:
            problems.error(doc.path, doc.line(here), f"{_label(here)}: {e.message}", e.hint)
            continue
        if not isinstance(value, dict):
            problems.error(doc.path, doc.line(here), f"{_label(here)}: expected a mapping, got {type_name(value)}",
                           "indent 'key: value' lines below it")
            continue
        out[clean] = _section(doc, value, spec.value.fields, here, problems)
    return out


def _default(f: Field) -> Any:
    if isinstance(f.check, Section):
        return {g.name: _default(g) for g in f.check.fields}
    return f.default.copy() if isinstance(f.default, (list, dict)) else f.default


def _label(key: Key) -> str:
    label = ""
    for part in key:
        label += f"[{part}]" if isinstance(part, int) else (f".{part}" if label else str(part))
    return label
