"""Learners at the edges (issue 9): review and no-credit visits, an LMS that keeps only 4096 characters,
sessions that expire or never start, closing the window in scorm-again's default synchronous mode,
a SCORM 2004 first launch, progress under a quiz rule, and a score just under the pass mark.

The fixture course and the learner are test_tracking.py's; variants of the course are built here.
docs/tracking.md states each rule these tests hold the runtime to.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from builder.cli import main
from lms import lms_context, lms_server, open_visit  # noqa: F401 - fixtures
from test_tracking import (ANSWER_ALL_JS, CHECK_WRONG, COURSE_ID, FAILING, FIXTURE, FORMAT, PASSING, PROJECT,
                           VERSIONS, assert_clean, assert_number, core, decode_state, in_lms, tracked,  # noqa: F401
                           wait_content)

EN = yaml.safe_load((PROJECT / "templates" / "locales" / "en.yaml").read_text(encoding="utf-8"))
INIT = {"1.2": "LMSInitialize", "2004": "Initialize"}
# A survey of ten free-text questions: at 500 characters each they do not fit SCORM 1.2's 4096.
VIEWS = "05-views.html"
LONG_SURVEY = ("---\ntitle: Your views\n---\n# Your views\n\n::: survey Your views {#views}\n"
               + "".join(f"### View {n}? {{#v{n}}}\n\n" for n in range(10)) + ":::\n")


def long_answer(n: int) -> str:
    """500 characters with what the state string uses (~ . % :) and a line break."""
    return (f"View {n}: 100% sure~. Next: more maps.\n" * 20)[:500]


@pytest.fixture(scope="session")
def variant(tmp_path_factory, lms_server):
    """`variant(name, change)`: the fixture course changed by `change(folder)`, built as SCORM 1.2 and 2004 and
    served; returns {version: launch path}. Built once a session per name."""
    cache: dict[str, dict[str, str]] = {}

    def get(name: str, change) -> dict[str, str]:
        if name not in cache:
            folder = tmp_path_factory.mktemp(f"variant-{name}")
            course = shutil.copytree(FIXTURE, folder / "courses" / COURSE_ID)
            change(course)
            out = folder / "dist"
            result = CliRunner().invoke(main, ["build", str(course), "-f", "scorm12", "-f", "scorm2004", "--out",
                                               str(out)], catch_exceptions=False)
            assert result.exit_code == 0, result.output
            cache[name] = {v: lms_server.mount(f"{name}-{FORMAT[v]}", next(out.glob(f"*-{FORMAT[v]}.zip")))
                           + "index.html" for v in VERSIONS}
        return cache[name]

    return get


def add_long_survey(course: Path) -> None:
    (course / "modules" / "05-views.md").write_text(LONG_SURVEY, encoding="utf-8")
    config = course / "course.yaml"
    config.write_text(config.read_text(encoding="utf-8") + "  - modules/05-views.md\n", encoding="utf-8")


def boundary_points(course: Path) -> None:
    """5.01 points in all: the passing learner's 4 are 79.84 %, just under the pass mark of 80."""
    quiz = course / "modules" / "03-final-quiz.md"
    quiz.write_text(quiz.read_text(encoding="utf-8").replace("{#floodplain points=1 ", "{#floodplain points=1.01 "),
                    encoding="utf-8")


def note(learner) -> str:
    """The status message the runtime shows at the top of the page ('' when there is none)."""
    box = learner.frame.locator(".cp-note[role=status]")
    return box.inner_text().strip() if box.count() and box.is_visible() else ""


def api_errors(visit) -> list[dict]:
    """Calls the LMS answered with an error: a failed call, or any error code but 0."""
    names = {"LMSInitialize", "Initialize", "LMSSetValue", "SetValue", "LMSCommit", "Commit", "LMSFinish", "Terminate"}
    return [c for c in visit.calls() if c["error"] not in (None, "0") or c["method"] in names and c["result"] != "true"]


def fail_twice_and_finish(visit) -> None:
    learner = in_lms(visit)
    wait_content(visit, "index.html")
    learner.open("03-final-quiz.html")
    for _ in range(2):
        learner.take("final", FAILING)
    learner.next()
    learner.finish()
    visit.page.wait_for_function("() => lms.calls.some(c => /^(LMSFinish|Terminate)$/.test(c.method))")


# --- review, browse, no credit; never a step back -------------------------------------------------

