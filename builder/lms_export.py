"""Read what an LMS exports of its learners' SCORM interactions, as needs-report records.

Two shapes are read: Moodle's SCORM interactions report downloaded as text (tab-separated, one row
per attempt, columns 'Question N', 'Response N', 'Right answer N', 'Result N'), and a generic CSV with
one row per answer (columns learner, interaction id, response, result; course, version, score,
status, seconds and any other column optional). Responses arrive in SCORM's own notation (options as
letters); the course's questions, from its results files or its source, turn them back into words.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.needs import Record
from builder.results import Answer, printable

MAX_BYTES = 20 * 1024 * 1024  # a Moodle export of 5,000 attempts × 40 questions is about 8 MB
MOODLE_COLUMN = re.compile(r"^(question|response|right answer|result)\s*(\d+)$")
LEARNER = ("learner", "name", "full name", "fullname", "user", "username", "student", "learner name",
           "first name / last name", "first name / surname")
INTERACTION = ("interaction id", "interaction", "interaction_id", "id", "question id", "question")
RESPONSE = ("response", "learner response", "student response", "learner_response", "student_response", "answer")
RESULTS = {"correct": True, "wrong": False, "incorrect": False, "unanticipated": False, "neutral": None}
SCORM_TYPES = {"choice": "single", "true-false": "truefalse", "fill-in": "fill", "long-fill-in": "text",
               "sequencing": "ordering", "matching": "matching", "likert": "likert", "numeric": "fill"}


@dataclass(frozen=True)
class Known:
    """What a course says of one interaction: its question, and the words behind the letters."""

    course: str
    version: str
    title: str
    quiz: str
    question: str
    type: str
    prompt: str
    points: float
    options: tuple[str, ...] = ()  # choice options, ordering items, or matching's right-hand side
    left: tuple[str, ...] = ()  # matching's left-hand side


class ExportProblem(ValueError):
    """An export that cannot be read, with the line to look at."""

    def __init__(self, line: int, message: str, hint: str = "") -> None:
        super().__init__(message)
        self.line, self.hint = line, hint


def interaction_ids(quiz: str, question: str) -> tuple[str, str]:
    """The cmi.interactions.n.id the runtime sends for a question (templates/static/coursepack.js):
    '<quiz>.<question>', and the '<quiz>-<question>' of packages built before ids became unique."""
    return f"{quiz}.{question}", f"{quiz}-{question}"


def read_export(path: Path, known: dict[str, Known], course: str | None, group_by: str | None,
                group: str) -> tuple[list[Record], list[tuple[int, str, str]]]:
    """The learners of one export, and the (line, message, hint) warnings of rows left out."""
    rows = _rows(path)
    header = [_norm(h) for h in rows[0]]
    if any(MOODLE_COLUMN.match(h) for h in header):
        learners = _moodle(rows, header)
    else:
        learners = _generic(rows, header)
    return _records(path, learners, known, course, group_by, group)


def _norm(text: str) -> str:
    return " ".join(text.replace("\ufeff", "").split()).casefold()


def _rows(path: Path) -> list[list[str]]:
    size = path.stat().st_size
    if size > MAX_BYTES:
        raise ExportProblem(1, f"the file is {size:,} bytes, more than an export can be ({MAX_BYTES:,})",
                            "export one course or one period at a time")
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        line = raw[:e.start].count(b"\n") + 1
        raise ExportProblem(line, "not UTF-8 text", "download the export again as UTF-8 text or CSV") from e
    first = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first else ";" if first.count(";") > first.count(",") else ","
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as e:
        raise ExportProblem(1, f"not a readable CSV: {e}", "download the export again") from e
    rows = [row for row in rows if any(cell.strip() for cell in row)]
    if len(rows) < 2:
        raise ExportProblem(1, "no rows below the header", "export the interactions of a course with learners")
    return rows


def _column(header: list[str], names: tuple[str, ...]) -> int | None:
    return next((header.index(n) for n in names if n in header), None)


def _cell(row: list[str], index: int | None) -> str:
    return printable(row[index]).strip() if index is not None and index < len(row) else ""


def _fields(row: list[str], header: list[str], used: set[int]) -> dict[str, str]:
    """Every other column of the row by its header: town, institution, department, cohort…"""
    return {name: _cell(row, i) for i, name in enumerate(header) if i not in used and name}


def _moodle(rows: list[list[str]], header: list[str]) -> dict[str, dict[str, Any]]:
    """One row per attempt: the learner's latest attempt counts."""
    learner = _column(header, LEARNER)
    learner = 0 if learner is None else learner
    attempt, score = _column(header, ("attempt",)), _column(header, ("score",))
    slots: dict[int, dict[str, int]] = {}
    for i, name in enumerate(header):
        if match := MOODLE_COLUMN.match(name):
            slots.setdefault(int(match.group(2)), {})[match.group(1)] = i
    used = {learner, *(i for slot in slots.values() for i in slot.values())}
    learners: dict[str, dict[str, Any]] = {}
    for line, row in enumerate(rows[1:], start=2):
        who = _cell(row, learner)
        if not who:
            continue
        number = int(_cell(row, attempt)) if _cell(row, attempt).isdigit() else 0
        if who in learners and learners[who]["attempt"] > number:
            continue
        answers = [(line, _cell(row, slot.get("question")), _cell(row, slot.get("response")),
                    _cell(row, slot.get("result"))) for _, slot in sorted(slots.items())]
        learners[who] = {"attempt": number, "score": _cell(row, score), "fields": _fields(row, header, used),
                         "answers": [a for a in answers if a[1]], "line": line}
    return learners


