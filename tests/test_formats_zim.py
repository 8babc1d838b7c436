"""ZIM: a course in one language for Kiwix, checked by the real zimcheck (Debian zim-tools)."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from io import BytesIO
from pathlib import Path

import pytest
from libzim.reader import Archive
from libzim.search import Query, Searcher
from PIL import Image

from builder.formats.zim import check as check_zim
from builder.formats.zim import iso639_3, short_description, zim_file
from builder.library import package_entry
from builder.problems import Problems
from test_formats_epub import PROJECT, site_of

PAGES = ["01-why-participation.html", "02-preparing-the-workshop.html", "03-running-the-workshop.html",
         "04-after-the-workshop.html", "index.html", "progress.html"]


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, bytes]:
    folder = tmp_path_factory.mktemp("zim")
    site = site_of(PROJECT / "courses" / "participatory-planning", "es", folder / "cache")
    path = folder / "course.zim"
    entry = package_entry(site.course, "es", "zim")
    path.write_bytes(zim_file(site, entry, Problems()).data)
    return path, zim_file(site, entry, Problems()).data


def test_zimcheck_finds_nothing_wrong(built):
    assert check_zim(built[0]) == []


def test_main_page_metadata_and_illustration(built):
    archive = Archive(built[0])
    assert archive.main_entry.get_item().path == "index.html"
    meta = {key: archive.get_metadata(key).decode() for key in archive.metadata_keys if not key.startswith("Illus")}
    assert meta["Name"] == "coursepack_es_participatory-planning"
    assert meta["Title"] == "Planificación participativa…"  # at most 30 characters
    assert meta["Creator"] == "Rosa Quispe Mamani, Daniel Oyarzún"
    assert meta["Publisher"] == "Rural Municipalities Training Network"
    assert meta["Language"] == "spa"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d", meta["Date"])
    assert len(meta["Description"]) <= 80 and meta["Description"].endswith("…")
    assert meta["LongDescription"].startswith(meta["Description"][:-1])
    assert archive.get_illustration_sizes() == {48}
    image = Image.open(BytesIO(bytes(archive.get_illustration_item(48).content)))
    assert (image.format, image.size) == ("PNG", (48, 48))


def test_full_text_search_finds_a_module(built):
    archive = Archive(built[0])
    assert archive.has_fulltext_index
    results = Searcher(archive).search(Query().set_query("votación")).getResults(0, 10)
    assert any(path.startswith("03-running") for path in results)


def test_pages_run_no_inline_script_and_leave_out_the_printable_page(built):
    """Kiwix JS in service-worker mode blocks inline scripts and event attributes: the runtime comes
    only from files, so quizzes keep working (with localStorage) in every Kiwix reader."""
    archive = Archive(built[0])
    assert not archive.has_entry_by_path("print.html")
    for page in PAGES:
        html = bytes(archive.get_entry_by_path(page).get_item().content).decode()
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html), page
        assert not re.search(r"\son[a-z]+=", html), page
        assert "print.html" not in html, page
        assert '<script src="assets/coursepack.js"></script>' in html
    runtime = bytes(archive.get_entry_by_path("assets/coursepack.js").get_item().content).decode()
    assert not re.search(r"\beval\(|new Function\(|document\.write\(", runtime)  # what a strict CSP also blocks
    assert archive.has_entry_by_path("assets/course-data.js")
    entry = json.loads(bytes(archive.get_entry_by_path("coursepack.json").get_item().content))
    assert (entry["format"], entry["lang"]) == ("zim", "es")  # what the library reads


def test_only_ids_and_checksum_differ_between_builds(built):
    """libzim gives every ZIM (and its two Xapian indexes) a random UUID, with no way to set it, and a
    checksum over them: the bytes differ in those 64 bytes, every entry is the same."""
    path, again = built
    first = path.read_bytes()
    assert len(first) == len(again)
    assert sum(a != b for a, b in zip(first, again)) <= 64
    other = path.with_name("again.zim")
    other.write_bytes(again)
    one, two = Archive(path), Archive(other)
    assert one.entry_count == two.entry_count
    for page in PAGES:
        assert bytes(one.get_entry_by_path(page).get_item().content) == \
            bytes(two.get_entry_by_path(page).get_item().content)


def test_language_codes_and_descriptions():
    assert [iso639_3(code) for code in ("en", "es", "fr", "pt-BR", "pl", "ar", "ckb")] == \
        ["eng", "spa", "fra", "por", "pol", "ara", "ckb"]
    assert short_description("a " * 50) == "a " * 38 + "a…"
    assert short_description("Short one.") == "Short one."


def test_build_writes_a_zim_per_language_and_libzim_prints_nothing(sample, tmp_path):
    course, out = sample("participatory-planning"), tmp_path / "dist"
    run = subprocess.run([sys.executable, "-m", "builder", "build", str(course), "--source", str(course.parent),
                          "--out", str(out), "-f", "zim"], capture_output=True, text=True, cwd=tmp_path)
    assert run.returncode == 0, run.stderr
    assert "Resolve redirect" not in run.stdout and "set index" not in run.stdout
    zims = ["participatory-planning-1.0.0-en.zim", "participatory-planning-1.0.0-es.zim"]
    assert sorted(p.name for p in out.glob("*.zim")) == zims
    catalog = json.loads((out / "catalog.json").read_text())
    assert {lang["lang"]: lang["releases"][0]["formats"] for lang in catalog["courses"][0]["languages"]} == \
        {"en": ["zim"], "es": ["zim"]}
