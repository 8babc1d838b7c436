"""Names in packages: any script made ASCII-safe, unique, stable; downloads keep their names; collisions are errors."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

import lxml.html
import pytest
from PIL import Image

from builder.names import package_names, safe_name

COURSE = "courses/town-course"
MODULE = f"{COURSE}/modules/02-first-steps.md"
LMS_SAFE = re.compile(r"[A-Za-z0-9._/-]+")  # ../shared/LMS-NOTES.md


@pytest.fixture
def project(tmp_path, monkeypatch, run):
    """tmp_path as the working directory, holding the scaffold course courses/town-course."""
    monkeypatch.chdir(tmp_path)
    assert run("new", "town-course").exit_code == 0
    return tmp_path


def add_files(project: Path, files: dict[str, bytes]) -> None:
    for name, data in files.items():
        path = project / COURSE / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)


def write_module(project: Path, text: str) -> None:
    """Replace the second module; it keeps the heading the first module links to."""
    (project / MODULE).write_text(f"# First steps\n\n{text}\n\n## Before you start\n", encoding="utf-8")


def build(run, fmt: str = "offline", out: str = "dist") -> dict[str, bytes]:
    result = run("build", COURSE, "--out", out, "-f", fmt)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(next(Path(out).glob(f"*-{fmt}.zip"))) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def links(page: bytes) -> list[tuple[str, str | None, str]]:
    """(tag, href or src, text) of every link and image of a page's content."""
    root = lxml.html.fromstring(page)
    return [(e.tag, e.get("href") or e.get("src"), e.text_content() or e.get("alt"))
            for e in root.xpath("//div[@class='content']//*[self::a or self::img]")]


def problems(result) -> list[str]:
    return [line for line in result.stderr.splitlines() if ": warning: " not in line][:-1]


SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"><rect width="%d" height="4"/></svg>'


def png(shade: int) -> bytes:
    out = io.BytesIO()
    Image.new("L", (4, 4), shade).save(out, "PNG")
    return out.getvalue()


# --- names --------------------------------------------------------------------------------------

@pytest.mark.parametrize(("source", "packaged"), [
    ("карта.png", "karta.png"), ("地图.png", "DeTu.png"), ("خريطة.png", "khryth.png"),
    ("Ελλάδα χάρτης.svg", "Ellada-chartis.svg"), ("Plan de zonificación.svg", "Plan-de-zonificacion.svg"),
    ("Screen Shot 2019-01-21 at 5.50.32 PM.jpg", "Screen-Shot-2019-01-21-at-5.50.32-PM.jpg"),
    ("Screen Shot 2023-01-21 at 5.50.32\u202fPM.png", "Screen-Shot-2023-01-21-at-5.50.32-PM.png"),
    ("Снимок экрана 2023-01-21 в 17.50.32.png", "Snimok-ekrana-2023-01-21-v-17.50.32.png"),
    ("🗺️.png", "map.png"), ("\ue000.png", "file.png"), (".hidden.png", "hidden.png"),
    ("a&b'c:d|e.pdf", "a-b-c-d-e.pdf"),
    ("con.txt", "con_.txt"), ("Données (v2).tar.gz", "Donnees-v2.tar.gz"),
])
def test_any_script_becomes_an_lms_safe_visible_name(source, packaged):
    assert safe_name(source) == packaged


def test_a_long_name_is_cut_and_stays_unique():
    first, second = safe_name("北京" * 80 + "一.png"), safe_name("北京" * 80 + "二.png")
    assert first != second and len(first) <= 104 and first.endswith(".png")


def test_names_that_meet_get_a_suffix_from_their_own_path_whatever_the_order():
    paths = ["images/карта.png", "images/karta.png", "images/Карта.png", "images/a.png", "images/b.png"]
    names = package_names(paths)
    assert names == package_names(list(reversed(paths)))
    assert names["images/karta.png"] == "images/karta.png"  # needed no change: keeps its name
    assert re.fullmatch(r"images/karta-[0-9a-f]{8}\.png", names["images/карта.png"])
    assert re.fullmatch(r"images/Karta-[0-9a-f]{8}\.png", names["images/Карта.png"])
    assert len({n.casefold() for n in names.values()}) == len(paths)
    assert package_names(["images/карта.png"]) == {"images/карта.png": "images/karta.png"}  # alone: no suffix


