"""Everything a build reports: problems, progress, the summary table and the JSON size report."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, TextIO

import click

if TYPE_CHECKING:  # only named in annotations: `coursepack results` need not load the build pipeline
    from builder.build import CourseResult, Package
from builder.sizes import SPEEDS, download_time, human_size


def plural(count: int, word: str) -> str:
    """'1 error', '2 errors'."""
    return f"{count} {word}" if count == 1 else f"{count} {word}s"


class Reporter:
    """Prints one course's problems as soon as it is done, and the final summary."""

    def __init__(self, err: TextIO | None = None, strict: bool = False) -> None:
        self.err = err
        self.strict = strict

    def course_done(self, result: CourseResult) -> None:
        """Print a course's problems, errors first, each group in file and line order."""
        for problem in sorted(result.problems, key=lambda p: (p.warning, p.path, p.line)):
            click.echo(str(problem), file=self.err, err=self.err is None)

    def summary(self, results: list[CourseResult], wrote: bool) -> None:
        """A table of packages, then one line of counts."""
        packages = [p for r in results for p in r.packages]
        if packages:
            rows = [(p.course, "+".join(p.languages) or p.lang, p.format, human_size(p.size),
                     *(download_time(p.size, s) for s in SPEEDS.values()), p.path.name) for p in packages]
            header = ("course", "lang", "format", "size", *(f"at {s}" for s in SPEEDS), "file")
            widths = [max(len(str(row[i])) for row in [header, *rows]) for i in range(len(header))]
            for row in [header, *rows]:
                click.echo("  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)).rstrip())
        failed = [r for r in results if r.failed]
        errors = sum(1 for r in results for p in r.problems if not p.warning)
        warnings = sum(1 for r in results for p in r.problems if p.warning)
        verb = "built" if wrote else "checked"
        line = f"{len(results) - len(failed)} of {plural(len(results), 'course')} {verb}"
        if wrote:
            line += f", {plural(len(packages), 'package')}"
        fresh = sum(1 for r in results if r.up_to_date)
        if fresh:
            line += f" ({fresh} up to date, not rebuilt)"
        line += f"; {plural(errors, 'error')}, {plural(warnings, 'warning')}"
        if failed:
            line += " (failed: " + ", ".join(r.course for r in failed) + ")"
        click.echo(line, err=bool(failed))


def size_report(results: list[CourseResult]) -> bytes:
    """Every package built, with every file inside it, as JSON that diffs cleanly between releases.

    Sorted throughout and free of dates, so the same packages always give the same bytes.
    """
    packages = sorted((p for r in results for p in r.packages), key=lambda p: p.path.name)
    report = {"packages": [_package_entry(p) for p in packages]}
    return (json.dumps(report, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def _package_entry(package: Package) -> dict:
    return {
        "course": package.course, "version": package.version, "lang": package.lang,
        "languages": list(package.languages or [package.lang]), "format": package.format,
        "file": package.path.name, "size": package.size, "sha256": package.sha256,
        "files": [{"path": e.path, "size": e.size, "compressed_size": e.compressed, "sha256": e.sha256}
                  for e in sorted(package.entries, key=lambda e: e.path)],
    }
