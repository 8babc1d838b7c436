"""The format registry: every format in one place, and each package checked by its format's own validator."""

from __future__ import annotations

from builder.buildkey import RECORD  # the build record beside the packages (incremental builds)
from builder.build import ALL_FORMATS, COMBINED_FORMATS, FORMATS
from builder.formats import REGISTRY


def test_formats_come_from_the_registry():
    assert [(f.name, f.suffix, f.default, f.combined, f.check is not None) for f in REGISTRY.values()] == [
        ("scorm12", ".zip", True, False, True), ("scorm2004", ".zip", True, False, True),
        ("offline", ".zip", True, True, False), ("single", ".html", False, False, False),
        ("epub", ".epub", False, False, True), ("zim", ".zim", False, False, True),
        ("cc", ".imscc", False, False, True), ("cmi5", ".zip", False, False, True)]
    assert ALL_FORMATS == ("scorm12", "scorm2004", "offline", "single", "epub", "zim", "cc", "cmi5")
    assert (FORMATS, COMBINED_FORMATS) == (("scorm12", "scorm2004", "offline"), ("offline",))


def test_help_offers_every_registered_format(run):
    assert "[scorm12|scorm2004|offline|single|epub|zim|cc|cmi5]" in run("build", "--help").output


def test_every_format_of_a_new_course_passes_its_validator(run, new_course, tmp_path):
    out = tmp_path / "dist"
    result = run("build", new_course, "--source", new_course.parent, "--out", out,
                 *[arg for name in REGISTRY for arg in ("-f", name)])
    assert result.exit_code == 0, result.output
    names = {"scorm12": "town-course-0.1.0-scorm12.zip", "scorm2004": "town-course-0.1.0-scorm2004.zip",
             "offline": "town-course-0.1.0-offline.zip", "single": "town-course-0.1.0-single.html",
             "epub": "town-course-0.1.0.epub", "zim": "town-course-0.1.0.zim",
             "cc": "town-course-0.1.0-cc.imscc", "cmi5": "town-course-0.1.0-cmi5.zip"}
    assert sorted(p.name for p in out.iterdir() if p.name != RECORD) == sorted([*names.values(), "catalog.json", "index.html"])
    for name, fmt in REGISTRY.items():
        if fmt.check:
            assert fmt.check(out / names[name]) == [], name


def test_the_library_presents_each_format_as_its_module_says(run, new_course, tmp_path):
    out = tmp_path / "dist"
    assert run("build", new_course, "--source", new_course.parent, "--out", out, "-f", "epub", "-f", "offline",
               "-f", "scorm12").exit_code == 0
    page = (out / "index.html").read_text()
    order = [page.index(REGISTRY[name].label) for name in ("offline", "epub", "scorm12")]
    assert order == sorted(order)  # the file most people want first
    assert REGISTRY["epub"].use in page and REGISTRY["offline"].use in page
