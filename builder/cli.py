"""The `coursepack` command: new, check, build, serve, docs, list, library, results and report."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Callable

import click

from builder import __version__
from builder.formats import ALL_FORMATS, FORMATS, MAX_INLINE, format_help
from builder.problems import CoursepackError, UsageProblem, display_path, terminal_safe
from builder.resources import GUIDES
from builder.sizes import parse_size

if TYPE_CHECKING:
    from builder.build import CourseResult

# The pipeline (Markdown, Jinja2, lxml, Pillow) is imported inside the commands that use it, so
# `coursepack --help`, `new` and `docs` start at once (tests/test_install.py checks what they import).
INTERNAL_ERROR = 3  # a bug or a broken install: never 1, which means "a course has errors"
RESULTS_VIEWS = ("learner", "question")  # `results --by`: what builder.results_output orders tables and rows by


class Coursepack(click.Group):
    """The command group: an unexpected exception is an internal error (exit 3), not a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except (click.ClickException, click.exceptions.Exit, click.Abort):
            raise
        except OSError as e:  # a full disk, a folder that vanished: one line, not a traceback
            path = Path(e.filename) if e.filename else None
            why = "is a file, where a folder is needed" if isinstance(e, FileExistsError) and path and \
                path.is_file() else e.strerror or str(e)
            raise CoursepackError(f"{display_path(path)}: {why}" if path else why) from e
        except KeyboardInterrupt:
            click.echo("Interrupted.", err=True)
            ctx.exit(130)
        except Exception as e:  # noqa: BLE001 (the one place that turns a bug into a message)
            if ctx.params.get("debug"):
                import traceback  # only after a bug: kept out of every command's start-up

                traceback.print_exc()
            click.echo(f"coursepack {__version__}: internal error: {type(e).__name__}: {e}\n"
                       "This is a bug in coursepack, not in your course; please report it with the output of "
                       "the same command run with --debug (coursepack --debug ...).", err=True)
            ctx.exit(INTERNAL_ERROR)


@click.group(cls=Coursepack, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="coursepack")
@click.option("--debug", is_flag=True, envvar="COURSEPACK_DEBUG",
              help="Show the full traceback of an internal error (exit code 3).")
def main(debug: bool) -> None:
    """Turn Markdown courses into SCORM 1.2, SCORM 2004 and offline packages."""


courses_argument = click.argument("courses", nargs=-1, type=click.Path(path_type=Path))
source_option = click.option("--source", "-s", default="courses", show_default=True,
                             type=click.Path(path_type=Path), help="Folder holding one folder per course.")
strict_option = click.option("--strict", is_flag=True, help="Treat warnings as errors.")
cache_option = click.option("--cache", type=click.Path(file_okay=False, path_type=Path),
                            help="Folder keeping optimised images between builds, so a rebuild re-encodes none. "
                                 "Default: .coursepack-cache beside the course folders. Delete it at any time.")


class Size(click.ParamType):
    """A size on the command line: bytes, or e.g. 2MB, 500KB, '1.5 MB' (1 KB = 1000 B)."""

    name = "size"

    def convert(self, value, param, ctx) -> int:
        if isinstance(value, int):
            return value
        try:
            return parse_size(value)
        except ValueError:
            self.fail(f"'{value}' is not a size; write bytes (2000000) or a size like 2MB, 500KB or '1.5 MB'",
                      param, ctx)


@main.command()
@courses_argument
@source_option
@strict_option
@click.option("--format", "-f", "formats", multiple=True, type=click.Choice(ALL_FORMATS),
              help=format_help())
@click.option("--out", "-o", default="dist", show_default=True, type=click.Path(path_type=Path),
              help="Folder the packages are written to.")
@click.option("--jobs", "-j", type=click.IntRange(1), help="Courses built at once. Default: one per core.")
@click.option("--budget", type=Size(), metavar="SIZE",
              help="Largest size a package may have, e.g. 2MB or 500KB (1 KB = 1000 B); overrides 'budget:' in "
                   "every course.yaml. A course with a bigger package fails and none of its packages is written.")
@click.option("--report", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write a JSON report of every package built, with the size, compressed size and SHA-256 "
                   "of every file inside; it holds no dates, so reports of two releases diff cleanly.")
@cache_option
@click.option("--shard", metavar="I/N",
              help="Build only shard I of N: a deterministic split of the courses, balanced by pages, that every "
                   "machine of a CI matrix computes alike; gather the shards' folders with 'coursepack library'.")
@click.option("--single-max-inline", "max_inline", type=Size(), metavar="SIZE", default=MAX_INLINE,
              show_default="200KB",
              help="Largest audio, video or other file the single .html file carries inside it; bigger ones are "
                   "left out, with a note saying they are in the full course package. Images are always inside.")
