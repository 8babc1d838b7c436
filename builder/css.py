"""The URLs a piece of CSS loads, read with a real tokenizer (tinycss2), as a browser reads them.

A regular expression misses what browsers accept: escapes (`url(\\68ttps://…)` is `https://…`),
`image-set("…")`, `src("…")` and functions spelt with escapes. Tokens see them all, in a style
sheet, a style="…" attribute or one value such as SVG's fill="url(…)" alike.
"""

from __future__ import annotations

import tinycss2

URL_FUNCTIONS = {"url", "src", "image", "image-set", "-webkit-image-set", "cross-fade"}  # their strings are URLs


def css_urls(css: str) -> list[tuple[str, int]]:
    """Every URL in `css` (url(), @import, image-set("…"), src("…")), escapes decoded, with its line."""
    return _urls(tinycss2.parse_component_value_list(css, skip_comments=True))


def _urls(tokens) -> list[tuple[str, int]]:
    found = []
    importing = False  # just after @import, whose string is a URL
    for token in tokens or ():
        if token.type == "url" or (importing and token.type == "string"):
            found.append((token.value, token.source_line))
        elif token.type == "function":
            if token.lower_name in URL_FUNCTIONS:
                found += [(t.value, t.source_line) for t in token.arguments if t.type == "string"]
            found += _urls(token.arguments)
        elif token.type in ("() block", "[] block", "{} block"):
            found += _urls(token.content)
        if token.type != "whitespace":
            importing = token.type == "at-keyword" and token.lower_value == "import"
    return found
