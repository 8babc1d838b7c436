"""A stand-in LMS for browser tests: scorm-again's SCORM 1.2 / 2004 API in a host page on loopback.

`LMSServer` serves, from one temporary folder on 127.0.0.1 (a free port, a thread):

- `/host.html` + `/lms-host.js` (tests/js/): the host page. `lms.start({...})` puts
  scorm-again's `Scorm12API` as `window.API` or `Scorm2004API` as `window.API_1484_11`, with no
  network commits, every call recorded, and launches the package in a same-origin `<iframe>`,
  as a real LMS does;
- `/scorm-again.js`: the minified UMD build of npm's scorm-again (tests/js/node_modules, `npm ci`);
- `/pkg/<name>/`: unzipped packages (`LMSServer.mount`).

`open_visit(context, server, package, version, cmi=...)` opens the host page in a Playwright page
and returns a `Visit`: the calls the LMS received, the CMI it stored at each commit, the frames.
`Visit.resume_cmi()` turns what the LMS stored into what it hands the next visit (`cmi.entry`
"resume", `total_time` accumulated), as an LMS does on re-entry.
"""

from __future__ import annotations

import functools
import re
import shutil
import threading
import time
import zipfile
from dataclasses import dataclass, field
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

PROJECT = Path(__file__).resolve().parents[2]
JS = PROJECT / "tests" / "js"
SCORM_AGAIN = JS / "node_modules" / "scorm-again" / "dist" / "scorm-again.min.js"  # UMD: window.Scorm12API, …
HOST_FILES = ("host.html", "lms-host.js", "selftest.html")

# Value formats an LMS accepts (docs/tracking.md, shared LMS notes): checked on what the LMS received.
SESSION_TIME_12 = re.compile(r"^\d{2,4}:\d{2}:\d{2}(\.\d{1,2})?$")
# ISO 8601 duration, time part only or with days; at most 2 decimals on the seconds.
DURATION_2004 = re.compile(r"^P(?!$)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d{1,2})?S)?)?$")
TIMESTAMP_2004 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,2})?(Z|[+-]\d{2}(:\d{2})?)?$")
TIME_12 = re.compile(r"^\d{2}:\d{2}:\d{2}(\.\d{1,2})?$")

METHODS = {
    "1.2": {"init": "LMSInitialize", "finish": "LMSFinish", "commit": "LMSCommit",
            "get": "LMSGetValue", "set": "LMSSetValue"},
    "2004": {"init": "Initialize", "finish": "Terminate", "commit": "Commit",
             "get": "GetValue", "set": "SetValue"},
}


class _Quiet(SimpleHTTPRequestHandler):
    """Static files, never cached, nothing logged to stderr; a POST (scorm-again's commit to `lmsCommitUrl`)
    is answered as an LMS answers a commit it stored."""

    def do_POST(self) -> None:  # noqa: N802 - the base class's naming
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        body = b'{"result": true, "errorCode": 0}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")
        super().end_headers()

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        pass


class LMSServer:
    """Static HTTP server on 127.0.0.1 at a free port, in a thread, rooted at `root`."""

    def __init__(self, root: Path):
        if not SCORM_AGAIN.is_file():
            raise FileNotFoundError(f"{SCORM_AGAIN} is missing: run `npm ci` in tests/js "
                                    "(bash scripts/test does it)")
        self.root = root
        root.mkdir(parents=True, exist_ok=True)
        for name in HOST_FILES:
            shutil.copyfile(JS / name, root / name)
        shutil.copyfile(SCORM_AGAIN, root / "scorm-again.js")
        handler = functools.partial(_Quiet, directory=str(root))
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.origin = f"http://127.0.0.1:{self.port}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, name="test-lms", daemon=True)
        self.thread.start()

    def url(self, path: str = "") -> str:
        return f"{self.origin}/{path.lstrip('/')}"

    def mount(self, name: str, package: Path) -> str:
        """Unzip (or copy) a package to /pkg/<name>/; returns its path on the server."""
        target = self.root / "pkg" / name
        if target.exists():
            shutil.rmtree(target)
        if package.is_dir():
            shutil.copytree(package, target)
        else:
            with zipfile.ZipFile(package) as archive:
                archive.extractall(target)
        return f"pkg/{name}/"

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self.thread.join(5)


