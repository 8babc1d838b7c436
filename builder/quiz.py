"""Quizzes and surveys: `::: quiz` / `::: survey` blocks of a module file, parsed into data.

Blocks are taken out of the Markdown source in a pre-pass over its lines, so every
problem has its exact line; each block leaves a placeholder that builder.pages replaces
with the quiz's HTML (builder.quizhtml) once Markdown has run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from markdown.extensions.toc import slugify

from builder import state
from builder.markup import Source
from builder.problems import Problems
from builder.questions import (Block, Option, Question, identifier, is_answer_line, parse_attrs, parse_question,
                               split_attrs)

__all__ = ["Option", "Question", "Quiz", "check_unique_ids", "extract_quizzes"]

BLOCK_ATTRS = {"quiz": ("id", "graded", "attempts"), "survey": ("id",)}
PLACEHOLDER = '<div data-coursepack-quiz="{index}"></div>'

_BLOCK = re.compile(r"^:{3,}(?P<rest>.*)$")
_HEADING = re.compile(r"^(?P<hashes>#{1,6})\s++(?P<text>(?:.*\S)?)\s*$")  # linear on a line of spaces


@dataclass
class Quiz:
    """A quiz or survey block of one module file."""

    id: str
    title: str
    survey: bool
    graded: bool
    attempts: int
    path: Path
    line: int
    intro: str = ""
    questions: list[Question] = field(default_factory=list)

    @property
    def kind(self) -> str:
        return "survey" if self.survey else "quiz"


def extract_quizzes(source: Source, problems: Problems) -> tuple[str, list[Quiz]]:
    """Take every quiz and survey block out of the Markdown body: (body with placeholders, the blocks).

    Other `:::` lines are fenced divs (builder.divs) and stay. A block's lines are replaced one for one
    (a blank line, the placeholder, blank lines), so the body keeps its line numbers.
    """
    lines = source.body.split("\n")
    quizzes: list[Quiz] = []
    i = 0
    while i < len(lines):
        match = _BLOCK.match(source.prose[i])
        kind, _, rest = match["rest"].strip().partition(" ") if match else ("", "", "")
        if kind not in BLOCK_ATTRS:
            i += 1
            continue
        line = source.body_start + i
        end = _closing(source.prose, i + 1)
        if end is None or _BLOCK.match(source.prose[end])["rest"].strip():
            problems.error(source.path, line, f"'::: {kind}' block is not closed",
                           "end it with a line holding only ':::'")
            lines[i] = ""
            i = end if end is not None else len(lines)
            continue
        quiz = _parse_block(kind, rest, lines[i + 1:end], line, source.path, problems)
        placeholder = PLACEHOLDER.format(index=len(quizzes)) if quiz is not None else ""
        lines[i:end + 1] = ["", placeholder] + [""] * (end - i - 1)
        if quiz is not None:
            quizzes.append(quiz)
        i = end + 1
    return "\n".join(lines), quizzes


def _closing(prose: list[str], start: int) -> int | None:
    """Index of the next ':::' line (closing this block, or opening another: then unclosed)."""
    return next((j for j in range(start, len(prose)) if _BLOCK.match(prose[j])), None)


# --- blocks ---------------------------------------------------------------------------

def _parse_block(kind: str, rest: str, body: list[str], line: int, path: Path, problems: Problems) -> Quiz | None:
    title, raw = split_attrs(rest)
    attrs = parse_attrs(raw, BLOCK_ATTRS[kind], f"a {kind}", path, line, problems)
    if not title:
        problems.error(path, line, f"the {kind} has no title",
                       f"write it after '::: {kind}', e.g. '::: {kind} Check: zones and permits'")
        title = kind
    if "id" in attrs:
        ident = identifier(attrs["id"], kind, path, line, problems)
    else:
        ident = slugify(title, "-")
        if not ident:
            problems.error(path, line, f"no id can be made from the {kind} title '{title}'",
                           "give the block an id, e.g. {#zones}")
    quiz = Quiz(ident or kind, title, kind == "survey", bool(attrs.get("graded", False)),
                _attempts(attrs.get("attempts"), path, line, problems), path, line)
    if not _parse_questions(quiz, body, line + 1, problems):
        problems.error(path, line, f"{kind} '{quiz.id}' has no questions",
                       "start each question with a heading line, e.g. '### Which zone allows new homes?'")
    return quiz


def _attempts(value: str | bool | None, path: Path, line: int, problems: Problems) -> int:
    if value is None:
        return 0
    if not (isinstance(value, str) and value.isdigit()):
        problems.error(path, line, f"attempts: '{value}' is not a whole number",
                       "write how many tries a learner has, e.g. attempts=2 (0 means unlimited)")
        return 0
    if int(value) > state.MAX_ATTEMPTS:
        problems.error(path, line, f"attempts: {value} is more than {state.MAX_ATTEMPTS}",
                       "write a smaller number, or attempts=0 for unlimited")
        return 0
    return int(value)


def _parse_questions(quiz: Quiz, body: list[str], first: int, problems: Problems) -> int:
    """Split the block into the intro and one chunk of lines per question heading; returns the headings found."""
    chunks: list[tuple[int, str, list[tuple[int, str]]]] = []
    intro: list[str] = []
    for number, text in enumerate(body, first):
        heading = _HEADING.match(text)
        if heading:
            if len(heading["hashes"]) == 1:  # reported, then read as a question all the same
                problems.error(quiz.path, number, "a question heading needs two to six '#'",
                               "write questions as '### Question?' ('# ' is the page title)")
            chunks.append((number, heading["text"], []))
        elif chunks:
            chunks[-1][2].append((number, text))
        elif text.strip():
            if is_answer_line(text):
                problems.error(quiz.path, number, f"'{text.strip()}' comes before the first question",
                               "start each question with a heading, e.g. '### Which zone allows new homes?'")
            else:
                intro.append(text)
        elif intro:
            intro.append("")
    quiz.intro = "\n".join(intro).strip()
    seen: dict[str, int] = {}
    for position, (number, heading, lines) in enumerate(chunks, 1):
        question = parse_question(Block(quiz.path, quiz.survey), position, number, heading, lines, problems)
        if question is None:
            continue
        if question.id in seen:
            problems.error(quiz.path, number, f"question id '{question.id}' is used twice in {quiz.kind} "
                           f"'{quiz.id}'", f"give each question its own id (the first is on line "
                           f"{seen[question.id]}; questions without one are numbered q1, q2, …)")
            continue
        seen[question.id] = number
        if len(quiz.id) + 1 + len(question.id) > state.ID_MAX:  # the LMS records '<quiz id>.<question id>'
            problems.error(quiz.path, number, f"quiz id and question id are {len(quiz.id) + len(question.id)} "
                           f"characters together, more than the {state.ID_MAX - 1} an LMS records",
                           "give the quiz or the question a shorter id, e.g. {#zones}")
        quiz.questions.append(question)
    return len(chunks)




def check_unique_ids(quizzes: list[Quiz], problems: Problems) -> None:
    """A quiz id is unique in its course: the LMS records every answer under it."""
    first: dict[str, Quiz] = {}
    for quiz in quizzes:
        other = first.setdefault(quiz.id, quiz)
        if other is not quiz:
            where = f"line {other.line}" if other.path == quiz.path else f"{other.path.name}:{other.line}"
            problems.error(quiz.path, quiz.line, f"{quiz.kind} id '{quiz.id}' is already used by the {other.kind} "
                           f"on {where}", "give every quiz and survey of the course its own id, e.g. "
                           f"{{#{quiz.id}-2}}")
