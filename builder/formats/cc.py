"""IMS Common Cartridge 1.1: a course in one language as a cartridge an LMS imports as a course of its own
(Moodle 4.5 core, Canvas, Blackboard, Brightspace), with each graded quiz as native LMS questions.

The cartridge holds the offline site: every page a `webcontent` resource (the home page first, then one
folder per module holding its page and its graded quizzes), the shared CSS, runtime and course files one
more `webcontent` resource every page depends on. Each graded quiz becomes a QTI 1.2.1 assessment
(builder.qti) and leaves its page, where a note says it is taken in the LMS, and the course model, so its
answers are nowhere in the pages. Knowledge checks and surveys stay on the pages: the runtime, finding no
SCORM API in the LMS, keeps progress in the browser as in the offline package (docs/decisions.md).
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import lxml.html
from lxml import etree
from lxml.html import HtmlElement

from builder.cccheck import ASSESSMENT, CP_NS, LOM_NS, MANIFEST, check_cartridge
from builder.formats import Request
from builder.formats.base import parse_page, site_files
from builder.locale import strings
from builder.problems import Problems
from builder.qti import FILEBASE, Texts, assessment, html_text
from builder.render import HOME, PROGRESS, Site, file_text, text_dir
from builder.tracking import COURSE_DATA, course_data_js, read_course_data
from builder.trees import remove_keeping_tail

XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
SCHEMA_LOCATIONS = (f"{CP_NS} http://www.imsglobal.org/profile/cc/ccv1p1/ccv1p1_imscp_v1p2_v1p0.xsd "
                    f"{LOM_NS} http://www.imsglobal.org/profile/cc/ccv1p1/LOM/ccv1p1_lommanifest_v1p0.xsd")
WEBCONTENT = "webcontent"
_NOT_NCNAME = re.compile(r"[^A-Za-z0-9._-]")


@dataclass(frozen=True)
class Test:
    """A graded quiz made an assessment: its id, title, page index in the course model, file in the cartridge."""

    id: str
    title: str
    page: int
    path: str


def make(request: Request, problems: Problems) -> dict[str, bytes | Path]:
    """The cartridge's files: the site without its graded quizzes, one assessment per graded quiz, the manifest."""
    site = request.site
    files = site_files(request)
    model = read_course_data(file_text(site.files[COURSE_DATA]))
    graded = [quiz for quiz in model["quizzes"] if quiz["graded"] and not quiz["survey"]]
    tests = _assessments(site, model, graded, files)
    if graded:
        _move_out(site, model, graded, files)
    files[MANIFEST] = _manifest(site, model, tests, files)
    return files


def ident(site: Site, *parts: str) -> str:
    """A manifest or QTI identifier from the course id and the parts' own ids: the same in every build, so an
    LMS that imports the cartridge again finds the same items; letters, digits, '.', '-' and '_' (an NCName)."""
    return _NOT_NCNAME.sub("_", "-".join(("cp", site.course.id, *parts)))


# --- graded quizzes ---------------------------------------------------------------------------------

def _assessments(site: Site, model: dict[str, Any], graded: list[dict[str, Any]],
                 files: dict[str, bytes | Path]) -> list[Test]:
    """Write each graded quiz's assessment.xml into `files` (a folder per quiz, as CC 1.1 asks)."""
    tests = []
    for quiz in graded:
        page = model["pages"][quiz["page"]]["href"]
        section = parse_page(site, page).find(f'.//section[@id="quiz-{quiz["id"]}"]')
        texts = {q["id"]: _texts(section, q) for q in quiz["questions"]}
        test = Test(quiz["id"], quiz["title"], quiz["page"], f"{ident(site, 'quiz', quiz['id'])}/assessment.xml")
        files[test.path] = assessment(ident(site, "quiz", quiz["id"]), quiz, texts, text_dir(site.lang))
        tests.append(test)
    return tests


