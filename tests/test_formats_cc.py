"""IMS Common Cartridge 1.1 (`-f cc`): the manifest, the QTI 1.2.1 assessments made from graded quizzes, the
pages they leave, byte-identical rebuilds and the structural validator (builder.cccheck).

Built from the sample courses and from the tracking fixture course with a second graded quiz holding every
other question type, an image in a prompt and option feedback. The official CC 1.1 XSDs are used when a folder
holds them ($COURSEPACK_CC_SCHEMAS or ../shared/cc-schemas); otherwise only that test is skipped.
"""

from __future__ import annotations

import json
import os
import shutil
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from lxml import etree

from builder.cccheck import DETECTED_WITHIN
from builder.cli import main
from builder.formats import REGISTRY
from builder.formats.cc import check
from builder.tracking import read_course_data

PROJECT = Path(__file__).resolve().parent.parent
TRACKED = PROJECT / "tests" / "fixtures" / "tracked-course"
NS = {"cp": "http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1",
      "lom": "http://ltsc.ieee.org/xsd/imsccv1p1/LOM/manifest", "q": "http://www.imsglobal.org/xsd/ims_qtiasiv1p2"}
SECOND_QUIZ = """
::: quiz Second round {#second graded}
### Put the steps in order. {#steps points=3 type=ordering}
1. Ask
2. Check
3. Decide

### Match each zone with its use. {#zones points=2 type=matching}
- R = Homes
- I = Workshops

### Which town is the capital? {#capital type=fill case accents}
- Bogotá

### Name the river's flood band. ![A river](../images/river.svg) {#band type=fill}
- zona inundable
- franja del río

### Which plan applies? {#plan}
- [x] The *land-use* plan
    > Right: it says what each zone allows.
- [ ] The road plan
    > No: it covers streets only.

> The plan that says what each zone allows.
:::
"""
RIVER = b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><rect width="10" height="10"/></svg>\n'


def build(out: Path, *courses: Path) -> None:
    result = CliRunner().invoke(main, ["build", *map(str, courses), "--source", str(courses[0].parent),
                                       "--out", str(out), "-f", "cc"], catch_exceptions=False)
    assert result.exit_code == 0, result.output


@pytest.fixture(scope="module")
def tracked(tmp_path_factory) -> Path:
    """The tracking course with a second graded quiz, as a cartridge."""
    folder = tmp_path_factory.mktemp("cc")
    course = folder / "courses" / "tracked-course"
    shutil.copytree(TRACKED, course)
    (course / "images").mkdir()
    (course / "images" / "river.svg").write_bytes(RIVER)
    final = course / "modules" / "03-final-quiz.md"
    final.write_text(final.read_text(encoding="utf-8") + SECOND_QUIZ, encoding="utf-8")
    build(folder / "dist", course)
    return folder / "dist" / "tracked-course-1.0.0-cc.imscc"


@pytest.fixture(scope="module")
def samples(tmp_path_factory) -> Path:
    """Both sample courses, every language, as cartridges."""
    out = tmp_path_factory.mktemp("cc-samples")
    build(out, PROJECT / "courses" / "land-use-basics", PROJECT / "courses" / "participatory-planning")
    return out


def read(path: Path, name: str) -> bytes:
    with zipfile.ZipFile(path) as archive:
        return archive.read(name)


def manifest(path: Path) -> etree._Element:
    return etree.fromstring(read(path, "imsmanifest.xml"))


def assessment(path: Path, quiz: str) -> etree._Element:
    return etree.fromstring(read(path, f"cp-tracked-course-quiz-{quiz}/assessment.xml"))


def items(path: Path, quiz: str) -> dict[str, etree._Element]:
    return {item.get("ident").removeprefix(f"cp-tracked-course-quiz-{quiz}-"): item
            for item in assessment(path, quiz).iter(f"{{{NS['q']}}}item")}


def profile(item: etree._Element) -> str:
    return item.findtext("q:itemmetadata/q:qtimetadata/q:qtimetadatafield[q:fieldlabel='cc_profile']/q:fieldentry",
                         namespaces=NS)


