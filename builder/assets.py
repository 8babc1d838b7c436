"""Static assets as shipped: scripts and stylesheets minified, everything else as it is.

The sources in templates/static/ (and a course's templates/static/) stay readable; packages
carry the minified bytes. Minifying is left to rjsmin and rcssmin, small, long-kept libraries
whose output depends only on their input, so rebuilds stay byte-identical.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import rcssmin
import rjsmin

MINIFIERS = {".js": rjsmin.jsmin, ".css": rcssmin.cssmin}


def shipped(path: Path) -> bytes | Path:
    """What a package carries for a static file: minified bytes for .js and .css, otherwise the file."""
    suffix = path.suffix.lower()
    return minify(path.read_bytes(), suffix) if suffix in MINIFIERS else path


def shipped_bytes(path: Path) -> bytes:
    """The bytes a package carries for a static file (for size reports and comparisons)."""
    content = shipped(path)
    return content if isinstance(content, bytes) else content.read_bytes()


@lru_cache(maxsize=32)
def minify(data: bytes, suffix: str) -> bytes:
    """`data` of a '.js' or '.css' file, minified; the same bytes in always give the same bytes out.

    Bytes, not text: both minifiers work on ASCII syntax, so a file in any ASCII-compatible
    encoding comes out as it went in, apart from the spaces and comments removed.
    """
    return MINIFIERS[suffix](data)
