"""cmi5: the course structure an LMS imports, the runtime only cmi5 packages carry, and the structural check.

What the runtime sends is tested in a browser against a stub LRS (tests/browser/test_cmi5.py).
"""

from __future__ import annotations

import os
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from builder.buildkey import RECORD
from builder.formats import REGISTRY
from builder.formats.cmi5 import check, validate_xsd

PROJECT = Path(__file__).resolve().parent.parent
TRACKED = PROJECT / "tests" / "fixtures" / "tracked-course"
NS = {"c": "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"}
# The official schema is not shipped with coursepack; the tests use it where a machine has it.
SCHEMAS = Path(os.environ.get("COURSEPACK_CMI5_SCHEMAS") or PROJECT.parent / "shared" / "cmi5-schemas")


def build(run, course: Path, out: Path, *formats: str) -> dict[str, Path]:
    """Build `course` in `formats`; {format: package}."""
    result = run("build", course, "--out", out, *[arg for f in formats for arg in ("-f", f)])
    assert result.exit_code == 0, result.output
    return {p.stem.rsplit("-", 1)[1]: p for p in out.glob("*.zip")}


def tracked(tmp_path: Path, rule: str, extra: str = "") -> Path:
    """The tracking fixture course with completion.rule `rule` and `extra` course.yaml lines."""
    course = shutil.copytree(TRACKED, tmp_path / "courses" / TRACKED.name)
    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("  rule: quiz", f"  rule: {rule}") + extra,
                    encoding="utf-8")
    return course


def structure(package: Path) -> etree._Element:
    with zipfile.ZipFile(package) as archive:
        return etree.fromstring(archive.read("cmi5.xml"))


@pytest.mark.parametrize("rule, move_on, mastery", [("pages", "Completed", None), ("quiz", "Passed", "0.8"),
                                                     ("both", "CompletedAndPassed", "0.8")])
def test_one_au_per_course_moves_on_by_the_completion_rule(run, tmp_path, rule, move_on, mastery):
    package = build(run, tracked(tmp_path, rule), tmp_path / "dist", "cmi5")["cmi5"]
    root = structure(package)
    course, = root.findall("c:course", NS)
    au, = root.findall(".//c:au", NS)
    assert course.get("id") == "https://coursepack.invalid/courses/tracked-course/en"
    assert au.get("id") == "https://coursepack.invalid/courses/tracked-course/en/au"
    assert (au.get("moveOn"), au.get("masteryScore"), au.get("launchMethod")) == (move_on, mastery, "AnyWindow")
    assert au.findtext("c:url", namespaces=NS) == "index.html"
    for node in (course, au):
        assert node.find("c:title/c:langstring", NS).text == "Water and zoning quick course"
        assert node.find("c:title/c:langstring", NS).get("lang") == "en"
        assert node.find("c:description/c:langstring", NS).text == "A short course used by coursepack's tracking tests."
    assert check(package) == []


def test_only_cmi5_packages_carry_the_cmi5_runtime_and_their_pages_load_it(run, tmp_path):
    packages = build(run, tracked(tmp_path, "quiz"), tmp_path / "dist", "cmi5", "scorm2004", "offline")
    for fmt, package in packages.items():
        with zipfile.ZipFile(package) as archive:
            names = set(archive.namelist())
            pages = [archive.read(n) for n in names if n.endswith(".html") and n != "print.html"]
            data = archive.read("assets/course-data.js")
        assert ("assets/cmi5.js" in names) is (fmt == "cmi5"), fmt
        assert ("cmi5.xml" in names) is (fmt == "cmi5"), fmt
        assert "assets/coursepack.js" in names  # cmi5.js loads it
        loads = b'<script src="assets/cmi5.js"></script>' if fmt == "cmi5" else b'src="assets/coursepack.js"'
        assert pages and all(loads in page for page in pages), fmt
        if fmt == "cmi5":
            assert not any(b"assets/coursepack.js" in page for page in pages)
            assert data.endswith(b'window.coursepackCourse.format = "cmi5";\n')


def test_cmi5_iri_in_course_yaml_starts_the_ids_and_builds_are_byte_identical(run, tmp_path):
    course = tracked(tmp_path, "pages", "cmi5:\n  iri: https://learning.example.org/courses/\n")
    first = build(run, course, tmp_path / "one", "cmi5")["cmi5"]
    second = build(run, course, tmp_path / "two", "cmi5")["cmi5"]
    root = structure(first)
    assert root.find("c:course", NS).get("id") == "https://learning.example.org/courses/tracked-course/en"
    assert root.find("c:au", NS).get("id") == "https://learning.example.org/courses/tracked-course/en/au"
    assert first.read_bytes() == second.read_bytes()


def test_a_cmi5_iri_that_is_no_iri_is_an_error_with_its_line(run, tmp_path):
    course = tracked(tmp_path, "pages", "cmi5:\n  iri: learning example org\n")
    result = run("build", course, "--out", tmp_path / "dist", "-f", "cmi5")
    assert result.exit_code == 1
    line = len((course / "course.yaml").read_text(encoding="utf-8").splitlines())
    assert (f"course.yaml:{line}: cmi5.iri: 'learning example org' is not an absolute IRI without spaces, '?' "
            "or '#' — write a web address your organisation owns, e.g. 'https://learning.example.org/courses'") \
        in result.output


