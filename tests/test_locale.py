"""Interface catalogues: complete in every shipped language, plural forms by CLDR, numbers per language."""

from __future__ import annotations

from decimal import Decimal

import json
import re
import shutil
import zipfile
from pathlib import Path

import lxml.html
import pytest
import yaml
from lxml import etree

from builder import cldr, locale
from builder.locale import (CATEGORIES, COUNT, PLACEHOLDER, Strings, expected_keys, forms_needed, plural_category,
                            reference)
from builder.render import human_duration
from builder.xsd import validate_manifest

LOCALES = locale.TEMPLATES / "locales"
SHIPPED = ["es", "fr", "pt", "pl", "ar"]
COURSE = "courses/town-course"
SUMMARY = re.compile(r"\d+ of \d+ courses? checked")


def catalogue(lang: str) -> dict[str, str]:
    return yaml.safe_load((LOCALES / f"{lang}.yaml").read_text(encoding="utf-8"))


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("lang", [*SHIPPED, "pt-PT"])
def test_catalogue_has_every_key_of_english(lang):
    english = reference()
    strings = {**catalogue("pt"), **catalogue(lang)} if lang == "pt-PT" else catalogue(lang)  # pt-PT falls back to pt
    missing = [k for k in expected_keys(english, lang) if k not in strings]
    assert not missing, f"{lang}.yaml lacks {missing}"
    assert all(isinstance(v, str) and v.strip() for v in strings.values()), "every value is non-empty text"


def test_european_portuguese_holds_only_the_words_that_differ_from_brazilian():
    brazilian, european = catalogue("pt"), catalogue("pt-PT")
    assert european and set(european) <= set(brazilian)
    assert [key for key, text in european.items() if text == brazilian[key]] == []
    t = Strings("pt-PT", {**reference(), **brazilian, **european})
    assert (t["next"], t["previous"], t.count("quiz_attempts", 0), t.count("quiz_points", 1.5)) == \
        ("Seguinte", "Anterior", "0 tentativas", "(1,5 pontos)")  # pt-PT: 'one' is 1 alone (pt: 0 and 1.5 too)


@pytest.mark.parametrize("lang", [*SHIPPED, "pt-PT"])
def test_catalogue_placeholders_are_those_of_english(lang):
    english, wrong = reference(), []
    for key, text in catalogue(lang).items():
        base, _, category = key.rpartition("_")
        if category in CATEGORIES and f"{base}_other" in english:  # a plural form may leave out {count}
            want = placeholders(english[f"{base}_other"])
            if not want - {COUNT} <= placeholders(text) <= want:
                wrong.append(f"{key}: {sorted(placeholders(text))}, English {sorted(want)}")
        elif key in english and placeholders(text) != placeholders(english[key]):
            wrong.append(f"{key}: {sorted(placeholders(text))}, English {sorted(placeholders(english[key]))}")
    assert not wrong, f"{lang}.yaml: " + "; ".join(wrong)


@pytest.mark.parametrize(("lang", "numbers"), [
    ("en", {"one": [1], "other": [0, 2, 0.5, 1.5, 11, 101]}),
    ("es", {"one": [1], "other": [0, 2, 0.5, 1.5, 21], "many": [1_000_000]}),
    ("fr", {"one": [0, 1, 0.5, 1.5], "other": [2, 3, 21, 2.5], "many": [2_000_000]}),
    ("pt", {"one": [0, 1, 1.5], "other": [2, 11, 2.5]}),
    ("pt-PT", {"one": [1], "other": [0, 2, 1.5]}),
    ("pl", {"one": [1], "few": [2, 3, 4, 22, 23, 104], "many": [0, 5, 11, 12, 13, 14, 21, 25, 112],
            "other": [0.5, 1.5, 2.5]}),
    ("ar", {"zero": [0], "one": [1], "two": [2], "few": [3, 10, 103, 110], "many": [11, 26, 99, 111],
            "other": [100, 101, 102, 200, 0.5, 1.5]}),
    ("ru", {"one": [1, 21, 101], "few": [2, 3, 4, 22, 104], "many": [0, 5, 11, 12, 14, 25, 111], "other": [0.5, 1.5]}),
    ("uk", {"one": [1, 31], "few": [2, 24], "many": [0, 5, 13, 100], "other": [1.5]}),
    ("cs", {"one": [1], "few": [2, 3, 4], "many": [0.5, 1.5, 2.5], "other": [0, 5, 22, 100]}),
    ("lt", {"one": [1, 21, 101], "few": [2, 9, 22], "many": [0.5, 1.5], "other": [0, 10, 11, 19, 20]}),
    ("de", {"one": [1], "other": [0, 2, 1.5]}),
    ("ja", {"other": [0, 1, 2, 1.5]}),
    ("xx", {"one": [1], "other": [0, 2, 1.5]}),  # a code CLDR does not know: English's rule
])
def test_plural_categories_follow_cldr(lang, numbers):
    wrong = {n: plural_category(lang, n) for cat, ns in numbers.items() for n in ns if plural_category(lang, n) != cat}
    assert not wrong, f"{lang}: {wrong}"


