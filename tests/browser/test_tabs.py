"""One learner, the course open in two tabs (or windows) with no LMS: what either saves adds up, never
replaces the other's work (docs/tracking.md, "Several tabs").

A small course is built offline and as a single file and opened from file:// in two pages of one
context, which share localStorage as two tabs do. The context's clock is Playwright's, paused, so the
time counted is exactly what the test lets pass. Headless pages all keep the focus, so a learner going
from one window to the other is the window `blur` and `focus` events the browser sends then.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

from kit import built_course

COURSE_YAML = """\
id: tabs-course
title: Tabs course
version: "1.0.0"
language: en
completion:
  rule: quiz
  mastery_score: 50
"""
MODULE = """\
# Zones

::: quiz Homes {#homes graded attempts=1}
### Which zone is for homes? {#zone}
- [x] Residential
- [ ] Industrial
:::

::: quiz Roads {#roads graded}
### Who keeps the roads? {#who}
- [ ] Nobody
- [x] The council
:::
"""
KEY = "coursepack:tabs-course:1.0.0"
START = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)
PAGE = "01-zones.html"
SINGLE_PAGE = "#page-01-zones"


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    """The folder holding the course's offline package, unzipped (offline/), and its single file."""
    root = tmp_path_factory.mktemp("tabs")
    built_course(root, COURSE_YAML, {"modules/01-zones.md": MODULE}, ("offline", "single"))
    return root


def url(package: Path, single: bool, page: str = PAGE) -> str:
    """A page of the offline package, or the same page of the single file."""
    if single:
        return (package / "dist" / "tabs-course-1.0.0-single.html").as_uri() + (
            "#page-progress" if page == "progress.html" else SINGLE_PAGE)
    return (package / "offline" / page).as_uri()


def two_tabs(open_context, package: Path, single: bool = False, second: str = PAGE):
    """Two pages of one context at START: the first on the quiz page, the second on `second`."""
    context, first, watch = open_context()
    context.clock.install(time=START - timedelta(hours=1))
    context.clock.pause_at(START)
    first.goto(url(package, single))
    other = context.new_page()
    other.goto(url(package, single, second))
    return first, other, watch


def leave(page) -> None:
    """The learner goes to another window: this one loses the focus."""
    page.evaluate("() => window.dispatchEvent(new FocusEvent('blur'))")


def come_back(page) -> None:
    page.evaluate("() => window.dispatchEvent(new FocusEvent('focus'))")


def spend(page, minutes: float) -> None:
    """Let `minutes` pass on the clock, then move the mouse: the gap is counted, up to 5 minutes."""
    page.clock.fast_forward(int(minutes * 60_000))
    page.mouse.move(5 + minutes, 5)


def answer(page, quiz: str, label: str) -> None:
    form = page.locator(f"[data-quiz={quiz}]")
    form.get_by_label(label, exact=True).check()
    form.locator(".cp-check").click()
    wait_result(page, quiz)


def wait_result(page, quiz: str) -> None:
    """Until the quiz shows a result: submitted in this page, or shown from another tab's save."""
    page.wait_for_function(f"() => document.querySelector('[data-quiz={quiz}] .cp-result').textContent")


def stored(page) -> list[str]:
    return page.evaluate("key => localStorage.getItem(key)", KEY).split("~")


@pytest.mark.parametrize("single", [False, True], ids=["offline", "single"])
def test_two_tabs_keep_both_answers_and_add_their_time(single, package, open_context):
    first, second, watch = two_tabs(open_context, package, single)
    leave(second)  # the learner works in the first window
    spend(first, 2)
    answer(first, "homes", "Residential")
    leave(first)  # ... then in the second, opened before that answer
    come_back(second)
    wait_result(second, "homes")  # it shows the first window's answer, locked: its only attempt is used
    homes = second.locator("[data-quiz=homes]")
    assert homes.get_by_label("Residential", exact=True).is_checked()
    assert homes.get_by_label("Residential", exact=True).is_disabled()
    assert not homes.locator(".cp-check").is_visible()
    spend(second, 3)
    answer(second, "roads", "The council")

    state = stored(second)
    # both records (1 attempt, 1 point = 100 hundredths '2s'), both answers, 2 + 3 minutes: 300 s '8c'
    assert (state[4], state[5], state[6]) == ("12s.12s", "8c", "0.1"), state
    wait_result(first, "roads")  # and the first window shows the second's answer
    assert first.locator("[data-quiz=roads]").get_by_label("The council", exact=True).is_checked()

    come_back(first)
    first.goto(url(package, single, "progress.html"))
    if single:
        first.wait_for_function("() => !document.getElementById('page-progress').hidden")
    assert first.locator("#cp-status").inner_text() == "Passed. Score: 100%. Pass mark: 50%."
    assert first.locator("#cp-quizzes span").all_inner_texts() == ["best score 100%, attempts used: 1"] * 2
    assert not watch.take().errors


def test_an_open_progress_page_shows_what_another_tab_saved(package, open_context):
    quizzes, progress, watch = two_tabs(open_context, package, second="progress.html")
    leave(progress)
    assert progress.locator("#cp-quizzes span").all_inner_texts() == ["not done yet"] * 2
    answer(quizzes, "homes", "Industrial")
    progress.wait_for_function("() => document.querySelector('#cp-quizzes span').textContent.startsWith('best')")
    assert progress.locator("#cp-quizzes span").all_inner_texts() == ["best score 0%, attempts used: 1", "not done yet"]
    assert progress.locator("#cp-pages").inner_text() == "Pages read: 1 of 1."
    assert not watch.take().errors


def test_a_tab_that_missed_the_news_does_not_use_an_attempt_twice(package, open_context):
    first, second, watch = two_tabs(open_context, package)
    homes = second.locator("[data-quiz=homes]")
    homes.get_by_label("Industrial", exact=True).check()
    # Another tab used the only attempt, with the right answer; this page has not heard of it yet (a page
    # hears nothing of its own writes), then the learner checks a wrong answer here.
    second.evaluate("key => localStorage.setItem(key, localStorage.getItem(key).replace(/~[^~]*~(\\w+)~[^~]*$/,"
                    " '~12s.~$1~0.'))", KEY)
    homes.locator(".cp-check").click()
    wait_result(second, "homes")
    assert homes.get_by_label("Residential", exact=True).is_checked(), "the answer that counted is shown"
    assert not homes.locator(".cp-check").is_visible()
    assert stored(second)[4:7:2] == ["12s.", "0."], "the refused attempt changed nothing"
    assert "Best score: 100%" in homes.locator(".cp-result").inner_text()
    assert not watch.take().errors


def test_a_tab_that_missed_the_news_keeps_the_other_tabs_answer(package, open_context):
    _, page, watch = two_tabs(open_context, package)
    # Another tab answered 'homes' (its write is not news to this page yet), then 'roads' is answered here.
    page.evaluate("key => localStorage.setItem(key, localStorage.getItem(key).replace(/~[^~]*~(\\w+)~[^~]*$/,"
                  " '~12s.~$1~0.'))", KEY)
    answer(page, "roads", "The council")
    assert stored(page)[4:7:2] == ["12s.12s", "0.1"], "both answers kept"
    assert not watch.take().errors


def test_a_full_storage_loses_no_answer_of_the_open_page(package, open_context):
    # Saves re-read the stored state, which a full storage leaves behind: this page's own writes win.
    _, page, watch = open_context()
    page.goto(url(package, True))
    page.evaluate("() => { Storage.prototype.setItem = () => { throw new DOMException('full', 'QuotaExceededError') } }")
    answer(page, "homes", "Residential")
    answer(page, "roads", "The council")
    page.goto(url(package, True, "progress.html"))
    page.wait_for_function("() => !document.getElementById('page-progress').hidden")
    assert page.locator("#cp-quizzes span").all_inner_texts() == ["best score 100%, attempts used: 1"] * 2
    assert stored(page)[4] == ".", "the stored state is the one from before the storage was full"
    assert not watch.take().errors


def test_a_window_that_lost_the_focus_counts_again_once_used(package, open_context):
    _, page, watch = two_tabs(open_context, package)
    leave(page)
    spend(page, 2)  # the mouse passes over the window while the learner works in another: not counted
    page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")  # shown again, no focus event
    spend(page, 1)
    leave(page)
    spend(page, 2)
    page.keyboard.press("Tab")  # a key reaches only the window with the focus
    spend(page, 1)
    page.goto(url(package, False, "progress.html"))
    assert int(stored(page)[5], 36) == 120, stored(page)
    assert not watch.take().errors
