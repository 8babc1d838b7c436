"""Scripted learners in a cmi5 package launched by the stub LMS + LRS (lrs.py): the statements the LRS gets.

The tracking fixture course (tests/fixtures/tracked-course, completion rule `both`, mastery 80) is built
as a cmi5 package and launched as a cmi5 LMS launches it: LMS.LaunchData written from its cmi5.xml, then
index.html opened with endpoint, fetch, registration, activityId and actor. The tests assert the order
and the required properties of the statements per the cmi5 spec, and that the package opened from a
folder, with no launch parameters, is the offline course and asks nothing of any network.
"""

from __future__ import annotations

import re
import shutil
import uuid
import zipfile
from datetime import datetime

import pytest
from click.testing import CliRunner

from builder.cli import main
from lms import watched_context
from lrs import SESSION_ID, LRSServer
from test_tracking import CHECK_WRONG, FAILING, FIXTURE, PASSING, STORAGE_KEY, SURVEY, Learner

ADL = "http://adlnet.gov/expapi/"
CATEGORY = "https://w3id.org/xapi/cmi5/context/categories/"
MASTERY = "https://w3id.org/xapi/cmi5/context/extensions/masteryscore"
DURATION = re.compile(r"^P(?!$)(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$")
MOVE_ON_VERBS = ("completed", "passed", "failed")
# the graded quiz: question -> (interactionType, the passing learner's response, right?)
FINAL = {"zone": ("choice", "a", True), "permits": ("choice", "a[,]c", True),
         "floodplain": ("true-false", "true", False), "map-name": ("fill-in", "Zoning Map", True)}


@pytest.fixture(scope="session")
def lrs(tmp_path_factory):
    """The stub LMS + LRS, with the fixture course's cmi5 package mounted as `course`."""
    folder = tmp_path_factory.mktemp("cmi5")
    course = shutil.copytree(FIXTURE, folder / "courses" / FIXTURE.name)
    yaml = course / "course.yaml"
    yaml.write_text(yaml.read_text(encoding="utf-8").replace("  rule: quiz", "  rule: both"), encoding="utf-8")
    result = CliRunner().invoke(main, ["build", str(course), "-f", "cmi5", "--out", str(folder / "dist")],
                                catch_exceptions=False)
    assert result.exit_code == 0, result.output
    server = LRSServer(folder / "lrs")
    server.mount("course", next((folder / "dist").glob("*-cmi5.zip")))
    yield server
    server.close()


@pytest.fixture
def learner_page(browser, lrs):
    """`learner_page()` -> (page, problems): a page in a fresh browser context where only the stub LMS loads
    (at 127.0.0.1, and at localhost as another origin); `problems()` lists what a learner would notice."""
    contexts = []

    def make():
        other = lrs.origin.replace("127.0.0.1", "localhost")
        context, watch = watched_context(browser, (lrs.origin + "/", other + "/"))
        contexts.append(context)
        return context.new_page(), lambda: [p for p in watch.problems() if not _no_document(p)]

    yield make
    for context in contexts:
        context.close()


def _no_document(problem: str) -> bool:
    """Chromium's console line for the State API's 404: how xAPI says a document does not exist yet."""
    return problem.startswith("console error: Failed to load resource: the server responded with a status of 404") \
        and "/lrs/activities/state?" in problem


def course_frame(page):
    """The frame showing a course page: the runtime's frame once it has one, else the page itself."""
    return page.main_frame.child_frames[0] if page.main_frame.child_frames else page.main_frame


def launched(page, url: str) -> Learner:
    """The AU opened at its launch URL, once its runtime shows the course in its frame."""
    page.goto(url)
    page.wait_for_selector("iframe.cp-frame")
    course_frame(page).wait_for_load_state("load")
    return Learner(lambda: course_frame(page))


def verbs(statements: list[dict]) -> list[str]:
    return [s["verb"]["id"].removeprefix(ADL + "verbs/") for s in statements]


