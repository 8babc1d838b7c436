"""The saved-state string (`cmi.suspend_data`, localStorage): its constants and worst-case length.

docs/tracking.md ("State encoding") is the specification; the runtime
(templates/static/coursepack.js) writes the string, the build only measures its worst case,
so an LMS that keeps 4096 characters never cuts a learner's progress short. Every
number below is part of that specification: change one only together with the document.
"""

from __future__ import annotations

from math import ceil
from typing import Protocol, Sequence

VERSION = "3"             # first field: the encoding's version (the runtime still reads versions 1 and 2)
FIELDS = 7                # version, sequence number, viewed pages, current page, quiz records, seconds, answers
FIELD_SEP = "~"           # between the seven fields
LIST_SEP = "."            # between quiz records, and between answers
SEQ_WIDTH = 6             # sequence number: base 36, one more at every change saved (6 digits: two billion)
PAGES_PER_CHAR = 5        # viewed pages: a bitset in base 32, five pages a character
BASE = 36                 # every other number is written in base 36, lower case
HOME, PROGRESS = "H", "P"  # current page when it is not a module page (upper case: never a digit)
MAX_ITEMS = 36            # options or items of one question: each fits one base-36 digit
MAX_ATTEMPTS = 35         # attempts used: one base-36 digit (counting stops at 'z')
MAX_POINTS = 100          # points of a question: SCORM 1.2 interaction weighting is -100 to 100
POINT_DECIMALS = 2        # records keep points in hundredths, so a score is exact and never rounded up
FILL_MAX = 100            # characters a learner can type in a fill-in answer (the input's maxlength)
TEXT_MAX = 500            # … and in a free-text answer
LENGTH_SEP = ":"          # a typed answer is its length in base 36, ':', then the text as typed
SECONDS_MAX = 30_000_000  # active seconds in the course, base 36, counting stops here (347 days: 5 digits)
SCORM12_LIMIT = 4096      # characters of cmi.suspend_data a SCORM 1.2 LMS must keep
TEXT_KEEP_MIN = 250       # SCORM 1.2 state keeps at least this much of each free-text answer, or the build fails
ID_MAX = 255              # characters of an interaction id (CMIIdentifier): '<quiz id>.<question id>'


class QuestionShape(Protocol):
    """What the length of an answer depends on (builder.quiz.Question has it)."""

    type: str
    points: float

    @property
    def size(self) -> int:
        """Options, items or pairs the question has."""


Quizzes = Sequence[Sequence[QuestionShape]]


def base36_width(number: int) -> int:
    """Characters `number` takes in base 36."""
    width = 1
    while number >= BASE:
        number //= BASE
        width += 1
    return width


def typed_width(cap: int) -> int:
    """A typed answer of `cap` characters, encoded: its length, ':', the text."""
    return base36_width(cap) + len(LENGTH_SEP) + cap


def answer_width(question: QuestionShape, text_cap: int = TEXT_MAX) -> int:
    """The longest answer of one question, encoded; free text cut at `text_cap`."""
    kind = question.type
    if kind in ("single", "truefalse", "likert"):
        return 1
    if kind == "multiple":
        return base36_width(2 ** question.size - 1)
    if kind in ("ordering", "matching"):
        return question.size
    if kind == "fill":
        return typed_width(FILL_MAX)
    if kind == "text":
        return typed_width(text_cap) if text_cap else 0
    raise ValueError(f"unknown question type {kind!r}")


def record_width(quiz: Sequence[QuestionShape]) -> int:
    """A quiz record: attempts used (one digit), then the best attempt's points in hundredths."""
    return 1 + base36_width(sum(hundredths(q.points) for q in quiz))


def hundredths(points: float) -> int:
    return round(points * 100)


def fixed_width(pages: int, quizzes: Quizzes) -> int:
    """Everything but the answers themselves: version, separators, sequence, pages, records, seconds."""
    questions = sum(len(quiz) for quiz in quizzes)
    return (len(VERSION) + FIELDS - 1 + SEQ_WIDTH + ceil(pages / PAGES_PER_CHAR) + base36_width(max(pages - 1, 0))
            + base36_width(SECONDS_MAX)
            + _joined([record_width(quiz) for quiz in quizzes]) + max(questions - 1, 0))


def worst_case(pages: int, quizzes: Quizzes, text_cap: int = TEXT_MAX) -> int:
    """Length of the state with every page viewed, every attempt used and every answer at its cap."""
    return fixed_width(pages, quizzes) + sum(answer_width(q, text_cap) for quiz in quizzes for q in quiz)


def text_keep(pages: int, quizzes: Quizzes, limit: int = SCORM12_LIMIT) -> int:
    """The most characters of each free-text answer a state of `limit` characters holds (TEXT_MAX at most)."""
    for cap in range(TEXT_MAX, -1, -1):
        if worst_case(pages, quizzes, cap) <= limit:
            return cap
    return 0


def first_over(pages: int, quizzes: Quizzes, limit: int = SCORM12_LIMIT) -> tuple[int, int] | None:
    """(quiz, question) indices where the state, free text at TEXT_KEEP_MIN, first exceeds `limit`; None if never."""
    total = fixed_width(pages, quizzes)
    for i, quiz in enumerate(quizzes):
        for j, question in enumerate(quiz):
            total += answer_width(question, TEXT_KEEP_MIN)
            if total > limit:
                return i, j
    return None


def breakdown(pages: int, quizzes: Quizzes, text_cap: int = TEXT_MAX) -> dict[str, tuple[int, int]]:
    """Worst-case characters per part of the state, and how many things make each part."""
    questions = [q for quiz in quizzes for q in quiz]
    parts = {
        "pages": (ceil(pages / PAGES_PER_CHAR), pages),
        "quiz records": (_joined([record_width(quiz) for quiz in quizzes]), len(quizzes)),
    }
    for kind in ("fill", "text"):
        chosen = [q for q in questions if q.type == kind]
        parts[kind] = (sum(answer_width(q, text_cap) for q in chosen), len(chosen))
    others = [q for q in questions if q.type not in ("fill", "text")]
    parts["other answers"] = (sum(answer_width(q) for q in others), len(others))
    return parts


def _joined(widths: list[int]) -> int:
    return sum(widths) + max(len(widths) - 1, 0)