def test_non_latin_files_are_packaged_under_visible_ascii_names(project, run):
    add_files(project, {"images/карта.png": png(1), "images/karta.png": png(2), "images/地图.svg": SVG % 3,
                        "docs/план работ.pdf": b"%PDF-1.4 plan"})
    write_module(project, "![Карта](../images/карта.png)\n\n![Map](../images/karta.png)\n\n"
                          "![地图](../images/地图.svg)\n\n[План работ](../docs/план%20работ.pdf)\n")
    files = build(run, "scorm12")
    course_files = sorted(name for name in files if name.startswith("files/") and "steps" not in name)
    suffixed = package_names(["images/карта.png", "images/karta.png"])["images/карта.png"]
    assert course_files == sorted(["files/docs/plan-rabot.pdf", "files/images/DeTu.svg",
                                   "files/images/karta.png", f"files/{suffixed}"])
    assert all(LMS_SAFE.fullmatch(name) and not any(p.startswith(".") for p in name.split("/")) for name in files)
    assert links(files["02-first-steps.html"]) == [
        ("img", f"files/{suffixed}", "Карта"), ("img", "files/images/karta.png", "Map"),
        ("img", "files/images/DeTu.svg", "地图"), ("a", "files/docs/plan-rabot.pdf", "План работ")]
    manifest = files["imsmanifest.xml"].decode()
    assert f'href="files/{suffixed}"' in manifest and 'href="files/docs/plan-rabot.pdf"' in manifest
    assert build(run, "scorm12", "dist2") == files  # the same names in every build


# --- identical bytes under two names ------------------------------------------------------------

def test_a_download_keeps_its_own_name_even_with_the_same_bytes_as_another(project, run):
    add_files(project, {"files/data.csv": b"a,b\n1,2\n", "files/notes.txt": b"a,b\n1,2\n",
                        "images/one.svg": SVG % 1, "images/same.svg": SVG % 1})
    write_module(project, "[The data](../files/data.csv) and [the notes](../files/notes.txt).\n\n"
                          "![One](../images/one.svg)\n\n![Same](../images/same.svg)\n\n"
                          "[Download the drawing](../images/same.svg)\n")
    files = build(run)
    assert links(files["02-first-steps.html"]) == [
        ("a", "files/files/data.csv", "The data"), ("a", "files/files/notes.txt", "the notes"),
        ("img", "files/images/one.svg", "One"), ("img", "files/images/same.svg", "Same"),  # linked: stored anyway
        ("a", "files/images/same.svg", "Download the drawing")]
    assert files["files/files/notes.txt"] == files["files/files/data.csv"] == b"a,b\n1,2\n"
    assert files["files/images/same.svg"] == files["files/images/one.svg"]
    assert sorted(n for n in files if n.startswith("files/") and "steps" not in n) == [
        "files/files/data.csv", "files/files/notes.txt", "files/images/one.svg", "files/images/same.svg"]


def test_images_shown_twice_are_still_stored_once(project, run):
    add_files(project, {"images/one.svg": SVG % 1, "images/same.svg": SVG % 1})
    write_module(project, "![One](../images/one.svg)\n\n![Same](../images/same.svg)\n")
    files = build(run)
    assert "files/images/same.svg" not in files
    assert [src for _, src, _ in links(files["02-first-steps.html"])] == ["files/images/one.svg"] * 2


# --- collisions are errors naming both --------------------------------------------------------------

def test_files_differing_only_in_letter_case_are_an_error(project, run):
    add_files(project, {"images/a.png": png(1), "images/a.PNG": png(2)})
    write_module(project, "![One](../images/a.png)\n\nText.\n\n![Two](../images/a.PNG)\n")
    result = run("check", COURSE)
    assert result.exit_code == 1
    assert problems(result) == [
        f"{MODULE}:7: 'images/a.PNG' collides with 'images/a.png' (used at {MODULE}:3): 'files/images/a.png' and "
        "'files/images/a.PNG' are one file on Windows and macOS — rename one"]


def test_names_equal_but_for_unicode_normalisation_are_an_error(project, run):
    add_files(project, {"images/caf\u00e9.png": png(1), "images/cafe\u0301.png": png(2)})
    write_module(project, "![One](../images/caf\u00e9.png)\n\n![Two](../images/cafe\u0301.png)\n")
    assert problems(run("check", COURSE)) == [
        f"{MODULE}:5: 'images/cafe\u0301.png' collides with 'images/caf\u00e9.png' (used at {MODULE}:3): one name "
        "written in two Unicode forms, which macOS keeps as one file — rename one"]


def test_only_packaged_files_can_collide(project, run):
    add_files(project, {"images/a.png": png(1), "images/a.PNG": png(2)})
    write_module(project, "![One](../images/a.png)\n")
    assert run("check", COURSE).exit_code == 0


@pytest.mark.parametrize(("name", "message"), [
    ("índex", "this module: its page 'index.html' collides with the course home page (index.html)"),
    ("Progress", "this module: its page 'Progress.html' collides with the learner's progress page (progress.html)"),
    ("01-Welcome", "this module: its page '01-welcome.html' collides with '01-Welcome.html' of modules/01-Welcome.md"),
])
def test_a_module_whose_page_name_is_taken_is_an_error_naming_both(project, run, name, message):
    (project / COURSE / "modules" / f"{name}.md").write_text("# Another\n\nText.\n", encoding="utf-8")
    result = run("check", COURSE)
    hint = "rename one" if name == "01-Welcome" else "rename the file, e.g. 00-welcome.md"
    where = "01-welcome" if name == "01-Welcome" else name  # modules are taken in file-name order: 'W' < 'w'
    assert result.exit_code == 1
    assert problems(result) == [f"{COURSE}/modules/{where}.md:1: {message} — {hint}"]