# What the LMS hands a returning learner: Moodle's 2004 review hands back no data at all.
def reopened(version: str, how: str, stored: dict, visit) -> dict:
    if how == "no-credit":
        return visit.resume_cmi(**({"core": {"credit": "no-credit"}} if version == "1.2" else {"credit": "no-credit"}))
    if version == "1.2":
        return visit.resume_cmi(core={"lesson_mode": how})
    return {"mode": how}


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("how", ["review", "browse", "no-credit"])
def test_review_browse_and_no_credit_change_nothing(version, how, tracked, lms_server, lms_context):
    """A learner who failed both attempts comes back in review/browse mode or without credit: the course
    shows, the learner is told, and nothing the LMS records changes."""
    context, watch = lms_context()
    launch = tracked("quiz").launch[version]
    first = open_visit(context, lms_server, launch, version)
    fail_twice_and_finish(first)
    held = core(version, first.stored())
    assert held["status" if version == "1.2" else "success"] == "failed"

    second = open_visit(context, lms_server, launch, version, cmi=reopened(version, how, first.stored(), first))
    learner = in_lms(second)
    # SCORM 1.2 hands the state back; 2004 only on entry 'resume', which a finished attempt is not
    wait_content(second, "04-feedback.html" if version == "1.2" else "index.html")
    assert note(learner) == EN["js_review"]
    learner.open("03-final-quiz.html")
    check = learner.frame.locator("[data-quiz='final'] .cp-check")
    if version == "1.2":  # the state came back: both attempts are used, the quiz stays locked
        assert check.is_hidden(), "a third attempt is offered"
    if check.is_visible():  # no data handed back: the quiz is open, and its result goes nowhere
        learner.take("final", PASSING)
    learner.next()
    learner.finish()
    assert learner.frame.locator(".cp-finish p").inner_text() == EN["js_review"], "Finish said it saved"
    second.leave()
    assert second.sets() == [], f"SetValue in {how} mode: {second.sets()}"
    assert not second.calls("commit"), "Commit in a visit that may change nothing"
    assert len(second.calls("finish")) == 1
    if how == "no-credit" or version == "1.2":
        after, same = core(version, second.stored()), ("exit", "session_time")  # write-only: never handed back
        assert {k: v for k, v in after.items() if k not in same} == {k: v for k, v in held.items() if k not in same}
    assert not watch.problems(), watch.problems()


@pytest.mark.parametrize("version", VERSIONS)
def test_a_passed_record_is_never_downgraded(version, tracked, lms_server, lms_context):
    """The LMS holds a passed course but hands back no state (a new session of a finished attempt): what
    the learner does now never turns it back to incomplete, and the score stays."""
    context, watch = lms_context()
    seed = ({"core": {"lesson_status": "passed", "score": {"raw": "100", "min": "0", "max": "100"}}}
            if version == "1.2" else {"completion_status": "completed", "success_status": "passed",
                                      "score": {"raw": "100", "min": "0", "max": "100", "scaled": "1"}})
    visit = open_visit(context, lms_server, tracked("quiz").launch[version], version, cmi=seed)
    learner = in_lms(visit)
    wait_content(visit, "index.html")
    learner.start()
    learner.next()
    learner.take("check", CHECK_WRONG)
    held = core(version, visit.stored())
    if version == "1.2":
        assert held["status"] == "passed"
    else:
        assert (held["completion"], held["success"]) == ("completed", "passed")
        assert_number(held["progress"], 1, "cmi.progress_measure of a completed course")
    assert_number(held["raw"], 100, "score.raw")
    assert_clean(visit, watch)


# --- the 4096 characters of SCORM 1.2 --------------------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
def test_a_strict_lms_gets_a_state_that_fits_and_every_answer_comes_back(version, variant, lms_server,
                                                                          lms_context):
    launch = variant("long-survey", add_long_survey)[version]
    limits = {"cmi.suspend_data": 4096} if version == "1.2" else {"cmi.suspend_data": 64000}
    answers = {f"v{n}": long_answer(n) for n in range(10)}
    context, watch = lms_context()
    first = open_visit(context, lms_server, launch, version, limits=limits)
    learner = in_lms(first)
    wait_content(first, "index.html")
    learner.open(VIEWS)
    learner.take("views", answers)
    keep = learner.frame.evaluate("() => coursepackCourse.keep")
    assert 250 <= keep < 500
    state = core(version, first.stored())["suspend_data"]
    if version == "1.2":
        assert len(state) <= 4096, f"{len(state)} characters of suspend_data"
        assert note(learner) == EN["js_cut"].replace("{n}", str(keep))
    else:
        assert note(learner) == ""
    first.leave()
    assert_clean(first, watch)

    # Back in the same browser: every answer whole. On another device: what the LMS holds.
    for same in (True, False):
        other, other_watch = (context, watch) if same else lms_context()
        again = open_visit(other, lms_server, launch, version, cmi=first.resume_cmi(), limits=limits)
        learner = in_lms(again)
        wait_content(again, VIEWS)
        for qid, text in answers.items():
            shown = learner.question("views", qid).locator("textarea").input_value()
            expected = text if same or version == "2004" else text[:keep]
            assert shown == expected, f"{qid} {'here' if same else 'elsewhere'}: {shown!r}"
        assert decode_state(core(version, again.stored())["suspend_data"])["viewed"] == 1
        assert_clean(again, other_watch)
        again.page.close()