@click.option("--force", is_flag=True,
              help="Build every course, even one whose packages in --out are up to date (same sources, templates, "
                   "coursepack version and options as when they were written).")
def build_command(courses: tuple[Path, ...], source: Path, strict: bool, formats: tuple[str, ...], out: Path,
                  jobs: int | None, budget: int | None, report: Path | None, cache: Path | None,
                  shard: str | None, max_inline: int, force: bool) -> None:
    """Build COURSES (folders, or ids under --source; default: all of them) into packages in --out.

    A course whose packages in --out are up to date is not built again (see --force).
    """
    from builder.buildkey import BuildRecord, Options
    from builder.library import library_present
    from builder.media import default_cache
    from builder.outfolder import prepare_output
    from builder.package import check_output, write_file
    from builder.report import size_report
    from builder.scan import record_path
    from builder.schedule import parse_shard
    from builder.schedule import shard as shard_roots

    roots = find_courses(courses, source)
    if shard:
        which = parse_shard(shard)
        everything, roots = roots, shard_roots(roots, which)
        if not roots:
            click.echo(f"Shard {shard}: no course to build ({len(everything)} courses in all).", err=True)
            return
    out = prepare_output(out, roots)
    if report:
        check_output(report, roots, "report", "--report")
    if cache:
        cache = check_output(cache, roots, "cache folder", "--cache")
    record = record_path(cache or default_cache(roots[0]), out)
    keys = BuildRecord(out, Options(formats or FORMATS, strict, budget, max_inline))
    skip = keys.always_build if force or report else keys.up_to_date  # a report describes packages it built
    try:
        results = _run(roots, out, formats or FORMATS, strict, jobs, budget, cache, max_inline, skip)
    except KeyboardInterrupt:  # what was published before Ctrl-C is listed, with its real checksum
        _library(out, [], record, interrupted=True)
        raise
    keys.save(results)
    unchanged = all(r.up_to_date for r in results) and library_present(out)  # nothing to write, not even it
    library_failed = not unchanged and _library(out, results, record)  # before the report: see _library
    if report:
        write_file(report, size_report(results))
    _finish(results, wrote=True, failed=library_failed)


def _library(out: Path, results: list[CourseResult], record: Path, interrupted: bool = False) -> bool:
    """Bring the library in line with the packages in `out`, if it has any; True when it could not be."""
    from builder.library import library_present, write_library
    from builder.scan import Known

    if not (any(r.packages or r.up_to_date for r in results) or library_present(out) or (interrupted and out.is_dir())):
        return False
    failed = False
    fresh = {p.path.name: Known(p.stamp, p.sha256) for r in results for p in r.packages}
    for problem in write_library(out, fresh, record):
        click.echo(str(problem), err=True)
        failed = failed or not problem.warning
    return failed


@main.command()
@courses_argument
@source_option
@strict_option
@cache_option
def check(courses: tuple[Path, ...], source: Path, strict: bool, cache: Path | None) -> None:
    """Report every problem of COURSES without writing any package.

    Images are optimised as for a build (and kept in the cache), since that is where broken or unsafe
    images show.
    """
    from builder.package import check_output

    roots = find_courses(courses, source)
    if cache:
        cache = check_output(cache, roots, "cache folder", "--cache")
    _finish(_run(roots, None, (), strict, None, cache=cache), wrote=False)


@main.command()
@click.argument("course_id")
@source_option
def new(course_id: str, source: Path) -> None:
    """Create a working course folder COURSE_ID under --source to start from."""
    from builder.scaffold import create_course

    folder = create_course(source, course_id)
    click.echo(f"Created {folder}. Edit {folder / 'course.yaml'} and the files in {folder / 'modules'}, "
               f"then run: coursepack serve {folder}  (the authoring guide: coursepack docs)")


@main.command()
@click.argument("guide", default="authoring", type=click.Choice(tuple(GUIDES)))
def docs(guide: str) -> None:
    """Print where the installed GUIDE is (the authoring guide unless named): every course.yaml key,
    module syntax, quizzes, languages."""
    from builder.resources import docs as docs_folder

    click.echo(docs_folder() / GUIDES[guide])


@main.command()
@click.argument("course", required=False, type=click.Path(path_type=Path))
@source_option
@cache_option
@click.option("--port", "-p", type=click.IntRange(0, 65535), default=0,
              help="Port on 127.0.0.1 to serve on. Default: a free one (printed).")
