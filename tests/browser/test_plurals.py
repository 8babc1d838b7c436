"""Counted words in the runtime of a language we do not ship: Russian from a course's own catalogue.

The runtime picks plural forms from the table the build generates from CLDR (via Babel), so a
translator's `_few` and `_many` forms reach learners. Opened from file://, local mode.
"""

from __future__ import annotations


import pytest

from kit import built_course

COURSE_YAML = """\
id: plural-runtime
title: Курс
version: "1.0.0"
language: ru
"""
RU = """\
js_unanswered_one: "Ответьте на все вопросы: остался {count} вопрос."
js_unanswered_few: "Ответьте на все вопросы: осталось {count} вопроса."
js_unanswered_many: "Ответьте на все вопросы: осталось {count} вопросов."
js_unanswered_other: "Ответьте на все вопросы: осталось {count} вопроса."
js_score_one: "Ваш результат: {score}% ({got} из {count} балла)."
js_score_few: "Ваш результат: {score}% ({got} из {count} баллов)."
js_score_many: "Ваш результат: {score}% ({got} из {count} баллов)."
js_score_other: "Ваш результат: {score}% ({got} из {count} балла)."
"""


def quiz(quiz_id: str, points: list[float]) -> str:
    questions = "".join(f"### Вопрос {i} {{#q{i} points={p}}}\n- [x] Да\n- [ ] Нет\n\n" for i, p in enumerate(points))
    return f"::: quiz Проверка {quiz_id} {{#{quiz_id}}}\n{questions}:::\n\n"


@pytest.fixture(scope="module")
def page_url(tmp_path_factory) -> str:
    body = quiz("five", [1] * 5) + quiz("two", [1, 1]) + quiz("one", [1]) + quiz("half", [0.5, 1])
    files = {"templates/locales/ru.yaml": RU, "modules/01-quiz.md": f"# Проверка\n\n{body}"}
    return (built_course(tmp_path_factory.mktemp("plural-runtime"), COURSE_YAML, files) / "01-quiz.html").as_uri()


def result_after(page, quiz_id: str, answer: bool) -> str:
    quiz = page.locator(f"[data-quiz={quiz_id}]")
    if answer:
        for box in quiz.locator(".cp-q").all():
            box.locator("input").first.check()
    quiz.locator(".cp-check").click()
    page.wait_for_function("s => document.querySelector(s).textContent", arg=f"[data-quiz={quiz_id}] .cp-result")
    return quiz.locator(".cp-result").inner_text().strip()


def test_russian_counts_take_one_few_many_and_other_forms(page_url, open_context):
    _, page, watch = open_context()
    page.goto(page_url)
    assert [result_after(page, q, answer=False) for q in ("five", "two", "one")] == [
        "Ответьте на все вопросы: осталось 5 вопросов.",  # many
        "Ответьте на все вопросы: осталось 2 вопроса.",  # few
        "Ответьте на все вопросы: остался 1 вопрос."]  # one
    assert result_after(page, "half", answer=True).startswith("Ваш результат: 100% (1,5 из 1,5 балла).")  # other
    assert watch.errors == [] and watch.blocked == []


HR = """\
js_score_one: "Rezultat: {score}% ({got} od {count} boda, jednina)."
js_score_few: "Rezultat: {score}% ({got} od {count} boda, malo)."
js_score_other: "Rezultat: {score}% ({got} od {count} bodova)."
"""


def test_croatian_fractions_take_the_form_of_their_digits(tmp_path, open_context):
    """CLDR's Croatian rule reads the digits after the point: 1,1 is 'one', 1,5 'other', 2,3 'few'."""
    body = quiz("a", [0.1, 1]) + quiz("b", [0.5, 1]) + quiz("c", [1.3, 1])
    files = {"templates/locales/hr.yaml": HR, "modules/01-quiz.md": f"# Kviz\n\n{body}"}
    offline = built_course(tmp_path, COURSE_YAML.replace("plural-runtime", "hr-fractions").replace("ru", "hr"), files)
    _, page, watch = open_context()
    page.goto((offline / "01-quiz.html").as_uri())
    assert [result_after(page, q, answer=True).split(").")[0] + ")" for q in ("a", "b", "c")] == [
        "Rezultat: 100% (1,1 od 1,1 boda, jednina)", "Rezultat: 100% (1,5 od 1,5 bodova)",
        "Rezultat: 100% (2,3 od 2,3 boda, malo)"]
    assert watch.errors == [] and watch.blocked == []
