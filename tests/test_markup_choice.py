"""Per-page Markdown extensions (builder.markup.extensions_for): a page converted with only the extensions its
text may need gives the same HTML and heading tree, byte for byte, as with every extension."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from builder import pages
from builder.course import load_course
from builder.markup import EXTENSIONS, extensions_for, split_source, to_html
from builder.problems import Problems

PROJECT = Path(__file__).resolve().parent.parent
ALWAYS = ("pymdownx.superfences", "markdown.extensions.toc", "markdown.extensions.sane_lists", "builder.mdext")


def assert_same(body: str) -> None:
    """The chosen extensions render `body` exactly as all of them do."""
    assert to_html(body) == to_html(body, every_extension=True), extensions_for(body)


def converted_bodies(roots: list[Path], monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every text builder.pages hands to Markdown while it renders these courses in each language: module
    bodies after quizzes and fenced divs are taken out, and front-matter boxes."""
    seen: list[str] = []

    def record(body: str, every_extension: bool = False):
        seen.append(body)
        return to_html(body, every_extension)

    monkeypatch.setattr(pages, "to_html", record)
    for root in roots:
        problems = Problems()
        course = load_course(root, problems)
        for lang in course.languages:
            pages.build_pages(course, lang, problems)
    return seen


def test_every_page_of_the_courses_and_fixtures_converts_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    roots = sorted(p.parent for p in [*PROJECT.glob("courses/*/course.yaml"),
                                      *PROJECT.glob("tests/fixtures/*/course.yaml")])
    files = [p for p in sorted(PROJECT.glob("[ct]*/**/*")) if p.suffix in (".md", ".Rmd", ".qmd")]
    raw = [split_source(p.read_text(encoding="utf-8"), p, Problems()).body for p in files]
    bodies = converted_bodies(roots, monkeypatch) + raw
    assert len(roots) == 5 and len(files) > 40 and len(bodies) > 90
    for body in bodies:
        assert_same(body)
    assert any(len(extensions_for(body)) < len(EXTENSIONS) for body in bodies)


def test_the_bench_corpus_converts_the_same(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    sys.path.insert(0, str(PROJECT / "bench"))
    try:
        from corpus import generate
    finally:
        sys.path.remove(str(PROJECT / "bench"))
    generate(tmp_path, courses=1, modules=6, words=500, images=1, languages=("en", "fr"))
    for body in converted_bodies(sorted(p.parent for p in tmp_path.glob("*/course.yaml")), monkeypatch):
        assert_same(body)


def test_a_plain_page_gets_only_the_extensions_every_page_needs() -> None:
    assert extensions_for("# Title\n\nSome *text*, a [link](x.md), Note: a list:\n\n- one\n- two\n") == ALWAYS


# A page using only one extension's syntax (or text that extension changes without its syntax): it is chosen
# and the page renders as with every extension.
ONLY = {
    "markdown.extensions.tables": ["a | b\n--|--\n1 | 2\n", "| one |\n|---|\n| 1 |\n", r"a \| b" + "\n"],
    "markdown.extensions.footnotes": ["Text[^1].\n\n[^1]: Note.\n", "Text[^x] with no note.\n",
                                      "[^a]: : not a definition\n"],
    "markdown.extensions.admonition": ['!!! note "Title"\n    Body.\n',
                                       "/// note\nBox.\n///\n\n    indented after the box\n"],
    "pymdownx.details": ['??? note "Title"\n    Body.\n', "???+ tip\n    Open.\n",
                         "/// details | More\nBox.\n///\n\n    indented after the box\n"],
    "pymdownx.blocks.admonition": ["/// warning | Careful\nText.\n///\n", r"a \/ b" + "\n"],
    "pymdownx.blocks.details": ["/// details | More\nHidden.\n///\n"],
    "pymdownx.blocks.caption": ["![A map](map.png)\n\n/// caption\nThe map.\n///\n",
                                "a | b\n--|--\n1 | 2\n\n/// table-caption\nRates.\n///\n"],
    "markdown.extensions.attr_list": ["## Heading {: #own }\n", "Text *em*{: .x }\n",
                                      "![Cap](x.png){fig-alt=\"A\"}\n", "```{r}\nx <- 1\n```\n"],
    "markdown.extensions.def_list": ["Term\n: Definition\n", "Term\n:   Definition\n\n    more\n",
                                     "> Term\n> : quoted definition\n", "- Term\n  : in a list\n",
                                     "1. Term\n   : in a numbered list\n", "Term\n\t: after a tab\n",
                                     "<div>\nx\n</div>: after a block\n", "Para\n\n: loose\n",
                                     "| a | b |\n|---|---|\n| 1 | 2 |\n: Caption\n"],
    "markdown.extensions.md_in_html": ["<div>\n*raw*\n</div>\n", "Text <span>x</span>\n", "<https://x.org>\n",
                                       '<div markdown="1">\nTerm\n: def\n\n!!! note\n    x\n</div>\n',
                                       "<details markdown>\n<summary>S</summary>\n\n    indented\n</details>\n"],
    "markdown.extensions.abbr": ["The HTML spec.\n\n*[HTML]: Hyper Text Markup Language\n"],
}


@pytest.mark.parametrize("name,body", [(name, body) for name, bodies in ONLY.items() for body in bodies])
def test_a_page_using_one_syntax_gets_its_extension(name: str, body: str) -> None:
    assert name in extensions_for(body)
    assert_same(body)


def test_without_the_syntax_the_extension_is_left_out() -> None:
    for name in ONLY:
        assert name not in extensions_for("# Title\n\nPlain *text* and a [link](x.md).\n\n- a\n- b\n")


@pytest.mark.parametrize("body", [
    "Note: a colon after a word is no definition\n",
    "## Heading {: #own }\n\nText[^1] and [a][ref].\n\n[^1]: A note.\n\n[ref]: https://x.org\n",
    "Time 12:30, snake_case: value, and a URL https://x.org/a\n",
])
def test_a_colon_that_starts_no_definition_leaves_def_list_out(body: str) -> None:
    assert "markdown.extensions.def_list" not in extensions_for(body)
    assert_same(body)


@pytest.mark.parametrize("body", [
    "**Tip**: emphasis then colon\n",
    "Text { brace\n\n- item: value\n",
    "Footnote-like [^ and a table-like | alone\n",
    "A\n\n    code: indented\n",
    "```\n| not | a table |\n|---|---|\n```\n",
    "Term\n[^1]: : a footnote's first line\n",
])
def test_text_near_a_syntax_converts_the_same(body: str) -> None:
    assert_same(body)


@pytest.mark.parametrize("body", ["# A\n\n[TOC]\n\n## B\n\n### C\n", "## B\n\n> [TOC]\n", r"## B" + "\n\n\\[TOC\\]\n",
                                  "## B\n\nSee [TOC] here.\n", "## B [TOC]\n"])
def test_a_toc_marker_is_replaced_as_before(body: str) -> None:
    assert_same(body)
    if body.startswith("# A"):
        assert '<div class="toc">' in to_html(body)[0]
