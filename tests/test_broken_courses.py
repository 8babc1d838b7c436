"""Broken courses, as trainers break them: each problem is reported as `path:line: message — hint`.

Every case starts from the scaffold (`coursepack new town`), applies one edit, and runs
`coursepack build`. It must exit with 1, print exactly the expected error lines (no
traceback), and leave the output folder exactly as it was.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from builder.buildkey import RECORD  # the build record beside the packages (incremental builds)
from builder.cli import main

Edit = Callable[[Path], None]  # changes a course folder (given relative to the working directory)

COURSE = "courses/town"
YAML = f"{COURSE}/course.yaml"
WELCOME = f"{COURSE}/modules/01-welcome.md"
STEPS = f"{COURSE}/modules/02-first-steps.md"
KEEP = b"PK\x05\x06 an older package that a failed build must not touch"

# Hints repeated by several cases.
YAML_HINT = "check indentation and quote values that contain ': ' or start with a special character"
OUTSIDE_HINT = "copy the file into the course folder and link to the copy"
TEMPLATE_HINT = "fix the template (a course template overrides the one of the same name)"
NOT_UTF8 = "file is not UTF-8 text (byte 0xE9 in column {}) — save it as UTF-8 in your editor"


# --- edits ---------------------------------------------------------------------------------

def replace(rel: str, old: str | bytes, new: str | bytes) -> Edit:
    """Replace the one occurrence of `old` in a course file (bytes to write non-UTF-8 text)."""

    def edit(course: Path) -> None:
        path = course / rel
        data = path.read_bytes()
        old_b, new_b = (s.encode() if isinstance(s, str) else s for s in (old, new))
        assert data.count(old_b) == 1, f"the scaffold changed: {old!r} not found once in {rel}"
        path.write_bytes(data.replace(old_b, new_b))

    return edit


def write(rel: str, content: str | bytes) -> Edit:
    """Create or overwrite a file; `rel` may climb out of the course folder with '../'."""

    def edit(course: Path) -> None:
        path = course / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content.encode() if isinstance(content, str) else content)

    return edit


def append(rel: str, text: str) -> Edit:
    def edit(course: Path) -> None:
        path = course / rel
        path.write_text(path.read_text(encoding="utf-8") + text, encoding="utf-8")

    return edit


def delete(*rels: str) -> Edit:
    def edit(course: Path) -> None:
        for rel in rels:
            (course / rel).unlink()

    return edit


def symlink(rel: str, target: str) -> Edit:
    """Make `rel` a symbolic link to `target` (relative to the course folder), by absolute path."""

    def edit(course: Path) -> None:
        (course / rel).symlink_to((course / target).resolve())

    return edit


def both(*edits: Edit) -> Edit:
    def edit(course: Path) -> None:
        for step in edits:
            step(course)

    return edit


def modules(*entries: str) -> Edit:
    """Add a `modules:` list (lines 20, 21, … of course.yaml)."""
    return append("course.yaml", "modules:\n" + "".join(f"  - {entry}\n" for entry in entries))


LISTED = ("modules/01-welcome.md", "modules/02-first-steps.md")


# --- the cases -----------------------------------------------------------------------------

CASES = [
    # course.yaml
    pytest.param(
        replace("course.yaml", "title: Town", "title: Town: the basics"),
        [f"{YAML}:3: YAML syntax error: mapping values are not allowed here (column 12) — {YAML_HINT}"],
        id="yaml-syntax-error"),
    pytest.param(
        write("course.yaml", "- id: town\n- title: Town\n"),
        [f"{YAML}:1: expected a mapping of keys to values, got a list — write one 'key: value' per line"],
        id="course-yaml-not-a-mapping"),
    pytest.param(
        replace("course.yaml", "title: Town", "titel: Town"),
        [f"{YAML}:2: missing required key 'title' — add 'title: …' (shown on every page and in the LMS)",
         f"{YAML}:3: titel: unknown key — did you mean 'title'?"],
        id="unknown-key"),
    pytest.param(
        replace("course.yaml", "title: Town", "title: [Town, Roads]"),
        [f"{YAML}:3: title: expected text, got a list — write it as plain text, quoted if needed"],
        id="title-is-a-list"),
    pytest.param(
        replace("course.yaml", "mastery_score: 80", "mastery_score: eighty"),
        [f"{YAML}:18: completion.mastery_score: expected a number from 0 to 100, got text — "
         "write a plain number, e.g. 80"],
        id="mastery-score-text"),
    pytest.param(
        replace("course.yaml", "mastery_score: 80", "mastery_score: 120"),
        [f"{YAML}:18: completion.mastery_score: expected a number from 0 to 100, got 120 — "
         "write a number between 0 and 100"],
        id="mastery-score-out-of-range"),
    pytest.param(
        replace("course.yaml", "id: town\n", ""),
        [f"{YAML}:2: missing required key 'id' — add 'id: …' (stable id: package file names and SCORM "
         "identifiers derive from it)"],
        id="missing-id"),
    pytest.param(
        replace("course.yaml", "id: town", "id: Town Course"),
        [f"{YAML}:2: id: 'Town Course' is not a valid id (lowercase letters, digits and single '-', starting "
         "with a letter) — for example 'land-use-basics'"],
        id="invalid-id"),
    pytest.param(
        replace("course.yaml", 'version: "0.1.0"', "version: 1.0 beta"),
        [f"{YAML}:4: version: '1.0 beta' is not a valid version (letters, digits, '.', '-', '+') — "
         "for example '1.0.0'"],
        id="bad-version"),
    pytest.param(
        replace("course.yaml", "rule: pages", "rule: page"),
        [f"{YAML}:17: completion.rule: 'page' is not allowed — did you mean 'pages'?"],
        id="unknown-completion-rule"),
    pytest.param(
        replace("course.yaml", "language: en\n", "language: en\nlanguages: [es, fr]\n"),
        [f"{YAML}:6: languages: does not include the course language 'en' — add 'en' to languages"],
        id="language-not-in-languages"),
    pytest.param(
        replace("course.yaml", "language: en\n", "language: en\ntranslations:\n  es:\n    title: Pueblo\n"),
        [f"{YAML}:7: translations.es: 'es' is not one of the course languages — add it to languages:"],
        id="translation-for-unknown-language"),
    pytest.param(
        replace("course.yaml", "Town", "Caf\xe9".encode("latin-1")),
        [f"{YAML}:3: {NOT_UTF8.format(11)}"],
        id="course-yaml-not-utf8"),
    # the module list
    pytest.param(
        modules("modules/01-welcome.md", "modules/02-first-step.md"),
        [f"{YAML}:21: modules: 'modules/02-first-step.md': file not found — did you mean "
         "'modules/02-first-steps.md'?",
         f"{WELCOME}:14: '02-first-steps.md#before-you-start' is a Markdown file that is not a module of this "
         "course — add it to the course's modules, or link to one of them"],
        id="listed-module-missing"),
    pytest.param(
        modules("01-welcome.md", "modules/02-first-steps.md"),
        [f"{YAML}:20: modules: '01-welcome.md': file not found — did you mean 'modules/01-welcome.md'?"],
        id="listed-module-without-folder"),
    pytest.param(
        modules(*LISTED, "modules/01-welcome.md"),
        [f"{YAML}:22: modules[2]: 'modules/01-welcome.md' is listed twice — remove the repeat (first listed "
         "on line 20)"],
        id="module-listed-twice"),
    pytest.param(
        both(write("../outside.md", "# Outside\n"), modules(*LISTED, "../outside.md")),
        [f"{YAML}:22: modules: '../outside.md' leaves the course folder — keep every module inside the course "
         "folder"],
        id="module-outside-course"),
    pytest.param(
        delete("modules/01-welcome.md", "modules/02-first-steps.md"),
        [f"{YAML}:2: the course has no modules — add Markdown files under modules/, e.g. modules/01-welcome.md"],
        id="no-modules"),
    pytest.param(
        both(replace("course.yaml", "language: en\n", "language: en\nlanguages: [en, es]\n"),
             write("modules/03-extra.es.md", "# Extra\n")),
        [f"{COURSE}/modules/03-extra.es.md:1: translation without its 'en' module 03-extra.md — add 03-extra.md "
         "(the course language is 'en') or rename this file"],
        id="translation-without-primary"),
    # module files
    pytest.param(
        replace("modules/02-first-steps.md", "Term\n", "Caf\xe9 term\n".encode("latin-1")),
        [f"{STEPS}:14: {NOT_UTF8.format(4)}"],
        id="module-not-utf8"),
    pytest.param(
        replace("modules/02-first-steps.md", "duration: 30min", "duraton: 30min"),
        [f"{STEPS}:3: duraton: unknown key — did you mean 'duration'?"],
        id="front-matter-unknown-key"),
    pytest.param(
        replace("modules/02-first-steps.md", "duration: 30min\n---\n", "duration: 30min\n"),
        [f"{STEPS}:1: front matter is not closed — end it with a line holding only '---'"],
        id="front-matter-not-closed"),
    pytest.param(
        replace("modules/02-first-steps.md", "duration: 30min\n", "duration: [30min\n"),
        [f"{STEPS}:3: YAML syntax error: expected ',' or ']', but got '<stream end>' (column 17) — {YAML_HINT}"],
        id="front-matter-yaml-error"),
    pytest.param(
        replace("modules/02-first-steps.md", "# First steps\n", ""),
        [f"{STEPS}:5: the module has no title — start it with a '# Title' line or set 'title:' in its front "
         "matter"],
        id="module-without-title"),
    pytest.param(
        replace("modules/02-first-steps.md", "## Before you start", "# Before you start"),
        [f"{STEPS}:7: second '# ' title 'Before you start' — a module has one '# ' title; use '## ' for its "
         "sections"],
        id="two-titles"),
    pytest.param(
        append("modules/02-first-steps.md", "\n## Tools {: #tools }\n\nSee the tools.\n\n## Tools again {: #tools }\n"),
        [f"{STEPS}:21: the id 'tools' is used twice on this page — give each heading or anchor its own id"],
        id="duplicate-heading-id"),
    # links
    pytest.param(
        replace("modules/01-welcome.md", "(02-first-steps.md#before-you-start)", "(02-first-step.md)"),
        [f"{WELCOME}:14: '02-first-step.md': file not found — did you mean '02-first-steps.md'?"],
        id="broken-link"),
    pytest.param(
        replace("modules/01-welcome.md", "#before-you-start", "#nope"),
        [f"{WELCOME}:14: link '02-first-steps.md#nope': no anchor '#nope' on 02-first-steps — anchors there: "
         "#before-you-start"],
        id="broken-anchor"),
    pytest.param(
        replace("modules/01-welcome.md", "Read each module", "See [below](#nope). Read each module"),
        [f"{WELCOME}:13: link '#nope': no anchor '#nope' on this page — anchors there: #how-this-course-works"],
        id="broken-same-page-anchor"),
    pytest.param(
        both(write("notes/extra.md", "# Extra\n"),
             replace("modules/01-welcome.md", "(02-first-steps.md#before-you-start)", "(../notes/extra.md)")),
        [f"{WELCOME}:14: '../notes/extra.md' is a Markdown file that is not a module of this course — add it to "
         "the course's modules, or link to one of them"],
        id="link-to-markdown-not-a-module"),
    pytest.param(
        replace("modules/01-welcome.md", "(02-first-steps.md#before-you-start)", "(javascript:next())"),
        [f"{WELCOME}:14: link 'javascript:next()' is a javascript: URL, which a package does not allow — link to "
         "a page or file of the course, or to a web page (https://…)"],
        id="javascript-link"),
    # images
    pytest.param(
        replace("modules/01-welcome.md", "../images/steps.svg", "../images/step.svg"),
        [f"{WELCOME}:9: '../images/step.svg': file not found — did you mean '../images/steps.svg'?"],
        id="missing-image"),
    pytest.param(
        replace("modules/01-welcome.md", "../images/steps.svg", "../images/Steps.svg"),
        [f"{WELCOME}:9: '../images/Steps.svg': file not found — did you mean '../images/steps.svg'?"],
        id="image-letter-case"),
    pytest.param(
        replace("modules/01-welcome.md", "../images/steps.svg", "../pictures/steps.svg"),
        [f"{WELCOME}:9: '../pictures/steps.svg': file not found — the folder '../pictures' does not exist"],
        id="image-folder-missing"),
    pytest.param(
        replace("modules/01-welcome.md", "[A path with three steps leading to a finish flag]", "[]"),
        [f"{WELCOME}:9: image without alt text: ![](../images/steps.svg) — describe the image between the "
         "brackets, or mark a purely decorative image with {: alt=\"\" }"],
        id="image-without-alt"),
    pytest.param(
        both(write("../outside.png", b"\x89PNG\r\n\x1a\n"),
             replace("modules/01-welcome.md", "../images/steps.svg", "../../outside.png")),
        [f"{WELCOME}:9: '../../outside.png' points outside the course folder — {OUTSIDE_HINT}"],
        id="image-outside-course"),
    pytest.param(
        replace("modules/01-welcome.md", "../images/steps.svg", "/home/trainer/steps.svg"),
        [f"{WELCOME}:9: '/home/trainer/steps.svg' is an absolute path — write the path relative to this "
         "Markdown file"],
        id="image-absolute-path"),
    pytest.param(
        both(write("../../secret.svg", "<svg xmlns='http://www.w3.org/2000/svg'/>"),
             symlink("images/map.svg", "../../secret.svg"),
             replace("modules/01-welcome.md", "../images/steps.svg", "../images/map.svg")),
        [f"{WELCOME}:9: '../images/map.svg' is a link to a file outside the course folder — copy the file into "
         "the course folder instead of linking to it"],
        id="image-symlink-outside-course"),
    pytest.param(
        replace("modules/01-welcome.md", "../images/steps.svg", "https://example.org/steps.svg"),
        [f"{WELCOME}:9: 'https://example.org/steps.svg' would be loaded from the internet, which an offline "
         "package cannot do — download the file into the course folder and refer to it by a relative path"],
        id="image-from-internet"),
    # course templates
    pytest.param(
        write("templates/home.html", "<h1>{{ course.title }}</h1>\n<p>{{ welcome_text }}</p>\n"),
        [f"{COURSE}/templates/home.html:2: template error: 'welcome_text' is undefined — {TEMPLATE_HINT}"],
        id="template-undefined-variable"),
    pytest.param(
        write("templates/base.html", "<!doctype html>\n<title>{{ page.title }}</title>\n{{ footer }}\n"),
        [f"{COURSE}/templates/base.html:3: template error: 'footer' is undefined — {TEMPLATE_HINT}"],
        id="template-error-in-base-reported-once"),
    pytest.param(
        write("templates/home.html", "<h1>{{ course.title }</h1>\n"),
        [f"{COURSE}/templates/home.html:1: template error: unexpected '}}' — {TEMPLATE_HINT}"],
        id="template-syntax-error"),
    # several languages: a problem in a file used for two languages is reported once
    pytest.param(
        both(replace("course.yaml", "language: en\n", "language: en\nlanguages: [en, es]\n"),
             replace("modules/01-welcome.md", "#before-you-start", "#nope")),
        [f"{WELCOME}:14: link '02-first-steps.md#nope': no anchor '#nope' on 02-first-steps — anchors there: "
         "#before-you-start"],
        id="problem-in-two-languages-reported-once"),
]


# --- running -------------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """tmp_path as the working directory, holding courses/town (from the scaffold) and dist/keep.zip."""
    monkeypatch.chdir(tmp_path)
    created = coursepack("new", "town")
    assert created.exit_code == 0, created.output
    (tmp_path / "dist").mkdir()
    (tmp_path / "dist" / "keep.zip").write_bytes(KEEP)
    return tmp_path


def coursepack(*args: str) -> Result:
    """Run the CLI in-process; unexpected exceptions are caught so the test can show them."""
    return CliRunner().invoke(main, list(args))


def snapshot(folder: Path) -> dict[str, str]:
    """Every file below `folder` (hidden ones too, but the build record) with a hash of its bytes."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file() and p.name != RECORD}


