"""Lessons as the open-education world writes them: code in boxes, pandoc fenced divs, folded solutions,
figures, table captions, front-matter titles, alt text read from the page itself.

The lesson in tests/fixtures/carpentries-lesson is also compared byte for byte in tests/test_golden.py;
here the properties a learner sees are asserted, so a golden refresh cannot hide a regression.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from collections import Counter
from pathlib import Path

import lxml.html
import pytest

from builder.course import load_course
from builder.limits import module_suffix
from builder.pages import build_pages
from builder.problems import Problems

LESSON = Path(__file__).parent / "fixtures" / "carpentries-lesson"
SUMMARY = re.compile(r"^\d+ of \d+ courses? checked")
STEPS = "courses/town-course/modules/02-first-steps.md"
FENCE = re.compile(r"^[ \t>]*(`{3,}|~{3,})\s*\{?\.?(?P<lang>[\w+-]*)")


@pytest.fixture(scope="module")
def lesson(tmp_path_factory) -> Path:
    """The lesson's offline package with every language (en/, de/, ru/), unzipped."""
    from click.testing import CliRunner

    from builder.cli import main

    folder = tmp_path_factory.mktemp("lesson")
    source = shutil.copytree(LESSON, folder / "courses" / LESSON.name)
    result = CliRunner().invoke(main, ["build", str(source), "--out", str(folder / "dist"), "-f", "offline"])
    assert result.exit_code == 0 and "0 errors, 0 warnings" in result.output, result.output
    with zipfile.ZipFile(folder / "dist" / "carpentries-lesson-1.0.0-offline.zip") as archive:
        archive.extractall(folder / "offline")
    return folder / "offline"


def modules(translations: bool = False) -> list[Path]:
    """The episodes (.md, .Rmd, .qmd) in English; with `translations`, their German and Russian files too."""
    return sorted(p for p in (LESSON / "episodes").iterdir()
                  if module_suffix(p.name) and (translations or p.name.count(".") == 1))


def language(module: Path) -> str:
    return module.name.split(".")[1] if module.name.count(".") == 2 else "en"


def page(lesson: Path, module: Path) -> lxml.html.HtmlElement:
    return lxml.html.fromstring((lesson / language(module) / f"{module.name.split('.')[0]}.html").read_bytes())


@pytest.mark.parametrize("module", modules(translations=True), ids=lambda p: p.name)
def test_every_code_block_is_code_with_its_language(lesson, module):
    fences, inside = [], None
    for line in module.read_text().splitlines():
        match = FENCE.match(line)
        if match and inside is None:
            inside = match[1]
            fences.append(match["lang"])
        elif match and inside and match[1].startswith(inside) and not line.strip(" \t>`~"):
            inside = None
    blocks = page(lesson, module).xpath("//div[@class='content']//pre")
    assert [(b[0].tag, len(b), b[0].get("class")) for b in blocks] == [("code", 1, f"language-{lang}")
                                                                       for lang in fences]
    assert any("# " in b.text_content() for b in blocks), "the '# comment' lines of the code stay in the code"


def test_boxes_solutions_figures_and_captions(lesson):
    intro, plotting, shell = (page(lesson, m) for m in modules()[:3])
    assert [d.get("class") for d in intro.xpath("//div[@class='content']/div")] == [
        "admonition questions", "admonition objectives", "admonition callout", "admonition challenge",
        "admonition note", "admonition keypoints"]
    folded = [d for p in (intro, plotting, shell)
              for d in p.xpath("//div[@class='content']//details[not(@class='cp-answers')]")]
    assert [(d.get("class"), d.findtext("summary")) for d in folded] == [
        ("solution", "Solution"), ("tip", "Where the data comes from"), ("caution", "Large files"),
        ("hint", "Hint"), ("solution", "Solution"), ("instructor", "Instructor note"), ("solution", "Solution"),
        ("spoiler", "Spoiler")]
    assert not [d for d in folded if d.get("open") is not None], "folded boxes start closed"
    challenge = plotting.xpath("//div[@class='admonition challenge']")[0]
    assert challenge.xpath("./details[@class='solution']/details[@class='instructor']"), "nested three deep"
    figures = plotting.xpath("//figure")
    assert [(f.xpath(".//img/@alt")[0], " ".join(f.find("figcaption").text_content().split())) for f in figures] == [
        ("Bar chart: four bars, each taller than the one before.", "Permits granted per year, 2020 to 2023."),
        ("Map split in two halves, blue on the left and orange on the right.",
         "The town's two zones: residential to the west, commercial to the east."),
        ("Three purple circles in a row", "The workflow: read, count, plot."),
        ("The same three steps as above, drawn small.",
         "The workflow again, captioned with a pymdown-extensions caption block.")]
    assert plotting.xpath("//img[contains(@src, 'divider')]/@alt") == [""]
    assert plotting.xpath("//table/caption/text()") == ["Permits granted per zone and year."]
    assert plotting.xpath("//div[@class='table-wrap']/@aria-label") == ["Permits granted per zone and year."]
    assert not plotting.xpath("//dl[not(dt)] | //dd[not(parent::dl)]")
    assert plotting.xpath("//div[@id='plot-gallery']/@class") == ["admonition cp-box sidebar"]


