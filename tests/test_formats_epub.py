"""EPUB 3: a course in one language as an e-book, checked by the real epubcheck (Debian package).

Built from the single-file fixture course (quiz, SVG, audio in WAV, a captioned video, two linked
files) and, for right-to-left, the Arabic version of land-use-basics.
"""

from __future__ import annotations

import json
import shutil
import zipfile
from pathlib import Path

import pytest
from lxml import etree

from builder.buildkey import RECORD  # the build record beside the packages (incremental builds)
from builder.build import gather
from builder.formats.epub import check as check_epub
from builder.formats.epub import epub_file
from builder.library import package_entry
from builder.problems import Problems
from builder.render import Site
from test_single import FIXTURE, add_media

PROJECT = Path(__file__).resolve().parent.parent
NS = {"x": "http://www.w3.org/1999/xhtml", "opf": "http://www.idpf.org/2007/opf", "epub": "http://www.idpf.org/2007/ops"}


def site_of(root: Path, lang: str, cache: Path) -> Site:
    problems = Problems()
    _, sites = gather(root, problems, cache)
    assert not problems.errors, problems.items
    return next(site for site in sites if site.lang == lang)


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("epub")
    course = folder / "single-course"
    shutil.copytree(FIXTURE, course)
    add_media(course)
    path = folder / "single-course.epub"
    site = site_of(course, "en", folder / "cache")
    path.write_bytes(epub_file(site, package_entry(site.course, "en", "epub"), Problems()).data)
    return path


def read(path: Path, name: str) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read(name))


def test_epubcheck_finds_nothing_wrong(book):
    assert check_epub(book) == []


def test_mimetype_comes_first_and_stored(book):
    with zipfile.ZipFile(book) as archive:
        first = archive.infolist()[0]
        assert (first.filename, first.compress_type, archive.read(first)) == \
            ("mimetype", zipfile.ZIP_STORED, b"application/epub+zip")
        names = archive.namelist()
        entry = json.loads(archive.read("META-INF/coursepack.json"))
    assert entry["format"] == "epub"  # what the library reads
    assert "EPUB/files/media/river.mp4" in names and "EPUB/files/images/flood-line.svg" in names
    assert not [n for n in names if n.endswith((".js", ".wav", ".pdf", ".csv", ".html"))]


def test_nav_lists_title_page_modules_and_answers(book):
    nav = read(book, "EPUB/nav.xhtml")
    toc = nav.find(".//x:nav[@epub:type='toc']", NS)
    assert [(a.get("href"), a.text) for a in toc.iterfind(".//x:a", NS)] == [
        ("index.xhtml", "River towns in one file"), ("01-river.xhtml", "The river and the town"),
        ("02-check.xhtml", "A quick check"), ("03-media.xhtml", "Listen and watch"), ("answers.xhtml", "Answers")]


def test_quiz_is_static_with_its_answers_at_the_end(book):
    check = read(book, "EPUB/02-check.xhtml")
    assert not check.xpath("//x:form|//x:input|//x:button|//x:script|//x:details", namespaces=NS)
    assert [p.text for p in check.iterfind(".//x:div[@class='cp-q']/x:p", NS)] == [
        "Where should new houses go?", "Which records show the floods?"]
    link = check.find(".//x:p[@class='cp-answers-link']/x:a", NS)
    assert (link.get("href"), link.text) == ("answers.xhtml#answers-quiz-check", "Show answers")
    answers = read(book, "EPUB/answers.xhtml")
    key = answers.find(".//x:section[@id='answers-quiz-check']", NS)
    assert key.find("x:h2/x:a", NS).get("href") == "02-check.xhtml#quiz-check"
    assert [p.text for p in key.iterfind(".//x:p[@class='cp-answer']", NS)] == [
        "Answer: Above the dashed line", "Answer: Council records"]


def test_media_a_reader_cannot_play_and_linked_files_leave_a_note(book):
    media = etree.tostring(read(book, "EPUB/03-media.xhtml"), encoding="unicode", method="text")
    assert "This recording is in the full course package (4.0 KB)." in media
    assert "Fill in the permit form (this file is in the full course package, 2.0 KB)" in media


