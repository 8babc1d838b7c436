"""Hostile and careless course material: every case fails cleanly, reads nothing outside the course, stays bounded.

Each case starts from a course built once (`coursepack new town`, then `build`), applies one edit
and runs `coursepack build` and `coursepack check`. Both must exit with 1, print exactly the
expected error lines (no traceback), and the build must leave the earlier packages byte-identical.
Files outside the course hold a marker string that must never reach a package. Cases that could
hang or exhaust memory (FIFOs, YAML bombs, huge files) run the CLI in a subprocess under
`resource` limits: a guard against hangs and bombs, not a measure of speed.
"""

from __future__ import annotations

import os
import resource
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from test_broken_courses import (COURSE, KEEP, STEPS, WELCOME, YAML, Edit, append, assert_clean_failure, both,
                                 coursepack, error_lines, replace, snapshot, write)

MARKER = "MARKER-7f3a9c-outside-the-course"
SECRET = "../../secret.txt"  # from the course folder: tmp_path/secret.txt, outside it
OUTSIDE = f"{MARKER}\n"
LINK_HINT = "copy the file into the course folder instead of linking to it"
SPECIAL_HINT = "replace it with an ordinary file"
ALIAS_HINT = "write the value out in full where it is needed"
BRACKET_HINT = (r"close each one, or write \[ \( \< for a bracket that is text; the first that does not close may "
                "be on this line")
PROJECT = Path(__file__).resolve().parent.parent


def link(rel: str, target: str = SECRET) -> Edit:
    """Make `rel` a symbolic link to `target` (written relative to the course folder, stored as given)."""

    def edit(course: Path) -> None:
        path = course / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        path.symlink_to(os.path.relpath(course / target, path.parent))

    return edit


def fifo(rel: str) -> Edit:
    def edit(course: Path) -> None:
        path = course / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
        os.mkfifo(path)

    return edit


def folder(rel: str) -> Edit:
    def edit(course: Path) -> None:
        (course / rel).mkdir(parents=True)

    return edit


def sparse(rel: str, size: int) -> Edit:
    """A file of `size` bytes that takes no room on disk (and must never be read)."""

    def edit(course: Path) -> None:
        with open(course / rel, "wb") as f:
            f.truncate(size)

    return edit


def crlf(rel: str, ending: str) -> Edit:
    """Rewrite a file with other line ends: '\\r\\n' (Windows) or '\\r' (classic Mac OS)."""

    def edit(course: Path) -> None:
        path = course / rel
        path.write_bytes(path.read_bytes().replace(b"\n", ending.encode()))

    return edit


ALIAS_BOMB = "bomb: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"b{i}: &b{i} [{', '.join([f'*{prev}'] * 9)}]\n" for i, prev in enumerate(["a"] + [f"b{i}" for i in range(8)]))
MEDIA = "\n![Interview with the mayor](../media/talk.mp3)\n"
VIDEO = "\n![Video: the river](../media/clip.mp4)\n"
STYLES = "\nThe [print styles](../styles/print.css).\n"
DEFINITIONS = "".join(f"Term {i}\n:   Definition {i}\n" for i in range(1200))
LONG_ID = "a" * 65

