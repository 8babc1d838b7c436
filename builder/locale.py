"""Interface strings per language: the words of templates, quizzes and the runtime.

Each language has one flat catalogue, `templates/locales/<lang>.yaml`; a course may override any
string in `courses/<id>/templates/locales/<lang>.yaml`. English is complete by definition: a key
another language lacks falls back to it, and `check_strings` reports every such key. Strings that
hold a number of things come in plural forms, `<key>_<category>`, with CLDR's categories
(zero, one, two, few, many, other); `Strings.count` picks the form, as `plural()` does in
coursepack.js.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

import yaml

from builder.course import Course
from builder.problems import Problems, did_you_mean
from builder.yamlfile import FastLoader, YamlDoc, parse_yaml, read_text

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
REFERENCE = "en"
CATEGORIES = ("zero", "one", "two", "few", "many", "other")
COUNT = "count"  # the placeholder of the number that chooses a plural form; a form may leave it out
PLACEHOLDER = re.compile(r"\{(\w+)\}")
_SAMPLES = (*range(200), 0.5, 1.5)  # numbers a course shows: every category they fall in needs a form


def plural_category(lang: str, n: float) -> str:
    """CLDR cardinal plural category of `n` in `lang`; the same rules as plural() in coursepack.js."""
    code, i, whole = lang.split("-")[0], int(abs(n)), float(n).is_integer()
    millions = whole and i and i % 1_000_000 == 0  # "1 million de points": 'many' in fr, es, pt
    if code == "ar":
        if not whole:
            return "other"
        if i < 3:
            return ("zero", "one", "two")[i]
        return "few" if 3 <= i % 100 <= 10 else "many" if i % 100 >= 11 else "other"
    if code == "pl":
        return "other" if not whole else "one" if i == 1 else \
            "few" if 2 <= i % 10 <= 4 and not 12 <= i % 100 <= 14 else "many"
    if code in ("fr", "pt") and lang != "pt-PT":
        return "one" if i < 2 else "many" if millions else "other"
    if code == "es":
        return "one" if n == 1 else "many" if millions else "other"
    return "one" if n == 1 and whole else "other"


def plural_table(lang: str) -> str:
    """The rule for coursepack.js as data: the category of 0 to 199, then of fractions below 1, 2 and above.

    One digit each (its index in CATEGORIES). The rules we ship look at no more than the last two
    digits past 100, so the runtime reads entry 100 + n % 100 for n of 200 and more (and so never
    says 'many' for the millions of fr, es and pt).
    """
    numbers = (*range(200), 0.5, 1.5, 2.5)
    return "".join(str(CATEGORIES.index(plural_category(lang, n))) for n in numbers)


def forms_needed(lang: str) -> list[str]:
    """The plural categories a catalogue in `lang` needs for every counted string."""
    found = {plural_category(lang, n) for n in _SAMPLES}
    return [c for c in CATEGORIES if c in found]


def fill(text: str, **fields: str) -> str:
    """`text` with each {name} replaced by its field."""
    for name, value in fields.items():
        text = text.replace("{" + name + "}", value)
    return text


class Strings(dict):
    """One language's interface strings, and how that language writes numbers and counted things."""

    def __init__(self, lang: str, values: dict[str, str]) -> None:
        super().__init__(values)
        self.lang = lang

    def number(self, value: float) -> str:
        """2 -> '2'; 0.5 -> '0,5' where the language writes a decimal comma."""
        text = str(int(value)) if float(value).is_integer() else str(value)
        return text.replace(".", self["decimal_separator"])

    def count(self, key: str, n: float, **fields: str) -> str:
        """The plural form of `key` for `n`, with {count} and the other placeholders filled in."""
        form = self.get(f"{key}_{plural_category(self.lang, n)}", self[f"{key}_other"])
        return fill(form, count=self.number(n), **fields)


def strings(course: Course, lang: str) -> Strings:
    """Interface strings: English, overlaid by the language's catalogue, then by the course's own."""
    merged: dict[str, str] = {}
    for folder in (TEMPLATES, course.templates):
        for path in _catalogues(folder, lang):
            merged.update(_read(path))
    return Strings(lang, merged)


def _catalogues(folder: Path, lang: str) -> list[Path]:
    """English, the base language, then the regional variant ('pt', then 'pt-BR'): those that exist."""
    codes = dict.fromkeys((REFERENCE, lang.split("-")[0], lang))
    return [p for p in (folder / "locales" / f"{code}.yaml" for code in codes) if p.is_file()]


def _stamp(path: Path) -> tuple[int, int] | None:
    """What tells a catalogue changed (a long-running `serve` rereads an edited one); None if unreadable."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _read(path: Path) -> dict[str, str]:
    """The strings of a catalogue, read once per process while it is unchanged; do not modify the result."""
    return _read_once(path, _stamp(path))


@lru_cache(maxsize=128)
def _read_once(path: Path, stamp: tuple[int, int] | None) -> dict[str, str]:
    """What is broken in a catalogue is left out here and reported by check_strings."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8-sig"), Loader=FastLoader)
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        return {}
    return {k: v for k, v in data.items() if isinstance(v, str)} if isinstance(data, dict) else {}


_DOCS: dict[Path, tuple[tuple[int, int], YamlDoc]] = {}  # catalogues parsed with their lines, while unchanged


def _parsed(path: Path, problems: Problems) -> YamlDoc | None:
    """A catalogue with the line of every key, parsed once per process while it is unchanged and sound."""
    stamp = _stamp(path)
    cached = _DOCS.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    text = read_text(path, problems)
    doc = parse_yaml(text, path, problems) if text is not None else None
    if doc is not None and stamp is not None:  # a broken one is parsed again, so each course hears of it
        _DOCS[path] = (stamp, doc)
    return doc


