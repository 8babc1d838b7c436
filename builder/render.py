"""Render pages through Jinja2 templates and gather every file a package carries."""

from __future__ import annotations

import os
import re
import traceback
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Callable

import jinja2
import lxml.html
from markupsafe import Markup

from builder import __version__
from builder.assets import MINIFIERS, minify, shipped
from builder.course import Course
from builder.docids import relink, unique_ids
from builder.limits import TEMPLATE, role_of
from builder.locale import TEMPLATES, Strings, fill, strings
from builder.names import collision, safe_name
from builder.pages import Page
from builder.problems import Problems
from builder.quizhtml import plain
from builder.safefiles import Refused, decode_text, read_course_file
from builder.tracking import COURSE_DATA, course_data_js, course_model
from builder.trees import inner_html

RTL_LANGUAGES = {"ar", "fa", "he", "ur", "ps", "sd", "ug", "yi", "dv", "ckb"}
HOME = "index.html"
PROGRESS = "progress.html"  # rendered when a progress.html template exists
PRINT = "print.html"  # the whole course on one page, for printing; rendered when its template exists
PRINT_IDS = {"main", "cp-print"}  # ids of print.html around the modules (and cp-print-<n>, their titles)
_HEADING = re.compile(r"<(/?)h([1-5])\b", re.IGNORECASE)
_ID_ATTR = re.compile(r"""\sid=(?:"([^"]*)"|'([^']*)')""")  # an id as lxml writes it, and maybe a word
# Answer keys, JavaScript notes, Check buttons and results are left out; forms become plain blocks,
# so nothing on the page can be sent (the page loads no runtime to catch a submit).
_NOT_PRINTED = re.compile(r'<details class="cp-answers">.*?</details>|<noscript>.*?</noscript>'
                          r'|<div class="cp-actions">.*?</div>|<div class="cp-result"[^>]*></div>', re.DOTALL)
_FORM = re.compile(r"<(/?)form\b[^>]*>")
_CLOSED = re.compile(r"<details(?=[\s>])(?![^>]*\sopen[\s=>])")


@dataclass(frozen=True)
class Layout:
    """Where a site's pages sit in their package: at its root, or in a language folder of the combined package."""

    folder: str = ""  # prefix of every page's path: "" or "es/"
    languages: tuple[dict[str, str], ...] = ()  # the switcher's languages (code, name, dir): combined package only
    course_data: str = COURSE_DATA  # path of the course model in the package
    language_key: str = ""  # where pages note their language for the chooser (localStorage): combined package only

    @property
    def root(self) -> str:
        """From a page back to the package root, where the shared assets and course files are."""
        return "../" * self.folder.count("/")


@dataclass
class Site:
    """Every file of one course in one language, keyed by its path inside the package."""

    course: Course
    lang: str
    files: dict[str, bytes | Path] = field(default_factory=dict)
    pages: list[str] = field(default_factory=list)
    layout: Layout = Layout()

    @property
    def title(self) -> str:
        return self.course.text(self.lang).title


class TemplateRefused(jinja2.TemplateError):
    """A course template that may not be read (a link outside the course, a FIFO, not UTF-8…)."""

    def __init__(self, path: Path, message: str, hint: str) -> None:
        super().__init__(message)
        self.path, self.hint = path, hint


class CourseTemplates(jinja2.BaseLoader):
    """A course's own templates, read through builder.safefiles like every other course file."""

    def __init__(self, root: Path, folder: Path) -> None:
        self.root, self.folder = root, folder

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Callable[[], bool]]:
        path = self.folder.joinpath(*jinja2.loaders.split_template_path(template))
        if not os.path.lexists(path):
            raise jinja2.TemplateNotFound(template)
        try:
            data = read_course_file(self.root, path, TEMPLATE)
        except Refused as e:
            raise TemplateRefused(path, e.message, e.hint) from None
        problems = Problems()
        text = decode_text(data, path, problems)
        if text is None:
            raise TemplateRefused(path, problems.items[0].message, problems.items[0].hint)
        mtime = os.stat(path).st_mtime
        return text, str(path), lambda: os.path.lexists(path) and os.stat(path).st_mtime == mtime