# lv, hr, sr, bs, mk, is, fil, si, da, dsb read a fraction's digits (CLDR operands v, f, t); fr and pt its whole part
@pytest.mark.parametrize("lang", ["en", *SHIPPED, "pt-PT", "de", "ru", "uk", "cs", "lt", "ga", "cy", "he", "lv", "hr",
                                  "sr", "bs", "mk", "is", "fil", "si", "da", "dsb", "sl", "gv", "ro", "br"])
def test_the_runtime_table_gives_the_same_categories(lang):
    """coursepack.js reads plural_table as written here: the numbers are what it shows (a score in hundredths)."""
    table = locale.plural_table(lang)

    def runtime(shown: str) -> str:  # the index coursepack.js's t() computes from ('' + n)
        whole, _, digits = shown.partition(".")
        n = int(whole)
        at = (200 + 108 * min(n, 2) + (int(digits) - 1 if len(digits) < 2 else 8 + int(digits[:2])) if digits
              else n if n < 200 else 100 + n % 100)
        return CATEGORIES[int(table[at])]

    numbers = [*map(str, range(1000)), *(f"{i}.{d}" for i in (*range(25), 99, 100, 101, 111, 250, 1001)
                                          for d in locale.FRACTION_DIGITS if not d.endswith("0"))]
    assert [n for n in numbers if runtime(n) != plural_category(lang, Decimal(n))] == []


def test_fractions_take_the_form_cldr_gives_their_digits():
    """Latvian and Croatian read the digits after the point: 0.1 and 1.1 are 'one', 1.5 'other' in hr."""
    assert [CATEGORIES[int(locale.plural_table("hr")[at])] for at in (200 + 0, 200 + 108 + 0, 200 + 108 + 4)] == [
        "one", "one", "other"]
    assert [plural_category("lv", Decimal(n)) for n in ("0.1", "0.11", "1.5", "0.21")] == ["one", "zero", "other",
                                                                                          "one"]


def test_forms_each_language_needs():
    assert {lang: forms_needed(lang) for lang in ["en", *SHIPPED, "ru", "cs", "lt", "de", "ja"]} == {
        "en": ["one", "other"], "es": ["one", "other"], "fr": ["one", "other"], "pt": ["one", "other"],
        "pl": ["one", "few", "many", "other"], "ar": ["zero", "one", "two", "few", "many", "other"],
        "ru": ["one", "few", "many", "other"], "cs": ["one", "few", "many", "other"],
        "lt": ["one", "few", "many", "other"], "de": ["one", "other"], "ja": ["other"]}


def test_the_shipped_cldr_figures_are_what_the_installed_babel_says():
    """templates/cldr-numbers.json spares each process loading Babel's data (~15 ms): it must say what Babel says."""
    assert cldr.TABLE.read_bytes() == cldr.table(cldr.shipped_codes()), \
        "templates/cldr-numbers.json is out of date (another Babel, or a new catalogue): run python -m builder.cldr"
    assert {"en", "es", "fr", "pt", "pt_PT", "pl", "ar"} <= set(cldr._table())


def test_a_table_written_by_another_babel_is_not_used(monkeypatch):
    """Then Babel is asked, as for a language the table lacks: the answers are the same either way."""
    numbers = [*range(120), *(Decimal(f"{w}.{d}") for w in range(3) for d in locale.FRACTION_DIGITS)]
    shipped = {code: (locale.decimal_separator(code), [plural_category(code, n) for n in numbers])
               for code in ["en", *SHIPPED, "pt-PT"]}
    monkeypatch.setattr(cldr.babel, "__version__", "0.0")
    cldr._table.cache_clear(), cldr.numbers.cache_clear()
    try:
        assert cldr._table() == {}
        assert {code: (locale.decimal_separator(code), [plural_category(code, n) for n in numbers])
                for code in shipped} == shipped
    finally:  # the next test reads the table again, with the real version
        cldr._table.cache_clear(), cldr.numbers.cache_clear()


