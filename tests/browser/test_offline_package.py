"""What a learner sees when they open a built package from disk in a real browser.

Every sample course is built once, every package unzipped, and its pages opened in headless
Debian Chromium from file:// with no LMS and no network: every URL that is not file:// is
blocked and counted as a failure. Each test collects every problem of every page before it
fails, so one run shows all that is wrong.
"""

from __future__ import annotations

from urllib.parse import urlsplit

INLINE = ("data:", "blob:", "about:")  # part of the page itself, not a request for a file
HYPERLINK_SCHEMES = {"http", "https", "mailto", "tel"}  # links a learner may follow out; never loaded
NARROW = 320
COURSE_PAGES = ("index.html", "progress.html", "print.html")  # home, My progress, the whole course to print

# Bring every image into view (so lazy ones load too), wait for each, then report what it shows.
IMAGES_JS = """async () => {
  const images = [...document.images];
  for (const img of images) {
    img.scrollIntoView({block: 'center'});
    try { await img.decode(); } catch (e) { /* a broken image: reported below */ }
  }
  window.scrollTo(0, 0);
  return images.map(i => ({src: i.getAttribute('src'), url: i.currentSrc || i.src, width: i.naturalWidth}));
}"""

PAGE_JS = """() => ({
  lang: document.documentElement.getAttribute('lang') || '',
  title: document.title.trim(),
  h1: document.querySelectorAll('h1').length,
  main: document.querySelectorAll('main, [role=main]').length,
  links: [...document.querySelectorAll('a[href], area[href]')].map(a => a.href),
  ids: [...document.querySelectorAll('[id]')].map(e => e.id)
       .concat([...document.querySelectorAll('a[name]')].map(a => a.name)),
})"""

# The text a learner reads in main: without the page's own navigation and its title.
CONTENT_JS = """() => {
  const main = document.querySelector('main, [role=main]');
  if (!main) return '';
  const copy = main.cloneNode(true);
  copy.querySelectorAll('nav, h1').forEach(e => e.remove());
  return copy.textContent.replace(/\\s+/g, ' ').trim();
}"""

# Elements sticking out past the right edge, deepest first: what makes the page scroll sideways.
OVERFLOW_JS = """() => {
  const width = document.documentElement.clientWidth;
  const out = [...document.body.querySelectorAll('*')].filter(e => {
    const r = e.getBoundingClientRect();
    return r.width > 0 && r.right > width + 0.5 && ![...e.children].some(c => c.getBoundingClientRect().right > width + 0.5);
  });
  return {scroll: document.documentElement.scrollWidth, offenders: out.slice(0, 5).map(e =>
    `<${e.tagName.toLowerCase()}${e.className ? ' class="' + e.className + '"' : ''}> right=${Math.round(e.getBoundingClientRect().right)}: ` +
    (e.textContent || e.getAttribute('src') || '').replace(/\\s+/g, ' ').trim().slice(0, 60))};
}"""


def report(problems: list[str]) -> str:
    return f"{len(problems)} problem(s):\n  " + "\n  ".join(problems)


def request_problems(package, where: str, seen) -> list[str]:
    """Every request must be a file:// URL of a file inside the unzipped package; nothing may fail."""
    problems = []
    blocked = set(seen.blocked)
    for url in seen.requests + seen.blocked:
        if url.startswith(INLINE):
            continue
        name = package.name_of(url)
        if url in blocked:
            problems.append(f"{where}: network request (blocked): {url}")
        elif name is None:
            problems.append(f"{where}: request outside the package: {url}")
        elif name not in package.names:
            problems.append(f"{where}: request for a file the package lacks: {name}")
    problems += [f"{where}: failed request: {url} ({failure})" for url, failure in seen.failed if url not in blocked]
    problems += [f"{where}: {error}" for error in seen.errors]
    return list(dict.fromkeys(problems))  # a blocked image may be asked for twice (preload scanner, then img)


def open_page(page, package, name: str, problems: list[str]) -> bool:
    try:
        page.goto(package.url(name))
    except Exception as e:  # noqa: BLE001 - a page that does not open is one more problem to list
        problems.append(f"{package}/{name}: did not open: {e}")
        return False
    return True


def file_problems(package, open_context) -> list[str]:
    """Open index.html, every page of the module list, then every other .html of the package."""
    _, page, watch = open_context()
    problems: list[str] = []
    ids: dict[str, set[str]] = {}
    anchors: list[tuple[str, str, str]] = []  # (page, target page, fragment)

    def visit(name: str) -> None:
        where = f"{package}/{name}"
        if open_page(page, package, name, problems):
            for image in page.evaluate(IMAGES_JS):
                if image["width"] == 0:
                    problems.append(f"{where}: image did not load: {image['src']} ({image['url']})")
            facts = page.evaluate(PAGE_JS)
            ids[name] = set(facts["ids"])
            if name in package.pages:  # a page coursepack wrote (not an HTML file the course ships)
                if facts["h1"] != 1:
                    problems.append(f"{where}: {facts['h1']} h1 elements (a page has exactly one)")
                if not facts["lang"].strip():
                    problems.append(f"{where}: <html> has no lang")
                if facts["main"] != 1:
                    problems.append(f"{where}: {facts['main']} main landmarks (a page has exactly one)")
                if not facts["title"]:
                    problems.append(f"{where}: empty <title>")
            for href in facts["links"]:
                parts = urlsplit(href)
                if parts.scheme in HYPERLINK_SCHEMES:
                    continue
                target = package.name_of(href.split("#")[0])
                if target is None:
                    problems.append(f"{where}: link leaves the package: {href}")
                elif target not in package.names:
                    problems.append(f"{where}: broken link to {target}")
                elif parts.fragment and target.endswith(".html"):
                    anchors.append((name, target, parts.fragment))
        problems.extend(request_problems(package, where, watch.take()))

    visit("index.html")
    modules: list[str] = []
    for home in package.homes:  # index.html, or each language's home after the root's language chooser
        if home != "index.html":
            visit(home)
        found = [package.name_of(href) for href in page.eval_on_selector_all(".module-list a[href]",
                                                                             "links => links.map(a => a.href)")]
        if not found:
            problems.append(f"{package}/{home}: no module list (.module-list links)")
        modules += found
    for name in dict.fromkeys(modules + package.all_html):
        if name and name not in ("index.html", *package.homes) and name in package.names:
            visit(name)
    for name, target, fragment in anchors:
        if target in ids and fragment not in ids[target]:
            problems.append(f"{package}/{name}: link to {target}#{fragment}, but {target} has no such id")
    return problems


