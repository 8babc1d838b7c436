"""The whole course on one page for printing (print.html): every module in order, questions without answers."""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import lxml.html

from builder.render import printable

QUIZ = """\
# Zoning

## Zones {: #zones }

Homes go in residential zones.

::: quiz Check: zones {#zones-check}
### Which zone is for homes? {#homes}
- [x] Residential
    > Right: homes go there.
- [ ] Industrial
:::
"""


def built_pages(course: Path, run, tmp_path: Path) -> dict[str, lxml.html.HtmlElement]:
    result = run("build", course, "--out", tmp_path / "dist")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "dist" / "town-course-0.1.0-offline.zip") as archive:
        return {name: lxml.html.fromstring(archive.read(name)) for name in archive.namelist()
                if name.endswith(".html")}


def test_every_module_in_order_under_one_h1(new_course, run, tmp_path):
    (new_course / "modules" / "03-zoning.md").write_text(QUIZ, encoding="utf-8")
    pages = built_pages(new_course, run, tmp_path)
    page = pages["print.html"]
    assert [h.text_content() for h in page.iter("h1")] == [page.find(".//a[@class='site-title']").text_content()]
    sections = page.find_class("cp-print-module")
    titles = [s.find("h2").text_content() for s in sections]
    assert titles == [pages[name].find(".//h1").text_content()
                      for name in ("01-welcome.html", "02-first-steps.html", "03-zoning.html")]
    # the module's own sections and the quiz sit one level under its title
    zoning = lxml.html.tostring(sections[2], encoding="unicode")
    assert '<h3 id="zones">Zones</h3>' in zoning
    assert re.search(r'<h3 id="quiz-zones-check.title">', zoning)
    assert page.find(".//h2[@id='zones']") is None


def test_questions_print_without_answers_or_the_runtime(new_course, run, tmp_path):
    (new_course / "modules" / "03-zoning.md").write_text(QUIZ, encoding="utf-8")
    page = built_pages(new_course, run, tmp_path)["print.html"]
    html = lxml.html.tostring(page, encoding="unicode")
    assert page.find(".//fieldset[@data-q='homes']") is not None  # the question is there, with its options
    assert "Show answers" not in html and "cp-answers" not in html  # the knowledge check's answer key is not
    assert "<noscript" not in html
    assert page.find(".//form") is None and "cp-check" not in html  # nothing to send, with JavaScript on or off
    scripts = page.findall(".//script")
    assert [s.get("src") for s in scripts] == [None], "only the inline Print button script"
    assert "window.print()" in scripts[0].text


def test_home_and_my_progress_link_to_it(new_course, run, tmp_path):
    pages = built_pages(new_course, run, tmp_path)
    for name in ("index.html", "progress.html"):
        links = [a.text_content() for a in pages[name].iter("a") if a.get("href") == "print.html"]
        assert links == ["Print the whole course"], name


def test_printable_drops_answer_keys_and_demotes_headings():
    body = ('<h2 id="a">A</h2><p>x</p><h5>e</h5><h6>f</h6><section class="cp-quiz"><h2>Q</h2>'
            '<form class="cp-quiz-form" novalidate=""><fieldset class="cp-q">Q1</fieldset>'
            '<div class="cp-actions"><button type="submit" class="cp-check" hidden="">Check</button></div>'
            '<div class="cp-result" role="status" aria-live="polite"></div></form>'
            '<noscript><p class="cp-noscript">on</p></noscript>'
            '<details class="cp-answers"><summary>Show answers</summary><ol><li>R1</li></ol></details></section>')
    assert printable(body) == ('<h3 id="a">A</h3><p>x</p><h6>e</h6><h6>f</h6><section class="cp-quiz"><h3>Q</h3>'
                               '<div class="cp-quiz-form"><fieldset class="cp-q">Q1</fieldset></div></section>')


def test_a_module_cannot_take_the_print_page_name(new_course, run):
    (new_course / "modules" / "print.md").write_text("# Print\n", encoding="utf-8")
    result = run("check", new_course)
    assert result.exit_code != 0
    assert "a module cannot be named 'print' (the printable version of the whole course is print.html)" \
        in result.stderr


def test_ids_stay_unique_and_each_module_s_links_find_its_own(new_course, run, tmp_path):
    """Modules share heading ids and footnotes are fn:1 in each: on one page, later ones are renamed."""
    for name, word in (("01-welcome.md", "One"), ("02-first-steps.md", "Two")):
        (new_course / "modules" / name).write_text(f"# {word}\n\n## Summary\n\nA note[^1]. [Up](#summary)\n\n"
                                                   f"[^1]: {word}.\n", encoding="utf-8")
    page = built_pages(new_course, run, tmp_path)["print.html"]
    ids = [e.get("id") for e in page.iter() if isinstance(e.tag, str) and e.get("id")]
    assert len(ids) == len(set(ids))
    first, second = page.find_class("cp-print-module")
    assert [a.get("href") for a in second.iter("a")] == ["#cp-print-2-fn:1", "#cp-print-2-summary",
                                                         "#cp-print-2-fnref:1"]
    assert page.get_element_by_id("cp-print-2-fn:1").text_content().strip().startswith("Two.")
    assert [a.get("href") for a in first.iter("a")] == ["#fn:1", "#summary", "#fnref:1"]