@click.option("--open", "open_browser", is_flag=True, help="Also open the course in the web browser.")
def serve(course: Path | None, source: Path, cache: Path | None, port: int, open_browser: bool) -> None:
    """Preview COURSE (default: every course under --source) in the browser while you write it.

    The offline site is built into a temporary folder and served on 127.0.0.1 only; every save of a
    module, image, course.yaml or template rebuilds what changed and reloads the page. Problems show in
    this terminal and over the page; the preview keeps running until Ctrl-C.
    """
    from builder.serve import serve_courses

    serve_courses(find_courses((course,) if course else (), source), source if not course else None,
                  cache, port, open_browser)


@main.command("results")
@click.argument("paths", metavar="RESULTS...", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--csv", "csv_out", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write every answer of every learner to this CSV file (UTF-8 for Excel).")
@click.option("--by", type=click.Choice(RESULTS_VIEWS),
              help="Print only the learner tables, or only the question tables and survey answers; "
                   "also orders the CSV rows. Default: both, CSV learner by learner.")
def results_command(paths: tuple[Path, ...], csv_out: Path | None, by: str | None) -> None:
    """Summarise the results files learners saved from a course's My progress page.

    RESULTS are files, or folders whose *.json files are all read.
    """
    from builder.results import summarise
    from builder.results_output import course_lines, csv_rows, write_csv

    summary = summarise(paths)
    if csv_out and csv_out.resolve() in {f.resolve() for f in summary.files}:
        raise UsageProblem(f"--csv '{csv_out}' is one of the results files; choose another file name")
    for problem in sorted(summary.problems.items, key=lambda p: (p.warning, p.path, p.line)):
        click.echo(str(problem), err=True)
    for n, course in enumerate(summary.courses):
        click.echo(terminal_safe("\n".join(([""] if n else []) + course_lines(course, by))))  # learners' text
    if csv_out:
        rows = csv_rows(summary.courses, by)
        write_csv(csv_out, rows)
        click.echo(f"Wrote {len(rows)} rows to {csv_out}")
    click.echo(summary.counts(), err=bool(summary.rejected))
    if summary.rejected:
        click.get_current_context().exit(1)


@main.command("report")
@click.argument("paths", metavar="RESULTS...", nargs=-1, required=True,
                type=click.Path(exists=True, path_type=Path))
@click.option("--out", type=click.Path(dir_okay=False, path_type=Path), default=Path("needs-report.html"),
              show_default=True, help="The report page; its figures go beside it as .json.")
@click.option("--lang", help="The report's language (en, es, fr, pt, pt-PT, pl, ar). "
                             "Default: the language most learners used.")
@click.option("--group-by", "group_by", metavar="FIELD",
              help="Break every figure down by 'folder' (the folder each file was collected in) or by a "
                   "learner field: town, organisation, cohort, or a column of an LMS export.")
@click.option("--since", type=click.Path(exists=True, path_type=Path),
              help="Compare with an earlier needs-report.json, or with a folder of earlier results files.")
@click.option("--course", "course_id", metavar="ID", help="The course of LMS exports that have no course column.")
@click.option("--courses", "sources", multiple=True, type=click.Path(exists=True, file_okay=False, path_type=Path),
              help="Course folder (or folder of courses) whose questions turn an LMS export's option letters "
                   "back into words. Repeatable.")
def report_command(paths: tuple[Path, ...], out: Path, lang: str | None, group_by: str | None,
                   since: Path | None, course_id: str | None, sources: tuple[Path, ...]) -> None:
    """Write a coordinator's needs report: one HTML page, offline, with charts.

    RESULTS are results files learners saved, LMS exports of SCORM interactions (Moodle's
    interactions report downloaded as text, or a CSV of learner, interaction id, response, result),
    or folders holding them.
    """
    from builder.needs_html import LANGUAGES
    from builder.needs_report import ReportOptions, companion, make_report

    if lang and lang not in LANGUAGES and lang.split("-")[0] not in LANGUAGES:
        raise UsageProblem(f"--lang '{lang}': the report speaks " + ", ".join(LANGUAGES))
    options = ReportOptions(group_by.casefold() if group_by else None, lang, course_id, sources)
    inputs, report = make_report(list(paths), out, options, since)
    for line in report["problems"]:
        click.echo(line, err=True)
    click.echo(f"Wrote {out} and {companion(out)}: {report['inputs']['read']} of {inputs.files} files read, "
               f"{len(inputs.records)} learners in {len(report['courses'])} course versions")
    if inputs.rejected:
        click.get_current_context().exit(1)


main.add_command(build_command, "build")


@main.command("list")
@courses_argument
@source_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON: every course with its id, version, languages, "
              "module files, build key and errors (and its shard with --shards).")
@click.option("--shards", type=click.IntRange(1), default=1, show_default=True,
              help="Also say which of N shards ('build --shard I/N') builds each course.")
