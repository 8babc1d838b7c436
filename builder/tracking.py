"""Tracking, build side: the course model every page loads, and the checks that keep tracking sound.

docs/tracking.md is the contract with the runtime (templates/static/coursepack.js).
"""

from __future__ import annotations

import json
import re
from typing import Any, Iterable

from builder import state
from builder.course import Course
from builder.locale import CATEGORIES, plural_table
from builder.pages import Page
from builder.problems import Problems
from builder.questions import CHOICE_TYPES, LIKERT_POINTS
from builder.quiz import Question, Quiz
from builder.quizhtml import number, plain

COURSE_DATA = "assets/course-data.js"
_NAME = re.compile(r"""'(\w+)'|"(\w+)"|\.([A-Za-z_]\w*)""")  # a string key as a script names it
_JS_UNSAFE = {"<!--": "\\u003c!--", "</": "<\\/", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_RULE_LINE = re.compile(r"^\s*rule\s*:|[{,]\s*rule\s*:")
_PARTS = {"text": "free-text questions", "fill": "fill-in questions", "other answers": "other questions",
          "pages": "pages", "quiz records": "quizzes and surveys"}


# --- the course model: assets/course-data.js --------------------------------------------------

def course_model(course: Course, lang: str, pages: list[Page], t: dict[str, str],
                 scripts: Iterable[str] = ()) -> dict[str, Any]:
    """What the runtime needs to know about the course, as plain data; `scripts`: the package's, which read it."""
    return {
        "id": course.id, "version": course.version, "lang": lang, "title": course.text(lang).title,
        "rule": course.completion.rule, "mastery": number(course.completion.mastery_score),
        "pages": [{"href": page.href, "title": page.title} for page in pages],
        "quizzes": [quiz_model(quiz, i, t) for i, page in enumerate(pages) for quiz in page.quizzes],
        "strings": runtime_strings(t, scripts), "plural": plural_table(lang),
        # what a SCORM 1.2 LMS keeps of each free-text answer, so the state fits its 4096 characters
        "keep": state.text_keep(len(pages), [quiz.questions for page in pages for quiz in page.quizzes]),
    }


def runtime_strings(t: dict[str, str], scripts: Iterable[str]) -> dict[str, str]:
    """The interface strings the scripts look up; templates write every other one into the HTML already.

    Each byte counts on a slow link. A script names a string by its key as a literal ('js_correct'),
    as a property (T.decimal_separator), by the start of its key ('progress_status_' + status), or,
    for a counted string, by its key without the plural category ('js_score' for js_score_one).
    Reading the scripts shipped, not a list, keeps a course's own coursepack.js and new lookups served.
    """
    names = {name for script in scripts for match in _NAME.finditer(script) for name in match.groups() if name}
    starts = tuple(name for name in names if name.endswith("_"))
    return {key: text for key, text in t.items() if key in names or key.startswith(starts)
            or (key.rpartition("_")[2] in CATEGORIES and key.rpartition("_")[0] in names)}


def quiz_model(quiz: Quiz, page: int, t: dict[str, str]) -> dict[str, Any]:
    """One quiz or survey; `page` is its page's index in the model's `pages`."""
    return {"id": quiz.id, "title": plain(quiz.title), "page": page, "graded": quiz.graded,
            "attempts": quiz.attempts, "survey": quiz.survey,
            "questions": [question_model(question, t) for question in quiz.questions]}


def question_model(question: Question, t: dict[str, str]) -> dict[str, Any]:
    """One question: what every question has, plus what its type needs (texts are plain text)."""
    data: dict[str, Any] = {"id": question.id, "type": question.type, "points": number(question.points),
                            "prompt": plain(question.prompt)}
    if question.feedback:
        data["feedback"] = plain(question.feedback)
    kind = question.type
    if kind in CHOICE_TYPES:
        data["options"] = [{"text": plain(o.text), "feedback": plain(o.feedback)} for o in question.options]
        data["correct"] = question.correct
    elif kind == "fill":
        data.update(answers=question.answers, case=question.case, accents=question.accents)
    elif kind == "ordering":
        data["items"] = [plain(item) for item in question.items]
    elif kind == "matching":
        data.update(left=[plain(x) for x in question.left], right=[plain(x) for x in question.right],
                    correct=question.matches)
    elif kind == "likert":
        data["labels"] = ([plain(o.text) for o in question.options]
                          or [t[f"quiz_likert_{i}"] for i in range(1, LIKERT_POINTS + 1)])
    return data


def course_data_js(model: dict[str, Any]) -> bytes:
    """`window.coursepackCourse = {…};` with the same bytes for the same model, safe in any HTML context."""
    text = json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    for unsafe, escaped in _JS_UNSAFE.items():
        text = text.replace(unsafe, escaped)
    return f"window.coursepackCourse = {text};\n".encode("utf-8")


# --- checks ---------------------------------------------------------------------------------

def check_tracking(course: Course, lang: str, pages: list[Page], problems: Problems) -> None:
    """The completion rule has what it needs, and the saved state fits SCORM 1.2."""
    quizzes = [quiz for page in pages for quiz in page.quizzes]
    where = f" in its '{lang}' pages" if len(course.languages) > 1 else ""
    rule = course.completion.rule
    if rule in ("quiz", "both") and not any(quiz.graded and not quiz.survey for quiz in quizzes):
        problems.error(course.config, _rule_line(course), f"completion.rule: '{rule}' needs a graded quiz, and the "
                       f"course has none{where}", "add 'graded' to a quiz ('::: quiz Title {graded}'), or set "
                       "rule: pages")
    shapes = [quiz.questions for quiz in quizzes]
    over = state.first_over(len(pages), shapes)
    if over is not None:
        quiz = quizzes[over[0]]
        length = state.worst_case(len(pages), shapes, state.TEXT_KEEP_MIN)
        problems.error(quiz.path, quiz.questions[over[1]].line, f"saved progress can reach {length} characters"
                       f"{where} from this question on, more than the {state.SCORM12_LIMIT} a SCORM 1.2 LMS keeps "
                       f"(each free-text answer counted at {state.TEXT_KEEP_MIN} characters)",
                       _reduce_hint(state.breakdown(len(pages), shapes, state.TEXT_KEEP_MIN), length))


def check_translated_quizzes(course: Course, pages_by_lang: dict[str, list[Page]], problems: Problems) -> None:
    """Warn where a translation's quizzes differ from the main language's: results and progress would not match."""
    main = {page.module.name: page for page in pages_by_lang.get(course.language, [])}
    hint = (f"keep every quiz as in the {course.language} module: the same ids, types, number of options and right "
            "answers, so results and saved progress match across languages")
    for lang, pages in pages_by_lang.items():
        for page in pages:
            original = main.get(page.module.name)
            if lang == course.language or page.fallback or original is None:
                continue
            theirs = {quiz.id: _shape(quiz) for quiz in original.quizzes}
            ours = {quiz.id: quiz for quiz in page.quizzes}
            for quiz in page.quizzes:
                if quiz.id not in theirs:
                    problems.warn(page.source, quiz.line, f"{quiz.kind} '{quiz.id}' is not in the {course.language} "
                                  "module", hint)
                elif _shape(quiz) != theirs[quiz.id]:
                    problems.warn(page.source, quiz.line, f"{quiz.kind} '{quiz.id}' differs from its {course.language} "
                                  "version", hint)
            for missing in [ident for ident in theirs if ident not in ours]:
                problems.warn(page.source, 0, f"quiz or survey '{missing}' of the {course.language} module is "
                              "missing here", hint)
            if [i for i in ours if i in theirs] != [i for i in theirs if i in ours]:
                problems.warn(page.source, 0, "quizzes are in another order than in the "
                              f"{course.language} module", hint)


def _shape(quiz: Quiz) -> tuple:
    """What must not change between languages: everything but the words."""
    return (quiz.survey, quiz.graded, quiz.attempts, tuple(
        (q.id, q.type, q.points, len(q.options) if q.type in CHOICE_TYPES else len(q.items),
         tuple(q.correct), tuple(q.matches), q.case, q.accents)  # fill-in answers may differ: synonyms
        for q in quiz.questions))


def _reduce_hint(parts: dict[str, tuple[int, int]], length: int) -> str:
    """Name what takes a tenth of the room or more, biggest first."""
    biggest = sorted(((size, count, name) for name, (size, count) in parts.items()
                      if name in _PARTS and size * 10 >= length), reverse=True)
    listed = ", ".join(f"{count} {_PARTS[name]} ({size} characters)" for size, count, name in biggest)
    return (f"most room goes to {listed}: use fewer questions (free-text and fill-in ones above all), or split "
            "the course")


def _rule_line(course: Course) -> int:
    """course.yaml's 'rule:' line (the rule is only quiz or both when it is written there)."""
    for number_, line in enumerate(course.config.read_text(encoding="utf-8").splitlines(), 1):
        if _RULE_LINE.search(line):
            return number_
    return 0


def read_course_data(text: str) -> dict[str, Any]:
    """The course model back from the text course_data_js wrote (a format that reshapes it: builder.formats.cc)."""
    return json.loads(text[text.index("{"):text.rindex("}") + 1])
