"""The offline zip: the rendered site as it is, for a USB stick or a shared computer; also the combined
package holding every language of a course written in several."""

from __future__ import annotations

from pathlib import Path

from builder.formats import Request
from builder.formats.base import site_files
from builder.problems import Problems


def make(request: Request, problems: Problems) -> dict[str, bytes | Path]:
    """The site's files and coursepack.json."""
    return site_files(request)
