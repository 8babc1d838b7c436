"""The single .html file in a real browser, opened from file:// as a learner opens an attachment.

Every sample course is built with `--format single`; each file must load nothing but itself (every
URL that is not file:// is blocked and counted), log no error, read and navigate with JavaScript
off as one long document, and with JavaScript on show one page at a time. The fixture course of
tests/test_single.py then plays a learner: a quiz answered, the file reloaded and opened again,
progress and answers restored from localStorage.
"""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main

TESTS = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(TESTS))  # tests/test_single.py: the fixture course and its media
from test_single import FIXTURE, NAME, add_media  # noqa: E402

SOURCE = Path(os.environ.get("COURSEPACK_SAMPLE_COURSES") or TESTS.parent / "courses")  # as conftest.py says
INLINE_SCHEMES = ("data:", "blob:", "about:")  # part of the page itself, not a request for a file

VISIBLE_SECTIONS_JS = "() => [...document.querySelectorAll('[data-cp-page]')].filter(s => !s.hidden).map(s => s.id)"
# Bring every image into view (lazy ones load only then) and wait for it; the alt text of those that fail.
IMAGES_JS = """async () => {
  const images = [...document.images];
  for (const img of images) {
    img.scrollIntoView({block: 'center'});
    await Promise.race([img.decode().catch(() => null), new Promise(done => setTimeout(done, 5000))]);
  }
  return images.filter(i => !i.naturalWidth).map(i => i.getAttribute('alt'));
}"""