def _texts(section: HtmlElement | None, question: dict[str, Any]) -> Texts:
    """A question's prompt (and text) and its labels as the page renders them, links made cartridge paths."""
    box = section.find(f'.//fieldset[@data-q="{question["id"]}"]') if section is not None else None
    if box is None:  # a course template that leaves the quiz out: the model's plain text will do
        return Texts(html_text(question["prompt"]))
    legend = box.find("legend")
    for points in legend.findall('span[@class="cp-points"]'):
        remove_keeping_tail(points)
    prompt = f"<p>{_inner(legend).strip()}</p>" + "".join(_html(text) for text in box.find_class("cp-q-text"))
    labels = {}
    for label in box.iter("label"):
        number = (label.get("for") or "").rpartition(".")[2]  # an option's id ends '.<its index>' (builder.quizhtml)
        if number.isdigit():
            labels[int(number)] = _inner(label).strip()
    return Texts(prompt, labels)


def _inner(element: HtmlElement) -> str:
    """An element's content as HTML, its local links and images pointing into the cartridge."""
    for child in element.iter():
        for attr in ("href", "src"):
            value = child.get(attr)
            if value and not urlsplit(value).scheme and not value.startswith(("#", "/")):
                child.set(attr, FILEBASE + value)
    child_html = "".join(lxml.html.tostring(child, encoding="unicode") for child in element)
    return html_text(element.text or "") + child_html


def _html(element: HtmlElement) -> str:
    _inner(element)
    return lxml.html.tostring(element, encoding="unicode")



def _move_out(site: Site, model: dict[str, Any], graded: list[dict[str, Any]], files: dict[str, bytes | Path]) -> None:
    """Graded quizzes leave the pages and the course model: the LMS asks them, grades them and keeps the score."""
    note = strings(site.course, site.lang)["quiz_in_lms"]
    for href in sorted({model["pages"][quiz["page"]]["href"] for quiz in graded}):
        page = parse_page(site, href)
        for quiz in graded:
            section = page.find(f'.//section[@id="quiz-{quiz["id"]}"]')
            if section is not None:
                _leave_note(section, note)
        files[href] = _document(page)
    if PROGRESS in files:  # its quiz list matches the model's quizzes one for one: these lose their status
        page = parse_page(site, PROGRESS)
        for quiz in graded:
            for link in page.xpath(f'//ul[@id="cp-quizzes"]/li/a[substring-after(@href, "#")="quiz-{quiz["id"]}"]'):
                for span in link.getparent().findall("span"):
                    link.tail = None
                    span.getparent().remove(span)
        files[PROGRESS] = _document(page)
    moved = {quiz["id"] for quiz in graded}
    model["quizzes"] = [quiz for quiz in model["quizzes"] if quiz["id"] not in moved]
    if model["rule"] in ("quiz", "both"):  # the LMS decides on passing now; the pages only count what was read
        model["rule"] = "pages"
    files[COURSE_DATA] = course_data_js(model)


def _leave_note(section: HtmlElement, note: str) -> None:
    """Keep the quiz's title and introduction; the rest becomes the note, and the runtime no longer sees a quiz."""
    section.attrib.pop("data-quiz", None)
    for child in list(section):
        if child.tag != "h2" and "cp-quiz-intro" not in (child.get("class") or ""):
            section.remove(child)
    paragraph = lxml.html.Element("p", {"class": "cp-quiz-info cp-in-lms"})
    paragraph.text = note
    section.append(paragraph)


def _document(page: HtmlElement) -> bytes:
    return lxml.html.tostring(page, doctype="<!DOCTYPE html>", encoding="utf-8")


# --- the manifest -----------------------------------------------------------------------------------

