"""Interface strings per language: the words of templates, quizzes and the runtime.

Each language has one flat catalogue, `templates/locales/<lang>.yaml`; a course may override any
string in `courses/<id>/templates/locales/<lang>.yaml`. English is complete by definition: a key
another language lacks falls back to it, and `check_strings` reports the missing keys once per
language. Strings that hold a number of things come in plural forms, `<key>_<category>`, with
CLDR's categories (zero, one, two, few, many, other); `Strings.count` picks the form by CLDR's rule
for the language, taken from Babel at build time (the runtime gets it as a table, `plural_table`).
"""

from __future__ import annotations

import os
import re
import unicodedata
from decimal import Decimal
from functools import cache, lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError

from builder.cldr import numbers
from builder.course import Course
from builder.limits import STRINGS
from builder.problems import Problems, did_you_mean
from builder.resources import templates
from builder.safefiles import read_course_text
from builder.yamlfile import YamlDoc, parse_yaml

TEMPLATES = templates()
REFERENCE = "en"
CATEGORIES = ("zero", "one", "two", "few", "many", "other")
COUNT = "count"  # the placeholder of the number that chooses a plural form; a form may leave it out
NUMBER_KEYS = ("decimal_separator",)  # from CLDR for every language; a catalogue may still set it
PLACEHOLDER = re.compile(r"\{(\w+)\}")
_SAMPLES = (*range(200), 0.5, 1.5)  # numbers a course shows: every category they fall in needs a form
# The fraction digits plural_table gives the category of, after 0., 1. and 2.: one digit (.1-.9), then two (.01-.99).
FRACTION_DIGITS = (*(str(d) for d in range(1, 10)), *(f"{d:02d}" for d in range(1, 100)))
_SHOWN_MISSING = 5  # missing keys named in the warning


@cache
def cldr_locale(lang: str) -> Locale | None:
    """Babel's locale for a BCP 47 code ('pt-PT', 'sr-Latn'), else for its language; None if CLDR lacks both."""
    for code in dict.fromkeys((lang, lang.split("-")[0])):
        try:
            return Locale.parse(code, sep="-")
        except (ValueError, TypeError, UnknownLocaleError):
            continue
    return None


def plural_category(lang: str, n: float | Decimal) -> str:
    """CLDR cardinal plural category of `n` in `lang`; English's rule for a language CLDR does not know."""
    return numbers(cldr_locale(lang) or cldr_locale(REFERENCE)).plural(n)


def decimal_separator(lang: str) -> str:
    """CLDR's decimal symbol with Western digits (the ones pages and the runtime write): ',' in de, '.' in ar."""
    return numbers(cldr_locale(lang) or cldr_locale(REFERENCE)).decimal


@cache
def plural_table(lang: str) -> str:
    """The rule for coursepack.js as data: the category of 0 to 199, then of 0.1 … 0.99, 1.1 … 1.99, 2.1 … 2.99.

    One digit each (its index in CATEGORIES). CLDR's rules look at no more than the last two digits
    past 100 (but for Cornish, and for 'many' of round millions in fr, es, pt, it, ca), so the
    runtime reads entry 100 + n % 100 for n of 200 and more. A fraction's category depends on its
    digits as written (v, f, t: lv, hr, sr, bs, mk, is, fil …) and on its whole part only as 0, 1 or
    more, in every CLDR language (tests/test_locale.py checks): the runtime reads the entry of its
    one or two digits (a score is kept in hundredths) after the whole part's 0., 1. or 2.
    """
    numbers = (*range(200), *(Decimal(f"{whole}.{digits}") for whole in range(3) for digits in FRACTION_DIGITS))
    return "".join(str(CATEGORIES.index(plural_category(lang, n))) for n in numbers)


@cache
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
        super().__init__({"decimal_separator": decimal_separator(lang), **values})
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
    """Interface strings: English, then the base language, then the regional variant; the course's over ours at each."""
    merged: dict[str, str] = {}
    for path in _catalogues(course, lang):
        merged.update(_read(_root(course, path), path))
    return Strings(lang, merged)


