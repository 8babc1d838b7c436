"""WCAG 2.1 A and AA in a real browser: axe-core on every page of every sample course in every language,
keyboard-only use, right-to-left layout, reflow at 200 % zoom and reduced motion.

axe-core comes from tests/js (npm, pinned in package.json and its lock; scripts/test installs it).
Every page is checked as the learner sees it with JavaScript on: quizzes answered and checked (so
feedback shows), My progress with results, and the "welcome back" prompt.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main

TESTS = Path(__file__).resolve().parents[1]
AXE = TESTS / "js" / "node_modules" / "axe-core" / "axe.min.js"
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
FIXTURE = TESTS / "fixtures" / "tracked-course"

# Answer every quiz and survey on the page (first choices, so some answers are wrong), then check it.
ANSWER_JS = """() => {
  const forms = [...document.querySelectorAll('.cp-quiz form')];
  for (const form of forms) {
    for (const q of form.querySelectorAll('.cp-q')) {
      const type = q.dataset.type;
      if (type == 'fill' || type == 'text') q.querySelector('input, textarea').value = 'x';
      else if (type == 'ordering' || type == 'matching')
        q.querySelectorAll('select').forEach((s, i) => { s.selectedIndex = type == 'ordering' ? i + 1 : 1; });
      else q.querySelector('input').checked = true;
    }
    form.querySelector('.cp-check').click();
  }
  return forms.length;
}"""

RUN_AXE = """(tags) => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(r => r.violations.flatMap(v => v.nodes.map(n => ({id: v.id, impact: v.impact, target: n.target.join(' '),
                                                        summary: n.failureSummary.replace(/\\s+/g, ' ')}))))"""

# What axe does not look at: every table has header cells, every question is a fieldset with a legend.
STRUCTURE_JS = """() => [
  ...[...document.querySelectorAll('table')].filter(t => !t.querySelector('th')).map(() => 'a table without header cells'),
  ...[...document.querySelectorAll('.cp-q')].filter(q => q.tagName != 'FIELDSET' || !q.querySelector(':scope > legend'))
     .map(q => `question ${q.id} is not a fieldset with a legend`)]"""


def axe_problems(page, where: str) -> list[str]:
    """Every WCAG 2.1 A/AA violation axe finds on the page as it is now, one line each."""
    if not page.evaluate("() => !!window.axe"):
        page.add_script_tag(path=str(AXE))
    found = [f"{where}: {v['id']} ({v['impact']}) at {v['target']}: {v['summary']}"
             for v in page.evaluate(RUN_AXE, WCAG)]
    return found + [f"{where}: {p}" for p in page.evaluate(STRUCTURE_JS)]


def pages_to_check(package) -> list[str]:
    """Root pages, home first and My progress last; and each language's home in a package of several."""
    root = [n for n in package.pages if n not in ("index.html", "progress.html")]
    first = ["index.html"] if "index.html" in package.names else []
    last = ["progress.html"] if "progress.html" in package.names else []
    homes = sorted(n for n in package.all_html if n.count("/") == 1 and n.endswith("/index.html"))
    return first + root + last + homes


@pytest.fixture(scope="session", autouse=True)
def axe_installed():
    if not AXE.is_file():
        pytest.fail(f"{AXE} is missing: run `bash scripts/test`, which runs npm ci in tests/js", pytrace=False)


def test_every_page_passes_axe_in_every_language(course_id, built, open_context):
    problems: list[str] = []
    for package in built(course_id, "offline"):
        context, page, _ = open_context()
        for name in pages_to_check(package):
            page.goto(package.url(name))
            answered = page.evaluate(ANSWER_JS)
            problems += axe_problems(page, f"{package}/{name}" + (" (answered)" if answered else ""))
        if "progress.html" in package.pages:  # a course in one language: a new visit offers to continue
            again = context.new_page()
            again.goto(package.url())
            if not again.locator(".cp-resume").is_visible():
                problems.append(f"{package}/index.html: no 'welcome back' prompt on a second visit")
            problems += axe_problems(again, f"{package}/index.html (welcome back)")
    assert not problems, f"{len(problems)} accessibility problem(s):\n  " + "\n  ".join(problems)