def environment(course: Course) -> jinja2.Environment:
    """Course templates first, then ours; undefined names and unescaped text are errors, not surprises."""
    if not course.templates.is_dir():  # ours only: one environment for every such course, compiled once
        return _environment(None, None)
    return _environment(course.root.absolute(), course.templates.absolute())


@cache
def _environment(root: Path | None, course_templates: Path | None) -> jinja2.Environment:
    """One environment per template search path, so courses sharing ours compile them once."""
    ours = jinja2.FileSystemLoader(str(TEMPLATES))
    loader = jinja2.ChoiceLoader([CourseTemplates(root, course_templates), ours]) if course_templates else ours
    return jinja2.Environment(loader=loader, undefined=jinja2.StrictUndefined, autoescape=True,
                              keep_trailing_newline=True, bytecode_cache=compiled_templates())


class _CompiledTemplates(jinja2.FileSystemBytecodeCache):
    """Jinja2's compiled templates in its per-user temp folder; a folder that cannot be read or written costs
    time, never the build."""

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Load, or leave the bucket empty (compiled again) when the file cannot be read."""
        try:
            super().load_bytecode(bucket)
        except OSError:
            bucket.reset()

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        """Keep, unless the folder is full or read-only."""
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def compiled_templates() -> jinja2.BytecodeCache | None:
    """Compiling the page templates cost every process (each worker too) about 80 ms; loading them about 1 ms.

    Kept where Jinja2 keeps them by default: `_jinja2-cache-<uid>` in the temp folder, which Jinja2 makes
    owner-only and checks before use. Never in the cache folder beside the courses, which may come with them
    (a cloned repository): compiled code runs when loaded. Entries are keyed by template and checked against
    its source, so an edited template is compiled again."""
    try:
        return _CompiledTemplates()
    except (OSError, RuntimeError):  # no safe temp folder: compile every time
        return None


def text_dir(lang: str) -> str:
    """'rtl' for a language written right to left (Arabic, Persian, Hebrew, Urdu…), else 'ltr'."""
    return "rtl" if lang.split("-")[0] in RTL_LANGUAGES else "ltr"


def lang_attrs(text_lang: str, page_lang: str) -> Markup:
    """' lang="en" dir="ltr"' on words in another language than the page's: a module not yet translated."""
    if text_lang == page_lang:
        return Markup("")
    return Markup(' lang="{}" dir="{}"').format(text_lang, text_dir(text_lang))


def human_duration(minutes: int | None, t: Strings) -> str:
    """'3 h 30 min' in English, '3 ساعات و30 دقيقة' in Arabic: hours and minutes in the language's words."""
    if not minutes:
        return ""
    hours, rest = divmod(minutes, 60)
    if hours and rest:
        return fill(t["duration_both"], hours=t.count("duration_hours", hours),
                    minutes=t.count("duration_minutes", rest))
    return t.count("duration_hours", hours) if hours else t.count("duration_minutes", rest)


