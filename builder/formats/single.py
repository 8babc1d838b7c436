"""The single .html file (builder.single), checked again once its files are inlined."""

from __future__ import annotations

from builder.formats import Request
from builder.offline_check import check_sites
from builder.problems import Problems
from builder.single import SingleFile, single_file


def make(request: Request, problems: Problems) -> SingleFile | None:
    """The single file, its inlined files checked as the site's were."""
    made = single_file(request.site, request.entry, problems, request.max_inline)
    if made:
        check_sites([request.site], problems, {request.name: made.data})  # the files inlined, and the page
    return made

