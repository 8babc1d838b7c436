"""Hostile content in a real browser: the tricks that would reach the network are refused at build time,
and a course using every allowed piece of raw HTML opens from file:// with no request and no navigation
beyond its own files.

A control page holding the same tricks, opened as it is, shows that the browser would indeed have
made those requests: the watch below sees them, so its silence on the clean course means something.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from builder.cli import main
from builder.locale import TEMPLATES
from tests.browser.conftest import INLINE_SCHEMES, unzip

# Each trick as raw HTML in a module, one per line from line 3 of the module.
TRICKS = [
    '<base href="https://example.org/">',
    '<meta http-equiv="refresh" content="0; url=https://example.org/away">',
    '<form action="https://example.org/collect"><p>Name</p></form>',
    '<a href="https://example.org/" ping="https://example.org/ping">ping</a>',
    '<iframe srcdoc="<img src=https://example.org/srcdoc.png>"></iframe>',
    '<a href="java&#9;script:location=\'https://example.org/js\'">js</a>',
    '<p style="background: url(\\68ttps://example.org/escaped.png)">escaped</p>',
    '<p style="background-image: image-set(\'https://example.org/set.png\' 1x)">set</p>',
    '<svg><image href="file:///etc/passwd"/></svg>',
]
FONT = '<link rel="stylesheet" href="https://fonts.example.org/css2?family=Inter">'
CSS = ('body { background: url(\\68ttps://example.org/css-escaped.png) }\n'
       'h1 { background-image: image-set("https://example.org/css-set.png" 1x) }\n'
       '@import "https://example.org/imported.css";\n')
SVG = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" width="4" height="4">\n'
       '<image xlink:href="{href}"/>\n</svg>\n')
SVG_HREFS = {"pin.svg": "file:///etc/passwd", "pin2.svg": "https://example.org/pin.png"}

CLEAN = """<details><summary>Answer</summary>

Press <kbd>Ctrl</kbd>+<kbd>S</kbd>: H<sub>2</sub>O, m<sup>2</sup>, <abbr title="Land-use plan">LUP</abbr>,
<mark>zone A</mark>,<br>next line, <span class="note">a note</span>.

</details>

<div class="box" lang="es" dir="ltr">Una nota.</div>

<figure><img src="../images/steps.svg" alt="Steps" width="200"><figcaption>The steps</figcaption></figure>

<table><caption>Zones</caption><thead><tr><th scope="col">Zone</th></tr></thead>
<tbody><tr><td>A</td></tr></tbody></table>

<video controls src="../media/river.mp4"><track kind="captions" src="../media/river.vtt" srclang="en"
label="English"></video>

<p style="background: url('../images/steps.svg') no-repeat">Styled</p>

