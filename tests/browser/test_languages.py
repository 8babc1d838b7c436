"""The package holding every language of a course, as a learner uses it from file:// with no network.

The root index.html chooses a language (with JavaScript off too), the header's switcher leads to
the same page in another language, progress and answers carry over between languages, and a module
not yet translated is its fallback page in that language's folder.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from test_offline_package import report, request_problems

# Answer every question of every quiz and survey on the page with its first choices, then check.
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

# What the quiz forms show: per question, the inputs checked (by position), the text typed, the selects.
ANSWERS_JS = """() => [...document.querySelectorAll('.cp-q')].map(q => ({
  id: q.closest('[data-quiz]').dataset.quiz + '/' + q.dataset.q,
  checked: [...q.querySelectorAll('input[type=radio], input[type=checkbox]')].map(i => i.checked),
  typed: [...q.querySelectorAll('input[type=text], textarea')].map(i => i.value),
  chosen: [...q.querySelectorAll('select')].map(s => s.selectedIndex)}))"""

STATE_JS = "(key) => localStorage.getItem(key)"


def without_time(state: str) -> list[str]:
    """A saved state without its sequence number and seconds (docs/tracking.md): what the learner did."""
    fields = state.split("~")
    return fields[:1] + fields[2:5] + fields[6:]


def combined(built, course_id: str):
    found = [p for p in built(course_id, "offline") if p.languages]
    assert len(found) == 1, f"{course_id}: expected one offline package holding every language, got {found}"
    return found[0]


def follow(page, locator) -> None:
    locator.click()
    page.wait_for_load_state("load")


def test_chooser_and_switcher_work_without_javascript(course_id, built, open_context):
    package = combined(built, course_id)
    _, page, watch = open_context(java_script_enabled=False)
    problems: list[str] = []
    page.goto(package.url())
    links = page.locator(".lang-choice a")
    codes = links.evaluate_all("links => links.map(a => [a.lang, a.hreflang])")
    if sorted(codes) != [[code, code] for code in package.languages]:
        problems.append(f"{package}/index.html: language links {codes}, expected one per folder {package.languages}")
    for i, (code, _) in enumerate(codes):
        page.goto(package.url())
        follow(page, links.nth(i))
        landed, lang = package.name_of(page.url), page.evaluate("document.documentElement.lang")
        if (landed, lang) != (f"{code}/index.html", code):
            problems.append(f"{package}/index.html: link {i} led to {landed} in '{lang}'")
    # From every page, each language of the switcher: the same page in that language.
    for name in [n for n in package.pages if "/" in n]:
        folder, _, file = name.partition("/")
        for code in package.languages:
            page.goto(package.url(name))
            follow(page, page.locator(f".lang-switch a[hreflang='{code}']"))
            landed, lang = package.name_of(page.url), page.evaluate("document.documentElement.lang")
            if (landed, lang) != (f"{code}/{file}", code):
                problems.append(f"{package}/{name}: switcher link '{code}' led to {landed} in '{lang}'")
        problems.extend(request_problems(package, name, watch.take()))
    assert not problems, report(problems)


def quiz_page(package, open_context) -> str:
    """The first page of the main language's folder with a quiz that is not a survey."""
    _, page, _ = open_context(java_script_enabled=False)
    main = package.languages[0] if "en" not in package.languages else "en"
    for name in package.pages:
        if name.startswith(f"{main}/"):
            page.goto(package.url(name))
            if page.locator(".cp-quiz[data-quiz] .cp-check").count():
                return name
    pytest.fail(f"{package}: no page with a quiz in {main}/")


