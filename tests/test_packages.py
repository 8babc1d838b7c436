"""Packages: zip contents, manifests valid against the official XSDs, determinism, safe writes."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import pytest
from lxml import etree
from PIL import Image

from builder.buildkey import RECORD  # the build record beside the packages (incremental builds)
from builder.xsd import validate_manifest

SAFE_NAME = re.compile(r"[A-Za-z0-9._/-]+")


@pytest.fixture
def built(new_course, run, tmp_path):
    """The scaffold course, given a Spanish translation with accents, built into tmp_path/dist."""
    config = new_course / "course.yaml"
    config.write_text(config.read_text().replace("language: en", "language: en\nlanguages: [en, es]")
                      + "translations:\n  es:\n    title: Planificación & uso del suelo\n")
    result = run("build", new_course, "--out", tmp_path / "dist")
    assert result.exit_code == 0, result.output
    return tmp_path / "dist"


def names(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as archive:
        return archive.namelist()


def manifest(path: Path) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read("imsmanifest.xml")


def test_one_package_per_format_and_language(built):
    assert sorted(p.name for p in built.iterdir() if p.name != RECORD) == ["catalog.json", "index.html"] + [
        f"town-course-0.1.0-{lang}-{fmt}.zip" for lang in ("en", "es") for fmt in ("offline", "scorm12", "scorm2004")
    ] + ["town-course-0.1.0-offline.zip"]  # every language in one package (tests/test_combined.py)


def test_zip_layout(built):
    offline = names(built / "town-course-0.1.0-en-offline.zip")
    assert offline == ["index.html", "01-welcome.html", "02-first-steps.html", "assets/course-data.js",
                       "assets/coursepack.css", "assets/coursepack.js", "coursepack.json", "files/images/steps.svg",
                       "print.html", "progress.html"]
    scorm = names(built / "town-course-0.1.0-en-scorm12.zip")
    assert scorm[:2] == ["imsmanifest.xml", "index.html"] and scorm[1:] == offline
    assert all(SAFE_NAME.fullmatch(n) for n in scorm)


@pytest.mark.parametrize("fmt", ["scorm12", "scorm2004"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_manifests_validate_against_official_schemas(built, fmt, lang):
    assert validate_manifest(manifest(built / f"town-course-0.1.0-{lang}-{fmt}.zip")) == []


def test_validator_rejects_a_broken_manifest(built):
    xml = manifest(built / "town-course-0.1.0-en-scorm2004.zip").replace(b' identifier="item-town-course"', b"")
    errors = validate_manifest(xml)
    assert errors and "identifier" in errors[0]


@pytest.mark.parametrize("fmt, schemaversion, scormtype", [
    ("scorm12", "1.2", "{http://www.adlnet.org/xsd/adlcp_rootv1p2}scormtype"),
    ("scorm2004", "2004 4th Edition", "{http://www.adlnet.org/xsd/adlcp_v1p3}scormType"),
])
def test_manifest_follows_what_lms_imports_need(built, fmt, schemaversion, scormtype):
    path = built / f"town-course-0.1.0-es-{fmt}.zip"
    xml = manifest(path)
    root = etree.fromstring(xml)
    assert root.findtext("{*}metadata/{*}schemaversion") == schemaversion
    assert b"&#" not in xml and "Planificación &amp; uso del suelo".encode() in xml
    assert b"xml:base" not in xml
    assert re.search(rb'xmlns:adlcp="', xml)
    item = root.find("{*}organizations/{*}organization/{*}item")
    assert item.get("isvisible") == "true" and item.findtext("{*}title") == "Planificación & uso del suelo"
    resource = root.find("{*}resources/{*}resource")
    assert item.get("identifierref") == resource.get("identifier")
    assert resource.get(scormtype) == "sco" and resource.get("href") == "index.html"
    listed = [f.get("href") for f in resource.findall("{*}file")]
    assert sorted(listed) == sorted(n for n in names(path) if n != "imsmanifest.xml")
    assert root.get("identifier") == "coursepack-town-course-es"


def test_scorm2004_carries_lom_metadata(built):
    root = etree.fromstring(manifest(built / "town-course-0.1.0-es-scorm2004.zip"))
    lom = "{http://ltsc.ieee.org/xsd/LOM}"
    general = root.find(f"{{*}}metadata/{lom}lom/{lom}general")
    assert general.findtext(f"{lom}title/{lom}string") == "Planificación & uso del suelo"
    assert general.findtext(f"{lom}language") == "es"
    assert root.findtext(f"{{*}}metadata/{lom}lom/{lom}metaMetadata/{lom}language") == "es"
    assert root.findtext(f"{{*}}metadata/{lom}lom/{lom}educational/{lom}language") == "es"
    assert b"xml:lang" not in manifest(built / "town-course-0.1.0-es-scorm2004.zip")


def test_rebuild_is_byte_identical(built, new_course, run, tmp_path):
    first = {p.name: p.read_bytes() for p in built.iterdir() if p.name != RECORD}
    (new_course / "modules" / "01-welcome.md").touch()
    result = run("build", new_course, "--out", tmp_path / "again")
    assert result.exit_code == 0
    assert {p.name: p.read_bytes() for p in (tmp_path / "again").iterdir() if p.name != RECORD} == first


def test_compressed_media_are_stored_text_is_deflated(new_course, run, tmp_path):
    Image.new("RGB", (1, 1), "red").save(new_course / "images" / "dot.png")
    module = new_course / "modules" / "02-first-steps.md"
    module.write_text(module.read_text() + "\n![A dot](../images/dot.png)\n")
    assert run("build", new_course, "--out", tmp_path / "dist", "-f", "offline").exit_code == 0
    with zipfile.ZipFile(tmp_path / "dist" / "town-course-0.1.0-offline.zip") as archive:
        kinds = {i.filename: i.compress_type for i in archive.infolist()}
        times = {i.date_time for i in archive.infolist()}
    assert kinds["files/images/dot.png"] == zipfile.ZIP_STORED
    assert kinds["index.html"] == zipfile.ZIP_DEFLATED
    assert times == {(1980, 1, 1, 0, 0, 0)}


def test_failed_build_keeps_the_previous_package(built, new_course, run):
    before = {p.name: p.read_bytes() for p in built.iterdir()}
    module = new_course / "modules" / "02-first-steps.md"
    module.write_text(module.read_text() + "\n[broken](03-missing.md)\n")
    result = run("build", new_course, "--out", built)
    assert result.exit_code == 1
    assert {p.name: p.read_bytes() for p in built.iterdir()} == before


def test_output_inside_the_course_is_refused(new_course, run):
    result = run("build", new_course, "--out", new_course / "dist")
    assert result.exit_code == 1
    assert "lies inside the course sources" in result.stderr
    assert not (new_course / "dist").exists()


def test_courses_without_templates_of_their_own_share_one_compiled_set_of_ours(tmp_path, run):
    """Compiling the page templates cost every course about 60 ms; a course's own templates still win."""
    from builder.course import load_course
    from builder.problems import Problems
    from builder.render import environment

    source = tmp_path / "courses"
    for name in ("first-course", "second-course", "third-course"):
        assert run("new", name, "--source", source).exit_code == 0
    own = source / "third-course" / "templates"
    own.mkdir()
    (own / "home.html").write_text("{% extends 'base.html' %}{% block main %}<p>Our own home</p>{% endblock %}")
    first, second, third = (environment(load_course(source / name, Problems()))
                            for name in ("first-course", "second-course", "third-course"))
    assert first is second and third is not first
    assert run("build", *(source / n for n in ("second-course", "third-course")), "--out", tmp_path / "dist").exit_code == 0
    with zipfile.ZipFile(tmp_path / "dist" / "third-course-0.1.0-offline.zip") as archive:
        assert "<p>Our own home</p>" in archive.read("index.html").decode()
    with zipfile.ZipFile(tmp_path / "dist" / "second-course-0.1.0-offline.zip") as archive:
        assert "<p>Our own home</p>" not in archive.read("index.html").decode()


def test_compiled_templates_that_cannot_be_kept_cost_time_not_the_build(tmp_path, run, monkeypatch):
    from builder import render

    not_a_folder = tmp_path / "compiled"
    not_a_folder.write_text("a file where the compiled templates would go")
    monkeypatch.setattr(render, "compiled_templates", lambda: render._CompiledTemplates(str(not_a_folder)))
    render._environment.cache_clear()
    try:
        assert run("new", "town-course", "--source", tmp_path / "courses").exit_code == 0
        result = run("build", tmp_path / "courses" / "town-course", "--out", tmp_path / "dist")
    finally:
        render._environment.cache_clear()
    assert result.exit_code == 0, result.output
    assert (tmp_path / "dist" / "town-course-0.1.0-offline.zip").is_file()
