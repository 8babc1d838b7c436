"""The needs report as a coordinator opens it: from file://, JavaScript off and on, printed to PDF."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from builder.cli import main

from test_accessibility import axe_problems

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from needs_data import collected  # noqa: E402


@pytest.fixture(scope="module")
def reports(tmp_path_factory):
    """The round-2 report grouped by town and compared with round 1, in Spanish and in Arabic."""
    folder = tmp_path_factory.mktemp("needs")
    data = collected(folder / "collected")
    made = {}
    for lang in ("es", "ar"):
        first, out = folder / f"round-1-{lang}.html", folder / f"needs-{lang}.html"
        for args in ([str(data / "round-1"), "--out", str(first)],
                     ["--group-by", "folder", "--since", str(first.with_suffix(".json")), str(data / "round-2"),
                      "--out", str(out)]):
            result = CliRunner().invoke(main, ["report", "--lang", lang, *args], catch_exceptions=False)
            assert result.exit_code in (0, 1), result.output  # round 2 holds broken files: exit 1, report written
        made[lang] = out
    return made


@pytest.mark.parametrize("lang", ["es", "ar"])
@pytest.mark.parametrize("javascript", [False, True])
def test_offline_with_and_without_javascript(reports, open_context, lang, javascript):
    _, page, watch = open_context(java_script_enabled=javascript)
    page.goto(reports[lang].as_uri())
    assert page.locator("svg.chart").count() == 1
    assert page.locator("h2").count() == 3  # two courses and the appendix
    seen = watch.take()
    assert seen.requests == [reports[lang].as_uri()]
    assert not seen.blocked and not seen.failed and not seen.errors


@pytest.mark.parametrize("lang", ["es", "ar"])
def test_axe_finds_nothing(reports, open_context, lang):
    _, page, _ = open_context()
    page.goto(reports[lang].as_uri())
    assert axe_problems(page, reports[lang].name) == []


def test_right_to_left_bars_grow_from_the_right(reports, open_context):
    _, page, _ = open_context()
    page.goto(reports["ar"].as_uri())
    bars = page.evaluate("""() => [...document.querySelectorAll('svg.chart rect')].map(r => {
        const b = r.getBoundingClientRect(), s = r.ownerSVGElement.getBoundingClientRect();
        return [Math.round(s.right - b.right), Math.round(b.left - s.left)]; })""")
    assert bars and len({right for right, _ in bars}) == 1  # every bar starts at the same right edge
    assert len({left for _, left in bars}) > 1


def test_printed_charts_are_never_cut(reports, open_context, tmp_path):
    """Printed on A4: every figure fits on a page and is kept whole, so no page break falls inside a chart."""
    _, page, _ = open_context()
    page.goto(reports["es"].as_uri())
    page.emulate_media(media="print")
    a4_content_px = (297 - 2 * 10) / 25.4 * 96  # A4 less Chromium's default 1 cm margins, in CSS pixels
    figures = page.evaluate("""() => [...document.querySelectorAll('figure')].map(f =>
        [getComputedStyle(f).breakInside, f.getBoundingClientRect().height])""")
    assert figures
    for break_inside, height in figures:
        assert break_inside == "avoid" and height < a4_content_px
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF") and pdf.count(b"/Type /Page") >= 2
