"""The offline promise, whatever the sources say: every trick that would make a package reach beyond its
own files is refused with the file, the line and what to do; allowed raw HTML builds as written."""

from __future__ import annotations

import base64
from pathlib import Path

import pytest

from builder.buildkey import RECORD  # the build record beside the packages (incremental builds)
from builder.locale import TEMPLATES
from builder.offline_check import check_css, check_html, check_svg
from builder.urls import split_srcset, srcset_urls

COURSE = "courses/town-course"
MODULE = f"{COURSE}/modules/02-first-steps.md"
WEB = "would be loaded from the internet, which an offline package cannot do — download the file into the " \
      "course folder and refer to it by a relative path"
LINK = "which a package does not allow — link to a page or file of the course, or to a web page (https://…)"
FORM = "a form could send what learners type away; use a quiz or survey block instead"
LIST = "the allowed tags and attributes are listed in docs/authoring.md (Raw HTML)"


@pytest.fixture
def course(tmp_path, new_course, monkeypatch) -> Path:
    """The scaffolded course, with the working directory above it so errors read `courses/town-course/…`."""
    monkeypatch.chdir(tmp_path)
    return new_course


def build(run, course: Path, *formats: str) -> tuple[int, list[str], list[str]]:
    """Build into dist/; exit code, the error lines, and what was written."""
    flags = [a for f in formats for a in ("-f", f)]
    result = run("build", COURSE, "--out", "dist", *flags)
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.startswith(COURSE)]
    written = sorted(p.name for p in Path("dist").glob("*") if p.name != RECORD) if Path("dist").is_dir() else []
    return result.exit_code, lines, written


def module(course: Path, body: str) -> None:
    """The second module: '# Two', a blank line, then `body` from line 3 (and the heading the first links to)."""
    (course / "modules" / "02-first-steps.md").write_text(f"# Two\n\n{body}\n\n## Before you start\n",
                                                          encoding="utf-8")


# --- raw HTML in modules ----------------------------------------------------------------------------