# --- sessions that expire, Initialize that fails ---------------------------------------------------

@pytest.mark.parametrize("version", VERSIONS)
def test_after_a_session_expires_the_next_visit_goes_on_from_the_newer_copy(version, tracked, lms_server,
                                                                            lms_context):
    context, watch = lms_context()
    launch = tracked("quiz").launch[version]
    first = open_visit(context, lms_server, launch, version)
    learner = in_lms(first)
    wait_content(first, "index.html")
    learner.start()
    learner.next()
    first.page.evaluate("() => { lms.faults['*'] = 'false'; }")  # the session expires
    learner.next()
    learner.take("final", PASSING)
    assert note(learner) == EN["js_not_saved"]
    first.leave()
    assert core(version, first.stored())["location"] == "02-water.html"

    second = open_visit(context, lms_server, launch, version, cmi=first.resume_cmi())
    learner = in_lms(second)
    wait_content(second, "03-final-quiz.html")
    assert learner.resume_offer().is_visible()
    assert learner.checked("final", "permits") == PASSING["permits"]
    held = core(version, second.stored())
    assert held["location"] == "03-final-quiz.html"
    assert held["status" if version == "1.2" else "success"] == "passed"
    assert decode_state(held["suspend_data"])["records"][1][:1] == "1", "one attempt used"
    assert note(learner) == ""
    assert_clean(second, watch)


@pytest.mark.parametrize("version", VERSIONS)
def test_after_initialize_fails_the_next_visit_goes_on_from_the_browser_copy(version, tracked, lms_server,
                                                                             lms_context):
    context, watch = lms_context()
    launch = tracked("quiz").launch[version]
    first = open_visit(context, lms_server, launch, version, faults={INIT[version]: "false"})
    learner = in_lms(first)
    wait_content(first, "index.html", framed=False)
    assert note(learner) == EN["js_not_saved"]
    learner.start()
    learner.next()
    learner.take("check", CHECK_WRONG)
    assert note(learner) == EN["js_not_saved"]
    first.page.close()

    second = open_visit(context, lms_server, launch, version)  # the LMS has nothing for this learner
    learner = in_lms(second)
    wait_content(second, "02-water.html")
    assert learner.resume_offer().is_visible()
    assert learner.checked("check", "check-source") == CHECK_WRONG["check-source"]
    held = core(version, second.stored())
    assert (held["location"], decode_state(held["suspend_data"])["viewed"]) == ("02-water.html", 2)
    assert_clean(second, watch)


HIDE_JS = """() => { Object.defineProperty(document, 'visibilityState', {value: 'hidden', configurable: true});
  document.dispatchEvent(new Event('visibilitychange')); }"""


@pytest.mark.parametrize("version", VERSIONS)
def test_a_failed_commit_is_retried_when_the_page_is_hidden(version, tracked, lms_server, lms_context):
    context, watch = lms_context()
    visit = open_visit(context, lms_server, tracked("quiz").launch[version], version)
    learner = in_lms(visit)
    wait_content(visit, "index.html")
    commit = "LMSCommit" if version == "1.2" else "Commit"
    visit.page.evaluate(f"() => {{ lms.faults['{commit}'] = 'false'; }}")
    learner.start()
    assert note(learner) == EN["js_not_saved"]
    visit.page.evaluate(f"() => {{ delete lms.faults['{commit}']; }}")
    before = len(visit.commits())
    visit.shell.evaluate(HIDE_JS)  # the learner switches to another app: the LMS gets what it missed
    assert len(visit.commits()) == before + 1
    assert core(version, visit.stored())["location"] == "01-welcome.html"
    visit.shell.evaluate(HIDE_JS)  # nothing new: no commit
    assert len(visit.commits()) == before + 1
    assert not watch.problems(), watch.problems()


# --- leaving: the window closes, in scorm-again's default synchronous mode ---------------------------