CASES = [
    # files from outside the course, in every role
    pytest.param(
        link("course.yaml"),
        [f"{YAML}:1: this course.yaml is a link to a file outside the course folder — {LINK_HINT}"],
        id="course-yaml-link-outside"),
    pytest.param(
        link("modules/03-extra.md"),
        [f"{COURSE}/modules/03-extra.md:1: this module is a link to a file outside the course folder — {LINK_HINT}"],
        id="module-link-outside"),
    pytest.param(
        both(append("course.yaml", "modules: [modules/01-welcome.md, modules/02-first-steps.md, modules/03-extra.md]\n"),
             link("modules/03-extra.md")),
        [f"{YAML}:19: modules: 'modules/03-extra.md': this module is a link to a file outside the course folder "
         f"— {LINK_HINT}"],
        id="listed-module-link-outside"),
    pytest.param(
        folder("modules/03-folder.md"),
        [f"{COURSE}/modules/03-folder.md: this module is a folder, not a regular file — {SPECIAL_HINT}"],
        id="folder-named-like-a-module"),
    pytest.param(
        link("templates/home.html"),
        [f"{COURSE}/templates/home.html:1: this template is a link to a file outside the course folder — "
         f"{LINK_HINT}"],
        id="template-link-outside"),
    pytest.param(
        both(write("../../outside/home.html", OUTSIDE), link("templates", "../../outside")),
        [f"{COURSE}/templates/home.html:1: this template is a link to a file outside the course folder — "
         f"{LINK_HINT}"],
        id="templates-folder-link-outside"),
    pytest.param(
        both(write("../../outside/01-welcome.md", f"# {MARKER}\n"), write("../../outside/02-first-steps.md", "# B\n"),
             lambda course: shutil.rmtree(course / "modules"), link("modules", "../../outside")),
        [f"{COURSE}/modules/01-welcome.md:1: this module is a link to a file outside the course folder — {LINK_HINT}",
         f"{COURSE}/modules/02-first-steps.md:1: this module is a link to a file outside the course folder — "
         f"{LINK_HINT}"],
        id="modules-folder-link-outside"),
    pytest.param(
        link("templates/single.js"),
        [f"{COURSE}/templates/single.js:1: this template is a link to a file outside the course folder — "
         f"{LINK_HINT}"],
        id="template-only-the-single-file-uses"),
    pytest.param(
        link("templates/static/coursepack.css"),
        [f"{COURSE}/templates/static/coursepack.css:1: this stylesheet is a link to a file outside the course "
         f"folder — {LINK_HINT}"],
        id="static-override-link-outside"),
    pytest.param(
        link("templates/locales/en.yaml"),
        [f"{COURSE}/templates/locales/en.yaml:1: this interface strings file is a link to a file outside the course "
         f"folder — {LINK_HINT}"],
        id="locale-link-outside"),
    pytest.param(
        both(write("media/talk.mp3", b"ID3"), link("media/talk.transcript.md"), append("modules/01-welcome.md", MEDIA)),
        [f"{COURSE}/media/talk.transcript.md:1: this transcript is a link to a file outside the course folder — "
         f"{LINK_HINT}"],
        id="transcript-link-outside"),
    pytest.param(
        both(write("media/clip.mp4", b"\0\0\0\x18ftypmp42"), link("media/clip.vtt"),
             append("modules/01-welcome.md", VIDEO)),
        [f"{WELCOME}:19: '../media/clip.vtt' is a link to a file outside the course folder — {LINK_HINT}"],
        id="captions-link-outside"),
    pytest.param(
        both(link("styles/print.css"), append("modules/01-welcome.md", STYLES)),
        [f"{WELCOME}:19: '../styles/print.css' is a link to a file outside the course folder — {LINK_HINT}"],
        id="linked-stylesheet-link-outside"),
    # YAML bombs and mistakes
    pytest.param(
        append("course.yaml", ALIAS_BOMB),
        [f"{YAML}:20: YAML aliases (*a) are not allowed — {ALIAS_HINT}"],
        id="course-yaml-alias-bomb"),
    pytest.param(
        replace("modules/02-first-steps.md", "duration: 30min\n", "duration: 30min\n" + ALIAS_BOMB),
        [f"{STEPS}:5: YAML aliases (*a) are not allowed — {ALIAS_HINT}"],
        id="front-matter-alias-bomb"),
    pytest.param(
        append("course.yaml", "keywords: " + "[" * 5000 + "]" * 5000 + "\n"),
        [f"{YAML}:19: nested more than 10 levels deep — nothing in this file nests so deep; check the indentation "
         "and the brackets"],
        id="deeply-nested-yaml"),
    pytest.param(
        append("course.yaml", "title: Town again\n"),
        [f"{YAML}:19: key 'title' is written twice, on lines 3 and 19 — keep one of them (YAML would silently use "
         "the last)"],
        id="duplicate-key"),
    pytest.param(
        replace("course.yaml", "  rule: pages\n", "  rule: pages\n  rule: pages\n"),
        [f"{YAML}:18: key 'rule' is written twice, on lines 17 and 18 — keep one of them (YAML would silently use "
         "the last)"],
        id="duplicate-nested-key"),
    pytest.param(
        replace("modules/02-first-steps.md", "duration: 30min\n", "duration: 30min\ndescription: Again\n"),
        [f"{STEPS}:4: key 'description' is written twice, on lines 2 and 4 — keep one of them (YAML would silently "
         "use the last)"],
        id="duplicate-front-matter-key"),
    pytest.param(
        replace("course.yaml", "mastery_score: 80", "mastery_score: " + "9" * 5000),
        [f"{YAML}:18: a number of 5000 characters — write a number of at most 30 digits, or quote it if it is text"],
        id="huge-number"),
    # control characters, lengths that break file names
    pytest.param(
        replace("course.yaml", "title: Town", r'title: "Town\a"'),
        [f"{YAML}:3: title: control character U+0007 in the text — remove it (it is invisible in most editors; an "
         r"escape like \a or \x07 writes one)"],
        id="control-character-escaped-in-title"),
    pytest.param(
        replace("course.yaml", "title: Town", "title: Town\x1b[31m"),
        [f"{YAML}:3: control character U+001B in column 12 — remove it (most editors do not show it)"],
        id="control-character-in-course-yaml"),
    pytest.param(
        replace("modules/02-first-steps.md", "# First steps", "# First\x01 steps"),
        [f"{STEPS}:5: control character U+0001 in column 8 — remove it (most editors do not show it)"],
        id="control-character-in-module"),
    pytest.param(
        replace("modules/02-first-steps.md", "duration: 30min\n", "duration: 30min\ntitle: \"First\\u0000\"\n"),
        [f"{STEPS}:4: title: control character U+0000 in the text — remove it (it is invisible in most editors; an "
         r"escape like \a or \x07 writes one)"],
        id="control-character-in-front-matter-title"),
    pytest.param(
        replace("course.yaml", "id: town", f"id: {LONG_ID}"),
        [f"{YAML}:2: id: 65 characters, over the limit of 64 — shorten it (it is part of file names), e.g. "
         "'land-use-basics'"],
        id="id-too-long-for-a-file-name"),
    pytest.param(
        replace("course.yaml", 'version: "0.1.0"', f"version: 1.{'0' * 300}"),
        [f"{YAML}:4: version: 302 characters, over the limit of 32 — shorten it (it is part of file names), e.g. "
         "'1.0.0'"],
        id="version-too-long-for-a-file-name"),
    pytest.param(
        replace("course.yaml", "language: en", "language: en-" + "-".join(["abcdefgh"] * 30)),
        [f"{YAML}:5: language: 272 characters, over the limit of 35 — shorten it (it is part of file names), e.g. "
         "'es'"],
        id="language-too-long-for-a-file-name"),
    # text that is not UTF-8
    pytest.param(
        both(write("styles/print.css", 'body { font-family: "Caf\xe9" }\n'.encode("latin-1")),
             append("modules/01-welcome.md", STYLES)),
        [f"{COURSE}/styles/print.css:1: file is not UTF-8 text (byte 0xE9 in column 25) — save it as UTF-8 in your "
         "editor"],
        id="latin1-stylesheet"),
    pytest.param(
        write("templates/static/coursepack.css", 'body { font-family: "Caf\xe9" }\n'.encode("latin-1")),
        [f"{COURSE}/templates/static/coursepack.css:1: file is not UTF-8 text (byte 0xE9 in column 25) — save it as "
         "UTF-8 in your editor"],
        id="latin1-static-override"),
    pytest.param(
        write("templates/home.html", "<p>Caf\xe9</p>\n".encode("latin-1")),
        [f"{COURSE}/templates/home.html:1: file is not UTF-8 text (byte 0xE9 in column 7) — save it as UTF-8 in your "
         "editor"],
        id="latin1-template"),
    pytest.param(
        both(write("media/clip.mp4", b"\0\0\0\x18ftypmp42"), write("media/clip.vtt", "WEBVTT\n\n\xe9\n".encode("latin-1")),
             append("modules/01-welcome.md", VIDEO)),
        [f"{COURSE}/media/clip.vtt:3: file is not UTF-8 text (byte 0xE9 in column 1) — save it as UTF-8 in your "
         "editor"],
        id="latin1-captions"),
    # sizes and shapes
    pytest.param(
        sparse("modules/03-huge.md", 50_000_000),
        [f"{COURSE}/modules/03-huge.md:1: this module is 50.0 MB, over the limit of 1.0 MB — split it into several "
         "modules"],
        id="module-of-50-mb"),
    pytest.param(
        write("modules/03-big.md", "# Big\n\n" + ("word " * 200_000)[:1_000_000 - 7] + "\n"),
        [f"{COURSE}/modules/03-big.md:1: this module is 1,000,001 bytes, over the limit of 1.0 MB — split it into "
         "several modules"],
        id="module-just-over-the-limit"),
    pytest.param(
        sparse("images/steps.svg", 20_000_000),
        [f"{WELCOME}:9: '../images/steps.svg': this SVG drawing is 20.0 MB, over the limit of 10.0 MB — simplify it "
         "in the drawing program"],
        id="drawing-too-big"),
    pytest.param(
        append("modules/02-first-steps.md", "\n" + "plan " * 12_000 + "\n"),
        [f"{STEPS}:17: line of 60,000 characters, over the limit of 50,000 — break it into paragraphs; put a large "
         "drawing or table in a file of its own"],
        id="line-too-long"),
    pytest.param(
        append("modules/02-first-steps.md", "\n" + "".join("| a | b |\n" for _ in range(25_000))),
        [f"{STEPS}:17: paragraph of 250,000 characters, over the limit of 200,000 — put a blank line between "
         "paragraphs, or split the table"],
        id="paragraph-too-long"),
    pytest.param(
        append("modules/02-first-steps.md", "\nSee " + "[" * 10_000 + "\n"),
        [f"{STEPS}:17: too many '[', '(' or '<' that do not close: converting the file would take minutes (a search "
         f"through 50,015,000 characters, over the limit of 5,000,000) — {BRACKET_HINT}"],
        id="unclosed-brackets"),
    pytest.param(
        append("modules/02-first-steps.md", "\n" + "<a " * 6_000 + "\n"),
        [f"{STEPS}:17: too many '[', '(' or '<' that do not close: converting the file would take minutes (a search "
         f"through 54,015,000 characters, over the limit of 5,000,000) — {BRACKET_HINT}"],
        id="unclosed-tags"),
    pytest.param(
        append("modules/02-first-steps.md", "\n" + DEFINITIONS),
        [f"{STEPS}:5: the module nests too deeply to convert — nest lists and quotes less deep, and put a blank "
         "line between the terms of a long definition list"],
        id="definition-list-too-long-without-blank-lines"),
    pytest.param(
        both(write("media/talk.mp3", b"ID3"), write("media/talk.transcript.md", DEFINITIONS),
             append("modules/01-welcome.md", MEDIA)),
        [f"{COURSE}/media/talk.transcript.md:1: the transcript nests too deeply to convert — nest lists less deep, "
         "and put a blank line between the terms of a long definition list"],
        id="transcript-definition-list-too-long"),
    pytest.param(
        replace("modules/02-first-steps.md", "duration: 30min\n", "duration: 30min\nkeywords: [" + "a, " * 8000 + "]\n"),
        [f"{STEPS}:1: front matter of 24,090 characters, over the limit of 20,000 — keep only the title, description "
         "and duration there"],
        id="front-matter-too-long"),
    # line ends: the line numbers stay right
    pytest.param(
        both(crlf("modules/02-first-steps.md", "\r"), replace("modules/02-first-steps.md", "## Before", "# Before")),
        [f"{STEPS}:7: second '# ' title 'Before you start' — a module has one '# ' title; use '## ' for its "
         "sections"],
        id="cr-only-line-ends-in-a-module"),
    pytest.param(
        both(crlf("course.yaml", "\r"), replace("course.yaml", "mastery_score: 80", "mastery_score: 120")),
        [f"{YAML}:18: completion.mastery_score: expected a number from 0 to 100, got 120 — "
         "write a number between 0 and 100"],
        id="cr-only-line-ends-in-course-yaml"),
    pytest.param(
        both(crlf("course.yaml", "\r\n"), append("course.yaml", "title: Again\r\n")),
        [f"{YAML}:19: key 'title' is written twice, on lines 3 and 19 — keep one of them (YAML would silently use "
         "the last)"],
        id="crlf-line-ends-in-course-yaml"),
]