@pytest.mark.parametrize(("html", "error"), [
    ('<base href="https://example.org/">', "raw HTML <base> is not allowed — it would send every link and file of "
     "the page elsewhere; remove it"),
    ('<meta http-equiv="refresh" content="0; url=https://example.org/">', "raw HTML <meta> is not allowed — a "
     "page's <meta> comes from its template; remove it"),
    ('<form action="https://example.org/collect"><p>Name</p></form>', f"raw HTML <form> is not allowed — {FORM}"),
    ('<a href="https://example.org/" ping="https://tracker.example.org/">Law</a>', "raw HTML attribute ping= on "
     "<a> is not allowed — it sends a request to that address whenever the link is followed"),
    ('<p srcdoc="<img src=https://example.org/x.png>">Note</p>', "raw HTML attribute srcdoc= on <p> is not "
     "allowed — it holds a whole page that is never checked; link to a page of the package instead"),
    ('<iframe srcdoc="<img src=https://example.org/x.png>"></iframe>', "raw HTML <iframe> is not allowed — an "
     "embedded page or plugin could load anything; link to the file instead, or show audio and video with "
     "![label](file.mp4)"),
    ('<a href="java&#9;script:alert(1)">Next</a>', f"link 'java\\tscript:alert(1)' is a javascript: URL, {LINK}"),
    ("[Next](java&#9;script:alert(1))", f"link 'java\\tscript:alert(1)' is a javascript: URL, {LINK}"),
    ('<a href=" JAVASCRIPT:alert(1)">Next</a>', f"link 'JAVASCRIPT:alert(1)' is a javascript: URL, {LINK}"),
    ('<a href="vbscript:msgbox(1)">Next</a>', f"link 'vbscript:msgbox(1)' is a vbscript: URL, {LINK}"),
    ("[Notes](data:text/html;base64,PHNjcmlwdD4=)",
     f"link 'data:text/html;base64,PHNjcmlwdD4=' is a data: URL, {LINK}"),
    ("[Passwords](file:///etc/passwd)", f"link 'file:///etc/passwd' is a file: URL, {LINK}"),
    ('<img alt="Dot" src="data:image/png;base64,iVBORw0KGgo=">', "'data:image/png;base64,iVBORw0KGgo=' uses "
     "'data:', which a module may not use — put the file in the course folder and refer to it by a relative path"),
    ('<p onclick="fetch(\'https://example.org/\')">Hi</p>', "raw HTML attribute onclick= on <p> is not allowed — "
     "event handlers run scripts, which a module may not have; remove it"),
    ('<p style="background: url(\\68ttps://example.org/paper.png)">Note</p>', f"'https://example.org/paper.png' {WEB}"),
    ('<p style="background-image: image-set(\'https://example.org/a.png\' 1x)">Note</p>',
     f"'https://example.org/a.png' {WEB}"),
    ("<style>@import 'https://fonts.example.org/sans.css';</style>", f"'https://fonts.example.org/sans.css' {WEB}"),
    ('<svg><image href="file:///etc/passwd"/></svg>', "raw HTML <svg> is not allowed — save the drawing as an .svg "
     "file and include it as an image: ![what it shows](drawing.svg)"),
    ('<link rel="preconnect" href="https://fonts.example.org">', 'raw HTML <link rel="preconnect"> is not allowed '
     '— allowed: rel="stylesheet"'),
    ('<input type="image" src="https://example.org/go.png" alt="Go">', 'raw HTML <input type="image"> is not '
     'allowed — allowed: type="checkbox", type="radio"'),
    ("Press <kbd>F5</kbd> <marquee>now</marquee>", f"raw HTML <marquee> is not allowed — {LIST}"),
    ("Text {: data-x=1 formaction=\"https://example.org/\" }", None),  # attr_list on text is plain text
])
def test_raw_html_tricks_are_refused_at_their_line(course, run, html, error):
    module(course, html)
    code, errors, written = build(run, course)
    if error is None:
        assert code == 0 and errors == []
        return
    assert (code, errors, written) == (1, [f"{MODULE}:3: {error}"], [])


def test_a_forged_quiz_placeholder_is_an_error_not_a_traceback(course, run):
    module(course, '<div data-coursepack-quiz="7"></div>\n\nThe `data-coursepack-quiz` attribute is ours.')
    code, errors, _ = build(run, course)
    assert (code, errors) == (1, [f"{MODULE}:3: raw HTML attribute data-coursepack-quiz= is coursepack's own — "
                                  "remove it: coursepack marks where quizzes go with it"])


def test_attributes_set_with_attr_list_are_checked_too(course, run):
    module(course, "## Next\n\n[Next](https://example.org/){: ping=\"https://tracker.example.org/\" }\n")
    code, errors, _ = build(run, course)
    assert (code, errors) == (1, [f"{MODULE}:5: raw HTML attribute ping= on <a> is not allowed — it sends a request "
                                  "to that address whenever the link is followed"])


def test_every_refusal_of_a_module_is_reported_in_one_run(course, run):
    module(course, '<base href="https://example.org/">\n\n<form><p>Name</p></form>\n\n'
                   '<a href="java&#9;script:go()">Go</a>\n')
    code, errors, _ = build(run, course)
    assert code == 1
    assert [e.split(": ", 1)[0] for e in errors] == [f"{MODULE}:3", f"{MODULE}:5", f"{MODULE}:7"]


ALLOWED = """<details><summary>Answer</summary>

Press <kbd>Ctrl</kbd>+<kbd>S</kbd>: H<sub>2</sub>O, m<sup>2</sup>, <abbr title="Land-use plan">LUP</abbr>,
<mark>zone A</mark>,<br>next line, <span class="note">a note</span>.

</details>

<div class="box" lang="es" dir="ltr" aria-label="Nota">Una nota.</div>

<figure><img src="../images/steps.svg" alt="Steps" width="200"><figcaption>The steps</figcaption></figure>

<table><caption>Zones</caption><thead><tr><th scope="col">Zone</th></tr></thead>
<tbody><tr><td colspan="1">A</td></tr></tbody></table>

<a href="https://example.org/law" title="The law">the law</a> and <a href="01-welcome.md">back</a>.
"""


