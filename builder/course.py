"""Load a course folder: course.yaml and the list of module files, validated."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from builder import schema
from builder.images import ImageSettings
from builder.limits import COURSE_YAML, MODULE, MODULE_SUFFIXES, module_suffix
from builder.names import safe_name
from builder.problems import Problems, did_you_mean
from builder.safefiles import Refused, check_course_file, read_course_text
from builder.yamlfile import parse_yaml_once

RESERVED_PAGES = {"index": "the course home page", "progress": "the learner's progress page",
                  "print": "the printable version of the whole course"}
_LANG_SUFFIX = re.compile(r"(?P<name>.+)\.(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)")


@dataclass(frozen=True)
class Completion:
    """When tracking reports the course complete, and the passing score in percent."""

    rule: str
    mastery_score: float


@dataclass(frozen=True)
class CourseText:
    """The translatable metadata of a course in one language."""

    title: str
    description: str
    keywords: list[str]
    objectives: list[str]


@dataclass(frozen=True)
class ModuleSource:
    """One module: its base name (the page name) and its file per language."""

    name: str
    files: dict[str, Path]
    line: int = 0

    @property
    def page(self) -> str:
        """File name of the module's page in every package."""
        return f"{safe_name(self.name)}.html"


@dataclass(frozen=True)
class Course:
    """A validated course.yaml plus its module files."""

    root: Path
    config: Path
    id: str
    version: str
    language: str
    languages: tuple[str, ...]
    authors: list[str]
    organisation: str
    licence: str
    duration: int | None
    completion: Completion
    texts: dict[str, CourseText]
    modules: tuple[ModuleSource, ...] = field(default=())
    budget: int | None = None  # bytes a package may have at most
    budget_line: int = 0  # where course.yaml sets it, for the over-budget error
    images: ImageSettings = ImageSettings()
    learner_fields: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (field, its preset choices) for My progress
    cmi5_iri: str = ""  # course.yaml's cmi5.iri: where the cmi5 ids start (builder/formats/cmi5.py)

    def text(self, lang: str) -> CourseText:
        """Metadata in `lang`, falling back to the primary language per field."""
        return self.texts.get(lang, self.texts[self.language])

    @property
    def templates(self) -> Path:
        return self.root / "templates"


def load_course(root: Path, problems: Problems) -> Course | None:
    """Read and validate a course folder; None when course.yaml itself is unusable."""
    config = root / "course.yaml"
    if not os.path.lexists(config):
        problems.error(root, 0, "no course.yaml in this folder", "create one, or run 'coursepack new ID'")
        return None
    text = read_course_text(root, config, COURSE_YAML, problems)
    doc = parse_yaml_once(text, config, problems) if text is not None else None
    if doc is None:
        return None
    values = schema.validate(doc, schema.COURSE, problems)
    if not values["id"]:
        return None
    languages = _languages(values, doc, problems)
    course = Course(
        root=root, config=config, id=values["id"], version=values["version"] or "0",
        language=values["language"], languages=languages, authors=values["authors"],
        organisation=values["organisation"], licence=values["licence"], duration=values["duration"],
        completion=Completion(**values["completion"]), texts=_texts(values, languages, doc, problems),
        budget=values["budget"], budget_line=doc.lines.get(("budget",), 0),
        images=ImageSettings(**values["images"]), cmi5_iri=values["cmi5"]["iri"],
        learner_fields=tuple((name, tuple(choices)) for name, choices in values["learner_fields"].items()),
    )
    if root.name != course.id:
        problems.warn(config, doc.line(("id",)), f"course id '{course.id}' differs from its folder name "
                      f"'{root.name}'", f"rename the folder to '{course.id}' so both agree")
    modules = _listed_modules(course, values["modules"], doc, problems) if values["modules"] is not None \
        else _found_modules(course, problems)
    if not modules and not problems.errors:
        problems.error(config, doc.line(("modules",)), "the course has no modules",
                       "add Markdown files under modules/, e.g. modules/01-welcome.md")
    return Course(**{**course.__dict__, "modules": tuple(modules)})