def test_front_matter_titles(lesson):
    intro, plotting, shell = (page(lesson, m) for m in modules()[:3])
    assert [p.xpath("//h1/text()") for p in (intro, plotting, shell)] == [
        ["Introduction"], ["Plotting permits"], ["Working in the shell"]]
    # '# Finding files' and '# Pipes' differ from the title: they stay, one level down, with their sections
    assert [(h.tag, h.text) for h in shell.xpath("//div[@class='content']//*[self::h2 or self::h3]")][:4] == [
        ("h2", "Finding files"), ("h3", "Counting lines"), ("h3", "Challenge 3: How many permits?"),
        ("h2", "Pipes")]
    assert intro.xpath("//p[@class='meta']/text()") == ["Estimated time: 15 min"]  # teaching + exercises


def test_print_opens_every_folded_box(lesson):
    printed = lxml.html.fromstring((lesson / "en" / "print.html").read_bytes())
    folded = printed.xpath("//main//details")
    assert len(folded) == 9 and all(d.get("open") is not None for d in folded)


def words(text: str) -> Counter:
    return Counter(w.casefold() for w in re.findall(r"\w+", text))


def source_text(module: Path) -> str:
    """What a reader of the source reads: no Markdown, fence or attribute syntax, link targets or ids."""
    text = module.read_text()
    front, body = text.split("\n---\n", 1)
    title = re.search(r"^title:\s*\"?(.*?)\"?$", front, re.M)[1]
    listed = " ".join(re.findall(r"(?m)^- \"?(.*?)\"?$", front))  # questions, objectives, keypoints: shown as boxes
    body = re.sub(r"(?m)^#\|.*$", " ", body)            # Quarto chunk options, left out of the shown code
    body = body.replace(f"# {title}\n", "", 1)          # the title written again as a heading is shown once
    alts = " ".join(re.findall(r"""(?:fig-)?alt=["']([^"']*)["']""", body))
    body = re.sub(r"\{[^{}]*\}", " ", body)            # attribute lists, pandoc attributes, R chunk headers
    body = re.sub(r"\]\([^)]*\)", "]", body)            # link and image targets
    body = re.sub(r"(?m)^\s*(:{3,}|/{3,}|`{3,}|~{3,}|!!!|\?\?\?)\s*(\w[\w-]*)?", " ", body)  # fences, box kinds
    body = re.sub(r"(?m)^\s*[-*] \[[ x]\]", " ", body)  # quiz answer marks
    body = re.sub(r"(?m)^\s+> .*$", " ", body)         # an option's feedback, shown once the learner answers
    body = re.sub(r"(?m)^(\s*:\s)", " ", body)           # table caption marker
    return " ".join((title, listed, alts, body.replace("Table:", "")))


@pytest.mark.parametrize("module", modules(translations=True), ids=lambda p: p.name)
def test_no_source_text_is_lost(lesson, module):
    html = page(lesson, module)
    main = html.xpath("//main")[0]
    shown = " ".join([*main.itertext(), *main.xpath(".//img/@alt")])
    missing = words(source_text(module)) - words(shown)
    labels = {"challenge", "solution", "callout", "hint", "instructor", "spoiler", "discussion", "questions",
              "objectives", "keypoints", "note", "tip", "sidebar", "caution", "quiz"}  # box kinds, shown as titles
    assert not {w: n for w, n in missing.items() if w not in labels}, f"words of {module.name} not on its page"


