"""The single-file format: a whole course in one language as one self-contained .html file.

The fixture course (tests/fixtures/single-course) has three pages that share heading ids, an
SVG image, a knowledge check, audio with a transcript, a captioned video and two linked files;
the tests add the media in the sizes they need.
"""

from __future__ import annotations

import base64
import gzip
import json
import re
import shutil
import wave
from itertools import pairwise
from pathlib import Path
from urllib.parse import unquote

import pytest
from lxml import html

from builder.buildkey import RECORD  # the build record beside the packages (incremental builds)
from builder.assets import minify
from builder.single import data_uri

FIXTURE = Path(__file__).resolve().parent / "fixtures" / "single-course"
NAME = "single-course-1.0.0-single.html"
TITLE = "River towns in one file"
PAGES = ["index.html", "01-river.html", "02-check.html", "03-media.html", "progress.html"]
URL_ATTRS = ("src", "href", "poster", "data", "action", "formaction", "background", "xlink:href", "cite")
HYPERLINKS = ("http:", "https:", "mailto:", "tel:")
PARSER = html.HTMLParser(huge_tree=True)  # data: URIs make long attributes


def add_media(course: Path, video: int = 300_000, pdf: int = 2_000, csv: int = 250_000) -> None:
    """A real (silent, 4 KB) WAV recording, and files of the sizes asked for."""
    with wave.open(str(course / "media" / "interview.wav"), "wb") as sound:
        sound.setnchannels(1)
        sound.setsampwidth(1)
        sound.setframerate(8000)
        sound.writeframes(bytes([128]) * 4000)
    (course / "media" / "river.mp4").write_bytes(bytes(video))
    (course / "files").mkdir(exist_ok=True)
    (course / "files" / "permit-form.pdf").write_bytes(b"%PDF-1.4\n" + bytes(pdf - 9))
    (course / "files" / "flood-records.csv").write_bytes(b"year,floods\n" + b"1975,1\n" * ((csv - 12) // 7))


@pytest.fixture
def course(tmp_path) -> Path:
    """The fixture course under tmp_path/courses, with its media."""
    folder = tmp_path / "courses" / "single-course"
    shutil.copytree(FIXTURE, folder)
    add_media(folder)
    return folder


def build(run, course: Path, out: Path, *options: str) -> Path:
    result = run("build", course, "--source", course.parent, "--out", out, "-f", "single", *options)
    assert result.exit_code == 0, result.output
    return out / NAME


def parse(path: Path):
    return html.fromstring(path.read_bytes(), parser=PARSER)


def ids(doc) -> list[str]:
    return [e.get("id") for e in doc.iter() if isinstance(e.tag, str) and e.get("id")]


def section(doc, page: str):
    [found] = doc.xpath("//section[@data-cp-page=$page]", page=page)
    return found


def decoded(uri: str, mime: str) -> bytes:
    """The bytes of a base64 data: URI of the given type."""
    prefix = f"data:{mime};base64,"
    assert uri.startswith(prefix), uri[:60]
    return base64.b64decode(uri.removeprefix(prefix), validate=True)


def headings(element) -> list[tuple[int, str]]:
    """(level, text) of every heading, an ARIA heading included, in document order."""
    found = []
    for e in element.iter():
        if isinstance(e.tag, str) and re.fullmatch(r"h[1-6]", e.tag):
            found.append((int(e.tag[1]), e.text_content().strip()))
        elif isinstance(e.tag, str) and e.get("role") == "heading":
            found.append((int(e.get("aria-level")), e.text_content().strip()))
    return found


# --- layout ------------------------------------------------------------------------------------

def test_one_file_per_language_only_when_asked_for(new_course, run, tmp_path):
    config = new_course / "course.yaml"
    config.write_text(config.read_text().replace("language: en", "language: en\nlanguages: [en, es]"))
    result = run("build", new_course, "--out", tmp_path / "dist", "-f", "single")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "dist").iterdir() if p.name != RECORD) == [
        "catalog.json", "index.html", "town-course-0.1.0-en-single.html", "town-course-0.1.0-es-single.html"]
    assert parse(tmp_path / "dist" / "town-course-0.1.0-es-single.html").get("lang") == "es"
    result = run("build", new_course, "--out", tmp_path / "default")
    assert result.exit_code == 0, result.output
    assert [p.name for p in (tmp_path / "default").glob("*.html")] == ["index.html"], "only the library by default"


