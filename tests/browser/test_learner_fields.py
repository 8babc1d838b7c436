"""Save my results with time spent and the learner's town, organisation and cohort, read back by the
coordinator's `coursepack report` (issue 14).

A small course is built offline and opened from file://; the page's clock is Playwright's, paused, so the
time the learner spends is exactly what the test lets pass.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main
from kit import built_course
from test_accessibility import axe_problems

COURSE_YAML = """\
id: fields-course
title: Fields course
version: "1.0.0"
language: en
completion:
  rule: quiz
  mastery_score: 50
learner_fields:
  town: [Huanta, Tambo]
"""
MODULE = """\
# Zones

::: quiz Check {#zones graded}
### Which zone is for homes? {#homes}
- [x] Residential
- [ ] Industrial
:::

::: survey Needs {#needs}
### I can read a zoning map. {#confidence type=likert}
:::
"""
KEY = "coursepack:fields-course:1.0.0"
START = datetime(2026, 11, 2, 9, 0, tzinfo=timezone.utc)


@pytest.fixture(scope="module")
def package(tmp_path_factory) -> Path:
    """The course's offline package, unzipped."""
    return built_course(tmp_path_factory.mktemp("fields"), COURSE_YAML, {"modules/01-zones.md": MODULE})


def freeze(clock) -> None:
    """The page's clock at START, where it stays until the test moves it (installed earlier, since time may
    pass before it is paused)."""
    clock.install(time=START - timedelta(hours=1))
    clock.pause_at(START)


def spend(page, minutes: float) -> None:
    """Let `minutes` pass on the page's clock, then move the mouse: the gap is counted, up to 5 minutes."""
    page.clock.fast_forward(int(minutes * 60_000))
    page.mouse.move(5 + minutes, 5)


def test_saved_results_carry_time_and_learner_fields_into_the_report(package, open_context, tmp_path):
    context, page, watch = open_context(accept_downloads=True)
    freeze(page.clock)
    page.goto((package / "01-zones.html").as_uri())
    spend(page, 2)  # reading: 2 minutes
    spend(page, 20)  # away from the keyboard: counted as 5
    quiz = page.locator("[data-quiz=zones]")
    quiz.get_by_label("Residential", exact=True).check()
    quiz.locator(".cp-check").click()
    survey = page.locator("[data-quiz=needs]")
    survey.locator("input").nth(3).check()
    survey.locator(".cp-check").click()
    page.wait_for_function("() => document.querySelector('[data-quiz=needs] .cp-result').textContent")
    page.goto((package / "progress.html").as_uri())  # leaving the page keeps its time
    state = page.evaluate("key => localStorage.getItem(key)", KEY).split("~")
    assert state[0] == "3" and int(state[5], 36) == 7 * 60, state
    spend(page, 1)

    assert page.locator("#cp-town").get_attribute("list") == "cp-town-choices"
    assert page.locator("#cp-town-choices option").evaluate_all("o => o.map(x => x.value)") == ["Huanta", "Tambo"]
    page.get_by_label("Your name").fill("Ana Pérez")
    page.get_by_label("Your town (optional)").fill("Huanta")
    page.get_by_label("Your organisation (optional)").fill("  Municipio   de Huanta ")
    with page.expect_download() as info:
        page.locator("#cp-save [type=submit]").click()
    saved = tmp_path / "in" / info.value.suggested_filename
    info.value.save_as(saved)
    results = json.loads(saved.read_text(encoding="utf-8"))
    assert results["seconds"] == 8 * 60
    assert results["profile"] == {"town": "Huanta", "organisation": "Municipio de Huanta", "cohort": ""}
    assert (results["success"], results["score"]) == ("passed", 100)
    assert not watch.take().errors

    # The next visit finds the name and fields as they were typed last.
    page.reload()
    assert [page.locator(f"#cp-{n}").input_value() for n in ("name", "town", "organisation", "cohort")] == [
        "Ana Pérez", "Huanta", "Municipio de Huanta", ""]

    # The coordinator's side: grouped by the town the learner gave, with the time spent.
    out = tmp_path / "needs.html"
    report = CliRunner().invoke(main, ["report", str(saved.parent), "--group-by", "town", "--out", str(out)],
                                catch_exceptions=False)
    assert report.exit_code == 0, report.output
    figures = json.loads(out.with_suffix(".json").read_text(encoding="utf-8"))
    course = figures["courses"][0]
    assert course["overall"]["median_minutes"] == 8.0
    assert [(g["group"], g["learners"], g["median_minutes"]) for g in course["groups"]] == [("Huanta", 1, 8.0)]
    watch_all = watch.take()
    assert not watch_all.blocked and not watch_all.errors, watch_all
    # Labelled inputs, the list of suggestions included. Last: axe waits on timers, and reads the stylesheet
    # itself, which file:// refuses with a console error.
    page.clock.resume()
    assert axe_problems(page, "progress.html") == []


def test_without_javascript_the_fields_are_not_offered(package, open_context):
    _, page, _ = open_context(java_script_enabled=False)
    page.goto((package / "progress.html").as_uri())
    assert not page.locator("#cp-town").is_visible()
    assert page.locator(".cp-nojs").inner_text().startswith("It needs JavaScript")


def test_a_version_2_state_is_read_and_kept_as_version_3(package, open_context):
    _, page, watch = open_context()
    freeze(page.clock)
    page.goto((package / "progress.html").as_uri())
    # seq 5, page 1 viewed, on it, 'zones' tried once with 1 point (100 hundredths), 'needs' sent; answers 0 and 4
    page.evaluate("key => localStorage.setItem(key, '2~5~1~0~12s.10~0.4')", KEY)
    page.goto((package / "01-zones.html").as_uri())
    assert page.locator("[data-quiz=zones]").get_by_label("Residential", exact=True).is_checked()
    assert page.locator("[data-quiz=needs] input").nth(3).is_checked()
    assert page.evaluate("key => localStorage.getItem(key)", KEY) == "3~6~1~0~12s.10~0~0.4"
    spend(page, 1.5)
    page.goto((package / "progress.html").as_uri())
    assert page.evaluate("key => localStorage.getItem(key)", KEY) == "3~8~1~P~12s.10~2i~0.4"  # 90 s: '2i'
    assert not watch.take().errors


def test_a_page_closed_later_adds_its_time_without_undoing_another_tab(package, open_context):
    context, first, watch = open_context()
    freeze(context.clock)
    first.goto((package / "01-zones.html").as_uri())
    second = context.new_page()
    second.goto((package / "01-zones.html").as_uri())
    quiz = second.locator("[data-quiz=zones]")
    quiz.get_by_label("Residential", exact=True).check()
    quiz.locator(".cp-check").click()
    second.wait_for_function("() => document.querySelector('[data-quiz=zones] .cp-result').textContent")
    spend(first, 2)
    with first.expect_event("close"):  # close(run_before_unload=True) returns before the page has gone
        first.close(run_before_unload=True)
    state = second.evaluate("key => localStorage.getItem(key)", KEY).split("~")
    assert (state[4], state[5], state[6]) == ("12s.", "3c", "0."), state  # the answer, and 120 s ('3c')
