"""Bar charts as plain inline SVG, made in Python: no chart library, no script, prints as it shows.

Meaning never rests on colour: every bar carries its level and its count as text, and the chart's
<title>/<desc> say the whole distribution in words for screen readers.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from markupsafe import Markup

BAR = "#1f4e79"  # 8.6:1 on white: AA for the bars' edges as for text
INK = "#1a1a1a"
ROW = 24  # px per bar, at the chart's natural width
WIDTH = 360
LABEL = 64  # room for the level's label before the bars
ROOM = 44  # room after the longest bar for its count


def bar_chart(ident: str, title: str, description: str, rows: list[tuple[str, int, str]], rtl: bool = False) -> Markup:
    """Horizontal bars, one per (label, count, count as text), longest = the largest count.

    In a right-to-left page the bars grow from the right, as the text reads; the anchors are
    placed in the chart's own left-to-right coordinates, so the SVG says direction="ltr".
    """
    top = max((count for _, count, _ in rows), default=0) or 1
    span = WIDTH - LABEL - ROOM
    height = ROW * len(rows) + 8
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" direction="ltr" role="img" aria-labelledby="{ident}-t {ident}-d">',
             f'<title id="{ident}-t">{escape(title)}</title><desc id="{ident}-d">{escape(description)}</desc>']
    for i, (label, count, shown) in enumerate(rows):
        y = 4 + i * ROW
        length = round(span * count / top, 1)
        bar_x = WIDTH - LABEL - length if rtl else LABEL
        label_x, count_x = (WIDTH - LABEL + 8, WIDTH - LABEL - length - 6) if rtl else (LABEL - 8, LABEL + length + 6)
        near, far = ("start", "end") if rtl else ("end", "start")
        parts.append(f'<text x="{label_x}" y="{y + 16}" text-anchor="{near}" fill="{INK}">{escape(label)}</text>')
        if count:
            parts.append(f'<rect x="{bar_x}" y="{y + 3}" width="{length}" height="{ROW - 6}" fill="{BAR}"/>')
        parts.append(f'<text x="{count_x}" y="{y + 16}" text-anchor="{far}" fill="{INK}">{escape(shown)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