@pytest.mark.parametrize(("lang", "separator"), [("en", "."), ("de", ","), ("ru", ","), ("ar", "."), ("fa", "."),
                                                 ("es-MX", "."), ("es", ","), ("pt-PT", ","), ("xx", ".")])
def test_numbers_are_written_as_cldr_says_in_western_digits(lang, separator):
    assert Strings(lang, {}).number(0.5) == f"0{separator}5"
    assert Strings(lang, {"decimal_separator": "·"}).number(2.5) == "2·5"  # a catalogue may still choose


@pytest.mark.parametrize(("lang", "examples"), [
    ("en", {1: "1 attempt", 2: "2 attempts"}),
    ("pl", {1: "1 podejście", 2: "2 podejścia", 5: "5 podejść", 12: "12 podejść", 22: "22 podejścia"}),
    ("ar", {1: "محاولة واحدة", 2: "محاولتان", 3: "3 محاولات", 11: "11 محاولة"}),
    ("fr", {1: "1 tentative", 2: "2 tentatives"}),
])
def test_counted_strings_take_the_language_form(lang, examples):
    t = Strings(lang, {**reference(), **catalogue(lang)})
    assert {n: t.count("quiz_attempts", n) for n in examples} == examples


@pytest.mark.parametrize(("lang", "half", "minutes"), [
    ("en", "(0.5 points)", {45: "45 min", 60: "1 h", 225: "3 h 45 min"}),
    ("pl", "(0,5 punktu)", {45: "45 min", 225: "3 godz. 45 min"}),
    ("fr", "(0,5 point)", {225: "3\u00a0h 45\u00a0min"}),
    ("ar", "(0.5 نقطة)", {60: "ساعة واحدة", 120: "ساعتان", 225: "3 ساعات و45 دقيقة", 90: "ساعة واحدة و30 دقيقة"}),
])
def test_numbers_and_durations_are_written_the_language_way(lang, half, minutes):
    t = Strings(lang, {**reference(), **catalogue(lang)})
    assert t.count("quiz_points", 0.5) == half
    assert {m: human_duration(m, t) for m in minutes} == minutes


# --- coursepack check: missing translations warn, a course's unknown keys are errors ------------------

@pytest.fixture
def project(new_course, tmp_path, monkeypatch):
    """The scaffold course in English and Polish, with a private copy of templates/ to break."""
    templates = tmp_path / "templates"
    shutil.copytree(locale.TEMPLATES, templates)
    monkeypatch.setattr(locale, "TEMPLATES", templates)
    monkeypatch.chdir(tmp_path)
    config = new_course / "course.yaml"
    config.write_text(config.read_text().replace("language: en", "language: en\nlanguages: [en, pl]"))
    for module in (new_course / "modules").glob("*.md"):
        shutil.copy(module, module.with_suffix(".pl.md"))
    return tmp_path


def problems_of(run) -> list[str]:
    result = run("check", COURSE)
    return [line for line in result.stderr.splitlines() if line and not SUMMARY.match(line)]


def test_a_complete_catalogue_gives_no_warning(project, run):
    assert problems_of(run) == []


def test_missing_translations_are_one_warning_on_the_course_file_to_create(project, run):
    pl = project / "templates" / "locales" / "pl.yaml"
    pl.write_text(re.sub(r"(?m)^(js_resume_title|quiz_attempts_few): .*\n", "", pl.read_text(encoding="utf-8")),
                  encoding="utf-8")
    assert problems_of(run) == [
        f"{COURSE}/templates/locales/pl.yaml:1: warning: 2 interface strings not translated into 'pl', shown in "
        "English: 'js_resume_title', 'quiz_attempts_few' — create this file with them, translated from "
        "coursepack's templates/locales/en.yaml"]
    assert run("check", COURSE, "--strict").exit_code == 1
    pl.unlink()
    assert problems_of(run) == [
        f"{COURSE}/templates/locales/pl.yaml:1: warning: no interface strings in 'pl': buttons, menus and messages "
        "are shown in English — create this file with every key, translated from coursepack's "
        "templates/locales/en.yaml"]


