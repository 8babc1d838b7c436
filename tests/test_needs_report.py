"""`coursepack report`: the coordinator's needs report, its figures, its page and its comparison."""

from __future__ import annotations

import json
import re

import lxml.html
import pytest

from needs_data import collected, moodle_export, write

COURSE_YAML = """id: land-use-basics
title: Uso del suelo
version: "1.0.0"
language: es
description: Un curso.
authors: [Equipo]
organisation: Municipio
licence: CC-BY-4.0
modules:
  - modules/01-zonas.md
"""
MODULE = """# Zonas

::: quiz Comprobación {#zones graded}
### ¿Dónde van las viviendas nuevas? {#homes type=single}
- [x] R1 — Residencial
- [ ] C1 — Comercial
- [ ] I1 — Industrial
:::

::: survey Necesidades {#needs}
### Puedo leer un mapa de zonificación {#confidence type=likert}

### ¿Qué quiere aprender? {#topics type=text}
:::
"""


@pytest.fixture
def data(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    return collected(tmp_path / "collected")


def report_of(run, *args, out="needs-report.html"):
    result = run("report", *map(str, args), "--out", out)
    page = open(out, encoding="utf-8").read()
    return result, json.load(open(out.replace(".html", ".json"), encoding="utf-8")), page


def course(report, ident):
    return next(c for c in report["courses"] if c["course"] == ident)


def test_rates_scores_and_hardest_questions_first(data, run):
    result, report, _ = report_of(run, data / "round-1")
    assert result.exit_code == 0, result.output
    land = course(report, "land-use-basics")["overall"]
    assert (land["learners"], land["completion_rate"], land["pass_rate"], land["median_score"]) == (6, 1.0, 0.0, 25)
    # homes: 2 of 6 right, 'C1 — Comercial' chosen 3 times; flood: 1 of 6 right (harder, so first)
    assert [(q["question"], q["correct"], q["correct_rate"]) for q in land["questions"]] == [
        ("flood", 1, 0.1667), ("homes", 2, 0.3333)]
    homes = land["questions"][1]
    assert (homes["most_chosen_wrong"], homes["most_chosen_wrong_count"]) == ("C1 — Comercial", 3)
    assert homes["wrong_answers"] == {"C1 — Comercial": 3, "I1 — Industrial": 1}
    plan = course(report, "participatory-planning")["overall"]
    assert (plan["learners"], plan["completed"], plan["completion_rate"], plan["pass_rate"]) == (2, 1, 0.5, 1.0)


def test_likert_distribution_and_free_text_said_once(data, run):
    _, report, _ = report_of(run, data / "round-1")
    confidence, topics = course(report, "land-use-basics")["overall"]["surveys"]
    assert confidence["distribution"] == {"1": 2, "2": 3, "3": 1, "4": 0, "5": 0}
    assert (confidence["answered"], confidence["mean"]) == (6, 1.83)
    # 'Mapas de inundación' and 'mapas de inundación.' are one answer; the empty one is not counted
    assert [(a["text"], a["count"]) for a in topics["answers"]] == [
        ("Mapas de inundación", 3), ("Permisos", 1), ("SIG básico", 1)]


def test_group_by_folder_and_by_learner_field(data, run):
    _, by_folder, _ = report_of(run, "--group-by", "folder", data / "round-1")
    groups = course(by_folder, "land-use-basics")["groups"]
    assert [(g["group"], g["learners"], g["surveys"][0]["mean"]) for g in groups] == [
        ("town-a", 2, 1.5), ("town-b", 2, 2.5), ("town-c", 2, 1.5)]
    homes = {g["group"]: next(q for q in g["questions"] if q["question"] == "homes")["correct_rate"] for g in groups}
    assert homes == {"town-a": 0.5, "town-b": 0.5, "town-c": 0.0}
    _, by_town, _ = report_of(run, "--group-by", "town", data / "round-1", out="town.html")
    assert course(by_town, "land-use-basics")["groups"] == groups
    topics = course(by_town, "land-use-basics")["overall"]["surveys"][1]["answers"][0]
    assert topics == {"text": "Mapas de inundación", "count": 3, "groups": ["town-a", "town-c"]}


def test_comparison_with_the_previous_round(data, run):
    report_of(run, data / "round-1", out="round-1.html")
    result, report, page = report_of(run, "--since", "round-1.json", data / "round-2")
    assert result.exit_code == 1  # round 2 holds broken files
    moved = next(c for c in report["since"]["courses"] if c["course"] == "land-use-basics")
    assert moved["learners"] == [6, 7]  # round 2 has one more (hostile) learner
    # round 2: scores 100, 50, 50, 100, 50, 0 and the hostile learner's 0; two of seven passed
    assert moved["median_score"] == {"before": 25.0, "now": 50.0, "change": 25.0}
    assert moved["pass_rate"] == {"before": 0.0, "now": 0.2857, "change": 0.2857}
    assert [(m["question"], m["before"], m["now"], m["change"]) for m in moved["questions"]] == [
        ("flood", 0.1667, 0.4286, 0.2619), ("homes", 0.3333, 0.5714, 0.2381)]
    assert moved["surveys"] == [{"quiz": "needs", "question": "confidence", "prompt": "Puedo leer un mapa de "
                                 "zonificación", "before": 1.83, "now": 3.86, "change": 2.03}]
    # the same comparison straight from the earlier folder
    _, again, _ = report_of(run, "--since", data / "round-1", data / "round-2", out="again.html")
    assert again["since"]["courses"] == report["since"]["courses"]
    tree = lxml.html.fromstring(page)
    assert tree.xpath("//h3[.='Qué cambió desde el informe anterior']")


def test_broken_and_hostile_files_never_stop_the_others(data, run):
    result, report, page = report_of(run, data / "round-2")
    assert result.exit_code == 1
    problems = "\n".join(report["problems"])
    assert "broken.json:1: not JSON" in problems
    assert "huge-number.json" in problems
    assert "\x1b" not in result.output and "\x1b" not in page
    land = course(report, "land-use-basics")["overall"]
    assert land["learners"] == 7  # six learners and the hostile one, whose text is only text
    tree = lxml.html.fromstring(page)
    assert not tree.xpath("//script | //img | //*[@src] | //link")
    assert "&lt;img src=https://example.org/x.png&gt;]0;owned" not in page  # the escape sequence is gone whole
    assert "&lt;img src=https://example.org/x.png&gt;" in page
    appendix = tree.xpath("//section[h2[@id='problems']]//li/text()")
    assert any("broken.json" in line for line in appendix)


def test_one_chart_per_likert_question_with_its_text(data, run):
    _, report, page = report_of(run, data / "round-1")
    tree = lxml.html.fromstring(page)
    charts = tree.xpath("//figure//svg")
    likert = [s for c in report["courses"] for s in c["overall"]["surveys"] if s["type"] == "likert"]
    assert len(charts) == len(likert) == 1
    svg = charts[0]
    assert svg.get("role") == "img"
    desc = svg.xpath("./desc")[0].text
    assert desc == "Puedo leer un mapa de zonificación: 1: 2, 2: 3, 3: 1, 4: 0, 5: 0. Media 1,8 de 6 respuestas."
    assert svg.get("aria-labelledby").split() == [svg.xpath("./title")[0].get("id"), svg.xpath("./desc")[0].get("id")]
    # the same figures as a table beside the chart
    table = charts[0].getparent().xpath("./table")[0]
    assert [r.text_content() for r in table.xpath(".//tbody/tr/td")] == ["2", "3", "1", "0", "0", "1,8"]
    assert tree.get("lang") == "es"  # the learners' language


def test_language_direction_and_numbers(data, run):
    _, _, page = report_of(run, "--lang", "ar", data / "round-1", out="ar.html")
    tree = lxml.html.fromstring(page)
    assert (tree.get("lang"), tree.get("dir")) == ("ar", "rtl")
    assert tree.xpath("//h1")[0].text == "تقرير احتياجات بناء القدرات"
    _, _, page = report_of(run, "--lang", "fr", data / "round-1", out="fr.html")
    assert "33\u00a0%" in page  # CLDR: French puts a no-break space before %
    result = run("report", "--lang", "xx", str(data / "round-1"))
    assert result.exit_code == 2 and "the report speaks" in result.output


def test_same_inputs_same_bytes(data, run):
    _, _, first = report_of(run, "--group-by", "folder", data / "round-2", out="a.html")
    _, _, second = report_of(run, "--group-by", "folder", data / "round-2", out="b.html")
    assert first == second
    assert open("a.json", "rb").read() == open("b.json", "rb").read()


def test_moodle_interactions_report_with_the_course_source(data, run, tmp_path):
    write(tmp_path / "course" / "course.yaml", COURSE_YAML)
    write(tmp_path / "course" / "modules" / "01-zonas.md", MODULE)
    write(tmp_path / "lms" / "moodle.txt", moodle_export())
    result, report, _ = report_of(run, "--courses", tmp_path / "course", "--group-by", "city/town",
                                  tmp_path / "lms")
    assert result.exit_code == 0, result.output
    land = course(report, "land-use-basics")
    homes = land["overall"]["questions"][0]
    # Hugo's second attempt counts; Irene's 'b' is the option's words
    assert (homes["answered"], homes["correct"], homes["most_chosen_wrong"]) == (2, 1, "C1 — Comercial")
    assert land["overall"]["surveys"][0]["distribution"] == {"1": 0, "2": 1, "3": 1, "4": 0, "5": 0}
    assert [g["group"] for g in land["groups"]] == ["town-d"]


def test_generic_csv_and_an_export_of_unknown_course(data, run, tmp_path):
    write(tmp_path / "lms" / "answers.csv", "learner,interaction id,response,result,course\n"
          "Juan,zones-homes,R1 — Residencial,correct,land-use-basics\n"
          "Juan,needs-confidence,5,neutral,land-use-basics\n")
    write(tmp_path / "lms" / "other.csv", "learner,interaction id,response,result\nKim,q-1,a,correct\n")
    write(tmp_path / "lms" / "notes.csv", "just,some,columns\n1,2,3\n")
    result, report, _ = report_of(run, data / "round-1", tmp_path / "lms")
    assert result.exit_code == 1
    land = course(report, "land-use-basics")["overall"]
    assert land["learners"] == 7
    problems = "\n".join(report["problems"])
    assert re.search(r"notes.csv:1: no column for learner, id, response, result", problems)
    assert "other.csv:2: warning: cannot tell which course Kim's answers belong to" in problems


def test_out_must_not_overwrite_an_input(data, run):
    result = run("report", str(data / "round-1"), "--out", str(data / "round-1" / "town-a" / "ana.json"))
    assert result.exit_code == 2 and "should end in .html" in result.output


def test_every_report_language_has_every_word():
    from builder.needs_html import LANGUAGES, REPORT_TEMPLATES
    import yaml

    english = yaml.safe_load((REPORT_TEMPLATES / "locales" / "en.yaml").read_text(encoding="utf-8"))
    for lang in LANGUAGES:
        words = yaml.safe_load((REPORT_TEMPLATES / "locales" / f"{lang}.yaml").read_text(encoding="utf-8"))
        unknown = set(words) - set(english)
        missing = set() if "-" in lang else set(english) - set(words)  # a region lists only what differs
        assert not unknown and not missing, (lang, unknown, missing)
        for key, text in words.items():
            assert re.findall(r"\{\w+\}", text) == re.findall(r"\{\w+\}", english[key]) or \
                sorted(re.findall(r"\{\w+\}", text)) == sorted(re.findall(r"\{\w+\}", english[key])), (lang, key)


def test_time_spent_and_learner_fields_even_from_hostile_files(tmp_path, run, monkeypatch):
    from needs_data import land
    monkeypatch.chdir(tmp_path)
    saved = "2026-11-01T10:00:00Z"
    files = {  # name: (seconds, profile) as a learner's browser, or someone else, wrote them
        "ana": (600, {"town": "Huanta", "organisation": "Municipio"}),
        "bruno": (1200.4, {"Town ": "  Huanta ", "cohort": ""}),
        "carla": (-5, {"town": "\x1b[31mTambo\x07" + "x" * 500}),
        "dario": ("600", "Huanta"),
        "elena": (1e300, {"town": 7, "x" * 41: "y"}),
        "fabio": (None, {}),
        "gil": (True, None),
    }
    for who, (seconds, profile) in files.items():
        data = land(who.title(), "R1 — Residencial", "Z1", "3", "", saved, seconds=seconds, profile=profile)
        text = json.dumps({k: v for k, v in data.items() if v is not None}, ensure_ascii=False)
        write(tmp_path / "in" / f"{who}.json", text.replace('"profile": {}', '"seconds": 1' + "0" * 400
                                                            + ', "profile": {}'))  # Fabio's: 401 digits
    result, report, page = report_of(run, "--group-by", "town", tmp_path / "in")
    assert result.exit_code == 0, result.output  # warnings only: every file counts
    land_use = course(report, "land-use-basics")
    assert land_use["overall"]["learners"] == 7
    assert land_use["overall"]["median_minutes"] == 15.0  # Ana's 10 and Bruno's 20; the others say nothing usable
    tambo = "Tambo" + "x" * 195  # the escape sequence and the bell taken out, then cut at 200 characters
    assert [(g["group"], g["learners"], g["median_minutes"]) for g in land_use["groups"]] == [
        ("Huanta", 2, 15.0), (tambo, 1, None), ("", 4, None)]
    problems = "\n".join(report["problems"])
    for who, got in (("carla", "got -5"), ("dario", "got '600'"), ("elena", "got 1e+300"),
                     ("fabio", "got a number with 401 digits"), ("gil", "got true")):
        assert f"{who}.json:1: warning: seconds: expected a number from 0 to 31,622,399, {got}" in problems, problems
    assert "dario.json:1: warning: profile: expected an object, got 'Huanta' — the learner's town, organisation " \
        "and cohort are left out; the rest of the file counts" in problems
    assert "elena.json:1: warning: profile.town: expected text, got 7 — this field is left out" in problems
    assert f"elena.json:1: warning: profile: a field named '{'x' * 29}…' is left out: a name has 1 to 40 " \
        "characters" in problems
    assert "\x1b" not in result.output + page and "\x07" not in page