# --- the cases, one by one ----------------------------------------------------------------------

@pytest.fixture
def course(new_course, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return Path("courses/town-course")


def write(course: Path, text: str) -> None:
    (course / "modules" / "02-first-steps.md").write_text(text + "\n## Before you start\n", encoding="utf-8")


def check(run, course: Path) -> list[str]:
    result = run("check", course)
    return [line for line in result.stderr.splitlines() if line and not SUMMARY.match(line)]


def body_of(course: Path) -> lxml.html.HtmlElement:
    problems = Problems()
    pages = build_pages(load_course(course, problems), "en", problems)
    assert not problems.errors, [str(p) for p in problems.items]
    return lxml.html.fragment_fromstring(pages[1].body, create_parent="div"), pages[1]


def test_a_comment_in_code_in_a_box_is_neither_a_title_nor_lost(course, run):
    write(course, "---\ntitle: Steps\n---\n\n!!! note \"Try it\"\n    ```bash\n    # list the files\n    ls\n    ```\n")
    assert check(run, course) == []
    root, page = body_of(course)
    assert page.title == "Steps"
    assert root.xpath("//div[@class='admonition note']/pre/code[@class='language-bash']/text()") == [
        "# list the files\nls\n"]


def test_div_problems_point_at_their_lines(course, run):
    write(course, "# Steps\n\n:::: challenge\n\nText.\n\n::: solution\nAnswer.\n:::\n\n::: quizz Check\n:::\n")
    assert check(run, course) == [
        f"{STEPS}:3: ':::: challenge' is not closed — end it with a line holding only ':::'",
        f"{STEPS}:11: unknown block '::: quizz' — did you mean 'quiz'?"]


def test_closing_fences_pair_as_in_pandoc(course, run):
    """Carpentries lessons close with more colons than they opened with: the innermost open div closes."""
    write(course, "# Steps\n\n::::: challenge\n\n## Try\n\n::: solution\n\nAnswer.\n\n:::::::::\n\nAfter.\n\n"
                  ":::::::::::::::\n\nOutside.\n")
    assert check(run, course) == []
    root, _ = body_of(course)
    box = root.xpath("//div[@class='admonition challenge']")[0]
    assert box.xpath("./details/summary/text()") == ["Solution"] and box.xpath("./p/text()") == ["After."]
    assert root.xpath("./p/text()") == ["Outside."]


def test_alt_text_is_read_from_the_page(course, run):
    write(course, "# Steps\n\n![](../images/steps.svg){alt='Three steps'}\n\n![](../images/steps.svg\n)\n\n"
                  "![A path](../images/steps.svg){: alt=\"\" }\n")
    assert check(run, course) == [
        f"{STEPS}:5: image without alt text: ![](../images/steps.svg) — describe the image between the brackets, "
        "or mark a purely decorative image with {: alt=\"\" }"]


def test_front_matter_title_and_a_different_heading(course, run):
    write(course, "---\ntitle: Steps\n---\n# Getting ready\n\nText.\n\n## Tools\n")
    root, page = body_of(course)
    assert page.title == "Steps"
    assert [(h.tag, h.text) for h in root.xpath("//h2 | //h3")] == [
        ("h2", "Getting ready"), ("h3", "Tools"), ("h3", "Before you start")]
    assert [(e.title, [c.title for c in e.children]) for e in page.toc] == [
        ("Getting ready", ["Tools", "Before you start"])]


def test_front_matter_title_written_again_as_heading(course, run):
    write(course, "---\ntitle: First  steps\n---\n# First steps\n\nText.\n")
    root, page = body_of(course)
    assert page.title == "First  steps" and not root.xpath("//h1 | //h2[.='First steps']")


def test_headings_in_folded_boxes_stay_out_of_the_toc(course, run):
    write(course, "# Steps\n\n## Try it\n\n::: solution\n### Why it works\nBecause.\n:::\n")
    _, page = body_of(course)
    assert [(e.title, e.children) for e in page.toc] == [("Try it", ()), ("Before you start", ())]


def test_empty_header_cells_say_nothing(course, run):
    write(course, "# Steps\n\n|  | 2022 | |\n|---|---|---|\n| R1 | 12 | x |\n")
    root, _ = body_of(course)
    assert root.xpath("//div[@class='table-wrap']/@aria-label")[0] == "2022"


def test_problems_inside_boxes_point_at_their_lines(course, run):
    write(course, "# Steps\n\n!!! note \"Links\"\n    See [nowhere](#nowhere).\n\n    # Second title\n\n"
                  ":::: challenge\n\n::: solution\n![](../images/steps.svg)\n:::\n\n::::\n")
    assert check(run, course) == [
        f"{STEPS}:4: link '#nowhere': no anchor '#nowhere' on this page — anchors there: #before-you-start, "
        "#second-title",
        f"{STEPS}:6: second '# ' title 'Second title' — a module has one '# ' title; use '## ' for its sections",
        f"{STEPS}:11: image without alt text: ![](../images/steps.svg) — describe the image between the brackets, "
        "or mark a purely decorative image with {: alt=\"\" }"]


def test_a_quiz_inside_a_box(course, run):
    write(course, "# Steps\n\n:::: challenge\n\n::: quiz Inside {#inside}\n### Which?\n- [x] a\n- [ ] b\n:::\n\n"
                  "::::\n")
    assert check(run, course) == []
    root, page = body_of(course)
    assert root.xpath("//div[@class='admonition challenge']/section[@class='cp-quiz']/@id") == ["quiz-inside"]
    assert [q.id for q in page.quizzes] == ["inside"]


def test_untitled_boxes_are_named_in_the_page_language():
    from builder.divs import convert_divs
    from builder.locale import strings
    from builder.markup import split_source, to_html

    problems = Problems()
    source = split_source("!!! note\n    Texto.\n\n::: solution\nRespuesta.\n:::\n\n```\n!!! note\n```\n",
                          Path("m.md"), problems)
    labels = strings(load_course(Path(__file__).parent.parent / "courses" / "participatory-planning", problems),
                     "es")
    html, _ = to_html("\n".join(convert_divs(source.body.split("\n"), source.prose, 1, source.path, labels,
                                             problems)))
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    assert root.xpath("//p[@class='admonition-title']/text() | //summary/text()") == ["Nota", "Solución"]
    assert root.xpath("//pre/code/text()") == ["!!! note\n"] and not problems.items


def test_jekyll_lesson_boxes_and_code_languages(course, run):
    """The Carpentries' former (Jekyll) template: blockquotes marked `{: .challenge}`, `{: .language-r}` code."""
    write(course, "# Steps\n\n> ## Challenge: sum\n>\n> What is 1 + 1?\n>\n> ~~~\n> 1 + 1\n> ~~~\n> {: .language-r}\n"
                  ">\n> > ## Solution\n> >\n> > ~~~\n> > [1] 2\n> > ~~~\n> > {: .output}\n> {: .solution}\n"
                  "{: .challenge}\n\n> A plain quote.\n")
    assert check(run, course) == []
    root, _ = body_of(course)
    box = root.xpath("./div[@class='admonition challenge']")[0]
    assert box.xpath("./h2/text()") == ["Challenge: sum"] and box.xpath("./pre/code/@class") == ["language-r"]
    assert box.xpath("./details[@class='solution']/summary/text()") == ["Solution"]
    assert box.xpath("./details/pre/code/@class") == ["language-output"]
    assert root.xpath("./blockquote/p/text()") == ["A plain quote."] and "{:" not in root.text_content()


def test_a_quarto_figure_with_only_an_id_reads_its_caption_once(course, run):
    write(course, "# Steps\n\n![Three steps to a permit.](../images/steps.svg){#fig-steps width=\"300\"}\n")
    assert check(run, course) == []
    root, _ = body_of(course)
    figure = root.xpath("//figure")[0]
    assert figure.xpath("./img/@alt") == ["Three steps to a permit."] and figure.xpath("./img/@id") == ["fig-steps"]
    assert figure.xpath("./figcaption[@aria-hidden='true']/text()") == ["Three steps to a permit."]


def test_a_definition_without_a_term_is_reported(course, run):
    write(course, "# Steps\n\n- a list\n\n: lonely words\n\nTerm\n:   A definition.\n")
    assert check(run, course) == [
        f"{STEPS}:5: definition without a term: ': lonely words' — write the term on the line above it, or, for a "
        "table caption, put ': Caption' right under the table"]


def test_table_captions_as_pandoc_reads_them(course, run):
    rows = "| Zone | Use |\n|---|---|\n| R1 | Homes |\n"
    write(course, f"# Steps\n\nTable: Above.\n\n{rows}\n{rows}: Right under. {{#tbl-under}}\n\n{rows}\nTable: After a "
                  "blank line.\n\nTable: no table below, a paragraph.\n")
    assert check(run, course) == []
    root, _ = body_of(course)
    assert root.xpath("//table/caption/text()") == ["Above.", "Right under.", "After a blank line."]
    assert root.xpath("//table/@id") == ["tbl-under"]
    assert root.xpath("./p/text()") == ["Table: no table below, a paragraph."]


def test_front_matter_title_written_again_with_more_parts(course, run):
    write(course, "---\ntitle: Steps\n---\n# Steps\n\n## Tools\n\n# Part two\n\n## Forms\n")
    root, page = body_of(course)
    assert [(h.tag, h.text) for h in root.xpath("//h2 | //h3")] == [
        ("h3", "Tools"), ("h2", "Part two"), ("h3", "Forms"), ("h3", "Before you start")]
    assert [(e.id, [c.id for c in e.children]) for e in page.toc] == [
        ("tools", []), ("part-two", ["forms", "before-you-start"])]


def test_code_shown_as_an_example_stays_as_written(course, run):
    """R Markdown chunk headers and `{: .language-r}` lines are rewritten only where they are the lesson's
    own fences, never inside a block that shows them."""
    write(course, "# Steps\n\n````markdown\n```{r}\nx <- 1\n```\n{: .language-r}\n````\n\n```{r, echo=FALSE}\ny\n```\n")
    assert check(run, course) == []
    root, _ = body_of(course)
    assert [(c.get("class"), c.text) for c in root.xpath("//pre/code")] == [
        ("language-markdown", "```{r}\nx <- 1\n```\n{: .language-r}\n"), ("language-r", "y\n")]


def test_mkdocs_content_tabs_switch_with_radio_buttons(course, run):
    """Each tab stays a box titled by it (what print and a page without styles show), behind radio buttons."""
    write(course, "# Steps\n\n=== \"Windows\"\n\n    Run `dir`:\n\n    ```bat\n    dir\n    ```\n\n=== \"Linux\"\n\n"
                  "    Run `ls`.\n\nAfter.\n\n=== \"Alone\"\n\n    One tab.\n\nText.\n\n"
                  + "".join(f'=== "T{i}"\n\n    Tab {i}.\n\n' for i in range(9)))
    assert check(run, course) == []
    root, _ = body_of(course)
    tabs = root.xpath("./div[@class='cp-tabs']")
    assert len(tabs) == 1, "one tab alone, or more than coursepack.css can switch (8), stay boxes in a row"
    assert [(e.tag, e.get("id") or e.get("for"), e.get("checked"), e.text) for e in tabs[0] if e.tag != "div"] == [
        ("input", "02-first-steps-tabs-1-1", "checked", None), ("label", "02-first-steps-tabs-1-1", None, "Windows"),
        ("input", "02-first-steps-tabs-1-2", None, None), ("label", "02-first-steps-tabs-1-2", None, "Linux")]
    assert [(b.findtext("p[@class='admonition-title']"), b.xpath("./pre/code/@class")) for b in
            tabs[0].xpath("./div[@class='admonition cp-box tab']")] == [("Windows", ["language-bat"]), ("Linux", [])]
    assert len(root.xpath("./div[@class='admonition cp-box tab']")) == 10
    assert root.xpath("./p/text()") == ["After.", "Text."]


def test_a_page_id_equal_to_a_tab_buttons_id_stays_the_authors(course, run, tmp_path):
    """The buttons' ids are made after the page's own: a heading or anchor with the same id keeps it, the
    button's moves and its label follows; the page and print.html then hold each id once."""
    write(course, "# Steps\n\n## 02 first steps tabs 1 1\n\n=== \"Windows\"\n\n    Run `dir`.\n\n"
                  "=== \"Linux\"\n\n    Run `ls`.\n\n## Linux notes {: #02-first-steps-tabs-1-2 }\n\n"
                  "[Back to the notes](#02-first-steps-tabs-1-2)\n")
    assert check(run, course) == []
    assert run("build", course, "--out", tmp_path / "dist", "-f", "offline").exit_code == 0
    with zipfile.ZipFile(tmp_path / "dist" / "town-course-0.1.0-offline.zip") as archive:
        built = {name: lxml.html.fromstring(archive.read(name)) for name in ("02-first-steps.html", "print.html")}
    for name, root in built.items():
        ids = Counter(root.xpath("//@id"))
        assert [i for i, n in ids.items() if n > 1] == [], name
    page = built["02-first-steps.html"]
    assert [(page.get_element_by_id(i).tag, page.get_element_by_id(i).text) for i in (
        "02-first-steps-tabs-1-1", "02-first-steps-tabs-1-2")] == [("h2", "02 first steps tabs 1 1"), ("h2", "Linux notes")]
    buttons = page.xpath("//div[@class='cp-tabs']/input")
    assert [(b.get("id"), b.getnext().get("for"), b.getnext().text) for b in buttons] == [
        ("02-first-steps-tabs-1-1_1", "02-first-steps-tabs-1-1_1", "Windows"),
        ("02-first-steps-tabs-1-2_1", "02-first-steps-tabs-1-2_1", "Linux")]
    assert page.xpath("//a[text()='Back to the notes']/@href") == ["#02-first-steps-tabs-1-2"]


# --- files named in any script, look-alike names, identical bytes; German and Russian ---------------------

def test_files_in_any_script_and_look_alikes_get_unique_stable_names(lesson):
    files = sorted(p.relative_to(lesson).as_posix() for p in (lesson / "files").rglob("*") if p.is_file())
    assert files == [
        "files/data/donnees.csv", "files/data/permits-backup.csv", "files/data/permits.csv",
        "files/fig/DeTu.svg",  # 地图.svg
        "files/fig/Screen-Shot-2019-01-21-at-5.50.32-PM-6f178aff.png",  # '… 5.50.32\u202fPM.png' (a Mac's narrow space)
        "files/fig/Screen-Shot-2019-01-21-at-5.50.32-PM-be8e0792.png",  # '… 5.50.32 PM.png'
        "files/fig/Screen-Shot-2019-01-21-at-5.50.32-PM.png",  # already safe: keeps its name
        "files/fig/cafe-1d472f01.svg", "files/fig/cafe.svg",  # café.svg, cafe.svg
        "files/fig/chartis.svg",  # χάρτης.svg
        "files/fig/divider.svg", "files/fig/karta-zon.svg",  # карта-зон.svg
        "files/fig/permits-by-year.svg", "files/fig/workflow.svg", "files/fig/zones-map.svg"]
    for lang in ("en", "de", "ru"):
        data = page(lesson, LESSON / "episodes" / f"04-data-files.{lang}.Rmd")
        assert data.xpath("//div[@class='content']/p/a/@href") == [
            "../files/data/permits.csv", "../files/data/permits-backup.csv", "../files/data/donnees.csv"]
        assert data.xpath("//img[contains(@src, 'Screen')]/@src") == [
            "../files/fig/Screen-Shot-2019-01-21-at-5.50.32-PM-be8e0792.png",
            "../files/fig/Screen-Shot-2019-01-21-at-5.50.32-PM-6f178aff.png",
            "../files/fig/Screen-Shot-2019-01-21-at-5.50.32-PM.png"]
    assert (lesson / "files/data/permits.csv").read_bytes() == (lesson / "files/data/permits-backup.csv").read_bytes()


def test_files_that_are_one_file_on_windows_or_macos_are_errors(tmp_path, run, monkeypatch):
    """Names that differ only in letter case, or only in Unicode form (NFC / NFD), cannot both be in a course."""
    monkeypatch.chdir(tmp_path)
    course = shutil.copytree(LESSON, Path("courses") / LESSON.name)
    shutil.copy(course / "fig" / "Screen Shot 2019-01-21 at 5.50.32 PM.png",
                course / "fig" / "screen shot 2019-01-21 at 5.50.32 pm.PNG")
    shutil.copy(course / "fig" / "caf\u00e9.svg", course / "fig" / "cafe\u0301.svg")
    episode = course / "episodes" / "04-data-files.Rmd"
    episode.write_text(episode.read_text() + "\n![Fourth.](<../fig/screen shot 2019-01-21 at 5.50.32 pm.PNG>)\n\n"
                       "![Third café map](../fig/cafe\u0301.svg)\n", encoding="utf-8")
    result = run("check", course)
    where = "courses/carpentries-lesson/episodes/04-data-files.Rmd"
    assert result.exit_code == 1 and check(run, course) == [
        f"{where}:75: 'fig/screen shot 2019-01-21 at 5.50.32 pm.PNG' collides with 'fig/Screen Shot 2019-01-21 at "
        f"5.50.32 PM.png' (used at {where}:69): names that differ only in letter case are one file on Windows and "
        "macOS — rename one",
        f"{where}:77: 'fig/cafe\u0301.svg' collides with 'fig/caf\u00e9.svg' (used at {where}:48): one name written in "
        "two Unicode forms, which macOS keeps as one file — rename one"]


def test_russian_and_german_pages_use_their_plural_forms(lesson):
    """The course's own ru.yaml has _one, _few, _many and _other forms; CLDR picks one for each number."""
    def shown(lang: str, name: str, xpath: str) -> list[str]:
        root = lxml.html.fromstring((lesson / lang / name).read_bytes())
        return [" ".join(t.split()) for t in root.xpath(xpath)]

    durations = "//p[@class='meta']/text()"
    assert shown("ru", "index.html", durations) == [
        "Примерное время: 15 минут", "Примерное время: 25 минут", "Примерное время: 21 минута",  # many, many, one
        "Примерное время: 15 минут", "Примерное время: 2 минуты"]  # many, few
    assert shown("ru", "05-quarto.html", "//span[@class='cp-points']/text()") == ["(0,5 балла)", "(1 балл)"]  # other
    assert "Тест с оценкой · 3 попытки" in shown("ru", "05-quarto.html", "//p/text()")  # few
    assert shown("de", "index.html", durations)[-2:] == ["Geschätzte Zeit: 15 Min.", "Geschätzte Zeit: 2 Min."]
    assert shown("de", "05-quarto.html", "//span[@class='cp-points']/text()") == ["(0,5 Punkte)", "(1 Punkt)"]


# --- R Markdown and Quarto ------------------------------------------------------------------------------

def test_rmd_and_qmd_modules_are_found_and_listed(course, run):
    (course / "modules" / "02-first-steps.md").rename(course / "modules" / "02-first-steps.Rmd")
    welcome = course / "modules" / "01-welcome.md"
    welcome.write_text(welcome.read_text().replace("02-first-steps.md", "02-first-steps.Rmd"))  # links to it too
    (course / "modules" / "03-quarto.qmd").write_text("# Quarto\n\nText.\n", encoding="utf-8")
    (course / "modules" / "notes.txt").write_text("not a module\n", encoding="utf-8")
    result = run("build", course, "--out", "dist", "-f", "offline")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(next(Path("dist").glob("*-offline.zip"))) as archive:
        assert {"02-first-steps.html", "03-quarto.html"} <= set(archive.namelist())
    config = course / "course.yaml"
    config.write_text(config.read_text() + "modules:\n  - modules/02-first-steps.Rmd\n  - modules/notes.txt\n")
    assert check(run, course) == [
        f"{course}/course.yaml:{len(config.read_text().splitlines())}: modules: 'modules/notes.txt' is not a Markdown "
        "file — module files end in .md (or .Rmd, .qmd)",
        *(f"{course}/modules/{name}:1: warning: this module is not listed in course.yaml 'modules:', so it is not "
          "built — add it to the list, or move it out of modules/" for name in ("01-welcome.md", "03-quarto.qmd"))]


def test_chunks_show_their_code_without_options(course, run):
    write(course, "# Steps\n\n```{r label, eval=FALSE}\nx <- 1\n```\n\n```{python}\n#| echo: false\n#| label: fig-x\n"
                  "# a comment\nprint(1)\n#| kept: not at the top\n```\n\n```python\n#| a plain fence shows all\n```\n\n"
                  "Inline `r nrow(x)` stays code.\n")
    assert check(run, course) == []
    root, _ = body_of(course)
    assert [(c.get("class"), c.text) for c in root.xpath("//pre/code")] == [
        ("language-r", "x <- 1\n"), ("language-python", "# a comment\nprint(1)\n#| kept: not at the top\n"),
        ("language-python", "#| a plain fence shows all\n")]
    assert root.xpath("//p/code/text()") == ["r nrow(x)"]


def test_carpentries_front_matter_lists_are_boxes(course, run):
    write(course, "---\ntitle: Steps\nquestions:\n- \"Why `ls`?\"\nobjectives: [Read files.]\nkeypoints:\n"
                  "- Keep <b>it</b> *short*.\n---\n\nText.\n")
    assert check(run, course) == []
    root, _ = body_of(course)
    assert [(b.get("class"), b.findtext("p"), [" ".join(li.text_content().split()) for li in b.iter("li")])
            for b in root.xpath("./div")] == [
        ("admonition questions", "Questions", ["Why ls?"]), ("admonition objectives", "Objectives", ["Read files."]),
        ("admonition keypoints", "Key points", ["Keep it short."])]
    assert root.xpath("./div[1]//code/text()") == ["ls"] and root[-1].get("class") == "admonition keypoints"


def test_front_matter_lists_are_checked(course, run):
    write(course, "---\ntitle: Steps\nkeypoints: {a: 1}\n---\n\nText.\n")
    assert check(run, course) == [
        f"{STEPS}:3: keypoints: expected a list of texts, got a mapping — write '- item' lines or [a, b]"]


# --- fenced-div ids and classes pymdownx.blocks refuses ------------------------------------------------

def test_div_ids_are_kept_as_written_and_odd_classes_are_reported(course, run):
    write(course, "# Steps\n\n::: {.callout #fig:map}\nMap.\n:::\n\nSee [the map](#fig:map) and [step](#1st).\n\n"
                  "::: {.note #1st}\nFirst.\n:::\n\n::: {.callout #my id}\nMine.\n:::\n\n::: {.callout .1col}\nCol.\n:::\n")
    assert check(run, course) == [
        f"{STEPS}:13: warning: 'id' in '{{.callout #my id}}' is taken as the class '.id' — write '.id' for a class; "
        "an id has no spaces ('#my-id')",
        f"{STEPS}:17: warning: class '.1col' is left out: a class starts with a letter and holds only letters, "
        "digits, '-' and '_' — rename it, e.g. '.c-1col'"]
    root, _ = body_of(course)
    assert [(d.get("id"), d.get("class")) for d in root.xpath("./div")] == [
        ("fig:map", "admonition callout"), ("1st", "admonition note"), ("my", "admonition callout id"),
        (None, "admonition callout")]


def test_quarto_panel_tabsets_become_the_same_tabs(course, run):
    """Each heading of the first heading's level starts a tab; code and boxes inside stay in their tab."""
    write(course, "# Steps\n\n::: panel-tabset\n## Windows\n\nRun `dir`.\n\n```bash\n## not a tab\n```\n\n### Detail\n\n"
                  "## Linux\n\n::: callout\n## Inside\n:::\n:::\n\n::: panel-tabset\nText before any heading.\n\n## Kept\n:::\n")
    assert check(run, course) == []
    root, page = body_of(course)
    tabs = root.xpath("./div[@class='cp-tabs']/div[@class='admonition cp-box tab']")
    assert [(t.findtext("p"), [e.tag for e in t][1:]) for t in tabs] == [("Windows", ["p", "pre", "h3"]),
                                                                          ("Linux", ["div"])]
    assert tabs[0].findtext("pre/code") == "## not a tab\n" and tabs[1].xpath("./div/h2/text()") == ["Inside"]
    assert root.xpath("./div[@class='admonition cp-box panel-tabset']/h2/text()") == ["Kept"], "not a tabset: a box"


def test_tab_sets_stay_apart(course, run):
    """A panel-tabset and MkDocs tabs right after it are two sets; '===!' starts a new MkDocs set."""
    write(course, "# Steps\n\n::: panel-tabset\n## A\n\na\n\n## B\n\nb\n:::\n\n=== \"C\"\n\n    c\n\n=== \"D\"\n\n    d\n\n"
                  "===! \"E\"\n\n    e\n\n=== \"F\"\n\n    f\n\nEnd.\n")
    assert check(run, course) == []
    root, _ = body_of(course)
    assert [s.xpath("./label/text()") for s in root.xpath("./div[@class='cp-tabs']")] == [
        ["A", "B"], ["C", "D"], ["E", "F"]]
    assert not root.xpath("//*[@data-cp-set]")
