"""Results a coordinator collects: two courses, three towns, two survey rounds, broken and hostile files,
and a Moodle interactions report, written so every figure of the needs report is known in advance."""

from __future__ import annotations

import json
from pathlib import Path

LAND = {"id": "land-use-basics", "version": "1.0.0", "lang": "es", "title": "Uso del suelo"}
PLAN = {"id": "participatory-planning", "version": "2.1.0", "lang": "es", "title": "Planificación participativa"}
HOMES = {"quiz": "zones", "question": "homes", "type": "single", "prompt": "¿Dónde van las viviendas nuevas?",
         "points": 1}
FLOOD = {"quiz": "zones", "question": "flood", "type": "multiple", "prompt": "¿Qué zonas se inundan?", "points": 1}
CONFIDENCE = {"quiz": "needs", "question": "confidence", "type": "likert",
              "prompt": "Puedo leer un mapa de zonificación", "points": 0}
TOPICS = {"quiz": "needs", "question": "topics", "type": "text", "prompt": "¿Qué quiere aprender?", "points": 0}
STEPS = {"quiz": "plan", "question": "steps", "type": "single", "prompt": "¿Qué va primero?", "points": 1}
RIGHT = {"homes": "R1 — Residencial", "flood": "Z1; Z3", "steps": "Invitar a los vecinos"}


def answer(question: dict, response: str) -> dict:
    """One answer; graded ones are right when they match RIGHT."""
    graded = question["type"] not in ("likert", "text")
    correct = response == RIGHT[question["question"]] if graded else None
    return {**question, "response": response, "correct": correct, "earned": question["points"] if correct else 0}


def results(learner: str, course: dict, answers: list[dict], saved: str, **fields) -> dict:
    """A results file as the My progress page saves it."""
    data = {"format": "coursepack-results", "version": 1, "saved": saved, "learner": learner, "course": course,
            "pages": {"viewed": 5, "total": 5}, "completion": "completed", "success": "passed", "score": 100,
            "quizzes": [], "answers": answers}
    data.update(fields)
    return data


def land(learner: str, homes: str, flood: str, confidence: str, topics: str, saved: str, **fields) -> dict:
    answers = [answer(HOMES, homes), answer(FLOOD, flood), answer(CONFIDENCE, confidence), answer(TOPICS, topics)]
    right = sum(a["correct"] for a in answers[:2])
    fields = {"score": 50 * right, "success": "passed" if right == 2 else "failed", **fields}
    return results(learner, LAND, answers, saved, **fields)


# Round 1 (before a workshop): who, town, homes, flood, confidence, topics.
ROUND1 = [
    ("Ana", "town-a", "R1 — Residencial", "Z1", "2", "Mapas de inundación"),
    ("Bruno", "town-a", "C1 — Comercial", "Z1", "1", "mapas de inundación."),
    ("Carla", "town-b", "C1 — Comercial", "Z1; Z3", "2", "Permisos"),
    ("Dario", "town-b", "R1 — Residencial", "Z1", "3", ""),
    ("Elena", "town-c", "I1 — Industrial", "Z1", "1", "Mapas de inundación"),
    ("Fabio", "town-c", "C1 — Comercial", "Z3", "2", "SIG básico"),
]
# Round 2 (after it): more right answers, more confidence.
ROUND2 = [
    ("Ana", "town-a", "R1 — Residencial", "Z1; Z3", "4", "SIG básico"),
    ("Bruno", "town-a", "R1 — Residencial", "Z1", "4", "SIG básico"),
    ("Carla", "town-b", "C1 — Comercial", "Z1; Z3", "5", "Presupuesto participativo"),
    ("Dario", "town-b", "R1 — Residencial", "Z1; Z3", "3", ""),
    ("Elena", "town-c", "R1 — Residencial", "Z1", "4", "sig básico"),
    ("Fabio", "town-c", "C1 — Comercial", "Z3", "5", "Permisos"),
]


def write(path: Path, data) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, bytes):
        path.write_bytes(data)
    else:
        path.write_text(data if isinstance(data, str) else json.dumps(data, ensure_ascii=False, indent=1),
                        encoding="utf-8")


def collected(root: Path) -> Path:
    """root/round-1 and root/round-2, each with a folder per town; returns root."""
    for n, rows in ((1, ROUND1), (2, ROUND2)):
        saved = ("2026-05-01T10:00:00Z", "2026-11-01T10:00:00Z")[n - 1]
        for who, town, homes, flood, confidence, topics in rows:
            write(root / f"round-{n}" / town / f"{who.lower()}.json",
                  land(who, homes, flood, confidence, topics, saved, profile={"town": town, "cohort": f"c{n}"}))
        # the second course, taken by two learners of town-a only, one unfinished
        write(root / f"round-{n}" / "town-a" / "plan-ana.json",
              results("Ana", PLAN, [answer(STEPS, "Invitar a los vecinos")], saved))
        write(root / f"round-{n}" / "town-a" / "plan-bruno.json",
              results("Bruno", PLAN, [answer(STEPS, "Pedir un presupuesto")], saved, completion="incomplete",
                      success="unknown", score=None, pages={"viewed": 2, "total": 5}))
    round2 = root / "round-2"
    write(round2 / "town-b" / "broken.json", '{"format": "coursepack-results", "version": 1, ')
    huge = json.dumps(land("Gil", "R1 — Residencial", "Z1", "3", "x", "2026-11-02T10:00:00Z", score=12345))
    write(round2 / "town-b" / "huge-number.json", huge.replace("12345", "9" * 5000))
    write(round2 / "town-c" / "hostile.json",
          land("=HYPERLINK(\"http://x\")\x1b[31m", "<script>alert(1)</script>", "Z1", "2",
               "<img src=https://example.org/x.png>\x1b]0;owned\x07", "2026-11-02T10:00:00Z"))
    return root


# Moodle's SCORM interactions report, downloaded as text: tab-separated, one row per attempt.
MOODLE_HEADER = ["Name", "Email address", "City/town", "Attempt", "Started on", "Last accessed on", "Score",
                 "Uso del suelo", "Question 0", "Response 0", "Right answer 0", "Result 0",
                 "Question 1", "Response 1", "Right answer 1", "Result 1"]
MOODLE_ROWS = [
    # Hugo's first attempt is replaced by his second; Irene picked the wrong option 'b'.
    ["Hugo Lima", "hugo@example.org", "town-d", "1", "", "", "0", "Failed", "zones.homes", "b", "a", "wrong",
     "needs.confidence", "1", "", "neutral"],
    ["Hugo Lima", "hugo@example.org", "town-d", "2", "", "", "100", "Passed", "zones.homes", "a", "a", "correct",
     "needs.confidence", "3", "", "neutral"],
    # an export from a package built before interaction ids were '<quiz>.<question>'
    ["Irene Sol", "irene@example.org", "town-d", "1", "", "", "0", "Failed", "zones-homes", "b", "a", "wrong",
     "needs-confidence", "2", "", "neutral"],
]


def moodle_export() -> str:
    return "\n".join("\t".join(row) for row in [MOODLE_HEADER, *MOODLE_ROWS]) + "\n"
