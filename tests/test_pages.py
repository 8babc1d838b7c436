"""Markdown pages: features, titles, tables of contents, link rewriting and file references."""

from __future__ import annotations

from pathlib import Path

from builder.course import load_course
from builder.pages import build_pages
from builder.problems import Problems


def pages_of(course_dir: Path, lang: str = "en"):
    problems = Problems()
    course = load_course(course_dir, problems)
    return build_pages(course, lang, problems), problems


def write_module(course_dir: Path, name: str, text: str) -> None:
    if name == "02-first-steps.md":  # keep the anchor the scaffold's first module links to
        text += "\n## Before you start\n"
    (course_dir / "modules" / name).write_text(text, encoding="utf-8")


def test_markdown_features_render(new_course):
    write_module(new_course, "02-first-steps.md", """# First steps

## Zoning basics {: #zoning }

| Zone | Use |
|------|-----|
| R1   | Homes |

!!! warning "Flood risk"
    Do not build here.

Setback
:   Distance from the road.

A claim.[^1]

[^1]: The source.

```python
print("[not a link](nowhere.md)")
```
""")
    (page_one, page_two), problems = pages_of(new_course)
    assert not problems.items, [str(p) for p in problems.items]
    body = page_two.body
    assert '<h2 id="zoning">Zoning basics</h2>' in body
    assert "<table>" in body and "<th>Zone</th>" in body
    assert '<div class="admonition warning">' in body and "Flood risk" in body
    assert "<dl>" in body and "<dt>Setback</dt>" in body
    assert 'class="footnote"' in body
    assert "<h1" not in body
    assert page_two.title == "First steps"
    assert [(t.id, t.title) for t in page_two.toc] == [("zoning", "Zoning basics"),
                                                     ("before-you-start", "Before you start")]


def test_links_between_modules_become_page_links(new_course):
    (page_one, _), problems = pages_of(new_course)
    assert not problems.items
    assert 'href="02-first-steps.html#before-you-start"' in page_one.body


def test_images_are_copied_under_files(new_course):
    (page_one, _), _ = pages_of(new_course)
    assert 'src="files/images/steps.svg"' in page_one.body
    assert [(f.source.name, f.target) for f in page_one.files] == [("steps.svg", "files/images/steps.svg")]


def test_unsafe_file_names_become_ascii(new_course):
    (new_course / "images" / "Plan de zonificación & usos.svg").write_text("<svg xmlns='http://www.w3.org/2000/svg'/>")
    write_module(new_course, "02-first-steps.md",
                 "# Two\n\n![Zoning plan](<../images/Plan de zonificación & usos.svg>)\n")
    (_, page_two), problems = pages_of(new_course)
    assert not problems.items, [str(p) for p in problems.items]
    assert page_two.files[0].target == "files/images/Plan-de-zonificacion-usos.svg"


def test_front_matter_title_wins_and_feeds_the_module_list(new_course):
    write_module(new_course, "02-first-steps.md", "---\ntitle: Short\ndescription: D\nduration: 20min\n---\n"
                                                   "# A much longer heading\n\nText.\n")
    (_, page_two), _ = pages_of(new_course)
    assert (page_two.title, page_two.description, page_two.duration) == ("Short", "D", 20)


def test_decorative_image_needs_explicit_empty_alt(new_course):
    write_module(new_course, "02-first-steps.md", '# Two\n\n![](../images/steps.svg){: alt="" }\n')
    (_, page_two), problems = pages_of(new_course)
    assert not problems.items
    assert 'alt=""' in page_two.body


def test_external_hyperlinks_stay(new_course):
    write_module(new_course, "02-first-steps.md", "# Two\n\nSee [the law](https://example.org/law).\n")
    (_, page_two), problems = pages_of(new_course)
    assert not problems.items
    assert 'href="https://example.org/law"' in page_two.body


def test_translation_links_map_to_the_same_pages(new_course):
    config = new_course / "course.yaml"
    config.write_text(config.read_text().replace("language: en", "language: en\nlanguages: [en, es]"))
    write_module(new_course, "01-welcome.es.md", "# Bienvenida\n\nVea [pasos](02-first-steps.es.md) y "
                                                  "[también](02-first-steps.md#antes).\n")
    write_module(new_course, "02-first-steps.es.md", "# Primeros pasos\n\n## Antes {: #antes }\n")
    (one, two), problems = pages_of(new_course, "es")
    assert not problems.items, [str(p) for p in problems.items]
    assert 'href="02-first-steps.html"' in one.body and 'href="02-first-steps.html#antes"' in one.body
    assert two.title == "Primeros pasos" and not two.fallback


def test_missing_translation_falls_back_with_a_warning(new_course):
    config = new_course / "course.yaml"
    config.write_text(config.read_text().replace("language: en", "language: en\nlanguages: [en, es]"))
    (one, _), problems = pages_of(new_course, "es")
    assert one.fallback and one.title == "Welcome"
    assert all(p.warning for p in problems.items) and len(problems.items) == 2