# --- keyboard only --------------------------------------------------------------------------

@pytest.fixture(scope="module")
def fixture_course(tmp_path_factory) -> Path:
    """The tracking tests' fixture course, offline package unzipped: quizzes of every kind."""
    folder = tmp_path_factory.mktemp("keyboard")
    shutil.copytree(FIXTURE, folder / "courses" / FIXTURE.name)
    result = CliRunner().invoke(main, ["build", str(folder / "courses" / FIXTURE.name), "--out",
                                       str(folder / "dist"), "-f", "offline"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(next((folder / "dist").glob("*-offline.zip"))) as archive:
        archive.extractall(folder / "offline")
    return folder / "offline"


FOCUS_JS = """() => {
  const e = document.activeElement, s = getComputedStyle(e);
  const label = e.id || e.name || e.getAttribute('href') || e.textContent.trim().slice(0, 30);
  const visible = (s.outlineStyle != 'none' && parseFloat(s.outlineWidth) > 0) || s.boxShadow != 'none';
  return {tag: e.tagName.toLowerCase(), type: e.type || '', cls: e.className, label: label, visible: visible,
          checked: !!e.checked, value: e.value || ''};
}"""


class Keyboard:
    """A learner with a keyboard only: every key press is followed by a look at what has the focus."""

    def __init__(self, page):
        self.page = page
        self.invisible: list[str] = []

    def press(self, key: str) -> dict:
        self.page.keyboard.press(key)
        focus = self.page.evaluate(FOCUS_JS)
        if focus["tag"] not in ("body", "main") and not focus["visible"]:
            self.invisible.append(f"{focus['tag']} {focus['label']!r} after {key}")
        return focus

    def tab_to(self, test, what: str, back: bool = False, most: int = 60) -> dict:
        """Tab (or Shift+Tab) until `test(focus)` holds."""
        for _ in range(most):
            focus = self.press("Shift+Tab" if back else "Tab")
            if test(focus):
                return focus
        raise AssertionError(f"{most} presses of {'Shift+' if back else ''}Tab never reached {what}")


def test_a_learner_with_only_a_keyboard(fixture_course, open_context):
    _, page, watch = open_context()
    keys = Keyboard(page)

    # The knowledge check: skip link, a radio chosen with the arrow keys, selects set from the keyboard.
    page.goto((fixture_course / "02-water.html").as_uri())
    focus = keys.press("Tab")
    assert focus["label"] == "#main", f"the first Tab stop is {focus}, not the skip link"
    keys.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main", "the skip link did not move the focus"
    first = keys.tab_to(lambda f: f["type"] == "radio", "the first answer")
    assert not first["checked"]
    focus = keys.press("ArrowDown")
    assert focus["checked"] and focus["label"] != first["label"], "ArrowDown did not choose the next answer"
    for _ in range(3 + 3):  # ordering, then matching: three selects each
        focus = keys.tab_to(lambda f: f["tag"] == "select", "a select")
        keys.press("ArrowDown")
    assert page.locator(".cp-q select").evaluate_all("ss => ss.every(s => s.value)"), "a select kept no value"
    keys.tab_to(lambda f: f["tag"] == "button" and "cp-check" in f["cls"], "the Check answers button")
    keys.press("Enter")
    result = page.locator(".cp-quiz .cp-result")
    assert result.get_attribute("aria-live") == "polite" or result.get_attribute("role") == "status"
    assert re.search(r"\d+%", result.inner_text()), f"no score announced: {result.inner_text()!r}"

    # The graded quiz: a radio, a checkbox ticked with Space, true/false, a typed answer sent with Enter.
    page.goto((fixture_course / "03-final-quiz.html").as_uri())
    keys.tab_to(lambda f: f["type"] == "radio", "the first answer")
    keys.press("Space")
    keys.tab_to(lambda f: f["type"] == "checkbox", "a checkbox")
    assert keys.press("Space")["checked"], "Space did not tick the checkbox"
    keys.tab_to(lambda f: f["type"] == "checkbox" and not f["checked"], "the next checkbox")
    keys.tab_to(lambda f: f["type"] == "radio", "the true/false answers")
    keys.press("ArrowDown")
    focus = keys.tab_to(lambda f: f["type"] == "text", "the fill-in answer")
    page.keyboard.type("zoning map")
    keys.press("Enter")
    feedback = page.locator('[id="final.map-name.fb"]')
    assert feedback.get_attribute("aria-live") == "polite"
    assert feedback.inner_text().startswith("Correct."), f"fill-in feedback: {feedback.inner_text()!r}"
    result = page.locator(".cp-quiz .cp-result")
    assert "Your score:" in result.inner_text(), f"no score announced: {result.inner_text()!r}"

    # Back with Shift+Tab to the true/false answers, then on to the pager's Next link and the next module.
    assert keys.press("Shift+Tab")["type"] == "radio"
    keys.tab_to(lambda f: f["tag"] == "a" and f["label"] == "04-feedback.html", "the pager's Next link")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.url.endswith("/04-feedback.html"), page.url
    assert not keys.invisible, "focus not visible on: " + "; ".join(keys.invisible)
    assert not watch.take().errors


# --- right to left, reflow, reduced motion ------------------------------------------------------

def arabic(built):
    found = [p for p in built("land-use-basics", "offline") if "-ar-" in p.zip_name]
    assert found, "no Arabic offline package of land-use-basics"
    return found[0]


def test_arabic_pages_mirror(built, open_context):
    package = arabic(built)
    _, page, _ = open_context(viewport={"width": 900, "height": 800})
    page.goto(package.url("02-reading-a-land-use-map.html"))
    assert page.evaluate("() => [document.documentElement.lang, document.documentElement.dir]") == ["ar", "rtl"]
    next_box = page.locator(".pager-next a").bounding_box()
    prev_box = page.locator(".pager-prev a").bounding_box()
    assert next_box["x"] + next_box["width"] <= prev_box["x"], "in RTL, Next sits to the left of Previous"
    assert page.locator(".pager-next .pager-dir").inner_text().split() == ["التالي", "←"]
    page.keyboard.press("Tab")
    skip = page.locator(".skip-link").bounding_box()
    assert skip["x"] > 900 / 2, "the focused skip link shows at the right, where an RTL page starts"
    edges = page.evaluate("""() => {
      const q = document.querySelector('.cp-q'), input = q.querySelector('input');
      return [q.getBoundingClientRect().right, input.getBoundingClientRect().right];
    }""")
    assert edges[1] > edges[0] - 30, f"answers start at the right edge of their question: {edges}"
    page.evaluate(ANSWER_JS)  # three questions of a point each: 'few' in Arabic, "من 3 نقاط"
    assert "من 3 نقاط" in page.locator(".cp-result").inner_text()
    # a module not yet translated: English, laid out left to right inside the Arabic page; the runtime's
    # words stay Arabic and say so
    page.goto(package.url("05-putting-it-to-work.html"))
    page.evaluate(ANSWER_JS)
    mark = page.locator(".cp-feedback span").first
    assert (mark.get_attribute("lang"), mark.get_attribute("dir"), mark.inner_text()) in \
        [("ar", "rtl", "صحيح."), ("ar", "rtl", "خطأ.")]
    page.goto(package.url("03-zoning-and-permits.html"))
    assert page.evaluate("() => [document.querySelector('.content').lang, getComputedStyle("
                         "document.querySelector('.content')).direction]") == ["en", "ltr"]
    assert page.locator(".note-fallback").inner_text().startswith("هذه الوحدة")


@pytest.mark.parametrize("text_zoom", [False, True], ids=["page-zoom-200", "text-only-200"])
def test_reflow_at_200_percent_zoom(built, open_context, text_zoom):
    """A 1280 px window at 200 % is 640 CSS px; text-only zoom doubles the font size instead."""
    problems = []
    for package in [p for p in built("land-use-basics", "offline") if "progress.html" in p.pages]:
        _, page, _ = open_context(viewport={"width": 640, "height": 480}, device_scale_factor=2)
        for name in package.pages:
            page.goto(package.url(name))
            if text_zoom:
                page.add_style_tag(content="html{font-size:200%}")
            width = page.evaluate("() => document.documentElement.scrollWidth")
            if width > 640:
                problems.append(f"{package}/{name}: scrolls sideways at 200 % (scrollWidth {width})")
    assert not problems, "\n".join(problems)


def test_reduced_motion_is_respected(built, open_context):
    package = arabic(built)
    _, page, _ = open_context()
    page.emulate_media(reduced_motion="reduce")
    page.goto(package.url("02-reading-a-land-use-map.html"))
    page.add_style_tag(content="a,button{transition:color .3s}html{scroll-behavior:smooth}")  # as a course may
    moving = page.evaluate("""() => [...document.querySelectorAll('*')].filter(e => {
      const s = getComputedStyle(e);
      return s.transitionDuration.split(',').some(d => parseFloat(d) > 0) || s.animationName != 'none'
             || s.scrollBehavior == 'smooth';
    }).map(e => e.tagName + '.' + e.className)""")
    assert moving == [], f"moving despite prefers-reduced-motion: {moving[:5]}"
    assert page.evaluate("() => matchMedia('(prefers-reduced-motion: reduce)').matches")


# --- a lesson written as Carpentries / Quarto / pandoc authors write them -------------------------------

LESSON = TESTS / "fixtures" / "carpentries-lesson"
OPEN_ALL = "() => document.querySelectorAll('details').forEach(d => { d.open = true; })"


@pytest.fixture(scope="module")
def lesson(tmp_path_factory):
    """The fixture lesson's offline package with every language (en/, de/, ru/), unzipped."""
    from tests.browser.conftest import unzip

    folder = tmp_path_factory.mktemp("lesson")
    result = CliRunner().invoke(main, ["build", str(LESSON), "--out", str(folder / "dist"), "-f", "offline"],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return unzip(folder / "dist" / "carpentries-lesson-1.0.0-offline.zip", folder / "offline", LESSON.name)


def test_lesson_boxes_pass_axe_closed_and_open(lesson, open_context):
    problems: list[str] = []
    _, page, _ = open_context()
    for name in pages_to_check(lesson) + [n for n in lesson.all_html if n.count("/") == 1 and n != "index.html"]:
        page.goto(lesson.url(name))
        problems += axe_problems(page, f"{lesson}/{name}")
        page.evaluate(OPEN_ALL)  # what a closed box holds is checked too
        problems += axe_problems(page, f"{lesson}/{name} (every box open)")
    assert not problems, f"{len(problems)} accessibility problem(s):\n  " + "\n  ".join(problems)


def test_a_solution_opens_from_the_keyboard_and_prints_open(lesson, open_context):
    _, page, _ = open_context()
    page.goto(lesson.url("en/01-introduction.html"))
    code = page.locator("details.solution pre").first
    assert not code.is_visible(), "a solution starts closed"
    keys = Keyboard(page)
    keys.tab_to(lambda f: f["tag"] == "summary" and f["label"] == "Solution", "the solution's summary")
    keys.press("Enter")
    assert code.is_visible() and not keys.invisible, "Enter on the summary opens the solution"
    page.reload()
    page.emulate_media(media="print")
    assert code.is_visible(), "a printed module page shows its solutions"


def test_russian_counts_in_the_lesson_runtime(lesson, open_context):
    """The course's own ru.yaml: the runtime picks _one, _few and _other as CLDR says (0.5 + 1 points)."""
    _, page, watch = open_context()
    page.goto(lesson.url("ru/05-quarto.html"))
    quiz = page.locator("[data-quiz=summaries]")

    def result() -> str:
        page.evaluate("() => { document.querySelector('[data-quiz=summaries] .cp-result').textContent = ''; }")
        quiz.locator(".cp-check").click()
        page.wait_for_function("() => document.querySelector('[data-quiz=summaries] .cp-result').textContent")
        return quiz.locator(".cp-result").inner_text().strip()

    assert result() == "Сначала ответьте на все вопросы: 2 вопроса пока без ответа."  # few
    quiz.locator('[id="summaries.describe.0"]').check()
    assert result() == "Сначала ответьте на все вопросы: 1 вопрос пока без ответа."  # one
    quiz.locator('[id="summaries.summary.0"]').check()
    assert result().startswith("Ваш результат: 100% (1,5 из 1,5 балла).")  # other
    assert watch.errors == [] and watch.blocked == []


def test_content_tabs_switch_from_the_keyboard_without_script_and_print_whole(lesson, open_context):
    """MkDocs tabs: radio buttons switch them (no JavaScript needed); each tab is read under its own title."""
    _, page, _ = open_context(java_script_enabled=False)
    page.goto(lesson.url("en/05-quarto.html"))
    windows, linux = (page.locator(".cp-tabs").nth(1).locator(":scope > .tab").nth(i) for i in (0, 1))
    assert windows.is_visible() and not linux.is_visible(), "the first tab shows, the others wait"
    keys = Keyboard(page)
    keys.tab_to(lambda f: f["tag"] == "input" and f["label"] == "05-quarto-tabs-2-1", "the first tab's button")
    outline = "e => getComputedStyle(document.querySelector(`label[for='${e.id}']`)).outlineStyle"
    assert page.evaluate(f"() => ({outline})(document.activeElement)") == "solid", "the focused tab's label is ringed"
    keys.press("ArrowRight")
    assert linux.is_visible() and not windows.is_visible(), "an arrow key shows the next tab"
    assert page.evaluate("() => document.activeElement.id") == "05-quarto-tabs-2-2"
    page.locator("label[for='05-quarto-tabs-2-1']").click()
    assert windows.is_visible(), "a click on a tab's label shows it"
    page.emulate_media(media="print")
    assert windows.is_visible() and linux.is_visible() and page.locator(".cp-tabs .admonition-title").nth(1).is_visible()
    assert not page.locator(".cp-tabs > label").first.is_visible(), "print shows titles, not buttons"


def test_content_tabs_beside_a_heading_with_a_buttons_id_still_switch(build_copy, open_context):
    """A heading whose id is the one the first tab's button would get keeps it; the button's moves, and its
    label still shows its tab (with one id twice, the label pointed at the heading and did nothing)."""
    def change(course: Path) -> None:
        module = course / "modules" / "01-why-land-use.md"
        module.write_text(module.read_text(encoding="utf-8") + '\n## Tabs {: #01-why-land-use-tabs-1-1 }\n\n'
                          '=== "Windows"\n\n    Run `dir`.\n\n=== "Linux"\n\n    Run `ls`.\n', encoding="utf-8")

    [package] = [p for p in build_copy("land-use-basics", change) if "en/01-why-land-use.html" in p.names]
    _, page, watch = open_context()
    page.goto(package.url("en/01-why-land-use.html"))
    windows, linux = (page.locator(".cp-tabs > .tab").nth(i) for i in (0, 1))
    labels = page.locator(".cp-tabs > label")
    labels.nth(1).click()
    assert linux.is_visible() and not windows.is_visible()
    labels.nth(0).click()
    assert windows.is_visible() and not linux.is_visible(), "the first tab's label shows it again"
    assert page.locator("h2[id='01-why-land-use-tabs-1-1']").text_content() == "Tabs" and watch.errors == []
    assert axe_problems(page, "01-why-land-use.html") == []
