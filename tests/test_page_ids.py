"""Ids on a page are unique: quizzes, questions, headings, footnotes and the page's frame never share one."""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path

import lxml.html
import pytest

COURSE = "courses/town-course"
MODULE = f"{COURSE}/modules/02-first-steps.md"
SUMMARY = re.compile(r"\d+ of \d+ courses? checked")
CHOICES = "- [x] a\n- [ ] b\n"
# Quiz and question ids that joined with '-' gave the same ids ('a-b' + 'c', 'a' + 'b-c'), a question
# named like a quiz's parts, headings whose text makes a quiz's anchor or the template's '#main', and
# a footnote named like a quiz part.
CLASHING = f"""\
# First steps

## Before you start

## Quiz zones

## Main

Read the note[^title].

[^title]: A footnote.

::: quiz Zones {{#zones}}
### One? {{#title}}
{CHOICES}
### Fill {{#fb type=fill}}
- answer
:::

::: quiz Other {{#a-b}}
### Two? {{#c}}
{CHOICES}:::

::: quiz Third {{#a graded}}
### Three? {{#b-c}}
{CHOICES}
### Order {{#prompt type=ordering}}
1. one
2. two
:::

::: survey Zones again {{#quiz-zones}}
### How much? {{#title type=likert}}
:::

[the quiz](#quiz-zones), [the heading](#quiz-zones_1), [the other heading](#main_1)
"""
REFERENCES = ("for", "aria-labelledby", "aria-describedby")


@pytest.fixture
def course(new_course, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Path(COURSE)


def pages(run, course: Path) -> dict[str, lxml.html.HtmlElement]:
    """Every HTML page of the built offline zip and single file, parsed."""
    result = run("build", course, "--out", "dist", "-f", "offline", "-f", "single")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile("dist/town-course-0.1.0-offline.zip") as archive:
        found = {name: lxml.html.fromstring(archive.read(name))
                 for name in archive.namelist() if name.endswith(".html")}
    found["single"] = lxml.html.parse("dist/town-course-0.1.0-single.html").getroot()
    return found


def ids(page: lxml.html.HtmlElement) -> list[str]:
    return [e.get("id") for e in page.iter() if isinstance(e.tag, str) and e.get("id")]


def test_every_id_on_every_page_is_unique_and_every_reference_finds_its_element(course, run):
    (course / "modules" / "02-first-steps.md").write_text(CLASHING, encoding="utf-8")
    built = pages(run, course)
    for name, page in built.items():
        on_page = ids(page)
        assert [i for i, n in Counter(on_page).items() if n > 1] == [], name
        for element in page.iter():
            for attr in REFERENCES if isinstance(element.tag, str) else ():
                for ident in (element.get(attr) or "").split():
                    assert ident in on_page, (name, attr, ident)
    page = built["02-first-steps.html"]
    quizzes = page.findall(".//section[@data-quiz]")
    assert [(q.get("id"), q.get("aria-labelledby")) for q in quizzes] == [
        (f"quiz-{q}", f"quiz-{q}.title") for q in ("zones", "a-b", "a", "quiz-zones")]
    # radio groups are per question, also where forms are gone (print.html)
    names = [{i.get("name") for i in f.iter("input", "select", "textarea")} for f in page.iter("fieldset")]
    assert names == [{"zones.title"}, {"zones.fb"}, {"a-b.c"}, {"a.b-c"}, {"a.prompt.0", "a.prompt.1"},
                     {"quiz-zones.title"}]
    # the headings gave way to the quiz and the page's main content, and say so in 'On this page'
    assert [(h.get("id"), h.text_content()) for h in page.iter("h2")][:4] == [
        ("cp-toc-title", "On this page"), ("before-you-start", "Before you start"), ("quiz-zones_1", "Quiz zones"),
        ("main_1", "Main")]
    toc = [a.get("href") for a in page.findall(".//nav[@class='toc']//a")]
    assert toc[1:3] == ["#quiz-zones_1", "#main_1"]
    assert page.find(".//main").get("id") == "main"


@pytest.mark.parametrize(("written", "line", "message"), [
    ("## Zones {#quiz-zones}", 5, "the id 'quiz-zones' is taken by the quiz 'zones' on line 7"),
    ('<p id="zones.one.prompt">Hi</p>', 5, "the id 'zones.one.prompt' is taken by the quiz 'zones' on line 7"),
    ("## Main {: #main }", 5, "the id 'main' is taken by the page's main content"),
    ("## Contents {#cp-toc-title}", 5, "the id 'cp-toc-title' is taken by the title of 'On this page'"),
])
def test_an_id_the_author_wrote_that_the_page_uses_is_an_error(course, run, written, line, message):
    text = f"# First steps\n\n## Before you start\n\n{written}\n\n::: quiz Zones {{#zones}}\n### One {{#one}}\n"
    (course / "modules" / "02-first-steps.md").write_text(text + CHOICES + ":::\n", encoding="utf-8")
    result = run("check", course)
    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if line and not SUMMARY.match(line)] == [
        f"{MODULE}:{line}: {message} — give this heading or anchor another id"]