def test_accessibility_metadata(book):
    opf = read(book, "EPUB/package.opf")
    meta = {}
    for element in opf.iterfind(".//opf:meta", NS):
        meta.setdefault(element.get("property"), []).append(element.text)
    assert meta["schema:accessMode"] == ["textual", "visual", "auditory"]
    assert meta["schema:accessModeSufficient"] == ["textual"]
    assert "alternativeText" in meta["schema:accessibilityFeature"]
    assert meta["schema:accessibilityHazard"] == ["none"]
    assert meta["schema:accessibilitySummary"][0].startswith("Every image has a text alternative")


def test_arabic_book_reads_right_to_left_and_is_valid(tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")
    site = site_of(PROJECT / "courses" / "land-use-basics", "ar", tmp_path / "cache")
    book = epub_file(site, package_entry(site.course, "ar", "epub"), Problems())
    path = tmp_path / "ar.epub"
    path.write_bytes(book.data)
    assert check_epub(path) == []
    opf = read(path, "EPUB/package.opf")
    assert opf.find("opf:spine", NS).get("page-progression-direction") == "rtl"
    assert opf.find(".//opf:meta[@property='dcterms:modified']", NS).text == "2025-12-01T00:00:00Z"
    home = read(path, "EPUB/index.xhtml")
    assert (home.get("lang"), home.get("dir")) == ("ar", "rtl")
    again = epub_file(site, package_entry(site.course, "ar", "epub"), Problems())
    assert again.data == book.data  # the same source date: the same bytes


def test_build_writes_one_book_per_language_and_the_library_lists_them(run, sample, tmp_path, monkeypatch):
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1764547200")
    course, out = sample("participatory-planning"), tmp_path / "dist"
    result = run("build", course, "--source", course.parent, "--out", out, "-f", "epub")
    assert result.exit_code == 0, result.output
    books = ["participatory-planning-1.0.0-en.epub", "participatory-planning-1.0.0-es.epub"]
    assert sorted(p.name for p in out.iterdir() if p.name != RECORD) == ["catalog.json", "index.html", *books]
    catalog = json.loads((out / "catalog.json").read_text())
    assert [p["file"] for lang in catalog["courses"][0]["languages"] for r in lang["releases"]
            for p in r["packages"]] == books
    assert "Open it in an e-reader or a reading app" in (out / "index.html").read_text()
    first = (out / books[0]).read_bytes()
    assert run("build", course, "--source", course.parent, "--out", out, "-f", "epub").exit_code == 0
    assert (out / books[0]).read_bytes() == first  # the same source date: the same bytes


def test_a_page_without_main_is_an_error_naming_it(tmp_path):
    site = site_of(PROJECT / "courses" / "participatory-planning", "en", tmp_path / "cache")
    site.files["index.html"] = b"<!doctype html><html><body><p>My own template</p></body></html>"
    problems = Problems()
    assert epub_file(site, package_entry(site.course, "en", "epub"), problems) is None
    assert [(p.message, p.hint) for p in problems.items if not p.warning] == [
        ("the epub package needs a <main> on every page, and index.html has none",
         "keep the <main> of base.html in your own templates")]


def test_figures_keep_their_images_and_captions(tmp_path):
    """The Carpentries-style lesson: figures from Markdown image captions, solutions folded, fenced divs."""
    site = site_of(PROJECT / "tests" / "fixtures" / "carpentries-lesson", "en", tmp_path / "cache")
    path = tmp_path / "lesson.epub"
    path.write_bytes(epub_file(site, package_entry(site.course, "en", "epub"), Problems()).data)
    assert check_epub(path) == []
    plotting = read(path, "EPUB/02-plotting.xhtml")
    figures = {f.find("x:img", NS).get("src"): f.findtext("x:figcaption", namespaces=NS)
               for f in plotting.iterfind(".//x:figure", NS) if f.find("x:img", NS) is not None}
    assert figures["files/fig/permits-by-year.svg"] == "Permits granted per year, 2020 to 2023."
    manifest = {item.get("href") for item in read(path, "EPUB/package.opf").iterfind(".//opf:item", NS)}
    assert set(figures) <= manifest
    quarto = read(path, "EPUB/05-quarto.xhtml")  # content tabs: no buttons in a book, every tab under its title
    assert [box.findtext("x:p", namespaces=NS) for box in quarto.iterfind(".//x:div[@class='admonition cp-box tab']",
                                                                          NS)] == ["pandas", "R", "Windows", "Linux"]
    assert quarto.find(".//x:div[@class='cp-tabs']", NS) is None and quarto.find(".//x:label", NS) is None
