"""`coursepack serve`: a real server in a subprocess, fetched over HTTP, edited on disk, stopped with Ctrl-C.

Every wait is bounded (HANG_GUARD) so a broken server fails the test instead of hanging it; the bound is a
guard, not a speed claim (bench/ measures speed).
"""

from __future__ import annotations

import shutil
import signal
import socket
import sys
import threading
import time
import zipfile

import pytest
from serving import HANG_GUARD, Events, Server

from builder.serve import EVENTS
from builder.watch import watch


@pytest.fixture
def server(new_course, tmp_path):
    running = Server(new_course, tmp_path)
    yield running
    if running.proc.poll() is None:
        running.proc.kill()
        running.proc.wait()


def test_serves_reloads_after_a_save_survives_a_broken_one_and_stops_on_ctrl_c(server, new_course, tmp_path):
    assert server.banner.startswith(f"Serving town-course at http://127.0.0.1:{server.port}/"), server.err
    home = server.get("/")  # redirected to the course's home page
    assert "<title>Town course</title>" in home and EVENTS in home
    assert home.index(EVENTS) < home.index("</body>")
    module = new_course / "modules" / "01-welcome.md"
    page = module.stem + ".html"
    assert "Brand-new paragraph" not in server.get(f"/town-course/{page}")

    events = Events(server)
    first = events.next()
    assert first["errors"] == []
    module.write_text(module.read_text(encoding="utf-8") + "\nBrand-new paragraph.\n", encoding="utf-8")
    assert events.next() == {"version": first["version"] + 1, "errors": []}
    assert "Brand-new paragraph." in server.get(f"/town-course/{page}")

    module.write_text(module.read_text(encoding="utf-8") + "\n[broken](03-missing.md)\n", encoding="utf-8")
    broken = events.next()
    assert broken["version"] == first["version"] + 1  # nothing rebuilt: the last good site stays
    assert any("03-missing.md" in e and "01-welcome.md" in e for e in broken["errors"]), broken
    assert "Brand-new paragraph." in server.get(f"/town-course/{page}")  # still serving
    assert any("03-missing.md" in line for line in server.err)  # and said so in the terminal

    module.write_text(module.read_text(encoding="utf-8").replace("[broken](03-missing.md)", "Fixed."),
                      encoding="utf-8")
    assert events.next() == {"version": first["version"] + 2, "errors": []}
    assert "Fixed." in server.get(f"/town-course/{page}")

    code, out = server.stop()
    assert code == 0 and out.rstrip().endswith("Stopped.")
    assert server.leftovers() == []  # the temporary site is removed


def test_a_course_broken_from_the_start_shows_its_errors_and_builds_once_fixed(new_course, tmp_path):
    module = new_course / "modules" / "02-first-steps.md"
    good = module.read_text(encoding="utf-8")
    module.write_text(good + "\n[broken](03-missing.md)\n", encoding="utf-8")
    server = Server(new_course, tmp_path)
    try:
        assert server.banner.startswith("Serving town-course"), server.err
        assert "has not built yet" in server.get("/town-course/index.html")
        events = Events(server)
        assert any("03-missing.md" in e for e in events.next()["errors"])
        module.write_text(good, encoding="utf-8")
        assert events.next()["errors"] == []
        assert "<title>Town course</title>" in server.get("/town-course/index.html")
    finally:
        assert server.stop()[0] == 0


def test_the_reload_script_is_never_in_a_package(new_course, run, tmp_path):
    assert run("build", new_course, "--out", tmp_path / "dist", "-f", "offline", "-f", "scorm12",
               "-f", "single").exit_code == 0
    for package in (tmp_path / "dist").glob("town-course-*"):
        if package.suffix == ".zip":
            with zipfile.ZipFile(package) as archive:
                assert not any(EVENTS.encode() in archive.read(n) for n in archive.namelist()), package.name
        else:
            assert EVENTS.encode() not in package.read_bytes()


def test_a_busy_port_is_one_clear_error(new_course, run):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run("serve", new_course, "--port", port)
    assert result.exit_code == 1
    assert f"cannot serve on 127.0.0.1:{port}: Address already in use — choose another --port" in result.output


def test_the_polling_fallback_sees_a_save(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "watchfiles", None)  # as if it were not installed
    (tmp_path / "a.md").write_text("one")
    stop = threading.Event()
    changes = watch([tmp_path], lambda path: False, stop)

    def save():
        time.sleep(0.5)
        (tmp_path / "a.md").write_text("two, longer")
        (tmp_path / ".a.md.swp").write_text("editor litter")
    threading.Thread(target=save, daemon=True).start()
    threading.Timer(HANG_GUARD, stop.set).start()
    assert next(changes) == {tmp_path / "a.md"}
    stop.set()


def test_an_internal_error_while_rebuilding_is_shown_and_the_preview_goes_on(new_course, monkeypatch):
    from builder import serve

    preview = serve.Preview([new_course], None, None)
    try:
        preview.build(new_course.resolve())
        assert preview.state.version == 1 and preview.state.errors == {}

        def bug(*args):
            raise ZeroDivisionError("division by zero")
        monkeypatch.setattr(serve, "gather", bug)
        preview.build(new_course.resolve())
        [error] = preview.state.errors[new_course.resolve()]
        assert "internal error: ZeroDivisionError: division by zero — a bug in coursepack" in error
        assert preview.state.version == 1 and (preview.folder(new_course) / "index.html").is_file()
    finally:
        shutil.rmtree(preview.site)


@pytest.mark.parametrize("signum, ignore_ctrl_c", [(signal.SIGTERM, False), (signal.SIGINT, True)],
                         ids=["kill", "ctrl-c-when-started-in-the-background"])
def test_kill_or_ctrl_c_in_the_background_stops_it_cleanly_too(new_course, tmp_path, signum, ignore_ctrl_c):
    server = Server(new_course, tmp_path, ignore_ctrl_c)
    assert server.banner.startswith("Serving town-course"), server.err
    code, out = server.stop(signum)
    assert code == 0 and out.rstrip().endswith("Stopped.")
    assert server.leftovers() == []
