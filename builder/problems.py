"""Author-facing problems: collected across a whole course, then reported at once."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import click


@dataclass(frozen=True, order=True)
class Problem:
    """One thing wrong in a course source, with where it is and how to fix it."""

    path: str
    line: int
    message: str
    hint: str = ""
    warning: bool = False

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line else self.path
        kind = "warning: " if self.warning else ""
        text = f"{where}: {kind}{self.message}"
        return terminal_safe(f"{text} — {self.hint}" if self.hint else text)  # names and values may be hostile


# Characters a terminal would act on instead of showing: C0 and C1 controls (escape sequences start
# with ESC or CSI), DEL, line and paragraph separators, and the bidi overrides and isolates that can
# make text read differently from what it holds ("Trojan source"); and lone surrogates, which are
# bytes of a file name that were not UTF-8.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def terminal_safe(text: str) -> str:
    """Text safe to print on a terminal: every control character written as an escape (\\x1b, \\u202e)."""
    return _CONTROL.sub(lambda m: m[0].encode("unicode_escape").decode("ascii"), text)


def display_path(path: Path) -> str:
    """Show a path relative to the working directory when it lies below it."""
    try:
        return os.path.relpath(path) if path.is_absolute() and _below_cwd(path) else str(path)
    except ValueError:  # another drive on Windows
        return str(path)


def _below_cwd(path: Path) -> bool:
    return path.resolve().is_relative_to(Path.cwd().resolve())


@dataclass
class Problems:
    """Collects errors and warnings so one run reports every problem of a course."""

    items: list[Problem] = field(default_factory=list)
    _seen: set[Problem] = field(default_factory=set, repr=False, compare=False)  # items, for a quick lookup

    def error(self, path: Path, line: int, message: str, hint: str = "") -> None:
        """Record an error; the build of this course will fail."""
        self._add(Problem(display_path(path), _line(path, line), message, hint))

    def warn(self, path: Path, line: int, message: str, hint: str = "") -> None:
        """Record a warning; fatal only under --strict."""
        self._add(Problem(display_path(path), _line(path, line), message, hint, warning=True))

    def _add(self, problem: Problem) -> None:
        """Keep one copy: a file is checked once per language, a template rendered once per page."""
        if problem not in self._seen:
            self._seen.add(problem)
            self.items.append(problem)

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.items if not p.warning]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.items if p.warning]

    def failed(self, strict: bool = False) -> bool:
        """True when the course must not be packaged."""
        return bool(self.errors or (strict and self.warnings))


def _line(path: Path, line: int) -> int:
    """A problem about a whole file points at its first line; a folder has none."""
    return line or (0 if path.is_dir() else 1)


def closest(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """The choice that `word` most likely misspells, if any is close enough."""
    import difflib  # only for a course with a mistake: every command imports this module

    close = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    return close[0] if close else None


def did_you_mean(word: str, choices: list[str] | tuple[str, ...]) -> str:
    """A hint naming the closest valid choice, or listing the choices."""
    close = closest(word, choices)
    if close:
        return f"did you mean '{close}'?"
    return "expected one of: " + ", ".join(sorted(choices))


class CoursepackError(click.ClickException):
    """Root of every error the CLI reports without a traceback (exit code 1)."""

    exit_code = 1


class UsageProblem(click.UsageError):
    """A mistake in how the command was called (exit code 2)."""
