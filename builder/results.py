"""Read the results files learners save from an offline course's My progress page.

First every file is read and checked (a bad file is reported and left out, the others still
count), then the latest copy of each learner is kept and grouped by course;
`builder.results_output` turns that into terminal tables and CSV rows.
"""

from __future__ import annotations

import bisect
import json
import math
import os
import re
import stat
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Generic, Iterable, TypeVar

from builder.limits import LEARNER_FIELDS
from builder.problems import Problems, UsageProblem, display_path, terminal_safe
from builder.report import plural

FORMAT = "coursepack-results"
VERSION = 1
WIDTH = 80  # an ordinary terminal window, also on the coordinator's old laptop
LIKERT = ("1", "2", "3", "4", "5")
RESAVE = "ask the learner to save it again from the course's My progress page"
# Limits: results files come from learners' browsers, by USB stick and messaging app, so they are untrusted.
MAX_FILE = 5_000_000  # bytes; a real file is a few KB (1,000 answers are about 500 KB)
MAX_NAME = 200  # characters of a name, an id, a version or a language code
MAX_TEXT = 32_767  # characters of a prompt or a response: what one spreadsheet cell holds
MAX_COUNT = 1_000_000  # pages, attempts
MAX_POINTS = 1_000_000
MAX_DIGITS = 15  # in a number: more than a double keeps exactly
MAX_SECONDS = 366 * 86400  # time spent: the runtime stops counting below a year (builder.state.SECONDS_MAX)
MAX_FIELD = 200  # characters kept of a learner field (the page's input takes 100)
MAX_FIELD_NAME = 40
# Learner columns after the answer columns, so a spreadsheet made for the earlier columns still reads them.
CSV_COLUMNS = ("course", "version", "lang", "learner", "saved", "completion", "success", "score", "quiz",
               "question", "type", "prompt", "response", "correct", "points", "earned", "seconds", *LEARNER_FIELDS)


# --- the file format, declared once ----------------------------------------------------

Check = Callable[[Any], bool]


@dataclass(frozen=True)
class Field:
    """One key of a results object: what its value must be, and the keys of the objects it holds."""

    name: str
    expected: str
    check: Check
    keys: tuple[Field, ...] = ()  # for an object, or for every object of a list


