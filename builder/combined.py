"""The combined offline package of a course in several languages: every language in one zip.

Each language's pages sit in a folder named by its code (`es/03-zoning.html`). What the languages
share is stored once, at the package root: the stylesheet and runtime (`assets/`), each language's
course model (`assets/course-data.es.js`) and the course's files (`files/`), which pages load from
`../`. The root `index.html` lets the learner choose a language, and every page has a switcher to
the same page in the other languages. Progress is shared between languages, since the runtime keeps
it per course id and version.
"""

from __future__ import annotations

import html
import re
from dataclasses import replace
from pathlib import Path

import lxml.html

from builder import __version__
from builder.course import Course
from builder.locale import autonym, strings
from builder.pages import Page
from builder.problems import Problems
from builder.render import HOME, RTL_LANGUAGES, Layout, Site, render_page, render_site
from builder.urls import split_srcset

MULTIPLE = "mul"  # ISO 639's code for "several languages": the `lang` of the combined package
CHOOSER = "languages.html"  # the template of the chooser, the package's root index.html
SHARED = "files/"  # where pages find the course's files, from the package root
_URL_ATTRS = ("href", "src", "poster", "data", "background", "xlink:href")
_CSS_URL = re.compile(r"""(url\(\s*['"]?|@import\s+['"])(?=files/)""", re.I)


def combined_site(course: Course, pages_by_lang: dict[str, list[Page]], problems: Problems) -> Site:
    """Every language's pages in its own folder, with the switcher; shared files once; the chooser at the root."""
    site = Site(course, MULTIPLE)
    languages = tuple(language_entry(course, lang) for lang in course.languages)
    for lang in course.languages:
        layout = Layout(f"{lang}/", languages, f"assets/course-data.{lang}.js", storage_key(course))
        pages = [replace(page, body=relocate(page.body, layout.root)) for page in pages_by_lang[lang]]
        _merge(site, render_site(course, lang, pages, problems, layout), problems)
    render_page(site, CHOOSER, HOME, chooser_context(course, languages), problems)
    return site


def language_entry(course: Course, lang: str) -> dict[str, str]:
    """How the switcher and the chooser show a language: its name in itself, and the course's title in it."""
    return {"code": lang, "name": autonym(lang), "dir": direction(lang), "title": course.text(lang).title,
            "href": f"{lang}/{HOME}"}


def direction(lang: str) -> str:
    """'rtl' for languages written right to left, else 'ltr'."""
    return "rtl" if lang.split("-")[0] in RTL_LANGUAGES else "ltr"


def storage_key(course: Course) -> str:
    """Where the pages of a combined package note their language, for the chooser to go straight to it."""
    return f"coursepack:{course.id}:{course.version}:lang"


def chooser_context(course: Course, languages: tuple[dict[str, str], ...]) -> dict:
    """The chooser speaks the main language, and asks for a choice in every language (each phrase once)."""
    main = course.language
    prompts: dict[str, str] = {}  # phrase -> the first language using it (a language with no catalogue: English)
    for lang in course.languages:
        prompts.setdefault(strings(course, lang)["choose_language"], lang)
    return {"lang": main, "dir": direction(main), "t": strings(course, main), "title": course.text(main).title,
            "languages": languages, "codes": [entry["code"] for entry in languages],
            "prompts": [{"text": text, "lang": lang, "dir": direction(lang)} for text, lang in prompts.items()],
            "css_href": "assets/coursepack.css", "generator": f"coursepack {__version__}",
            "storage_key": storage_key(course)}


def relocate(body: str, root: str) -> str:
    """A page body whose links to the course's files (`files/…`) start from `root`, for a page one folder down."""
    if not root or SHARED not in body:
        return body
    fragment = lxml.html.fragment_fromstring(body, create_parent="div")
    for element in fragment.iter():
        if not isinstance(element.tag, str):
            continue  # comments and processing instructions
        for attr in _URL_ATTRS:
            value = element.get(attr)
            if value is not None and value.startswith(SHARED):
                element.set(attr, root + value)
        srcset = element.get("srcset")
        if srcset and any(url.startswith(SHARED) for url, _ in split_srcset(srcset)):
            element.set("srcset", ", ".join((root + url if url.startswith(SHARED) else url) + descriptor
                                            for url, descriptor in split_srcset(srcset)))
        if element.get("style"):
            element.set("style", _CSS_URL.sub(lambda m: m[1] + root, element.get("style")))
        if element.tag == "style" and element.text:
            element.text = _CSS_URL.sub(lambda m: m[1] + root, element.text)
    # the same serialisation as builder.pages, so nothing but the links changes
    return html.escape(fragment.text or "", quote=False) + "".join(
        lxml.html.tostring(child, encoding="unicode") for child in fragment)


def _merge(site: Site, part: Site, problems: Problems) -> None:
    """Add one language's files to the combined site: a path the languages share is stored once."""
    for name, content in part.files.items():
        if name in site.files and not _same(site.files[name], content):
            problems.error(_source(content) or site.course.config, 0,
                           f"'{name}' of the {part.lang} pages is another file than '{name}' of the other "
                           "languages, and the combined package holds one file per path",
                           "give the two files names that differ in letters or digits (file names are made "
                           "ASCII-safe in packages)")
            continue
        site.files.setdefault(name, content)
    site.pages.extend(part.pages)


def _same(a: bytes | Path, b: bytes | Path) -> bool:
    return a == b or _read(a) == _read(b)


def _read(content: bytes | Path) -> bytes:
    return content if isinstance(content, bytes) else content.read_bytes()


def _source(content: bytes | Path) -> Path | None:
    return content if isinstance(content, Path) else None