def right(item: etree._Element) -> list[str]:
    """What scores 100: the values each such condition asks for, and what it asks not to be chosen."""
    found = []
    for condition in item.iterfind(".//q:respcondition", NS):
        if condition.findtext("q:setvar", namespaces=NS) == "100":
            found += [("not " if v.getparent().tag.endswith("not") else "") + v.text.rsplit("-", 1)[-1]
                      if v.text.startswith("cp-") else v.text for v in condition.iterfind(".//q:varequal", NS)]
    return found


# --- every sample course -------------------------------------------------------------------------------

def test_each_sample_language_is_one_cartridge_that_passes_the_checker(samples):
    names = sorted(p.name for p in samples.glob("*.imscc"))
    assert names == ["land-use-basics-1.0.0-ar-cc.imscc", "land-use-basics-1.0.0-en-cc.imscc",
                     "land-use-basics-1.0.0-es-cc.imscc", "participatory-planning-1.0.0-en-cc.imscc",
                     "participatory-planning-1.0.0-es-cc.imscc"]
    assert {name: check(samples / name) for name in names} == {name: [] for name in names}


def test_moodle_finds_the_cc_namespace_in_the_first_1024_bytes(samples):
    for path in samples.glob("*.imscc"):
        assert NS["cp"].encode() in read(path, "imsmanifest.xml")[:DETECTED_WITHIN], path.name


def test_the_library_lists_the_cartridges(samples):
    catalog = json.loads((samples / "catalog.json").read_text(encoding="utf-8"))
    assert "land-use-basics-1.0.0-es-cc.imscc" in json.dumps(catalog)
    assert REGISTRY["cc"].label in (samples / "index.html").read_text(encoding="utf-8")


def test_the_manifest_names_the_course_and_lists_modules_in_order(samples):
    root = manifest(samples / "land-use-basics-1.0.0-es-cc.imscc")
    assert [root.findtext(f"cp:metadata/cp:{n}", namespaces=NS) for n in ("schema", "schemaversion")] == [
        "IMS Common Cartridge", "1.1.0"]
    title = root.find("cp:metadata/lom:lom/lom:general/lom:title/lom:string", NS)
    assert (title.get("language"), root.findtext(".//lom:general/lom:language", namespaces=NS)) == ("es", "es")
    organization = root.find("cp:organizations/cp:organization", NS)
    assert organization.get("structure") == "rooted-hierarchy"
    top = organization.find("cp:item", NS)
    refs = [item.get("identifierref") for item in top.iterfind(".//cp:item[@identifierref]", NS)]
    assert refs == ["cp-land-use-basics-page-index", "cp-land-use-basics-page-01-why-land-use",
                    "cp-land-use-basics-page-02-reading-a-land-use-map",
                    "cp-land-use-basics-page-03-zoning-and-permits",
                    "cp-land-use-basics-page-04-public-spaces-risk-and-services",
                    "cp-land-use-basics-page-05-putting-it-to-work", "cp-land-use-basics-quiz-final-resource"]
    resources = {r.get("identifier"): r for r in root.iterfind("cp:resources/cp:resource", NS)}
    shared = [f.get("href") for f in resources["cp-land-use-basics-shared"].iterfind("cp:file", NS)]
    assert {"assets/coursepack.css", "assets/coursepack.js", "progress.html"} <= set(shared)
    assert any(name.startswith("files/images/") for name in shared)
    page = resources["cp-land-use-basics-page-02-reading-a-land-use-map"]
    depends = [d.get("identifierref") for d in page.iterfind("cp:dependency", NS)]
    assert depends == ["cp-land-use-basics-shared", *(ref for ref in refs[:-1] if "02-reading" not in ref)]
    quiz = resources["cp-land-use-basics-quiz-final-resource"]
    assert quiz.get("type") == "imsqti_xmlv1p2/imscc_xmlv1p1/assessment"
    assert [f.get("href") for f in quiz.iterfind("cp:file", NS)] == ["cp-land-use-basics-quiz-final/assessment.xml"]


def test_the_note_left_for_a_graded_quiz_is_in_the_cartridge_language(samples):
    page = read(samples / "land-use-basics-1.0.0-es-cc.imscc", "05-putting-it-to-work.html").decode()
    assert "Este cuestionario calificado se responde en su plataforma de aprendizaje" in page


