"""Interface catalogues: complete in every shipped language, plural forms by CLDR, numbers per language."""

from __future__ import annotations

import json
import re
import shutil
import zipfile
from pathlib import Path

import lxml.html
import pytest
import yaml

from builder import locale
from builder.locale import (CATEGORIES, COUNT, PLACEHOLDER, Strings, expected_keys, forms_needed, plural_category,
                            reference)
from builder.render import human_duration

LOCALES = locale.TEMPLATES / "locales"
SHIPPED = ["es", "fr", "pt", "pl", "ar"]
COURSE = "courses/town-course"
SUMMARY = re.compile(r"\d+ of \d+ courses? checked")


def catalogue(lang: str) -> dict[str, str]:
    return yaml.safe_load((LOCALES / f"{lang}.yaml").read_text(encoding="utf-8"))


def placeholders(text: str) -> set[str]:
    return set(PLACEHOLDER.findall(text))


@pytest.mark.parametrize("lang", SHIPPED)
def test_catalogue_has_every_key_of_english(lang):
    english, strings = reference(), catalogue(lang)
    missing = [k for k in expected_keys(english, lang) if k not in strings]
    assert not missing, f"{lang}.yaml lacks {missing}"
    assert all(isinstance(v, str) and v.strip() for v in strings.values()), "every value is non-empty text"


@pytest.mark.parametrize("lang", SHIPPED)
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
])
def test_plural_categories_follow_cldr(lang, numbers):
    wrong = {n: plural_category(lang, n) for cat, ns in numbers.items() for n in ns if plural_category(lang, n) != cat}
    assert not wrong, f"{lang}: {wrong}"


@pytest.mark.parametrize("lang", ["en", *SHIPPED, "pt-PT", "de"])
def test_the_runtime_table_gives_the_same_categories(lang):
    """coursepack.js reads plural_table: entry n below 200, 100 + n % 100 above, 200-202 for fractions."""
    table = locale.plural_table(lang)

    def runtime(n: float) -> str:
        at = 200 + min(int(n), 2) if n % 1 else int(n) if n < 200 else 100 + int(n) % 100
        return CATEGORIES[int(table[at])]

    numbers = [*range(1000), 0.5, 1.5, 2.5, 7.25, 250.5]
    assert [n for n in numbers if runtime(n) != plural_category(lang, n)] == []


def test_forms_each_language_needs():
    assert {lang: forms_needed(lang) for lang in ["en", *SHIPPED]} == {
        "en": ["one", "other"], "es": ["one", "other"], "fr": ["one", "other"], "pt": ["one", "other"],
        "pl": ["one", "few", "many", "other"], "ar": ["zero", "one", "two", "few", "many", "other"]}


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


def test_missing_translations_are_warnings_and_show_in_english(project, run):
    pl = project / "templates" / "locales" / "pl.yaml"
    pl.write_text(re.sub(r"(?m)^(js_resume_title|quiz_attempts_few): .*\n", "", pl.read_text(encoding="utf-8")),
                  encoding="utf-8")
    assert problems_of(run) == [
        "templates/locales/pl.yaml:1: warning: missing translation for 'js_resume_title' — add it to pl.yaml; "
        "until then the English text is shown: 'Welcome back.'",
        "templates/locales/pl.yaml:1: warning: missing translation for 'quiz_attempts_few' — add it to pl.yaml; "
        "until then the English text is shown: '{count} attempts'"]
    assert run("check", COURSE, "--strict").exit_code == 1
    pl.unlink()
    assert problems_of(run) == [
        "templates/locales/pl.yaml:1: warning: no interface strings in 'pl': buttons, menus and messages are shown "
        "in English — add pl.yaml, a translated copy of en.yaml"]


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
