"""The combined offline package of a course in several languages: layout, chooser, switcher, fallbacks."""

from __future__ import annotations

import json
import posixpath
import zipfile
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from lxml import html

from builder.combined import relocate

COMBINED = "town-course-0.1.0-offline.zip"
WELCOME_ES = """---
description: Qué cubre el curso.
---
# Bienvenida

![Un camino de tres pasos hacia una bandera de llegada](../images/steps.svg)

## Cómo funciona este curso

Siga con [Primeros pasos](02-first-steps.md#before-you-start).
"""


@pytest.fixture
def course(new_course):
    """The scaffold course in English and Spanish; only its first module is translated."""
    config = new_course / "course.yaml"
    config.write_text(config.read_text().replace("language: en", "language: en\nlanguages: [en, es]")
                      + "translations:\n  es:\n    title: Curso del pueblo\n", encoding="utf-8")
    (new_course / "modules" / "01-welcome.es.md").write_text(WELCOME_ES, encoding="utf-8")
    return new_course


@pytest.fixture
def dist(course, run, tmp_path):
    result = run("build", course, "--out", tmp_path / "dist")
    assert result.exit_code == 0, result.output
    return tmp_path / "dist"


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_one_combined_package_beside_the_per_language_ones(dist):
    assert sorted(p.name for p in dist.glob("*.zip")) == sorted(
        [COMBINED] + [f"town-course-0.1.0-{lang}-{fmt}.zip" for lang in ("en", "es")
                      for fmt in ("offline", "scorm12", "scorm2004")])


def test_layout_language_folders_and_shared_files_stored_once(dist):
    with zipfile.ZipFile(dist / COMBINED) as archive:
        names = archive.namelist()
    assert names == ["index.html", "assets/course-data.en.js", "assets/course-data.es.js", "assets/coursepack.css",
                     "assets/coursepack.js", "coursepack.json",
                     "en/01-welcome.html", "en/02-first-steps.html", "en/index.html", "en/print.html", "en/progress.html",
                     "es/01-welcome.html", "es/02-first-steps.html", "es/index.html", "es/print.html", "es/progress.html",
                     "files/images/steps.svg"]
    files = read_zip(dist / COMBINED)
    single = read_zip(dist / "town-course-0.1.0-es-offline.zip")
    assert files["assets/coursepack.js"] == single["assets/coursepack.js"]
    assert files["assets/course-data.es.js"] == single["assets/course-data.js"]
    assert json.loads(files["coursepack.json"]) == {
        "schema": 1, "course": "town-course", "version": "0.1.0", "lang": "mul", "format": "offline",
        "title": "Town course", "description": "What this course is about, in one or two sentences.",
        "main_lang": "en", "languages": ["en", "es"]}


def test_pages_load_shared_files_from_the_root(dist):
    page = read_zip(dist / COMBINED)["es/01-welcome.html"].decode()
    assert '<link rel="stylesheet" href="../assets/coursepack.css">' in page
    assert '<script src="../assets/course-data.es.js"></script>' in page
    assert '<script src="../assets/coursepack.js"></script>' in page
    assert 'src="../files/images/steps.svg"' in page
    assert 'href="02-first-steps.html#before-you-start"' in page  # pages of the same language: same folder


def test_every_link_and_file_of_every_page_resolves(dist):
    files = read_zip(dist / COMBINED)
    pages = [name for name in files if name.endswith(".html")]
    problems = []
    for name in pages:
        tree = html.fromstring(files[name])
        for element, attr, url, _ in tree.iterlinks():
            parts = urlsplit(url)
            if parts.scheme or url.startswith("#"):
                continue
            target = posixpath.normpath(posixpath.join(posixpath.dirname(name), unquote(parts.path)))
            if target not in files:
                problems.append(f"{name}: <{element.tag} {attr}={url!r}> -> {target}, not in the package")
            elif parts.fragment and target.endswith(".html") and \
                    not html.fromstring(files[target]).xpath("//*[@id=$id]", id=parts.fragment):
                problems.append(f"{name}: {url} -> no id '{parts.fragment}' on {target}")
    assert not problems, "\n".join(problems)
    assert len(pages) == 11


@pytest.mark.parametrize("lang", ["en", "es"])
@pytest.mark.parametrize("page", ["index.html", "01-welcome.html", "02-first-steps.html", "progress.html", "print.html"])
def test_switcher_leads_to_the_same_page_in_every_language(dist, lang, page):
    tree = html.fromstring(read_zip(dist / COMBINED)[f"{lang}/{page}"])
    [nav] = tree.xpath("//header//nav[@class='lang-switch']")
    assert nav.get("aria-label") == {"en": "Language", "es": "Idioma"}[lang]
    links = nav.xpath(".//li/a")
    assert [(a.get("href"), a.get("lang"), a.get("hreflang"), a.text_content()) for a in links] == [
        (f"../en/{page}", "en", "en", "English"), (f"../es/{page}", "es", "es", "Español")]
    assert [a.get("hreflang") for a in links if a.get("aria-current") == "page"] == [lang]


