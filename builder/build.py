"""The build pipeline: load → pages → render → package, one course at a time.

Everything of a course is gathered and validated first; only a course with no errors
is written, so a broken course never replaces a good package.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Callable, Iterator

from builder import progress
from builder.assets import keep_in
from builder.combined import MULTIPLE, combined_site
from builder.course import Course, load_course
from builder.formats import ALL_FORMATS, COMBINED_FORMATS, FORMATS, MAX_INLINE, REGISTRY, Request  # noqa: F401
from builder.library import package_entry
from builder.locale import check_strings
from builder.media import Media, default_cache
from builder.names import FileNames
from builder.offline_check import check_sites
from builder.package import Entry, StagedZip, discard, publish, stage_file, stage_zip, stamp
from builder.pages import build_pages
from builder.problems import Problem, Problems, display_path
from builder.render import Site, render_site
from builder.schedule import declared_id, largest_first
from builder.sizes import human_size, sizes_apart
from builder.tracking import check_tracking, check_translated_quizzes
from builder.zips import Store, TooBig

WRITE_HINT = "free some space, or check the folder's permissions, and build again"


@dataclass(frozen=True)
class Package:
    """One written zip, with every file inside it."""

    course: str
    version: str
    lang: str
    format: str
    path: Path
    size: int
    sha256: str
    entries: tuple[Entry, ...]
    languages: tuple[str, ...] = ()  # the languages inside: all of the course's in the combined package
    stamp: tuple[int, ...] = ()  # builder.package.stamp of the published file, so the library need not hash it


@dataclass
class CourseResult:
    """What happened to one course: its problems and the packages written (or, in a worker, only staged)."""

    root: Path
    course: str = ""
    problems: list[Problem] = field(default_factory=list)
    packages: list[Package] = field(default_factory=list)
    failed: bool = False
    up_to_date: bool = False  # skipped: its packages in --out are what this build would write (builder.buildkey)
    staged: list[tuple[Package, StagedZip]] = field(default_factory=list)  # for the parent to publish


def package_name(course: Course, lang: str, fmt: str) -> str:
    """`<id>-<version>[-<lang>]-<format><suffix>` (`-scorm12.zip`, `-single.html`), the format left out where the
    suffix names it (`.epub`, `.zim`); the language only for one language of a course that has several."""
    suffix = f"-{lang}" if len(course.languages) > 1 and lang != MULTIPLE else ""
    ending = REGISTRY[fmt].suffix
    return f"{course.id}-{course.version}{suffix}" + (ending if ending == f".{fmt}" else f"-{fmt}{ending}")


def gather(root: Path, problems: Problems, cache: Path | None = None) -> tuple[Course | None, list[Site]]:
    """Load, render and validate a course in every language, writing nothing but optimised images to `cache`.

    The cache defaults to `.coursepack-cache` beside the course folder (see builder.media).
    """
    course = load_course(root, problems)
    if course is None or not course.modules:
        return course, []
    cache = cache or default_cache(root)
    keep_in(cache)  # minified course scripts too, though not in `cache` (builder.assets)
    media, names = Media(course.images, cache, root=root), FileNames(course.root)
    progress.expect(len(course.modules) * len(course.languages))
    sites, pages_by_lang = [], {}
    for lang in course.languages:
        check_strings(course, lang, problems)
        pages = pages_by_lang[lang] = build_pages(course, lang, problems, media, names)
        check_tracking(course, lang, pages, problems)
        sites.append(render_site(course, lang, pages, problems))
    check_translated_quizzes(course, pages_by_lang, problems)
    if len(course.languages) > 1 and not problems.errors:  # with errors, its own would only repeat them
        sites.append(combined_site(course, pages_by_lang, problems))
    if not problems.errors:  # the last gate, on what will be written; after other errors it would repeat them
        check_sites(sites, problems)
    return course, sites


def build_course(root: Path, out: Path | None, formats: tuple[str, ...], strict: bool,
                 budget: int | None = None, cache: Path | None = None, max_inline: int = MAX_INLINE,
                 publish_now: bool = True) -> CourseResult:
    """Gather a course, then (when it has no errors and `out` is given) write its packages.

    `budget` (bytes) overrides the course's own `budget:`; `cache` is where optimised images are kept;
    `max_inline` is the largest media file the single-file format carries. With publish_now=False (in a
    worker) the packages are only staged, for the parent to `publish_course`.
    """
    problems = Problems()
    result = CourseResult(root, root.name, problems.items)
    try:
        course, sites = gather(root, problems, cache)
        result.course = course.id if course else root.name
        if problems.failed(strict) or course is None or out is None:
            result.failed = problems.failed(strict) or course is None
            return result
        result.staged = stage_packages(sites, out, formats, budget, problems, max_inline)
    except OSError as e:  # disk full, a folder turned read-only, …: one message, the old packages untouched
        where = display_path(Path(e.filename)) if e.filename else display_path(out or root)
        problems.items.append(Problem(where, 0, f"cannot write: {e.strerror}", WRITE_HINT))
    result.failed = problems.failed(strict)
    return publish_course(result) if publish_now else result


def stage_packages(sites: list[Site], out: Path, formats: tuple[str, ...], budget: int | None,
                   problems: Problems, max_inline: int = MAX_INLINE) -> list[tuple[Package, StagedZip]]:
    """Stage every package of a course and check it against the budget; nothing is left staged on errors."""
    staged: list[tuple[Package, StagedZip]] = []
    store = Store()  # what the zips of the course share is compressed and hashed once
    chosen = {id(site): formats if site.lang != MULTIPLE else [f for f in formats if f in COMBINED_FORMATS]
              for site in sites}
    progress.expect(sum(map(len, chosen.values())))
    done = False
    try:
        for site in sites:
            for fmt in chosen[id(site)]:
                package = stage(site, fmt, out, max_inline, problems, store)
                progress.step()
                if package is not None:
                    staged.append((_described(site, fmt, package), package))
                    check_budget(site.course, package, budget, problems)
        done = not problems.errors
    finally:
        store.close()
        if not done:  # errors, or an exception: no temp file stays behind
            for _, package in staged:
                discard(package)
    return staged if done else []


def _described(site: Site, fmt: str, package: StagedZip) -> Package:
    languages = site.course.languages if site.lang == MULTIPLE else (site.lang,)
    return Package(site.course.id, site.course.version, site.lang, fmt, package.target, package.size,
                   package.sha256, package.entries, languages)


def publish_course(result: CourseResult) -> CourseResult:
    """Put a course's staged packages in place (done by the build's own process, never by a worker that
    could outlive it); a failed rename discards the rest and becomes the course's error."""
    staged, result.staged = result.staged, []
    try:
        for package, zipped in staged:
            publish(zipped)
            result.packages.append(dataclasses.replace(package, stamp=stamp(zipped.target)))
    except OSError as e:
        result.problems.append(Problem(display_path(Path(e.filename or zipped.target)), 0,
                                       f"cannot write: {e.strerror}", WRITE_HINT))
        result.failed = True
    finally:
        for _, zipped in staged:
            discard(zipped)  # a no-op once published
    return result


