"""SCORM 1.2 and SCORM 2004 4th Edition: the offline site, a manifest, and a runtime told which API to use."""

from __future__ import annotations

import zipfile
from pathlib import Path

from builder.formats import Request
from builder.formats.base import site_files
from builder.manifest import scorm12_manifest, scorm2004_manifest
from builder.problems import Problems
from builder.tracking import COURSE_DATA
from builder.xsd import validate_manifest


def scorm_files(request: Request, fmt: str) -> dict[str, bytes | Path]:
    """The site and coursepack.json, the course data naming the format (the runtime talks only to the API
    its manifest promises), and imsmanifest.xml listing every file."""
    site = request.site
    files = site_files(request)
    files[COURSE_DATA] = site.files[COURSE_DATA] + f'window.coursepackCourse.format = "{fmt}";\n'.encode()
    manifest = scorm12_manifest if fmt == "scorm12" else scorm2004_manifest
    files["imsmanifest.xml"] = manifest(site.course, site.lang, list(files))
    return files


def make12(request: Request, problems: Problems) -> dict[str, bytes | Path]:
    """A SCORM 1.2 package's files."""
    return scorm_files(request, "scorm12")


def make2004(request: Request, problems: Problems) -> dict[str, bytes | Path]:
    """A SCORM 2004 4th Edition package's files."""
    return scorm_files(request, "scorm2004")


def check(path: Path) -> list[str]:
    """The package's imsmanifest.xml against the official SCORM schemas (builder.xsd)."""
    with zipfile.ZipFile(path) as archive:
        return validate_manifest(archive.read("imsmanifest.xml"))