def reference() -> dict[str, str]:
    """The English catalogue: every key there is."""
    return _read(TEMPLATES / "locales" / f"{REFERENCE}.yaml")


def families(keys: dict[str, str] | list[str]) -> set[str]:
    """Keys that come in plural forms: 'quiz_attempts' for 'quiz_attempts_one' and '_other'."""
    return {k.rsplit("_", 1)[0] for k in keys if k.rsplit("_", 1)[-1] == "other"}


def known_keys(english: dict[str, str]) -> list[str]:
    """Every key a catalogue may set: English's, and every plural form of its counted strings."""
    return sorted({*english, *(f"{f}_{c}" for f in families(english) for c in CATEGORIES)})


def expected_keys(english: dict[str, str], lang: str) -> list[str]:
    """The keys a complete catalogue in `lang` has: English's plain ones, and the forms `lang` needs."""
    counted = families(english)
    plain = [k for k in english if not (k.rsplit("_", 1)[0] in counted and k.rsplit("_", 1)[-1] in CATEGORIES)]
    return plain + [f"{f}_{c}" for f in sorted(counted) for c in forms_needed(lang)]


def check_strings(course: Course, lang: str, problems: Problems) -> None:
    """Course overrides with unknown keys are errors; keys missing in `lang` are warnings (English is shown)."""
    english = reference()
    found: dict[str, str] = {}
    for folder in (TEMPLATES, course.templates):
        for path in _catalogues(folder, lang):
            values = _checked(path, english, problems, strict=folder != TEMPLATES)
            found.update(values if path.stem != REFERENCE or lang == REFERENCE else {})
    if lang.split("-")[0] == REFERENCE:
        return
    project = TEMPLATES / "locales" / f"{lang.split('-')[0]}.yaml"
    if not found:
        problems.warn(project, 0, f"no interface strings in '{lang}': buttons, menus and messages are shown "
                      "in English", f"add {project.name}, a translated copy of {REFERENCE}.yaml")
        return
    for key in expected_keys(english, lang):
        if key not in found:
            shown = english.get(key, english.get(f"{key.rsplit('_', 1)[0]}_other", ""))
            problems.warn(project, 0, f"missing translation for '{key}'",
                          f"add it to {project.name}; until then the English text is shown: '{shown}'")


def _checked(path: Path, english: dict[str, str], problems: Problems, strict: bool) -> dict[str, str]:
    """A catalogue's strings; every value must be text, and a course's keys and placeholders must be known."""
    doc = _parsed(path, problems)
    if doc is None:
        return {}
    known = known_keys(english)
    values = {}
    for key, value in doc.data.items():
        line = doc.line((key,))
        if not isinstance(value, str):
            problems.error(path, line, f"'{key}' is not text", "put the text in double quotes")
        elif strict and key not in known:
            problems.error(path, line, f"unknown interface string '{key}'", did_you_mean(str(key), known))
        else:
            values[key] = value
            if key in known:  # a key English lacks (yet) fills nothing and shows nowhere
                _check_placeholders(path, line, key, value, english, problems)
    return values


def _check_placeholders(path: Path, line: int, key: str, value: str, english: dict[str, str],
                        problems: Problems) -> None:
    base, _, category = key.rpartition("_")
    counted = category in CATEGORIES
    source = (english.get(key) or english.get(f"{base}_other", "")) if counted else english.get(key, "")
    allowed = set(PLACEHOLDER.findall(source)) | ({COUNT} if counted else set())
    for name in sorted(set(PLACEHOLDER.findall(value)) - allowed):
        hint = ("the English text has " + ", ".join(f"{{{a}}}" for a in sorted(allowed))) if allowed else \
            "the English text has no placeholder"
        problems.error(path, line, f"'{key}': placeholder {{{name}}} is never filled in", hint)


# Language names in their own language, so that every reader finds theirs; other codes are shown as written.
AUTONYMS = {
    "am": "አማርኛ", "ar": "العربية", "ay": "Aymar aru", "bn": "বাংলা", "ca": "Català", "de": "Deutsch",
    "en": "English", "es": "Español", "eu": "Euskara", "fa": "فارسی", "fr": "Français", "gl": "Galego",
    "gn": "Avañe'ẽ", "ha": "Hausa", "he": "עברית", "hi": "हिन्दी", "ht": "Kreyòl ayisyen", "id": "Bahasa Indonesia",
    "ig": "Igbo", "it": "Italiano", "km": "ខ្មែរ", "lo": "ລາວ", "mg": "Malagasy", "my": "မြန်မာ", "ne": "नेपाली",
    "nl": "Nederlands", "pl": "Polski", "ps": "پښتو", "pt": "Português", "qu": "Runa Simi", "ro": "Română",
    "ru": "Русский", "rw": "Kinyarwanda", "so": "Soomaali", "sw": "Kiswahili", "ta": "தமிழ்", "th": "ไทย",
    "tr": "Türkçe", "uk": "Українська", "ur": "اردو", "vi": "Tiếng Việt", "yo": "Yorùbá", "zh": "中文",
    "zu": "isiZulu",
}


def autonym(lang: str) -> str:
    """The language's name in itself: 'es' -> 'Español', 'pt-BR' -> 'Português (BR)'; unknown codes as they are."""
    base, _, region = lang.partition("-")
    if base not in AUTONYMS:
        return lang
    return f"{AUTONYMS[base]} ({region})" if region else AUTONYMS[base]