def wait_statements(lrs, launch, page, last: str = "terminated") -> list[dict]:
    """The session's statements, once the one with verb `last` has arrived. The wait is an open page's of the
    learner's context (not a sleep), so that Playwright goes on routing the context's requests meanwhile."""
    for _ in range(200):
        found = lrs.statements(launch)
        if found and verbs(found)[-1] == last:
            return found
        page.wait_for_timeout(25)
    raise AssertionError(f"no '{last}' statement arrived; the LRS has {verbs(lrs.statements(launch))}")


def assert_cmi5(statements: list[dict], launch, mastery: float = 0.8) -> None:
    """What the cmi5 spec requires of every statement of an AU session, and of their order."""
    names = verbs(statements)
    assert names[0] == "initialized" and names[-1] == "terminated", names
    assert names.count("initialized") == names.count("terminated") == 1, names
    assert names.count("completed") <= 1 and names.count("passed") <= 1 and names.count("failed") <= 1, names
    assert "failed" not in names[names.index("passed"):] if "passed" in names else True, names
    assert len({s["id"] for s in statements}) == len(statements)
    for s, verb in zip(statements, names):
        assert uuid.UUID(s["id"]).version == 4
        datetime.fromisoformat(s["timestamp"].replace("Z", "+00:00"))
        assert s["actor"] == launch.actor
        assert s["verb"]["display"]["en-US"] == verb
        context = s["context"]
        assert context["registration"] == launch.registration
        assert context["extensions"][SESSION_ID] == launch.session  # the context template, kept
        assert {"id": "https://coursepack.invalid/courses/tracked-course/en/au"} in \
            context["contextActivities"]["grouping"]
        categories = [c["id"] for c in context["contextActivities"].get("category", [])]
        if verb == "answered":  # cmi5 allowed: not in the cmi5 category; about a question of the AU
            assert CATEGORY + "cmi5" not in categories
            assert s["object"]["id"].startswith(launch.activity_id + "/")
            assert s["object"]["definition"]["type"] == ADL + "activities/cmi.interaction"
            assert {"id": launch.activity_id} in context["contextActivities"]["parent"]
            continue
        assert s["object"]["id"] == launch.activity_id
        assert CATEGORY + "cmi5" in categories
        assert (CATEGORY + "moveon" in categories) == (verb in MOVE_ON_VERBS), (verb, categories)
        result = s.get("result", {})
        if verb != "initialized":
            assert DURATION.match(result["duration"]), (verb, result)
        if verb == "completed":
            assert result["completion"] is True and "score" not in result and "success" not in result
        if verb in ("passed", "failed"):
            assert result["success"] is (verb == "passed")
            assert 0 <= result["score"]["scaled"] <= 1
            assert (result["score"]["scaled"] >= mastery) is (verb == "passed")
            assert context["extensions"][MASTERY] == mastery


def test_passing_learner(lrs, learner_page):
    page, problems = learner_page()
    launch = lrs.launch("course")
    learner = launched(page, launch.url)
    learner.start()
    learner.next()
    learner.take("check", CHECK_WRONG)
    learner.next()
    learner.take("final", PASSING)
    learner.next()
    learner.take("feedback", SURVEY)
    learner.finish()
    page.wait_for_url(lrs.origin + "/return.html")  # the LMS's returnURL, once everything is sent

    statements = lrs.statements(launch)
    assert verbs(statements) == ["initialized", *["answered"] * 7, "passed", "completed", *["answered"] * 3,
                                 "terminated"]
    assert_cmi5(statements, launch)
    assert [s["result"]["score"]["scaled"] for s in statements if verbs([s]) == ["passed"]] == [0.8]
    final = {s["object"]["id"].rsplit("/", 1)[1]: s for s in statements[4:8]}
    assert sorted(final) == sorted(f"final.{q}" for q in FINAL)
    for question, (kind, response, right) in FINAL.items():
        s = final[f"final.{question}"]
        definition = s["object"]["definition"]
        assert definition["interactionType"] == kind
        assert s["result"]["response"] == response and s["result"]["success"] is right
        assert definition["correctResponsesPattern"]
        assert DURATION.match(s["result"]["duration"])
    assert [c["id"] for c in final["final.zone"]["object"]["definition"]["choices"]] == ["a", "b", "c"]
    assert final["final.map-name"]["object"]["definition"]["correctResponsesPattern"] == \
        ["{case_matters=false}zoning map"]
    survey = statements[-4:-1]
    assert all("success" not in s["result"] for s in survey)  # a survey has nothing to be right about
    likert = [s for s in survey if s["object"]["definition"]["interactionType"] == "likert"][0]
    assert likert["result"]["response"] == "4" and len(likert["object"]["definition"]["scale"]) == 5
    assert lrs.bookmark(launch)["passed"] and lrs.bookmark(launch)["completed"]
    assert not lrs.record.protocol_errors and not problems(), (lrs.record.protocol_errors, problems())

    # Launched again in the same registration: the work is back; no second completed or passed.
    again = lrs.launch("course", registration=launch.registration)
    learner = launched(page, again.url)
    assert learner.resume_offer().is_visible()
    learner.open("03-final-quiz.html")
    assert learner.checked("final", "zone") == ["Residential zone"]
    learner.next()
    learner.finish()
    page.wait_for_url(lrs.origin + "/return.html")
    assert verbs(lrs.statements(again)) == ["initialized", "terminated"]
    assert_cmi5(lrs.statements(again), again)
    assert not lrs.record.protocol_errors and not problems(), (lrs.record.protocol_errors, problems())


