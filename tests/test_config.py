"""course.yaml: parsing with lines, the declared schema, and module discovery."""

from __future__ import annotations

from pathlib import Path

from builder import schema
from builder.course import load_course
from builder.problems import Problems
from builder.yamlfile import parse_yaml


def parse(text: str) -> tuple[dict, Problems]:
    problems = Problems()
    doc = parse_yaml(text, Path("course.yaml"), problems)
    return (schema.validate(doc, schema.COURSE, problems) if doc else {}), problems


def messages(problems: Problems) -> list[str]:
    return [str(p) for p in sorted(problems.items, key=lambda p: p.line)]


def test_defaults_fill_every_optional_key():
    values, problems = parse("id: town\ntitle: Town\nversion: '1.0'\n")
    assert not problems.items
    assert values["language"] == "en"
    assert values["completion"] == {"rule": "pages", "mastery_score": 80}
    assert values["authors"] == [] and values["duration"] is None


def test_version_keeps_its_written_form():
    values, _ = parse("id: town\ntitle: Town\nversion: 1.10\n")
    assert values["version"] == "1.10"


def test_durations_are_minutes():
    for written, minutes in (("90", 90), ("'2h'", 120), ("1h 30min", 90), ("45 min", 45), ("1.5h", 90)):
        values, problems = parse(f"id: t\ntitle: T\nversion: '1'\nduration: {written}\n")
        assert values["duration"] == minutes, (written, messages(problems))


def test_errors_name_line_key_and_fix():
    _, problems = parse("id: town\ntitle: [a, b]\nversion: '1'\ncompletion:\n  rule: quizz\n"
                        "  mastery_score: 120\nlanguage: EN\n")
    assert messages(problems) == [
        "course.yaml:2: title: expected text, got a list — write it as plain text, quoted if needed",
        "course.yaml:5: completion.rule: 'quizz' is not allowed — did you mean 'quiz'?",
        "course.yaml:6: completion.mastery_score: expected a number from 0 to 100, got 120 — write a number between 0 and 100",
        "course.yaml:7: language: 'EN' is not a language code — for example 'es'",
    ]


def test_unknown_key_suggests_the_closest():
    _, problems = parse("id: town\ntitel: Town\nversion: '1'\n")
    assert messages(problems) == [
        "course.yaml:1: missing required key 'title' — add 'title: …' (shown on every page and in the LMS)",
        "course.yaml:2: titel: unknown key — did you mean 'title'?",
    ]


def test_yaml_syntax_error_keeps_line_and_column():
    _, problems = parse("id: town\ntitle: 'unclosed\nversion: 1\n")
    (problem,) = problems.items
    assert problem.line == 2 or problem.line == 4
    assert "YAML syntax error" in problem.message and "column" in problem.message


def test_translations_are_checked_per_language():
    values, problems = parse("id: t\ntitle: T\nversion: '1'\nlanguages: [en, es]\n"
                             "translations:\n  es:\n    title: Curso\n    summary: x\n")
    assert values["translations"]["es"]["title"] == "Curso"
    assert messages(problems) == ["course.yaml:8: translations.es.summary: unknown key — "
                                  "expected one of: description, keywords, objectives, title"]


def test_modules_default_to_file_name_order_with_translations(new_course):
    (new_course / "course.yaml").write_text((new_course / "course.yaml").read_text()
                                            .replace("language: en", "language: en\nlanguages: [en, es]"))
    (new_course / "modules" / "01-welcome.es.md").write_text("# Bienvenida\n")
    problems = Problems()
    course = load_course(new_course, problems)
    assert [m.name for m in course.modules] == ["01-welcome", "02-first-steps"]
    assert set(course.modules[0].files) == {"en", "es"}
    assert course.languages == ("en", "es")


def test_listed_modules_set_the_order_and_unlisted_ones_warn(new_course):
    config = new_course / "course.yaml"
    config.write_text(config.read_text() + "modules:\n  - modules/02-first-steps.md\n")
    problems = Problems()
    course = load_course(new_course, problems)
    assert [m.name for m in course.modules] == ["02-first-steps"]
    assert [p.warning for p in problems.items] == [True]
    assert "not listed" in problems.items[0].message


def test_a_build_reads_course_yaml_once_for_its_id_and_its_contents(new_course, tmp_path, monkeypatch):
    from builder import yamlfile
    from builder.build import FORMATS, build

    parsed = []
    real = yamlfile.parse_yaml
    monkeypatch.setattr(yamlfile, "parse_yaml", lambda text, path, *a: parsed.append(path.name) or real(text, path, *a))
    [result] = build([new_course], tmp_path / "dist", FORMATS)
    assert not result.failed and parsed.count("course.yaml") == 1
    (new_course / "course.yaml").write_text((new_course / "course.yaml").read_text() + "id: twice\n")
    [result] = build([new_course], tmp_path / "dist", FORMATS)  # a broken file still reports its problem
    messages = [p.message for p in result.problems]
    assert result.failed and messages.count("key 'id' is written twice, on lines 2 and 19") == 1


def test_learner_fields_preset_choices_and_their_errors():
    values, problems = parse("id: t\ntitle: T\nversion: '1'\nlearner_fields:\n  town: [Huanta, Tambo]\n"
                             "  cohort: [2026-A, 2026]\n")
    assert not problems.items
    assert values["learner_fields"] == {"town": ["Huanta", "Tambo"], "organisation": [], "cohort": ["2026-A", "2026"]}
    long = "x" * 101
    _, problems = parse(f"id: t\ntitle: T\nversion: '1'\nlearner_fields:\n  towns: [A]\n  organisation: [A, A]\n"
                        f"  cohort: [{long}]\n")
    assert messages(problems) == [
        "course.yaml:5: learner_fields.towns: unknown key — did you mean 'town'?",
        "course.yaml:6: learner_fields.organisation: 'A' is listed twice — list each choice once",
        f"course.yaml:7: learner_fields.cohort: '{'x' * 30}…' has 101 characters, over the limit of 100 — "
        "shorten it: learners can type no more",
    ]


def test_learner_field_choices_become_suggestions_on_my_progress(new_course, run, tmp_path):
    import zipfile
    config = new_course / "course.yaml"
    config.write_text(config.read_text() + "learner_fields:\n  town: [Huanta, \"Tambo <Sur>\"]\n")
    assert run("build", new_course, "--out", tmp_path / "dist").exit_code == 0
    with zipfile.ZipFile(tmp_path / "dist" / "town-course-0.1.0-offline.zip") as archive:
        page = archive.read("progress.html").decode()
    assert ('<input type="text" id="cp-town" name="town" autocomplete="address-level2" maxlength="100" '
            'list="cp-town-choices">\n<datalist id="cp-town-choices"><option value="Huanta">'
            '<option value="Tambo &lt;Sur&gt;"></datalist></p>') in page
    assert '<label for="cp-organisation">Your organisation (optional)</label>' in page
    assert 'id="cp-cohort" name="cohort" autocomplete="off" maxlength="100"></p>' in page