def test_a_module_in_another_script_gets_an_ascii_page(project, run):
    (project / COURSE / "modules" / "03-итоги.md").write_text("# Итоги\n\nТекст.\n", encoding="utf-8")
    files = build(run)
    assert "03-itogi.html" in files
    assert [a.get("href") for a in lxml.html.fromstring(files["index.html"]).xpath("//ol//a")][-1] == "03-itogi.html"


def test_course_assets_that_differ_only_in_case_are_an_error(project, run):
    static = project / COURSE / "templates" / "static"
    static.mkdir(parents=True)
    for name in ("extra.js", "Extra.js", "CoursePack.css"):
        (static / name).write_text("/* a course's own */\n", encoding="utf-8")
    assert problems(run("check", COURSE)) == [
        f"{COURSE}/templates/static/CoursePack.css:1: 'CoursePack.css' collides with coursepack's own "
        "'assets/coursepack.css': 'assets/coursepack.css' and 'assets/CoursePack.css' are one file on Windows and "
        "macOS — name it 'coursepack.css' to replace ours",
        f"{COURSE}/templates/static/extra.js:1: 'extra.js' collides with 'templates/static/Extra.js': "
        "'assets/Extra.js' and 'assets/extra.js' are one file on Windows and macOS — rename one"]


def test_in_the_single_file_each_download_keeps_its_name_too(project, run):
    add_files(project, {"files/data.csv": b"a,b\n1,2\n", "files/notes.txt": b"a,b\n1,2\n"})
    write_module(project, "[The data](../files/data.csv) and [the notes](../files/notes.txt).\n")
    assert run("build", COURSE, "--out", "dist", "-f", "single").exit_code == 0
    page = lxml.html.fromstring(next(Path("dist").glob("*-single.html")).read_bytes())
    found = {a.text_content(): a.get("download") for a in page.xpath("//a[@download]")}
    assert found == {"The data": "data.csv", "the notes": "notes.txt"}


def test_a_photo_png_made_jpeg_never_takes_the_name_of_a_jpeg_beside_it_in_other_case(project, run):
    config = project / COURSE / "course.yaml"
    config.write_text(config.read_text() + "images:\n  lossy: true\n")
    folder = project / COURSE / "images"
    photo = Image.effect_noise((300, 200), 60).convert("RGB")
    photo.save(folder / "Photo.png")
    photo.save(folder / "photo.jpg", quality=90)
    write_module(project, "![One](../images/Photo.png)\n\n![Two](../images/photo.jpg)\n")
    files = build(run)
    assert sorted(n for n in files if n.startswith("files/images/") and "steps" not in n) == [
        "files/images/Photo-png.jpg", "files/images/photo.jpg"]


def test_a_listed_module_whose_page_name_is_taken_points_at_its_line_in_course_yaml(project, run):
    (project / COURSE / "modules" / "02-über.md").write_text("# Über\n\nText.\n", encoding="utf-8")
    (project / COURSE / "modules" / "02-uber.md").write_text("# Uber\n\nText.\n", encoding="utf-8")
    config = project / COURSE / "course.yaml"
    config.write_text(config.read_text() + "modules:\n  - modules/01-welcome.md\n  - modules/02-first-steps.md\n"
                      "  - modules/02-uber.md\n  - modules/02-über.md\n", encoding="utf-8")
    line = config.read_text(encoding="utf-8").splitlines().index("  - modules/02-über.md") + 1
    assert problems(run("check", COURSE)) == [
        f"{COURSE}/course.yaml:{line}: module 'modules/02-über.md': its page '02-uber.html' collides with "
        "'02-uber.html' of modules/02-uber.md — rename one"]


def test_a_missing_file_in_another_script_is_named_as_written(project, run):
    write_module(project, "![Карта](../images/нет.png)\n")
    assert problems(run("check", COURSE)) == [
        f"{MODULE}:3: '../images/нет.png': file not found — check the file name and its folder"]


@pytest.mark.parametrize("heading, expected", [
    ("Карта зон", "karta-zon"), ("Évaluation straße", "evaluation-strasse"), ("خريطة", "khryth"),
    ("地图", "detu"), ("Zoning 101", "zoning-101")])
def test_heading_ids_are_ascii_words_in_any_script(heading, expected):
    """A heading in any script gets a readable id, not an empty one that the page numbers `_1`, `_2`."""
    from builder.markup import to_html

    html, _ = to_html(f"## {heading}\n")
    assert f'id="{expected}"' in html