def fallback_codes(lang: str) -> list[str]:
    """The catalogue names to read for `lang`, weakest first: en, pt, pt-PT for 'pt-PT' (or 'pt-pt')."""
    found = cldr_locale(lang)
    canonical = str(found).replace("_", "-") if found is not None else lang  # 'pt-pt' finds pt-PT.yaml
    return list(dict.fromkeys((REFERENCE, lang.split("-")[0].lower(), canonical, lang)))


def _catalogues(course: Course, lang: str) -> list[Path]:
    """The catalogues that exist, weakest first: en, pt, pt-PT for 'pt-PT', ours before the course's of each."""
    return [path for code in fallback_codes(lang) for folder in (TEMPLATES, course.templates)
            if os.path.lexists(path := folder / "locales" / f"{code}.yaml")]  # a FIFO or link out: refused when read


def _root(course: Course, path: Path) -> Path:
    """The folder a catalogue must stay in: ours, or the course's."""
    return TEMPLATES if path.is_relative_to(TEMPLATES) else course.root


def _stamp(path: Path) -> tuple[int, int] | None:
    """What tells a catalogue changed (a long-running `serve` rereads an edited one); None if unreadable."""
    try:
        stat = path.stat()
    except OSError:
        return None
    return stat.st_mtime_ns, stat.st_size


def _read(root: Path, path: Path) -> dict[str, str]:
    """The strings of a catalogue, read once per process while it is unchanged; do not modify the result."""
    return _read_once(root, path, _stamp(path))


@lru_cache(maxsize=128)
def _read_once(root: Path, path: Path, stamp: tuple[int, int] | None) -> dict[str, str]:
    """What is broken in a catalogue is left out here and reported by check_strings."""
    doc = _parse(root, path, Problems())
    return {k: v for k, v in doc.data.items() if isinstance(v, str)} if doc else {}


def _parse(root: Path, path: Path, problems: Problems) -> YamlDoc | None:
    """A catalogue read like any course file (`root` is the folder it must stay in), parsed with lines."""
    text = read_course_text(root, path, STRINGS, problems)
    return parse_yaml(text, path, problems) if text is not None else None


_DOCS: dict[Path, tuple[tuple[int, int], YamlDoc]] = {}  # catalogues parsed with their lines, while unchanged


def _parsed(root: Path, path: Path, problems: Problems) -> YamlDoc | None:
    """A catalogue with the line of every key, parsed once per process while it is unchanged and sound."""
    stamp = _stamp(path)
    cached = _DOCS.get(path)
    if cached is not None and cached[0] == stamp:
        return cached[1]
    doc = _parse(root, path, problems)
    if doc is not None and stamp is not None:  # a broken one is parsed again, so each course hears of it
        _DOCS[path] = (stamp, doc)
    return doc


def reference() -> dict[str, str]:
    """The English catalogue: every key there is."""
    return _read(TEMPLATES, TEMPLATES / "locales" / f"{REFERENCE}.yaml")


def families(keys: dict[str, str] | list[str]) -> set[str]:
    """Keys that come in plural forms: 'quiz_attempts' for 'quiz_attempts_one' and '_other'."""
    return {k.rsplit("_", 1)[0] for k in keys if k.rsplit("_", 1)[-1] == "other"}


def known_keys(english: dict[str, str]) -> list[str]:
    """Every key a catalogue may set: English's, every plural form of its counted strings, the number symbols."""
    return sorted({*english, *NUMBER_KEYS, *(f"{f}_{c}" for f in families(english) for c in CATEGORIES)})


def expected_keys(english: dict[str, str], lang: str) -> list[str]:
    """The keys a complete catalogue in `lang` has: English's plain ones, and the forms `lang` needs."""
    counted = families(english)
    plain = [k for k in english if not (k.rsplit("_", 1)[0] in counted and k.rsplit("_", 1)[-1] in CATEGORIES)]
    return plain + [f"{f}_{c}" for f in sorted(counted) for c in forms_needed(lang)]


