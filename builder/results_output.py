"""Describe summarised results as text tables for the terminal and CSV rows for a spreadsheet."""

from __future__ import annotations

import csv
import io
import math
import textwrap
from collections import Counter
from pathlib import Path

from builder.package import write_file
from builder.limits import LEARNER_FIELDS
from builder.problems import CoursepackError, terminal_safe
from builder.report import plural
from builder.results import (CSV_COLUMNS, LIKERT, WIDTH, Answer, CourseResults, LearnerResult, Question,
                             shorten)
# --- text for the terminal -------------------------------------------------------------
def _wrap(text: str, indent: str, more: str) -> list[str]:
    line = terminal_safe(" ".join(text.split()))
    return textwrap.wrap(line, WIDTH, initial_indent=indent, subsequent_indent=more)


def _table(header: tuple[str, ...], rows: list[tuple[str, ...]], right: tuple[int, ...] = ()) -> list[str]:
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(row: tuple[str, ...]) -> str:
        cells = (c.rjust(w) if i in right else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths)))
        return "  ".join(cells).rstrip()
    return [line(header), *map(line, rows)]


def _number_text(value: float | None) -> str:
    return "" if value is None else f"{value:g}"


def _percent(part: int, whole: int) -> str:
    return f"{math.floor(100 * part / whole + 0.5)}%"


def course_lines(course: CourseResults, by: str | None = None) -> list[str]:
    """A course as text: the learner table, the question table and the survey answers (or one view)."""
    heading = shorten(f"{course.course} {course.version} — {course.title}", WIDTH)
    lines = [heading, "=" * len(heading)]
    if by in (None, "learner"):
        lines += ["", *learner_table(course)]
    if by in (None, "question") and course.questions:
        lines += ["", *question_table(course)]
        lines += survey_lines(course)
    return lines


def learner_table(course: CourseResults) -> list[str]:
    """Learner, language, pages viewed, completion, success, score, minutes spent and where the learner is
    from (the learner fields they filled in), as a coordinator reads the class at a glance."""
    rows = [(shorten(r.learner, 24), shorten(r.lang, 8), f"{r.viewed}/{r.total}", r.completion, r.success,
             "—" if r.score is None else f"{r.score:g}%", "—" if r.seconds is None else f"{round(r.seconds / 60):,}",
             shorten(_from(r), 24)) for r in course.learners]
    return _table(("learner", "lang", "pages", "completion", "success", "score", "minutes", "from"), rows,
                  right=(5, 6))


def _from(r: LearnerResult) -> str:
    """The learner fields given, in their order: 'Huanta · 2026 B'."""
    fields = dict(r.profile)
    return " · ".join(fields[name] for name in LEARNER_FIELDS if fields.get(name))


def question_table(course: CourseResults) -> list[str]:
    """Per question: answers given and, for scored questions, the share answered correctly."""
    rows = []
    for q in course.questions:
        scored = [a for _, a in q.given if a.correct is not None]
        correct = _percent(sum(a.correct for a in scored), len(scored)) if scored else ""
        rows.append((shorten(q.quiz, 14), shorten(q.question, 14), str(len(q.given)), correct, q.prompt))
    header = ("quiz", "question", "answered", "correct", "prompt")
    used = sum(max(len(row[i]) for row in [header, *rows]) + 2 for i in range(4))
    rows = [(*row[:4], shorten(row[4], max(WIDTH - used, 20))) for row in rows]
    return _table(header, rows, right=(2, 3))


def survey_lines(course: CourseResults) -> list[str]:
    """Capacity needs: each Likert question's spread over 1–5 and mean, each free-text answer by name."""
    asked = [q for q in course.questions if q.type in ("likert", "text")]
    if not asked:
        return []
    lines = ["", "Capacity needs (survey answers)"]
    for q in asked:
        lines += _wrap(f"{q.quiz}/{q.question}: {q.prompt}", "", "  ")
        lines += _likert_lines(q) if q.type == "likert" else _text_lines(q)
    return lines


def _likert_lines(question: Question) -> list[str]:
    votes = Counter(a.response for _, a in question.given)
    spread = "   ".join(f"{level}: {votes[level]}" for level in LIKERT)
    n = sum(votes.values())
    mean = sum(int(level) * count for level, count in votes.items()) / n if n else None
    return [f"  {spread}   " + (f"mean {mean:.1f} ({plural(n, 'answer')})" if n else "no answers")]


def _text_lines(question: Question) -> list[str]:
    lines = [line for who, a in question.given for line in _wrap(f"{who}: {a.response}", "  ", "    ")]
    return lines or ["  no answers"]


# --- CSV for a spreadsheet -------------------------------------------------------------

def csv_rows(courses: list[CourseResults], by: str | None = None) -> list[tuple[str, ...]]:
    """One row per learner per answer (a learner with no answers gets one row), learner by learner
    or, with by='question', question by question."""
    rows = []
    for course in courses:
        order = {(q.quiz, q.question): i for i, q in enumerate(course.questions)}
        keyed = []
        for n, result in enumerate(course.learners):
            def key(q: int) -> tuple[int, int]:
                return (q, n) if by == "question" else (n, q)
            keyed += [(key(order[(a.quiz, a.question)]), _row(result, a)) for a in result.answers] \
                or [(key(-1), _row(result, None))]
        rows += [row for _, row in sorted(keyed, key=lambda pair: pair[0])]
    return rows


def _row(r: LearnerResult, a: Answer | None) -> tuple[str, ...]:
    learner = (r.course, r.version, r.lang, r.learner, r.saved, r.completion, r.success, _number_text(r.score))
    fields = dict(r.profile)  # whole seconds: the runtime counts no finer
    about = ("" if r.seconds is None else str(round(r.seconds)), *(fields.get(name, "") for name in LEARNER_FIELDS))
    if a is None:
        return tuple(map(_cell, (*learner, *[""] * 8, *about)))
    correct = "" if a.correct is None else str(int(a.correct))  # 1/0: the same in every language, and sums
    return tuple(map(_cell, (*learner, a.quiz, a.question, a.type, a.prompt, a.response, correct,
                             _number_text(a.points), _number_text(a.earned), *about)))


# What makes a spreadsheet read a cell as a formula (OWASP, CSV injection), with the full-width forms
# some spreadsheets also accept.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")


def _cell(text: str) -> str:
    """Every cell comes from a learner's file: one a spreadsheet would run as a formula is kept as text."""
    return "'" + text if text.startswith(FORMULA_START) else text


def write_csv(target: Path, rows: list[tuple[str, ...]]) -> None:
    """Write the rows under a header, atomically, as UTF-8 with a byte-order mark.

    Excel opens a .csv without a BOM in the computer's legacy code page (Windows-1252 in Spanish and
    Portuguese), which garbles every accent; with the BOM it reads UTF-8.
    """
    text = io.StringIO(newline="")
    csv.writer(text, quoting=csv.QUOTE_ALL).writerows([CSV_COLUMNS, *rows])  # every cell quoted, as OWASP advises
    try:
        write_file(target, text.getvalue().encode("utf-8-sig"))
    except OSError as e:
        raise CoursepackError(f"cannot write '{target}': {e.strerror}") from e
