"""The single .html file (builder.single), checked again once its files are inlined."""

from __future__ import annotations

from builder.formats import Format, Request, register
from builder.offline_check import check_sites
from builder.problems import Problems
from builder.single import SINGLE, SingleFile, single_file


def _make(request: Request, problems: Problems) -> SingleFile | None:
    made = single_file(request.site, request.entry, problems, request.max_inline)
    if made:
        check_sites([request.site], problems, {request.name: made.data})  # the files inlined, and the page
    return made


register(Format(SINGLE, ".html", default=False, combined=False, make=_make, label="Single web page",
                use="Open it in any browser; easy to send by e-mail or messaging app", shelf=2))
