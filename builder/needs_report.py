"""`coursepack report`: gather → count → compare → write needs-report.html and its needs-report.json."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from builder.needs import build_report, read_previous
from builder.needs_html import LANGUAGES, render_report
from builder.needs_input import Inputs, gather
from builder.package import write_file
from builder.problems import CoursepackError, Problem, UsageProblem


@dataclass(frozen=True)
class ReportOptions:
    """What the coordinator chose on the command line."""

    group_by: str | None = None  # 'folder', or a learner field such as town, organisation, cohort
    lang: str | None = None  # the report's language; default: the language most learners used
    course: str | None = None  # the course of LMS exports that do not say
    sources: tuple[Path, ...] = ()  # course folders whose questions name the options in LMS exports


def companion(out: Path) -> Path:
    """needs-report.html → needs-report.json: what the next report compares with."""
    return out.with_suffix(".json")


def report_language(inputs: Inputs) -> str:
    """The language most learners used, when the report speaks it; English otherwise."""
    used = Counter(r.lang for r in inputs.records if r.lang)
    for lang, _ in sorted(used.items(), key=lambda item: (-item[1], item[0])):
        for code in (lang, lang.split("-")[0]):
            if code in LANGUAGES:
                return code
    return "en"


def figures_of(inputs: Inputs, options: ReportOptions, previous: dict[str, Any] | None) -> dict[str, Any]:
    """The whole report as data, with every problem met on the way."""
    problems = [str(p) for p in sorted(inputs.problems.items, key=_order)]
    summary = {"files": inputs.files, "read": inputs.files - inputs.rejected, "rejected": inputs.rejected,
               "learners": len(inputs.records), "saved": inputs.latest_saved}
    return build_report(inputs.records, options.group_by, problems, summary, previous)


def _order(problem: Problem) -> tuple:
    return problem.warning, problem.path, problem.line


def load_since(path: Path, options: ReportOptions) -> dict[str, Any]:
    """An earlier report: its needs-report.json, or the figures of earlier results files read now."""
    if path.is_file() and path.suffix.lower() == ".json":
        try:
            return read_previous(path)
        except (OSError, UnicodeDecodeError, ValueError) as e:
            if not _looks_like_results(path):
                raise UsageProblem(f"--since '{path}': {e}; give an earlier needs-report.json or the folder "
                                   "of earlier results files") from e
    return figures_of(gather([path], options.group_by, options.course, list(options.sources)), options, None)


def _looks_like_results(path: Path) -> bool:
    try:
        return b'"coursepack-results"' in path.read_bytes()[:4096]
    except OSError:
        return False


def make_report(paths: list[Path], out: Path, options: ReportOptions, since: Path | None) -> tuple[Inputs, dict]:
    """Read, count, compare and write both files; what was read comes back for the terminal summary."""
    if out.suffix.lower() not in (".html", ".htm"):
        raise UsageProblem(f"--out '{out}' should end in .html (the figures go beside it as .json)")
    if out.resolve() in {p.resolve() for p in paths} or companion(out).resolve() in {p.resolve() for p in paths}:
        raise UsageProblem(f"--out '{out}' would overwrite an input; choose another name")
    previous = load_since(since, options) if since else None
    inputs = gather(paths, options.group_by, options.course, list(options.sources))
    report = figures_of(inputs, options, previous)
    lang = options.lang or report_language(inputs)
    data = json.dumps(report, ensure_ascii=False, indent=1).encode("utf-8") + b"\n"
    try:
        write_file(companion(out), data)
        write_file(out, render_report(report, lang))
    except OSError as e:
        raise CoursepackError(f"cannot write '{out}': {e.strerror}") from e
    return inputs, report
