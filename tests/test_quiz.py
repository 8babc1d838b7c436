"""Quizzes and surveys: syntax, HTML, author errors, the course model, manifests and the state budget."""

from __future__ import annotations

import json
import re
import zipfile
from pathlib import Path

import lxml.html
import pytest
import yaml
from lxml import etree

from builder import state
from builder.course import load_course
from builder.locale import TEMPLATES, plural_table
from builder.markup import split_source
from builder.pages import build_pages
from builder.problems import Problems
from builder.quiz import Question, extract_quizzes
from builder.quizhtml import shuffled
from builder.tracking import course_data_js
from builder.xsd import validate_manifest

COURSE = "courses/town-course"
MODULE = f"{COURSE}/modules/02-first-steps.md"
YAML = f"{COURSE}/course.yaml"
HEAD = "# First steps\n\n## Before you start\n\n"  # a quiz written after it starts on line 5
SUMMARY = re.compile(r"\d+ of \d+ courses? checked")
EN = yaml.safe_load((TEMPLATES / "locales" / "en.yaml").read_text(encoding="utf-8"))

ZONES = """\
::: quiz Check: zones and permits {#zones graded attempts=2}

### Which zone allows new homes? {#homes points=2}

- [x] R1 — Residential
    > Right: R1 zones are for housing.
- [ ] I — Industrial
    > No: industrial zones keep homes away from noise and traffic.

> Zoning maps show which uses each zone allows.

### Which uses does a commercial zone allow? {#commercial}
- [x] Shops
- [x] Offices
- [ ] Heavy industry

### A permit is needed to turn a house into a shop. {#permit type=truefalse}
- [x] True
- [ ] False

### What is the distance between a building and the street called? {#setback type=fill}
- setback
- set-back

### Put the permit steps in order. {#steps type=ordering}
1. Application
2. Review
3. Decision

### Match each zone to its main use. {#match type=matching}
- R1 = Homes
- R2 = Homes
- C = Shops
:::
"""

NEEDS = """\
::: survey Training needs {#needs}
### I can read a land-use map on my own. {#maps type=likert}
### What should the next training cover? {#next type=text}
### Which parts did you use? {#used type=multiple}
- [ ] Zoning
- [ ] Permits
:::
"""


@pytest.fixture
def course(new_course, tmp_path, monkeypatch):
    """The scaffold course, with tmp_path as the working directory so problems show short paths."""
    monkeypatch.chdir(tmp_path)
    return Path(COURSE)


def write(course: Path, text: str, name: str = "02-first-steps.md") -> None:
    (course / "modules" / name).write_text(text, encoding="utf-8")


def parse(text: str):
    """Quizzes of a module body, with the problems found."""
    problems = Problems()
    source = split_source(text, Path("m.md"), problems)
    body, quizzes = extract_quizzes(source, problems)
    return body, quizzes, [str(p) for p in problems.items]


def check(run, course: Path, *options: str) -> list[str]:
    """Problem lines of `coursepack check` (warnings included), without the summary."""
    result = run("check", course, *options)
    return [line for line in result.stderr.splitlines() if line and not SUMMARY.match(line)]


def page_of(course: Path, lang: str = "en"):
    problems = Problems()
    pages = build_pages(load_course(course, problems), lang, problems)
    assert not problems.errors, [str(p) for p in problems.items]
    return pages[1], lxml.html.fragment_fromstring(pages[1].body, create_parent="div")


def build(run, course: Path, out: str = "dist") -> Path:
    result = run("build", course, "--out", out)
    assert result.exit_code == 0, result.output
    return Path(out)