def _languages(values: dict, doc, problems: Problems) -> tuple[str, ...]:
    languages = values["languages"] or [values["language"]]
    if values["language"] not in languages:
        problems.error(doc.path, doc.line(("languages",)), f"languages: does not include the course language "
                       f"'{values['language']}'", f"add '{values['language']}' to languages")
        languages = [values["language"], *languages]
    return tuple(languages)


def _texts(values: dict, languages: tuple[str, ...], doc, problems: Problems) -> dict[str, CourseText]:
    base = CourseText(values["title"] or values["id"], values["description"], values["keywords"],
                      values["objectives"])
    texts = {values["language"]: base}
    for lang, tr in values["translations"].items():
        if lang not in languages:
            problems.error(doc.path, doc.line(("translations", lang)),
                           f"translations.{lang}: '{lang}' is not one of the course languages",
                           did_you_mean(lang, languages) if len(languages) > 1 else "add it to languages:")
            continue
        texts[lang] = CourseText(*(tr[k] if tr[k] is not None else getattr(base, k)
                                   for k in ("title", "description", "keywords", "objectives")))
    return texts


def _split_name(path: Path, languages: tuple[str, ...]) -> tuple[str, str | None]:
    """'01-intro.es.md' -> ('01-intro', 'es'); a suffix that is no course language is part of the name."""
    stem = path.name[:-len(module_suffix(path.name))]
    match = _LANG_SUFFIX.fullmatch(stem)
    if match and match["lang"] in languages:
        return match["name"], match["lang"]
    return stem, None


def module_files(folder: Path) -> list[Path]:
    """The module files directly in `folder` (.md, .Rmd, .qmd), in file-name order."""
    return sorted(p for p in folder.glob("*") if module_suffix(p.name)) if folder.is_dir() else []


def _found_modules(course: Course, problems: Problems) -> list[ModuleSource]:
    folder = course.root / "modules"
    if not folder.is_dir():
        problems.error(course.config, 0, "no modules/ folder and no 'modules:' list",
                       "put the module Markdown files in modules/")
        return []
    files = []
    for path in module_files(folder):
        try:
            check_course_file(course.root, path, MODULE)
        except Refused as e:
            problems.error(path, 0, e.message, e.hint)
            continue
        files.append(path)
    return _group(course, files, problems, lines={})


def _listed_modules(course: Course, listed: list[str], doc, problems: Problems) -> list[ModuleSource]:
    files, lines = [], {}
    for i, entry in enumerate(listed):
        line = doc.line(("modules", i))
        path = _course_path(course, entry, line, problems)
        if path is None:
            continue
        if path in lines:
            problems.error(course.config, line, f"modules[{i}]: '{entry}' is listed twice",
                           f"remove the repeat (first listed on line {lines[path]})")
            continue
        files.append(path)
        lines[path] = line
    modules = _group(course, files, problems, lines)
    _warn_unlisted(course, {p for m in modules for p in m.files.values()}, problems)
    return modules


def _course_path(course: Course, entry: str, line: int, problems: Problems) -> Path | None:
    """A module path from course.yaml, checked to exist inside the course folder."""
    label = f"modules: '{entry}'"
    if entry.startswith("/") or "\\" in entry or re.match(r"[A-Za-z]:", entry):
        problems.error(course.config, line, f"{label} is an absolute path", "write it relative to the course "
                       "folder, e.g. modules/01-intro.md")
        return None
    path = course.root / entry
    if not Path(os.path.abspath(path)).is_relative_to(os.path.abspath(course.root)):  # links: checked below
        problems.error(course.config, line, f"{label} leaves the course folder",
                       "keep every module inside the course folder")
        return None
    if not module_suffix(entry):
        problems.error(course.config, line, f"{label} is not a Markdown file",
                       "module files end in .md (or .Rmd, .qmd)")
        return None
    if not os.path.lexists(path):
        existing = sorted(p.relative_to(course.root).as_posix() for p in course.root.rglob("*")
                          if module_suffix(p.name))
        hint = did_you_mean(entry, existing) if existing else "check the path, relative to the course folder"
        problems.error(course.config, line, f"{label}: file not found", hint)
        return None
    try:
        check_course_file(course.root, path, MODULE)
    except Refused as e:
        problems.error(course.config, line, f"{label}: {e.message}", e.hint)
        return None
    return path


