"""The offline zip: the rendered site as it is, for a USB stick or a shared computer; also the combined
package holding every language of a course written in several."""

from __future__ import annotations

from pathlib import Path

from builder.formats import Format, Request, register
from builder.formats.base import site_files
from builder.problems import Problems


def _make(request: Request, problems: Problems) -> dict[str, bytes | Path]:
    return site_files(request)


register(Format("offline", ".zip", default=True, combined=True, make=_make,
                label="Offline course", use="Unzip, then open index.html", shelf=1))