def test_failing_learner_fails_once_a_session(lrs, learner_page):
    page, problems = learner_page()
    launch = lrs.launch("course")
    learner = launched(page, launch.url)
    learner.open("03-final-quiz.html")
    learner.take("final", FAILING)
    learner.answer("final", FAILING)  # the second attempt fails too: no second failed in this session
    learner.submit("final")
    learner.next()  # the last page, but pages 1 and 2 unseen: not completed (rule both)
    learner.finish()
    page.wait_for_url(lrs.origin + "/return.html")
    statements = lrs.statements(launch)
    assert verbs(statements) == ["initialized", *["answered"] * 4, "failed", *["answered"] * 4, "terminated"]
    assert_cmi5(statements, launch)
    assert statements[5]["result"]["score"]["scaled"] == 0  # every answer wrong
    assert not lrs.record.protocol_errors and not problems(), (lrs.record.protocol_errors, problems())


def test_statements_an_lrs_refused_go_again_in_order(lrs, learner_page):
    page, problems = learner_page()
    launch = lrs.launch("course")
    lrs.refuse = 1  # the LRS is busy: initialized is refused, and stays first in line
    learner = launched(page, launch.url)
    learner.start()  # the next commit sends it again, then what followed
    learner.next()
    learner.take("check", CHECK_WRONG)
    learner.next()
    learner.next()
    learner.finish()
    page.wait_for_url(lrs.origin + "/return.html")
    statements = lrs.statements(launch)
    assert verbs(statements) == ["initialized", *["answered"] * 3, "terminated"]
    assert_cmi5(statements, launch)
    assert lrs.refuse == 0 and not lrs.record.protocol_errors, lrs.record.protocol_errors
    refused = [p for p in problems() if "status of 503" in p and "/lrs/statements" in p]
    assert len(refused) == 1 and problems() == refused  # Chromium logs the refused request, nothing else


def test_the_lms_mastery_score_replaces_the_course_one(lrs, learner_page):
    page, problems = learner_page()
    launch = lrs.launch("course", mastery=0.9)
    learner = launched(page, launch.url)
    learner.open("03-final-quiz.html")
    assert "90" in learner.take("final", PASSING)  # the pass mark the page shows is the LMS's
    learner.next()
    learner.finish()
    page.wait_for_url(lrs.origin + "/return.html")
    statements = lrs.statements(launch)
    assert verbs(statements) == ["initialized", *["answered"] * 4, "failed", "terminated"]
    assert_cmi5(statements, launch, mastery=0.9)
    assert statements[5]["result"]["score"]["scaled"] == 0.8
    assert not lrs.record.protocol_errors and not problems(), (lrs.record.protocol_errors, problems())