def list_command(courses: tuple[Path, ...], source: Path, as_json: bool, shards: int) -> None:
    """List COURSES (default: all under --source) with what a CI matrix needs to spread and cache builds."""
    from builder.fanout import listing

    data = listing(find_courses(courses, source), shards)
    if as_json:
        click.echo(json.dumps(data, indent=2, ensure_ascii=False))
        return
    for c in data["courses"]:
        where = f"  shard {c['shard']}" if "shard" in c else ""
        state = f"  {len(c['errors'])} error(s)" if c["errors"] else ""
        click.echo(f"{c['id']}  {c['version'] or '-'}  {','.join(c['languages']) or '-'}  "
                   f"{c['module_files']} module files  key {c['build_key'][:12]}{where}{state}  {c['folder']}")


@main.command("library")
@click.argument("folders", metavar="FOLDER...", nargs=-1, required=True,
                type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--out", "-o", type=click.Path(file_okay=False, path_type=Path),
              help="Folder to gather every package into, with one library page and catalog.json. "
                   "Default: the FOLDER itself, when there is only one.")
def library_command(folders: tuple[Path, ...], out: Path | None) -> None:
    """Gather the packages of FOLDERs (e.g. the outputs of 'build --shard I/N') into one offline library."""
    from builder.fanout import gather_packages
    from builder.library import write_library
    from builder.outfolder import prepare_output
    from builder.scan import scan

    if out is None:
        if len(folders) > 1:
            raise UsageProblem(f"{len(folders)} folders given; name the folder to gather them into with --out")
        out = folders[0]
    prepare_output(out, [])  # the same checks as build's --out: no foreign index.html replaced, leftovers gone
    out.mkdir(parents=True, exist_ok=True)
    problems = gather_packages(list(folders), out) if list(folders) != [out] else []
    problems += write_library(out)
    for problem in problems:
        click.echo(str(problem), err=True)
    count = len(scan(out)[0])
    click.echo(f"Library of {count} packages written to {out / 'index.html'} and {out / 'catalog.json'}.")
    if any(not p.warning for p in problems):
        click.get_current_context().exit(1)


def find_courses(courses: tuple[Path, ...], source: Path) -> list[Path]:
    """Course folders named on the command line (paths or ids), or every course under `source`."""
    if not courses:
        if not source.is_dir():
            raise UsageProblem(f"no '{source}' folder here; run from the project folder, pass --source, "
                               "or name course folders")
        found = sorted(p.parent for p in source.glob("*/course.yaml"))
        if not found:
            raise UsageProblem(f"no courses under '{source}' (a course is a folder with a course.yaml)")
        return found
    roots = []
    for name in courses:
        folder = name if name.is_dir() else source / name
        if not folder.is_dir():
            raise UsageProblem(f"no course folder '{name}' (looked in '{name}' and '{source / name}')")
        roots.append(folder)
    return roots


def _run(roots: list[Path], out: Path | None, formats: tuple[str, ...], strict: bool, jobs: int | None,
         budget: int | None = None, cache: Path | None = None, max_inline: int = MAX_INLINE,
         skip: Callable[[Path], CourseResult | None] = lambda root: None) -> list[CourseResult]:
    """Build or check with a progress bar: courses done, or for one course its pages and packages."""
    from builder import progress
    from builder.build import build
    from builder.report import Reporter

    reporter = Reporter(strict=strict)
    one = len(roots) == 1
    if one and not sys.stderr.isatty():  # no "Building" line in logs for one course, as before
        return build(roots, out, formats, strict, jobs, reporter.course_done, budget, cache, max_inline, skip)
    with click.progressbar(length=max(len(roots), 1), label="Building" if out else "Checking", file=sys.stderr,
                           show_pos=not one) as bar:
        def done(result: CourseResult) -> None:
            _above(bar, lambda: reporter.course_done(result))
            bar.update(0 if one else 1)

        def advance(steps: int, expected: int) -> None:
            bar.length = max(expected, 1)
            bar.update(steps - bar.pos)

        progress.listen(advance if one else None)
        try:
            return build(roots, out, formats, strict, jobs, done, budget, cache, max_inline, skip)
        finally:
            progress.listen(None)


def _above(bar, echo: Callable[[], None]) -> None:
    """Print above the bar: clear its line first, so a warning never ends up glued to it."""
    if bar.file.isatty():  # a hidden bar (a log, a pipe) draws nothing to clear
        bar.file.write("\r\x1b[K")
    echo()


def _finish(results: list[CourseResult], wrote: bool, failed: bool = False) -> None:
    from builder.report import Reporter

    Reporter().summary(results, wrote)
    if failed or any(r.failed for r in results):
        click.get_current_context().exit(1)
