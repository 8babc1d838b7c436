"""cmi5: the offline site with a course structure (cmi5.xml) and a runtime that speaks xAPI to the LMS's LRS.

One AU per course: the course home page, launched in any window, with moveOn from the completion rule
and masteryScore from the mastery score. Every page loads assets/cmi5.js instead of coursepack.js:
launched with cmi5 parameters it fetches the token and the launch data, then gives coursepack.js the
SCORM 2004 interface it already speaks and turns what it records into xAPI statements (docs/tracking.md);
opened without them (from a folder, file://) it loads coursepack.js at once and the course is the offline
one. Official-XSD validation needs the cmi5 CourseStructure.xsd, which this project does not ship:
`check` validates the structure per the cmi5 spec, and the XSD too when COURSEPACK_CMI5_SCHEMAS names its folder.
"""

from __future__ import annotations

import os
import posixpath
import re
import zipfile
from pathlib import Path

from lxml import etree

from builder.assets import shipped
from builder.course import Course
from builder.formats import Request
from builder.formats.base import site_files
from builder.manifest import LAUNCH
from builder.problems import Problems
from builder.render import Site, file_bytes
from builder.resources import templates
from builder.tracking import COURSE_DATA

NS = "https://w3id.org/xapi/profiles/cmi5/v1/CourseStructure.xsd"
STRUCTURE = "cmi5.xml"
RUNTIME = "assets/cmi5.js"
DEFAULT_IRI = "https://coursepack.invalid/courses"  # .invalid never resolves (RFC 2606): set cmi5.iri instead
MOVE_ON = {"pages": "Completed", "quiz": "Passed", "both": "CompletedAndPassed"}
MOVE_ON_VALUES = ("Passed", "Completed", "CompletedAndPassed", "CompletedOrPassed", "NotApplicable")
LAUNCH_METHODS = ("AnyWindow", "OwnWindow")
_LOADER = re.compile(rb'<script src="((?:\.\./)*)assets/coursepack\.js"></script>')
_IRI = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*:[^\s<>\"{}|\\^`]+")


def course_iri(course: Course, lang: str) -> str:
    """The course's cmi5 id: the same for every build of one course and language, so an LMS sees an update."""
    return f"{course.cmi5_iri or DEFAULT_IRI}/{course.id}/{lang}"


def structure(course: Course, lang: str) -> bytes:
    """cmi5.xml: the course and its one AU, the course home page."""
    text, ident = course.text(lang), course_iri(course, lang)
    root = etree.Element(f"{{{NS}}}courseStructure", nsmap={None: NS})
    node = etree.SubElement(root, f"{{{NS}}}course", id=ident)
    _langstrings(node, lang, text.title, text.description or text.title)
    rule = course.completion.rule
    au = etree.SubElement(root, f"{{{NS}}}au", id=f"{ident}/au", moveOn=MOVE_ON[rule], launchMethod="AnyWindow")
    if rule != "pages":
        au.set("masteryScore", f"{round(course.completion.mastery_score / 100, 4):g}")
    _langstrings(au, lang, text.title, text.description or text.title)
    etree.SubElement(au, f"{{{NS}}}url").text = LAUNCH
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _langstrings(parent: etree._Element, lang: str, title: str, description: str) -> None:
    """The title and description of a course or AU in the package's language."""
    for tag, value in (("title", title), ("description", description)):
        etree.SubElement(etree.SubElement(parent, f"{{{NS}}}{tag}"), f"{{{NS}}}langstring", lang=lang).text = value


def make(request: Request, problems: Problems) -> dict[str, bytes | Path] | None:
    """The site, its pages loading the cmi5 runtime, and cmi5.xml; None when the home page does not load
    coursepack.js as the standard template does (a course's own base.html), so nothing could be tracked."""
    site = request.site
    files = site_files(request)
    pages = _pages_loading_runtime(site)
    if LAUNCH not in pages:
        problems.error(site.course.templates / "base.html", 0, f"cannot make the cmi5 package: {LAUNCH} does not "
                       "load assets/coursepack.js with a plain <script src> tag, so nothing could be tracked",
                       "keep '<script src=\"{{ root }}assets/coursepack.js\"></script>' in your base.html")
        return None
    files.update(pages)
    files[RUNTIME] = shipped(templates() / "formats" / "cmi5.js")
    files[COURSE_DATA] = site.files[COURSE_DATA] + b'window.coursepackCourse.format = "cmi5";\n'
    files[STRUCTURE] = structure(site.course, site.lang)
    return files


