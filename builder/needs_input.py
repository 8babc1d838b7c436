"""Gather a needs report's inputs: learners' results files, LMS exports, and the courses' own questions.

Input is untrusted (files from learners' browsers and USB sticks): each file is read on its own,
a bad one is reported with its name and left out, and the others still count.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from builder.lms_export import ExportProblem, Known, interaction_ids, read_export
from builder.needs import NO_GROUP, Record, record_from_result
from builder.problems import Problems, UsageProblem, display_path
from builder.results import LearnerResult, files_below, latest, read_result

EXPORTS = (".csv", ".tsv", ".txt")  # Moodle downloads its interactions report "as text" (.txt, tab-separated)


@dataclass
class Inputs:
    """Everything read for one report."""

    records: list[Record] = field(default_factory=list)
    files: int = 0
    rejected: int = 0
    problems: Problems = field(default_factory=Problems)
    latest_saved: str = ""


def find_inputs(paths: list[Path]) -> list[tuple[Path, Path]]:
    """(file, the folder or file named on the command line) for every results file and export, once each."""
    found: dict[Path, tuple[Path, Path]] = {}
    for root in paths:
        if root.is_dir():
            files = files_below(root, (".json", *EXPORTS))
        else:
            files = [root]
        if not files:
            raise UsageProblem(f"no results files (*.json) or LMS exports (*.csv, *.txt) in '{display_path(root)}'")
        for file in files:
            found.setdefault(file.resolve(), (file, root))
    return list(found.values())


def folder_group(file: Path, root: Path) -> str:
    """The folder a file was collected in: the first folder below the one named, or the file's own folder."""
    if root.is_dir() and file != root:
        parts = file.relative_to(root).parts
        return parts[0] if len(parts) > 1 else root.resolve().name
    return file.resolve().parent.name


def profile_group(result: LearnerResult, group_by: str) -> str:
    """The learner field named by --group-by (town, organisation, cohort…), as the learner wrote it."""
    return dict(result.profile).get(group_by.casefold(), NO_GROUP)


def gather(paths: list[Path], group_by: str | None, course: str | None, sources: list[Path]) -> Inputs:
    """Read every input; the latest copy of each learner in each course counts."""
    inputs = Inputs()
    found = find_inputs(paths)
    inputs.files = len(found)
    results: list[LearnerResult] = []
    groups: dict[Path, str] = {}
    exports = []
    for file, root in found:
        group = folder_group(file, root) if group_by == "folder" else NO_GROUP
        if file.suffix.lower() in EXPORTS:
            exports.append((file, group))
            continue
        result = read_result(file, inputs.problems)
        if result is None:
            inputs.rejected += 1
            continue
        groups[result.path] = group if group_by == "folder" else profile_group(result, group_by or "")
        results.append(result)
    kept = latest(results, inputs.problems)
    inputs.records = [record_from_result(r, groups[r.path]) for r in kept]
    inputs.latest_saved = max((r.saved for r in kept), default="")
    known = known_from_results(kept)
    for root in sources:
        known.update(known_from_course(root, inputs.problems))
    for file, group in exports:
        _read_export(file, group, group_by, course, known, inputs)
    return inputs


def _read_export(file: Path, group: str, group_by: str | None, course: str | None, known: dict[str, Known],
                 inputs: Inputs) -> None:
    try:
        records, warnings = read_export(file, known, course, group_by, group)
    except ExportProblem as e:
        inputs.problems.error(file, e.line, str(e), e.hint)
        inputs.rejected += 1
        return
    except OSError as e:
        inputs.problems.error(file, 1, f"cannot read the file: {e.strerror}", "check it is a readable file")
        inputs.rejected += 1
        return
    for line, message, hint in warnings:
        inputs.problems.warn(file, line, message, hint)
    inputs.records += records


def known_from_results(results: list[LearnerResult]) -> dict[str, Known]:
    """Every question the results files answered, by the interaction id an LMS would have stored."""
    known: dict[str, Known] = {}
    for r in sorted(results, key=lambda r: (r.course, r.version, str(r.path))):
        for a in r.answers:
            for ident in interaction_ids(a.quiz, a.question):
                known.setdefault(ident, Known(r.course, r.version, r.title, a.quiz, a.question, a.type, a.prompt,
                                              a.points))
    return known


def known_from_course(root: Path, problems: Problems) -> dict[str, Known]:
    """Every question of a course source (or of each course below a folder), with its options' words."""
    from builder.course import load_course  # the Markdown pipeline, only when sources are given
    from builder.locale import strings
    from builder.markup import split_source
    from builder.quiz import extract_quizzes
    from builder.limits import MODULE
    from builder.safefiles import read_course_text
    from builder.tracking import quiz_model

    known: dict[str, Known] = {}
    for folder in ([root] if (root / "course.yaml").is_file() else sorted(p.parent for p in root.glob("*/course.yaml"))):
        course = load_course(folder, problems)
        if course is None:
            continue
        t = strings(course, course.language)
        title = course.texts[course.language].title
        for module in course.modules:
            text = read_course_text(course.root, module.files[course.language], MODULE, problems)
            if text is None:
                continue
            _, quizzes = extract_quizzes(split_source(text, module.files[course.language], problems), Problems())
            for quiz in quizzes:
                for q in quiz_model(quiz, 0, t)["questions"]:
                    options = [o["text"] for o in q.get("options", [])] or q.get("items") or q.get("right") \
                        or q.get("labels") or []
                    info = Known(course.id, course.version, title, quiz.id, q["id"], q["type"], q["prompt"],
                                 float(q["points"]), tuple(options), tuple(q.get("left", [])))
                    known.update(dict.fromkeys(interaction_ids(quiz.id, q["id"]), info))
    return known