def test_a_course_override_with_an_unknown_key_is_an_error(project, run):
    folder = project / COURSE / "templates" / "locales"
    folder.mkdir(parents=True)
    (folder / "pl.yaml").write_text('next: "Dalej"\nskip_lnk: "Pomiń"\nquiz_points_few: "({count} pkt)"\n'
                                    'js_left: "Zostało: {left}"\nprevious: 3\n', encoding="utf-8")
    assert problems_of(run) == [
        f"{COURSE}/templates/locales/pl.yaml:2: unknown interface string 'skip_lnk' — did you mean 'skip_link'?",
        f"{COURSE}/templates/locales/pl.yaml:4: 'js_left': placeholder {{left}} is never filled in — "
        "the English text has {n}",
        f"{COURSE}/templates/locales/pl.yaml:5: 'previous' is not text — put the text in double quotes"]


def test_a_course_override_replaces_the_words_in_its_packages(project, run):
    folder = project / COURSE / "templates" / "locales"
    folder.mkdir(parents=True)
    (folder / "pl.yaml").write_text('next: "Dalej"\n', encoding="utf-8")
    assert run("build", COURSE, "--out", "dist", "-f", "offline").exit_code == 0
    with zipfile.ZipFile(next(Path("dist").glob("*-pl-offline.zip"))) as archive:
        page = lxml.html.fromstring(archive.read("01-welcome.html"))
    assert page.get("lang") == "pl" and page.get("dir") == "ltr"
    assert page.xpath("//li[@class='pager-next']//span[@class='pager-dir']")[0].text_content().split() == \
        ["Dalej", "→"]
    assert page.xpath("//a[@class='skip-link']")[0].text == "Przejdź do treści głównej"


# --- the Arabic sample: right to left, Arabic words, English modules marked as such ---------------