@dataclass
class Visit:
    """One learner visit: the host page in a browser page, with the package launched in its frame."""

    page: Any  # playwright Page
    server: LMSServer
    version: str  # "1.2" or "2004"
    launch: str  # path on the server of the launched page
    popup: Any = None  # the package's own window, when the LMS launched it in a new window

    # --- what the LMS received ------------------------------------------------------------
    def state(self) -> dict:
        return self.page.evaluate("() => lms.state()")

    def calls(self, *kinds: str) -> list[dict]:
        """Recorded calls, optionally only those of some kinds (init, finish, commit, get, set)."""
        calls = self.page.evaluate("() => lms.calls")
        if not kinds:
            return calls
        wanted = {METHODS[self.version][k] for k in kinds}
        return [c for c in calls if c["method"] in wanted]

    def sets(self) -> list[tuple[str, str, str, str]]:
        """(element, value, result, error) of every SetValue, in order."""
        return [(c["args"][0], c["args"][1] if len(c["args"]) > 1 else "", c["result"], c["error"])
                for c in self.calls("set")]

    def failed_sets(self) -> list[tuple[str, str, str, str]]:
        """SetValue calls the LMS refused (an invalid element or value): each is a runtime bug."""
        return [s for s in self.sets() if s[2] != "true"]

    def commits(self) -> list[dict]:
        return self.page.evaluate("() => lms.commits")

    def stored(self) -> dict:
        """The CMI as the LMS stored it at the last successful Commit/Finish ({} if none)."""
        commits = self.commits()
        return commits[-1]["cmi"] if commits else {}

    def cmi(self) -> dict:
        """The CMI in the LMS right now, committed or not."""
        return self.page.evaluate("() => lms.cmi()")

    def get(self, element: str) -> str:
        """A CMI value as the LMS holds it (read inside the API, not a recorded GetValue)."""
        return self.page.evaluate("el => String(lms.api.getCMIValue(el))", element)

    # --- frames ---------------------------------------------------------------------------
    @property
    def shell(self):
        """The frame the LMS launched (the package's index.html, or wherever it went)."""
        if self.popup is not None:
            return self.popup.main_frame
        for frame in self.page.main_frame.child_frames:
            return frame
        raise AssertionError("the test LMS has no package frame")

    def content(self):
        """The frame showing a course page: the shell's own frame when it has one, else the shell."""
        shell = self.shell
        for frame in shell.child_frames:
            if frame.url.startswith(self.server.origin):
                return frame
        return shell

    # --- the learner ------------------------------------------------------------------------
    def leave(self, how: str = "blank") -> None:
        """The learner leaves (pagehide/unload in the package): the LMS navigates its frame away
        ("blank") or drops it ("remove"); a package in its own window is closed ("close")."""
        if self.popup is not None:
            self.popup.close(run_before_unload=True)
            self.page.wait_for_function("() => lms.popup.closed")
        else:
            self.page.evaluate("how => lms.leave(how)", how)

    def resume_cmi(self, **extra: Any) -> dict:
        """What the LMS hands the next visit: the stored CMI, entry "resume" after a suspend,
        total_time accumulated, read-only and write-only session fields dropped."""
        return resume_cmi(self.version, self.stored(), **extra)


def resume_cmi(version: str, stored: dict, **extra: Any) -> dict:
    cmi = stored.get("cmi", stored)
    if version == "1.2":
        core = cmi.get("core", {})
        seed = {
            "core": {
                "student_id": core.get("student_id") or "learner-1",
                "student_name": core.get("student_name") or "Learner, Test",
                "lesson_location": core.get("lesson_location", ""),
                "lesson_status": core.get("lesson_status", ""),
                "entry": "resume" if core.get("exit") == "suspend" else "",
                "total_time": _add_12(core.get("total_time") or "0000:00:00", core.get("session_time") or ""),
                "score": {k: core.get("score", {}).get(k, "") for k in ("raw", "min", "max")},
            },
            "suspend_data": cmi.get("suspend_data", ""),
            "launch_data": cmi.get("launch_data", ""),
        }
        interactions = _items(cmi.get("interactions"))
        if interactions:
            seed["interactions"] = [_clean_interaction(i) for i in interactions]
    else:
        seed = {
            "learner_id": cmi.get("learner_id") or "learner-1",
            "learner_name": cmi.get("learner_name") or "Learner, Test",
            "location": cmi.get("location", ""),
            "completion_status": cmi.get("completion_status", ""),
            "success_status": cmi.get("success_status", ""),
            "progress_measure": cmi.get("progress_measure", ""),
            "entry": "resume" if cmi.get("exit") == "suspend" else "",
            "total_time": _add_2004(cmi.get("total_time") or "PT0S", cmi.get("session_time") or ""),
            "score": {k: cmi.get("score", {}).get(k, "") for k in ("scaled", "raw", "min", "max")},
            "suspend_data": cmi.get("suspend_data", ""),
            "launch_data": cmi.get("launch_data", ""),
        }
        interactions = _items(cmi.get("interactions"))
        if interactions:
            seed["interactions"] = [_clean_interaction(i) for i in interactions]
    _merge(seed, extra)
    return _drop_empty(seed)


def _items(collection: Any) -> list[dict]:
    """scorm-again renders lists as {"0": {...}, "1": {...}} (or [..]); returns them in order."""
    if isinstance(collection, list):
        return [c for c in collection if c]
    if isinstance(collection, dict):
        keys = sorted((k for k in collection if k.isdigit()), key=int)
        return [collection[k] for k in keys]
    return []