def test_leaving_without_finish_sends_what_waits_and_terminated(lrs, learner_page):
    page, problems = learner_page()
    launch = lrs.launch("course")
    learner = launched(page, launch.url)
    learner.start()
    learner.next()
    learner.take("check", CHECK_WRONG)
    still = page.context.new_page()
    page.close(run_before_unload=True)
    statements = wait_statements(lrs, launch, still)
    assert verbs(statements) == ["initialized", *["answered"] * 3, "terminated"]
    assert_cmi5(statements, launch)
    assert re.match(r"\d+~", lrs.bookmark(launch)["state"])  # the state string (docs/tracking.md)
    assert not lrs.record.protocol_errors and not problems(), (lrs.record.protocol_errors, problems())


@pytest.mark.parametrize("mode, lrs_host", [("Browse", "127.0.0.1"), ("Review", "localhost")],
                         ids=["browse-same-origin", "review-cross-origin"])
def test_browse_and_review_record_nothing_and_terminate_as_the_page_goes(lrs, learner_page, mode, lrs_host):
    page, problems = learner_page()
    launch = lrs.launch("course", mode=mode, lrs_host=lrs_host)
    learner = launched(page, launch.url)
    learner.open("03-final-quiz.html")
    learner.take("final", PASSING)
    learner.open("04-feedback.html")
    still = page.context.new_page()
    page.close(run_before_unload=True)  # pagehide: terminated goes in a request that outlives the page
    statements = wait_statements(lrs, launch, still)
    assert verbs(statements) == ["initialized", "terminated"]
    assert_cmi5(statements, launch)
    assert lrs.bookmark(launch) is None
    assert not lrs.record.protocol_errors and not problems(), (lrs.record.protocol_errors, problems())


def test_launched_in_a_frame_of_the_lms_page(lrs, learner_page):
    page, problems = learner_page()
    launch = lrs.launch("course")
    page.goto(lrs.origin + "/return.html")  # the LMS's page, which shows the AU in a frame (launchMethod AnyWindow)
    page.evaluate("url => { const f = document.createElement('iframe'); f.src = url; document.body.appendChild(f); }",
                  launch.url)
    au = page.frame_locator("iframe").first
    au.locator("iframe.cp-frame").wait_for()
    learner = Learner(lambda: page.main_frame.child_frames[0].child_frames[0])
    learner.open("03-final-quiz.html")
    learner.take("final", PASSING)
    learner.next()
    learner.finish()
    statements = wait_statements(lrs, launch, page)
    assert verbs(statements) == ["initialized", *["answered"] * 4, "passed", "terminated"]
    assert_cmi5(statements, launch)
    page.wait_for_function("() => document.querySelector('iframe').contentWindow.location.pathname == '/return.html'")
    assert not lrs.record.protocol_errors and not problems(), (lrs.record.protocol_errors, problems())


def test_reload_after_terminated_sends_nothing_and_says_so(lrs, learner_page):
    page, problems = learner_page()
    launch = lrs.launch("course")
    learner = launched(page, launch.url)
    learner.start()
    page.reload()  # the launch URL again: the session has terminated, and the token was fetched already
    note = page.locator(".cp-note")
    note.wait_for()
    assert "could not be saved to the LMS" in note.inner_text()
    page.wait_for_timeout(200)
    assert verbs(lrs.statements(launch)) == ["initialized", "terminated"]
    assert lrs.record.requests.count(f"POST {launch.fetch}") == 2
    assert not lrs.record.protocol_errors and not problems(), (lrs.record.protocol_errors, problems())


def test_opened_from_a_folder_is_the_offline_course(lrs, open_context, tmp_path):
    with zipfile.ZipFile(lrs.packages["course"]) as archive:
        archive.extractall(tmp_path)
    context, page, watch = open_context()
    page.goto((tmp_path / "index.html").as_uri())
    learner = Learner(lambda: page.main_frame)
    learner.start()
    learner.next()
    learner.take("check", CHECK_WRONG)
    assert re.match(r"\d+~", page.evaluate("k => localStorage.getItem(k)", STORAGE_KEY))
    assert not page.main_frame.child_frames  # no LMS: no shell, no frame
    assert all(url.startswith("file://") for url in watch.requests), watch.requests
    assert not watch.blocked and not watch.failed and not watch.errors, (watch.blocked, watch.failed, watch.errors)
