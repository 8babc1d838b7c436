"""Golden builds: a sample course, and a lesson written as Carpentries / Quarto / pandoc authors write
them (tests/fixtures/carpentries-lesson), built and compared, file by file, with the expected packages.

Refresh the expected files after an intended change with:  UPDATE_GOLDEN=1 python -m pytest tests/test_golden.py
then review the diff in git before committing it.
"""

from __future__ import annotations

import difflib
import hashlib
import os
import shutil
import zipfile
from pathlib import Path

from builder.assets import shipped_bytes

import pytest

TESTS = Path(__file__).parent
GOLDEN = TESTS / "golden"
STATIC = TESTS.parent / "templates" / "static"
SOURCES = {"participatory-planning": TESTS.parent / "courses", "carpentries-lesson": TESTS / "fixtures"}
TEXT_SUFFIXES = {".html", ".xml", ".css", ".js", ".svg", ".json"}


def flatten(dist: Path) -> dict[str, bytes]:
    """Offline packages' files and SCORM manifests as 'package/path' -> bytes; binaries as a sha256 line.

    A SCORM zip holds the offline files plus its manifest (checked in test_packages), so only
    the manifest is kept from it; a shipped asset from templates/static is checked for being
    that file as the build ships it (scripts and stylesheets minified) rather than stored twice.
    """
    tree: dict[str, bytes] = {}
    for package in sorted(dist.glob("*.zip")):
        with zipfile.ZipFile(package) as archive:
            for name in archive.namelist():
                if "scorm" in package.stem and name != "imsmanifest.xml":
                    continue
                data = archive.read(name)
                static = STATIC / name.removeprefix("assets/")
                if name.startswith("assets/") and static.is_file():
                    assert data == shipped_bytes(static), f"{name} differs from {static} as shipped"
                    continue
                key = f"{package.stem}/{name}"
                if Path(name).suffix in TEXT_SUFFIXES:
                    tree[key] = data
                else:
                    tree[key + ".sha256"] = f"{hashlib.sha256(data).hexdigest()}  {len(data)}\n".encode()
    return tree


@pytest.mark.parametrize("course", sorted(SOURCES))
def test_course_matches_golden(course, run, tmp_path):
    source = shutil.copytree(SOURCES[course] / course, tmp_path / "courses" / course)
    result = run("build", source, "--out", tmp_path / "dist")
    assert result.exit_code == 0 and "0 warnings" in result.output, result.output
    actual = flatten(tmp_path / "dist")
    expected_root = GOLDEN / course
    if os.environ.get("UPDATE_GOLDEN"):
        shutil.rmtree(expected_root, ignore_errors=True)
        for key, data in actual.items():
            (expected_root / key).parent.mkdir(parents=True, exist_ok=True)
            (expected_root / key).write_bytes(data)
    expected = {p.relative_to(expected_root).as_posix(): p.read_bytes()
                for p in sorted(expected_root.rglob("*")) if p.is_file()}
    assert sorted(actual) == sorted(expected), "files differ; UPDATE_GOLDEN=1 refreshes after an intended change"
    diffs = []
    for key in sorted(actual):
        if actual[key] != expected[key]:
            diffs.extend(difflib.unified_diff(expected[key].decode().splitlines(), actual[key].decode().splitlines(),
                                              f"golden/{key}", f"built/{key}", lineterm=""))
    assert not diffs, "\n".join(diffs[:200])
