"""coursepack's own files — templates, locales, static assets, the `new` scaffold, the guides — wherever it is installed.

In the repository they stay in `templates/` and `docs/` beside the package; a wheel or sdist carries them
inside it as `builder/_templates` and `builder/_docs` (pyproject.toml maps the folders). Every module finds
them here, never through `__file__`, and a missing file stops the run with one clear message instead of
being read as empty (a missing locales folder once showed as `KeyError: 'external_link'`).
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

from builder.problems import CoursepackError

CHECKOUT = Path(__file__).resolve().parent.parent  # a source checkout: templates/ and docs/ beside builder/
REQUIRED_TEMPLATES = ("base.html", "home.html", "module.html", "library.html", "locales/en.yaml",
                      "static/coursepack.css", "static/coursepack.js", "scaffold/course.yaml",
                      "report/needs.html", "report/locales/en.yaml")
GUIDES = {"authoring": "authoring.md", "coordinators": "coordinators.md", "decisions": "decisions.md",
          "tracking": "tracking.md"}


class InstallProblem(CoursepackError):
    """coursepack itself is incomplete: reinstalling fixes it, editing a course cannot (exit code 3)."""

    exit_code = 3


@cache
def templates() -> Path:
    """The shipped templates folder; InstallProblem when it or a file every build needs is missing."""
    return _folder("_templates", "templates", REQUIRED_TEMPLATES)


@cache
def docs() -> Path:
    """The folder of the shipped guides (authoring, decisions, tracking)."""
    return _folder("_docs", "docs", tuple(GUIDES.values()))


def _folder(packaged: str, checkout: str, required: tuple[str, ...]) -> Path:
    """The folder inside the installed package, else the checkout's; either way complete."""
    inside = resources.files("builder") / packaged
    folder = Path(str(inside)) if inside.is_dir() else CHECKOUT / checkout
    missing = [name for name in required if not (folder / name).is_file()]
    if missing:
        raise InstallProblem(f"coursepack is installed without its {checkout} (no {', '.join(missing)} in "
                             f"{folder}) — reinstall it: pip install --force-reinstall coursepack")
    return folder
