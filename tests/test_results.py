"""`coursepack results`: what a coordinator sees for the files learners saved with no LMS."""

from __future__ import annotations

import copy
import os
import csv
import json

import pytest

COURSE = {"id": "land-use-basics", "version": "1.0.0", "lang": "es", "title": "Uso del suelo"}
QUIZZES = [{"id": "zones", "title": "Zonas", "graded": True, "survey": False, "attempts": 1, "score": 100},
           {"id": "needs", "title": "Necesidades", "graded": False, "survey": True, "attempts": 1, "score": None}]
HOMES = {"quiz": "zones", "question": "homes", "type": "single", "prompt": "¿Dónde van las viviendas nuevas?",
         "response": "R1 — Residencial", "correct": True, "points": 2, "earned": 2}
CONFIDENCE = {"quiz": "needs", "question": "confidence", "type": "likert",
              "prompt": "Puedo leer un mapa de zonificación", "response": "4", "correct": None, "points": 0,
              "earned": 0}
TOPICS = {"quiz": "needs", "question": "topics", "type": "text", "prompt": "¿Qué quiere aprender?",
          "response": "Mapas de inundación", "correct": None, "points": 0, "earned": 0}
HEADER = ["course", "version", "lang", "learner", "saved", "completion", "success", "score", "quiz", "question",
          "type", "prompt", "response", "correct", "points", "earned", "seconds", "town", "organisation", "cohort"]


def results(learner: str, *answers: dict, **changes) -> dict:
    """A results file as the My progress page saves it; `changes` replace top-level fields."""
    data = {"format": "coursepack-results", "version": 1, "saved": "2026-11-25T10:00:00Z", "learner": learner,
            "course": dict(COURSE), "pages": {"viewed": 5, "total": 5}, "completion": "completed",
            "success": "passed", "score": 100, "quizzes": copy.deepcopy(QUIZZES),
            "answers": copy.deepcopy(list(answers))}
    data.update(changes)
    return data