@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("how", ["close", "remove"])
def test_walk_and_close_with_synchronous_commits_has_no_api_error(version, how, tracked, lms_server,
                                                                  lms_context):
    """Every page, every quiz answered, then the window closes (or the LMS drops the frame) with commits
    sent by synchronous XHR, which browsers refuse while a page goes: not one call fails."""
    context, watch = lms_context()
    settings = {"lmsCommitUrl": lms_server.url("commit")}  # scorm-again's defaults otherwise: synchronous
    visit = open_visit(context, lms_server, tracked("quiz").launch[version], version, settings=settings,
                       window=how == "close")
    learner = in_lms(visit)
    wait_content(visit, "index.html")
    learner.start()
    for n in range(4):
        learner.frame.evaluate(ANSWER_ALL_JS)
        if n < 3:
            learner.next()
    visit.leave(how)
    visit.page.wait_for_function("() => lms.calls.some(c => /^(LMSFinish|Terminate)$/.test(c.method))")
    assert api_errors(visit) == []
    assert visit.calls("commit"), "nothing was committed while the page was alive"
    assert visit.calls()[-1]["method"] in ("LMSFinish", "Terminate"), "calls after Finish/Terminate"
    held = core(version, visit.stored())
    assert held["location"] == "04-feedback.html" and decode_state(held["suspend_data"])["viewed"] == 4
    assert not watch.problems(), watch.problems()


@pytest.mark.parametrize("version", VERSIONS)
def test_a_first_launch_reads_nothing_unset(version, tracked, lms_server, lms_context):
    """SCORM 2004 answers error 403 to GetValue of a value never set: a first launch asks for none."""
    context, watch = lms_context()
    visit = open_visit(context, lms_server, tracked("quiz").launch[version], version)
    learner = in_lms(visit)
    wait_content(visit, "index.html")
    learner.start()
    visit.leave()
    assert [(c["method"], c["args"], c["error"]) for c in visit.calls("get") if c["error"] != "0"] == []
    assert api_errors(visit) == []
    assert_clean(visit, watch)


# --- progress and score ---------------------------------------------------------------------------

def test_progress_reaches_1_only_when_the_rule_is_met(tracked, lms_server, lms_context):
    """Rule both: every page viewed but the graded quiz not taken is not complete, nor is its progress 1."""
    context, watch = lms_context()
    visit = open_visit(context, lms_server, tracked("both").launch["2004"], "2004")
    learner = in_lms(visit)
    wait_content(visit, "index.html")
    learner.start()
    for _ in range(3):
        learner.next()
    held = core("2004", visit.stored())
    assert held["completion"] == "incomplete"
    assert_number(held["progress"], 0.8, "cmi.progress_measure: 4 of 4 pages and 0 of 1 graded quiz")
    learner.previous()
    learner.take("final", PASSING)
    held = core("2004", visit.stored())
    assert held["completion"] == "completed"
    assert_number(held["progress"], 1, "cmi.progress_measure once the rule is met")
    assert_clean(visit, watch)


@pytest.mark.parametrize("version", VERSIONS)
def test_a_score_just_under_the_pass_mark_is_not_rounded_up(version, variant, lms_server, lms_context):
    context, watch = lms_context()
    visit = open_visit(context, lms_server, variant("boundary", boundary_points)[version], version)
    learner = in_lms(visit)
    wait_content(visit, "index.html")
    learner.open("03-final-quiz.html")
    learner.answer("final", PASSING)  # 4 of 5.01 points: 79.84 %
    result = learner.submit("final")
    assert "79%" in result and "80%" in result, result  # the score, and the pass mark
    held = core(version, visit.stored())
    assert_number(held["raw"], 79, "score.raw")
    if version == "1.2":
        assert held["status"] == "failed"
    else:
        assert held["success"] == "failed"
        assert_number(held["scaled"], 0.79, "cmi.score.scaled")
    assert_clean(visit, watch)


# Version 1 of the state (before issue 9), for this course: pages 1-2 viewed, on page 2; the final quiz
# once at 80 %; the knowledge check's and the final quiz's answers, a '.' typed as %2E.
STATE_V1 = "1~3~1~.128.~1.012.000.0.5.0.Zoning Map%2E..."


@pytest.mark.parametrize("version", VERSIONS)
def test_a_state_saved_before_the_update_comes_back(version, tracked, lms_server, lms_context):
    context, watch = lms_context()
    seed = ({"core": {"entry": "resume", "lesson_status": "passed"}} if version == "1.2"
            else {"entry": "resume", "completion_status": "incomplete", "success_status": "passed"})
    visit = open_visit(context, lms_server, tracked("quiz").launch[version], version,
                       cmi={**seed, "suspend_data": STATE_V1})
    learner = in_lms(visit)
    wait_content(visit, "02-water.html")
    assert learner.checked("check", "check-source") == ["Fossil groundwater"]
    learner.next()
    assert learner.question("final", "map-name").locator("input").input_value() == "Zoning Map."
    assert learner.checked("final", "permits") == PASSING["permits"]
    state = decode_state(core(version, visit.stored())["suspend_data"])
    assert (state["viewed"], state["records"][1]) == (3, "1b4"), state  # 80 % of 5 points: 400 hundredths
    assert_clean(visit, watch)