def read_zip(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def course_data(js: bytes) -> dict:
    text = js.decode("utf-8")
    prefix = "window.coursepackCourse = "
    assert text.startswith(prefix) and text.endswith(";\n")
    return json.loads(text[len(prefix):-2])


# --- parsing ---------------------------------------------------------------------------------

def test_every_question_type_parses():
    body, (zones, needs), problems = parse(HEAD + ZONES + "\n" + NEEDS)
    assert problems == []
    assert body.count('<div data-coursepack-quiz="') == 2 and ":::" not in body and "R1" not in body
    assert (zones.id, zones.title, zones.graded, zones.attempts, zones.survey, zones.line) == \
        ("zones", "Check: zones and permits", True, 2, False, 5)
    homes, commercial, permit, setback, steps, match = zones.questions
    assert (homes.id, homes.type, homes.points, homes.line) == ("homes", "single", 2, 7)
    assert [(o.text, o.correct, o.feedback) for o in homes.options] == [
        ("R1 — Residential", True, "Right: R1 zones are for housing."),
        ("I — Industrial", False, "No: industrial zones keep homes away from noise and traffic.")]
    assert homes.feedback == "Zoning maps show which uses each zone allows."
    assert (commercial.type, commercial.correct, commercial.points) == ("multiple", [0, 1], 1)
    assert (permit.type, permit.correct) == ("truefalse", [0])
    assert (setback.type, setback.answers, setback.case, setback.accents) == ("fill", ["setback", "set-back"],
                                                                             False, False)
    assert (steps.type, steps.items) == ("ordering", ["Application", "Review", "Decision"])
    assert (match.type, match.left, match.right, match.matches) == ("matching", ["R1", "R2", "C"],
                                                                    ["Homes", "Shops"], [0, 0, 1])
    maps, text, used = needs.questions
    assert (needs.id, needs.survey, needs.graded) == ("needs", True, False)
    assert (maps.type, maps.options, maps.points) == ("likert", [], 0)
    assert (text.type, used.type, used.correct) == ("text", "multiple", [])


def test_defaults_and_inferred_types():
    _, (quiz,), problems = parse("""\
::: quiz Zonas y permisos
Lea el módulo antes.

## Una {case}
- [ ] a
- [X] b
## Dos {type=fill case accents}
- Setback
## Tres
1. first
2. second
## Cuatro
- a = 1
- b = 2
:::
""")
    assert problems == ["m.md:4: 'case' only applies to fill-in questions — remove it, or add type=fill"]
    assert (quiz.id, quiz.graded, quiz.attempts, quiz.intro) == ("zonas-y-permisos", False, 0, "Lea el módulo antes.")
    assert [(q.id, q.type, q.points) for q in quiz.questions] == [
        ("q1", "single", 1), ("q2", "fill", 1), ("q3", "ordering", 1), ("q4", "matching", 1)]
    assert quiz.questions[0].correct == [1]
    assert (quiz.questions[1].case, quiz.questions[1].accents) == (True, True)


def test_likert_labels_question_text_and_continued_options():
    _, (quiz,), problems = parse("""\
::: survey Opinions
### The course was useful. {type=likert}
- Not at all
- Little
- Somewhat
- Much
- Very much
### Which town are you from?
Think of where you work, not where you live.

![A map](map.png)

- [ ] North
  (by the river)
- [ ] South
:::
""")
    assert problems == []
    likert, town = quiz.questions
    assert [o.text for o in likert.options] == ["Not at all", "Little", "Somewhat", "Much", "Very much"]
    assert town.text == "Think of where you work, not where you live.\n\n![A map](map.png)"
    assert [o.text for o in town.options] == ["North (by the river)", "South"]


def test_blocks_inside_fenced_code_are_left_alone():
    text = HEAD + "```markdown\n::: quiz Example\n### Q\n- [x] a\n:::\n```\n"
    body, quizzes, problems = parse(text)
    assert (quizzes, problems) == ([], [])
    assert "::: quiz Example" in body


def test_shuffled_orders_are_fixed_and_never_the_written_one():
    for count in range(2, 8):
        for seed in ("zones-steps", "a-b", "x", "needs-q1"):
            order = shuffled(count, seed)
            assert sorted(order) == list(range(count)) and order != list(range(count))
            assert order == shuffled(count, seed)
    assert shuffled(1, "x") == [0] and shuffled(0, "x") == []


# --- HTML ------------------------------------------------------------------------------------

def test_quiz_html_structure(course):
    write(course, HEAD + ZONES)
    page, root = page_of(course)
    section = root.find("section")
    assert section.get("class") == "cp-quiz" and section.get("id") == "quiz-zones"
    assert section.get("data-quiz") == "zones" and section.get("aria-labelledby") == "quiz-zones.title"
    assert [(e.tag, e.get("id")) for e in section[:3]] == [("h2", "quiz-zones.title"), ("p", None), ("form", None)]
    assert section[0].text == "Check: zones and permits"
    assert section[1].get("class") == "cp-quiz-info" and section[1].text == "Graded quiz · 2 attempts"
    form = section.find("form")
    assert form.get("class") == "cp-quiz-form" and form.get("novalidate") is not None
    fieldsets = form.findall("fieldset")
    assert [(f.get("id"), f.get("data-q"), f.get("data-type"), f.get("class")) for f in fieldsets] == [
        (None, q, kind, "cp-q") for q, kind in [("homes", "single"), ("commercial", "multiple"),
                                                         ("permit", "truefalse"), ("setback", "fill"),
                                                         ("steps", "ordering"), ("match", "matching")]]
    homes, commercial, permit, setback, steps, match = fieldsets
    legend = homes.find("legend")
    assert legend.get("id") == "zones.homes.prompt"
    assert legend.text_content() == "Which zone allows new homes? (2 points)"
    assert legend.find("span").get("class") == "cp-points"
    inputs = homes.findall("ul/li/input")
    assert homes.find("ul").get("class") == "cp-options"
    assert [(i.get("type"), i.get("name"), i.get("id"), i.get("value")) for i in inputs] == [
        ("radio", "zones.homes", "zones.homes.0", "0"), ("radio", "zones.homes", "zones.homes.1", "1")]
    assert [(lab.get("for"), lab.text) for lab in homes.findall("ul/li/label")] == [
        ("zones.homes.0", "R1 — Residential"), ("zones.homes.1", "I — Industrial")]
    assert {i.get("type") for i in commercial.iter("input")} == {"checkbox"}
    assert commercial.get("aria-describedby") == "zones.commercial.hint"
    assert commercial.find("p").text == "Choose every answer that applies."
    assert [lab.text for lab in permit.iter("label")] == ["True", "False"]
    fill = setback.find("input")
    assert dict(fill.attrib) == {"type": "text", "class": "cp-fill", "id": "zones.setback.input",
                                 "name": "zones.setback", "aria-labelledby": "zones.setback.prompt",
                                 "autocomplete": "off", "maxlength": "100"}
    order = steps.find("ol")
    assert order.get("class") == "cp-order"
    items = [li.get("data-item") for li in order]
    assert sorted(items) == ["0", "1", "2"] and items != ["0", "1", "2"]
    first = order[0]
    k = first.get("data-item")
    assert first.find("label").get("for") == first.find("select").get("id") == f"zones.steps.{k}"
    assert first.find("label").text == ["Application", "Review", "Decision"][int(k)]
    assert [(o.get("value"), o.text) for o in first.find("select")] == [("", "–"), ("1", "1"), ("2", "2"),
                                                                          ("3", "3")]
    pairs = match.find("ul")
    assert pairs.get("class") == "cp-match" and [li.get("data-left") for li in pairs] == ["0", "1", "2"]
    assert [li.find("label").text for li in pairs] == ["R1", "R2", "C"]
    options = [(o.get("value"), o.text) for o in pairs[0].find("select")]
    assert options[0] == ("", "–") and sorted(options[1:]) == [("0", "Homes"), ("1", "Shops")]
    assert options[1:] != [("0", "Homes"), ("1", "Shops")]
    for fieldset in fieldsets:
        feedback = fieldset[-1]
        assert (feedback.tag, feedback.get("class"), feedback.get("aria-live")) == ("div", "cp-feedback", "polite")
        assert feedback.get("id") == f"zones.{fieldset.get('data-q')}.fb" and not len(feedback) and not feedback.text
    button = form.find("div/button")
    assert button.getparent().get("class") == "cp-actions"
    assert (button.get("type"), button.get("class"), button.text) == ("submit", "cp-check", "Check answers")
    assert button.get("hidden") is not None
    result = form[-1]
    assert (result.get("class"), result.get("role"), result.get("aria-live")) == ("cp-result", "status", "polite")
    assert section.find("noscript/p").get("class") == "cp-noscript"
    assert section.find("details") is None  # graded: no answer key
    assert [(e.id, e.title) for e in page.toc] == [("before-you-start", "Before you start"),
                                                 ("quiz-zones", "Check: zones and permits")]


def test_survey_and_knowledge_check_html(course):
    write(course, HEAD + NEEDS + "\n::: quiz Quick check {#quick}\n### Which? {#w}\n- [ ] a\n    > no\n"
          "- [x] b\n    > yes\n\n> Read again.\n### Order {#o}\n1. one\n2. two\n:::\n")
    _, root = page_of(course)
    survey, check_ = root.findall("section")
    assert survey.get("class") == "cp-quiz cp-survey"
    assert survey.find("p").text == "Survey: answers are recorded, not scored"
    likert = survey.find("form/fieldset")
    assert [lab.text for lab in likert.iter("label")] == [EN[f"quiz_likert_{i}"] for i in range(1, 6)]
    assert [i.get("value") for i in likert.iter("input")] == ["0", "1", "2", "3", "4"]
    assert likert.find("legend").find("span") is None  # surveys show no points
    textarea = survey.find("form/fieldset[2]/textarea")
    assert dict(textarea.attrib) == {"class": "cp-text", "id": "needs.next.input", "name": "needs.next",
                                     "aria-labelledby": "needs.next.prompt", "maxlength": "500", "rows": "4"}
    assert survey.find("form/div/button").text == "Send answers" and survey.find("details") is None
    assert check_.find("p").text == "Knowledge check"
    assert check_.find("form/fieldset/legend").text_content() == "Which?"  # no points outside graded quizzes
    key = check_.find("details")
    assert key.get("class") == "cp-answers" and key.find("summary").text == "Show answers"
    assert [[(p.get("class"), p.text_content()) for p in li.iter("p")] for li in key.find("ol")] == [
        [("cp-answer-q", "Which?"), ("cp-answer", "Answer: b"), ("cp-answer-fb", "yes"),
         ("cp-answer-fb", "Read again.")],
        [("cp-answer-q", "Order"), ("cp-answer", "Correct order:")]]
    assert [li.text for li in key.find("ol/li[2]/ol")] == ["one", "two"]


def test_images_and_links_in_quizzes_are_checked_and_rewritten(course):
    write(course, HEAD + "::: quiz Maps {#maps}\nSee [the welcome](01-welcome.md#how-this-course-works).\n\n"
          "### Which is ![A path](../images/steps.svg)?\n- [x] **this** one\n- [ ] [that](#before-you-start)\n:::\n")
    _, root = page_of(course)
    section = root.find("section")
    assert section.find("div").get("class") == "cp-quiz-intro"
    assert section.find("div/p/a").get("href") == "01-welcome.html#how-this-course-works"
    assert section.find(".//legend/img").get("src") == "files/images/steps.svg"
    assert section.find(".//label/strong").text == "this"
    assert section.find(".//label/a").get("href") == "#before-you-start"


def test_quiz_html_in_spanish(course):
    config = course / "course.yaml"
    config.write_text(config.read_text().replace("language: en", "language: en\nlanguages: [en, es]"))
    write(course, HEAD + ZONES)
    write(course, HEAD + ZONES, "02-first-steps.es.md")
    _, root = page_of(course, "es")
    assert root.find("section/p").text == "Cuestionario calificado · 2 intentos"
    assert root.find("section/form/div/button").text == "Comprobar respuestas"


def test_a_module_not_yet_translated_keeps_the_words_of_its_own_language(course):
    config = course / "course.yaml"
    config.write_text(config.read_text().replace("language: en", "language: en\nlanguages: [en, es]"))
    write(course, HEAD + ZONES)
    _, root = page_of(course, "es")
    assert root.find("section/p").text == "Graded quiz · 2 attempts"


# --- author errors ---------------------------------------------------------------------------

def at(line: int) -> str:
    """`path:line:` of a quiz line, counting from the first line of the quiz text (after HEAD)."""
    return f"{MODULE}:{line + 4}:"


CHOICES = "- [x] a\n- [ ] b\n"
ERRORS = [
    pytest.param("::: quiz Q\n### One\n- [ ] a\n- [ ] b\n:::\n",
                 [f"{at(2)} no correct answer marked — mark the right option with '- [x]'"], id="no-correct-answer"),
    pytest.param("::: survey S\n### One\n- [ ] a\n- [x] b\n:::\n",
                 [f"{at(4)} correct answers in a survey — surveys are not scored: write every option as '- [ ]'"],
                 id="correct-answer-in-survey"),
    pytest.param("::: quiz Q\n### One {type=multi}\n" + CHOICES + ":::\n",
                 [f"{at(2)} unknown question type 'multi' — did you mean 'multiple'?"], id="unknown-type"),
    pytest.param("::: quiz Q\n### One {pionts=2}\n" + CHOICES + ":::\n",
                 [f"{at(2)} unknown attribute 'pionts=2' on a question — did you mean 'points'?"],
                 id="unknown-question-attr"),
    pytest.param("::: quiz Q {#q graded atempts=2}\n### One\n" + CHOICES + ":::\n",
                 [f"{at(1)} unknown attribute 'atempts=2' on a quiz — did you mean 'attempts'?"],
                 id="unknown-quiz-attr"),
    pytest.param("::: survey S {graded}\n### One\n:::\n",
                 [f"{at(1)} 'graded' does not apply to a survey — a survey takes only: #id"], id="graded-survey"),
    pytest.param("::: quiz Q\n### One {#same}\n" + CHOICES + "### Two {#same}\n" + CHOICES + ":::\n",
                 [f"{at(5)} question id 'same' is used twice in quiz 'q' — give each question its own id (the "
                  "first is on line 6; questions without one are numbered q1, q2, …)"], id="duplicate-question-id"),
    pytest.param("::: quiz Q\n### One {points=two}\n" + CHOICES + ":::\n",
                 [f"{at(2)} points: 'two' is not a number — write a number of 0 or more, e.g. points=2"],
                 id="points-not-a-number"),
    pytest.param("::: quiz Q {attempts=1.5}\n### One\n" + CHOICES + ":::\n",
                 [f"{at(1)} attempts: '1.5' is not a whole number — write how many tries a learner has, e.g. "
                  "attempts=2 (0 means unlimited)"], id="attempts-not-whole"),
    pytest.param("::: quiz Q {attempts=40}\n### One\n" + CHOICES + ":::\n",
                 [f"{at(1)} attempts: 40 is more than 35 — write a smaller number, or attempts=0 for unlimited"],
                 id="attempts-too-many"),
    pytest.param("::: quiz Q\n### One\n" + CHOICES + "\n## Next section\n",
                 [f"{at(1)} '::: quiz' block is not closed — end it with a line holding only ':::'"],
                 id="block-not-closed"),
    pytest.param("::: quiz Q\n### One\n" + CHOICES + "::: survey S\n### Two\n:::\n",
                 [f"{at(1)} '::: quiz' block is not closed — end it with a line holding only ':::'"],
                 id="block-not-closed-before-another"),
    pytest.param("::: quiz Q\n### One\n:::\n",
                 [f"{at(2)} question without answers — list the options under the heading: '- [x] right answer', "
                  "'- [ ] wrong answer'"], id="question-without-options"),
    pytest.param("::: quiz Q\n### One {type=fill}\n:::\n",
                 [f"{at(2)} fill-in question without accepted answers — list every answer you accept as "
                  "'- answer' lines under the heading"], id="fill-without-answers"),
    pytest.param("::: quiz Q\n### One {type=truefalse}\n- [x] True\n- [ ] False\n- [ ] Maybe\n:::\n",
                 [f"{at(2)} a true/false question has exactly 2 options, found 3 — write '- [ ] True' and "
                  "'- [ ] False' (true first), with [x] on the right one"], id="truefalse-three-options"),
    pytest.param("::: quiz Q\n### One\n- R1 = Homes\n- C Shops\n:::\n",
                 [f"{at(3)} option 'R1 = Homes' has no box — write options as '- [x] right answer' and "
                  "'- [ ] wrong answer', or say which kind of question this is with type=… (fill, ordering, "
                  "matching)"], id="matching-inferred-needs-every-equals"),
    pytest.param("::: quiz Q\n### One {type=matching}\n- R1 = Homes\n- C Shops\n:::\n",
                 [f"{at(4)} matching item without ' = ': 'C Shops' — write each pair as '- left = right', e.g. "
                  "'- R1 = Homes'"], id="matching-without-equals"),
    pytest.param("::: survey S\n### One {type=likert}\n- bad\n- good\n:::\n",
                 [f"{at(2)} likert labels must be exactly 5, found 2 — list five labels from the most negative to "
                  "the most positive, or none for the standard ones (disagree … agree)"], id="likert-labels"),
    pytest.param("::: quiz Q\n- [x] a\n### One\n" + CHOICES + ":::\n",
                 [f"{at(2)} '- [x] a' comes before the first question — start each question with a heading, e.g. "
                  "'### Which zone allows new homes?'"], id="answers-before-first-question"),
    pytest.param("::: quiz Q\nOnly an introduction.\n:::\n",
                 [f"{at(1)} quiz 'q' has no questions — start each question with a heading line, e.g. "
                  "'### Which zone allows new homes?'"], id="quiz-without-questions"),
    pytest.param("::: quizz Q\n### One\n:::\n",
                 [f"{at(1)} unknown block '::: quizz' — did you mean 'quiz'?"], id="unknown-block"),
    pytest.param("Text.\n:::\n",
                 [f"{at(2)} ':::' closes no block — open a block with '::: quiz Title' or '::: survey Title' or a "
                  "box with '::: callout', or remove this line"], id="stray-closing-line"),
    pytest.param("::: quiz {#q}\n### One\n" + CHOICES + ":::\n",
                 [f"{at(1)} the quiz has no title — write it after '::: quiz', e.g. '::: quiz Check: zones and "
                  "permits'"], id="quiz-without-title"),
    pytest.param("::: quiz Q {#zones.1}\n### One\n" + CHOICES + ":::\n",
                 [f"{at(1)} quiz id 'zones.1' has characters an LMS does not accept — use letters, digits, '-' "
                  "and '_' only, e.g. #zones"], id="bad-quiz-id"),
    pytest.param("::: quiz Q\n### One {type=likert}\n:::\n",
                 [f"{at(2)} likert questions are only for surveys — put it in a '::: survey' block, or use a quiz "
                  "type: single, multiple, truefalse, fill, ordering, matching"], id="likert-in-quiz"),
    pytest.param("::: survey S\n### One\n1. a\n2. b\n:::\n",
                 [f"{at(2)} ordering questions are only for quizzes — surveys ask for opinions: use type=likert, "
                  "text, single or multiple"], id="ordering-in-survey"),
    pytest.param("::: survey S\n### One {points=2}\n:::\n",
                 [f"{at(2)} points in a survey — surveys are not scored: remove points="], id="points-in-survey"),
    pytest.param("::: quiz Q\n### One {type=single}\n- [x] a\n- [x] b\n:::\n",
                 [f"{at(2)} type=single takes one right answer, 2 are marked — mark one, or use type=multiple"],
                 id="single-with-two-right"),
    pytest.param("::: quiz Q\n### One\n- [x] a\n- b\n:::\n",
                 [f"{at(4)} option 'b' has no box — write '- [ ] b', or '- [x] b' if it is a right answer"],
                 id="option-without-box"),
    pytest.param("::: quiz Q\n### One\n- [x] a\n- [ ] b\n\nMore text.\n:::\n",
                 [f"{at(6)} text after the answers: 'More text.' — put the question's text before its answers, "
                  "and feedback in a '> ' line"], id="text-after-answers"),
    pytest.param("::: quiz Q\n### One {type=fill}\n- a\n    > nice\n:::\n",
                 [f"{at(4)} feedback under 'a' — only choice options ('- [x]', '- [ ]') have their own feedback; "
                  "move it to a '> ' line at question level"], id="feedback-under-fill-answer"),
    pytest.param("::: quiz Q\n### One {type=ordering}\n1. a\n1. a\n:::\n",
                 [f"{at(4)} item 'a' is listed twice — every item of an ordering question must differ"],
                 id="ordering-repeated-item"),
    pytest.param("::: quiz Q\n# One\n" + CHOICES + ":::\n",
                 [f"{at(2)} a question heading needs two to six '#' — write questions as '### Question?' ('# ' is "
                  "the page title)"], id="h1-question"),
    pytest.param("::: quiz Q\n### Which is ![](../images/steps.svg)?\n" + CHOICES + ":::\n",
                 [f"{at(2)} image without alt text: ![](../images/steps.svg) — describe the image between the "
                  "brackets, or mark a purely decorative image with {: alt=\"\" }"],
                 id="image-without-alt-in-prompt"),
    pytest.param("::: quiz Q\n### One\n- [x] ![A path](../images/step.svg)\n- [ ] b\n:::\n",
                 [f"{at(3)} '../images/step.svg': file not found — did you mean '../images/steps.svg'?"],
                 id="missing-image-in-option"),
    pytest.param("::: quiz Q\nRead [this](01-welcome.md#nope).\n### One\n" + CHOICES + ":::\n",
                 [f"{at(2)} link '01-welcome.md#nope': no anchor '#nope' on 01-welcome — anchors there: "
                  "#how-this-course-works"], id="broken-link-in-intro"),
]


@pytest.mark.parametrize(("quiz", "expected"), ERRORS)
def test_author_errors(course, run, quiz, expected):
    write(course, HEAD + quiz)
    assert check(run, course) == expected


def test_quiz_ids_are_unique_across_the_course(course, run):
    write(course, "# Welcome\n\n## How this course works\n\n::: quiz Zones {#zones}\n### One\n" + CHOICES + ":::\n",
          "01-welcome.md")
    write(course, HEAD + "::: survey Zones\n### Two\n:::\n")
    assert check(run, course) == [
        f"{at(1)} survey id 'zones' is already used by the quiz on 01-welcome.md:5 — give every quiz and survey "
        "of the course its own id, e.g. {#zones-2}"]


@pytest.mark.parametrize("rule", ["quiz", "both"])
def test_a_quiz_rule_needs_a_graded_quiz(course, run, rule):
    config = course / "course.yaml"
    config.write_text(config.read_text().replace("rule: pages", f"rule: {rule}"))
    write(course, HEAD + "::: quiz Knowledge check {#kc}\n### One\n" + CHOICES + ":::\n")
    assert check(run, course) == [
        f"{YAML}:17: completion.rule: '{rule}' needs a graded quiz, and the course has none — add 'graded' to a "
        "quiz ('::: quiz Title {graded}'), or set rule: pages"]
    write(course, HEAD + "::: quiz Final {#final graded}\n### One\n" + CHOICES + ":::\n")
    assert check(run, course) == []


def test_a_graded_quiz_with_the_pages_rule_is_fine(course, run):
    write(course, HEAD + "::: quiz Final {#final graded}\n### One\n" + CHOICES + ":::\n")
    assert check(run, course) == []


def test_a_module_cannot_take_the_progress_page_name(course, run):
    write(course, "# Progress\n", "progress.md")
    assert check(run, course) == [
        f"{COURSE}/modules/progress.md:1: a module cannot be named 'progress' (the learner's progress page is "
        "progress.html) — rename the file, e.g. 00-welcome.md"]


def test_translated_quizzes_must_keep_their_shape(course, run):
    config = course / "course.yaml"
    config.write_text(config.read_text().replace("language: en", "language: en\nlanguages: [en, es]"))
    write(course, HEAD + "::: quiz Zones {#zones}\n### One\n" + CHOICES + ":::\n\n::: survey Needs {#needs}\n"
          "### Two\n:::\n")
    write(course, "# Primeros pasos\n\n## Antes de empezar\n\n::: quiz Zonas {#zones}\n### Una\n- [x] a\n- [ ] b\n"
          "- [ ] c\n:::\n\n::: survey Extra {#extra}\n### Dos\n:::\n", "02-first-steps.es.md")
    es = f"{COURSE}/modules/02-first-steps.es.md"
    hint = ("keep every quiz as in the en module: the same ids, types, number of options and right answers, so "
            "results and saved progress match across languages")
    warnings = [line for line in check(run, course) if "02-first-steps.es.md" in line and "warning" in line]
    assert warnings == [
        f"{es}:1: warning: quiz or survey 'needs' of the en module is missing here — {hint}",
        f"{es}:5: warning: quiz 'zones' differs from its en version — {hint}",
        f"{es}:12: warning: survey 'extra' is not in the en module — {hint}"]
    write(course, "# Primeros pasos\n\n## Antes de empezar\n\n::: quiz Zonas {#zones}\n### Una\n- [x] uno\n"
          "- [ ] dos\n:::\n\n::: survey Necesidades {#needs}\n### Dos\n:::\n", "02-first-steps.es.md")
    assert [line for line in check(run, course) if "02-first-steps.es.md" in line] == []


# --- the course model, progress page and packages --------------------------------------------

def test_course_data_js(course, run):
    config = course / "course.yaml"
    config.write_text(config.read_text().replace("rule: pages", "rule: both").replace("mastery_score: 80",
                                                                                      "mastery_score: 75.5"))
    write(course, HEAD + "Text.\n\n" + ZONES + "\n" + NEEDS)
    data = course_data(read_zip(build(run, course) / "town-course-0.1.0-offline.zip", "assets/course-data.js"))
    strings = data["strings"]
    assert strings["decimal_separator"] == "."  # from CLDR, not a catalogue
    # the strings coursepack.js looks up, as named, by the start of their key, or counted; none only templates use
    assert {k: strings[k] for k in ("js_correct", "progress_status_passed", "js_score_one", "js_score_other")} == \
        {k: EN[k] for k in ("js_correct", "progress_status_passed", "js_score_one", "js_score_other")}
    assert all(strings[k] == EN[k] and k.startswith(("js_", "progress_")) for k in strings if k != "decimal_separator")
    assert not {"js_finish", "js_resume_title", "progress_save_button", "box_note", "quiz_likert_1"} & set(strings)
    assert {k: v for k, v in data.items() if k not in ("quizzes", "strings")} == {
        "id": "town-course", "version": "0.1.0", "lang": "en", "title": "Town course", "rule": "both",
        "mastery": 75.5, "pages": [{"href": "01-welcome.html", "title": "Welcome"},
                                   {"href": "02-first-steps.html", "title": "First steps"}],
        "plural": plural_table("en"), "keep": 500}
    zones, needs = data["quizzes"]
    assert {k: v for k, v in zones.items() if k != "questions"} == {
        "id": "zones", "title": "Check: zones and permits", "page": 1, "graded": True, "attempts": 2,
        "survey": False}
    assert zones["questions"] == [
        {"id": "homes", "type": "single", "points": 2, "prompt": "Which zone allows new homes?",
         "feedback": "Zoning maps show which uses each zone allows.",
         "options": [{"text": "R1 — Residential", "feedback": "Right: R1 zones are for housing."},
                     {"text": "I — Industrial",
                      "feedback": "No: industrial zones keep homes away from noise and traffic."}],
         "correct": [0]},
        {"id": "commercial", "type": "multiple", "points": 1, "prompt": "Which uses does a commercial zone allow?",
         "options": [{"text": "Shops", "feedback": ""}, {"text": "Offices", "feedback": ""},
                     {"text": "Heavy industry", "feedback": ""}], "correct": [0, 1]},
        {"id": "permit", "type": "truefalse", "points": 1, "prompt": "A permit is needed to turn a house into a shop.",
         "options": [{"text": "True", "feedback": ""}, {"text": "False", "feedback": ""}], "correct": [0]},
        {"id": "setback", "type": "fill", "points": 1,
         "prompt": "What is the distance between a building and the street called?",
         "answers": ["setback", "set-back"], "case": False, "accents": False},
        {"id": "steps", "type": "ordering", "points": 1, "prompt": "Put the permit steps in order.",
         "items": ["Application", "Review", "Decision"]},
        {"id": "match", "type": "matching", "points": 1, "prompt": "Match each zone to its main use.",
         "left": ["R1", "R2", "C"], "right": ["Homes", "Shops"], "correct": [0, 0, 1]},
    ]
    assert needs == {
        "id": "needs", "title": "Training needs", "page": 1, "graded": False, "attempts": 0, "survey": True,
        "questions": [
            {"id": "maps", "type": "likert", "points": 0, "prompt": "I can read a land-use map on my own.",
             "labels": [EN[f"quiz_likert_{i}"] for i in range(1, 6)]},
            {"id": "next", "type": "text", "points": 0, "prompt": "What should the next training cover?"},
            {"id": "used", "type": "multiple", "points": 0, "prompt": "Which parts did you use?",
             "options": [{"text": "Zoning", "feedback": ""}, {"text": "Permits", "feedback": ""}], "correct": []}]}


def test_a_course_s_own_runtime_gets_the_strings_it_names(course, run):
    """A course may replace coursepack.js (docs/authoring.md): the strings it looks up come along."""
    (course / "templates" / "static").mkdir(parents=True)
    (course / "templates" / "static" / "coursepack.js").write_text(
        "var T = window.coursepackCourse.strings;\nalert(T.box_note + T['next'] + t(\"quiz_points\", {count: 2}));\n")
    data = course_data(read_zip(build(run, course) / "town-course-0.1.0-offline.zip", "assets/course-data.js"))
    assert data["strings"] == {k: EN[k] for k in ("box_note", "next", "quiz_points_one", "quiz_points_other")}


def test_course_data_js_is_compact_sorted_and_safe_in_html():
    js = course_data_js({"title": "</script><!-- \u2028 ñ", "b": 1, "a": [2, 1]})
    assert js == ('window.coursepackCourse = {"a":[2,1],"b":1,"title":"<\\/script>\\u003c!-- \\u2028 ñ"};\n'
                  ).encode("utf-8")
    assert json.loads(js.decode()[len("window.coursepackCourse = "):-2])["title"] == "</script><!-- \u2028 ñ"


def test_every_package_carries_the_course_model(course, run):
    """The same model everywhere; a SCORM package also names its version, so the runtime picks that API."""
    dist = build(run, course)
    data = {fmt: read_zip(dist / f"town-course-0.1.0-{fmt}.zip", "assets/course-data.js")
            for fmt in ("offline", "scorm12", "scorm2004")}
    assert course_data(data["offline"])["quizzes"] == []
    for fmt in ("scorm12", "scorm2004"):
        assert data[fmt] == data["offline"] + f'window.coursepackCourse.format = "{fmt}";\n'.encode()


def test_progress_page_is_rendered_from_its_template(course, run):
    (course / "templates").mkdir()
    (course / "templates" / "progress.html").write_text(
        '{% extends "base.html" %}{% block main %}<h1 id="p">{{ page.title }}|{{ page.kind }}|{{ page.href }}'
        "</h1>{% endblock %}\n")
    html = read_zip(build(run, course) / "town-course-0.1.0-offline.zip", "progress.html").decode()
    assert '<h1 id="p">My progress|progress|progress.html</h1>' in html


@pytest.mark.parametrize("rule", ["pages", "quiz", "both"])
def test_manifests_carry_the_rule_and_validate(course, run, rule):
    config = course / "course.yaml"
    config.write_text(config.read_text().replace("rule: pages", f"rule: {rule}"))
    write(course, HEAD + ZONES)
    dist = build(run, course)
    scorm12 = read_zip(dist / "town-course-0.1.0-scorm12.zip", "imsmanifest.xml")
    scorm2004 = read_zip(dist / "town-course-0.1.0-scorm2004.zip", "imsmanifest.xml")
    assert validate_manifest(scorm12) == [] and validate_manifest(scorm2004) == []
    item12 = etree.fromstring(scorm12).find("{*}organizations/{*}organization/{*}item")
    item2004 = etree.fromstring(scorm2004).find("{*}organizations/{*}organization/{*}item")
    mastery = item12.find("{http://www.adlnet.org/xsd/adlcp_rootv1p2}masteryscore")
    threshold = item2004.find("{http://www.adlnet.org/xsd/adlcp_v1p3}completionThreshold")
    sequencing = item2004.find("{http://www.imsglobal.org/xsd/imsss}sequencing")
    if rule == "pages":
        assert mastery is None and sequencing is None
        assert dict(threshold.attrib) == {"completedByMeasure": "true", "minProgressMeasure": "1.0"}
        return
    assert mastery.text == "80" and threshold is None
    assert [etree.QName(e).localname for e in item2004] == ["title", "sequencing"]
    primary = sequencing.find("{*}objectives/{*}primaryObjective")
    assert dict(primary.attrib) == {"objectiveID": "obj-town-course", "satisfiedByMeasure": "true"}
    assert primary.findtext("{*}minNormalizedMeasure") == "0.8"


def test_rebuilds_with_quizzes_are_byte_identical(course, run):
    write(course, HEAD + ZONES + "\n" + NEEDS)
    first, second = build(run, course, "one"), build(run, course, "two")
    for package in sorted(p.name for p in first.glob("*.zip")):
        assert (first / package).read_bytes() == (second / package).read_bytes(), package


# --- the saved-state budget ------------------------------------------------------------------

def questions(*shapes: tuple[str, int]) -> list[Question]:
    """Questions of the given (type, options or items) shapes."""
    made = []
    for i, (kind, size) in enumerate(shapes):
        question = Question(f"q{i}", kind, "?", 0)
        if kind == "ordering":
            question.items = [str(n) for n in range(size)]
        elif kind == "matching":
            question.pairs = [(str(n), str(n)) for n in range(size)]
        elif kind == "fill":
            question.answers = ["x"]
        elif kind != "text":
            question.options = [state_option(n) for n in range(size)]
        made.append(question)
    return made


def state_option(n: int):
    from builder.quiz import Option
    return Option(str(n), correct=n == 0)


def test_worst_case_length_follows_the_encoding():
    quiz = questions(("single", 4), ("multiple", 5), ("fill", 0), ("ordering", 3), ("likert", 0), ("text", 0))
    # 3 ~ seq(6) ~ pages(2 → 1) ~ current(1) ~ record: attempts 1 + 600 hundredths ('go') 2 ~ seconds(5) ~
    # answers: 1 + 1 ('v' = 31) + (2 + 1 + 100) + 3 + 1 + (2 + 1 + 500), 5 dots
    assert state.worst_case(2, [quiz]) == 1 + 6 + 6 + 1 + 1 + 3 + 5 + (1 + 1 + 103 + 3 + 1 + 503 + 5)
    assert state.worst_case(2, [quiz], 250) == state.worst_case(2, [quiz]) - 250
    assert state.worst_case(0, []) == 1 + 6 + 6 + 0 + 1 + 5
    assert format_base36(state.SECONDS_MAX) == "hv05c" and state.SECONDS_MAX < 366 * 86400  # results files' cap
    assert state.answer_width(questions(("multiple", 36))[0]) == len(format_base36(2 ** 36 - 1))


def test_free_text_kept_for_scorm12_is_what_fits_4096():
    few, many = questions(*[("text", 0)] * 3), questions(*[("text", 0)] * 12)
    assert state.text_keep(1, [few]) == 500
    keep = state.text_keep(1, [many])
    assert state.worst_case(1, [many], keep) <= 4096 < state.worst_case(1, [many], keep + 1)
    assert 250 <= keep < 500
    assert state.first_over(1, [many]) is None
    assert state.first_over(1, [questions(*[("text", 0)] * 17)]) == (0, 16)


def format_base36(number: int) -> str:
    digits = ""
    while True:
        number, rest = divmod(number, 36)
        digits = "0123456789abcdefghijklmnopqrstuvwxyz"[rest] + digits
        if not number:
            return digits


def realistic_quiz(number: int) -> str:
    """Eight questions: three single, two multiple, two fill-in, one ordering; graded, 2 attempts."""
    single = "### Single {n}?\n- [x] a\n- [ ] b\n- [ ] c\n- [ ] d\n"
    multiple = "### Multiple {n}?\n- [x] a\n- [x] b\n- [ ] c\n- [ ] d\n- [ ] e\n"
    fill = "### Fill {n}? {{type=fill}}\n- answer\n"
    ordering = "### Order {n}?\n1. a\n2. b\n3. c\n4. d\n5. e\n"
    body = "".join(t.format(n=i) for i, t in enumerate([single, single, single, multiple, multiple, fill, fill,
                                                          ordering]))
    return f"::: quiz Quiz {number} {{#quiz-{number} graded attempts=2}}\n{body}:::\n"


def test_a_50_page_40_question_course_fits_scorm12(course, run):
    for path in (course / "modules").glob("*.md"):
        path.unlink()
    for n in range(1, 51):
        quiz = realistic_quiz(n) if n % 10 == 0 else ""
        write(course, f"# Module {n}\n\nText.\n\n{quiz}", f"{n:02d}-module.md")
    config = course / "course.yaml"
    config.write_text(config.read_text().replace("rule: pages", "rule: both"))
    problems = Problems()
    loaded = load_course(course, problems)
    pages = build_pages(loaded, "en", problems)
    quizzes = [quiz.questions for page in pages for quiz in page.quizzes]
    assert (len(pages), sum(map(len, quizzes)), problems.items) == (50, 40, [])
    worst = state.worst_case(len(pages), quizzes)
    # pages 10, current '1d' 2, records 5 × (1 + '8c' for 1000 hundredths) + 4, answers 15 + 10 + 10 × 103 +
    # 5 × 5 + 39, version, sequence 6, seconds 5 and 6 '~'
    assert worst == 10 + 2 + 19 + (15 + 10 + 1030 + 25 + 39) + 18 <= state.SCORM12_LIMIT
    assert check(run, course, "--strict") == []


def test_an_oversized_state_is_an_error_at_the_question_that_overflows(course, run):
    survey = "::: survey Views {#views}\n" + "".join(f"### Question {n}?\n" for n in range(20)) + ":::\n"
    write(course, HEAD + survey)
    # 3, six '~', sequence 6, pages 1, current 1, record 2, seconds 5, 19 '.': 41; each answer at 250: 2 + 1 + 250
    error = (f"{COURSE}/modules/02-first-steps.md:22: saved progress can reach {41 + 20 * 253} characters "
             "from this question on, more than the 4096 a SCORM 1.2 LMS keeps (each free-text answer counted at 250 "
             "characters) — most room goes to 20 free-text questions (5060 characters): use fewer questions "
             "(free-text and fill-in ones above all), or split the course")
    assert check(run, course) == [error]
    assert run("check", course).exit_code == 1


def test_a_long_survey_keeps_less_free_text_in_scorm12(course, run):
    write(course, HEAD + "::: survey Views {#views}\n" + "".join(f"### Q {n}?\n" for n in range(10)) + ":::\n")
    assert check(run, course) == []
    data = course_data(read_zip(build(run, course) / "town-course-0.1.0-offline.zip", "assets/course-data.js"))
    # 3, six '~', sequence 6, pages 1, current 1, record 2, seconds 5, nine '.': 31; 10 × (keep + 2 + 1) <= 4065
    assert data["keep"] == 403


@pytest.mark.parametrize("attrs, message", [
    ("points=101", "points: 101 is more than 100, the most an LMS accepts for one question — scale the points of "
                   "every question down: the score is a percent anyway"),
    ("points=0.125", "points: 0.125 has more than 2 decimals — round it, e.g. points=0.33"),
    ("#" + "q" * 250, "quiz id and question id are 255 characters together, more than the 254 an LMS records — "
                      "give the quiz or the question a shorter id, e.g. {#zones}"),
])
def test_values_an_lms_refuses_are_build_errors(course, run, attrs, message):
    write(course, HEAD + f"::: quiz Check {{#zones}}\n### Which? {{{attrs}}}\n- [x] a\n- [ ] b\n:::\n")
    assert check(run, course) == [f"{COURSE}/modules/02-first-steps.md:6: {message}"]