def render_site(course: Course, lang: str, pages: list[Page], problems: Problems, layout: Layout = Layout()) -> Site:
    """Render the home page and every module page, and collect static and course files.

    Pages go where `layout` says; static and course files stay at the package root in any layout.
    """
    env = environment(course)
    text = course.text(lang)
    t = strings(course, lang)

    def attrs(page: Page) -> Markup:
        return lang_attrs(course.language if page.fallback else lang, lang)

    modules = [{"title": p.title, "href": p.href, "description": p.description, "lang_attrs": attrs(p),
                "duration": human_duration(p.duration, t), "number": i} for i, p in enumerate(pages, 1)]
    common = {
        "lang": lang, "dir": text_dir(lang),
        "t": t, "css_href": layout.root + "assets/coursepack.css", "root": layout.root,
        "course_data_href": layout.root + layout.course_data, "languages": layout.languages,
        "language_key": layout.language_key, "generator": f"coursepack {__version__}",
        "modules": modules,
        "course": {"id": course.id, "title": text.title, "description": text.description, "version": course.version,
                   "authors": course.authors, "organisation": course.organisation, "licence": course.licence,
                   "objectives": text.objectives, "keywords": text.keywords,
                   "duration": human_duration(course.duration, t)},
    }
    site = Site(course, lang, layout=layout)
    _check_course_templates(course, env, problems)
    home = {"title": text.title, "href": HOME, "kind": "home"}
    _render(site, env, "home.html", HOME, {**common, "page": home}, problems)
    for i, page in enumerate(pages):
        context = {**common, "page": {
            "title": page.title, "href": page.href, "kind": "module", "number": i + 1, "body": Markup(page.body),
            "toc": page.toc, "fallback": page.fallback, "content_lang": course.language if page.fallback else lang,
            "lang_attrs": attrs(page),
            "prev": modules[i - 1] if i else {"title": text.title, "href": HOME, "lang_attrs": Markup("")},
            "next": modules[i + 1] if i + 1 < len(pages) else None}}
        _render(site, env, "module.html", page.href, context, problems)
    if _exists(env, PROGRESS):
        progress = {"title": t["progress_title"], "href": PROGRESS, "kind": "progress", "quizzes": [
            {"id": q.id, "title": plain(q.title), "href": p.href, "lang_attrs": attrs(p)} for p in pages for q in p.quizzes],
            "fields": [{"name": name, "choices": choices} for name, choices in course.learner_fields]}
        _render(site, env, PROGRESS, PROGRESS, {**common, "page": progress}, problems)
    if _exists(env, PRINT):
        whole = {"title": t["print_title"], "href": PRINT, "kind": "print", "modules": [
            {"number": i, "title": p.title, "body": Markup(body), "lang_attrs": attrs(p)}
            for i, (p, body) in enumerate(zip(pages, printed_bodies(pages)), 1)]}
        _render(site, env, PRINT, PRINT, {**common, "page": whole}, problems)
    _add_static(site, course, problems)
    scripts = [file_text(data) for name, data in site.files.items() if name.endswith(".js")]
    site.files[layout.course_data] = course_data_js(course_model(course, lang, pages, t, scripts))  # never overridden
    _add_course_files(site, pages, problems)
    return site


def file_bytes(data: bytes | Path) -> bytes:
    """The bytes of a file of a site: held in memory, or a course file left where it is (images, media)."""
    return data if isinstance(data, bytes) else data.read_bytes()


def file_text(data: bytes | Path) -> str:
    """The text of a file of a site (pages and scripts are UTF-8: builder.safefiles checked a course's own)."""
    return file_bytes(data).decode("utf-8")


def _exists(env: jinja2.Environment, template: str) -> bool:
    """Whether a template of that name is found (course-first), without compiling it."""
    try:
        env.loader.get_source(env, template)
    except jinja2.TemplateNotFound:
        return False
    except TemplateRefused:
        return True  # rendering it reports why
    return True


def _check_course_templates(course: Course, env: jinja2.Environment, problems: Problems) -> None:
    """Every template file of the course may be read, even one only the single file uses (single.js)."""
    for path in sorted(course.templates.glob("*")) if course.templates.is_dir() else []:
        if path.name not in ("static", "locales"):
            try:
                env.loader.get_source(env, path.name)
            except TemplateRefused as e:
                problems.error(e.path, 0, e.message, e.hint)


def printed_bodies(pages: list[Page]) -> list[str]:
    """The modules' bodies for the whole-course page, printable, with ids unique on it as in the single
    file (modules share `#summary`, footnotes are `#fn:1` in each), and links inside a module following."""
    bodies = [printable(page.body) for page in pages]
    frame = PRINT_IDS | {f"cp-print-{number}" for number in range(1, len(pages) + 1)}
    found = [{a or b for a, b in _ID_ATTR.findall(body)} for body in bodies]  # a quick look: every id, maybe more
    if sum(map(len, found)) == len(every := set().union(*found)) and not every & frame:
        return bodies  # no id in two modules nor on the page around them: nothing to parse again
    sections = {}
    for number, (page, body) in enumerate(zip(pages, bodies), 1):
        sections[page.href] = lxml.html.fragment_fromstring(body, create_parent="div")
        sections[page.href].set("id", f"cp-print-{number}")  # its title's id on the page: renamed ids start so
    renames = unique_ids(frame, sections)
    for name, section in sections.items():
        relink(section, name, {name: renames[name]})  # links to other modules keep going to their pages
    return [inner_html(section) for section in sections.values()]


def printable(body: str) -> str:
    """A module's body for the whole-course page: questions without anything that answers or sends
    them, boxes that fold (solutions, hints, transcripts) open, and every heading one level down (h6
    stays), so the module's sections sit under its title."""
    body = _FORM.sub(lambda m: "</div>" if m[1] else '<div class="cp-quiz-form">', _NOT_PRINTED.sub("", body))
    body = _CLOSED.sub("<details open", body)
    return _HEADING.sub(lambda m: f"<{m[1]}h{int(m[2]) + 1}", body)


