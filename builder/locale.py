"""Interface strings per language: the words of templates, quizzes and the runtime."""

from __future__ import annotations

from pathlib import Path

import yaml

from builder.course import Course

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"


def strings(course: Course, lang: str) -> dict[str, str]:
    """Interface strings: English, overlaid by the language's catalogue, then by the course's own."""
    merged: dict[str, str] = {}
    for folder in (TEMPLATES, course.templates):
        for code in dict.fromkeys(("en", lang.split("-")[0], lang)):
            path = folder / "locales" / f"{code}.yaml"
            if path.is_file():
                merged.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return merged


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
