"""URLs as a browser reads them: what scheme a value really has, whatever spaces or tabs hide it."""

from __future__ import annotations

import re

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_INVISIBLE = re.compile(r"[\t\n\r]")  # browsers drop these anywhere in a URL: 'java\tscript:' is 'javascript:'
_EDGES = "".join(chr(c) for c in range(33))  # and C0 controls and spaces at either end
_HTML_SPACE = "\t\n\f\r "  # HTML's ASCII whitespace: a no-break space is part of a srcset URL
_SRCSET_GAP = re.compile(r"[\t\n\f\r ,]*")
_SRCSET_URL = re.compile(r"[^\t\n\f\r ]+")


def clean_url(value: str) -> str:
    """The URL a browser sees: leading and trailing spaces and controls gone, tabs and newlines removed."""
    return _INVISIBLE.sub("", value.strip(_EDGES))


def scheme(value: str) -> str:
    """'https' for 'HTTPS://…', '//' for a network-path reference, '' for a relative URL."""
    url = clean_url(value)
    if url.startswith(("//", "\\\\", "/\\", "\\/")):
        return "//"
    match = _SCHEME.match(url)
    return match.group(1).lower() if match else ""


def shown(value: str) -> str:
    """A URL as the author can recognise it in an error message: control characters made visible."""
    text = value.strip()
    text = text if len(text) <= 80 else text[:77] + "…"
    return "".join(repr(c)[1:-1] if ord(c) < 32 or ord(c) == 127 else c for c in text)


def split_srcset(value: str) -> list[tuple[str, str]]:
    """A srcset's candidates as browsers split them (HTML's srcset parsing): [(url, ' 2x'), …].

    A URL runs to whitespace, so commas inside it stay (a data: URL's, 'a,b.png'); commas right
    after it end the candidate; otherwise its descriptors run to the next comma outside parentheses.
    Descriptors come back as written, each after one space, for rewriting the srcset.
    """
    candidates, pos = [], 0
    while (pos := _SRCSET_GAP.match(value, pos).end()) < len(value):
        url = _SRCSET_URL.match(value, pos).group()
        pos += len(url)
        if url.endswith(","):
            candidates.append((url.rstrip(","), ""))
            continue
        descriptors, pos = _descriptors(value, pos)
        candidates.append((url, "".join(f" {d}" for d in descriptors)))
    return candidates


def srcset_urls(value: str) -> list[str]:
    """The URLs of a srcset, split as browsers split them (see split_srcset)."""
    return [url for url, _ in split_srcset(value)]


def _descriptors(value: str, pos: int) -> tuple[list[str], int]:
    """The descriptors after a srcset URL, and where the next candidate starts (past the comma)."""
    tokens, current, in_parens = [], "", False
    while pos < len(value):
        char, pos = value[pos], pos + 1
        if in_parens:
            current += char
            in_parens = char != ")"
        elif char in _HTML_SPACE or char == ",":
            tokens += [current] if current else []
            current = ""
            if char == ",":
                return tokens, pos
        else:
            current += char
            in_parens = char == "("
    return tokens + ([current] if current else []), pos
