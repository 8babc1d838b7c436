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