# --- running ---------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A project with courses/town and its packages in dist/, built once for the whole module."""
    folder = tmp_path_factory.mktemp("built")
    cwd = os.getcwd()
    os.chdir(folder)
    try:
        assert coursepack("new", "town").exit_code == 0
        (folder / "dist").mkdir()
        (folder / "dist" / "keep.zip").write_bytes(KEEP)
        result = coursepack("build", COURSE, "--out", "dist")
        assert result.exit_code == 0, result.output
    finally:
        os.chdir(cwd)
    return folder


@pytest.fixture
def project(built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the built project in tmp_path/project (the working directory), beside the outside secret."""
    target = tmp_path / "project"
    shutil.copytree(built, target, symlinks=True)
    (tmp_path / "secret.txt").write_text(OUTSIDE, encoding="utf-8")
    (target / "secret.txt").write_text(OUTSIDE, encoding="utf-8")  # also outside the course folder
    monkeypatch.chdir(target)
    return target


def assert_no_marker(folder: Path) -> None:
    """The marker is in no file below `folder`, nor in any file inside a zip there."""
    for path in folder.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert MARKER.encode() not in data, path
            if path.name.startswith("town-") and path.suffix == ".zip":
                with zipfile.ZipFile(path) as archive:
                    for name in archive.namelist():
                        assert MARKER.encode() not in archive.read(name), f"{path}!{name}"


@pytest.mark.parametrize(("edit", "expected"), CASES)
def test_hostile_course(project: Path, edit: Edit, expected: list[str]) -> None:
    edit(Path(COURSE))
    before = snapshot(project / "dist")

    built = coursepack("build", COURSE, "--out", "dist")
    checked = coursepack("check", COURSE)

    for result in (built, checked):
        assert_clean_failure(result)
        assert error_lines(result) == expected
    assert snapshot(project / "dist") == before
    assert_no_marker(project / "dist")


def test_markdown_works_again_after_a_module_too_deep_for_it(project: Path) -> None:
    """A RecursionError left the shared Markdown converter half-way: later pages got an earlier page's text."""
    append("modules/02-first-steps.md", "\n" + DEFINITIONS)(Path(COURSE))
    assert coursepack("check", COURSE).exit_code == 1
    replace("modules/02-first-steps.md", DEFINITIONS, "Fresh text.\n")(Path(COURSE))

    result = coursepack("build", COURSE, "--out", "dist")

    assert result.exit_code == 0, result.output
    with zipfile.ZipFile("dist/town-0.1.0-offline.zip") as archive:
        assert b"<p>Fresh text.</p>" in archive.read("02-first-steps.html")


def test_an_unreadable_image_is_an_error(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A file the builder may not read (chmod 000; root reads anything, so the refusal is simulated)."""
    real_open = os.open

    def deny(path, flags, *args, **kwargs):
        if str(path).endswith("steps.svg"):
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, *args, **kwargs)

    monkeypatch.setattr(os, "open", deny)
    result = coursepack("build", COURSE, "--out", "dist")

    assert_clean_failure(result)
    assert error_lines(result) == [f"{WELCOME}:9: '../images/steps.svg': cannot read this SVG drawing: Permission "
                                   "denied — check that the file exists and that you may read it"]


def test_a_latin1_stylesheet_fails_the_single_file_cleanly(project: Path) -> None:
    """It used to pass `check` and crash `build -f single`, which reads stylesheets as UTF-8 to inline them."""
    write("templates/static/coursepack.css", 'body { font-family: "Caf\xe9" }\n'.encode("latin-1"))(Path(COURSE))
    before = snapshot(project / "dist")

    result = coursepack("build", COURSE, "--out", "dist", "-f", "single")

    assert_clean_failure(result)
    assert error_lines(result) == [f"{COURSE}/templates/static/coursepack.css:1: file is not UTF-8 text (byte 0xE9 in "
                                   "column 25) — save it as UTF-8 in your editor"]
    assert snapshot(project / "dist") == before


def test_links_inside_the_course_are_followed(project: Path) -> None:
    """A symbolic link to another file of the course is fine, in any role."""
    course = Path(COURSE)
    (course / "shared").mkdir()
    shutil.move(course / "images" / "steps.svg", course / "shared" / "steps.svg")
    link("images/steps.svg", "shared/steps.svg")(course)
    write("shared/home.html", '{% extends "base.html" %}{% block main %}<p>Shared home</p>{% endblock %}\n')(course)
    link("templates/home.html", "shared/home.html")(course)

    result = coursepack("build", COURSE, "--out", "dist")

    assert result.exit_code == 0, result.output
    with zipfile.ZipFile("dist/town-0.1.0-offline.zip") as archive:
        assert "files/shared/steps.svg" in archive.namelist()  # named after the file the link points to
        assert b"Shared home" in archive.read("index.html")


def test_windows_and_old_mac_line_ends_build(project: Path) -> None:
    for rel in ("course.yaml", "modules/01-welcome.md"):
        crlf(rel, "\r\n")(Path(COURSE))
    crlf("modules/02-first-steps.md", "\r")(Path(COURSE))

    result = coursepack("build", COURSE, "--out", "dist")

    assert result.exit_code == 0, result.output
    with zipfile.ZipFile("dist/town-0.1.0-offline.zip") as archive:
        assert b"<h2 id=\"before-you-start\">Before you start</h2>" in archive.read("02-first-steps.html")


# --- in a subprocess, under limits: nothing hangs, nothing explodes ---------------------------

MEMORY = 1_500_000_000  # bytes of address space
CPU = 60  # seconds of processor time
WALL = 120  # seconds: a process blocked on a FIFO uses no processor time


def bounded(*args: str, cpu: int = CPU) -> subprocess.CompletedProcess:
    """`coursepack ARGS` in a child process with limited memory, processor time (seconds) and wall time."""
    def limits() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (MEMORY, MEMORY))
        resource.setrlimit(resource.RLIMIT_CPU, (cpu, cpu))

    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    return subprocess.run([sys.executable, "-m", "builder", *args], capture_output=True, text=True, env=env,
                          preexec_fn=limits, timeout=WALL)


BOUNDED = [
    pytest.param(fifo("course.yaml"),
                 f"{YAML}:1: this course.yaml is a named pipe (FIFO), not a regular file — {SPECIAL_HINT}",
                 id="fifo-course-yaml"),
    pytest.param(fifo("modules/03-pipe.md"),
                 f"{COURSE}/modules/03-pipe.md:1: this module is a named pipe (FIFO), not a regular file — "
                 f"{SPECIAL_HINT}", id="fifo-module"),
    pytest.param(both(fifo("styles/print.css"), append("modules/01-welcome.md", STYLES)),
                 f"{WELCOME}:19: '../styles/print.css': this stylesheet is a named pipe (FIFO), not a regular file — "
                 f"{SPECIAL_HINT}", id="fifo-linked-file"),
    pytest.param(both(fifo("images/steps.svg")),
                 f"{WELCOME}:9: '../images/steps.svg': this SVG drawing is a named pipe (FIFO), not a regular file — "
                 f"{SPECIAL_HINT}", id="fifo-image"),
    pytest.param(fifo("templates/home.html"),
                 f"{COURSE}/templates/home.html:1: this template is a named pipe (FIFO), not a regular file — "
                 f"{SPECIAL_HINT}", id="fifo-template"),
    pytest.param(fifo("templates/locales/en.yaml"),
                 f"{COURSE}/templates/locales/en.yaml:1: this interface strings file is a named pipe (FIFO), not a "
                 f"regular file — {SPECIAL_HINT}", id="fifo-locale"),
    pytest.param(both(write("media/talk.mp3", b"ID3"), fifo("media/talk.transcript.md"),
                      append("modules/01-welcome.md", MEDIA)),
                 f"{COURSE}/media/talk.transcript.md:1: this transcript is a named pipe (FIFO), not a regular file — "
                 f"{SPECIAL_HINT}", id="fifo-transcript"),
    pytest.param(append("course.yaml", ALIAS_BOMB), f"{YAML}:20: YAML aliases (*a) are not allowed — {ALIAS_HINT}",
                 id="alias-bomb"),
    pytest.param(write("modules/03-one-line.md", "# One line\n\n" + "plan " * 1_000_000),
                 f"{COURSE}/modules/03-one-line.md:1: this module is 5.0 MB, over the limit of 1.0 MB — split it into "
                 "several modules", id="five-mb-one-line-paragraph"),
]


@pytest.mark.parametrize(("edit", "expected"), BOUNDED)
def test_bounded(project: Path, edit: Edit, expected: str) -> None:
    edit(Path(COURSE))
    before = snapshot(project / "dist")

    result = bounded("build", COURSE, "--out", "dist")  # check reports the same: the cases above show it

    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert expected in result.stderr.splitlines(), result.stderr
    assert snapshot(project / "dist") == before


def test_long_but_valid_modules_take_linear_time(project: Path) -> None:
    """Thousands of links, and headings or image attributes padded with spaces, once took minutes.

    This check takes about 4 s of processor time; before, 30 s (and a 1 MB module of links over 10 minutes).
    """
    links = "".join(f"See [part {i}](#top) and ![Step {i}](../images/steps.svg).\n\n" for i in range(10_000))
    question = "### Which" + " " * 49_000 + "one?\n- [x] This\n- [ ] That\n"
    quiz = f"::: quiz Check {{#check}}\n{question}{question.replace('### ', '### And ')}:::\n"
    figure = "![Steps](../images/steps.svg){" + " " * 30_000 + "x\n\n"  # not attributes: text after an image
    write("modules/03-links.md", f"# Many links\n\n## Top\n\n{figure}{links}{quiz}")(Path(COURSE))

    result = bounded("check", COURSE, cpu=20)

    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "1 of 1 course checked; 0 errors, 0 warnings", result.stderr


def test_real_paths_follow_links_as_resolve_does(tmp_path: Path) -> None:
    """RealPaths remembers folders, yet every link in a path (last part, folder, '..' after a link) is followed."""
    from builder.safefiles import RealPaths
    outside, course = tmp_path / "outside", tmp_path / "course"
    (outside / "deep").mkdir(parents=True)
    (course / "images").mkdir(parents=True)
    (outside / "secret.png").write_bytes(b"x")
    (course / "images" / "map.png").write_bytes(b"x")
    (course / "images" / "leak.png").symlink_to(outside / "secret.png")
    (course / "images" / "inside.png").symlink_to(course / "images" / "map.png")
    (course / "away").symlink_to(outside / "deep", target_is_directory=True)
    real = RealPaths()
    for written in ("images/map.png", "images/leak.png", "images/inside.png", "away/../secret.png", "away/x.png",
                    "images/../images/leak.png", "images/..", "missing/../images/map.png", "images/nothing.png"):
        path = course / written
        assert real.of(path) == path.resolve(), written
        assert real.of(path) == path.resolve(), written  # and again, from the folders it remembers