def error_lines(result: Result) -> list[str]:
    """The error lines printed for the course: everything but warnings and the summary line."""
    *problems, _summary = result.stderr.splitlines()
    return [line for line in problems if line and ": warning: " not in line]


def assert_clean_failure(result: Result) -> None:
    """Exit code 1 through click (no other exception), and no traceback anywhere in the output."""
    assert isinstance(result.exception, SystemExit), result.exc_info
    assert result.exit_code == 1, result.output
    for text in (result.output, result.stdout, result.stderr):
        assert "Traceback" not in text


@pytest.mark.parametrize(("edit", "expected"), CASES)
def test_broken_course(project: Path, edit: Edit, expected: list[str]) -> None:
    edit(Path(COURSE))
    before = snapshot(project / "dist")

    result = coursepack("build", COURSE, "--out", "dist")

    assert_clean_failure(result)
    assert error_lines(result) == expected
    summary = result.stderr.splitlines()[-1]
    count = f"{len(expected)} error" + ("s" if len(expected) > 1 else "")
    assert summary.startswith(f"0 of 1 course built, 0 packages; {count},"), summary
    assert summary.endswith("(failed: town)"), summary
    assert snapshot(project / "dist") == before == {"keep.zip": hashlib.sha256(KEEP).hexdigest()}


