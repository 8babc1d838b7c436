"""Questions of a quiz or survey: the lines under a question heading, parsed and checked.

Every kind of question has its own small builder at the end; all of them record problems
with the exact source line and keep going.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from builder import state
from builder.problems import Problems, did_you_mean

QUIZ_TYPES = ("single", "multiple", "truefalse", "fill", "ordering", "matching")
SURVEY_TYPES = ("single", "multiple", "truefalse", "likert", "text")
CHOICE_TYPES = ("single", "multiple", "truefalse")
LIKERT_POINTS = 5
NAMES = {"single": "single-choice", "multiple": "multiple-choice", "truefalse": "true/false", "fill": "fill-in",
         "ordering": "ordering", "matching": "matching", "likert": "likert", "text": "free-text"}
QUESTION_ATTRS = ("id", "type", "points", "case", "accents")
KNOWN_ATTRS = ("id", "graded", "attempts", *QUESTION_ATTRS[1:])
FLAGS = {"graded", "case", "accents"}

_ATTRS = re.compile(r"\{:?(?P<attrs>[^{}]*)\}\s*$")  # no leading \s*: quadratic on a line of spaces
_TASK = re.compile(r"^(?P<indent>\s*)[-*+]\s+\[(?P<mark>[ xX])\](?:\s+(?P<text>.*)|\s*)$")
_BULLET = re.compile(r"^(?P<indent>\s*)[-*+]\s+(?P<text>.*)$")
_NUMBERED = re.compile(r"^(?P<indent>\s*)\d{1,9}[.)]\s+(?P<text>.*)$")
_QUOTE = re.compile(r"^(?P<indent>\s*)>\s?(?P<text>.*)$")
_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9_-]*")
_NUMBER = re.compile(r"\d+(?:\.\d+)?|\.\d+")
_TRUE, _FALSE = {"true", "yes", "on"}, {"false", "no", "off"}


@dataclass(frozen=True)
class Block:
    """Where questions are read: the module file, and whether they belong to a survey."""

    path: Path
    survey: bool


@dataclass
class Option:
    """A choice option (or a likert label): its Markdown text, whether it is right, its feedback."""

    text: str
    correct: bool = False
    feedback: str = ""
    line: int = 0


@dataclass
class Question:
    """One question; which fields are used depends on `type`. Texts are Markdown as written."""

    id: str
    type: str
    prompt: str
    line: int
    points: float = 1
    text: str = ""                     # paragraphs between the heading and the answers
    options: list[Option] = field(default_factory=list)   # single, multiple, truefalse; likert labels
    answers: list[str] = field(default_factory=list)      # fill
    items: list[str] = field(default_factory=list)        # ordering, in the right order
    pairs: list[tuple[str, str]] = field(default_factory=list)  # matching
    case: bool = False
    accents: bool = False
    feedback: str = ""

    @property
    def correct(self) -> list[int]:
        """Indices of the right options."""
        return [i for i, option in enumerate(self.options) if option.correct]

    @property
    def left(self) -> list[str]:
        return [left for left, _ in self.pairs]

    @property
    def right(self) -> list[str]:
        """Right-hand items of a matching question, each once, in the order written."""
        return list(dict.fromkeys(right for _, right in self.pairs))

    @property
    def matches(self) -> list[int]:
        """For each left item, the index of its match in `right`."""
        return [self.right.index(right) for _, right in self.pairs]

    @property
    def size(self) -> int:
        """Options, items or pairs: what the length of a saved answer depends on."""
        return len(self.options) or len(self.items) or len(self.pairs) or len(self.answers)


# --- attributes -----------------------------------------------------------------------

def split_attrs(text: str) -> tuple[str, str | None]:
    """'Title {#id graded}' -> ('Title', '#id graded'); no braces at the end -> (text, None)."""
    match = _ATTRS.search(text)
    if not match:
        return text.strip(), None
    return text[:match.start()].strip(), match["attrs"]


def parse_attrs(raw: str | None, allowed: tuple[str, ...], where: str, path: Path, line: int,
                problems: Problems) -> dict[str, str | bool]:
    """'#zones graded attempts=2' -> {'id': 'zones', 'graded': True, 'attempts': '2'}; problems recorded."""
    attrs: dict[str, str | bool] = {}
    for token in (raw or "").split():
        name, value = _token(token)
        if name not in allowed:
            message = f"'{name}' does not apply to {where}" if name in KNOWN_ATTRS else \
                f"unknown attribute '{token}' on {where}"
            problems.error(path, line, message, _attr_hint(name, allowed, where))
            continue
        if name in FLAGS:
            flag = _flag(name, value, path, line, problems)
            if flag is not None:
                attrs[name] = flag
        elif value is True or value == "":
            problems.error(path, line, f"attribute '{name}' needs a value", f"write it as {name}=…")
        else:
            attrs[name] = value
    return attrs


def _token(token: str) -> tuple[str, str | bool]:
    if token.startswith("#"):
        return "id", token[1:]
    name, equals, value = token.partition("=")
    return name, value.strip("\"'") if equals else True


def _attr_hint(name: str, allowed: tuple[str, ...], where: str) -> str:
    shown = tuple("#id" if a == "id" else a for a in allowed)
    if name in KNOWN_ATTRS:
        return f"{where} takes only: {', '.join(shown)}"
    return did_you_mean(name, shown)


def _flag(name: str, value: str | bool, path: Path, line: int, problems: Problems) -> bool | None:
    if value is True or str(value).lower() in _TRUE:
        return True
    if str(value).lower() in _FALSE:
        return False
    problems.error(path, line, f"'{name}={value}' is not yes or no", f"write just '{name}', or leave it out")
    return None


def identifier(value: str | bool, what: str, path: Path, line: int, problems: Problems) -> str | None:
    if isinstance(value, str) and _ID.fullmatch(value):
        return value
    problems.error(path, line, f"{what} id '{value}' has characters an LMS does not accept",
                   "use letters, digits, '-' and '_' only, e.g. #zones")
    return None


# --- questions ------------------------------------------------------------------------

@dataclass
class _Item:
    """A list item under a question heading, as written."""

    kind: str  # task, bullet or numbered
    text: str
    line: int
    mark: bool = False
    feedback: list[str] = field(default_factory=list)


@dataclass
class _Body:
    """The lines under a question heading, sorted into text, list items and feedback."""

    text: list[str] = field(default_factory=list)
    items: list[_Item] = field(default_factory=list)
    feedback: list[str] = field(default_factory=list)


def parse_question(block: Block, position: int, line: int, heading: str, lines: list[tuple[int, str]],
                   problems: Problems) -> Question | None:
    """One question from its heading and the lines below it; None when its kind cannot be told."""
    prompt, raw = split_attrs(heading)
    attrs = parse_attrs(raw, QUESTION_ATTRS, "a question", block.path, line, problems)
    if not prompt:
        problems.error(block.path, line, "the question has no text", "write the question after the '#'s")
    ident = identifier(attrs["id"], "question", block.path, line, problems) if "id" in attrs else None
    body = _body(block.path, lines, problems)
    kind = _question_type(block, attrs.get("type"), body.items, line, problems)
    if kind is None:
        return None
    question = Question(ident or f"q{position}", kind, prompt, line, text="\n".join(body.text).strip(),
                        feedback=" ".join(body.feedback).strip())
    question.points = _points(block, attrs.get("points"), line, problems)
    for flag in ("case", "accents"):
        if flag in attrs and kind != "fill":
            problems.error(block.path, line, f"'{flag}' only applies to fill-in questions",
                           "remove it, or add type=fill")
        setattr(question, flag, bool(attrs.get(flag, False)))
    BUILDERS[kind](block, question, body.items, problems)
    return question


def _body(path: Path, lines: list[tuple[int, str]], problems: Problems) -> _Body:
    body = _Body()
    blank = False
    for number, text in lines:
        if not text.strip():
            blank = True
            if body.text and not body.items:
                body.text.append("")
            continue
        indent = len(text) - len(text.lstrip()) if not text.startswith("\t") else 4
        last = body.items[-1] if body.items else None
        quote, item = _QUOTE.match(text), _list_item(text, number)
        if quote and indent >= 2 and last is not None:
            if last.kind != "task":
                problems.error(path, number, f"feedback under '{last.text}'", "only choice options ('- [x]', "
                               "'- [ ]') have their own feedback; move it to a '> ' line at question level")
            last.feedback.append(quote["text"].strip())
        elif quote:
            body.feedback.append(quote["text"].strip())
        elif item is not None and indent <= 3:
            body.items.append(item)
        elif last is not None and (indent >= 2 or not blank):
            last.text = f"{last.text} {text.strip()}"  # the item's text goes on
        elif body.items or body.feedback:
            problems.error(path, number, f"text after the answers: '{text.strip()}'",
                           "put the question's text before its answers, and feedback in a '> ' line")
        else:
            body.text.append(text)
        blank = False
    return body


def is_answer_line(text: str) -> bool:
    """A list item or '> ' line: what belongs under a question heading, never before the first."""
    return _QUOTE.match(text) is not None or _list_item(text, 0) is not None


def _list_item(text: str, number: int) -> _Item | None:
    if match := _TASK.match(text):
        return _Item("task", (match["text"] or "").strip(), number, match["mark"] != " ")
    if match := _NUMBERED.match(text):
        return _Item("numbered", match["text"].strip(), number)
    if match := _BULLET.match(text):
        return _Item("bullet", match["text"].strip(), number)
    return None


def _question_type(block: Block, written: str | bool | None, items: list[_Item], line: int,
                   problems: Problems) -> str | None:
    """The written type, checked, or the one the answers show."""
    allowed = SURVEY_TYPES if block.survey else QUIZ_TYPES
    if written is not None:
        if written not in QUIZ_TYPES + SURVEY_TYPES:
            problems.error(block.path, line, f"unknown question type '{written}'", did_you_mean(str(written), allowed))
            return None
        return _allowed(block, str(written), line, problems)
    kinds = {item.kind for item in items}
    if "task" in kinds:
        return "multiple" if sum(item.mark for item in items) > 1 else "single"
    if kinds == {"numbered"}:
        return _allowed(block, "ordering", line, problems)
    if kinds == {"bullet"} and all(" = " in item.text for item in items):
        return _allowed(block, "matching", line, problems)
    if kinds:
        others = "likert" if block.survey else "fill, ordering, matching"
        problems.error(block.path, items[0].line, f"option '{items[0].text}' has no box",
                       "write options as '- [x] right answer' and '- [ ] wrong answer', or say which kind of "
                       f"question this is with type=… ({others})")
        return None
    if block.survey:
        return "text"
    problems.error(block.path, line, "question without answers",
                   "list the options under the heading: '- [x] right answer', '- [ ] wrong answer'")
    return None


def _allowed(block: Block, kind: str, line: int, problems: Problems) -> str | None:
    if block.survey and kind not in SURVEY_TYPES:
        problems.error(block.path, line, f"{NAMES[kind]} questions are only for quizzes",
                       "surveys ask for opinions: use type=likert, text, single or multiple")
        return None
    if not block.survey and kind not in QUIZ_TYPES:
        problems.error(block.path, line, f"{NAMES[kind]} questions are only for surveys",
                       "put it in a '::: survey' block, or use a quiz type: " + ", ".join(QUIZ_TYPES))
        return None
    return kind


def _points(block: Block, value: str | bool | None, line: int, problems: Problems) -> float:
    if block.survey:
        if value is not None:
            problems.error(block.path, line, "points in a survey", "surveys are not scored: remove points=")
        return 0
    if value is None:
        return 1
    if not (isinstance(value, str) and _NUMBER.fullmatch(value)):
        problems.error(block.path, line, f"points: '{value}' is not a number",
                       "write a number of 0 or more, e.g. points=2")
        return 1
    if float(value) > state.MAX_POINTS:  # SCORM 1.2 LMSs refuse an interaction weighting above 100
        problems.error(block.path, line, f"points: {value} is more than {state.MAX_POINTS}, the most an LMS accepts "
                       "for one question", "scale the points of every question down: the score is a percent anyway")
        return 1
    if len(value.partition(".")[2]) > state.POINT_DECIMALS:
        problems.error(block.path, line, f"points: {value} has more than {state.POINT_DECIMALS} decimals",
                       "round it, e.g. points=0.33")
        return 1
    return float(value)


# --- answers, by question type --------------------------------------------------------

def _choice(block: Block, question: Question, items: list[_Item], problems: Problems) -> None:
    path = block.path
    for item in items:
        if item.kind != "task":
            problems.error(path, item.line, f"option '{item.text}' has no box",
                           f"write '- [ ] {item.text}', or '- [x] {item.text}' if it is a right answer")
        elif not item.text:
            problems.error(path, item.line, "empty option", "write the option's text after the box")
        else:
            question.options.append(Option(item.text, item.mark, " ".join(item.feedback).strip(), item.line))
    options = question.options
    if len(options) < len(items):
        return  # each bad option has its error already
    if question.type == "truefalse" and len(options) != 2:
        problems.error(path, question.line, f"a true/false question has exactly 2 options, found {len(options)}",
                       "write '- [ ] True' and '- [ ] False' (true first), with [x] on the right one")
        return
    if not _count_ok(path, question, len(options), "options", problems):
        return
    marked = [option for option in options if option.correct]
    if block.survey:
        if marked:
            problems.error(path, marked[0].line, "correct answers in a survey",
                           "surveys are not scored: write every option as '- [ ]'")
    elif not marked:
        problems.error(path, question.line, "no correct answer marked", "mark the right option with '- [x]'")
    elif len(marked) > 1 and question.type != "multiple":
        problems.error(path, question.line, f"type={question.type} takes one right answer, {len(marked)} are marked",
                       "mark one, or use type=multiple" if question.type == "single" else "mark one of the two")


def _count_ok(path: Path, question: Question, count: int, what: str, problems: Problems) -> bool:
    if count < 2:
        problems.error(path, question.line, f"a {NAMES[question.type]} question needs at least 2 {what}, found {count}",
                       f"list its {what} under the heading")
        return False
    if count > state.MAX_ITEMS:
        problems.error(path, question.line, f"a question has at most {state.MAX_ITEMS} {what}, found {count}",
                       "split it into several questions")
        return False
    return True


def _fill(block: Block, question: Question, items: list[_Item], problems: Problems) -> None:
    for item in _plain(block.path, items, "bullet", "accepted answers are plain '- answer' items", problems):
        if len(item.text) > state.FILL_MAX:
            problems.error(block.path, item.line, f"accepted answer longer than {state.FILL_MAX} characters",
                           "learners can type at most that many; shorten it")
        elif item.text:
            question.answers.append(item.text)
    if not question.answers and not items:
        problems.error(block.path, question.line, "fill-in question without accepted answers",
                       "list every answer you accept as '- answer' lines under the heading")


def _ordering(block: Block, question: Question, items: list[_Item], problems: Problems) -> None:
    hint = "put the items in a numbered list (1. 2. 3.), in the right order"
    for item in _plain(block.path, items, "numbered", hint, problems):
        if item.text in question.items:
            problems.error(block.path, item.line, f"item '{item.text}' is listed twice",
                           "every item of an ordering question must differ")
        question.items.append(item.text)
    if not items:
        problems.error(block.path, question.line, "ordering question without items", hint)
    elif len(question.items) == len(items):  # else each bad item has its error already
        _count_ok(block.path, question, len(question.items), "items", problems)


def _matching(block: Block, question: Question, items: list[_Item], problems: Problems) -> None:
    hint = "write each pair as '- left = right', e.g. '- R1 = Homes'"
    for item in _plain(block.path, items, "bullet", hint, problems):
        left, equals, right = item.text.partition(" = ")
        if not (equals and left.strip() and right.strip()):
            problems.error(block.path, item.line, f"matching item without ' = ': '{item.text}'", hint)
        elif left.strip() in question.left:
            problems.error(block.path, item.line, f"'{left.strip()}' is matched twice", "give each left item one match")
        else:
            question.pairs.append((left.strip(), right.strip()))
    if not items:
        problems.error(block.path, question.line, "matching question without pairs", hint)
    elif len(question.pairs) == len(items):  # else each bad item has its error already
        _count_ok(block.path, question, len(question.pairs), "pairs", problems)


def _likert(block: Block, question: Question, items: list[_Item], problems: Problems) -> None:
    labels = _plain(block.path, items, "bullet", "write the labels as '- label' lines", problems)
    if items and len(items) != LIKERT_POINTS:
        problems.error(block.path, question.line, f"likert labels must be exactly {LIKERT_POINTS}, found {len(items)}",
                       "list five labels from the most negative to the most positive, or none for the "
                       "standard ones (disagree … agree)")
        return
    question.options = [Option(item.text, line=item.line) for item in labels]


def _text(block: Block, question: Question, items: list[_Item], problems: Problems) -> None:
    if items:
        problems.error(block.path, items[0].line, "a free-text question has no options",
                       "remove the list, or use type=single for a choice")


def _plain(path: Path, items: list[_Item], kind: str, hint: str, problems: Problems) -> list[_Item]:
    """The items of the expected list kind; any other is an error."""
    good = []
    for item in items:
        if item.kind == kind:
            good.append(item)
        else:
            problems.error(path, item.line, f"'{item.text}' does not fit this question", hint)
    return good


BUILDERS = {"single": _choice, "multiple": _choice, "truefalse": _choice, "fill": _fill, "ordering": _ordering,
            "matching": _matching, "likert": _likert, "text": _text}