def test_questions_of_a_right_to_left_cartridge_say_so(samples):
    test = etree.fromstring(read(samples / "land-use-basics-1.0.0-ar-cc.imscc",
                                 "cp-land-use-basics-quiz-final/assessment.xml"))
    texts = [t.text for t in test.iterfind(".//q:mattext", NS)]
    assert texts and all(t.startswith('<div dir="rtl">') and t.endswith("</div>") for t in texts)


def test_every_file_of_the_cartridge_is_in_a_resource(samples):
    path = samples / "participatory-planning-1.0.0-en-cc.imscc"
    listed = {f.get("href") for f in manifest(path).iterfind(".//cp:file", NS)}
    with zipfile.ZipFile(path) as archive:
        assert set(archive.namelist()) - listed == {"imsmanifest.xml"}


def test_rebuilds_are_byte_identical(samples, tmp_path):
    build(tmp_path, PROJECT / "courses" / "participatory-planning")
    for path in tmp_path.glob("*.imscc"):
        assert path.read_bytes() == (samples / path.name).read_bytes(), path.name


def test_a_course_without_graded_quizzes_has_no_assessment_and_keeps_its_quizzes(samples):
    path = samples / "participatory-planning-1.0.0-en-cc.imscc"
    types = {r.get("type") for r in manifest(path).iterfind(".//cp:resource", NS)}
    assert types == {"webcontent"}
    assert b'data-quiz="check-running"' in read(path, "03-running-the-workshop.html")


# --- graded quizzes as QTI -------------------------------------------------------------------------------

def test_assessments_carry_the_cc_exam_profile_and_attempts(tracked):
    def fields(quiz: str) -> dict[str, str]:
        test = assessment(tracked, quiz).find("q:assessment", NS)
        return {f.findtext("q:fieldlabel", namespaces=NS): f.findtext("q:fieldentry", namespaces=NS)
                for f in test.iterfind("q:qtimetadata/q:qtimetadatafield", NS)}
    assert fields("final") == {"cc_profile": "cc.exam.v0p1", "qmd_assessmenttype": "Examination",
                               "qmd_scoretype": "Percentage", "cc_maxattempts": "2"}
    assert fields("second")["cc_maxattempts"] == "unlimited"
    assert assessment(tracked, "final").tag == f"{{{NS['q']}}}questestinterop"


def test_choice_questions_map_to_their_cc_profiles_with_their_right_answers(tracked):
    found = items(tracked, "final")
    assert {k: profile(v) for k, v in found.items()} == {
        "zone": "cc.multiple_choice.v0p1", "permits": "cc.multiple_response.v0p1",
        "floodplain": "cc.true_false.v0p1", "map-name": "cc.fib.v0p1"}
    assert right(found["zone"]) == ["0"]
    assert sorted(right(found["permits"])) == ["0", "2", "not 1"]  # both right ones and not the wrong one
    assert right(found["floodplain"]) == ["1"]
    assert right(found["map-name"]) == ["zoning map", "zone map"]
    weights = [i.findtext(".//q:qtimetadatafield[q:fieldlabel='cc_weighting']/q:fieldentry", namespaces=NS)
               for i in found.values()]
    assert weights == ["1", "2", "1", "1"]


def test_fill_in_answers_keep_case_and_accents_as_the_question_says(tracked):
    found = items(tracked, "second")
    capital = found["capital"].findall(".//q:varequal", NS)
    assert [(v.text, v.get("case")) for v in capital] == [("Bogotá", "Yes")]
    band = found["band"].findall(".//q:varequal", NS)
    assert [(v.text, v.get("case")) for v in band] == [("zona inundable", "No"), ("franja del río", "No"),
                                                       ("franja del rio", "No")]  # accents optional, as on the page


