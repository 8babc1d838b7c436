"""The coordinator's needs report as figures: who finished, which questions teach least, what learners ask for.

Records come from learners' results files (builder.results) and from LMS exports
(builder.lms_export); this module only counts. The figures are plain JSON-ready dicts so the
same numbers feed the HTML page, the companion needs-report.json and the next report's comparison.
"""

from __future__ import annotations

import json
import statistics
import unicodedata
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from builder.results import LIKERT, Answer, LearnerResult, Question, printable, questions_in_order
from builder.results import _natural as natural  # '1.10' after '1.9', as `coursepack results` orders

FORMAT = "coursepack-needs-report"
VERSION = 1
GRADED_TYPES = ("single", "multiple", "truefalse", "fill", "ordering", "matching")
SURVEY_TYPES = ("likert", "text")
NO_GROUP = ""  # learners the --group-by field says nothing about


@dataclass(frozen=True)
class Record:
    """One learner's latest state in one course version, wherever it came from."""

    source: str  # the file it was read from, as shown to the coordinator
    learner: str
    course: str
    version: str
    title: str
    lang: str
    completion: str  # 'completed', 'incomplete' or '' when the source does not say
    success: str  # 'passed', 'failed' or 'unknown'
    score: float | None
    seconds: float | None  # time spent in the course, when the source says
    group: str
    answers: tuple[Answer, ...]


def clean_answer(a: Answer) -> Answer:
    """An answer whose texts are printable."""
    return replace(a, quiz=printable(a.quiz), question=printable(a.question), prompt=printable(a.prompt),
                   response=printable(a.response))


def record_from_result(result: LearnerResult, group: str) -> Record:
    """A results file as a record, its texts printable."""
    return Record(str(result.path), printable(result.learner), printable(result.course), printable(result.version),
                  printable(result.title), printable(result.lang), result.completion, result.success, result.score,
                  result.seconds, printable(group), tuple(map(clean_answer, result.answers)))


# --- figures ---------------------------------------------------------------------------

def rate(part: int, whole: int) -> float | None:
    """A share between 0 and 1, rounded so that reports compare byte for byte; None of nothing."""
    return round(part / whole, 4) if whole else None


def _median(values: list[float]) -> float | None:
    return round(float(statistics.median(values)), 2) if values else None


def _key(text: str) -> str:
    """Free text as compared for grouping: 'More  GIS training.' is 'more gis training'."""
    words = unicodedata.normalize("NFKC", text).casefold().split()
    return " ".join(words).strip(" .!;,")


def questions_of(records: list[Record]) -> list[Question[Record]]:
    """Every question answered, in the order of the learner who answered most (the course order)."""
    return questions_in_order([(r, r.answers) for r in records])


def figures(records: list[Record]) -> dict[str, Any]:
    """Rates, scores and every question's figures for a set of learners of one course version."""
    tracked = [r for r in records if r.completion]
    graded = [r for r in records if r.success != "unknown"]
    questions = questions_of(records)
    return {
        "learners": len(records),
        "completed": sum(r.completion == "completed" for r in records),
        "completion_rate": rate(sum(r.completion == "completed" for r in tracked), len(tracked)),
        "passed": sum(r.success == "passed" for r in records),
        "pass_rate": rate(sum(r.success == "passed" for r in graded), len(graded)),
        "median_score": _median([r.score for r in records if r.score is not None]),
        "median_minutes": _median([r.seconds / 60 for r in records if r.seconds is not None]),
        "questions": sorted((_graded(q) for q in questions if q.type in GRADED_TYPES),
                            key=lambda q: (q["correct_rate"] is None, q["correct_rate"] or 0)),
        "surveys": [_likert(q) if q.type == "likert" else _free_text(q)
                    for q in questions if q.type in SURVEY_TYPES],
    }


def _question(q: Question[Record]) -> dict[str, Any]:
    return {"quiz": q.quiz, "question": q.question, "type": q.type, "prompt": q.prompt,
            "answered": len(q.given)}


def _graded(q: Question[Record]) -> dict[str, Any]:
    """How many got it right, and the wrong answer chosen most: where the teaching has a gap."""
    scored = [a for _, a in q.given if a.correct is not None]
    wrong = Counter(" ".join(a.response.split()) for a in scored if not a.correct)
    top = sorted(wrong.items(), key=lambda item: (-item[1], item[0]))
    return {**_question(q), "correct": sum(bool(a.correct) for a in scored),
            "correct_rate": rate(sum(bool(a.correct) for a in scored), len(scored)),
            "most_chosen_wrong": top[0][0] if top else None, "most_chosen_wrong_count": top[0][1] if top else 0,
            "wrong_answers": dict(top)}