def _clean_interaction(item: dict) -> dict:
    out = {k: v for k, v in item.items() if k not in ("objectives", "correct_responses") and v not in ("", None)}
    patterns = _items(item.get("correct_responses"))
    if patterns:
        out["correct_responses"] = patterns
    return out


def _merge(into: dict, extra: dict) -> None:
    for key, value in extra.items():
        if isinstance(value, dict) and isinstance(into.get(key), dict):
            _merge(into[key], value)
        else:
            into[key] = value


def _drop_empty(value: Any) -> Any:
    if isinstance(value, dict):
        out = {k: _drop_empty(v) for k, v in value.items()}
        return {k: v for k, v in out.items() if v not in ("", None, {}, [])}
    if isinstance(value, list):
        return [_drop_empty(v) for v in value]
    return value


def seconds_12(value: str) -> float:
    hours, minutes, seconds = value.split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(seconds)


def seconds_2004(value: str) -> float:
    match = DURATION_2004.match(value)
    if not match:
        raise ValueError(f"not an ISO 8601 duration: {value!r}")
    years, months, days, _, hours, minutes, secs, _ = match.groups()
    total = 0.0
    for part, scale in ((years, 365 * 86400), (months, 30 * 86400), (days, 86400), (hours, 3600), (minutes, 60)):
        if part:
            total += float(part[:-1]) * scale
    if secs:
        total += float(secs[:-1])
    return total


def _add_12(total: str, session: str) -> str:
    seconds = seconds_12(total) + (seconds_12(session) if SESSION_TIME_12.match(session) else 0)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{int(hours):04d}:{int(minutes):02d}:{secs:05.2f}"


def _add_2004(total: str, session: str) -> str:
    seconds = seconds_2004(total) + (seconds_2004(session) if DURATION_2004.match(session) else 0)
    return f"PT{seconds:.2f}S"


@dataclass
class Watch:
    """What the pages of one browser context did that a learner would notice, or that left loopback."""

    blocked: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"request off the test LMS (blocked): {u}" for u in self.blocked] + self.errors
                + [f"dialog shown to the learner: {d}" for d in self.dialogs])


@pytest.fixture(scope="session")
def lms_server(tmp_path_factory):
    """The test LMS on 127.0.0.1, one per session."""
    server = LMSServer(tmp_path_factory.mktemp("lms"))
    yield server
    server.close()


@pytest.fixture
def lms_context(browser, lms_server):
    """`lms_context(**options)` -> (context, watch): a fresh browser context (its own storage) in which
    only the test LMS's origin and file:// load; console errors, page errors and dialogs are recorded."""
    contexts = []

    def make(**options):
        context, watch = watched_context(browser, (lms_server.origin + "/", "file://"), **options)
        contexts.append(context)
        return context, watch

    yield make
    for context in contexts:
        context.close()


def watched_context(browser, allowed: tuple[str, ...], **options) -> tuple[Any, Watch]:
    """A fresh browser context in which only URLs starting with `allowed` (and data:, blob:, about:) load,
    with what a learner would notice recorded in its Watch."""
    context = browser.new_context(**options)
    watch = Watch()
    allowed = (*allowed, "data:", "blob:", "about:")

    def route(route):
        url = route.request.url
        if url.startswith(allowed):
            route.continue_()
        else:
            watch.blocked.append(url)
            route.abort("blockedbyclient")

    def dialog(d):
        watch.dialogs.append(f"{d.type}: {d.message}")
        d.dismiss()

    context.route("**/*", route)
    context.on("console", lambda m: watch.errors.append(
        f"console error: {m.text} ({m.location.get('url', '')}:{m.location.get('lineNumber', 0)})")
        if m.type == "error" else None)
    context.on("weberror", lambda e: watch.errors.append(f"page error: {e.error}"))
    context.on("dialog", dialog)
    context.set_default_timeout(10_000)
    return context, watch


def open_visit(context, server: LMSServer, launch: str, version: str, *, cmi: dict | None = None,
               faults: dict | None = None, settings: dict | None = None, window: bool = False,
               wait_for: str | None = "load", decoy: bool = False, limits: dict | None = None):
    """Open the test LMS in a new page of `context` and launch `launch` (a path on the server),
    in a frame of the LMS page or, with `window`, in a new window of its own."""
    page = context.new_page()
    page.goto(server.url("host.html"))
    options = {"version": version, "launch": server.url(launch), "cmi": cmi, "faults": faults or {},
               "window": window, "settings": settings or {}, "decoy": decoy, "limits": limits or {}}
    if window:
        with context.expect_page() as opened:
            page.evaluate("options => lms.start(options)", options)
        visit = Visit(page, server, version, launch, popup=opened.value)
        if wait_for:
            visit.popup.wait_for_load_state(wait_for)
        return visit
    page.evaluate("options => lms.start(options)", options)
    visit = Visit(page, server, version, launch)
    if wait_for:
        deadline = time.monotonic() + 10
        while not page.main_frame.child_frames and time.monotonic() < deadline:
            page.wait_for_timeout(20)
        visit.shell.wait_for_load_state(wait_for)
    return visit