def _pages_loading_runtime(site: Site) -> dict[str, bytes]:
    """Every page that loads coursepack.js, loading cmi5.js in its place (cmi5.js loads coursepack.js)."""
    pages = {}
    for name in site.pages:
        new, count = _LOADER.subn(rb'<script src="\1assets/cmi5.js"></script>', file_bytes(site.files[name]))
        if count:
            pages[name] = new
    return pages


def check(path: Path) -> list[str]:
    """What is wrong with a cmi5 package's cmi5.xml per the cmi5 spec (and its XSD, when one is at hand)."""
    with zipfile.ZipFile(path) as archive:
        names = set(archive.namelist())
        if STRUCTURE not in names:
            return [f"no {STRUCTURE} at the root of the package"]
        data = archive.read(STRUCTURE)
    return check_structure(data, names) + validate_xsd(data)


def check_structure(data: bytes, names: set[str]) -> list[str]:
    """cmi5.xml's root and namespace, ids, enumerations, mastery score, launch URLs and langstrings."""
    try:
        root = etree.fromstring(data)
    except etree.XMLSyntaxError as e:
        return [f"{STRUCTURE} is not well-formed XML: {e}"]
    if root.tag != f"{{{NS}}}courseStructure":
        return [f"{STRUCTURE}: root element is {root.tag}, expected courseStructure in namespace {NS}"]
    courses = root.findall(f"{{{NS}}}course")
    aus = root.findall(f".//{{{NS}}}au")
    errors = [] if len(courses) == 1 else [f"{STRUCTURE}: {len(courses)} course elements, expected one"]
    errors += [] if aus else [f"{STRUCTURE}: no au element"]
    ids = [node.get("id") or "" for node in courses + aus + root.findall(f".//{{{NS}}}block")]
    errors += [f"{STRUCTURE}: id '{i}' is not an absolute IRI" for i in ids if not _IRI.fullmatch(i)]
    errors += [f"{STRUCTURE}: id '{i}' is used twice" for i in sorted(set(ids)) if ids.count(i) > 1]
    for node in courses + aus:
        errors += _check_langstrings(node)
    for au in aus:
        errors += _check_au(au, names)
    return errors


def _check_langstrings(node: etree._Element) -> list[str]:
    """A title and a description, each with at least one non-empty langstring carrying a language."""
    errors = []
    for tag in ("title", "description"):
        strings = node.findall(f"{{{NS}}}{tag}/{{{NS}}}langstring")
        if not strings or any(not (s.text or "").strip() or not s.get("lang") for s in strings):
            errors.append(f"{STRUCTURE}: {etree.QName(node).localname} '{node.get('id')}' needs a {tag} of "
                          "non-empty langstrings, each with a lang")
    return errors


def _check_au(au: etree._Element, names: set[str]) -> list[str]:
    """moveOn and launchMethod from their enumerations, masteryScore in 0..1, a url to a file in the zip."""
    where = f"{STRUCTURE}: au '{au.get('id')}'"
    move_on, method = au.get("moveOn", "NotApplicable"), au.get("launchMethod", "AnyWindow")
    mastery, errors = au.get("masteryScore"), []
    if move_on not in MOVE_ON_VALUES:
        errors.append(f"{where} moveOn '{move_on}' is not one of {', '.join(MOVE_ON_VALUES)}")
    if method not in LAUNCH_METHODS:
        errors.append(f"{where} launchMethod '{method}' is not AnyWindow or OwnWindow")
    if mastery is not None and not _fraction(mastery):
        errors.append(f"{where} masteryScore '{mastery}' is not a decimal from 0 to 1")
    url = (au.findtext(f"{{{NS}}}url") or "").strip()
    if not url or ":" in url.split("/")[0] or url.startswith("/"):
        errors.append(f"{where} url '{url}' is not a relative URL into the package")
    elif posixpath.normpath(url.split("?")[0].split("#")[0]) not in names:
        errors.append(f"{where} url '{url}' names no file in the package")
    return errors


def _fraction(text: str) -> bool:
    """A decimal from 0 to 1, as xs:decimal writes it."""
    try:
        return 0 <= float(text) <= 1 and re.fullmatch(r"[+-]?(\d+(\.\d*)?|\.\d+)", text.strip()) is not None
    except ValueError:
        return False


def validate_xsd(data: bytes, folder: Path | None = None) -> list[str]:
    """cmi5.xml against the official CourseStructure.xsd in `folder` (default: COURSEPACK_CMI5_SCHEMAS), when
    there is one; nothing to say otherwise."""
    named = folder or os.environ.get("COURSEPACK_CMI5_SCHEMAS")
    if not named:
        return []
    schema = etree.XMLSchema(etree.parse(str(Path(named) / "CourseStructure.xsd")))
    if schema.validate(etree.fromstring(data)):
        return []
    return [f"{STRUCTURE}:{e.line}: {e.message}" for e in schema.error_log]
