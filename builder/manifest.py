"""imsmanifest.xml for SCORM 1.2 and SCORM 2004 4th Edition, built with lxml from data.

The file list comes from the files actually packaged; identifiers derive from the course
id and language only, so a re-upload keeps every learner's records.
"""

from __future__ import annotations

from lxml import etree

from builder.course import Course

XSI = "http://www.w3.org/2001/XMLSchema-instance"
LAUNCH = "index.html"
QUIZ_RULES = ("quiz", "both")  # completion rules that pass or fail on the graded quizzes' score

SCORM12 = {
    None: "http://www.imsproject.org/xsd/imscp_rootv1p1p2",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_rootv1p2",
    "xsi": XSI,
}
SCORM12_LOCATIONS = ("http://www.imsproject.org/xsd/imscp_rootv1p1p2 imscp_rootv1p1p2.xsd "
                     "http://www.adlnet.org/xsd/adlcp_rootv1p2 adlcp_rootv1p2.xsd")

SCORM2004 = {
    None: "http://www.imsglobal.org/xsd/imscp_v1p1",
    "adlcp": "http://www.adlnet.org/xsd/adlcp_v1p3",
    "adlseq": "http://www.adlnet.org/xsd/adlseq_v1p3",
    "adlnav": "http://www.adlnet.org/xsd/adlnav_v1p3",
    "imsss": "http://www.imsglobal.org/xsd/imsss",
    "xsi": XSI,
}
LOM = "http://ltsc.ieee.org/xsd/LOM"
SCORM2004_LOCATIONS = ("http://www.imsglobal.org/xsd/imscp_v1p1 imscp_v1p1.xsd "
                       "http://www.adlnet.org/xsd/adlcp_v1p3 adlcp_v1p3.xsd "
                       "http://www.adlnet.org/xsd/adlseq_v1p3 adlseq_v1p3.xsd "
                       "http://www.adlnet.org/xsd/adlnav_v1p3 adlnav_v1p3.xsd "
                       "http://www.imsglobal.org/xsd/imsss imsss_v1p0.xsd "
                       f"{LOM} lom.xsd")


def identifiers(course: Course, lang: str) -> dict[str, str]:
    """Stable xs:ID values: course ids start with a letter and hold only [a-z0-9-]."""
    return {"manifest": f"coursepack-{course.id}-{lang}", "organization": f"org-{course.id}",
            "item": f"item-{course.id}", "resource": f"res-{course.id}", "objective": f"obj-{course.id}"}


def scorm12_manifest(course: Course, lang: str, files: list[str]) -> bytes:
    """A SCORM 1.2 manifest: one SCO launching the course home page (no IMS-MD metadata)."""
    ids = identifiers(course, lang)
    ns = SCORM12[None]
    root = _manifest(ns, SCORM12, ids, "1.2", SCORM12_LOCATIONS)
    item = _organization(root, ns, course, lang, ids)
    if course.completion.rule in QUIZ_RULES:  # the LMS sets passed/failed from the score against it
        etree.SubElement(item, f"{{{SCORM12['adlcp']}}}masteryscore").text = f"{course.completion.mastery_score:g}"
    resource = _resource(root, ns, ids, files)
    resource.set(f"{{{SCORM12['adlcp']}}}scormtype", "sco")
    return _serialize(root)


def scorm2004_manifest(course: Course, lang: str, files: list[str]) -> bytes:
    """A SCORM 2004 4th Edition manifest with LOM metadata: one SCO launching the course home page."""
    ids = identifiers(course, lang)
    ns = SCORM2004[None]
    root = _manifest(ns, SCORM2004, ids, "2004 4th Edition", SCORM2004_LOCATIONS)
    root.find(f"{{{ns}}}metadata").append(_lom(course, lang))
    _completion_2004(_organization(root, ns, course, lang, ids), course, ids)
    resource = _resource(root, ns, ids, files)
    resource.set(f"{{{SCORM2004['adlcp']}}}scormType", "sco")
    return _serialize(root)