def test_a_missing_translation_is_the_main_language_page_in_that_folder(dist):
    files = read_zip(dist / COMBINED)
    page = html.fromstring(files["es/02-first-steps.html"])
    assert page.get("lang") == "es"
    assert page.xpath("//p[@class='note-fallback']")
    assert page.xpath("//div[@class='content']/@lang") == ["en"]
    assert page.xpath("//h1")[0].text_content() == "First steps"
    assert page.xpath("//nav[@class='lang-switch']//a/@href") == ["../en/02-first-steps.html",
                                                                   "../es/02-first-steps.html"]


def test_chooser_names_each_language_in_itself_and_works_without_javascript(dist):
    chooser = html.fromstring(read_zip(dist / COMBINED)["index.html"])
    assert (chooser.get("lang"), chooser.get("dir")) == ("en", "ltr")
    assert [h.text_content() for h in chooser.xpath("//h1")] == ["Town course"]
    assert len(chooser.xpath("//main")) == 1
    links = chooser.xpath("//ul[@class='lang-choice']/li/a")
    assert [(a.get("href"), a.get("lang"), a.get("hreflang")) for a in links] == [
        ("en/index.html", "en", "en"), ("es/index.html", "es", "es")]
    assert [a.xpath("string(.//*[@class='lang-name'])") for a in links] == ["English", "Español"]
    assert [a.xpath("string(.//*[@class='lang-title'])") for a in links] == ["Town course", "Curso del pueblo"]
    assert [(s.get("lang"), s.text) for s in chooser.xpath("//p[@class='lead']/span[@lang]")] == [
        ("en", "Choose your language"), ("es", "Elija su idioma")]
    [script] = chooser.xpath("//script")
    assert script.get("src") is None and "coursepack:town-course:0.1.0:lang" in script.text


@pytest.mark.parametrize("package", ["town-course-0.1.0-en-offline.zip", "town-course-0.1.0-es-scorm12.zip",
                                     "town-course-0.1.0-es-scorm2004.zip"])
def test_per_language_packages_have_no_switcher(dist, package):
    files = read_zip(dist / package)
    assert not [name for name in files if "/" in name and name.split("/")[0] in ("en", "es")]
    assert all(b"lang-switch" not in data for name, data in files.items() if name.endswith(".html"))
    assert json.loads(files["coursepack.json"])["lang"] == package.split("-")[3]
    assert "languages" not in json.loads(files["coursepack.json"])


def test_single_language_course_is_unchanged(new_course, run, tmp_path):
    assert run("build", new_course, "--out", tmp_path / "dist").exit_code == 0
    assert sorted(p.name for p in (tmp_path / "dist").glob("*.zip")) == [
        "town-course-0.1.0-offline.zip", "town-course-0.1.0-scorm12.zip", "town-course-0.1.0-scorm2004.zip"]
    files = read_zip(tmp_path / "dist" / "town-course-0.1.0-offline.zip")
    assert "index.html" in files and not [name for name in files if name.startswith("en/")]
    assert all(b"lang-switch" not in data for name, data in files.items() if name.endswith(".html"))
    assert json.loads(files["coursepack.json"])["lang"] == "en"


def test_only_the_offline_format_gets_a_combined_package(course, run, tmp_path):
    assert run("build", course, "--out", tmp_path / "scorm", "-f", "scorm12").exit_code == 0
    assert sorted(p.name for p in (tmp_path / "scorm").glob("*.zip")) == [
        "town-course-0.1.0-en-scorm12.zip", "town-course-0.1.0-es-scorm12.zip"]
    result = run("build", course, "--out", tmp_path / "offline", "-f", "offline")
    assert result.exit_code == 0
    assert "en+es  offline" in result.output and COMBINED in result.output


def test_combined_package_is_deterministic(dist, course, run, tmp_path):
    (course / "modules" / "01-welcome.es.md").touch()
    assert run("build", course, "--out", tmp_path / "again", "-f", "offline").exit_code == 0
    assert (tmp_path / "again" / COMBINED).read_bytes() == (dist / COMBINED).read_bytes()


def test_budget_covers_the_combined_package(course, run, tmp_path):
    single = run("build", course, "--out", tmp_path / "probe", "-f", "offline")
    assert single.exit_code == 0
    sizes = {p.name: p.stat().st_size for p in (tmp_path / "probe").glob("*.zip")}
    budget = max(size for name, size in sizes.items() if name != COMBINED) + 1
    assert sizes[COMBINED] > budget
    result = run("build", course, "--out", tmp_path / "dist", "-f", "offline", "--budget", str(budget))
    assert result.exit_code == 1
    assert f"package {COMBINED} is" in result.stderr
    assert not list((tmp_path / "dist").glob("*.zip"))  # all of a course's packages, or none


def test_relocate_moves_links_to_course_files_only():
    body = ('<p><img src="files/a.png" srcset="files/a.png 1x, files/a@2x.png 2x" alt="A"> '
            '<a href="02-next.html#x">next</a> <a href="files/form.pdf">form</a> <a href="#top">top</a> '
            '<a href="https://example.org/files/x">web</a></p>'
            '<video poster="files/p.jpg" src="files/v.mp4"><track src="files/v.vtt"></track></video>'
            '<div style="background: url(\'files/bg.png\')">x</div>')
    moved = relocate(body, "../")
    assert moved == body.replace('"files/', '"../files/').replace("files/a@2x", "../files/a@2x") \
        .replace("url('files/", "url('../files/")
    assert relocate(body, "") == body
    assert relocate("<p>no files here</p>", "../") == "<p>no files here</p>"
