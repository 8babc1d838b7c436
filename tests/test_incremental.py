"""Incremental builds: a course is rebuilt when, and only when, something its packages are made from changed."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

import builder
from builder import locale, render
from builder.buildkey import RECORD

COURSES = ("town-course", "village-course")


@pytest.fixture
def project(tmp_path, run):
    """Two scaffolded courses and a first build of both into tmp_path/dist."""
    for course in COURSES:
        assert run("new", course, "--source", tmp_path / "courses").exit_code == 0
    return tmp_path


def build(run, project: Path, *args) -> str:
    result = run("build", "--source", project / "courses", "--out", project / "dist", "-j", "1", *args)
    assert result.exit_code == 0, result.output
    return result.output


def stamps(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


def rebuilt(before: dict[str, int], folder: Path) -> set[str]:
    """The courses whose packages were written again."""
    after = stamps(folder)
    return {course for course in COURSES
            for name in after if name.startswith(course + "-") and after[name] != before.get(name)}


def test_a_second_build_writes_nothing_and_says_every_course_is_up_to_date(project, run):
    build(run, project)
    before = stamps(project / "dist")
    output = build(run, project)
    assert stamps(project / "dist") == before  # not even the library or the record
    assert output.strip().endswith("2 of 2 courses built, 0 packages (2 up to date, not rebuilt); "
                                   "0 errors, 0 warnings")


def test_editing_one_module_rebuilds_that_course_and_the_library(project, run):
    build(run, project)
    before = stamps(project / "dist")
    module = project / "courses" / "village-course" / "modules" / "01-welcome.md"
    module.write_text(module.read_text() + "\nOne more line.\n")
    output = build(run, project)
    assert rebuilt(before, project / "dist") == {"village-course"}
    assert "2 of 2 courses built, 3 packages (1 up to date, not rebuilt)" in output
    assert stamps(project / "dist")["catalog.json"] != before["catalog.json"]


def test_saving_a_file_unchanged_rebuilds_nothing(project, run):
    build(run, project)
    before = stamps(project / "dist")
    (project / "courses" / "town-course" / "modules" / "01-welcome.md").touch()  # the key is the content
    build(run, project)
    assert stamps(project / "dist") == before


def test_a_course_template_or_locale_override_rebuilds_that_course(project, run):
    build(run, project)
    overrides = project / "courses" / "town-course" / "templates" / "locales"
    overrides.mkdir(parents=True)
    before = stamps(project / "dist")
    (overrides / "en.yaml").write_text('next: "Onwards"\n')
    build(run, project)
    assert rebuilt(before, project / "dist") == {"town-course"}


@pytest.mark.parametrize("edit", ["module.html", "locales/en.yaml", "static/coursepack.css"])
def test_a_shipped_template_locale_or_asset_rebuilds_every_course(project, run, monkeypatch, edit):
    shipped = project / "shipped"
    shutil.copytree(locale.TEMPLATES, shipped)
    monkeypatch.setattr(locale, "TEMPLATES", shipped)
    monkeypatch.setattr(render, "TEMPLATES", shipped)
    render._environment.cache_clear()
    build(run, project)
    before = stamps(project / "dist")
    path = shipped / edit
    path.write_text(path.read_text(encoding="utf-8").replace("\n", "\n\n", 1), encoding="utf-8")
    render._environment.cache_clear()
    build(run, project)
    render._environment.cache_clear()
    assert rebuilt(before, project / "dist") == set(COURSES)


def test_another_coursepack_version_rebuilds_every_course(project, run, monkeypatch):
    build(run, project)
    before = stamps(project / "dist")
    monkeypatch.setattr(builder, "__version__", "99.0.0")
    build(run, project)
    assert rebuilt(before, project / "dist") == set(COURSES)


@pytest.mark.parametrize("option", [("--strict",), ("--budget", "5MB"), ("--single-max-inline", "1KB")])
def test_another_build_option_rebuilds_every_course(project, run, option):
    build(run, project)
    before = stamps(project / "dist")
    build(run, project, *option)
    assert rebuilt(before, project / "dist") == set(COURSES)


def test_another_format_builds_it_and_a_missing_or_altered_package_is_rebuilt(project, run):
    build(run, project, "-f", "offline")
    assert "town-course-0.1.0-scorm12.zip" not in stamps(project / "dist")
    build(run, project)
    assert "town-course-0.1.0-scorm12.zip" in stamps(project / "dist")
    (project / "dist" / "town-course-0.1.0-scorm12.zip").unlink()
    (project / "dist" / "village-course-0.1.0-offline.zip").write_bytes(b"not a zip any more")
    before = stamps(project / "dist")
    build(run, project)
    assert rebuilt(before, project / "dist") == set(COURSES)
    assert (project / "dist" / "town-course-0.1.0-scorm12.zip").is_file()


def test_force_rebuilds_every_course(project, run):
    build(run, project)
    before = stamps(project / "dist")
    build(run, project, "--force")
    assert rebuilt(before, project / "dist") == set(COURSES)


def test_an_incremental_build_gives_the_bytes_of_a_clean_build(project, run):
    build(run, project)
    module = project / "courses" / "town-course" / "modules" / "02-first-steps.md"
    module.write_text(module.read_text() + "\nAn edit.\n")
    build(run, project)
    clean = project / "clean"
    assert run("build", "--source", project / "courses", "--out", clean, "-j", "1").exit_code == 0
    read = lambda folder: {p.name: p.read_bytes() for p in folder.iterdir() if p.name != RECORD}  # noqa: E731
    assert read(project / "dist") == read(clean)


def test_warnings_of_an_up_to_date_course_are_shown_again(project, run):
    config = project / "courses" / "town-course" / "course.yaml"
    config.write_text(config.read_text().replace("language: en", "language: en\nlanguages: [en, es]"))
    first = build(run, project)
    assert "warning: no 'es' version of this module" in first
    again = build(run, project)
    assert "(2 up to date, not rebuilt)" in again
    assert [line for line in again.splitlines() if "warning:" in line] == \
        [line for line in first.splitlines() if "warning:" in line]


def test_warnings_replayed_from_another_folder_name_the_files_from_there(project, run, monkeypatch):
    config = project / "courses" / "town-course" / "course.yaml"
    config.write_text(config.read_text().replace("language: en", "language: en\nlanguages: [en, es]"))
    monkeypatch.chdir(project)
    assert "courses/town-course/modules/01-welcome.md:1: warning" in build(run, project)
    monkeypatch.chdir(project / "courses")
    again = build(run, project)
    assert "(2 up to date, not rebuilt)" in again
    assert "\ntown-course/modules/01-welcome.md:1: warning" in "\n" + again


def test_a_deleted_library_comes_back_even_when_every_course_is_up_to_date(project, run):
    build(run, project)
    (project / "dist" / "catalog.json").unlink()
    (project / "dist" / "index.html").unlink()
    assert "(2 up to date, not rebuilt)" in build(run, project)
    assert (project / "dist" / "catalog.json").is_file() and (project / "dist" / "index.html").is_file()
