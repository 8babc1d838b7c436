"""A structural validator of IMS Common Cartridge 1.1 cartridges and their QTI 1.2.1 assessments.

The official CC 1.1 XSDs are not available to the build (tests use them when they are: see
tests/test_formats_cc.py), so this checks the rules of the CC 1.1 profile that can be stated
exactly, and those real importers depend on: Moodle's detector finds the namespace in the first
1,024 bytes of the manifest; every identifier is a unique NCName; every item, dependency and
file reference resolves; resource types come from the CC 1.1 list; each assessment is QTI in the
namespace and profile CC 1.1 allows, with item profiles whose responses and scoring fit them.
"""

from __future__ import annotations

import re
import zipfile
from collections import Counter
from pathlib import Path, PurePosixPath

from lxml import etree

from builder.qti import CHOICE, ESSAY, EXAM, FIB, ITEM_PROFILES, QTI_NS, RESPONSE, TRUE_FALSE

CP_NS = "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1"
LOM_NS = "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest"
MANIFEST = "imsmanifest.xml"
DETECTED_WITHIN = 1024  # bytes of imsmanifest.xml Moodle 4.5 reads to recognise a CC 1.1 cartridge
ASSESSMENT = "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"
RESOURCE_TYPES = ("webcontent", "imsdt_xmlv1p1", "imswl_xmlv1p1", ASSESSMENT,
                  "imsqti_xmlv1p2/imscc_xmlv1p1/question-bank", "imsbasiclti_xmlv1p0",
                  "associatedcontent/imscc_xmlv1p1/learning-application-resource")  # CC 1.1's resource types
CARDINALITY = {CHOICE: ("response_lid", "Single"), TRUE_FALSE: ("response_lid", "Single"),
               RESPONSE: ("response_lid", "Multiple"), FIB: ("response_str", "Single"),
               ESSAY: ("response_str", "Single")}
_NCNAME = re.compile(r"[A-Za-z_][A-Za-z0-9._-]*")
_PARSER = etree.XMLParser(no_network=True, resolve_entities=False)


def check_cartridge(path: Path) -> list[str]:
    """Every rule the cartridge at `path` breaks, each naming the file and what is wrong (empty when none)."""
    try:
        with zipfile.ZipFile(path) as archive:
            names = set(archive.namelist())
            bad = [f"{name}: not a relative path inside the cartridge" for name in sorted(names) if not _inside(name)]
            if MANIFEST not in names:
                return [*bad, f"{MANIFEST}: missing at the root of the cartridge"]
            manifest = archive.read(MANIFEST)
            problems = bad + _manifest(manifest, names)
            for name in _assessment_files(manifest):
                problems += _qti(name, archive.read(name)) if name in names else []
            return problems
    except zipfile.BadZipFile as e:
        return [f"{path.name}: not a zip file ({e})"]


def _inside(name: str) -> bool:
    parts = PurePosixPath(name).parts
    return bool(parts) and not name.startswith("/") and "\\" not in name and ".." not in parts and ":" not in parts[0]


def _parse(name: str, data: bytes) -> tuple[etree._Element | None, list[str]]:
    try:
        return etree.fromstring(data, _PARSER), []
    except etree.XMLSyntaxError as e:
        return None, [f"{name}: not well-formed XML ({e})"]


def _text(element: etree._Element | None) -> str:
    return (element.text or "").strip() if element is not None else ""


# --- the manifest ----------------------------------------------------------------------------------