def test_every_error_of_a_course_is_reported_in_one_run(project: Path) -> None:
    both(replace("course.yaml", "mastery_score: 80", "mastery_score: lots"),
         replace("modules/01-welcome.md", "(02-first-steps.md#before-you-start)", "(02-first-step.md)"),
         replace("modules/02-first-steps.md", "## Before you start", "# Before you start"))(Path(COURSE))

    result = coursepack("build", COURSE, "--out", "dist")

    assert_clean_failure(result)
    assert error_lines(result) == [
        f"{YAML}:18: completion.mastery_score: expected a number from 0 to 100, got text — "
        "write a plain number, e.g. 80",
        f"{WELCOME}:14: '02-first-step.md': file not found — did you mean '02-first-steps.md'?",
        f"{STEPS}:7: second '# ' title 'Before you start' — a module has one '# ' title; use '## ' for its "
        "sections",
    ]
    assert result.stderr.splitlines()[-1] == "0 of 1 course built, 0 packages; 3 errors, 0 warnings (failed: town)"
    assert snapshot(project / "dist") == {"keep.zip": hashlib.sha256(KEEP).hexdigest()}


def test_a_failed_rebuild_keeps_the_previous_packages(project: Path) -> None:
    good = coursepack("build", COURSE, "--out", "dist")
    assert good.exit_code == 0, good.output
    built = snapshot(project / "dist")
    assert sorted(built) == ["catalog.json", "index.html", "keep.zip", "town-0.1.0-offline.zip",
                             "town-0.1.0-scorm12.zip", "town-0.1.0-scorm2004.zip"]

    replace("modules/01-welcome.md", "../images/steps.svg", "../images/step.svg")(Path(COURSE))
    result = coursepack("build", COURSE, "--out", "dist")

    assert_clean_failure(result)
    assert error_lines(result) == [
        f"{WELCOME}:9: '../images/step.svg': file not found — did you mean '../images/steps.svg'?"]
    assert snapshot(project / "dist") == built  # byte-identical, and no *.part temp files left behind


