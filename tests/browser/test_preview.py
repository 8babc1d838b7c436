"""`coursepack serve` in Chromium: the chooser and switcher of a course in two languages, progress kept in
localStorage as offline, the page reloading by itself after a save, and the error overlay of a broken save.

Waits are bounded (HANG_GUARD), as guards against a hang, not as speed claims.
"""

from __future__ import annotations

import shutil

import pytest
from conftest import SOURCE
from serving import HANG_GUARD, Server

COURSE = "participatory-planning"  # two languages: served as the package holding both


@pytest.fixture
def served(tmp_path):
    course = shutil.copytree(SOURCE / COURSE, tmp_path / "courses" / COURSE)
    server = Server(course, tmp_path)
    assert server.banner.startswith(f"Serving {COURSE}"), server.err
    yield course, server
    assert server.stop()[0] == 0


def test_preview_switches_language_keeps_progress_and_reloads_after_a_save(served, browser):
    course, server = served
    context = browser.new_context()
    page = context.new_page()
    page.set_default_timeout(HANG_GUARD * 1000)
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    outside: list[str] = []
    page.on("request", lambda r: outside.append(r.url) if not r.url.startswith(server.url()) else None)

    page.goto(server.url())  # the chooser of the package holding every language
    page.locator(".lang-choice a[hreflang=es]").click()
    page.wait_for_url("**/es/index.html")
    page.locator("a[href$='01-why-participation.html']:visible").first.click()
    page.wait_for_url("**/es/01-why-participation.html")
    page.locator(".lang-switch a[hreflang=en]").click()
    page.wait_for_url("**/en/01-why-participation.html")
    stored = page.evaluate("() => Object.keys(localStorage).filter(k => k.startsWith('coursepack:'))")
    assert f"coursepack:{COURSE}:1.0.0" in stored, stored  # tracking as offline: in the browser
    assert page.evaluate(f"() => localStorage.getItem('coursepack:{COURSE}:1.0.0:lang')") == "en"

    module = course / "modules" / "01-why-participation.md"
    module.write_text(module.read_text(encoding="utf-8") + "\nA sentence written while previewing.\n",
                      encoding="utf-8")
    page.wait_for_function("() => document.body.innerText.includes('A sentence written while previewing.')")

    good = module.read_text(encoding="utf-8")
    module.write_text(good + "\n[broken](09-missing.md)\n", encoding="utf-8")
    overlay = page.locator("#coursepack-serve-errors")
    overlay.wait_for()
    assert "09-missing.md" in overlay.inner_text()
    assert "A sentence written while previewing." in page.inner_text("main")  # the last good page stays
    module.write_text(good.replace("A sentence written while previewing.", "Fixed while previewing."),
                      encoding="utf-8")
    page.wait_for_function("() => document.body.innerText.includes('Fixed while previewing.')")
    assert overlay.count() == 0
    assert errors == [] and outside == []
    context.close()