def test_the_arabic_package_is_right_to_left_and_in_arabic(sample, run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    sample("land-use-basics")
    assert run("build", "courses/land-use-basics", "--out", "dist", "-f", "offline").exit_code == 0
    with zipfile.ZipFile("dist/land-use-basics-1.0.0-ar-offline.zip") as archive:
        home, first, third = (lxml.html.fromstring(archive.read(name)) for name in (
            "index.html", "01-why-land-use.html", "03-zoning-and-permits.html"))
        data = archive.read("assets/course-data.js").decode("utf-8")
    for page in (home, first, third):
        assert (page.get("lang"), page.get("dir")) == ("ar", "rtl")
        assert page.xpath("//a[@class='skip-link']")[0].text == "انتقل إلى المحتوى الرئيسي"
    assert home.xpath("//h1")[0].text == "أساسيات استخدام الأراضي للبلدات الصغيرة"
    assert home.xpath("//dl[@class='facts']//dd")[0].text == "3 ساعات و45 دقيقة"
    assert first.xpath("//h1")[0].text == "لماذا يهمّ تخطيط استخدام الأراضي"
    english = first.xpath("//*[@lang='en']")  # only the menu's three modules not yet translated
    assert [(e.getparent().getparent().get("class"), e.get("dir")) for e in english] == [("nav-modules", "ltr")] * 3
    assert first.xpath("//li[@class='pager-next']//span[@class='pager-dir']")[0].text_content().split() == \
        ["التالي", "←"]
    # module 3 is not translated yet: shown in English, marked as English and laid out left to right
    assert third.xpath("//p[@class='note-fallback']")[0].text.startswith("هذه الوحدة غير متاحة بعد")
    for where in ("//h1", "//div[@class='content']", "//li[@class='pager-next']//a/span[last()]"):
        assert (third.xpath(where)[0].get("lang"), third.xpath(where)[0].get("dir")) == ("en", "ltr"), where
    model = json.loads(data.split("=", 1)[1].strip().rstrip(";"))
    assert (model["lang"], model["strings"]["js_correct"], model["plural"][:12]) == ("ar", "صحيح.", "012333333334")


# --- languages we do not ship: a course brings its own catalogue ----------------------------------

RU = """\
next: "Далее"
previous: "Назад"
quiz_attempts_one: "{count} попытка"
quiz_attempts_few: "{count} попытки"
quiz_attempts_many: "{count} попыток"
quiz_attempts_other: "{count} попытки"
quiz_points_one: "({count} балл)"
quiz_points_few: "({count} балла)"
quiz_points_many: "({count} баллов)"
quiz_points_other: "({count} балла)"
js_unanswered_one: "Ответьте на все вопросы: остался {count} вопрос."
js_unanswered_few: "Ответьте на все вопросы: осталось {count} вопроса."
js_unanswered_many: "Ответьте на все вопросы: осталось {count} вопросов."
js_unanswered_other: "Ответьте на все вопросы: осталось {count} вопроса."
"""
QUIZ = """\
::: quiz Проверка {{#check graded attempts={attempts}}}
{questions}
:::
"""


def question(number: int, points: float) -> str:
    return f"### Вопрос {number} {{#q{number} points={points}}}\n- [x] Да\n- [ ] Нет\n"


@pytest.fixture
def course_in(new_course, monkeypatch, tmp_path):
    """The scaffold course written in `lang`, with the course's own catalogue for it."""
    monkeypatch.chdir(tmp_path)

    def make(lang: str, catalogue_text: str | None) -> Path:
        config = new_course / "course.yaml"
        config.write_text(config.read_text().replace("language: en", f"language: {lang}"))
        if catalogue_text is not None:
            folder = new_course / "templates" / "locales"
            folder.mkdir(parents=True)
            (folder / f"{lang}.yaml").write_text(catalogue_text, encoding="utf-8")
        return new_course

    return make


def course_model(data: bytes) -> dict:
    """The model of assets/course-data.js (a SCORM package adds a second line)."""
    return json.loads(data.decode("utf-8").splitlines()[0].split("=", 1)[1].strip().rstrip(";"))


def offline_zip(run, lang: str) -> dict[str, bytes]:
    result = run("build", COURSE, "--out", "dist", "-f", "offline")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile("dist/town-course-0.1.0-offline.zip") as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def test_a_german_course_catalogue_gives_one_warning_with_paths_in_the_course(course_in, run):
    course_in("de", 'next: "Weiter"\nprevious: "Zurück"\nquiz_points_one: "({count} Punkt)"\n')
    missing = len(expected_keys(reference(), "de")) - 3
    assert problems_of(run) == [
        f"{COURSE}/templates/locales/de.yaml:1: warning: {missing} interface strings not translated into 'de', shown "
        "in English: 'skip_link', 'nav_label', 'course_home', 'back_to_home', 'start_course', … — add them to this "
        "file, translated from coursepack's templates/locales/en.yaml"]
    page = lxml.html.fromstring(offline_zip(run, "de")["01-welcome.html"])
    assert page.get("lang") == "de"
    assert page.xpath("//li[@class='pager-next']//span[@class='pager-dir']")[0].text_content().split() == \
        ["Weiter", "→"]


def test_a_new_language_without_any_catalogue_names_the_file_to_create(course_in, run):
    course_in("de", None)
    assert problems_of(run) == [
        f"{COURSE}/templates/locales/de.yaml:1: warning: no interface strings in 'de': buttons, menus and messages "
        "are shown in English — create this file with every key, translated from coursepack's "
        "templates/locales/en.yaml"]


def test_russian_plural_forms_are_used_in_pages_and_by_the_runtime(course_in, run):
    course = course_in("ru", RU)
    questions = "\n".join(question(n, points) for n, points in enumerate((1, 2, 5, 1.5, 21), 1))
    module = course / "modules" / "02-first-steps.md"
    module.write_text(module.read_text(encoding="utf-8") + "\n" + QUIZ.format(attempts=5, questions=questions),
                      encoding="utf-8")
    files = offline_zip(run, "ru")
    page = lxml.html.fromstring(files["02-first-steps.html"])
    assert [s.text_content() for s in page.xpath("//span[@class='cp-points']")] == [
        "(1 балл)", "(2 балла)", "(5 баллов)", "(1,5 балла)", "(21 балл)"]  # one, few, many, other, one
    assert page.xpath("//p[@class='cp-quiz-info']")[0].text_content().endswith(" · 5 попыток")
    model = course_model(files["assets/course-data.js"])
    table = model["plural"]
    assert [CATEGORIES[int(table[n])] for n in (1, 2, 5, 11, 21, 22, 25)] == \
        ["one", "few", "many", "many", "one", "few", "many"]
    assert CATEGORIES[int(table[201])] == "other" and model["strings"]["decimal_separator"] == ","
    assert model["strings"]["js_unanswered_few"] == "Ответьте на все вопросы: осталось {count} вопроса."


# --- European Portuguese ------------------------------------------------------------------------

def test_a_course_in_european_portuguese(course_in, run):
    course_in("pt-PT", None)
    assert problems_of(run) == []  # pt-PT.yaml completes pt.yaml
    result = run("build", COURSE, "--out", "dist")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile("dist/town-course-0.1.0-scorm2004.zip") as archive:
        page = lxml.html.fromstring(archive.read("01-welcome.html"))
        manifest = archive.read("imsmanifest.xml")
        data = archive.read("assets/course-data.js").decode("utf-8")
    assert page.get("lang") == "pt-PT"
    assert page.xpath("//a[@class='skip-link']")[0].text == "Saltar para o conteúdo principal"  # pt-PT's own
    assert page.xpath("//li[@class='pager-next']//span[@class='pager-dir']")[0].text_content().split() == \
        ["Seguinte", "→"]
    assert page.xpath("//nav[@class='pager']")[0].get("aria-label") == "Páginas anterior e seguinte"  # from pt
    lom = "{http://ltsc.ieee.org/xsd/LOM}"
    root = etree.fromstring(manifest)
    assert root.findtext(f"{{*}}metadata/{lom}lom/{lom}general/{lom}language") == "pt-PT"
    assert validate_manifest(manifest) == []
    model = course_model(data.encode("utf-8"))
    assert (model["lang"], model["plural"][:3]) == ("pt-PT", "515")  # 0, 1, 2: other, one, other (Brazil: 115)
    assert model["strings"]["progress_name_needed"] == "Escreva primeiro o seu nome."  # pt-PT's own, as the page's


def test_a_language_cldr_does_not_know_counts_the_english_way_and_says_so(course_in, run):
    course_in("xx", None)
    assert problems_of(run)[0] == (
        f"{COURSE}/course.yaml:1: warning: CLDR has no plural rules for 'xx': counted words follow English (1 takes "
        "the '_one' form, every other number '_other') — check the language code")


def test_european_portuguese_beside_english_in_the_package_of_every_language(project, run):
    config = project / COURSE / "course.yaml"
    config.write_text(config.read_text().replace("languages: [en, pl]", "languages: [en, pt-PT]"))
    for module in (project / COURSE / "modules").glob("*.pl.md"):
        module.rename(module.with_name(module.name.replace(".pl.md", ".pt-PT.md")))
    result = run("build", COURSE, "--out", "dist", "-f", "offline")
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in Path("dist").glob("*.zip")) == [
        "town-course-0.1.0-en-offline.zip", "town-course-0.1.0-offline.zip", "town-course-0.1.0-pt-PT-offline.zip"]
    with zipfile.ZipFile("dist/town-course-0.1.0-offline.zip") as archive:
        chooser = lxml.html.fromstring(archive.read("index.html"))
        page = lxml.html.fromstring(archive.read("pt-PT/01-welcome.html"))
    choices = chooser.xpath("//*[@class='lang-choice']//a")
    assert [(a.get("lang"), a.get("href"), a.text_content()) for a in choices] == [
        ("en", "en/index.html", "English Town course"),
        ("pt-PT", "pt-PT/index.html", "Português (Portugal) Town course")]
    assert page.get("lang") == "pt-PT" and page.xpath("//a[@class='skip-link']")[0].text.startswith("Saltar")