def test_nothing_is_loaded_from_outside_the_file(course, run, tmp_path):
    doc = parse(build(run, course, tmp_path / "dist"))
    known = set(ids(doc))
    problems = []
    for element in doc.iter():
        if not isinstance(element.tag, str):
            continue
        urls = [element.get(a) for a in URL_ATTRS if element.get(a) is not None]
        urls += [c.strip().split(" ")[0] for c in re.split(r",\s+(?=data:)", element.get("srcset") or "") if c]
        urls += re.findall(r"url\(\s*['\"]?([^'\")]+)", (element.get("style") or "") + (
            element.text or "" if element.tag == "style" else ""))
        for url in urls:
            hyperlink = element.tag in ("a", "area") and url.startswith(HYPERLINKS)
            anchor = url.startswith("#") and (url == "#" or unquote(url[1:]) in known)
            if not (url.startswith("data:") or anchor or hyperlink):
                problems.append(f"<{element.tag}> {url[:80]}")
    assert not problems
    assert not doc.xpath("//script[@src] | //link[@rel='stylesheet'] | //iframe | //base")
    assert len(doc.xpath("//style")) == 1
    shim, model, runtime = (s.text for s in doc.xpath("//script[not(@type)]"))
    assert "data-cp-page" in shim and model.startswith("window.coursepackCourse = ") and "coursepack" in runtime


def test_every_page_is_a_section_with_links_between_them_inside_the_document(course, run, tmp_path):
    doc = parse(build(run, course, tmp_path / "dist"))
    assert doc.xpath("//main/section/@data-cp-page") == PAGES
    assert doc.xpath("//main/section/@id") == [f"page-{p.removesuffix('.html')}" for p in PAGES]
    assert doc.xpath("//nav[contains(@class, 'site-nav')]//a/@href") == [
        "#page-index", "#page-01-river", "#page-02-check", "#page-03-media", "#page-progress"]
    assert doc.xpath("//*[contains(@class, 'start')]/a/@href") == ["#page-01-river"]
    assert section(doc, "02-check.html").xpath(".//a[@rel='prev']/@href") == ["#page-01-river"]
    assert section(doc, "02-check.html").get("data-cp-title") == f"A quick check — {TITLE}"
    assert doc.findtext(".//title") == TITLE
    assert not doc.xpath("//*[@aria-current]"), "with JavaScript off no page is the current one"


def test_ids_stay_unique_and_links_follow_them(course, run, tmp_path):
    doc = parse(build(run, course, tmp_path / "dist"))
    assert len(ids(doc)) == len(set(ids(doc)))
    river, check, media = (section(doc, p) for p in ("01-river.html", "02-check.html", "03-media.html"))
    # The first page to use an id keeps it; the others get their page's prefix, and their links follow.
    assert river.xpath(".//h3[. = 'Summary']/@id") == ["summary"]
    assert check.xpath(".//h3[. = 'Summary']/@id") == ["page-02-check-summary"]
    assert media.xpath(".//h3[. = 'Summary']/@id") == ["page-03-media-summary"]
    assert river.xpath(".//a[. = 'summary of the check']/@href") == ["#page-02-check-summary"]
    assert river.xpath(".//a[. = 'check on the next page']/@href") == ["#quiz-check"]
    assert check.xpath(".//a[. = 'first page']/@href") == ["#flood-line"]
    assert check.xpath(".//nav[@class='toc']//a/@href") == ["#quiz-check", "#page-02-check-summary"]
    for page in (river, check):  # footnotes: each page's own
        [ref] = page.xpath(".//a[contains(@class, 'footnote-ref')]/@href")
        assert page.xpath(".//*[@id=$id]", id=ref[1:]), ref
    for element in doc.xpath("//*[@for or @aria-labelledby or @aria-describedby]"):
        for ident in " ".join(element.get(a) or "" for a in ("for", "aria-labelledby", "aria-describedby")).split():
            assert ident in ids(doc), f"<{element.tag}> refers to a missing id {ident}"
    # What coursepack.js looks for is never renamed.
    assert {"main", "cp-progress", "cp-status", "cp-save", "cp-name", "cp-json"} <= set(ids(doc))


