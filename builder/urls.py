"""URLs as a browser reads them: what scheme a value really has, whatever spaces or tabs hide it."""

from __future__ import annotations

import re

_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
_INVISIBLE = re.compile(r"[\t\n\r]")  # browsers drop these anywhere in a URL: 'java\tscript:' is 'javascript:'
_EDGES = "".join(chr(c) for c in range(33))  # and C0 controls and spaces at either end


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