def test_ordering_and_matching_become_one_choice_per_position_or_pair_sharing_the_points(tracked):
    found = items(tracked, "second")
    steps = [found[f"steps.{n}"] for n in (1, 2, 3)]
    assert {profile(item) for item in steps} == {"cc.multiple_choice.v0p1"}
    assert [right(item) for item in steps] == [["0"], ["1"], ["2"]]
    assert [o.text for o in steps[0].iterfind(".//q:response_label//q:mattext", NS)] == ["Ask", "Check", "Decide"]
    assert "<strong>2.</strong>" in steps[1].findtext(".//q:presentation/q:material/q:mattext", namespaces=NS)
    zones = [found["zones.1"], found["zones.2"]]
    assert [right(item) for item in zones] == [["0"], ["1"]]
    assert "<strong>I</strong>" in zones[1].findtext(".//q:presentation/q:material/q:mattext", namespaces=NS)
    weights = [i.findtext(".//q:qtimetadatafield[q:fieldlabel='cc_weighting']/q:fieldentry", namespaces=NS)
               for i in (*steps, *zones)]
    assert weights == ["1", "1", "1", "1", "1"]


def test_feedback_and_images_reach_the_lms(tracked):
    plan = items(tracked, "second")["plan"]
    feedback = {f.get("ident").rsplit("-", 2)[-2:][0] if f.get("ident") != "general_fb" else "general":
                f.findtext(".//q:mattext", namespaces=NS) for f in plan.iterfind("q:itemfeedback", NS)}
    assert feedback == {"general": "The plan that says what each zone allows.",
                        "0": "Right: it says what each zone allows.", "1": "No: it covers streets only."}
    labels = [o.text for o in plan.iterfind(".//q:response_label//q:mattext", NS)]
    assert labels == ["The <em>land-use</em> plan", "The road plan"]  # as the page renders them
    band = items(tracked, "second")["band"].findtext(".//q:presentation/q:material/q:mattext", namespaces=NS)
    assert 'src="$IMS-CC-FILEBASE$/../files/images/river.svg"' in band
    root = manifest(tracked)
    quiz = root.find(".//cp:resource[@identifier='cp-tracked-course-quiz-second-resource']", NS)
    shared = root.find(".//cp:resource[@identifier='cp-tracked-course-shared']", NS)
    assert quiz.find("cp:dependency", NS).get("identifierref") == "cp-tracked-course-shared"
    assert shared.find("cp:file[@href='files/images/river.svg']", NS) is not None


def test_graded_quizzes_leave_the_pages_and_the_course_model(tracked):
    page = read(tracked, "03-final-quiz.html").decode()
    assert 'id="quiz-final"' in page and 'data-quiz="final"' not in page and "cp-quiz-form" not in page
    assert "taken on your learning platform" in page
    model = read_course_data(read(tracked, "assets/course-data.js").decode())
    assert [q["id"] for q in model["quizzes"]] == ["check", "feedback"]  # the knowledge check and the survey
    assert model["rule"] == "pages"  # the LMS decides on passing
    progress = read(tracked, "progress.html").decode()
    assert progress.count("<span></span>") == len(model["quizzes"])  # the runtime fills one per quiz of the model
    assert 'data-quiz="check"' in read(tracked, "02-water.html").decode()


def test_the_tracked_cartridge_passes_the_checker(tracked):
    assert check(tracked) == []


# --- the checker catches broken cartridges -----------------------------------------------------------------