def test_the_allowed_raw_html_builds_as_written(course, run):
    module(course, ALLOWED)
    code, errors, written = build(run, course, "offline")
    assert (code, errors) == (0, [])
    assert written == ["catalog.json", "index.html", "town-course-0.1.0-offline.zip"]
    from zipfile import ZipFile
    page = ZipFile(f"dist/{written[2]}").read("02-first-steps.html").decode()
    for part in ("<details><summary>Answer</summary>", "<kbd>Ctrl</kbd>", "H<sub>2</sub>O", "m<sup>2</sup>",
                 '<abbr title="Land-use plan">LUP</abbr>', "<mark>zone A</mark>", '<span class="note">a note</span>',
                 '<div class="box" lang="es" dir="ltr" aria-label="Nota">', "<figcaption>The steps</figcaption>",
                 "<caption>Zones</caption>", '<th scope="col">Zone</th>', 'href="01-welcome.html"',
                 '<a href="https://example.org/law" title="The law" class="cp-external">'):
        assert part in page, part


# --- what is written: course templates, static files, linked files ----------------------------------

def override(course: Path, name: str, change) -> Path:
    """A course template overriding ours: our file changed by `change(text)`."""
    target = course / "templates" / name
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(change((TEMPLATES / name).read_text(encoding="utf-8")), encoding="utf-8")
    return target


def line_of(path: Path, needle: str) -> int:
    return next(n for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if needle in line)


def test_a_web_font_in_a_course_template_is_one_error_naming_the_template(course, run):
    font = '<link rel="stylesheet" href="https://fonts.googleapis.com/css2?family=Inter">'
    base = override(course, "base.html", lambda text: text.replace("</head>", f"{font}\n</head>"))
    code, errors, written = build(run, course)
    assert (code, written) == (1, [])
    assert errors == [f"{COURSE}/templates/base.html:{line_of(base, 'fonts.googleapis')}: 01-welcome.html and 4 other "
                      "files in the package: 'https://fonts.googleapis.com/css2?family=Inter' " + WEB]


def test_a_template_mistake_is_one_error_for_every_language_and_the_combined_package(sample, run, tmp_path,
                                                                                     monkeypatch):
    monkeypatch.chdir(tmp_path)
    course = sample("participatory-planning")  # English and Spanish, and the package holding both
    font = '<link rel="stylesheet" href="https://fonts.example.org/inter.css">'
    base = override(course, "base.html", lambda text: text.replace("</head>", f"{font}\n</head>"))
    result = run("check", "courses/participatory-planning")
    assert result.exit_code == 1
    assert [line for line in result.output.splitlines() if line.startswith("courses/")] == [
        f"courses/participatory-planning/templates/base.html:{line_of(base, font)}: 01-why-participation.html and "
        f"20 other files in the package: 'https://fonts.example.org/inter.css' {WEB}"]


@pytest.mark.parametrize(("css", "url"), [
    ("body { background: url(\\68ttps://example.org/paper.png) }", "https://example.org/paper.png"),
    ('h1 { background-image: image-set("https://example.org/logo.png" 1x) }', "https://example.org/logo.png"),
    ('@import "https://fonts.example.org/inter.css";', "https://fonts.example.org/inter.css"),
    ("@import url(//fonts.example.org/inter.css);", "//fonts.example.org/inter.css"),
    ('@font-face { font-family: Inter; src: url(https://fonts.example.org/inter.woff2) format("woff2") }',
     "https://fonts.example.org/inter.woff2"),
])
def test_a_course_style_sheet_override_is_read_by_tokens(course, run, css, url):
    sheet = override(course, "static/coursepack.css", lambda text: f"{text}\n{css}\n")
    code, errors, _ = build(run, course)
    assert (code, errors) == (1, [f"{COURSE}/templates/static/coursepack.css:{line_of(sheet, css[:12])}: "
                                  f"assets/coursepack.css in the package: '{url}' {WEB}"])