def test_a_base_template_without_the_runtime_tag_stops_the_cmi5_package(run, tmp_path):
    course = tracked(tmp_path, "pages")
    base = (PROJECT / "templates" / "base.html").read_text(encoding="utf-8")
    (course / "templates").mkdir()
    (course / "templates" / "base.html").write_text(
        base.replace('<script src="{{ root }}assets/coursepack.js"></script>',
                     '<script defer src="{{ root }}assets/coursepack.js"></script>'), encoding="utf-8")
    result = run("build", course, "--out", tmp_path / "dist", "-f", "cmi5")
    assert result.exit_code == 1
    assert ("templates/base.html:1: cannot make the cmi5 package: index.html does not load assets/coursepack.js "
            "with a plain <script src> tag, so nothing could be tracked") in result.output
    assert not list((tmp_path / "dist").glob("*.zip"))


def test_the_library_lists_cmi5_packages(run, tmp_path):
    out = tmp_path / "dist"
    build(run, tracked(tmp_path, "quiz"), out, "cmi5", "offline")
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "tracked-course-1.0.0-cmi5.zip" in page
    assert REGISTRY["cmi5"].label in page and REGISTRY["cmi5"].use in page
    assert page.index(REGISTRY["offline"].label) < page.index(REGISTRY["cmi5"].label)
    assert sorted(p.name for p in out.iterdir() if p.name != RECORD) == [
        "catalog.json", "index.html", "tracked-course-1.0.0-cmi5.zip", "tracked-course-1.0.0-offline.zip"]


@pytest.mark.parametrize("change, complaint", [
    (("https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd", "urn:other"),
     "root element is {urn:other}courseStructure, expected courseStructure"),
    (('moveOn="Passed"', 'moveOn="Mastered"'), "moveOn 'Mastered' is not one of Passed, Completed,"),
    (('launchMethod="AnyWindow"', 'launchMethod="Popup"'), "launchMethod 'Popup' is not AnyWindow or OwnWindow"),
    (('masteryScore="0.8"', 'masteryScore="80"'), "masteryScore '80' is not a decimal from 0 to 1"),
    (("<url>index.html</url>", "<url>start.html</url>"), "url 'start.html' names no file in the package"),
    (("<url>index.html</url>", "<url>https://example.org/x.html</url>"), "is not a relative URL into the package"),
    (("/en/au\"", "/en\""), "id 'https://coursepack.invalid/courses/tracked-course/en' is used twice"),
    (('<course id="https://coursepack.invalid/', '<course id="coursepack.invalid/'), "is not an absolute IRI"),
    (('<langstring lang="en">Water and zoning quick course</langstring>', '<langstring lang="en"> </langstring>'),
     "course 'https://coursepack.invalid/courses/tracked-course/en' needs a title of non-empty langstrings"),
])
def test_check_finds_what_an_lms_would_refuse(run, tmp_path, change, complaint):
    package = build(run, tracked(tmp_path, "quiz"), tmp_path / "dist", "cmi5")["cmi5"]
    with zipfile.ZipFile(package) as archive:
        files = {info.filename: archive.read(info) for info in archive.infolist()}
    xml = files["cmi5.xml"].decode()
    assert change[0] in xml
    files["cmi5.xml"] = xml.replace(change[0], change[1], 1).encode()
    broken = tmp_path / "broken.zip"
    with zipfile.ZipFile(broken, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    problems = check(broken)
    assert any(complaint in p for p in problems), problems


def test_cmi5_xml_is_valid_against_the_official_schema(run, tmp_path):
    if not (SCHEMAS / "CourseStructure.xsd").is_file():
        pytest.skip(f"the official cmi5 CourseStructure.xsd is not on this machine ({SCHEMAS}; set "
                    "COURSEPACK_CMI5_SCHEMAS to its folder): cmi5.xml is checked structurally only")
    for rule in ("pages", "both"):
        package = build(run, tracked(tmp_path / rule, rule), tmp_path / rule / "dist", "cmi5")["cmi5"]
        with zipfile.ZipFile(package) as archive:
            assert validate_xsd(archive.read("cmi5.xml"), SCHEMAS) == [], rule


def test_the_schema_check_reports_each_complaint_with_its_line(tmp_path, monkeypatch):
    # Not the official schema: a stand-in that only accepts another root, to show the plumbing reports.
    (tmp_path / "CourseStructure.xsd").write_text(
        '<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:other" '
        'elementFormDefault="qualified"><xs:element name="other"/></xs:schema>', encoding="utf-8")
    data = b'<?xml version="1.0"?>\n<courseStructure xmlns="urn:other"/>'
    assert validate_xsd(data, tmp_path) == ["cmi5.xml:2: Element '{urn:other}courseStructure': "
                                            "No matching global declaration available for the validation root."]
    monkeypatch.delenv("COURSEPACK_CMI5_SCHEMAS", raising=False)
    assert validate_xsd(data) == []  # no folder named, none in the environment: nothing to say
    monkeypatch.setenv("COURSEPACK_CMI5_SCHEMAS", str(tmp_path))
    assert len(validate_xsd(data)) == 1


def test_check_says_when_a_zip_has_no_cmi5_xml(tmp_path):
    package = tmp_path / "not-cmi5.zip"
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr("index.html", "<!doctype html>")
    assert check(package) == ["no cmi5.xml at the root of the package"]
