"""Nothing reaches for the internet: every way raw HTML can load a file is checked, and local ones packaged."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from builder.course import load_course
from builder.pages import build_pages
from builder.problems import Problems

OFFLINE = "which an offline package cannot do — download the file into the course folder and refer to it by a " \
          "relative path"


def page_two(course_dir: Path, body: str):
    """Write the second module as '# Two' + `body` (from line 3); its page and its errors as 'line: message — hint'."""
    (course_dir / "modules" / "02-first-steps.md").write_text(f"# Two\n\n{body}\n\n## Before you start\n",
                                                              encoding="utf-8")
    problems = Problems()
    pages = build_pages(load_course(course_dir, problems), "en", problems)
    return pages[1], [f"{p.line}: {p.message} — {p.hint}" for p in problems.errors]


@pytest.mark.parametrize(("html", "url"), [
    ('<link rel="stylesheet" href="https://cdn.example.org/site.css">', "https://cdn.example.org/site.css"),
    ('<video poster="https://example.org/still.jpg" captions="none: silent"></video>', "https://example.org/still.jpg"),
    ('<img alt="Plan" src="../images/steps.svg" srcset="https://example.org/big.png 2x">', "https://example.org/big.png"),
    ('<img alt="Plan" src="../images/steps.svg" srcset="../images/steps.svg 1x,https://example.org/big.png 2x">',
     "https://example.org/big.png"),
    ('<p style="background: url(https://example.org/paper.png)">Note</p>', "https://example.org/paper.png"),
    ("<style>@import 'https://fonts.example.org/sans.css';</style>", "https://fonts.example.org/sans.css"),
    ("<style>.note { background: url('//example.org/paper.png') }</style>", "//example.org/paper.png"),
])
def test_anything_loaded_from_the_internet_is_an_error(new_course, html, url):
    _, errors = page_two(new_course, html)
    assert errors == [f"3: '{url}' would be loaded from the internet, {OFFLINE}"]


EMBED = "an embedded page or plugin could load anything; link to the file instead, or show audio and video with " \
        "![label](file.mp4)"


@pytest.mark.parametrize(("html", "error"), [
    ('<iframe src="https://www.example.org/embed/map" title="Map"></iframe>', f"raw HTML <iframe> is not allowed — {EMBED}"),
    ('<object data="https://example.org/plan.pdf" type="application/pdf"></object>',
     f"raw HTML <object> is not allowed — {EMBED}"),
    ('<embed src="//example.org/plan.swf">', f"raw HTML <embed> is not allowed — {EMBED}"),
    ('<svg width="10" height="10"><image href="https://example.org/pin.png"/></svg>', "raw HTML <svg> is not "
     "allowed — save the drawing as an .svg file and include it as an image: ![what it shows](drawing.svg)"),
    ('<table background="http://example.org/grid.gif"><tr><td>1</td></tr></table>', "raw HTML attribute background= "
     "on <table> is not allowed — remove it (the allowed tags and attributes are listed in docs/authoring.md "
     "(Raw HTML))"),
])
def test_raw_html_that_embeds_or_loads_by_other_means_is_refused_once(new_course, html, error):
    _, errors = page_two(new_course, html)
    assert errors == [f"3: {error}"]


def test_a_srcset_is_read_as_browsers_read_it(new_course):
    """A URL runs to whitespace, so a comma inside it stays; commas right after it end its candidate."""
    drawing = (new_course / "images" / "steps.svg").read_text(encoding="utf-8")
    (new_course / "images" / "steps,wide.svg").write_text(drawing.replace("<svg ", '<svg class="wide" ', 1))
    page, errors = page_two(new_course, '<picture><source srcset="../images/steps,wide.svg 100w (a, b), '
                            '../images/steps.svg 200w" sizes="50vw"><img alt="Plan" src="../images/steps.svg" '
                            'srcset="../images/steps.svg 1x,../images/steps,wide.svg 2x,,"></picture>')
    assert errors == []
    assert re.findall(r'srcset="([^"]*)"', page.body) == [
        "files/images/steps-wide.svg 100w (a, b), files/images/steps.svg 200w",
        "files/images/steps.svg 1x, files/images/steps-wide.svg 2x"]
    assert sorted({f.target for f in page.files}) == ["files/images/steps-wide.svg", "files/images/steps.svg"]


def test_a_data_url_in_a_module_srcset_is_refused_whole(new_course):
    _, errors = page_two(new_course, '<img alt="Plan" src="../images/steps.svg" '
                         'srcset="data:image/png;base64,AA== 1x, ../images/steps.svg 2x">')
    assert errors == ["3: 'data:image/png;base64,AA==' uses 'data:', which a module may not use — put the file in "
                      "the course folder and refer to it by a relative path"]


def test_local_files_in_styles_are_packaged_and_rewritten(new_course):
    page, errors = page_two(new_course, '<p style="background: url(\'../images/steps.svg\')">Note</p>\n\n'
                                        "<style>.x { background: url(../images/steps.svg#top) }</style>")
    assert not errors
    assert "background: url('files/images/steps.svg')" in page.body
    assert ".x { background: url(files/images/steps.svg#top) }" in page.body
    assert [f.target for f in page.files] == ["files/images/steps.svg"]


def test_a_course_style_sheet_may_not_load_from_the_internet(new_course):
    (new_course / "print.css").write_text("body { color: black }\n@import url(https://example.org/a.css);\n")
    _, errors = page_two(new_course, '<link rel="stylesheet" href="../print.css">')
    assert errors == [f"2: 'https://example.org/a.css' would be loaded from the internet, {OFFLINE}"]


def test_hyperlinks_to_the_web_stay_allowed(new_course):
    page, errors = page_two(new_course, "Read [the law](https://example.org/law) or "
                                        '<a href="//example.org/rules">the rules</a>.')
    assert not errors
    assert page.body.count('class="cp-external"') == 2