def test_a_template_that_navigates_away_on_its_own_is_refused(course, run):
    refresh = '<meta http-equiv="refresh" content="30; url=https://example.org/">'
    base = override(course, "base.html", lambda text: text.replace("</head>", f"{refresh}\n</head>"))
    code, errors, _ = build(run, course)
    assert (code, errors) == (1, [f"{COURSE}/templates/base.html:{line_of(base, 'refresh')}: 01-welcome.html and 4 "
                                  'other files in the package: <meta http-equiv="refresh"> is not allowed — it '
                                  "leaves the page on its own; link to the page instead"])


def test_an_html_file_the_course_links_to_is_checked_with_its_lines(course, run):
    (course / "handout.html").write_text("<!doctype html>\n<title>Form</title>\n"
                                         '<script src="https://cdn.example.org/a.js"></script>\n', encoding="utf-8")
    module(course, "Print [the form](../handout.html).")
    code, errors, _ = build(run, course)
    assert (code, errors) == (1, [f"{COURSE}/handout.html:3: 'https://cdn.example.org/a.js' {WEB}"])


@pytest.mark.parametrize(("attributes", "error"), [
    ('href="file:///etc/passwd"', "this SVG refers to 'file:///etc/passwd', a file: URL, which a package does not "
     "allow — embed the file in the SVG or remove the reference"),
    ('href="https://example.org/pin.png"', "this SVG refers to 'https://example.org/pin.png', which would need "
     "the internet — embed the file in the SVG or remove the reference"),
])
def test_an_svg_image_linking_outside_is_refused(course, run, attributes, error):
    (course / "images" / "pin.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4">\n'
                                               f'<image {attributes}/>\n</svg>\n', encoding="utf-8")
    module(course, "![A pin](../images/pin.svg)")
    code, errors, _ = build(run, course)
    assert (code, errors) == (1, [f"{COURSE}/images/pin.svg:2: {error}"])


def test_the_single_file_is_checked_as_written(course, run):
    base = override(course, "base.html", lambda text: text.replace("</head>", '<base href="https://e.org/">\n</head>'))
    code, errors, _ = build(run, course, "single")
    assert code == 1
    assert f"{COURSE}/templates/base.html:{line_of(base, '<base')}: 01-welcome.html and 4 other files in the " \
           "package: <base href> is not allowed — it sends every link and file of the page elsewhere; remove it" \
           in errors


# --- the checks themselves, trick by trick -----------------------------------------------------------

def messages(findings) -> list[str]:
    return [f.message for f in findings]


