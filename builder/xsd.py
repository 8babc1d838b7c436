"""Validate imsmanifest.xml offline against the official SCORM schemas.

The schemas are not shipped with packages (LMSs do not need them); they are looked up
in $COURSEPACK_SCORM_SCHEMAS, then in ../shared/scorm-schemas beside the project.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from lxml import etree

from builder.problems import CoursepackError

PROJECT = Path(__file__).resolve().parent.parent
SCHEMA_SETS = {
    "1.2": ("scorm12", {
        "http://www.imsproject.org/xsd/imscp_rootv1p1p2": "imscp_rootv1p1p2.xsd",
        "http://www.adlnet.org/xsd/adlcp_rootv1p2": "adlcp_rootv1p2.xsd",
    }),
    "2004 4th Edition": ("scorm2004-4th", {
        "http://www.imsglobal.org/xsd/imscp_v1p1": "imscp_v1p1.xsd",
        "http://www.adlnet.org/xsd/adlcp_v1p3": "adlcp_v1p3.xsd",
        "http://www.adlnet.org/xsd/adlseq_v1p3": "adlseq_v1p3.xsd",
        "http://www.adlnet.org/xsd/adlnav_v1p3": "adlnav_v1p3.xsd",
        "http://www.imsglobal.org/xsd/imsss": "imsss_v1p0.xsd",
        "http://ltsc.ieee.org/xsd/LOM": "lom.xsd",
    }),
}
XML_XSD_URLS = ("http://www.w3.org/2001/xml.xsd", "http://www.w3.org/2001/03/xml.xsd")


def schema_root() -> Path:
    """Where the official XSDs are; an error naming both places when neither has them."""
    override = os.environ.get("COURSEPACK_SCORM_SCHEMAS")
    candidates = [Path(override)] if override else []
    candidates.append(PROJECT.parent / "shared" / "scorm-schemas")
    for candidate in candidates:
        if (candidate / "scorm12").is_dir() and (candidate / "scorm2004-4th").is_dir():
            return candidate
    raise CoursepackError("SCORM schemas not found; set COURSEPACK_SCORM_SCHEMAS to a folder holding "
                          "scorm12/ and scorm2004-4th/")


class _Offline(etree.Resolver):
    """imscp_v1p1.xsd imports xml.xsd by URL; answer with the local copy, never the network."""

    def __init__(self, folder: Path) -> None:
        super().__init__()
        self.folder = folder

    def resolve(self, url, pubid, context):
        if url in XML_XSD_URLS:
            return self.resolve_filename(str(self.folder / "xml.xsd"), context)
        return None


@cache
def _schema(version: str, root: Path) -> etree.XMLSchema:
    folder_name, namespaces = SCHEMA_SETS[version]
    folder = (root / folder_name).resolve()
    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(_Offline(folder))
    imports = "".join(f'<xs:import namespace="{ns}" schemaLocation="{(folder / name).as_uri()}"/>'
                      for ns, name in namespaces.items())
    wrapper = ('<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:coursepack:all">'
               f"{imports}</xs:schema>")
    return etree.XMLSchema(etree.fromstring(wrapper.encode(), parser, base_url=(folder / "all.xsd").as_uri()))


def validate_manifest(xml: bytes) -> list[str]:
    """Schema errors of a manifest as 'line N: message' (empty when valid)."""
    doc = etree.fromstring(xml, etree.XMLParser(no_network=True, resolve_entities=False)).getroottree()
    version = doc.findtext("{*}metadata/{*}schemaversion")
    if version not in SCHEMA_SETS:
        return [f"schemaversion is {version!r}; expected '1.2' or '2004 4th Edition'"]
    schema = _schema(version, schema_root())
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]