def _manifest(site: Site, model: dict[str, Any], tests: list[Test], files: dict[str, bytes | Path]) -> bytes:
    """imsmanifest.xml: metadata, one organization (home, then each module with its graded quizzes), resources."""
    manifest = etree.Element(_cp("manifest"), nsmap={None: CP_NS, "lomimscc": LOM_NS, "xsi": XSI_NS},
                             identifier=ident(site, site.lang, "manifest"))
    _metadata(etree.SubElement(manifest, _cp("metadata")), site)
    organization = etree.SubElement(etree.SubElement(manifest, _cp("organizations")), _cp("organization"),
                                    identifier=ident(site, "organization"), structure="rooted-hierarchy")
    root = etree.SubElement(organization, _cp("item"), identifier=ident(site, "root"))
    resources = etree.SubElement(manifest, _cp("resources"))
    shared = ident(site, "shared")
    pages = [HOME, *(page["href"] for page in model["pages"])]
    ids = [ident(site, "page", _stem(page)) for page in pages]
    for page, page_id in zip(pages, ids):  # the home page first: an LMS that launches "the" resource opens it
        # every other page too: an LMS that gives each activity its own copy of its files (Moodle) then keeps
        # the links between pages working
        others = [i for i in ids if i != page_id]
        _resource(resources, page_id, WEBCONTENT, [page], href=page, depends=[shared, *others])
    for test in tests:
        _resource(resources, ident(site, "quiz", test.id, "resource"), ASSESSMENT, [test.path], depends=[shared])
    own = {*pages, *(test.path for test in tests), MANIFEST}
    _resource(resources, shared, WEBCONTENT, sorted(name for name in files if name not in own))
    _item(root, ident(site, "item", "page", "index"), site.title, ident(site, "page", "index"))
    for number, page in enumerate(model["pages"]):
        stem = _stem(page["href"])
        folder = _item(root, ident(site, "module", stem), page["title"])
        _item(folder, ident(site, "item", "page", stem), page["title"], ident(site, "page", stem))
        for test in (test for test in tests if test.page == number):
            _item(folder, ident(site, "item", "quiz", test.id), test.title, ident(site, "quiz", test.id, "resource"))
    manifest.set(f"{{{XSI_NS}}}schemaLocation", SCHEMA_LOCATIONS)
    return etree.tostring(manifest, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _stem(page: str) -> str:
    return posixpath.splitext(page)[0]


def _metadata(metadata: etree._Element, site: Site) -> None:
    """CC 1.1 cartridge metadata: schema, version, and the LOM title, description, language and keywords."""
    etree.SubElement(metadata, _cp("schema")).text = "IMS Common Cartridge"
    etree.SubElement(metadata, _cp("schemaversion")).text = "1.1.0"
    text = site.course.text(site.lang)
    general = etree.SubElement(etree.SubElement(metadata, _lom("lom")), _lom("general"))
    _lom_string(etree.SubElement(general, _lom("title")), text.title, site.lang)
    etree.SubElement(general, _lom("language")).text = site.lang
    if text.description:
        _lom_string(etree.SubElement(general, _lom("description")), text.description, site.lang)
    for keyword in text.keywords:
        _lom_string(etree.SubElement(general, _lom("keyword")), keyword, site.lang)


def _lom_string(parent: etree._Element, value: str, lang: str) -> None:
    etree.SubElement(parent, _lom("string"), language=lang).text = value


def _item(parent: etree._Element, identifier: str, title: str, ref: str | None = None) -> etree._Element:
    item = etree.SubElement(parent, _cp("item"), identifier=identifier, **({"identifierref": ref} if ref else {}))
    etree.SubElement(item, _cp("title")).text = title
    return item


def _resource(parent: etree._Element, identifier: str, kind: str, names: list[str], href: str | None = None,
              depends: list[str] = ()) -> None:
    attrs = {"identifier": identifier, "type": kind, **({"href": href} if href else {})}
    resource = etree.SubElement(parent, _cp("resource"), attrs)
    for name in names:
        etree.SubElement(resource, _cp("file"), href=name)
    for other in depends:
        etree.SubElement(resource, _cp("dependency"), identifierref=other)


def _cp(tag: str) -> str:
    return f"{{{CP_NS}}}{tag}"


def _lom(tag: str) -> str:
    return f"{{{LOM_NS}}}{tag}"


def check(path: Path) -> list[str]:
    """The cartridge's complaints under the CC 1.1 rules builder.cccheck states (none when it keeps them)."""
    return check_cartridge(path)
