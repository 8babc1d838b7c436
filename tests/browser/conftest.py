"""Browser fixtures: the sample courses built once per session, and one headless Debian Chromium.

Every package is unzipped into a temporary folder and opened from file://, as a learner
opens an offline package they were sent. Chromium is Debian's (/usr/bin/chromium, which
scripts/test installs); Playwright never downloads a browser here. A missing Chromium
fails the tests instead of skipping them, so a green run always means the pages were seen.
"""

from __future__ import annotations

import os
import shutil
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable
from urllib.parse import unquote, urlsplit

import pytest
from click.testing import CliRunner

from builder.cli import main

PROJECT = Path(__file__).resolve().parents[2]
# The sample courses; COURSEPACK_SAMPLE_COURSES points the suite at another folder of courses.
SOURCE = Path(os.environ.get("COURSEPACK_SAMPLE_COURSES") or PROJECT / "courses")
CHROMIUM = Path("/usr/bin/chromium")
# Without the background-networking flags Chromium calls home on start, which a closed network refuses.
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
# URLs that are part of the page itself rather than a request for something: never leave the package.
INLINE_SCHEMES = ("data:", "blob:", "about:")


def sample_course_ids() -> list[str]:
    """Every course folder under SOURCE, read at collection time to name the tests."""
    return sorted(p.parent.name for p in SOURCE.glob("*/course.yaml"))


@dataclass
class Package:
    """One built zip, unzipped: where it lies and what is in it."""

    course: str
    zip_name: str
    root: Path
    names: list[str]

    @property
    def format(self) -> str:
        return self.zip_name.removesuffix(".zip").rsplit("-", 1)[1]

    @property
    def languages(self) -> list[str]:
        """The language folders of a package holding several languages (`en/`, `es/`); none in others."""
        return sorted({n.split("/")[0] for n in self.names if n.count("/") == 1 and n.endswith("/index.html")}
                      - {"assets", "files"})

    @property
    def homes(self) -> list[str]:
        """Where the course pages start: index.html, or each language's in a package of several."""
        return [f"{lang}/index.html" for lang in self.languages] or ["index.html"]

    @property
    def pages(self) -> list[str]:
        """The pages coursepack writes: every .html at the package root, index.html first, then those of
        each language folder (in a package of several languages, the root index.html chooses one)."""
        found = sorted(n for n in self.names if n.endswith(".html")
                       and ("/" not in n or n.count("/") == 1 and n.split("/")[0] in self.languages))
        return sorted(found, key=lambda n: n != "index.html")

    @property
    def all_html(self) -> list[str]:
        return sorted(n for n in self.names if n.lower().endswith((".html", ".htm")))

    def url(self, name: str = "index.html") -> str:
        return (self.root / name).as_uri()

    def name_of(self, url: str) -> str | None:
        """Path inside the package of a file:// URL, or None when the URL points elsewhere."""
        parts = urlsplit(url)
        if parts.scheme != "file":
            return None
        path = Path(unquote(parts.path))
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return None

    def __str__(self) -> str:
        return self.zip_name


@pytest.fixture(scope="session")
def built(tmp_path_factory):
    """`built(course_id, fmt)`: the unzipped packages of that format; each course is built once a session."""
    cache: dict[str, list[Package] | str] = {}  # course id -> its packages, or why it did not build

    def get(course_id: str, fmt: str) -> list[Package]:
        if course_id not in cache:
            try:
                cache[course_id] = _build(course_id, tmp_path_factory.mktemp(f"built-{course_id}"))
            except pytest.fail.Exception as e:
                cache[course_id] = str(e)
        if isinstance(cache[course_id], str):
            pytest.fail(cache[course_id], pytrace=False)
        found = [p for p in cache[course_id] if p.format == fmt]
        assert found, f"building {course_id} wrote no {fmt} package: {[p.zip_name for p in cache[course_id]]}"
        return found

    return get


def _build(course_id: str, folder: Path) -> list[Package]:
    if not (SOURCE / course_id / "course.yaml").is_file():
        pytest.fail(f"no sample course '{course_id}' under {SOURCE}", pytrace=False)
    out = folder / "dist"
    result = CliRunner().invoke(main, ["build", str(SOURCE / course_id), "--source", str(SOURCE),
                                       "--out", str(out)], catch_exceptions=False)
    if result.exit_code != 0:
        pytest.fail(f"`coursepack build {SOURCE / course_id}` failed (exit {result.exit_code}):\n{result.output}",
                    pytrace=False)
    return [unzip(zip_path, folder / zip_path.stem, course_id) for zip_path in sorted(out.glob("*.zip"))]


