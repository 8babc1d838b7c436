"""The needs report as one self-contained HTML page: tables, inline SVG charts, no script, prints whole.

Numbers are written the reader's way (CLDR through Babel: '67 %' in French, '3,5' in Spanish); the
words come from templates/report/locales, English first, overlaid by the language, then its region.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import jinja2
import yaml
from babel.dates import format_date
from babel.numbers import format_decimal, format_percent

from builder.charts import bar_chart
from builder.locale import TEMPLATES, cldr_locale, fallback_codes, fill
from builder.render import text_dir
from builder.results import LIKERT

REPORT_TEMPLATES = TEMPLATES / "report"
LANGUAGES = tuple(sorted(p.stem for p in (REPORT_TEMPLATES / "locales").glob("*.yaml")))


def report_strings(lang: str) -> dict[str, str]:
    """The report's words in `lang`: English, then the base language, then the regional variant, as the
    interface catalogues fall back."""
    words: dict[str, str] = {}
    for code in fallback_codes(lang):
        path = REPORT_TEMPLATES / "locales" / f"{code}.yaml"
        if path.is_file():
            words.update(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
    return words


class Numbers:
    """How the report's language writes shares, averages and changes."""

    def __init__(self, lang: str, unknown: str) -> None:
        self.locale = cldr_locale(lang) or cldr_locale("en")
        self.unknown = unknown

    def share(self, value: float | None) -> str:
        return self.unknown if value is None else format_percent(value, locale=self.locale)

    def number(self, value: float | None) -> str:
        """A count, score or minutes: '12', '12.5'."""
        return self.unknown if value is None else format_decimal(value, format="#,##0.#", locale=self.locale)

    def mean(self, value: float | None) -> str:
        """A mean on the 1–5 scale, always with its one decimal: '3.0', '3.9'."""
        return self.unknown if value is None else format_decimal(value, format="#,##0.0", locale=self.locale)

    def date(self, moment: str) -> str:
        """'2026-11-02T10:00:00Z' as the reader writes a date: '2 nov 2026'."""
        try:
            return format_date(datetime.fromisoformat(moment).date(), format="medium", locale=self.locale)
        except ValueError:
            return self.unknown

    def change(self, value: float | None, kind: str) -> str:
        """'+12 %' or '−0.3': a change says its direction in text, not in colour."""
        if value is None:
            return self.unknown
        text = getattr(self, kind)(abs(value))
        return ("+" if value > 0 else "\u2212" if value < 0 else "\u00b1") + text


def likert_chart(ident: str, survey: dict[str, Any], words: dict[str, str], numbers: Numbers, rtl: bool) -> str:
    """One Likert question's spread as bars, with the same figures in words for screen readers."""
    dist = survey["distribution"]
    spread = ", ".join(f"{level}: {dist[level]}" for level in LIKERT)
    text = fill(words["chart_text"], prompt=survey["prompt"], spread=spread, mean=numbers.mean(survey["mean"]),
                n=str(survey["answered"]))
    rows = [(level, dist[level], str(dist[level])) for level in LIKERT]
    return bar_chart(ident, survey["prompt"], text, rows, rtl)


def _view(course: dict[str, Any], words: dict[str, str], lang: str) -> dict[str, Any]:
    """A course's figures as the page reads them: table rows, an anchor, each group's figures by question,
    and the language of its questions and answers where it is not the page's."""
    groups = [{**g, "question_rates": {f"{q['quiz']}/{q['question']}": q["correct_rate"] for q in g["questions"]},
               "survey_by_key": {f"{s['quiz']}/{s['question']}": s for s in g["surveys"]}}
              for g in course.get("groups", [])]
    rows = [(words["everyone"], course["overall"]), *((g["group"] or words["no_group"], g) for g in groups)]
    anchor = "c-" + "".join(ch if ch.isalnum() else "-" for ch in f"{course['course']}-{course['version']}")
    languages = course["languages"]
    text_lang = languages[0] if len(languages) == 1 and languages[0] != lang else None
    return {**course, "groups": groups, "rows": rows, "anchor": anchor, "text_lang": text_lang}


def render_report(report: dict[str, Any], lang: str) -> bytes:
    """The page, the same bytes for the same report and language."""
    words = report_strings(lang)
    numbers = Numbers(lang, words["unknown"])
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(REPORT_TEMPLATES)), autoescape=True,
                             undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
                             keep_trailing_newline=True)
    env.filters["fill"] = lambda text, **fields: fill(text, **{k: str(v) for k, v in fields.items()})
    since = {(c["course"], c["version"]): c for c in report.get("since", {}).get("courses", [])}
    page = env.get_template("needs.html").render(
        report={**report, "courses": [_view(c, words, lang) for c in report["courses"]]}, lang=lang, dir=text_dir(lang), t=words, n=numbers, since=since, likert=LIKERT,
        chart=lambda ident, survey: likert_chart(ident, survey, words, numbers, text_dir(lang) == "rtl"))
    return page.encode("utf-8")