def _likert(q: Question[Record]) -> dict[str, Any]:
    """How many chose each level from 1 to 5, and the mean."""
    votes = Counter(a.response.strip() for _, a in q.given)
    counted = sum(votes[level] for level in LIKERT)
    total = sum(int(level) * votes[level] for level in LIKERT)
    return {**_question(q), "answered": counted, "distribution": {level: votes[level] for level in LIKERT},
            "mean": round(total / counted, 2) if counted else None}


def _free_text(q: Question[Record]) -> dict[str, Any]:
    """Answers that say the same thing once, with how many said it and from which groups, most said first."""
    grouped: dict[str, list[tuple[Record, Answer]]] = {}
    for record, a in q.given:
        grouped.setdefault(_key(a.response), []).append((record, a))
    answers = [{"text": " ".join(min(a.response for _, a in said).split()), "count": len(said),
                "groups": sorted({r.group for r, _ in said} - {NO_GROUP})}
               for said in grouped.values()]
    return {**_question(q), "answers": sorted(answers, key=lambda a: (-a["count"], _key(a["text"])))}


# --- the whole report ------------------------------------------------------------------

def course_report(records: list[Record], group_by: str | None) -> dict[str, Any]:
    """One course version: everyone, then each group apart."""
    first = min(records, key=lambda r: (r.title == "", r.source))
    report = {"course": first.course, "version": first.version, "title": first.title,
              "languages": sorted({r.lang for r in records} - {""}), "overall": figures(records)}
    if group_by:
        names = sorted({r.group for r in records}, key=lambda g: (g == NO_GROUP, g.casefold(), g))
        report["groups"] = [{"group": name, **figures([r for r in records if r.group == name])} for name in names]
    return report


def build_report(records: list[Record], group_by: str | None, problems: list[str], inputs: dict[str, Any],
                 previous: dict[str, Any] | None = None) -> dict[str, Any]:
    """Every course version's figures, what changed since `previous`, and what could not be read."""
    keys = sorted({(r.course, r.version) for r in records}, key=lambda k: (k[0], natural(k[1])))
    courses = [course_report([r for r in records if (r.course, r.version) == key], group_by) for key in keys]
    report = {"format": FORMAT, "version": VERSION, "group_by": group_by, "inputs": inputs, "courses": courses,
              "problems": problems}
    if previous is not None:
        report["since"] = {"inputs": previous.get("inputs", {}), "courses": compare(courses, previous)}
    return report


# --- comparing with an earlier report --------------------------------------------------

def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else round(now - before, 4)


def compare(courses: list[dict[str, Any]], previous: dict[str, Any]) -> list[dict[str, Any]]:
    """What moved since the earlier report, per course: rates, each question's correct rate, each mean.

    A course matches by id whatever its version, so a new version of a course is compared with the
    latest version the earlier report had; questions and survey items match by quiz and question id.
    """
    before_by_course: dict[str, dict[str, Any]] = {}
    for course in previous.get("courses", []):
        if isinstance(course, dict) and isinstance(course.get("overall"), dict):
            before_by_course[str(course.get("course"))] = course
    changes = []
    for course in courses:
        before = before_by_course.get(course["course"])
        if before is None:
            changes.append({"course": course["course"], "version": course["version"], "new": True})
            continue
        now, then = course["overall"], before["overall"]
        changes.append({
            "course": course["course"], "version": course["version"], "previous_version": before.get("version"),
            "learners": [then.get("learners"), now["learners"]],
            **{name: {"before": _number(then.get(name)), "now": now[name],
                      "change": _change(now[name], _number(then.get(name)))}
               for name in ("completion_rate", "pass_rate", "median_score")},
            "questions": _moved(now["questions"], then.get("questions"), "correct_rate"),
            "surveys": _moved([s for s in now["surveys"] if s["type"] == "likert"], then.get("surveys"), "mean"),
        })
    return changes


def _number(value: Any) -> float | None:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool)
    return float(value) if ok and abs(value) < 1e15 else None


def _moved(now: list[dict[str, Any]], then: Any, figure: str) -> list[dict[str, Any]]:
    """Each item's figure now, before and the change, largest change first."""
    earlier = {(i.get("quiz"), i.get("question")): _number(i.get(figure))
               for i in then or [] if isinstance(i, dict)}
    moved = [{"quiz": i["quiz"], "question": i["question"], "prompt": i["prompt"], "before": earlier[key],
              "now": i[figure], "change": _change(i[figure], earlier[key])}
             for i in now if (key := (i["quiz"], i["question"])) in earlier]
    return sorted(moved, key=lambda m: (m["change"] is None, -abs(m["change"] or 0), m["quiz"], m["question"]))


def read_previous(path: Path) -> dict[str, Any]:
    """An earlier needs-report.json, checked enough that comparing with it cannot fail."""
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        raise ValueError(f"not a {FORMAT} file")
    if not isinstance(data.get("courses"), list):
        raise ValueError("'courses' is not a list")
    return data
