"""The offline library: index.html and catalog.json beside the packages, listing every one of them."""

from __future__ import annotations

import hashlib
import json
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import html

from builder.buildkey import RECORD  # the build record beside the packages (incremental builds)
from builder.library import catalog
from builder.scan import read_package


@pytest.fixture
def project(tmp_path, monkeypatch, run):
    """tmp_path as the working directory, with the scaffold course 'roads' in English and Spanish."""
    monkeypatch.chdir(tmp_path)
    assert run("new", "roads").exit_code == 0
    edit(tmp_path / "courses" / "roads" / "course.yaml", "language: en\n",
         "language: en\nlanguages: [en, es]\ntranslations:\n  es:\n    title: Caminos <y> puentes & más\n"
         "    description: Cómo cuidar los caminos.\n")
    return tmp_path


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def read_catalog(folder: Path) -> dict:
    return json.loads((folder / "catalog.json").read_text(encoding="utf-8"))


def files_listed(data: dict) -> list[str]:
    releases = [r for c in data["courses"] for r in c["all_languages"] + [r for lang in c["languages"]
                                                                          for r in lang["releases"]]]
    return [p["file"] for r in releases for p in r["packages"]]


def test_every_package_carries_what_the_library_reads(project, run):
    assert run("build", "roads", "-f", "scorm12").exit_code == 0
    with zipfile.ZipFile(project / "dist" / "roads-0.1.0-es-scorm12.zip") as archive:
        entry = json.loads(archive.read("coursepack.json"))
        manifest = archive.read("imsmanifest.xml")
    assert entry == {"schema": 1, "course": "roads", "version": "0.1.0", "lang": "es", "format": "scorm12",
                     "title": "Caminos <y> puentes & más", "description": "Cómo cuidar los caminos.",
                     "main_lang": "en"}
    assert b'href="coursepack.json"' in manifest  # SCORM lists every file it carries