def _manifest(data: bytes, names: set[str]) -> list[str]:
    problems = []
    if CP_NS.encode() not in data[:DETECTED_WITHIN]:
        problems.append(f"{MANIFEST}: the namespace {CP_NS} is not in its first {DETECTED_WITHIN} bytes, "
                        "so Moodle does not recognise a Common Cartridge 1.1")
    root, errors = _parse(MANIFEST, data)
    if root is None:
        return problems + errors
    if root.tag != f"{{{CP_NS}}}manifest":
        return problems + [f"{MANIFEST}: the root element is {root.tag}, not manifest in {CP_NS}"]
    ns = {"cp": CP_NS, "lom": LOM_NS}
    if root.findtext("cp:metadata/cp:schema", namespaces=ns) != "IMS Common Cartridge":
        problems.append(f"{MANIFEST}: metadata/schema is not 'IMS Common Cartridge'")
    if root.findtext("cp:metadata/cp:schemaversion", namespaces=ns) != "1.1.0":
        problems.append(f"{MANIFEST}: metadata/schemaversion is not '1.1.0'")
    if not _text(root.find("cp:metadata/lom:lom/lom:general/lom:title/lom:string", ns)):
        problems.append(f"{MANIFEST}: metadata has no LOM general/title string")
    problems += _identifiers(root)
    resources = {r.get("identifier"): r for r in root.iterfind("cp:resources/cp:resource", ns)}
    problems += _organizations(root, resources, ns)
    for ident, resource in resources.items():
        problems += _resource(ident, resource, resources, names, ns)
    return problems


def _identifiers(root: etree._Element) -> list[str]:
    """Every identifier an NCName and used once."""
    idents = [e.get("identifier") for e in root.iter() if isinstance(e.tag, str) and e.get("identifier") is not None]
    problems = [f"{MANIFEST}: identifier '{i}' is not an NCName (a letter or '_' first; letters, digits, '.', "
                "'-', '_')" for i in idents if not _NCNAME.fullmatch(i)]
    problems += [f"{MANIFEST}: identifier '{i}' is used {n} times" for i, n in Counter(idents).items() if n > 1]
    if root.get("identifier") is None:
        problems.append(f"{MANIFEST}: the manifest has no identifier")
    return problems


def _organizations(root: etree._Element, resources: dict, ns: dict[str, str]) -> list[str]:
    """At most one organization, a rooted hierarchy whose titled items refer to resources that exist."""
    organizations = root.findall("cp:organizations/cp:organization", ns)
    if len(organizations) > 1:
        return [f"{MANIFEST}: {len(organizations)} organizations; Common Cartridge allows one"]
    problems = []
    for organization in organizations:
        if organization.get("structure") != "rooted-hierarchy":
            problems.append(f"{MANIFEST}: the organization's structure is not 'rooted-hierarchy'")
        tops = organization.findall("cp:item", ns)
        if len(tops) != 1 or tops[0].get("identifierref"):
            problems.append(f"{MANIFEST}: the organization needs exactly one root item, referring to no resource")
        for item in organization.iterfind(".//cp:item", ns):
            ref, name = item.get("identifierref"), item.get("identifier")
            if ref is not None and ref not in resources:
                problems.append(f"{MANIFEST}: item '{name}' refers to resource '{ref}', which is not in the manifest")
            if item not in tops and not _text(item.find("cp:title", ns)):
                problems.append(f"{MANIFEST}: item '{name}' has no title")
    return problems


def _resource(ident: str, resource: etree._Element, resources: dict, names: set[str], ns: dict[str, str]) -> list[str]:
    """A resource of a CC 1.1 type whose files and dependencies exist."""
    kind, href = resource.get("type"), resource.get("href")
    problems = [] if kind in RESOURCE_TYPES else [f"{MANIFEST}: resource '{ident}' has type '{kind}', not one "
                                                  "of Common Cartridge 1.1"]
    files = [f.get("href") or "" for f in resource.findall("cp:file", ns)]
    if href is not None and href not in files:
        problems.append(f"{MANIFEST}: resource '{ident}' launches '{href}' but does not list it as a file")
    for name in files:
        if not _inside(name):
            problems.append(f"{MANIFEST}: resource '{ident}' lists '{name}', which is not a path inside the cartridge")
        elif name not in names:
            problems.append(f"{MANIFEST}: resource '{ident}' lists file '{name}', which is not in the cartridge")
    for dependency in resource.findall("cp:dependency", ns):
        if dependency.get("identifierref") not in resources:
            problems.append(f"{MANIFEST}: resource '{ident}' depends on '{dependency.get('identifierref')}', "
                            "which is not in the manifest")
    if kind == ASSESSMENT and len(files) != 1:
        problems.append(f"{MANIFEST}: assessment '{ident}' has {len(files)} files; a QTI assessment has exactly one")
    return problems