def _group(course: Course, files: list[Path], problems: Problems, lines: dict[Path, int]) -> list[ModuleSource]:
    """Turn primary-language files into modules, each with the translations found beside it."""
    modules = []
    for path in files:
        name, lang = _split_name(path, course.languages)
        suffix = module_suffix(path.name)
        if lang not in (None, course.language):
            if lines:
                problems.error(course.config, lines[path], f"modules: '{path.relative_to(course.root)}' is a "
                               "translation", f"list the {course.language} file {name}{suffix}; translations are "
                               "found beside it")
            elif not any(path.with_name(f"{name}{ext}").is_file() for ext in (suffix, *MODULE_SUFFIXES)):
                problems.error(path, 0, f"translation without its '{course.language}' module {name}{suffix}",
                               f"add {name}{suffix} (the course language is '{course.language}') or rename this "
                               "file")
            continue
        files_by_lang = {course.language: path} | _translations_of(course, name, path)
        modules.append(ModuleSource(name, files_by_lang, lines.get(path, 0)))
    return _own_pages(course, modules, problems)


def _own_pages(course: Course, modules: list[ModuleSource], problems: Problems) -> list[ModuleSource]:
    """Modules whose page name is theirs alone, also where letter case is ignored (Windows, macOS, some LMSs).

    A module whose safe name is that of a built-in page or of an earlier module would replace it
    in every package: an error naming both.
    """
    taken: dict[str, ModuleSource] = {}
    kept = []
    for module in modules:
        page, path = module.page.casefold(), module.files[course.language]
        *where, this = ((course.config, module.line, f"module '{_relative(course, path)}'") if module.line
                       else (path, 0, "this module"))  # listed in course.yaml: point at the list
        builtin = page.removesuffix(".html")
        if builtin in RESERVED_PAGES:
            message = f"a module cannot be named '{module.name}' ({RESERVED_PAGES[builtin]} is {builtin}.html)" \
                if module.name == builtin else \
                f"{this}: its page '{module.page}' collides with {RESERVED_PAGES[builtin]} ({builtin}.html)"
            problems.error(*where, message, "rename the file, e.g. 00-welcome.md")
        elif page in taken:
            other = taken[page]
            problems.error(*where, f"{this}: its page '{module.page}' collides with '{other.page}' of "
                           f"{_relative(course, other.files[course.language])}", "rename one")
        else:
            taken[page] = module
            kept.append(module)
    return kept


def _relative(course: Course, path: Path) -> str:
    return path.relative_to(course.root).as_posix()


def _translations_of(course: Course, name: str, path: Path) -> dict[str, Path]:
    """Translations of a listed module: `name.<lang>.md` (`.Rmd`, `.qmd`: the module's own suffix) beside it."""
    found = {}
    for lang in course.languages:
        candidate = path.with_name(f"{name}.{lang}{module_suffix(path.name)}")
        if lang != course.language and os.path.lexists(candidate):  # read (or refused) like any module
            found[lang] = candidate
    return found


def _warn_unlisted(course: Course, used: set[Path], problems: Problems) -> None:
    folder = course.root / "modules"
    for path in module_files(folder):
        if path not in used:
            problems.warn(path, 0, "this module is not listed in course.yaml 'modules:', so it is not built",
                          "add it to the list, or move it out of modules/")