def build_single(source: Path, course: str, out: Path, *options: str) -> list[Path]:
    result = CliRunner().invoke(main, ["build", str(source / course), "--source", str(source), "--out", str(out),
                                       "-f", "single", *options], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return sorted(out.glob("*-single.html"))


@pytest.fixture(scope="session")
def singles(tmp_path_factory):
    """`singles(course_id)`: the single files of a sample course, built once a session."""
    cache: dict[str, list[Path]] = {}

    def get(course_id: str) -> list[Path]:
        if course_id not in cache:
            cache[course_id] = build_single(SOURCE, course_id, tmp_path_factory.mktemp(f"single-{course_id}"))
        return cache[course_id]

    return get


def arrived(page, target: str) -> None:
    """Wait until the URL ends in `target` and the page holding it shows (hashchange handlers run a moment later)."""
    page.wait_for_function("""h => location.hash == h &&
      !document.getElementById(h.slice(1)).closest('[data-cp-page]').hidden""", arg=target)


def outside_requests(watch, path: Path) -> list[str]:
    """Everything the page asked for besides the file itself (data: URIs are part of the file)."""
    own = path.as_uri()
    return [url for url in watch.requests + watch.blocked
            if not url.startswith(INLINE_SCHEMES) and url.split("#")[0] != own]


def test_single_files_load_nothing_but_themselves(course_id, singles, open_context):
    problems = []
    for path in singles(course_id):
        _, page, watch = open_context()
        page.goto(path.as_uri())
        pages = page.eval_on_selector_all("[data-cp-page]", "s => s.map(e => e.id)")
        if page.evaluate(VISIBLE_SECTIONS_JS) != [pages[0]]:
            problems.append(f"{path.name}: with JavaScript, the home page alone should show")
        # Every entry of the menu shows its page, alone, and changes the title.
        for link in page.locator(".site-nav a").all():
            page.locator(".site-nav summary").click()
            target = link.get_attribute("href")
            link.click()
            arrived(page, target)
            shown = page.evaluate(VISIBLE_SECTIONS_JS)
            if shown != [target[1:]]:
                problems.append(f"{path.name}: menu link {target} shows {shown}")
            if page.locator(".site-nav a[aria-current=page]").get_attribute("href") != target:
                problems.append(f"{path.name}: menu link {target} is not marked as the current page")
        seen = watch.take()
        problems += [f"{path.name}: request for {url[:100]}" for url in outside_requests(seen, path)]
        problems += [f"{path.name}: {error}" for error in seen.errors + [f"failed: {u}" for u, _ in seen.failed]]
    assert not problems, "\n".join(problems)


def test_single_files_read_and_navigate_without_javascript(course_id, singles, open_context):
    problems = []
    for path in singles(course_id):
        _, page, watch = open_context(java_script_enabled=False)
        page.goto(path.as_uri())
        sections = page.eval_on_selector_all("[data-cp-page]", "s => s.map(e => e.id)")
        if page.evaluate(VISIBLE_SECTIONS_JS) != sections:
            problems.append(f"{path.name}: without JavaScript every page should show")
        if page.locator("h1").count() != 1:
            problems.append(f"{path.name}: {page.locator('h1').count()} h1 elements (the document has one)")
        for alt in page.evaluate(IMAGES_JS):  # JavaScript off in the page, not for the test's own scripts
            problems.append(f"{path.name}: image did not load: {alt}")
        # Start, then Next all the way: every module in order, by links inside the document.
        page.locator(".start a").click()
        visited = [page.evaluate("location.hash")]
        for _ in range(len(sections)):
            current = page.locator(f"section{visited[-1]} a[rel~=next]")
            if not current.count():
                break
            current.click()
            visited.append(page.evaluate("location.hash"))
        modules = ["#" + s for s in sections[1:-1]]  # home first, My progress last
        if visited != modules:
            problems.append(f"{path.name}: Start then Next visits {visited}, expected {modules}")
        seen = watch.take()
        problems += [f"{path.name}: request for {url[:100]}" for url in outside_requests(seen, path)]
    assert not problems, "\n".join(problems)


# --- a learner with the fixture course ------------------------------------------------------------------

@pytest.fixture(scope="session")
def fixture_file(tmp_path_factory) -> Path:
    source = tmp_path_factory.mktemp("single-fixture") / "courses"
    shutil.copytree(FIXTURE, source / "single-course")
    add_media(source / "single-course")
    [path] = build_single(source, "single-course", source.parent / "dist")
    assert path.name == NAME
    return path


def viewed(state: str) -> int:
    """Module pages marked viewed in a saved state (docs/tracking.md: a base-32 bitset, 5 pages a digit)."""
    return sum(int(c, 32).bit_count() for c in state.split("~")[2])


def test_progress_and_answers_survive_a_reload(fixture_file, open_context):
    context, page, watch = open_context()
    key = "coursepack:single-course:1.0.0"
    page.goto(fixture_file.as_uri())
    assert page.title() == "River towns in one file"
    page.locator(".start a").click()
    arrived(page, "#page-01-river")
    assert page.title() == "The river and the town — River towns in one file"
    page.locator("#page-01-river a[rel~=next]").click()
    arrived(page, "#page-02-check")
    quiz = page.locator("[data-quiz=check]")
    quiz.get_by_label("Above the dashed line").check()
    quiz.get_by_label("Council records").check()
    quiz.locator(".cp-check").click()
    assert quiz.locator(".cp-result").inner_text().startswith("Your score: 100%")
    state = page.evaluate("k => localStorage.getItem(k)", key)
    assert viewed(state) == 2 and state.split("~")[3] == "1", state  # two pages read, the second the current one

    page.reload()
    assert page.evaluate(VISIBLE_SECTIONS_JS) == ["page-02-check"], "a reload stays on the page"
    assert quiz.get_by_label("Above the dashed line").is_checked()
    assert quiz.get_by_label("Council records").is_checked()
    page.locator(".site-nav summary").click()
    page.locator(".site-nav a[href='#page-progress']").click()
    arrived(page, "#page-progress")
    assert page.locator("#cp-pages").inner_text() == "Pages read: 2 of 3."
    assert page.locator("#cp-quizzes a").get_attribute("href") == "#quiz-check"
    assert not page.locator(".site-nav details[open]").count(), "the menu closes on a new page"

    # Opened again another day: the offer to continue where the learner left off.
    again = context.new_page()
    again.goto(fixture_file.as_uri())
    offer = again.locator(".cp-resume")
    assert offer.is_visible(), "no offer to continue on the next visit"
    assert again.evaluate(VISIBLE_SECTIONS_JS) == ["page-index"]
    offer.get_by_role("button").first.click()
    arrived(again, "#page-progress")
    assert again.evaluate(VISIBLE_SECTIONS_JS) == ["page-progress"] and not offer.count()
    again.locator("#cp-quizzes a").click()
    arrived(again, "#quiz-check")
    assert again.evaluate(VISIBLE_SECTIONS_JS) == ["page-02-check"], "a link into a page shows that page"
    assert again.locator("[data-quiz=check]").get_by_label("Council records").is_checked()

    seen = watch.take()
    assert not outside_requests(seen, fixture_file), outside_requests(seen, fixture_file)
    assert not seen.errors, seen.errors


def test_inlined_sound_plays_and_left_out_video_says_where_it_is(fixture_file, open_context):
    _, page, watch = open_context()
    page.goto(fixture_file.as_uri() + "#page-03-media")
    assert page.evaluate(VISIBLE_SECTIONS_JS) == ["page-03-media"]
    duration = page.evaluate("""() => new Promise(done => {
      const audio = document.querySelector('audio');
      if (audio.readyState > 0) return done(audio.duration);
      audio.addEventListener('loadedmetadata', () => done(audio.duration));
      audio.addEventListener('error', () => done('error ' + audio.error.code));
      setTimeout(() => done('no metadata after 5 s'), 5000);
    })""")
    assert duration == pytest.approx(0.5)
    assert page.get_by_text(re.compile(r"^This video is in the full course package \(300\.0 KB\)\.$")).is_visible()
    seen = watch.take()
    assert not outside_requests(seen, fixture_file) and not seen.errors, (seen.requests, seen.errors)