def _completion_2004(item: etree._Element, course: Course, ids: dict) -> None:
    """Pages rule: completed once progress (pages viewed / pages) reaches 1; quiz rules: satisfied by the score."""
    if course.completion.rule not in QUIZ_RULES:
        etree.SubElement(item, f"{{{SCORM2004['adlcp']}}}completionThreshold", completedByMeasure="true",
                         minProgressMeasure="1.0")
        return
    imsss = SCORM2004["imsss"]
    sequencing = etree.SubElement(item, f"{{{imsss}}}sequencing")
    objectives = etree.SubElement(sequencing, f"{{{imsss}}}objectives")
    primary = etree.SubElement(objectives, f"{{{imsss}}}primaryObjective", objectiveID=ids["objective"],
                               satisfiedByMeasure="true")
    measure = f"{course.completion.mastery_score / 100:.4f}".rstrip("0").rstrip(".")
    etree.SubElement(primary, f"{{{imsss}}}minNormalizedMeasure").text = measure


def _manifest(ns: str, nsmap: dict, ids: dict, schemaversion: str, locations: str) -> etree._Element:
    root = etree.Element(f"{{{ns}}}manifest", nsmap=nsmap, identifier=ids["manifest"], version="1")
    root.set(f"{{{XSI}}}schemaLocation", locations)
    metadata = etree.SubElement(root, f"{{{ns}}}metadata")
    etree.SubElement(metadata, f"{{{ns}}}schema").text = "ADL SCORM"
    etree.SubElement(metadata, f"{{{ns}}}schemaversion").text = schemaversion
    return root


def _organization(root: etree._Element, ns: str, course: Course, lang: str, ids: dict) -> etree._Element:
    """The one organization and its one item (returned: tracking settings go on it)."""
    title = course.text(lang).title
    organizations = etree.SubElement(root, f"{{{ns}}}organizations", default=ids["organization"])
    organization = etree.SubElement(organizations, f"{{{ns}}}organization", identifier=ids["organization"])
    etree.SubElement(organization, f"{{{ns}}}title").text = title
    item = etree.SubElement(organization, f"{{{ns}}}item", identifier=ids["item"],
                            identifierref=ids["resource"], isvisible="true")
    etree.SubElement(item, f"{{{ns}}}title").text = title
    return item


def _resource(root: etree._Element, ns: str, ids: dict, files: list[str]) -> etree._Element:
    resources = etree.SubElement(root, f"{{{ns}}}resources")
    resource = etree.SubElement(resources, f"{{{ns}}}resource", identifier=ids["resource"], type="webcontent",
                                href=LAUNCH)
    for name in sorted(files, key=lambda n: (n != LAUNCH, n)):
        etree.SubElement(resource, f"{{{ns}}}file", href=name)
    return resource


def _lom(course: Course, lang: str) -> etree._Element:
    text = course.text(lang)
    lom = etree.Element(f"{{{LOM}}}lom", nsmap={None: LOM})
    general = etree.SubElement(lom, f"{{{LOM}}}general")
    _lang_string(general, "title", text.title, lang)
    etree.SubElement(general, f"{{{LOM}}}language").text = lang
    if text.description:
        _lang_string(general, "description", text.description, lang)
    for keyword in text.keywords:
        _lang_string(general, "keyword", keyword, lang)
    life_cycle = etree.SubElement(lom, f"{{{LOM}}}lifeCycle")
    _lang_string(life_cycle, "version", course.version, "x-none")
    # The language of this record's texts and of the learners the package is for (LOM 3.4 and 5.11):
    # besides general/language, the places LOM has for it (content packaging has none but xml:lang).
    etree.SubElement(etree.SubElement(lom, f"{{{LOM}}}metaMetadata"), f"{{{LOM}}}language").text = lang
    etree.SubElement(etree.SubElement(lom, f"{{{LOM}}}educational"), f"{{{LOM}}}language").text = lang
    return lom


def _lang_string(parent: etree._Element, name: str, value: str, lang: str) -> None:
    holder = etree.SubElement(parent, f"{{{LOM}}}{name}")
    etree.SubElement(holder, f"{{{LOM}}}string", language=lang).text = value


def _serialize(root: etree._Element) -> bytes:
    body = etree.tostring(root, encoding="UTF-8", xml_declaration=False, pretty_print=True)
    return b'<?xml version="1.0" encoding="UTF-8"?>\n' + body