def answer(base: dict, **changes) -> dict:
    return {**base, **changes}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    """tmp_path/results as the place files are dropped, with tmp_path as the working directory."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "results").mkdir()
    return tmp_path / "results"


def save(folder, name: str, data) -> None:
    text = data if isinstance(data, str) else json.dumps(data, indent=2, ensure_ascii=False)
    (folder / name).parent.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")


@pytest.fixture
def class_of_three(folder):
    """Ana passed, Bruno failed the graded question, Carla saved before answering anything."""
    save(folder, "ana.json", results("Ana", HOMES, CONFIDENCE, TOPICS, seconds=754.6,
                                     profile={"town": "Huanta", "cohort": " 2026  B "}))
    save(folder, "bruno.json", results(
        "Bruno", answer(HOMES, response="C1 — Comercial", correct=False, earned=0),
        answer(CONFIDENCE, response="2"), answer(TOPICS, response=""),
        course={**COURSE, "lang": "pt"}, success="failed", score=0, saved="2026-11-25T11:30:00Z"))
    save(folder, "carla.json", results("Carla", pages={"viewed": 2, "total": 5}, completion="incomplete",
                                       success="unknown", score=None))
    return folder


def test_tables_per_learner_per_question_and_survey(class_of_three, run):
    result = run("results", class_of_three)
    assert result.exit_code == 0, result.output
    assert result.stdout.splitlines() == [
        "land-use-basics 1.0.0 — Uso del suelo",
        "=====================================",
        "",
        "learner  lang  pages  completion  success  score  minutes  from",
        "Ana      es    5/5    completed   passed    100%       13  Huanta · 2026 B",
        "Bruno    pt    5/5    completed   failed      0%        —",
        "Carla    es    2/5    incomplete  unknown      —        —",
        "",
        "quiz   question    answered  correct  prompt",
        "zones  homes              2      50%  ¿Dónde van las viviendas nuevas?",
        "needs  confidence         2           Puedo leer un mapa de zonificación",
        "needs  topics             1           ¿Qué quiere aprender?",
        "",
        "Capacity needs (survey answers)",
        "needs/confidence: Puedo leer un mapa de zonificación",
        "  1: 0   2: 1   3: 0   4: 1   5: 0   mean 3.0 (2 answers)",
        "needs/topics: ¿Qué quiere aprender?",
        "  Ana: Mapas de inundación",
        "3 of 3 results files read; 3 learners in 1 course",
    ]
    assert result.stderr == ""


def test_by_learner_or_by_question_prints_one_view(class_of_three, run):
    by_learner = run("results", class_of_three, "--by", "learner").stdout
    assert "learner  lang" in by_learner and "quiz   question" not in by_learner and "Capacity" not in by_learner
    by_question = run("results", class_of_three, "--by", "question").stdout
    assert "learner  lang" not in by_question and "quiz   question" in by_question and "Capacity" in by_question


def test_likert_distribution_and_mean(folder, run):
    for name, level in [("a", "1"), ("b", "5"), ("c", "5"), ("d", "4"), ("e", ""), ("f", "4"), ("g", "4")]:
        save(folder, f"{name}.json", results(name.upper(), answer(CONFIDENCE, response=level)))
    lines = run("results", folder, "--by", "question").stdout.splitlines()
    assert lines[-2] == "  1: 1   2: 0   3: 0   4: 3   5: 2   mean 3.8 (6 answers)"  # 23 / 6, blank not counted
    assert "needs  confidence         6" in lines[4]


def test_free_text_answers_are_listed_by_name_and_wrapped(folder, run):
    long = "Cómo explicar el mapa de riesgo de inundación en la asamblea del barrio, con ejemplos " * 2
    save(folder, "ana.json", results("Ana", answer(TOPICS, response=long)))
    save(folder, "ben.json", results("Ben", answer(TOPICS, response="Presupuestos\nparticipativos")))
    lines = run("results", folder).stdout.splitlines()
    survey = lines[lines.index("needs/topics: ¿Qué quiere aprender?") + 1:-1]
    assert survey[0].startswith("  Ana: Cómo explicar el mapa") and survey[1].startswith("    ")
    assert survey[-1] == "  Ben: Presupuestos participativos"
    assert " ".join(line.strip() for line in survey[:-1]) == "Ana: " + " ".join(long.split())


def test_output_fits_80_columns(folder, run):
    prompt = "¿Cuál de estas zonas permite viviendas, comercio de barrio y talleres pequeños? " * 3
    save(folder, "long.json", results(
        "María de los Ángeles Fernández Castillo", answer(HOMES, quiz="zonificacion-urbana-basica",
                                                          question="viviendas-nuevas-en-zona-r1", prompt=prompt),
        answer(CONFIDENCE, prompt=prompt), course={**COURSE, "title": prompt}))
    lines = run("results", folder).stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert "María de los Ángeles Fe…  es" in "\n".join(lines)
    assert any(line.startswith("zonificacion-…  viviendas-nue…         1     100%  ¿Cuál de") and
               line.endswith("…") and len(line) == 80 for line in lines)


def test_csv_has_one_row_per_learner_per_answer(class_of_three, run, tmp_path):
    out = tmp_path / "report" / "noviembre.csv"
    result = run("results", class_of_three, "--csv", out)
    assert result.exit_code == 0
    assert result.stdout.endswith(f"\nWrote 7 rows to {out}\n3 of 3 results files read; 3 learners in 1 course\n")
    raw = out.read_bytes()
    assert raw.startswith(b'\xef\xbb\xbf"course","version",') and b"\r\n" in raw  # BOM: Excel reads the accents
    with out.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))
    ana = ["land-use-basics", "1.0.0", "es", "Ana", "2026-11-25T10:00:00Z", "completed", "passed", "100"]
    bruno = ["land-use-basics", "1.0.0", "pt", "Bruno", "2026-11-25T11:30:00Z", "completed", "failed", "0"]
    carla = ["land-use-basics", "1.0.0", "es", "Carla", "2026-11-25T10:00:00Z", "incomplete", "unknown", ""]
    about_ana, nothing = ["755", "Huanta", "", "2026 B"], [""] * 4  # seconds and learner fields, when saved
    assert rows == [
        HEADER,
        ana + ["zones", "homes", "single", "¿Dónde van las viviendas nuevas?", "R1 — Residencial", "1", "2", "2"]
        + about_ana,
        ana + ["needs", "confidence", "likert", "Puedo leer un mapa de zonificación", "4", "", "0", "0"] + about_ana,
        ana + ["needs", "topics", "text", "¿Qué quiere aprender?", "Mapas de inundación", "", "0", "0"] + about_ana,
        bruno + ["zones", "homes", "single", "¿Dónde van las viviendas nuevas?", "C1 — Comercial", "0", "2", "0"]
        + nothing,
        bruno + ["needs", "confidence", "likert", "Puedo leer un mapa de zonificación", "2", "", "0", "0"] + nothing,
        bruno + ["needs", "topics", "text", "¿Qué quiere aprender?", "", "", "0", "0"] + nothing,
        carla + [""] * 8 + nothing,
    ]


def test_csv_by_question_and_deterministic(class_of_three, run, tmp_path):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    run("results", class_of_three, "--csv", first, "--by", "question")
    run("results", class_of_three / "carla.json", class_of_three / "bruno.json", class_of_three / "ana.json",
        "--csv", second, "--by", "question")
    assert first.read_bytes() == second.read_bytes()
    with first.open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.reader(f))[1:]
    assert [(r[3], r[9]) for r in rows] == [("Carla", ""), ("Ana", "homes"), ("Bruno", "homes"),
                                            ("Ana", "confidence"), ("Bruno", "confidence"), ("Ana", "topics"),
                                            ("Bruno", "topics")]


def test_csv_keeps_formulas_as_text(folder, run, tmp_path):
    save(folder, "x.json", results("=HYPERLINK(\"x\")", answer(TOPICS, response="-más mapas"), score=85.5))
    run("results", folder, "--csv", tmp_path / "x.csv")
    with (tmp_path / "x.csv").open(encoding="utf-8-sig", newline="") as f:
        row = list(csv.reader(f))[1]
    assert (row[3], row[7], row[12]) == ("'=HYPERLINK(\"x\")", "85.5", "'-más mapas")


def test_courses_and_versions_are_kept_apart_and_folders_searched(folder, run):
    save(folder, "2026/ana.json", results("Ana", HOMES))
    save(folder, "2026/ana-v2.json", results("Ana", HOMES, course={**COURSE, "version": "1.10.0"}))
    save(folder, "ana-v1.9.json", results("Ana", HOMES, course={**COURSE, "version": "1.9.0"}))
    save(folder, "zé.json", results("Zé", course={"id": "agua", "version": "2", "lang": "pt", "title": "Água"}))
    save(folder, "._ana.json", "\x00\x05Mac resource fork")
    save(folder, "notes.txt", "not read")
    result = run("results", folder, "--by", "learner")
    assert result.exit_code == 0, result.output
    headings = [line for line in result.stdout.splitlines() if " — " in line]
    assert headings == ["agua 2 — Água", "land-use-basics 1.0.0 — Uso del suelo",
                        "land-use-basics 1.9.0 — Uso del suelo", "land-use-basics 1.10.0 — Uso del suelo"]
    assert result.stdout.endswith("\n4 of 4 results files read; 4 learners in 4 courses\n")


def test_the_same_learner_twice_keeps_the_latest_and_says_so(folder, run):
    save(folder, "ana-monday.json", results("Ana", HOMES, score=40, saved="2026-11-23T09:00:00Z"))
    save(folder, "usb/ANA.json", results(" ana", HOMES, score=90, saved="2026-11-25T08:00:00-03:00"))
    save(folder, "copia/ana.json", results("Ana", HOMES, score=90, saved="2026-11-25T11:00:00Z"))
    result = run("results", folder)
    assert result.exit_code == 0
    assert result.stderr.splitlines() == [
        "results/ana-monday.json:1: warning: left out: an older copy of Ana's results for land-use-basics "
        "1.0.0 — using results/copia/ana.json (saved 2026-11-25T11:00:00Z)",
        "results/usb/ANA.json:1: warning: left out: a second copy of ana's results for land-use-basics 1.0.0 "
        "— using results/copia/ana.json (saved 2026-11-25T11:00:00Z)",
    ]
    assert result.stdout.endswith("\n3 of 3 results files read; 1 learner in 1 course; 2 older duplicates left out\n")
    assert "Ana      es    5/5    completed   passed     90%" in result.stdout


def test_a_file_named_twice_is_read_once(class_of_three, run):
    result = run("results", class_of_three, class_of_three / "ana.json")
    assert result.stdout.endswith("\n3 of 3 results files read; 3 learners in 1 course\n")


BAD = [
    ("not-json.json", '{"format": "coursepack-results",\n "version": 1\n "learner": "Ana"}',
     "results/not-json.json:3: not JSON: Expecting ',' delimiter (column 2) — the file is damaged or was "
     "edited; ask the learner to save it again from the course's My progress page"),
    ("empty.json", "  \n",
     "results/empty.json:1: the file is empty — ask the learner to save it again from the course's My progress "
     "page"),
    ("latin1.json", b'{"learner": "Jos\xe9"}',
     "results/latin1.json:1: file is not UTF-8 text — save it as UTF-8 in your editor"),
    ("list.json", "[1, 2]",
     "results/list.json:1: not a coursepack-results file — expected a file saved with 'Save my results' on a "
     "course's My progress page"),
    ("other.json", '{"name": "coursepack", "version": "0.1.0"}',
     "results/other.json:1: not a coursepack-results file — expected a file saved with 'Save my results' on a "
     "course's My progress page"),
    ("future.json", results("Ana", version=2),
     "results/future.json:1: unknown results version 2 — this coursepack reads version 1; update coursepack"),
    ("no-version.json", {k: v for k, v in results("Ana").items() if k != "version"},
     "results/no-version.json:1: 'version' is missing — ask the learner to save it again from the course's My "
     "progress page"),
]


@pytest.mark.parametrize("name, content, message", BAD, ids=[case[0] for case in BAD])
def test_a_bad_file_is_named_and_the_others_still_read(folder, run, name, content, message):
    save(folder, "ana.json", results("Ana", HOMES))
    if isinstance(content, bytes):
        (folder / name).write_bytes(content)
    else:
        save(folder, name, content)
    result = run("results", folder)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [message, "1 of 2 results files read; 1 learner in 1 course; 1 file rejected"]
    assert "Ana      es    5/5    completed   passed    100%" in result.stdout


def test_every_missing_or_wrong_field_is_named_with_its_line(folder, run):
    data = results("", answer(HOMES, correct="yes"), {k: v for k, v in TOPICS.items() if k != "prompt"},
                   answer(CONFIDENCE, response="7"), "zones/homes", completion="done", score="85")
    del data["saved"], data["pages"]["total"]
    data["quizzes"][1]["graded"] = 0
    save(folder, "ana.json", data)
    result = run("results", folder)
    assert result.exit_code == 1 and result.stdout == ""
    hint = " — ask the learner to save it again from the course's My progress page"
    assert result.stderr.splitlines() == [m + hint for m in [
        "results/ana.json:1: 'saved' is missing",
        "results/ana.json:1: learner: expected a name of at most 200 characters, got empty text",
        "results/ana.json:1: completion: expected 'completed' or 'incomplete', got 'done'",
        "results/ana.json:1: score: expected a number from 0 to 100 or null, got '85'",
        "results/ana.json:1: answers[3]: expected an object, got 'zones/homes'",
        "results/ana.json:11: pages: 'total' is missing",  # the line where the object starts
        "results/ana.json:26: quizzes[1].graded: expected true or false, got 0",
        "results/ana.json:36: answers[0].correct: expected true, false or null, got 'yes'",
        "results/ana.json:46: answers[1]: 'prompt' is missing",
    ]] + ["0 of 1 results file read; 0 learners in 0 courses; 1 file rejected"]


def test_likert_out_of_range_and_a_question_answered_twice(folder, run):
    save(folder, "ana.json", results("Ana", HOMES, answer(CONFIDENCE, response="7"), HOMES))
    result = run("results", folder)
    assert result.exit_code == 1
    hint = " — ask the learner to save it again from the course's My progress page"
    assert result.stderr.splitlines()[:2] == [
        "results/ana.json:48: answers[1].response: expected 1 to 5 for a likert question, got '7'" + hint,
        "results/ana.json:58: answers[2]: question 'zones/homes' is answered twice" + hint,
    ]


def test_usage_errors_exit_2(folder, run, tmp_path):
    no_files = run("results")
    assert no_files.exit_code == 2 and "Missing argument 'RESULTS...'" in no_files.stderr
    missing = run("results", "nowhere")
    assert missing.exit_code == 2 and "Path 'nowhere' does not exist" in missing.stderr
    empty = run("results", folder)
    assert empty.exit_code == 2 and "Error: no results files (*.json) in 'results'" in empty.stderr
    save(folder, "ana.json", results("Ana"))
    over = run("results", folder, "--csv", folder / "ana.json")
    assert over.exit_code == 2 and "is one of the results files; choose another file name" in over.stderr
    assert run("results", folder, "--by", "course").exit_code == 2


# --- hostile files: results come from learners' browsers and are not trusted -----------------------

def test_csv_neutralises_formulas_in_every_field(folder, run, tmp_path):
    save(folder, "x.json", results(
        "@SUM(A1:A9)", answer(TOPICS, quiz="\tq", question="\r=1", prompt="＝1+1", response="=HYPERLINK(\"x\")"),
        course={"id": "=cmd|' /C calc'!A0", "version": "+1.0", "lang": "-es", "title": "t"},
        profile={"town": "=1+1", "organisation": "-2", "cohort": "@A1"}))
    run("results", folder, "--csv", tmp_path / "x.csv")
    raw = (tmp_path / "x.csv").read_text(encoding="utf-8-sig")
    with (tmp_path / "x.csv").open(encoding="utf-8-sig", newline="") as f:
        [header, row] = list(csv.reader(f))
    assert row == ["'=cmd|' /C calc'!A0", "'+1.0", "'-es", "'@SUM(A1:A9)", "2026-11-25T10:00:00Z", "completed",
                   "passed", "100", "'\tq", "'\r=1", "text", "'＝1+1", "'=HYPERLINK(\"x\")", "", "0", "0", "",
                   "'=1+1", "'-2", "'@A1"]
    assert raw.splitlines()[1].startswith('"\'=cmd|\' /C calc\'!A0","\'+1.0",')  # every cell quoted


def test_control_characters_are_printed_escaped(folder, run):
    save(folder, "ana.json", results("\x1b[2J\x1b]0;pwned\x07Ana", answer(TOPICS, response="ok \x9b31m\u202eevil"),
                                     course={**COURSE, "title": "Uso\x1b[5m"}))
    save(folder, "\x1b[1mbad.json", "{\x1b")
    result = run("results", folder)
    assert result.exit_code == 1
    assert not any(c in result.output for c in "\x1b\x07\x9b\u202e")
    assert "land-use-basics 1.0.0 — Uso\\x1b[5m" in result.stdout
    assert "\\x1b[2J\\x1b]0;pwned\\x07Ana" in result.stdout  # in the survey answers, the name in full
    assert "ok \\x9b31m\\u202eevil" in result.stdout
    assert result.stderr.splitlines()[0].startswith("results/\\x1b[1mbad.json:1: not JSON: ")


HUGE = "1" + "0" * 5000
ODD = [
    ("huge-score.json", json.dumps(results("Bo"), indent=2).replace('"score": 100', f'"score": {HUGE}'),
     "results/huge-score.json:1: score: expected a number from 0 to 100 or null, got a number with 5,001 digits"),
    ("huge-float.json", json.dumps(results("Bo"), indent=2).replace('"viewed": 5', '"viewed": 1e999'),
     "results/huge-float.json:12: pages.viewed: expected a whole number from 0 to 1,000,000, got 1e999"),
    ("nan.json", json.dumps(results("Bo", score=float("nan")), indent=2),
     "results/nan.json:1: score: expected a number from 0 to 100 or null, got NaN"),
    ("nan-text.json", json.dumps(results("Bo", answer(TOPICS, prompt=float("-inf"))), indent=2),
     "results/nan-text.json:38: answers[0].prompt: expected text of at most 32,767 characters, got -Infinity"),
    ("range.json", results("Bo", answer(HOMES, points=-2, earned=-2), score=150),
     "results/range.json:1: score: expected a number from 0 to 100 or null, got 150"),
    ("earned.json", results("Bo", answer(HOMES, points=2, earned=20)),
     "results/earned.json:38: answers[0].earned: 20 is more than its points (2)"),
    ("long-name.json", results("B" * 201),
     "results/long-name.json:1: learner: expected a name of at most 200 characters, got text of 201 characters"),
    ("year-one.json", results("Bo", saved="0001-01-01T00:00:00+05:00"),
     "results/year-one.json:1: saved: expected a date and time like 2026-11-25T10:00:00Z, got "
     "'0001-01-01T00:00:00+05:00'"),
    ("deep.json", "[" * 100_000 + "]" * 100_000,
     "results/deep.json:1: not JSON: nested too deeply"),
]


@pytest.mark.parametrize("name, content, message", ODD, ids=[case[0] for case in ODD])
def test_odd_values_are_reported_and_never_crash_the_summary(folder, run, name, content, message):
    save(folder, "ana.json", results("Ana", HOMES))
    save(folder, name, content)
    result = run("results", folder)
    assert result.exit_code == 1
    assert message + " — ask the learner to save it again from the course's My progress page" in \
        result.stderr.splitlines()
    assert result.stderr.splitlines()[-1] == "1 of 2 results files read; 1 learner in 1 course; 1 file rejected"
    assert "Ana      es    5/5    completed   passed    100%" in result.stdout


def test_a_huge_file_is_refused_without_being_read(folder, run):
    save(folder, "ana.json", results("Ana", HOMES))
    with (folder / "huge.json").open("wb") as f:
        f.truncate(100_000_000)  # 100 MB, sparse: costs no disk
    result = run("results", folder)
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "results/huge.json:1: the file is over 5 MB, so it is not a results file (those are a few KB) — check it is "
        "the file the course saved", "1 of 2 results files read; 1 learner in 1 course; 1 file rejected"]


def test_a_fifo_is_refused_without_hanging(folder, run):
    save(folder, "ana.json", results("Ana", HOMES))
    os.mkfifo(folder / "pipe.json")
    result = run("results", folder / "pipe.json", folder / "ana.json")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[0] == ("results/pipe.json:1: not a regular file — give the results files "
                                             "themselves")


def test_a_bad_time_or_profile_is_left_out_with_a_warning(folder, run, tmp_path):
    save(folder, "ana.json", results("Ana", HOMES, seconds=-1, profile={"town": ["a"], "cohort": "\x1b[31mB\x07"}))
    save(folder, "bruno.json", results("Bruno", HOMES, seconds=1e9, profile="Huanta"))
    result = run("results", folder, "--csv", tmp_path / "x.csv")
    assert result.exit_code == 0, result.output  # warnings: both files still count
    assert "results/ana.json:1: warning: seconds: expected a number from 0 to 31,622,399, got -1" in result.stderr
    assert "results/ana.json:50: warning: profile.town: expected text, got a list" in result.stderr  # its line
    assert "results/bruno.json:1: warning: seconds: expected a number from 0 to 31,622,399, got 1e+09" in result.stderr
    assert "results/bruno.json:1: warning: profile: expected an object, got 'Huanta'" in result.stderr
    assert "\x1b" not in result.output
    with (tmp_path / "x.csv").open(encoding="utf-8-sig", newline="") as f:
        rows = list(csv.DictReader(f))
    assert [(r["learner"], r["seconds"], r["town"], r["cohort"]) for r in rows] == [
        ("Ana", "", "", "B"), ("Bruno", "", "", "")]  # control characters and escape sequences taken out
