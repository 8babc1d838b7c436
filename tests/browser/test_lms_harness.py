"""Self-test of the test LMS (tests/browser/lms.py, tests/js/): with a tiny SCO of our own
(tests/js/selftest.html) calling the API directly, the LMS records exactly what it was told,
stores it at each commit, and hands it back on re-entry. If these fail, the tracking tests mean nothing.
"""

from __future__ import annotations

import pytest

from lms import (DURATION_2004, SESSION_TIME_12, lms_context, lms_server, open_visit,  # noqa: F401 - fixtures
                 resume_cmi)

VERSIONS = ["1.2", "2004"]
PATHS = {
    "1.2": {"location": ("core", "lesson_location"), "status": ("core", "lesson_status"),
            "exit": ("core", "exit"), "time": ("core", "session_time"), "raw": ("core", "score", "raw"),
            "entry": ("core", "entry")},
    "2004": {"location": ("location",), "status": ("completion_status",), "exit": ("exit",),
             "time": ("session_time",), "raw": ("score", "raw"), "entry": ("entry",)},
}


def at(cmi: dict, version: str, name: str) -> str:
    value = cmi.get("cmi", cmi)
    for key in PATHS[version][name]:
        value = value[key]
    return value


@pytest.mark.parametrize("version", VERSIONS)
def test_records_calls_stores_commits_and_resumes(version, lms_server, lms_context):
    context, watch = lms_context()
    sco = f"selftest.html?v={version}"

    first = open_visit(context, lms_server, sco, version)
    assert first.shell.locator("#out").inner_text() == "entry= location="
    methods = [c["method"] for c in first.calls()]
    init, finish, commit = (first.calls(k) for k in ("init", "finish", "commit"))
    assert len(init) == 1 and init[0]["result"] == "true" and methods[0] == init[0]["method"]
    assert len(commit) == 1 and not finish
    assert not first.failed_sets()
    stored = first.stored()
    assert at(stored, version, "location") == "page-2"
    assert at(stored, version, "exit") == "suspend"
    assert stored["cmi"]["suspend_data"] == "1~abc"

    # Leaving runs the SCO's pagehide handler, whose commit the LMS stores.
    first.leave()
    assert len(first.calls("commit")) == 2
    assert at(first.stored(), version, "location") == "left"
    seed = first.resume_cmi()
    assert at(seed, version, "entry") == "resume"

    second = open_visit(context, lms_server, sco, version, cmi=seed)
    assert second.shell.locator("#out").inner_text() == "entry=resume location=left"
    assert second.get(".".join(("cmi",) + PATHS[version]["location"])) == "page-2"  # it moved on
    second.shell.locator("#finish").click()
    assert len(second.calls("finish")) == 1 and second.calls("finish")[0]["result"] == "true"
    final = second.stored()
    assert at(final, version, "status") == "completed"
    assert at(final, version, "raw") == "75"
    session_time = at(final, version, "time")
    assert (SESSION_TIME_12 if version == "1.2" else DURATION_2004).match(session_time), session_time
    assert second.commits()[-1]["method"] == ("LMSFinish" if version == "1.2" else "Terminate")
    assert not watch.problems()


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("how", ["false", "throw"])
def test_faults_are_injected_and_recorded(version, how, lms_server, lms_context):
    context, watch = lms_context()
    visit = open_visit(context, lms_server, f"selftest.html?v={version}", version, faults={"*": how})
    init = visit.calls("init")
    assert len(init) == 1
    if how == "false":
        assert init[0]["result"] == "false"
        assert visit.shell.locator("#out").inner_text().startswith("entry=")
        assert not watch.problems()
    else:
        assert init[0]["result"] == "(threw)"
        # The naive SCO does not guard its calls: the error surfaces as a page error, which is recorded.
        assert visit.shell.locator("#out").inner_text() == "not run"
        assert any("is broken" in e for e in watch.errors), watch.errors
    assert visit.commits() == []


def test_resume_cmi_accumulates_time_and_keeps_interactions():
    stored = {"cmi": {"core": {"lesson_location": "b.html", "lesson_status": "incomplete", "exit": "suspend",
                               "session_time": "00:01:30.5", "total_time": "0000:02:00",
                               "score": {"raw": "", "min": "", "max": "100"}},
                      "suspend_data": "1~x",
                      "interactions": {"0": {"id": "q1", "type": "choice", "student_response": "a",
                                             "correct_responses": {"0": {"pattern": "a"}}, "objectives": {}}}}}
    seed = resume_cmi("1.2", stored)
    assert seed["core"]["entry"] == "resume"
    assert seed["core"]["total_time"] == "0000:03:30.50"
    assert seed["interactions"] == [{"id": "q1", "type": "choice", "student_response": "a",
                                     "correct_responses": [{"pattern": "a"}]}]
    seed = resume_cmi("2004", {"cmi": {"location": "b.html", "exit": "normal", "session_time": "PT1M2.5S",
                                       "total_time": "PT1H"}})
    assert "entry" not in seed
    assert seed["total_time"] == "PT3662.50S"


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("how", ["remove", "close"])
def test_other_ways_of_leaving_run_pagehide(version, how, lms_server, lms_context):
    """Dropping the frame, or closing the SCO's own window (API on its opener), also runs pagehide."""
    context, watch = lms_context()
    visit = open_visit(context, lms_server, f"selftest.html?v={version}", version, window=how == "close")
    assert visit.shell.locator("#out").inner_text() == "entry= location="
    visit.leave(how)
    visit.page.wait_for_function("() => lms.commits.length === 2")
    assert at(visit.stored(), version, "location") == "left"
    assert not watch.problems()


@pytest.mark.parametrize("version", VERSIONS)
def test_limits_refuse_longer_values_and_keep_the_older(version, lms_server, lms_context):
    """`limits` makes the test LMS enforce a length, as Moodle's "SCORM standard mode" does for 1.2 state."""
    context, watch = lms_context()
    visit = open_visit(context, lms_server, f"selftest.html?v={version}", version, limits={"cmi.suspend_data": 10})
    api, prefix = ("API", "LMS") if version == "1.2" else ("API_1484_11", "")
    result = visit.page.evaluate(f"() => {api}.{prefix}SetValue('cmi.suspend_data', 'x'.repeat(11))")
    assert (result, visit.sets()[-1][3]) == ("false", "405")
    assert visit.get("cmi.suspend_data") == "1~abc"
    assert not watch.problems()
