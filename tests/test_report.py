"""Package sizes: the JSON report of --report, and the budget in course.yaml and on the command line."""

from __future__ import annotations

import hashlib
import json
import random
import zipfile

import pytest

from builder.buildkey import RECORD  # the build record beside the packages (incremental builds)
from builder.schema import Invalid, size
from builder.sizes import parse_size, sizes_apart

# Stored, not deflated (.zip), so each adds exactly its own size to the zip: the largest files. Random bytes
# named .png would be refused now that images are read and optimised.
IMAGES = {"e.zip": 300_000, "d.zip": 250_000, "c.zip": 200_000, "b.zip": 150_000, "a.zip": 120_000,
          "small.zip": 10_000}


@pytest.fixture
def heavy(new_course, tmp_path, monkeypatch):
    """The scaffold course with six images weighing 1.03 MB in all, linked from its first module.

    The working directory is its project folder, so problems name 'courses/town-course/…'.
    """
    monkeypatch.chdir(tmp_path)
    images = new_course / "images"
    module = new_course / "modules" / "01-welcome.md"
    text = module.read_text()
    for i, (name, length) in enumerate(IMAGES.items()):
        (images / name).write_bytes(random.Random(i).randbytes(length))
        text += f"\n[Map {name}](../images/{name})\n"
    module.write_text(text)
    return new_course


def set_budget(course, value: str) -> int:
    """Append `budget: value` to course.yaml; returns its line number."""
    config = course / "course.yaml"
    text = config.read_text()
    config.write_text(text + f"budget: {value}\n")
    return text.count("\n") + 1


def listing(folder):
    return sorted(p.name for p in folder.iterdir() if p.name != RECORD)


@pytest.mark.parametrize("written, expected", [
    ("2MB", 2_000_000), ("500KB", 500_000), ("1.5 MB", 1_500_000), ("1.1 mb", 1_100_000), ("250 kB", 250_000),
    ("1 GB", 1_000_000_000), ("1200 B", 1200), ("1200", 1200), (1200, 1200)])
def test_sizes_are_read_as_download_sizes_are_quoted(written, expected):
    assert parse_size(written) == expected


@pytest.mark.parametrize("written", ["2 MiB", "lots", "", "0", "0MB", "-1MB", "1.5", 0, 1.5, True, None, [2]])
def test_what_is_not_a_size(written):
    with pytest.raises(ValueError):
        parse_size(written)


def test_course_yaml_budget_error_reads_expected_got():
    with pytest.raises(Invalid) as error:
        size("2 MiB", "2 MiB")
    assert error.value.message == "expected a size, got '2 MiB'"
    assert error.value.hint == "write bytes (2000000) or a size like '2MB', '500KB' or '1.5 MB'"


def test_sizes_that_round_alike_are_shown_to_the_byte():
    assert sizes_apart(1_036_000, 900_000) == ("1.0 MB", "900.0 KB")
    assert sizes_apart(1_036_000, 1_000_000) == ("1,036,000 B", "1,000,000 B")


def test_a_bad_budget_in_course_yaml_is_reported_with_its_line(heavy, run):
    line = set_budget(heavy, "two megabytes")
    result = run("check", "town-course")
    assert result.exit_code == 1
    assert (f"courses/town-course/course.yaml:{line}: budget: expected a size, got 'two megabytes' — write bytes "
            "(2000000) or a size like '2MB', '500KB' or '1.5 MB'") in result.stderr


def test_a_bad_budget_option_is_a_usage_error(heavy, run):
    result = run("build", "--budget", "lots")
    assert result.exit_code == 2
    assert "'lots' is not a size" in result.stderr


def test_over_budget_fails_the_course_and_keeps_the_previous_package(heavy, run):
    assert run("build", "-f", "offline").exit_code == 0
    dist = heavy.parent.parent / "dist"
    before = {p.name: p.read_bytes() for p in dist.iterdir()}
    # 1.03 MB in all, far from 1.05 MB where the message would round to 1.1 MB as pages grow
    (heavy / "images" / "e.zip").write_bytes(random.Random(9).randbytes(280_001))
    line = set_budget(heavy, "900KB")
    result = run("build", "-f", "offline")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == (
        f"courses/town-course/course.yaml:{line}: package town-course-0.1.0-offline.zip is 1.0 MB, over the "
        "budget of 900.0 KB — largest files: files/images/e.zip (280.0 KB), files/images/d.zip (250.0 KB), "
        "files/images/c.zip (200.0 KB), files/images/b.zip (150.0 KB), files/images/a.zip (120.0 KB)")
    assert result.stderr.strip().endswith("0 of 1 course built, 0 packages; 1 error, 0 warnings "
                                          "(failed: town-course)")
    assert listing(dist) == ["catalog.json", "index.html", "town-course-0.1.0-offline.zip"]  # no temp file left
    assert {p.name: p.read_bytes() for p in dist.iterdir()} == before  # the library too


