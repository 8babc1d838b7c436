"""`coursepack new`: a small working course to start from."""

from __future__ import annotations

import shutil
from pathlib import Path

from builder.problems import CoursepackError, UsageProblem
from builder.resources import templates
from builder.schema import Invalid, slug

def create_course(source: Path, course_id: str) -> Path:
    """Copy the scaffold to source/<id>, filling in the id and a title."""
    try:
        slug(course_id, course_id)
    except Invalid as e:
        raise UsageProblem(f"course id {e.message}; {e.hint}") from None
    folder = source / course_id
    if folder.exists():
        raise CoursepackError(f"'{folder}' already exists; choose another id or remove the folder")
    shutil.copytree(templates() / "scaffold", folder)
    config = folder / "course.yaml"
    title = course_id.replace("-", " ").capitalize()
    config.write_text(config.read_text(encoding="utf-8").replace("{{id}}", course_id)
                      .replace("{{title}}", title), encoding="utf-8")
    return folder
