"""Shared fixtures: the project's folders and a CLI runner."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main

PROJECT = Path(__file__).resolve().parent.parent
COURSES = PROJECT / "courses"


@pytest.fixture
def run(tmp_path):
    """Run `coursepack ARGS...` in-process; returns the click Result (stdout and stderr apart)."""

    def invoke(*args: str):
        return CliRunner().invoke(main, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def sample(tmp_path):
    """Copy a sample course into tmp_path/courses/<id> and return its folder."""

    def copy(course_id: str) -> Path:
        target = tmp_path / "courses" / course_id
        shutil.copytree(COURSES / course_id, target)
        return target

    return copy


@pytest.fixture
def new_course(tmp_path, run):
    """A fresh scaffolded course under tmp_path/courses."""
    result = run("new", "town-course", "--source", tmp_path / "courses")
    assert result.exit_code == 0, result.output
    return tmp_path / "courses" / "town-course"