def _generic(rows: list[list[str]], header: list[str]) -> dict[str, dict[str, Any]]:
    """One row per answer, any order."""
    columns = {"learner": _column(header, LEARNER), "id": _column(header, INTERACTION),
               "response": _column(header, RESPONSE), "result": _column(header, ("result",))}
    missing = [name for name, index in columns.items() if index is None]
    if missing:
        raise ExportProblem(1, "no column for " + ", ".join(missing),
                            "the first row must name the columns: learner, interaction id, response, result "
                            "(or download Moodle's SCORM interactions report as text)")
    extra = {name: _column(header, (name,)) for name in ("course", "version", "score", "status", "seconds")}
    used = {*columns.values(), *(i for i in extra.values() if i is not None)}
    learners: dict[str, dict[str, Any]] = {}
    for line, row in enumerate(rows[1:], start=2):
        who = _cell(row, columns["learner"])
        if not who:
            continue
        entry = learners.setdefault(who, {"attempt": 0, "answers": [], "line": line, "fields": {}})
        entry["fields"].update({k: v for k, v in _fields(row, header, used).items() if v})
        for name, index in extra.items():
            if _cell(row, index):
                entry[name] = _cell(row, index)
        entry["answers"].append((line, _cell(row, columns["id"]), _cell(row, columns["response"]),
                                 _cell(row, columns["result"])))
    return learners


def _records(path: Path, learners: dict[str, dict[str, Any]], known: dict[str, Known], course: str | None,
             group_by: str | None, group: str) -> tuple[list[Record], list[tuple[int, str, str]]]:
    warnings: list[tuple[int, str, str]] = []
    records = []
    for who, entry in sorted(learners.items()):
        ids = [a[1] for a in entry["answers"]]
        home = entry.get("course") or course or _course_of(ids, known)
        if not home:
            warnings.append((entry["line"], f"cannot tell which course {who}'s answers belong to",
                             "add a 'course' column, pass --course ID, or pass --courses with the course source"))
            continue
        answers = []
        for line, ident, response, result in entry["answers"]:
            answer = _answer(ident, response, result, known.get(ident))
            if answer is None:
                warnings.append((line, f"interaction '{ident[:80]}' is not a question of {home}",
                                 "check the export is of this course, or pass --courses with its source"))
            else:
                answers.append(answer)
        info = next((known[i] for i in ids if i in known), None)
        version = entry.get("version") or (info.version if info else "?")
        fields = entry["fields"]
        records.append(Record(str(path), who, home, version, info.title if info else "", "",
                              _status(entry.get("status", "")), _success(entry.get("status", "")),
                              _score(entry.get("score", "")), _score(entry.get("seconds", "")),
                              fields.get(_norm(group_by or ""), "") if group_by != "folder" else group,
                              tuple(answers)))
    return records, warnings


def _course_of(ids: list[str], known: dict[str, Known]) -> str | None:
    votes: dict[str, int] = {}
    for ident in ids:
        if ident in known:
            votes[known[ident].course] = votes.get(known[ident].course, 0) + 1
    return max(sorted(votes), key=lambda c: votes[c]) if votes else None


def _status(text: str) -> str:
    text = _norm(text)
    return "completed" if text in ("completed", "passed", "failed") else "incomplete" if text else ""


def _success(text: str) -> str:
    text = _norm(text)
    return text if text in ("passed", "failed") else "unknown"


def _score(text: str) -> float | None:
    """'80', '80.5', '80/100' or '80%' as a number; anything else is no score."""
    match = re.fullmatch(r"(\d{1,6}(?:[.,]\d{1,4})?)\s*(?:%|/\s*(\d{1,6}))?", text.strip())
    if not match:
        return None
    value = float(match.group(1).replace(",", "."))
    top = float(match.group(2)) if match.group(2) else 0
    return round(100 * value / top, 2) if top else value


def _answer(ident: str, response: str, result: str, info: Known | None) -> Answer | None:
    if info is None:
        return None
    correct = RESULTS.get(_norm(result))
    if info.type in ("likert", "text"):
        correct = None
    words = _words(response, info)
    points = info.points
    return Answer(info.quiz, info.question, info.type, info.prompt, words, correct, points,
                  points if correct else 0)


def _words(response: str, info: Known) -> str:
    """A SCORM response in the words the learner saw: letters become options, [,] becomes '; '."""
    parts = [p for p in re.split(r"\[,\]|,", response) if p != ""]
    if info.type in ("fill", "text", "likert"):
        return response.strip()
    if info.type == "truefalse":
        value = response.strip().casefold()
        index = 0 if value in ("t", "true") else 1 if value in ("f", "false") else None
        return info.options[index] if index is not None and index < len(info.options) else response
    words = []
    for i, part in enumerate(parts):
        if info.type == "matching" and "." in part:
            left, right = (p.strip() for p in re.split(r"\[\.\]|\.", part, maxsplit=1))
            words.append(f"{_option(left, info.left)} \u2192 {_option(right, info.options)}")
        else:
            words.append(_option(part.strip(), info.options))
    return "; ".join(words)


def _option(letter: str, options: tuple[str, ...]) -> str:
    """Option letters a, b, c… are indices 0, 1, 2… (coursepack.js letter())."""
    if len(letter) == 1 and letter.isalnum():
        index = (int(letter, 36) - 10) % 36
        if index < len(options):
            return options[index]
    return letter