def stage(site: Site, fmt: str, out: Path, max_inline: int, problems: Problems,
          store: Store | None = None) -> StagedZip | None:
    """One package in a temp file beside its target, as its format makes it (None if it cannot be made)."""
    target = out / package_name(site.course, site.lang, fmt)
    request = Request(site, package_entry(site.course, site.lang, fmt), target.name, max_inline)
    made = REGISTRY[fmt].make(request, problems)
    if made is None:
        return None
    try:
        if not isinstance(made, dict):
            return stage_file(target, made.data, made.entries)
        return stage_zip(target, made, store)
    except TooBig as e:
        problems.error(site.course.config, 0, f"package {target.name}: {e.what}", e.hint)
        return None
    except OSError as e:  # name the package, not its temp file
        raise OSError(e.errno, e.strerror, str(target)) from e


def check_budget(course: Course, package: StagedZip, budget: int | None, problems: Problems) -> None:
    """An error naming the largest files when a package is bigger than its budget (--budget, or course.yaml)."""
    line = 0 if budget else course.budget_line  # a --budget has no line in course.yaml
    budget = budget or course.budget
    if budget is None or package.size <= budget:
        return
    size, limit = sizes_apart(package.size, budget)
    largest = sorted(package.entries, key=lambda e: (-e.compressed, e.path))[:5]
    problems.error(course.config, line, f"package {package.target.name} is {size}, over the budget of {limit}",
                   "largest files: " + ", ".join(f"{e.path} ({human_size(e.compressed)})" for e in largest))


def build(roots: list[Path], out: Path | None, formats: tuple[str, ...], strict: bool = False,
          jobs: int | None = None, done: Callable[[CourseResult], None] = lambda r: None,
          budget: int | None = None, cache: Path | None = None, max_inline: int = MAX_INLINE,
          up_to_date: Callable[[Path], CourseResult | None] = lambda root: None) -> list[CourseResult]:
    """Build (or, with out=None, only check) several courses, in parallel across cores.

    `up_to_date` returns the result of a course that needs no build (see builder.buildkey), else None.
    """
    kept = {root: result for root in roots if (result := up_to_date(root))}
    duplicates = _duplicate_ids(roots, {root: result.course for root, result in kept.items()})
    results = [CourseResult(root, root.name, [p], failed=True) for root, p in duplicates.items()]
    results += [result for root, result in kept.items() if root not in duplicates]
    for result in results:
        done(result)
    todo = largest_first([root for root in roots if root not in duplicates and root not in kept])  # no core idles
    one = partial(build_course, out=out, formats=formats, strict=strict, budget=budget, cache=cache,
                  max_inline=max_inline, publish_now=False)
    for result in _run(one, todo, jobs):
        publish_course(result)
        done(result)
        results.append(result)
    order = {root: i for i, root in enumerate(roots)}
    return sorted(results, key=lambda r: order[r.root])


def _run(one: Callable[[Path], CourseResult], roots: list[Path], jobs: int | None) -> Iterator[CourseResult]:
    workers = min(jobs or os.cpu_count() or 1, len(roots))
    if workers <= 1:
        for root in roots:
            yield one(root)
        return
    from builder.workers import worker_pool  # multiprocessing: ~25 ms of imports a one-course build never needs

    with worker_pool(workers) as pool:
        futures = [pool.submit(one, root) for root in roots]
        for future in futures:
            yield future.result()


def _duplicate_ids(roots: list[Path], known: dict[Path, str] | None = None) -> dict[Path, Problem]:
    """Two course folders with one id would overwrite each other's packages.

    `known` gives the ids of up-to-date courses, whose course.yaml need not be parsed again.
    """
    first: dict[str, Path] = {}
    clashes = {}
    for root in roots:
        course_id = (known or {}).get(root) or declared_id(root)
        if course_id is None:
            continue  # reported properly when the course itself is loaded
        if course_id in first:
            problems = Problems()
            problems.error(root / "course.yaml", _id_line(root / "course.yaml"),
                           f"course id '{course_id}' is already used by {first[course_id]}",
                           "give every course its own id")
            clashes[root] = problems.items[0]
        else:
            first[course_id] = root
    return clashes


def _id_line(path: Path) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if line.startswith("id:"):
            return number
    return 1