def render_page(site: Site, template: str, name: str, context: dict, problems: Problems) -> None:
    """Render one more page into `site`, at `name` in its layout; a template error is recorded with its line."""
    _render(site, environment(site.course), template, name, context, problems)


def _render(site: Site, env: jinja2.Environment, template: str, name: str, context: dict,
            problems: Problems) -> None:
    try:
        html = env.get_template(template).render(context)
    except TemplateRefused as e:
        problems.error(e.path, 0, e.message, e.hint)
        return
    except jinja2.TemplateError as e:
        path, line = _template_line(e, site.course, template)
        problems.error(path, line, f"template error: {e.message}",
                       "fix the template (a course template overrides the one of the same name)")
        return
    site.files[site.layout.folder + name] = html.encode("utf-8")
    site.pages.append(site.layout.folder + name)


def _template_line(error: jinja2.TemplateError, course: Course, template: str) -> tuple[Path, int]:
    """Template file and line of an error: syntax errors carry them, render errors only in the traceback."""
    if getattr(error, "lineno", None):
        return Path(error.filename or course.templates / template), error.lineno
    folders = (course.templates.resolve(), TEMPLATES)
    frames = [frame for frame in traceback.extract_tb(error.__traceback__)
              if any(Path(frame.filename).resolve().is_relative_to(folder) for folder in folders)]
    if frames:
        return Path(frames[-1].filename), frames[-1].lineno or 0
    return course.templates / template, 0


def _add_static(site: Site, course: Course, problems: Problems) -> None:
    """Our static files, each replaceable by a course's own file of the same name; .js and .css minified."""
    taken: dict[str, tuple[str, Path]] = {}  # casefolded package name -> package name, source
    for path in sorted((TEMPLATES / "static").glob("*")):
        if path.is_file() and _name_free(path, course, taken, problems):
            site.files[f"assets/{safe_name(path.name)}"] = shipped(path)
    folder = course.templates / "static"
    for path in sorted(folder.glob("*")) if folder.is_dir() else []:
        if _name_free(path, course, taken, problems) and (data := _course_static(course, path, problems)) is not None:
            site.files[f"assets/{safe_name(path.name)}"] = data


def _course_static(course: Course, path: Path, problems: Problems) -> bytes | None:
    """A course's own static file as packages carry it (scripts and stylesheets UTF-8, and minified)."""
    role = role_of(path.suffix)
    try:
        data = read_course_file(course.root, path, role)
    except Refused as e:
        problems.error(path, 0, e.message, e.hint)
        return None
    if role.text and decode_text(data, path, problems) is None:
        return None
    suffix = path.suffix.lower()
    return minify(data, suffix) if suffix in MINIFIERS else data


def _name_free(path: Path, course: Course, taken: dict[str, tuple[str, Path]], problems: Problems) -> bool:
    """False, with an error naming both, when another static file has this name but for letter case.

    A course's file of exactly our file's name is no clash: it replaces ours.
    """
    name = f"assets/{safe_name(path.name)}"
    first, source = taken.setdefault(name.casefold(), (name, path))
    if source == path or (source.parent != path.parent and first == name):
        return True
    other = f"coursepack's own '{first}'" if source.is_relative_to(TEMPLATES) else \
        f"'{source.relative_to(course.root).as_posix()}'"
    hint = "rename one" if source.parent == path.parent else f"name it '{first.removeprefix('assets/')}' to replace ours"
    problems.error(path, 0, f"'{path.name}' collides with {other}: {collision(path.name, source.name, first, name)}",
                   hint)
    return False


def _add_course_files(site: Site, pages: list[Page], problems: Problems) -> None:
    origin: dict[str, Path] = {}
    for page in pages:
        for file in page.files:
            if origin.setdefault(file.target, file.source) != file.source:
                problems.error(page.source, 0, f"'{file.source.name}' and '{origin[file.target].name}' both "
                               f"become '{file.target}' in the package", "rename one of them (file names are "
                               "made ASCII-safe in packages)")
            site.files[file.target] = file.content if file.content is not None else file.source