def _text(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= MAX_TEXT


def _name(value: Any) -> bool:
    return isinstance(value, str) and bool(value.strip()) and len(value) <= MAX_NAME


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= MAX_COUNT


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _between(low: float, high: float) -> Check:
    return lambda value: _number(value) and low <= value <= high


def _time(value: Any) -> bool:
    return isinstance(value, str) and len(value) <= MAX_NAME and _parse_time(value) is not None


def _bool(value: Any) -> bool:
    return isinstance(value, bool)


def _one_of(*choices: str) -> Check:
    return lambda value: value in choices


def _or_null(check: Check) -> Check:
    return lambda value: value is None or check(value)


_NAME = f"of at most {MAX_NAME} characters"
_WHOLE = f"a whole number from 0 to {MAX_COUNT:,}"
_SCORE = "a number from 0 to 100 or null"
_POINTS = f"a number from 0 to {MAX_POINTS:,}"
_TEXT = f"text of at most {MAX_TEXT:,} characters"
COURSE = (Field("id", f"an id {_NAME}", _name), Field("version", f"a version {_NAME}", _name),
          Field("lang", f"a language code {_NAME}", _name), Field("title", _TEXT, _text))
PAGES = (Field("viewed", _WHOLE, _count), Field("total", _WHOLE, _count))
QUIZ = (Field("id", f"an id {_NAME}", _name), Field("title", _TEXT, _text),
        Field("graded", "true or false", _bool), Field("survey", "true or false", _bool),
        Field("attempts", _WHOLE, _count), Field("score", _SCORE, _or_null(_between(0, 100))))
TYPES = ("single", "multiple", "truefalse", "fill", "ordering", "matching", "likert", "text")
ANSWER = (Field("quiz", f"an id {_NAME}", _name), Field("question", f"an id {_NAME}", _name),
          Field("type", "one of " + ", ".join(TYPES), _one_of(*TYPES)), Field("prompt", _TEXT, _text),
          Field("response", _TEXT, _text),  # "" when the question was left unanswered
          Field("correct", "true, false or null", _or_null(_bool)),  # null: survey, not scored
          Field("points", _POINTS, _between(0, MAX_POINTS)), Field("earned", _POINTS, _between(0, MAX_POINTS)))
RESULTS = (Field("saved", "a date and time like 2026-11-25T10:00:00Z", _time),  # picks the latest copy
           Field("learner", f"a name {_NAME}", _name),
           Field("course", "an object", lambda v: isinstance(v, dict), COURSE),
           Field("pages", "an object", lambda v: isinstance(v, dict), PAGES),
           Field("completion", "'completed' or 'incomplete'", _one_of("completed", "incomplete")),
           Field("success", "'unknown', 'passed' or 'failed'", _one_of("unknown", "passed", "failed")),
           Field("score", _SCORE, _or_null(_between(0, 100))),  # null when nothing is graded
           Field("quizzes", "a list", lambda v: isinstance(v, list), QUIZ),
           Field("answers", "a list", lambda v: isinstance(v, list), ANSWER))


_ESCAPES = re.compile(r"\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)?|\x1b.?")
_CONTROLS = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Learners' text without terminal escape sequences or control characters: data, never commands."""
    return _CONTROLS.sub("", _ESCAPES.sub("", text))


def _parse_time(value: str) -> datetime | None:
    """A moment between 1970 and 9000 (so it compares and converts without overflow), or None."""
    try:
        moment = datetime.fromisoformat(value)
        moment = moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
        return moment if 0 <= moment.timestamp() < 220_898_664_000 else None
    except (ValueError, OverflowError):
        return None


class OddNumber:
    """A JSON number kept as its text because it cannot be a value here: too many digits, NaN, infinite.
    Not a str, so no text field takes it for text."""

    def __init__(self, text: str) -> None:
        self.text = text


def _json_type(value: Any) -> str:
    if isinstance(value, OddNumber):
        digits = sum(c.isdigit() for c in value.text)
        return f"a number with {digits:,} digits" if digits > MAX_DIGITS else shorten(value.text, 30)
    if isinstance(value, str):
        if len(value) > 60:
            return f"text of {len(value):,} characters"
        return f"'{shorten(value, 30)}'" if value else "empty text"
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return f"{value:g}"
    return {type(None): "null", bool: json.dumps(value), list: "a list"}.get(type(value), "an object")


# --- reading ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Answer:
    """One question as a learner answered it."""

    quiz: str
    question: str
    type: str
    prompt: str
    response: str
    correct: bool | None
    points: float
    earned: float


@dataclass(frozen=True)
class LearnerResult:
    """One results file: a learner's progress in one course."""

    path: Path
    learner: str
    saved: str
    course: str
    version: str
    lang: str
    title: str
    viewed: int
    total: int
    completion: str
    success: str
    score: float | None
    answers: tuple[Answer, ...]
    seconds: float | None = None  # time spent in the course, when the file says
    profile: tuple[tuple[str, str], ...] = ()  # what the learner said of themselves: town, organisation…

    @property
    def saved_at(self) -> datetime:
        """When the learner saved the file, as a moment comparable across time zones."""
        return _parse_time(self.saved)  # type: ignore[return-value]  # checked when read

    @property
    def who(self) -> tuple[str, str, str]:
        """Course, version and learner name as compared for duplicates ('ana ' is 'Ana')."""
        name = " ".join(unicodedata.normalize("NFC", self.learner).split()).casefold()
        return self.course, self.version, name


class _Located(dict):
    """A JSON object that knows the line it starts on, so problems inside it can name a line."""

    line = 1


def _int(text: str) -> int | OddNumber:
    return int(text) if len(text) <= MAX_DIGITS + 1 else OddNumber(text)


def _float(text: str) -> float | OddNumber:
    value = float(text) if len(text) <= 100 else math.inf
    return value if math.isfinite(value) else OddNumber(text)


def parse_json(text: str) -> Any:
    """Parse JSON, giving every object the line of its opening brace; numbers no summary can use
    (5,000 digits, 1e999, NaN) stay text, to be reported as such."""
    breaks = [m.start() for m in re.finditer("\n", text)]
    decoder = json.JSONDecoder(parse_int=_int, parse_float=_float, parse_constant=OddNumber)

    def parse_object(s_and_end: tuple[str, int], *args: Any) -> tuple[dict, int]:
        pairs, end = json.decoder.JSONObject(s_and_end, *args)
        located = _Located(pairs)
        located.line = bisect.bisect_left(breaks, s_and_end[1]) + 1
        return located, end

    decoder.parse_object = parse_object  # type: ignore[attr-defined]
    decoder.scan_once = json.scanner.py_make_scanner(decoder)  # the C scanner would skip parse_object
    return decoder.decode(text)


def read_file(path: Path, problems: Problems) -> str | None:
    """A results file's text, read only when it is a regular file under MAX_FILE bytes of UTF-8."""
    try:
        with open(path, "rb", opener=lambda p, flags: os.open(p, flags | getattr(os, "O_NONBLOCK", 0))) as f:
            info = os.fstat(f.fileno())
            if not stat.S_ISREG(info.st_mode):
                problems.error(path, 1, "not a regular file", "give the results files themselves")
                return None
            # A large file is refused unread; one growing while it is read, at the cap.
            data = f.read(MAX_FILE + 1) if info.st_size <= MAX_FILE else None
    except OSError as e:
        problems.error(path, 1, f"cannot read file: {e.strerror}", "check the file exists and is readable")
        return None
    if data is None or len(data) > MAX_FILE:
        problems.error(path, 1, f"the file is over {MAX_FILE // 1_000_000} MB, so it is not a results file "
                       "(those are a few KB)", "check it is the file the course saved")
        return None
    try:
        return data.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError as e:
        problems.error(path, data[: e.start].count(b"\n") + 1, "file is not UTF-8 text",
                       "save it as UTF-8 in your editor")
        return None


def read_result(path: Path, problems: Problems) -> LearnerResult | None:
    """Read and check one results file; None (with its problems recorded) when it is unusable."""
    text = read_file(path, problems)
    if text is None:
        return None
    if not text.strip():
        problems.error(path, 1, "the file is empty", RESAVE)
        return None
    try:
        data = parse_json(text)
    except json.JSONDecodeError as e:
        problems.error(path, e.lineno, f"not JSON: {e.msg} (column {e.colno})",
                       "the file is damaged or was edited; " + RESAVE)
        return None
    except RecursionError:
        problems.error(path, 1, "not JSON: nested too deeply", RESAVE)
        return None
    except ValueError:  # a number of thousands of digits: no results file has one
        problems.error(path, 1, "not a results file: a number is too long", RESAVE)
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        problems.error(path, 1, f"not a {FORMAT} file",
                       "expected a file saved with 'Save my results' on a course's My progress page")
        return None
    before = len(problems.errors)
    if _check_version(data, path, problems):
        _check(data, RESULTS, "", path, problems)
        if len(problems.errors) == before:
            _check_answers(data["answers"], path, problems)
    if len(problems.errors) > before:
        return None
    return _result(path, data, problems)


def _check_version(data: dict, path: Path, problems: Problems) -> bool:
    version = data.get("version")
    if "version" not in data:
        problems.error(path, 1, "'version' is missing", RESAVE)
    elif type(version) is not int or version != VERSION:
        problems.error(path, 1, f"unknown results version {json.dumps(version)}",
                       f"this coursepack reads version {VERSION}; update coursepack")
    else:
        return True
    return False


def _check(data: dict, fields: tuple[Field, ...], where: str, path: Path, problems: Problems) -> None:
    """Record every missing or wrong field of `data` and of the objects inside it."""
    line = getattr(data, "line", 1)
    for spec in fields:
        label = f"{where}.{spec.name}" if where else spec.name
        if spec.name not in data:
            problems.error(path, line, f"{where + ': ' if where else ''}'{spec.name}' is missing", RESAVE)
        elif not spec.check(value := data[spec.name]):
            problems.error(path, getattr(value, "line", line),
                           f"{label}: expected {spec.expected}, got {_json_type(value)}", RESAVE)
        elif isinstance(value, dict):
            _check(value, spec.keys, label, path, problems)
        elif spec.keys:
            for i, item in enumerate(value):
                if isinstance(item, dict):
                    _check(item, spec.keys, f"{label}[{i}]", path, problems)
                else:
                    problems.error(path, line, f"{label}[{i}]: expected an object, got {_json_type(item)}", RESAVE)


def _check_answers(answers: list[dict], path: Path, problems: Problems) -> None:
    """Rules across fields: a Likert answer is 1 to 5, no answer earns more than its points, and no question
    is answered twice."""
    seen = set()
    for i, answer in enumerate(answers):
        if answer["earned"] > answer["points"]:
            problems.error(path, answer.line, f"answers[{i}].earned: {answer['earned']:g} is more than its "
                           f"points ({answer['points']:g})", RESAVE)
        if answer["type"] == "likert" and answer["response"] not in ("", *LIKERT):
            problems.error(path, answer.line, f"answers[{i}].response: expected 1 to 5 for a likert question, "
                           f"got {_json_type(answer['response'])}", RESAVE)
        key = (answer["quiz"], answer["question"])
        if key in seen:
            problems.error(path, answer.line, f"answers[{i}]: question '{key[0]}/{key[1]}' is answered twice",
                           RESAVE)
        seen.add(key)


def _result(path: Path, data: dict, problems: Problems) -> LearnerResult:
    course, pages = data["course"], data["pages"]
    answers = tuple(Answer(a["quiz"], a["question"], a["type"], a["prompt"], a["response"], a["correct"],
                           a["points"], a["earned"]) for a in data["answers"])
    return LearnerResult(path, data["learner"].strip(), data["saved"], course["id"], course["version"],
                         course["lang"], course["title"], pages["viewed"], pages["total"], data["completion"],
                         data["success"], data["score"], answers, _seconds(data, path, problems),
                         _profile(data, path, problems))


def _seconds(data: dict, path: Path, problems: Problems) -> float | None:
    """Optional time spent: a number of seconds under a year; anything else is left out with a warning."""
    value = data.get("seconds")
    if value is None or _number(value) and 0 <= value < MAX_SECONDS:
        return None if value is None else float(value)
    problems.warn(path, getattr(data, "line", 1), f"seconds: expected a number from 0 to {MAX_SECONDS - 1:,}, "
                  f"got {_json_type(value)}", "the time spent is left out; the rest of the file counts")
    return None


def _profile(data: dict, path: Path, problems: Problems) -> tuple[tuple[str, str], ...]:
    """Optional learner fields (town, organisation, cohort): short texts by short names, in name order; a field
    that is not text is left out with a warning."""
    value = data.get("profile")
    if value is None:
        return ()
    line = getattr(value, "line", getattr(data, "line", 1))
    if not isinstance(value, dict):
        problems.warn(path, line, f"profile: expected an object, got {_json_type(value)}",
                      "the learner's town, organisation and cohort are left out; the rest of the file counts")
        return ()
    fields = {}
    for key, text in value.items():
        name = " ".join(key.split()).casefold()
        if not name or len(name) > MAX_FIELD_NAME:
            problems.warn(path, line, f"profile: a field named {_json_type(key)} is left out: a name has 1 to "
                          f"{MAX_FIELD_NAME} characters", "the rest of the file counts")
        elif not isinstance(text, str):
            problems.warn(path, line, f"profile.{shorten(name, 40)}: expected text, got {_json_type(text)}",
                          "this field is left out; the rest of the file counts")
        elif text.strip():
            fields[name] = " ".join(printable(text).split())[:MAX_FIELD]
    return tuple(sorted(fields.items()))


def find_files(paths: Iterable[Path]) -> list[Path]:
    """The files named, and every *.json below the folders named; each file once, in a stable order."""
    files: dict[Path, Path] = {}
    for path in paths:
        found = files_below(path, (".json",)) if path.is_dir() else [path]
        if not found:
            raise UsageProblem(f"no results files (*.json) in '{display_path(path)}'")
        for file in found:
            files.setdefault(file.resolve(), file)
    return list(files.values())


def files_below(folder: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """Files with these suffixes below `folder`, sorted. Skips hidden names: USB sticks that visited a Mac
    carry '._ana.json' copies that are not JSON."""
    return sorted(p for p in folder.rglob("*") if p.suffix.lower() in suffixes and p.is_file()
                  and not any(part.startswith(".") for part in p.relative_to(folder).parts))


# --- summarising -----------------------------------------------------------------------

Who = TypeVar("Who")  # whose answer: a learner's name here, a needs report's Record in builder.needs


@dataclass
class Question(Generic[Who]):
    """One question of a course with every learner's answer to it."""

    quiz: str
    question: str
    type: str
    prompt: str
    answers: list[tuple[Who, Answer]] = field(default_factory=list)  # (who, answer), in the order given

    @property
    def given(self) -> list[tuple[Who, Answer]]:
        """The answers that are not blank."""
        return [(who, a) for who, a in self.answers if a.response.strip()]


def questions_in_order(answered: list[tuple[Who, tuple[Answer, ...]]]) -> list[Question[Who]]:
    """Every question answered, with each one's answers, in the order of whoever answered most: the course
    order, even if others skipped some."""
    found: dict[tuple[str, str], Question[Who]] = {}
    for _, answers in sorted(answered, key=lambda pair: -len(pair[1])):
        for a in answers:
            found.setdefault((a.quiz, a.question), Question(a.quiz, a.question, a.type, a.prompt))
    for who, answers in answered:
        for a in answers:
            found[(a.quiz, a.question)].answers.append((who, a))
    return list(found.values())


@dataclass
class CourseResults:
    """Every kept learner of one course version, and its questions in course order."""

    course: str
    version: str
    title: str
    learners: list[LearnerResult]
    questions: list[Question[str]]


@dataclass
class Summary:
    """Everything read: the courses, and what was wrong or left out on the way."""

    files: list[Path]
    courses: list[CourseResults]
    problems: Problems
    rejected: int
    left_out: int

    def counts(self) -> str:
        """'2 of 3 results files read; 2 learners in 1 course; 1 file rejected'."""
        learners = sum(len(c.learners) for c in self.courses)
        parts = [f"{len(self.files) - self.rejected} of {plural(len(self.files), 'results file')} read",
                 f"{plural(learners, 'learner')} in {plural(len(self.courses), 'course')}"]
        if self.left_out:
            parts.append(f"{plural(self.left_out, 'older duplicate')} left out")
        if self.rejected:
            parts.append(f"{plural(self.rejected, 'file')} rejected")
        return "; ".join(parts)


def summarise(paths: Iterable[Path]) -> Summary:
    """Read every results file below `paths` and group the latest copy of each learner by course."""
    files = find_files(paths)
    problems = Problems()
    results = [r for r in (_read_one(f, problems) for f in files) if r]
    kept = latest(results, problems)
    keys = sorted({(r.course, r.version) for r in kept}, key=lambda k: (k[0], _natural(k[1])))
    courses = [_course([r for r in kept if (r.course, r.version) == key]) for key in keys]
    return Summary(files, courses, problems, len(files) - len(results), len(results) - len(kept))


def _read_one(path: Path, problems: Problems) -> LearnerResult | None:
    """One file, whatever it holds: a file no check foresaw is reported, and the others are still read."""
    try:
        return read_result(path, problems)
    except (ValueError, TypeError, KeyError, AttributeError, RecursionError, OverflowError) as e:
        problems.error(path, 1, f"cannot be read ({type(e).__name__}: {shorten(str(e), 60)})", RESAVE)
        return None


def latest(results: list[LearnerResult], problems: Problems) -> list[LearnerResult]:
    """The latest saved copy of each learner in each course; a warning names every copy left out."""
    ordered = sorted(results, key=lambda r: (r.who, -r.saved_at.timestamp(), str(r.path)))
    kept: dict[tuple[str, str, str], LearnerResult] = {}
    for result in ordered:
        newer = kept.setdefault(result.who, result)
        if newer is not result:
            copy = "a second" if newer.saved_at == result.saved_at else "an older"
            problems.warn(result.path, 1, f"left out: {copy} copy of {result.learner}'s results for "
                          f"{result.course} {result.version}", f"using {display_path(newer.path)} "
                          f"(saved {newer.saved})")
    return list(kept.values())


def _natural(text: str) -> tuple:
    """'1.10.0' after '1.9.0'."""
    return tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in re.split(r"(\d+)", text) if p)


def _course(results: list[LearnerResult]) -> CourseResults:
    learners = sorted(results, key=lambda r: (r.who, r.learner))
    questions = questions_in_order([(r.learner, r.answers) for r in learners])
    first = learners[0]
    return CourseResults(first.course, first.version, first.title, learners, questions)


def shorten(text: str, width: int) -> str:
    """One line of at most `width` characters, cut with '…' when longer; control characters shown escaped."""
    line = terminal_safe(" ".join(text.split()))
    return line if len(line) <= width else line[:width - 1].rstrip() + "…"