def rewrite(source: Path, target: Path, change) -> Path:
    """A copy of the cartridge with `change(name, data)` applied to each file (None drops it)."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            data = change(name, old.read(name))
            if data is not None:
                new.writestr(name, data)
    return target


def test_a_missing_file_is_named(tracked, tmp_path):
    broken = rewrite(tracked, tmp_path / "b.imscc", lambda n, d: None if n == "files/images/river.svg" else d)
    assert check(broken) == ["imsmanifest.xml: resource 'cp-tracked-course-shared' lists file "
                             "'files/images/river.svg', which is not in the cartridge"]


def test_a_namespace_pushed_past_1024_bytes_is_caught(tracked, tmp_path):
    def pad(name: str, data: bytes) -> bytes:
        comment = b"?>\n<!--" + b" " * DETECTED_WITHIN + b"-->\n"
        return data.replace(b"?>\n", comment, 1) if name == "imsmanifest.xml" else data
    assert check(rewrite(tracked, tmp_path / "b.imscc", pad)) == [
        "imsmanifest.xml: the namespace http://www.imsglobal.org/xsd/imsccv1p1/imscp_v1p1 is not in its first 1024 "
        "bytes, so Moodle does not recognise a Common Cartridge 1.1"]


def test_dangling_references_and_foreign_types_are_caught(tracked, tmp_path):
    def damage(name: str, data: bytes) -> bytes:
        if name == "imsmanifest.xml":
            data = data.replace(b'item-page-02-water" identifierref="cp-tracked-course-page-02-water"',
                                b'item-page-02-water" identifierref="gone"')
            data = data.replace(b'type="webcontent" href="index.html"', b'type="scorm" href="index.html"')
        return data
    assert check(rewrite(tracked, tmp_path / "b.imscc", damage)) == [
        "imsmanifest.xml: item 'cp-tracked-course-item-page-02-water' refers to resource 'gone', which is not in "
        "the manifest",
        "imsmanifest.xml: resource 'cp-tracked-course-page-index' has type 'scorm', not one of Common Cartridge 1.1"]


def test_qti_outside_the_cc_profile_is_caught(tracked, tmp_path):
    def damage(name: str, data: bytes) -> bytes:
        if name.endswith("quiz-final/assessment.xml"):
            data = data.replace(b"cc.exam.v0p1", b"cc.quiz.v0p2").replace(b"cc.true_false.v0p1", b"cc.hotspot")
            data = data.replace(b">cp-tracked-course-quiz-final-zone-0<", b">nothing<")
        return data
    name = "cp-tracked-course-quiz-final/assessment.xml"
    assert check(rewrite(tracked, tmp_path / "b.imscc", damage)) == [
        f"{name}: assessment cc_profile is 'cc.quiz.v0p2', not 'cc.exam.v0p1'",
        f"{name}: item 'cp-tracked-course-quiz-final-zone': varequal names option 'nothing', which the item does "
        "not have",
        f"{name}: item 'cp-tracked-course-quiz-final-floodplain': cc_profile 'cc.hotspot' is not one of "
        "cc.multiple_choice.v0p1, cc.multiple_response.v0p1, cc.true_false.v0p1, cc.fib.v0p1, cc.essay.v0p1"]


def test_ids_are_ncnames_used_once(tracked, tmp_path):
    def damage(name: str, data: bytes) -> bytes:
        if name == "imsmanifest.xml":
            data = data.replace(b'identifier="cp-tracked-course-organization"', b'identifier="1 org"')
            data = data.replace(b'identifier="cp-tracked-course-module-01-welcome"',
                                b'identifier="cp-tracked-course-root"')
        return data
    assert check(rewrite(tracked, tmp_path / "b.imscc", damage)) == [
        "imsmanifest.xml: identifier '1 org' is not an NCName (a letter or '_' first; letters, digits, '.', '-', '_')",
        "imsmanifest.xml: identifier 'cp-tracked-course-root' is used 2 times"]


# --- the official schemas, when they are here ------------------------------------------------------------

def schema_folder() -> Path | None:
    folder = Path(os.environ.get("COURSEPACK_CC_SCHEMAS") or PROJECT.parent / "shared" / "cc-schemas")
    return folder if folder.is_dir() else None


def schema(folder: Path, name: str) -> etree.XMLSchema:
    """An official XSD, its imports and includes answered from the same folder by file name, never the network."""
    files = {p.name: p for p in folder.rglob("*.xsd")}

    class Local(etree.Resolver):
        def resolve(self, url, pubid, context):
            found = files.get(url.rsplit("/", 1)[-1])
            return self.resolve_filename(str(found), context) if found else None

    parser = etree.XMLParser(no_network=True)
    parser.resolvers.add(Local())
    return etree.XMLSchema(etree.parse(str(files[name]), parser))


@pytest.mark.skipif(schema_folder() is None, reason="the official IMS CC 1.1 XSDs are not available: put them in "
                    "../shared/cc-schemas or set COURSEPACK_CC_SCHEMAS to validate against them")
def test_manifest_and_qti_are_valid_against_the_official_cc_1_1_schemas(tracked):
    folder = schema_folder()
    manifest_schema = schema(folder, "ccv1p1_imscp_v1p2_v1p0.xsd")
    qti_schema = schema(folder, "ccv1p1_qtiasiv1p2p1_v1p0.xsd")
    assert manifest_schema.validate(manifest(tracked)), manifest_schema.error_log
    for quiz in ("final", "second"):
        assert qti_schema.validate(assessment(tracked, quiz)), qti_schema.error_log
