"""The pages of a Common Cartridge in Chromium: what an LMS shows after import, with no SCORM API around.

The graded quiz has left its page for the LMS (a note in its place) and the runtime keeps the knowledge
checks and My progress in the browser, with no error and no request leaving the cartridge.
"""

from __future__ import annotations

import zipfile

import pytest
from click.testing import CliRunner

from builder.cli import main
from conftest import SOURCE

CARTRIDGE = "land-use-basics-1.0.0-en-cc.imscc"


@pytest.fixture(scope="module")
def cartridge(tmp_path_factory):
    """The English cartridge of land-use-basics, unzipped as an LMS stores its files."""
    folder = tmp_path_factory.mktemp("cc")
    result = CliRunner().invoke(main, ["build", str(SOURCE / "land-use-basics"), "--source", str(SOURCE),
                                       "--out", str(folder / "dist"), "-f", "cc"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(folder / "dist" / CARTRIDGE) as archive:
        archive.extractall(folder / "files")
    return folder / "files"


def test_pages_work_without_an_lms_api_and_the_graded_quiz_is_a_note(cartridge, open_context):
    context, page, watch = open_context()
    page.goto((cartridge / "03-zoning-and-permits.html").as_uri())
    quiz = page.locator("[data-quiz=check-zoning]")
    for question in quiz.locator(".cp-q").all():
        question.locator("input, select").first.evaluate(
            "e => e.tagName == 'SELECT' ? (e.selectedIndex = 1, e.dispatchEvent(new Event('change', {bubbles: true})))"
            " : e.click()")
    quiz.locator(".cp-check").click()
    page.wait_for_function("document.querySelector('[data-quiz=check-zoning] .cp-result').textContent.trim()")
    assert "Your score:" in quiz.locator(".cp-result").inner_text()
    page.wait_for_load_state("networkidle")  # the click scrolled a lazy image into view: leaving now aborts it
    page.goto((cartridge / "05-putting-it-to-work.html").as_uri())
    graded = page.locator("#quiz-final")
    assert graded.locator("input, select, button").count() == 0
    assert "taken on your learning platform" in graded.inner_text()
    page.goto((cartridge / "progress.html").as_uri())
    page.wait_for_selector("#cp-progress:not([hidden])")
    assert page.locator("#cp-quizzes").inner_text().splitlines() == [
        "Check: reading the map: not done yet", "Check: zones and building rules: best score 0%, attempts used: 1",
        "Check your understanding",  # listed with no status: the LMS has it
        "Help us plan the next training: not answered yet"]
    seen = watch.take()
    assert (seen.errors, seen.blocked, seen.failed) == ([], [], [])