def test_one_broken_course_does_not_stop_the_others(project: Path) -> None:
    assert coursepack("new", "roads").exit_code == 0
    replace("modules/02-first-steps.md", "# First steps\n", "")(Path("courses/roads"))

    result = coursepack("build", "--out", "dist")

    assert_clean_failure(result)
    lines = result.stderr.splitlines()
    assert ("courses/roads/modules/02-first-steps.md:5: the module has no title — start it with a '# Title' "
            "line or set 'title:' in its front matter") in lines
    assert lines[-1] == "1 of 2 courses built, 3 packages; 1 error, 0 warnings (failed: roads)"
    assert sorted(snapshot(project / "dist")) == ["catalog.json", "index.html", "keep.zip", "town-0.1.0-offline.zip",
                                                  "town-0.1.0-scorm12.zip", "town-0.1.0-scorm2004.zip"]


def test_two_courses_with_one_id(project: Path) -> None:
    assert coursepack("new", "town-copy").exit_code == 0
    replace("course.yaml", "id: town-copy", "id: town")(Path("courses/town-copy"))

    result = coursepack("build", "--out", "dist")

    assert_clean_failure(result)
    lines = result.stderr.splitlines()
    assert ("courses/town-copy/course.yaml:2: course id 'town' is already used by courses/town — give every "
            "course its own id") in lines
    assert lines[-1] == "1 of 2 courses built, 3 packages; 1 error, 0 warnings (failed: town-copy)"
    assert sorted(snapshot(project / "dist")) == ["catalog.json", "index.html", "keep.zip", "town-0.1.0-offline.zip",
                                                  "town-0.1.0-scorm12.zip", "town-0.1.0-scorm2004.zip"]


def test_a_decorative_image_may_have_empty_alt_text(project: Path) -> None:
    replace("modules/01-welcome.md", "![A path with three steps leading to a finish flag](../images/steps.svg)",
            '![](../images/steps.svg){: alt="" }')(Path(COURSE))

    result = coursepack("build", COURSE, "--out", "dist")

    assert result.exit_code == 0, result.output
    assert "image without alt text" not in result.output