def test_answers_given_in_english_show_up_in_spanish(course_id, built, open_context):
    package = combined(built, course_id)
    assert {"en", "es"} <= set(package.languages), f"{package}: the sample courses are in English and Spanish"
    name = quiz_page(package, open_context)
    file = name.partition("/")[2]
    _, page, watch = open_context()
    page.goto(package.url(name))
    assert page.evaluate(ANSWER_JS) >= 1
    page.wait_for_function("() => [...document.querySelectorAll('.cp-result')].every(r => r.textContent.trim())")
    answered = page.evaluate(ANSWERS_JS)
    key = page.evaluate("() => 'coursepack:' + coursepackCourse.id + ':' + coursepackCourse.version")
    state = page.evaluate(STATE_JS, key)
    assert state and any(a["checked"].count(True) or any(a["typed"]) for a in answered)

    follow(page, page.locator(".lang-switch a[hreflang='es']"))
    assert package.name_of(page.url) == f"es/{file}"
    assert page.evaluate("document.documentElement.lang") == "es"
    assert page.evaluate(ANSWERS_JS) == answered  # the same choices, restored from the shared state
    results = page.locator(".cp-quiz .cp-result").all_inner_texts()
    assert results and all(text.strip() for text in results), f"es/{file}: quiz results not shown: {results}"
    # opening a page already viewed changes nothing but the time spent (and so the sequence number)
    assert without_time(page.evaluate(STATE_JS, key)) == without_time(state)
    assert page.evaluate(STATE_JS, key + ":lang") == "es"

    # My progress in Spanish counts the page read in English.
    follow(page, page.locator(".site-footer a[href='progress.html']"))
    pages_read = page.locator("#cp-pages").inner_text()
    assert re.findall(r"\d+", pages_read)[:1] == ["1"], pages_read
    problems = request_problems(package, f"{name} then es/{file}", watch.take())
    assert not problems, report(problems)


def test_chooser_goes_straight_to_the_last_language_used(sample_courses, built, open_context):
    package = combined(built, sample_courses[0])
    _, page, watch = open_context()
    page.goto(package.url())
    assert package.name_of(page.url) == "index.html"  # nothing used yet: the learner chooses
    page.goto(package.url("es/index.html"))
    page.goto(package.url())
    page.wait_for_url("**/es/index.html")
    page.wait_for_load_state("load")
    assert package.name_of(page.url) == "es/index.html"
    page.go_back()  # location.replace: Back leaves the chooser out instead of bouncing on it
    assert package.name_of(page.url) == "es/index.html"
    problems = request_problems(package, "index.html (last used: es)", watch.take())
    assert not problems, report(problems)


def drop_spanish_module_3(course: Path) -> None:
    [spanish] = course.glob("modules/03-*.es.md")
    spanish.unlink()


def test_a_module_not_translated_is_its_fallback_page_and_keeps_the_answers(build_copy, open_context):
    [package] = [p for p in build_copy("participatory-planning", drop_spanish_module_3) if p.languages]
    _, page, watch = open_context()
    name = next(n for n in package.pages if n.startswith("en/03-"))
    file = name.partition("/")[2]
    page.goto(package.url(name))
    assert page.evaluate(ANSWER_JS) >= 1
    page.wait_for_function("() => [...document.querySelectorAll('.cp-result')].every(r => r.textContent.trim())")
    answered = page.evaluate(ANSWERS_JS)
    follow(page, page.locator(".lang-switch a[hreflang='es']"))
    assert package.name_of(page.url) == f"es/{file}"
    assert page.locator(".note-fallback").is_visible()
    assert page.evaluate("document.querySelector('.content').lang") == "en"
    assert page.locator(".lang-switch a[aria-current=page]").get_attribute("hreflang") == "es"
    assert page.evaluate(ANSWERS_JS) == answered
    follow(page, page.locator(".lang-switch a[hreflang='en']"))
    assert package.name_of(page.url) == name
    problems = request_problems(package, f"{name} and es/{file}", watch.take())
    assert not problems, report(problems)


def test_switcher_fits_a_phone_in_every_language(built, sample_courses, open_context):
    package = combined(built, sample_courses[0])
    _, page, _ = open_context(viewport={"width": 320, "height": 640})
    problems = []
    for home in package.homes:
        page.goto(package.url(home))
        box = page.locator(".lang-switch").bounding_box()
        if box is None or box["x"] < 0 or box["x"] + box["width"] > 320:
            problems.append(f"{package}/{home}: the switcher is not inside a 320 px screen: {box}")
        colour = page.locator(".lang-switch a").first.evaluate("a => getComputedStyle(a).color")
        if colour != "rgb(255, 255, 255)":
            problems.append(f"{package}/{home}: switcher links are {colour} on the dark header, not white")
    assert not problems, report(problems)
