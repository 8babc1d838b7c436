"""The saved-state string (`cmi.suspend_data`, localStorage): its constants and worst-case length.

docs/tracking.md ("State encoding") is the specification; the runtime
(templates/static/coursepack.js) writes the string, the build only measures its worst case,
so an LMS that keeps 4096 characters never cuts a learner's progress short. Every
number below is part of that specification: change one only together with the document.
"""

from __future__ import annotations

from math import ceil
from typing import Protocol, Sequence

VERSION = "1"             # first field: the encoding's version
FIELDS = 5                # version, viewed pages, current page, quiz records, answers
FIELD_SEP = "~"           # between the five fields
LIST_SEP = "."            # between quiz records, and between answers
PAGES_PER_CHAR = 5        # viewed pages: a bitset in base 32, five pages a character
BASE = 36                 # every other number is written in base 36, lower case
HOME, PROGRESS = "H", "P"  # current page when it is not a module page (upper case: never a digit)
MAX_ITEMS = 36            # options or items of one question: each fits one base-36 digit
MAX_ATTEMPTS = 35         # attempts used: one base-36 digit (counting stops at 'z')
RECORD_WIDTH = 3          # quiz record: attempts used (1 digit) + best score percent (2 digits, 00–2s)
FILL_MAX = 100            # characters a learner can type in a fill-in answer (the input's maxlength)
TEXT_MAX = 500            # … and in a free-text answer
ESCAPED = "~.%"           # typed characters that are percent-encoded (%7E %2E %25) …
ESCAPE_WIDTH = 3          # … each taking three characters
SCORM12_LIMIT = 4096      # characters of cmi.suspend_data a SCORM 1.2 LMS must keep


class QuestionShape(Protocol):
    """What the length of an answer depends on (builder.quiz.Question has it)."""

    type: str

    @property
    def size(self) -> int:
        """Options, items or pairs the question has."""


def base36_width(number: int) -> int:
    """Characters `number` takes in base 36."""
    width = 1
    while number >= BASE:
        number //= BASE
        width += 1
    return width


def answer_width(question: QuestionShape) -> int:
    """The longest answer of one question, encoded."""
    kind = question.type
    if kind in ("single", "truefalse", "likert"):
        return 1
    if kind == "multiple":
        return base36_width(2 ** question.size - 1)
    if kind in ("ordering", "matching"):
        return question.size
    if kind == "fill":
        return FILL_MAX * ESCAPE_WIDTH
    if kind == "text":
        return TEXT_MAX * ESCAPE_WIDTH
    raise ValueError(f"unknown question type {kind!r}")


def worst_case(pages: int, quizzes: Sequence[Sequence[QuestionShape]]) -> int:
    """Length of the state with every page viewed, every attempt used and every answer at its cap."""
    return sum(part for part, _ in breakdown(pages, quizzes).values()) + len(VERSION) + FIELDS - 1


def breakdown(pages: int, quizzes: Sequence[Sequence[QuestionShape]]) -> dict[str, tuple[int, int]]:
    """Worst-case characters per part of the state, and how many things make each part."""
    questions = [q for quiz in quizzes for q in quiz]
    parts = {
        "pages": (ceil(pages / PAGES_PER_CHAR), pages),
        "current page": (base36_width(max(pages - 1, 0)), 1),
        "quiz records": (_joined([RECORD_WIDTH] * len(quizzes)), len(quizzes)),
    }
    for kind in ("fill", "text"):
        chosen = [q for q in questions if q.type == kind]
        parts[kind] = (sum(answer_width(q) for q in chosen), len(chosen))
    others = [q for q in questions if q.type not in ("fill", "text")]
    parts["other answers"] = (sum(answer_width(q) for q in others), len(others))
    parts["answer separators"] = (max(len(questions) - 1, 0), len(questions))
    return parts


def _joined(widths: list[int]) -> int:
    return sum(widths) + max(len(widths) - 1, 0)