@pytest.mark.parametrize(("lang", "name"), [("pt-PT", "Português (Portugal)"), ("pt-BR", "Português (Brasil)"),
                                            ("es-419", "Español (Latinoamérica)"), ("de", "Deutsch"),
                                            ("ka", "ქართული"), ("be", "Беларуская"), ("xx", "xx")])
def test_languages_are_named_in_themselves(lang, name):
    assert locale.autonym(lang) == name


def test_a_region_written_in_lower_case_finds_its_catalogue(course_in, run):
    course_in("pt-pt", None)
    assert problems_of(run) == []
    page = lxml.html.fromstring(offline_zip(run, "pt-pt")["index.html"])
    assert (page.get("lang"), page.xpath("//a[@class='skip-link']")[0].text) == \
        ("pt-pt", "Saltar para o conteúdo principal")


def test_a_plural_form_the_language_never_takes_is_a_warning(course_in, run):
    course_in("de", 'quiz_points_one: "({count} Punkt)"\nquiz_points_few: "({count} Punkte)"\n'
                    'quiz_points_other: "({count} Punkte)"\n')
    assert problems_of(run)[1] == (
        f"{COURSE}/templates/locales/de.yaml:2: warning: 'quiz_points_few' is never shown: numbers in 'de' take "
        "only the forms _one, _other — remove it (or check the file's language code)")