def test_sample_courses_exist(sample_courses):
    assert sample_courses


def test_offline_packages_open_from_file_with_no_network(course_id, built, open_context):
    problems = []
    for package in built(course_id, "offline"):
        assert "index.html" in package.names, f"{package}: no index.html at the root"
        problems += file_problems(package, open_context)
    assert not problems, report(problems)


def test_scorm12_package_opens_from_file_with_no_lms(sample_courses, built, open_context):
    problems = []
    for package in built(sample_courses[0], "scorm12"):
        assert "index.html" in package.names, f"{package}: no index.html at the root"
        problems += file_problems(package, open_context)
    assert not problems, report(problems)


def click(page, locator) -> None:
    """Click a link as a learner does and wait until the page it leads to has loaded."""
    locator.click()
    page.wait_for_load_state("load")


def test_readable_and_navigable_without_javascript(course_id, built, open_context):
    problems = []
    for package in built(course_id, "offline"):
        _, page, watch = open_context(java_script_enabled=False)
        # Every page is readable: its title shows and its main area has real text.
        for name in package.pages:
            where = f"{package}/{name} (no JS)"
            if not open_page(page, package, name, problems):
                continue
            h1 = page.locator("h1")
            if h1.count() != 1:
                problems.append(f"{where}: {h1.count()} h1 elements (a page has exactly one)")
            elif not h1.is_visible():
                problems.append(f"{where}: the h1 is not visible")
            content = page.evaluate(CONTENT_JS)
            if len(content) < 50:
                problems.append(f"{where}: main holds almost no text: {content!r}")
            problems.extend(request_problems(package, where, watch.take()))
        for home in package.homes:
            problems += navigation_problems(page, package, home)
    assert not problems, report(problems)


def navigation_problems(page, package, home: str = "index.html") -> list[str]:
    """From the course home, only by clicking links, a learner reaches every module in order and back."""
    problems: list[str] = []
    where = f"{package} (no JS)"
    folder = home.removesuffix("index.html")  # '' or 'es/'
    page.goto(package.url(home))
    module_links = page.locator(".module-list a[href]")
    titles = [t.strip() for t in module_links.all_inner_texts()]
    order = [package.name_of(h) for h in module_links.evaluate_all("links => links.map(a => a.href)")]
    modules = [p for p in package.pages if p.startswith(folder) and "/" not in p.removeprefix(folder)
               and p.removeprefix(folder) not in COURSE_PAGES]
    if sorted(order) != sorted(modules):
        problems.append(f"{where}: the module list links {order}, but the package's pages are {modules}")
    if not order:
        return problems

    # Each entry of the module list opens the module of that title.
    for i, (name, title) in enumerate(zip(order, titles)):
        page.goto(package.url(home))
        click(page, module_links.nth(i))
        landed = package.name_of(page.url)
        h1 = page.locator("h1").first.inner_text().strip()
        if landed != name or h1 != title:
            problems.append(f"{where}: module list link '{title}' led to {landed} titled '{h1}'")

    # "Start", then "Next" all the way: every module, in the module list's order.
    page.goto(package.url(home))
    start = page.locator(".start a[href]")
    if start.count() != 1:
        return problems + [f"{where}: {home} has {start.count()} start links (expected one)"]
    click(page, start)
    forward = [package.name_of(page.url)]
    while page.locator("a[rel~=next]").count() and len(forward) <= len(order):
        click(page, page.locator("a[rel~=next]").first)
        forward.append(package.name_of(page.url))
    if forward != order:
        problems.append(f"{where}: Start then Next visits {forward}, expected {order}")

    # "Previous" all the way back from the last module, ending on the first module or the course home.
    backward = [package.name_of(page.url)]
    while page.locator("a[rel~=prev]").count() and len(backward) <= len(order) + 1:
        click(page, page.locator("a[rel~=prev]").first)
        backward.append(package.name_of(page.url))
    expected = order[::-1]
    if backward not in (expected, expected + [home]):
        problems.append(f"{where}: Previous from the last module visits {backward}, expected {expected} "
                        f"(then {home})")
    return problems


def test_no_horizontal_scrolling_at_320px(course_id, built, open_context):
    problems = []
    for package in built(course_id, "offline"):
        _, page, watch = open_context(viewport={"width": NARROW, "height": 640})
        for name in package.pages:
            where = f"{package}/{name} at {NARROW}px"
            if not open_page(page, package, name, problems):
                continue
            page.evaluate(IMAGES_JS)
            for state in ("", " with the menus open"):
                if state:
                    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
                found = page.evaluate(OVERFLOW_JS)
                if found["scroll"] > NARROW:
                    problems.append(f"{where}{state}: scrolls sideways (scrollWidth {found['scroll']}); "
                                    f"too wide: {'; '.join(found['offenders']) or '?'}")
            problems.extend(request_problems(package, where, watch.take()))
    assert not problems, report(problems)