def test_one_h1_and_every_page_one_level_down(course, run, tmp_path):
    doc = parse(build(run, course, tmp_path / "dist"))
    assert [h.text_content() for h in doc.iter("h1")] == [TITLE]
    assert doc.xpath("//main/h1/following-sibling::section[1]/@data-cp-page") == ["index.html"]
    assert headings(section(doc, "01-river.html"))[:2] == [(2, "The river and the town"), (3, "On this page")]
    assert (3, "The flood line") in headings(doc) and (4, "Reading it") in headings(doc)
    assert headings(section(doc, "progress.html"))[0] == (2, "My progress")
    assert headings(section(doc, "index.html"))[0][0] == 2
    levels = [level for level, _ in headings(doc.find(".//main"))]
    assert levels[0] == 1 and all(b <= a + 1 for a, b in pairwise(levels)), levels


def test_a_heading_past_h6_becomes_an_aria_heading(course, run, tmp_path):
    module = course / "modules" / "03-media.md"
    module.write_text(module.read_text() + "\n#### Four\n\n##### Five\n\n###### Six\n\nDeep.\n")
    doc = parse(build(run, course, tmp_path / "dist"))
    assert headings(section(doc, "03-media.html"))[-3:] == [(5, "Four"), (6, "Five"), (7, "Six")]
    assert doc.xpath("//p[@role='heading'][@aria-level='7']/text()") == ["Six"]


# --- files: inlined, or left out with a note -------------------------------------------------------

def test_big_media_and_files_are_left_out_with_a_note(course, run, tmp_path):
    doc = parse(build(run, course, tmp_path / "dist"))
    media = section(doc, "03-media.html")
    assert not media.xpath(".//video")
    assert media.xpath(".//p[@class='cp-left-out']/text()") == [
        "This video is in the full course package (300.0 KB)."]
    assert media.xpath(".//details[contains(@class, 'cp-transcript')]//p/text()")[-1] == (
        "The river rises over the road and the field."), "the video's transcript stays"
    [audio] = media.xpath(".//audio/@src")
    assert audio.startswith("data:audio/wav;base64,") and len(base64.b64decode(audio.split(",")[1])) == 4044
    [pdf] = media.xpath(".//a[. = 'permit form']")
    assert pdf.get("href").startswith("data:application/pdf;base64,JVBERi0xLjQK")
    assert pdf.get("download") == "permit-form.pdf"
    [csv] = media.xpath(".//span[@class='cp-left-out'][starts-with(., 'flood records')]")
    assert csv.text_content() == "flood records (this file is in the full course package, 250.0 KB)"


def test_the_limit_is_an_option(course, run, tmp_path):
    doc = parse(build(run, course, tmp_path / "big", "--single-max-inline", "1MB"))
    [video] = doc.xpath("//video")
    assert video.get("src").startswith("data:video/mp4;base64,")
    [track] = video.xpath("track")
    assert decoded(track.get("src"), "text/vtt") == b"WEBVTT\n\n00:00.000 --> 00:02.000\nWater over the road.\n"
    assert not doc.xpath("//*[@class='cp-left-out']")
    doc = parse(build(run, course, tmp_path / "small", "--single-max-inline", "1KB"))
    assert doc.xpath("//*[@class='cp-left-out']/text()")[:2] == [
        "This recording is in the full course package (4.0 KB).",
        "This video is in the full course package (300.0 KB)."]
    assert not doc.xpath("//audio | //video")
    assert doc.xpath("//img/@src")[0].startswith("data:image/svg+xml;"), "images are always inside"


