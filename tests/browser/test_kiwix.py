"""Quizzes in a ZIM file served by Kiwix: kiwix-serve (Debian kiwix-tools, what a Kiwix hotspot runs)
serves the file over HTTP with its own bar injected into every page, and Chromium answers a
knowledge check, which the runtime keeps in the browser's localStorage as in the offline package.
"""

from __future__ import annotations

import socket
import subprocess
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main
from conftest import SOURCE

KIWIX_SERVE = Path("/usr/bin/kiwix-serve")
BOOK = "participatory-planning-1.0.0-en"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def kiwix(tmp_path_factory):
    """The course's English ZIM served by kiwix-serve; yields the book's base URL."""
    if not KIWIX_SERVE.exists():
        pytest.fail(f"{KIWIX_SERVE} is missing: run the suite with `bash scripts/test`, which installs "
                    "kiwix-tools", pytrace=False)
    out = tmp_path_factory.mktemp("kiwix") / "dist"
    result = CliRunner().invoke(main, ["build", str(SOURCE / "participatory-planning"), "--source", str(SOURCE),
                                       "--out", str(out), "-f", "zim"], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    port = free_port()
    server = subprocess.Popen([str(KIWIX_SERVE), "--address", "127.0.0.1", "--port", str(port),
                               str(out / f"{BOOK}.zim")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/{BOOK}/"
    finally:
        server.terminate()
        server.wait(timeout=10)


def test_a_knowledge_check_works_and_is_kept_in_kiwix(kiwix, browser):
    context = browser.new_context()
    try:
        page = context.new_page()
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.goto(kiwix + "03-running-the-workshop.html")
        quiz = page.locator("[data-quiz=check-running]")
        for question in quiz.locator(".cp-q").all():
            question.locator("input").first.check()
        quiz.locator(".cp-check").click()
        page.wait_for_function("document.querySelector('[data-quiz=check-running] .cp-result').textContent.trim()")
        result = quiz.locator(".cp-result").inner_text()
        assert "Your score:" in result
        page.reload()
        page.wait_for_function("document.querySelector('[data-quiz=check-running] .cp-result').textContent.trim()")
        # kept in localStorage across a reload: the answers, and the offer to check again
        assert quiz.locator(".cp-result").inner_text() == "You can change your answers and check again."
        assert quiz.locator(".cp-q input:checked").count() == quiz.locator(".cp-q").count()
        page.goto(kiwix + "progress.html")
        progress = page.locator("main").inner_text()
        assert "Check: running the workshop: best score 25%, attempts used: 1" in progress
        assert "Pages read: 1 of 4." in progress
        assert not errors
    finally:
        context.close()