@pytest.mark.parametrize(("html", "expected"), [
    ('<base href="/">', ["<base href> is not allowed"]),
    ('<meta http-equiv=" Refresh " content="0">', ['<meta http-equiv="refresh"> is not allowed']),
    ('<form action="https://e.org/"></form>', [f"'https://e.org/' {WEB.split(' — ')[0]}"]),
    ('<button formaction="javascript:go()">Go</button>', ["'javascript:go()' uses 'javascript:', which a package "
                                                          "cannot load"]),
    ('<a href="a.html" ping="a.html">x</a>', ["ping= on <a> is not allowed"]),
    ('<iframe srcdoc="&lt;p&gt;"></iframe>', ["srcdoc= on <iframe> is not allowed"]),
    ('<html manifest="app.appcache"><p>x</p></html>', ["manifest= on <html> is not allowed"]),
    ('<link rel="manifest" href="app.webmanifest">', ['<link rel="manifest"> is not allowed']),
    ('<a href="java\nscript:go()">x</a>', ["link 'java\\nscript:go()' is a javascript: URL, which a package does not "
                                           "allow"]),
    ('<img src="x.png" srcset="data:image/png;base64,AA== 1x, //e.org/b.png 2x">',
     [f"'//e.org/b.png' {WEB.split(' — ')[0]}"]),
    ('<img src="x.png" srcset="a,b.png 1x,data:image/svg+xml,%3Csvg%20xmlns=%22http://www.w3.org/2000/svg%22%3E'
     '%3Cimage%20href=%22https://e.org/c.png%22/%3E%3C/svg%3E 2x,">',
     [f"'https://e.org/c.png' {WEB.split(' — ')[0]}"]),
    ('<video poster="https://e.org/p.jpg"></video>', [f"'https://e.org/p.jpg' {WEB.split(' — ')[0]}"]),
    ('<img src="../../secret.png">', ["'../../secret.png' points outside the package"]),
    ('<table background="http://e.org/g.gif"></table>', [f"'http://e.org/g.gif' {WEB.split(' — ')[0]}"]),
    ('<object data="https://e.org/a.pdf"></object>', [f"'https://e.org/a.pdf' {WEB.split(' — ')[0]}"]),
    ('<p onmouseover="x()">x</p>', ["the event handler onmouseover= on <p> is not allowed"]),
    ('<a href="https://e.org/">x</a> <a download href="data:text/plain,x">y</a> <link rel="icon" href="data:,">', []),
    ('<svg><a href="https://e.org/"><text>x</text></a><use xlink:href="file:///etc/x.svg#a"/></svg>',
     ["'file:///etc/x.svg#a' uses 'file:', which a package cannot load"]),
    ('<p style="background:\\75rl(https://e.org/a.png)">x</p>', [f"'https://e.org/a.png' {WEB.split(' — ')[0]}"]),
])
def test_html_tricks(html, expected):
    assert messages(check_html(html)) == expected


@pytest.mark.parametrize("html", [
    '<noscript><p title="</noscript><img src=https://e.org/a.png>"></p></noscript>',  # JS on: the img is real
    "<svg><style><img src=https://e.org/a.png></style></svg>",  # an <img> breaks out of SVG's <style>
])
def test_markup_only_a_browser_reads_as_a_request_is_found_too(html):
    assert messages(check_html(html)) == [f"'https://e.org/a.png' {WEB.split(' — ')[0]}"]


def test_a_data_url_holding_a_style_sheet_is_read_in_turn():
    inner = base64.b64encode(b'@import "https://e.org/a.css";').decode()
    assert messages(check_html(f'<link rel="stylesheet" href="data:text/css;base64,{inner}">')) == [
        f"'https://e.org/a.css' {WEB.split(' — ')[0]}"]


def test_pages_in_a_language_folder_may_use_the_package_root_but_not_beyond():
    assert messages(check_html('<link rel="stylesheet" href="../assets/a.css">', "es")) == []
    assert messages(check_html('<link rel="stylesheet" href="../../a.css">', "es")) == [
        "'../../a.css' points outside the package"]


@pytest.mark.parametrize(("css", "line"), [
    ("a {\n  background: url(\\68ttps://e.org/a.png)\n}", 2),
    ("a { b: image-set('https://e.org/a.png' 1x, \"b.png\" 2x) }", 1),
    ("\n\n@import 'https://e.org/a.css' screen;", 3),
    ("@font-face { src: src(\"https://e.org/f.woff2\") }", 1),
])
def test_css_tricks(css, line):
    [finding] = check_css(css)
    assert (finding.message.split("'")[1], finding.line) == ("https://e.org/" + finding.message.split("/")[-1]
                                                             .split("'")[0], line)


def test_local_fonts_and_fragments_stay_allowed():
    assert check_css('@font-face { src: url(f.woff2) format("woff2"), local(Inter) } a { fill: url(#g) }') == []