def test_the_note_speaks_the_pages_language(course, run, tmp_path):
    config = course / "course.yaml"
    config.write_text(config.read_text().replace("language: en", "language: es"))
    doc = parse(build(run, course, tmp_path / "dist", "--single-max-inline", "1KB"))
    assert doc.xpath("//*[@class='cp-left-out']/text()")[:2] == [
        "Esta grabación está en el paquete completo del curso (4,0 KB).",
        "Este vídeo está en el paquete completo del curso (300,0 KB)."]


def test_the_single_files_own_script_stays_small():
    """Only single files carry templates/single.js; zips never do (their budget is in test_assets.py)."""
    source = (FIXTURE.parents[2] / "templates" / "single.js").read_bytes()
    assert len(gzip.compress(minify(source, ".js"), 9)) < 768


def test_svg_becomes_a_base64_data_uri_holding_the_optimised_drawing(course, run, tmp_path):
    doc = parse(build(run, course, tmp_path / "dist"))
    [img] = doc.xpath("//img")
    svg = decoded(img.get("src"), "image/svg+xml")
    assert svg.startswith(b"<svg") and b'Town &amp; "river"' in svg and b"<title>Flood line</title>" in svg
    assert (img.get("width"), img.get("height")) == ("320", "160")
    assert data_uri(b"\x89PNG", "image/png") == "data:image/png;base64,iVBORw=="


# --- written like the zips --------------------------------------------------------------------------

def test_rebuilds_are_byte_identical_and_the_report_lists_what_is_inside(course, run, tmp_path):
    first = build(run, course, tmp_path / "one", "--report", tmp_path / "one.json").read_bytes()
    second = build(run, course, tmp_path / "two", "--report", tmp_path / "two.json").read_bytes()
    assert first == second
    assert (tmp_path / "one.json").read_bytes() == (tmp_path / "two.json").read_bytes()
    [package] = json.loads((tmp_path / "one.json").read_text())["packages"]
    assert (package["file"], package["format"], package["size"]) == (NAME, "single", len(first))
    files = {f["path"]: f for f in package["files"]}
    assert sorted(files) == ["assets/course-data.js", "assets/coursepack.css", "assets/coursepack.js",
                             "files/files/permit-form.pdf", "files/images/flood-line.svg",
                             "files/media/interview.wav", "single.js"]
    wav = files["files/media/interview.wav"]
    assert (wav["size"], wav["compressed_size"]) == (4044, len("data:audio/wav;base64,") + 5392)
    assert [p.name for p in (tmp_path / "one").glob(".*")] == [RECORD], "no temp file left behind"


def test_the_budget_counts_the_single_file(course, run, tmp_path):
    result = run("build", course, "--source", course.parent, "--out", tmp_path / "dist", "-f", "single",
                 "--budget", "20KB")
    assert result.exit_code == 1
    assert f"package {NAME} is" in result.output and "assets/course-data.js" in result.output
    assert not (tmp_path / "dist" / NAME).exists()


def test_the_library_lists_single_files(course, run, tmp_path):
    dist = tmp_path / "dist"
    path = build(run, course, dist)
    (dist / "notes.html").write_text("<p>Not a course</p>")
    result = run("build", course, "--source", course.parent, "--out", dist, "-f", "single", "--force")
    assert ('notes.html: warning: left out of the library: it has no <script id="coursepack-package">, so it is '
            "not a coursepack single-file package") in result.output
    catalog = json.loads((dist / "catalog.json").read_text())
    [language] = catalog["courses"][0]["languages"]
    [package] = language["releases"][0]["packages"]
    assert (package["format"], package["file"], package["size"]) == ("single", NAME, path.stat().st_size)
    page = html.fromstring((dist / "index.html").read_bytes())
    assert page.xpath("//a[@href=$name]/text()", name=NAME) == ["Single web page"]