def test_catalog_lists_title_language_version_description_formats_size_sha256_file(project, run):
    assert run("build").exit_code == 0
    dist = project / "dist"
    data = read_catalog(dist)
    assert data["schema"] == 1
    [course] = data["courses"]
    assert (course["id"], course["lang"], course["title"]) == ("roads", "en", "Roads")
    assert [(lang["lang"], lang["title"], lang["description"]) for lang in course["languages"]] == [
        ("en", "Roads", "What this course is about, in one or two sentences."),
        ("es", "Caminos <y> puentes & más", "Cómo cuidar los caminos.")]
    for language in course["languages"]:
        [release] = language["releases"]
        assert release["version"] == "0.1.0"
        assert release["formats"] == ["offline", "scorm12", "scorm2004"]
        assert [p["format"] for p in release["packages"]] == release["formats"]
        for package in release["packages"]:
            path = dist / package["file"]
            assert package["file"] == f"roads-0.1.0-{language['lang']}-{package['format']}.zip"
            assert package["size"] == path.stat().st_size
            assert package["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()


def test_combined_package_is_listed_with_all_its_languages(project, run):
    assert run("build", "roads", "-f", "offline").exit_code == 0
    dist = project / "dist"
    combined = read_package(dist / "roads-0.1.0-offline.zip")
    assert (combined.lang, combined.languages, combined.title, combined.main_lang) == ("mul", ("en", "es"), "Roads",
                                                                                       "en")
    assert read_package(dist / "roads-0.1.0-es-offline.zip").languages == ("es",)
    [course] = read_catalog(dist)["courses"]
    path = dist / "roads-0.1.0-offline.zip"
    assert course["all_languages"] == [{
        "version": "0.1.0", "formats": ["offline"], "languages": ["en", "es"],
        "packages": [{"format": "offline", "file": path.name, "size": path.stat().st_size,
                      "sha256": hashlib.sha256(path.read_bytes()).hexdigest()}]}]
    assert [lang["lang"] for lang in course["languages"]] == ["en", "es"]  # 'mul' is no language of its own
    page = html.parse(str(dist / "index.html")).getroot()
    [heading] = page.xpath("//h3[@id='c-roads--all']")
    assert heading.text_content() == "All languages in one package"
    names = heading.getnext()
    assert [(s.get("lang"), s.text) for s in names.xpath("span")] == [("en", "English"), ("es", "Español")]
    assert page.xpath("//div[@aria-labelledby='c-roads--all']//a/@href") == ["roads-0.1.0-offline.zip"]


def test_a_course_with_only_a_combined_package_is_listed(project, run):
    assert run("build", "roads", "-f", "offline").exit_code == 0
    [course] = catalog([read_package(project / "dist" / "roads-0.1.0-offline.zip")])["courses"]
    assert (course["id"], course["lang"], course["title"], course["languages"]) == ("roads", "en", "Roads", [])
    assert [p["file"] for r in course["all_languages"] for p in r["packages"]] == ["roads-0.1.0-offline.zip"]


def test_library_accumulates_across_builds(project, run):
    assert run("new", "water").exit_code == 0
    assert run("build", "roads", "-f", "offline").exit_code == 0
    assert run("build", "water", "-f", "scorm2004").exit_code == 0
    edit(project / "courses" / "roads" / "course.yaml", 'version: "0.1.0"', 'version: "0.10.0"')
    assert run("build", "roads", "-f", "offline").exit_code == 0
    edit(project / "courses" / "roads" / "course.yaml", 'version: "0.10.0"', 'version: "0.9.0"')
    assert run("build", "roads", "-f", "offline").exit_code == 0
    data = read_catalog(project / "dist")
    assert [c["id"] for c in data["courses"]] == ["roads", "water"]
    assert [r["version"] for r in data["courses"][0]["languages"][0]["releases"]] == ["0.10.0", "0.9.0", "0.1.0"]
    assert sorted(files_listed(data)) == sorted(p.name for p in (project / "dist").glob("*.zip"))
    page = (project / "dist" / "index.html").read_text(encoding="utf-8")
    assert all(name in page for name in files_listed(data))


def test_zips_that_are_not_packages_are_left_out_with_a_warning(project, run):
    (project / "dist").mkdir()
    (project / "dist" / "photos.zip").write_bytes(b"not a zip")
    with zipfile.ZipFile(project / "dist" / "old.zip", "w") as archive:
        archive.writestr("index.html", "<p>built before the library</p>")
    result = run("build", "roads", "-f", "offline")
    assert result.exit_code == 0, result.output
    assert [line for line in result.stderr.splitlines() if line.startswith("dist/")] == [
        "dist/old.zip: warning: left out of the library: it has no coursepack.json, so it is not a coursepack "
        "package or predates the library — rebuild it with this coursepack, or move it out of the folder",
        "dist/photos.zip: warning: left out of the library: not a zip file — rebuild it with this coursepack, "
        "or move it out of the folder"]
    assert files_listed(read_catalog(project / "dist")) == ["roads-0.1.0-offline.zip", "roads-0.1.0-en-offline.zip",
                                                             "roads-0.1.0-es-offline.zip"]


def test_a_run_that_writes_no_package_leaves_the_folder_alone(project, run):
    assert run("build", "roads", "-f", "offline").exit_code == 0
    before = {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (project / "dist").iterdir()}
    (project / "courses" / "roads" / "modules" / "01-welcome.md").write_text("no title\n")
    assert run("build", "roads").exit_code == 1
    assert {p.name: (p.read_bytes(), p.stat().st_mtime_ns) for p in (project / "dist").iterdir()} == before


def test_the_library_follows_the_packages_present_even_when_a_run_writes_none(project, run):
    assert run("build", "roads", "-f", "offline").exit_code == 0
    before = {p.name: p.read_bytes() for p in (project / "dist").glob("*.zip")}
    (project / "dist" / "roads-0.1.0-es-offline.zip").unlink()
    (project / "courses" / "roads" / "modules" / "01-welcome.md").write_text("no title\n")
    assert run("build", "roads").exit_code == 1
    assert {p.name: p.read_bytes() for p in (project / "dist").glob("*.zip")} == {
        k: v for k, v in before.items() if k != "roads-0.1.0-es-offline.zip"}
    assert sorted(files_listed(read_catalog(project / "dist"))) == sorted(
        k for k in before if k != "roads-0.1.0-es-offline.zip")


def test_page_makes_no_request_outside_the_folder(project, run):
    assert run("build").exit_code == 0
    dist = project / "dist"
    page = html.parse(str(dist / "index.html")).getroot()
    assert page.xpath("//script") == [] and page.xpath("//iframe|//object|//embed|//img|//form") == []
    links = [(el.tag, attr, el.get(attr)) for el in page.iter() if isinstance(el.tag, str)
             for attr in ("href", "src", "srcset", "action", "data", "poster") if el.get(attr) is not None]
    assert links
    for tag, attr, value in links:
        if value == "data:,":  # the empty favicon, so no browser asks for /favicon.ico
            continue
        parts = urlsplit(value)
        assert not parts.scheme and not parts.netloc and not value.startswith("/"), (tag, attr, value)
        assert (dist / unquote(parts.path)).is_file(), value
    styles = "".join(page.xpath("//style/text()")) + "".join(el.get("style", "") for el in page.iter()
                                                            if isinstance(el.tag, str))
    assert "url(" not in styles and "@import" not in styles
    assert sorted(v for t, a, v in links if t == "a") == sorted(p.name for p in dist.glob("*.zip"))


def test_page_is_accessible_in_structure_and_escapes_text(project, run):
    assert run("build").exit_code == 0
    text = (project / "dist" / "index.html").read_text(encoding="utf-8")
    page = html.fromstring(text)
    assert page.get("lang") == "en"
    assert page.xpath("//meta[@name='viewport']/@content") == ["width=device-width, initial-scale=1"]
    assert [h.text_content() for h in page.xpath("//h1")] == ["Course library"]
    assert [(h.text_content(), h.get("lang")) for h in page.xpath("//h2")] == [("Roads", "en")]
    assert [h.text_content() for h in page.xpath("//h3")] == ["All languages in one package", "English (en)",
                                                              "Español (es)"]
    assert page.xpath("//h3/span/@lang") == ["en", "es"]
    for table in page.xpath("//table"):
        assert table.xpath(".//thead/tr/th/@scope") == ["col"] * 3
        assert table.xpath(".//thead/tr/th/text()") == ["File", "Size", "Time at 256 kbit/s"]
        assert table.xpath(".//tbody/tr[1]/th[@scope='rowgroup']/text()") == ["Version 0.1.0"]
        assert all(row.xpath("./th[@scope='row']//a") for row in table.xpath(".//tbody/tr[position() > 1]"))
    assert "Caminos &lt;y&gt; puentes &amp; más" in text
    which = page.xpath("//p[@class='which']")[0].text_content()
    assert "offline zip: unzip it and open index.html" in which
    assert "SCORM and cmi5 zips are for the LMS administrator" in which


def test_page_shows_size_and_download_time_at_256_kbit(project, run):
    assert run("build", "roads", "-f", "offline").exit_code == 0
    dist = project / "dist"
    page = html.parse(str(dist / "index.html")).getroot()
    row = page.xpath("//tr[.//a[@href='roads-0.1.0-en-offline.zip']]")[0]
    size = (dist / "roads-0.1.0-en-offline.zip").stat().st_size
    cells = [td.text_content() for td in row.xpath("./td")]
    assert cells == [f"{size / 1000:.1f} KB", "<1 s"]
    assert "Offline course" in row.xpath("./th")[0].text_content()
    assert hashlib.sha256((dist / "roads-0.1.0-en-offline.zip").read_bytes()).hexdigest() in \
        row.xpath("./th")[0].text_content()


def test_same_packages_give_the_same_library(project, run):
    assert run("new", "water").exit_code == 0
    assert run("build", "--out", "one").exit_code == 0
    assert run("build", "--out", "two", "--jobs", "1").exit_code == 0
    for name in ("index.html", "catalog.json"):
        assert (project / "one" / name).read_bytes() == (project / "two" / name).read_bytes()
    first = {p.name: p.read_bytes() for p in (project / "one").iterdir() if p.name != RECORD}
    assert run("build", "water", "--out", "one").exit_code == 0
    assert {p.name: p.read_bytes() for p in (project / "one").iterdir() if p.name != RECORD} == first
    assert [p.name for p in (project / "one").glob(".*")] == [RECORD]  # no temp files left


def test_catalog_orders_courses_by_title_and_versions_newest_first(project, run):
    assert run("build", "roads", "-f", "offline").exit_code == 0
    roads = read_package(project / "dist" / "roads-0.1.0-en-offline.zip")
    older = roads.__class__(**{**roads.__dict__, "version": "0.9.2", "file": "a.zip"})
    newer = roads.__class__(**{**roads.__dict__, "version": "0.10.0", "file": "b.zip"})
    aqua = roads.__class__(**{**roads.__dict__, "course": "aqua", "title": "water", "file": "c.zip"})
    data = catalog([older, roads, aqua, newer])
    assert [c["id"] for c in data["courses"]] == ["roads", "aqua"]  # 'Roads' before 'water', ignoring case
    assert [r["version"] for r in data["courses"][0]["languages"][0]["releases"]] == ["0.10.0", "0.9.2", "0.1.0"]