def test_one_package_over_budget_keeps_every_package_of_the_course_out(heavy, run, tmp_path):
    assert run("build", "-f", "offline", "--out", tmp_path / "probe").exit_code == 0
    offline = (tmp_path / "probe" / "town-course-0.1.0-offline.zip").stat().st_size
    result = run("build", "-f", "offline", "-f", "scorm12", "--budget", str(offline))
    assert result.exit_code == 1
    assert [ln.split(": package ")[1].split(" is ")[0] for ln in result.stderr.splitlines()
            if ": package " in ln] == ["town-course-0.1.0-scorm12.zip"]
    assert ":1: package" in result.stderr  # a --budget has no line of its own in course.yaml
    assert not (tmp_path / "dist").exists() or listing(tmp_path / "dist") == []


def test_budget_option_overrides_course_yaml(heavy, run, tmp_path):
    set_budget(heavy, "900KB")
    assert run("check", "town-course").exit_code == 0  # a budget is about packages, which check does not write
    result = run("build", "-f", "offline", "--budget", "1.5 MB")
    assert result.exit_code == 0, result.output
    assert listing(tmp_path / "dist") == ["catalog.json", "index.html", "town-course-0.1.0-offline.zip"]
    assert run("build", "-f", "offline", "--budget", "1MB").exit_code == 1


def test_report_lists_every_package_and_every_file_inside(heavy, run, tmp_path):
    result = run("build", "--report", "sizes.json")
    assert result.exit_code == 0, result.output
    report = json.loads((tmp_path / "sizes.json").read_text(encoding="utf-8"))
    assert list(report) == ["packages"]
    packages = report["packages"]
    assert [p["file"] for p in packages] == [f"town-course-0.1.0-{f}.zip" for f in ("offline", "scorm12", "scorm2004")]
    for package in packages:
        path = tmp_path / "dist" / package["file"]
        assert {k: package[k] for k in ("course", "version", "lang", "format")} == {
            "course": "town-course", "version": "0.1.0", "lang": "en", "format": path.stem.rsplit("-", 1)[1]}
        assert package["size"] == path.stat().st_size
        assert package["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        with zipfile.ZipFile(path) as archive:
            expected = [{"path": i.filename, "size": i.file_size, "compressed_size": i.compress_size,
                         "sha256": hashlib.sha256(archive.read(i)).hexdigest()}
                        for i in sorted(archive.infolist(), key=lambda i: i.filename)]
        assert package["files"] == expected
    png = next(f for f in packages[0]["files"] if f["path"] == "files/images/e.zip")
    assert png["size"] == png["compressed_size"] == 300_000


def test_report_is_the_same_for_the_same_sources(heavy, run, tmp_path):
    assert run("build", "--report", "one.json", "--out", "one").exit_code == 0
    assert run("build", "--report", "two.json", "--out", "two").exit_code == 0
    one = (tmp_path / "one.json").read_bytes()
    assert one == (tmp_path / "two.json").read_bytes()
    assert one.endswith(b"}\n") and b"1980" not in one


def test_report_holds_what_was_built_even_when_a_course_fails(heavy, run, tmp_path):
    assert run("new", "broken").exit_code == 0
    (tmp_path / "courses" / "broken" / "modules" / "01-welcome.md").write_text("no title here\n")
    result = run("build", "-f", "offline", "--report", "sizes.json")
    assert result.exit_code == 1
    report = json.loads((tmp_path / "sizes.json").read_text(encoding="utf-8"))
    assert [p["file"] for p in report["packages"]] == ["town-course-0.1.0-offline.zip"]


def test_report_may_not_go_into_the_course_sources(heavy, run, tmp_path):
    result = run("build", "--report", heavy / "sizes.json")
    assert result.exit_code == 1
    assert "report '" in result.stderr and "lies inside the course sources" in result.stderr
    assert not (heavy / "sizes.json").exists() and not (tmp_path / "dist").exists()
