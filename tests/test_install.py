"""coursepack installed the way users install it: from the wheel, used in a folder of their own.

The wheel and the sdist are built as pip builds them (an isolated build, which fetches setuptools), the
wheel goes into a fresh venv, and the installed `coursepack` must give the very packages this checkout
gives. Marked slow (about a minute): the quick run leaves it out with -m "not slow".
"""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import zipfile
from pathlib import Path

import pytest

from builder import resources
from builder.buildkey import RECORD

PROJECT = Path(__file__).resolve().parent.parent
COMMANDS = (("new", "my-course"), ("check",), ("build",), ("build", "-f", "single"))


def sh(*args: str | Path, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    result = subprocess.run([str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, f"{args}\n{result.stdout}\n{result.stderr}"
    return result


def packages(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.name != RECORD}


@pytest.mark.slow
def test_the_wheel_works_in_a_fresh_venv_outside_the_repository(tmp_path):
    dist = tmp_path / "dist"
    sh(sys.executable, "-m", "build", "--outdir", dist, PROJECT, cwd=tmp_path)
    [sdist] = dist.glob("coursepack-*.tar.gz")
    [wheel] = dist.glob("coursepack-*.whl")
    with tarfile.open(sdist) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"templates/base.html", "templates/locales/en.yaml", "templates/scaffold/course.yaml",
            "templates/static/coursepack.js", "docs/authoring.md", "pyproject.toml"} <= names
    with zipfile.ZipFile(wheel) as archive:
        inside = set(archive.namelist())
    shipped = {f"builder/_templates/{p.relative_to(PROJECT / 'templates').as_posix()}"
               for p in (PROJECT / "templates").rglob("*") if p.is_file()}
    assert shipped <= inside and "builder/_docs/authoring.md" in inside
    with zipfile.ZipFile(wheel) as archive:  # our scripts and stylesheets ship minified, as the checkout has them
        minified = {p.name: p.read_bytes() for p in (PROJECT / "templates" / "minified").iterdir()}
        assert minified and all(archive.read(f"builder/_templates/minified/{name}") == data
                                for name, data in minified.items())

    venv = tmp_path / "venv"  # the dependencies come from this Python; coursepack itself only from the wheel
    sh(sys.executable, "-m", "venv", "--system-site-packages", venv, cwd=tmp_path)
    sh(venv / "bin" / "python", "-m", "pip", "install", "--no-deps", "--no-index", "--ignore-installed",
       "--disable-pip-version-check", "--quiet", wheel, cwd=tmp_path)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    where = sh(venv / "bin" / "python", "-c", "import builder; print(builder.__file__)", cwd=tmp_path, env=env)
    assert Path(where.stdout.strip()).is_relative_to(venv)

    installed, checkout = tmp_path / "installed", tmp_path / "checkout"
    for folder, command in ((installed, [venv / "bin" / "coursepack"]),
                            (checkout, [sys.executable, "-m", "builder"])):
        folder.mkdir()
        for args in COMMANDS:
            sh(*command, *args, cwd=folder, env=env if folder == installed else None)
    assert sorted(packages(installed / "dist")) == sorted(packages(checkout / "dist"))
    assert {"my-course-0.1.0-offline.zip", "my-course-0.1.0-scorm12.zip", "my-course-0.1.0-scorm2004.zip",
            "my-course-0.1.0-single.html"} <= set(packages(installed / "dist"))
    assert packages(installed / "dist") == packages(checkout / "dist")

    guide = Path(sh(venv / "bin" / "coursepack", "docs", cwd=installed, env=env).stdout.strip())
    assert guide.is_relative_to(venv) and guide.name == "authoring.md" and guide.is_file()
    assert "coursepack docs" in (installed / "courses" / "my-course" / "course.yaml").read_text()


def test_missing_templates_stop_with_one_message_and_exit_3(monkeypatch, tmp_path, run):
    monkeypatch.setattr(resources, "CHECKOUT", tmp_path)  # as installed without its package data
    resources.templates.cache_clear()
    try:
        result = run("new", "x", "--source", tmp_path)
    finally:
        resources.templates.cache_clear()
    assert result.exit_code == 3
    assert result.output.startswith("Error: coursepack is installed without its templates (no base.html, ")
    assert "reinstall it: pip install --force-reinstall coursepack" in result.output


def test_an_internal_error_exits_3_with_a_short_message_and_the_traceback_with_debug(monkeypatch, new_course, run):
    import builder.build

    def bug(*args, **kwargs):
        raise ZeroDivisionError("division by zero")
    monkeypatch.setattr(builder.build, "build_course", bug)
    result = run("check", new_course)
    assert result.exit_code == 3
    assert "internal error: ZeroDivisionError: division by zero" in result.stderr
    assert "Traceback" not in result.stderr and "--debug" in result.stderr
    debug = run("--debug", "check", new_course)
    assert debug.exit_code == 3 and "Traceback (most recent call last)" in debug.stderr


@pytest.mark.parametrize("args", [("--help",), ("new", "quick-start"), ("docs",)])
def test_help_new_and_docs_do_not_load_the_build_pipeline(tmp_path, args):
    """What makes them start at once: about 45 ms of imports instead of 230 ms (python -X importtime)."""
    heavy = ("jinja2", "lxml", "markdown", "PIL", "calmjs", "builder.build", "builder.render", "builder.results")
    script = ("import sys\nfrom builder.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
              f"print([m for m in {heavy!r} if m in sys.modules])")
    result = sh(sys.executable, "-c", script, *args, cwd=tmp_path)
    assert result.stdout.strip().endswith("[]"), result.stdout


def test_a_one_course_rebuild_loads_neither_pillow_nor_a_process_pool(new_course, tmp_path):
    """A small course's whole process is mostly imports: Pillow (~25 ms) only re-encodes images the cache
    lacks, multiprocessing (~25 ms) only runs several courses at once, calmjs.parse never runs, and the
    commands that read learners' results (~6 ms) are not the build's; CLDR's figures for English come from
    templates/cldr-numbers.json, not from Babel's locale data (~15 ms, which imports babel.dates)."""
    heavy = ("PIL.Image", "multiprocessing", "concurrent.futures.process", "calmjs", "builder.results", "babel.dates")
    script = ("import sys\nfrom builder.cli import main\ntry:\n    main(sys.argv[1:])\nexcept SystemExit:\n    pass\n"
              f"print([m for m in {heavy!r} if m in sys.modules])")
    from PIL import Image

    Image.new("RGB", (40, 30), "teal").save(new_course / "images" / "chart.png")
    with open(new_course / "modules" / "01-welcome.md", "a", encoding="utf-8") as module:
        module.write("\n![A chart](../images/chart.png)\n")
    args = ("build", new_course, "--out", tmp_path / "dist", "--cache", tmp_path / "cache", "--force")
    first = sh(sys.executable, "-c", script, *args, cwd=tmp_path)
    assert "PIL.Image" in first.stdout  # the scaffold's images were optimised once
    again = sh(sys.executable, "-c", script, *args, cwd=tmp_path)
    assert again.stdout.strip().endswith("[]"), again.stdout


def test_ctrl_c_during_a_build_exits_130_not_1(monkeypatch, new_course, run):
    import builder.build

    def interrupted(*args, **kwargs):
        raise KeyboardInterrupt
    monkeypatch.setattr(builder.build, "build_course", interrupted)
    result = run("build", new_course, "--out", new_course.parent.parent / "dist")
    assert (result.exit_code, result.stderr) == (130, "Interrupted.\n")
