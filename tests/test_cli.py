"""The command line as a trainer uses it: new, check, build; exit codes and what is printed."""

from __future__ import annotations

import shutil

import pytest

from builder.buildkey import RECORD  # the build record beside the packages (incremental builds)

@pytest.fixture
def project(tmp_path, monkeypatch, run):
    """A project folder with two scaffolded courses, as the working directory."""
    monkeypatch.chdir(tmp_path)
    for course_id in ("roads", "water"):
        assert run("new", course_id).exit_code == 0
    return tmp_path


def test_new_creates_a_course_that_checks_clean(project, run):
    result = run("check", "roads")
    assert result.exit_code == 0, result.output
    assert result.stdout.strip().endswith("1 of 1 course checked; 0 errors, 0 warnings")
    assert not (project / "dist").exists()


def test_new_refuses_an_existing_folder_and_a_bad_id(project, run):
    again = run("new", "roads")
    assert again.exit_code == 1 and "'courses/roads' already exists" in again.stderr
    bad = run("new", "Roads & Water")
    assert bad.exit_code == 2 and "is not a valid id" in bad.stderr


def test_build_without_arguments_builds_every_course(project, run):
    result = run("build")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (project / "dist").iterdir() if p.name != RECORD) == sorted(
        [f"{c}-0.1.0-{f}.zip" for c in ("roads", "water") for f in ("offline", "scorm12", "scorm2004")]
        + ["catalog.json", "index.html"])
    lines = result.stdout.splitlines()
    assert lines[0].split() == ["course", "lang", "format", "size", "at", "256", "kbit/s", "at", "2", "Mbit/s",
                                "file"]
    assert lines[-1] == "2 of 2 courses built, 6 packages; 0 errors, 0 warnings"


def test_format_and_out_pick_what_and_where(project, run):
    result = run("build", "water", "-f", "scorm2004", "--format", "offline", "--out", "packages")
    assert result.exit_code == 0
    assert sorted(p.name for p in (project / "packages").iterdir() if p.name != RECORD) == ["catalog.json", "index.html",
                                                                        "water-0.1.0-offline.zip",
                                                                        "water-0.1.0-scorm2004.zip"]


def test_a_broken_course_fails_alone(project, run):
    (project / "courses" / "roads" / "modules" / "01-welcome.md").write_text("no title here\n")
    result = run("build")
    assert result.exit_code == 1
    assert "courses/roads/modules/01-welcome.md:1: the module has no title" in result.stderr
    assert sorted(p.name for p in (project / "dist").iterdir() if p.name != RECORD) == ["catalog.json", "index.html"] + [
        f"water-0.1.0-{f}.zip" for f in ("offline", "scorm12", "scorm2004")]
    assert result.stderr.strip().endswith("1 of 2 courses built, 3 packages; 1 error, 0 warnings (failed: roads)")


def test_strict_makes_warnings_fatal(project, run):
    shutil.copy(project / "courses" / "roads" / "modules" / "02-first-steps.md",
                project / "courses" / "roads" / "02-extra.md")
    config = project / "courses" / "roads" / "course.yaml"
    config.write_text(config.read_text() + "modules: [modules/01-welcome.md, modules/02-first-steps.md]\n")
    (project / "courses" / "roads" / "modules" / "03-draft.md").write_text("# Draft\n")
    assert run("check", "roads").exit_code == 0
    strict = run("check", "roads", "--strict")
    assert strict.exit_code == 1
    assert "03-draft.md:1: warning: this module is not listed in course.yaml 'modules:'" in strict.stderr


def test_usage_errors_exit_2(tmp_path, monkeypatch, run):
    monkeypatch.chdir(tmp_path)
    assert run("build").exit_code == 2
    assert run("build", "nowhere").exit_code == 2
    assert run("build", "--format", "pdf").exit_code == 2


def test_python_dash_m_builder_runs():
    import subprocess
    import sys
    result = subprocess.run([sys.executable, "-m", "builder", "--version"], capture_output=True, text=True)
    assert result.returncode == 0 and "coursepack" in result.stdout