def _assessment_files(data: bytes) -> list[str]:
    root, _ = _parse(MANIFEST, data)
    if root is None:
        return []
    return [f.get("href") for r in root.iterfind(f"{{{CP_NS}}}resources/{{{CP_NS}}}resource")
            if r.get("type") == ASSESSMENT for f in r.findall(f"{{{CP_NS}}}file")[:1]]


# --- QTI ---------------------------------------------------------------------------------------------

def _qti(name: str, data: bytes) -> list[str]:
    """A QTI 1.2.1 assessment in the CC 1.1 profile: exam metadata, and items whose responses fit their profile."""
    root, problems = _parse(name, data)
    if root is None:
        return problems
    if root.tag != _q("questestinterop"):
        return [f"{name}: the root element is {root.tag}, not questestinterop in {QTI_NS}"]
    tests = root.findall(_q("assessment"))
    if len(tests) != 1:
        return [f"{name}: {len(tests)} assessments; a CC assessment file holds exactly one"]
    fields = _fields(tests[0].find(_q("qtimetadata")))
    if fields.get("cc_profile") != EXAM:
        problems.append(f"{name}: assessment cc_profile is {fields.get('cc_profile')!r}, not '{EXAM}'")
    if fields.get("qmd_assessmenttype") != "Examination":
        problems.append(f"{name}: qmd_assessmenttype is {fields.get('qmd_assessmenttype')!r}, not 'Examination'")
    attempts = fields.get("cc_maxattempts", "unlimited")
    if attempts != "unlimited" and not (attempts.isdigit() and int(attempts) > 0):
        problems.append(f"{name}: cc_maxattempts is '{attempts}', not a number of 1 or more or 'unlimited'")
    items = list(tests[0].iter(_q("item")))
    if not items:
        problems.append(f"{name}: the assessment has no items")
    idents = [item.get("ident") for item in items]
    problems += [f"{name}: item ident '{i}' is used {n} times" for i, n in Counter(idents).items() if n > 1]
    for item in items:
        problems += [f"{name}: item '{item.get('ident')}': {p}" for p in _item(item)]
    return problems


def _fields(metadata: etree._Element | None) -> dict[str, str]:
    if metadata is None:
        return {}
    return {_text(f.find(_q("fieldlabel"))): _text(f.find(_q("fieldentry")))
            for f in metadata.iter(_q("qtimetadatafield"))}


def _item(item: etree._Element) -> list[str]:
    """One item against its CC profile: the response it must have, its options, what scoring refers to."""
    profile = _fields(item.find(f"{_q('itemmetadata')}/{_q('qtimetadata')}")).get("cc_profile")
    if profile not in ITEM_PROFILES:
        return [f"cc_profile {profile!r} is not one of {', '.join(ITEM_PROFILES)}"]
    tag, cardinality = CARDINALITY[profile]
    responses = item.findall(f"{_q('presentation')}/{_q(tag)}")
    if len(responses) != 1 or responses[0].get("rcardinality", "Single") != cardinality:
        return [f"a {profile} item has one {tag} with rcardinality {cardinality}"]
    labels = [label.get("ident") for label in responses[0].iter(_q("response_label"))]
    problems = []
    if tag == "response_lid" and (len(labels) < 2 or profile == TRUE_FALSE and len(labels) != 2):
        problems.append(f"{len(labels)} options for a {profile} item")
    response = responses[0].get("ident")
    for test in item.iter(_q("varequal")):
        if test.get("respident") != response:
            problems.append(f"varequal refers to response '{test.get('respident')}', not '{response}'")
        elif tag == "response_lid" and _text(test) not in labels:
            problems.append(f"varequal names option '{_text(test)}', which the item does not have")
    scores = [_text(s) for s in item.iter(_q("setvar")) if s.get("varname", "SCORE") == "SCORE"]
    if profile != ESSAY and "100" not in scores:
        problems.append("no response condition sets SCORE to 100: no answer is right")
    feedback = {f.get("ident") for f in item.iter(_q("itemfeedback"))}
    problems += [f"feedback '{d.get('linkrefid')}' is shown but not defined" for d in item.iter(_q("displayfeedback"))
                 if d.get("linkrefid") not in feedback]
    return problems


def _q(tag: str) -> str:
    return f"{{{QTI_NS}}}{tag}"