def unzip(zip_path: Path, root: Path, course_id: str) -> Package:
    """A package unzipped into `root`, as a learner unzips what they were sent."""
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(root)
        names = [n for n in archive.namelist() if not n.endswith("/")]
    return Package(course_id, zip_path.name, root, names)


@pytest.fixture(scope="session")
def build_copy(tmp_path_factory):
    """`build_copy(course_id, change)`: a sample course copied, changed by `change(folder)`, built offline;
    returns its packages, unzipped. For what the sample courses do not show, such as a missing translation."""

    def make(course_id: str, change: Callable[[Path], None]) -> list[Package]:
        folder = tmp_path_factory.mktemp(f"copy-{course_id}")
        course = shutil.copytree(SOURCE / course_id, folder / "courses" / course_id)
        change(course)
        out = folder / "dist"
        result = CliRunner().invoke(main, ["build", str(course), "-f", "offline", "--out", str(out)],
                                    catch_exceptions=False)
        if result.exit_code != 0:
            pytest.fail(f"building the changed copy of {course_id} failed:\n{result.output}", pytrace=False)
        return [unzip(zip_path, folder / zip_path.stem, course_id) for zip_path in sorted(out.glob("*.zip"))]

    return make


@pytest.fixture(scope="session")
def browser():
    """One headless Debian Chromium for the whole session."""
    if not CHROMIUM.exists():
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Debian's Chromium. "
                    "Run the suite with `bash scripts/test`, which installs it (apt-get install -y chromium).",
                    pytrace=False)
    from playwright.sync_api import sync_playwright

    playwright = sync_playwright().start()
    try:
        try:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Exception as e:  # noqa: BLE001 - any launch failure is the same failure to the reader
            pytest.fail(f"could not start {CHROMIUM}: {e}", pytrace=False)
        yield chromium
        chromium.close()
    finally:
        playwright.stop()


@dataclass
class Watch:
    """Everything a context's pages did that a learner could notice, or that left the package."""

    requests: list[str] = field(default_factory=list)
    blocked: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    def take(self) -> "Watch":
        """What was seen since the last take, and start afresh."""
        seen = Watch(self.requests[:], self.blocked[:], self.failed[:], self.errors[:])
        for items in (self.requests, self.blocked, self.failed, self.errors):
            items.clear()
        return seen


@pytest.fixture
def open_context(browser):
    """`open_context(**options)` -> (context, page, watch): a fresh context that records every request,
    console error, page error and failed request, and blocks every URL that is not file://."""
    contexts = []

    def make(**options):
        context = browser.new_context(**options)
        contexts.append(context)
        watch = Watch()

        def route(route):
            url = route.request.url
            if url.startswith("file://") or url.startswith(INLINE_SCHEMES):
                route.continue_()
            else:
                watch.blocked.append(url)
                route.abort("blockedbyclient")

        context.route("**/*", route)
        page = context.new_page()
        page.on("request", lambda r: watch.requests.append(r.url))
        page.on("requestfailed", lambda r: watch.failed.append((r.url, r.failure)))
        page.on("console", lambda m: watch.errors.append(
            f"console error: {m.text} ({m.location.get('url', '')}:{m.location.get('lineNumber', 0)})")
            if m.type == "error" else None)
        page.on("pageerror", lambda e: watch.errors.append(f"page error: {e}"))
        page.set_default_timeout(10_000)
        return context, page, watch

    yield make
    for context in contexts:
        context.close()


NO_COURSES = "no-sample-courses"


def pytest_generate_tests(metafunc):
    """A test that takes `course_id` runs once for every sample course (and fails when there is none)."""
    if "course_id" in metafunc.fixturenames:
        metafunc.parametrize("course_id", sample_course_ids() or [NO_COURSES])


@pytest.fixture(scope="session")
def sample_courses() -> list[str]:
    ids = sample_course_ids()
    assert ids, f"no sample courses (folders with a course.yaml) under {SOURCE}"
    return ids