Read <a href="https://example.org/law" title="The law">the law</a> or go <a href="01-welcome.md">back</a>.
"""


def scaffold(folder: Path) -> Path:
    """A fresh `coursepack new` course in `folder`/courses."""
    result = CliRunner().invoke(main, ["new", "town", "--source", str(folder / "courses")], catch_exceptions=False)
    assert result.exit_code == 0, result.output
    return folder / "courses" / "town"


def write_module(course: Path, body: str) -> None:
    (course / "modules" / "02-first-steps.md").write_text(f"# Two\n\n{body}\n\n## Before you start\n",
                                                          encoding="utf-8")


def build(course: Path, out: Path, *formats: str):
    return CliRunner().invoke(main, ["build", str(course), "--out", str(out),
                                     *[a for f in formats for a in ("-f", f)]], catch_exceptions=False)


@pytest.fixture(scope="module")
def clean(tmp_path_factory):
    """The clean course, built as an offline zip and a single file, unzipped: (packages, single file)."""
    folder = tmp_path_factory.mktemp("clean")
    course = scaffold(folder)
    (course / "media").mkdir()
    (course / "media" / "river.mp4").write_bytes(b"\x00\x00\x00\x18ftypmp42")
    (course / "media" / "river.vtt").write_text("WEBVTT\n\n00:00.000 --> 00:01.000\nThe river.\n", encoding="utf-8")
    write_module(course, CLEAN)
    result = build(course, folder / "dist", "offline", "single")
    assert result.exit_code == 0, result.output
    packages = [unzip(z, folder / z.stem, "town") for z in sorted((folder / "dist").glob("*.zip"))]
    return packages, sorted((folder / "dist").glob("*-single.html"))


def test_every_trick_is_refused_and_nothing_is_written(tmp_path):
    course = scaffold(tmp_path)
    write_module(course, "\n".join(TRICKS))
    (course / "templates" / "static").mkdir(parents=True)
    (course / "templates" / "base.html").write_text(
        (TEMPLATES / "base.html").read_text(encoding="utf-8").replace("</head>", f"{FONT}\n</head>"), encoding="utf-8")
    (course / "templates" / "static" / "coursepack.css").write_text(
        (TEMPLATES / "static" / "coursepack.css").read_text(encoding="utf-8") + CSS, encoding="utf-8")
    for name, href in SVG_HREFS.items():
        (course / "images" / name).write_text(SVG.format(href=href), encoding="utf-8")
        (course / "modules" / "01-welcome.md").open("a", encoding="utf-8").write(f"\n![A pin](../images/{name})\n")
    out = tmp_path / "dist"

    modules = build(course, out)  # the module tricks first: the package check runs once they are gone
    assert modules.exit_code == 1 and not out.exists()
    refused = "\n".join(modules.output.splitlines())
    for number, trick in enumerate(TRICKS, 3):
        assert f"02-first-steps.md:{number}: " in refused, f"line {number} not refused: {trick}"
    assert "pin.svg:2: this SVG refers to 'file:///etc/passwd'" in refused
    assert "pin2.svg:2: this SVG refers to 'https://example.org/pin.png'" in refused

    write_module(course, "Nothing here.")
    for name in SVG_HREFS:
        (course / "images" / name).write_text(SVG.format(href="#a"), encoding="utf-8")
    templates = build(course, out)
    assert templates.exit_code == 1 and not out.exists()
    for url in ("https://fonts.example.org/css2?family=Inter", "https://example.org/css-escaped.png",
                "https://example.org/css-set.png", "https://example.org/imported.css"):
        assert f"'{url}' would be loaded from the internet" in templates.output, url
    assert "templates/base.html:" in templates.output and "templates/static/coursepack.css:" in templates.output


def test_the_tricks_would_reach_the_network_if_they_were_let_through(tmp_path, open_context):
    """The control: the same tricks in a page opened as it is do make the watch see requests and navigation."""
    page_file = tmp_path / "control.html"
    page_file.write_text(f"<!doctype html><html><head>{FONT}<style>{CSS}</style></head><body>"
                         + "\n".join(TRICKS) + "</body></html>", encoding="utf-8")
    _, page, watch = open_context()
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    page.goto(page_file.as_uri())
    page.wait_for_timeout(500)
    seen = watch.take()
    assert any("example.org" in url for url in seen.blocked), seen.blocked
    assert any(not url.startswith("file:") for url in navigations + seen.blocked), navigations


def test_the_clean_course_opens_with_no_request_and_no_navigation(clean, open_context):
    packages, singles = clean
    _, page, watch = open_context()
    navigations: list[str] = []
    page.on("framenavigated", lambda frame: navigations.append(frame.url) if frame == page.main_frame else None)
    problems, opened = [], []
    # (page, the folder its requests must stay in): an unzipped package; the single file needs nothing else
    targets = [(p.root / name, p.root) for p in packages for name in p.all_html] + [(s, s) for s in singles]
    for path, inside in targets:
        navigations.clear()
        page.goto(path.as_uri())
        page.evaluate("() => document.querySelectorAll('img, video').forEach(e => e.scrollIntoView())")
        page.wait_for_timeout(200)
        opened.append(path.name)
        seen = watch.take()
        for url in seen.requests + seen.blocked:
            if url.startswith(INLINE_SCHEMES):
                continue
            local = Path(unquote(urlsplit(url).path)) if url.startswith("file://") else None
            if local is None or not (local == inside or local.is_relative_to(inside)):
                problems.append(f"{path.name}: request beyond its package: {url}")
        problems += [f"{path.name}: navigated to {url}" for url in navigations if url.split("#")[0] != path.as_uri()]
        problems += [f"{path.name}: {error}" for error in seen.errors]
    assert "02-first-steps.html" in opened and any(name.endswith("-single.html") for name in opened)
    assert not problems, "\n".join(problems)
    body = (packages[0].root / "02-first-steps.html").read_text(encoding="utf-8")
    assert "<details><summary>Answer</summary>" in body and "<kbd>Ctrl</kbd>" in body
    assert '<track kind="captions" src="files/media/river.vtt"' in body