def check_strings(course: Course, lang: str, problems: Problems) -> None:
    """Course overrides with unknown keys are errors; keys missing in `lang` are one warning (English is shown)."""
    english = reference()
    found: dict[str, str] = {}
    for path in _catalogues(course, lang):
        values = _checked(_root(course, path), path, english, problems, strict=not path.is_relative_to(TEMPLATES))
        found.update(values if path.stem != REFERENCE else {})
    if lang.split("-")[0] == REFERENCE:
        return
    if cldr_locale(lang) is None:
        problems.warn(course.config, 0, f"CLDR has no plural rules for '{lang}': counted words follow English "
                      "(1 takes the '_one' form, every other number '_other')", "check the language code")
    missing = [key for key in expected_keys(english, lang) if key not in found]
    if missing:
        _warn_missing(course, lang, missing, bool(found), problems)


def _warn_missing(course: Course, lang: str, missing: list[str], some: bool, problems: Problems) -> None:
    """One warning per language, on the course's catalogue to complete or to create."""
    own = [p for p in _catalogues(course, lang) if p.is_relative_to(course.templates) and p.stem != REFERENCE]
    target = own[-1] if own else course.templates / "locales" / f"{lang}.yaml"
    action = "add them to this file" if target.is_file() else "create this file with them"
    source = "translated from coursepack's templates/locales/en.yaml"
    if not some:
        problems.warn(target, 0, f"no interface strings in '{lang}': buttons, menus and messages are shown in "
                      "English", f"{action.replace('them', 'every key')}, {source}")
        return
    named = ", ".join(f"'{k}'" for k in missing[:_SHOWN_MISSING]) + (", …" if len(missing) > _SHOWN_MISSING else "")
    problems.warn(target, 0, f"{len(missing)} interface string{'s' * (len(missing) > 1)} not translated into "
                  f"'{lang}', shown in English: {named}", f"{action}, {source}")


def _checked(root: Path, path: Path, english: dict[str, str], problems: Problems,
             strict: bool) -> dict[str, str]:
    """A catalogue's strings; every value must be text, and a course's keys and placeholders must be known."""
    doc = _parsed(root, path, problems)
    if doc is None:
        return {}
    known, counted = known_keys(english), families(english)
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
            base, _, category = key.rpartition("_")
            if strict and base in counted and category in CATEGORIES:  # not 'quiz_attempts_unlimited'
                _check_form(path, line, key, problems)
    return values


def _check_form(path: Path, line: int, key: str, problems: Problems) -> None:
    """A plural form the catalogue's language never takes (a '_few' in de.yaml) is a translation nobody sees."""
    category, lang = key.rpartition("_")[2], path.stem
    rule = numbers(cldr_locale(lang) or cldr_locale(REFERENCE)).plural
    used = [c for c in CATEGORIES if c in rule.tags or c == "other"]
    if category not in used:
        problems.warn(path, line, f"'{key}' is never shown: numbers in '{lang}' take only the forms "
                      + ", ".join(f"_{c}" for c in used), "remove it (or check the file's language code)")


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
    """The language's name in itself: 'es' -> 'Español', 'pt-PT' -> 'Português (Portugal)'; unknown codes as they are.

    Our list first (names as their speakers capitalise them), then CLDR's; the region as CLDR names it
    in that language, else as written.
    """
    base, _, region = lang.partition("-")
    found = cldr_locale(lang)
    own = found if found is not None and found.language == base else None
    name = AUTONYMS.get(base) or (_capitalised(own.get_language_name(own) or "") if own else "")
    if not name:
        return lang
    where = (own.territories.get(region.upper()) or own.scripts.get(region.title())) if own and region else None
    return f"{name} ({where or region})" if region else name


def _capitalised(text: str) -> str:
    """'português' -> 'Português'; scripts whose capitals are not used in names (Georgian) stay as they are."""
    first = unicodedata.name(text[:1], "") if text else ""
    return text[:1].upper() + text[1:] if first.startswith(("LATIN", "GREEK", "CYRILLIC", "ARMENIAN")) else text