def test_svg_tricks():
    svg = (b'<?xml-stylesheet href="https://e.org/a.css"?>\n'
           b'<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">\n'
           b'<image xlink:href="file:///etc/passwd"/>\n<use href="https://e.org/s.svg#a"/>\n'
           b'<rect fill="url(https://e.org/p.svg#g)"/>\n<animate attributeName="href" to="javascript:go()"/>\n'
           b'<rect fill="url(#g)"/>\n</svg>')
    assert [(f.line, f.message) for f in check_svg(svg)] == [
        (1, f"'https://e.org/a.css' {WEB.split(' — ')[0]}"),
        (3, "'file:///etc/passwd' uses 'file:', which a package cannot load"),
        (4, f"'https://e.org/s.svg#a' {WEB.split(' — ')[0]}"),
        (5, f"'https://e.org/p.svg#g' {WEB.split(' — ')[0]}"),
        (6, "link 'javascript:go()' is a javascript: URL, which a package does not allow")]


@pytest.mark.parametrize(("srcset", "candidates"), [
    ("a.png 1x, b.png 2x", [("a.png", " 1x"), ("b.png", " 2x")]),
    ("data:image/png;base64,AA== 1x, b.png 2x", [("data:image/png;base64,AA==", " 1x"), ("b.png", " 2x")]),
    ("data:image/png;base64,AA==,b.png", [("data:image/png;base64,AA==,b.png", "")]),  # one URL, as browsers see it
    (" a.png 1x,b.png 2x ", [("a.png", " 1x"), ("b.png", " 2x")]),
    ("a.png,b.png", [("a.png,b.png", "")]),  # no space after the URL: the comma is part of it
    ("a.png, b.png 2x,,", [("a.png", ""), ("b.png", " 2x")]),  # commas right after a URL end its candidate
    ("a.png,, b.png", [("a.png", ""), ("b.png", "")]),
    ("\n\ta.png\t480w ,\fb.png  800w\r\n", [("a.png", " 480w"), ("b.png", " 800w")]),
    ("a.png 100w (max-width: 5px, 1x) 2x, b.png", [("a.png", " 100w (max-width: 5px, 1x) 2x"), ("b.png", "")]),
    ("a.png 100w (unclosed, b.png", [("a.png", " 100w (unclosed, b.png")]),
    ("a.png\u00a01x", [("a.png\u00a01x", "")]),  # only ASCII whitespace ends a URL
    ("https://e.org/a.png 2x,//e.org/b.png", [("https://e.org/a.png", " 2x"), ("//e.org/b.png", "")]),
    ("", []), (" , ,", []),
])
def test_srcset_is_split_as_browsers_do(srcset, candidates):
    """HTML's srcset parsing: a URL runs to whitespace; its descriptors to a comma outside parentheses."""
    assert split_srcset(srcset) == candidates
    assert srcset_urls(srcset) == [url for url, _ in candidates]


def test_links_checked_once_are_found_again_on_every_page_long_ones_too():
    """Checks of short URLs are memoised (pages repeat their navigation); the answer must not change."""
    long_script = "javascript:" + "void(0);" * 60  # over the memo's length: checked each time
    page = f'<a href="../../notes.txt">notes</a> <img src="http://example.org/a.png"> <a href="{long_script}">x</a>'
    first, again = check_html(page, "pages/"), check_html(page, "pages/")
    assert first == again
    assert [f.message for f in first] == [
        "'../../notes.txt' points outside the package",
        "'http://example.org/a.png' would be loaded from the internet, which an offline package cannot do",
        f"link '{long_script[:77]}…' is a javascript: URL, which a package does not allow"]
    assert check_html('<a href="../notes.txt">notes</a>', "pages/") == []  # the folder is part of the answer
    assert [f.message for f in check_html('<a href="../notes.txt">notes</a>', "")] == [
        "'../notes.txt' points outside the package"]


def test_the_same_element_on_two_lines_is_found_on_each_line():
    """An element's verdict is memoised by its tag and attributes; its line is not part of it."""
    image = '<img src="http://example.org/a.png" alt="">'
    found = check_html(f"<p>{image}</p>\n<p>text</p>\n<p>{image}</p>\n", "")
    assert [(f.line, f.needle) for f in found] == [(1, "http://example.org/a.png"), (3, "http://example.org/a.png")]
