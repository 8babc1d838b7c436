"""The output folder is not trusted: check it before a build, and tidy what a killed build left there."""

from __future__ import annotations

import os
from pathlib import Path

from builder.library import foreign_library
from builder.package import check_output, remove_leftovers
from builder.problems import UsageProblem, display_path

SYSTEM = (Path("/proc"), Path("/sys"), Path("/dev"))  # kernel file systems: writing there is never meant
SHARED_MEMORY = Path("/dev/shm")  # but this one is an ordinary tmpfs


def prepare_output(out: Path, sources: list[Path]) -> Path:
    """The resolved `--out`, once it is sure to be a folder we may fill; removes a killed build's temp files.

    Everything here is a mistake in the command (exit 2), found before any course is built.
    """
    resolved = check_output(out, sources)
    if resolved == Path(resolved.anchor):
        raise UsageProblem(f"--out '{out}' is the root of the file system; give a folder for the packages, "
                           "e.g. --out dist")
    for system in SYSTEM:
        if resolved.is_relative_to(system) and not resolved.is_relative_to(SHARED_MEMORY):
            raise UsageProblem(f"--out '{out}' lies in the system folder {system}; give a folder for the packages, "
                               "e.g. --out dist")
    if resolved.exists() and not resolved.is_dir():
        raise UsageProblem(f"--out '{out}' is a file, not a folder; give a folder for the packages")
    _check_writable(out, resolved)
    if foreign := foreign_library(resolved):
        names = " and ".join(p.name for p in foreign)
        raise UsageProblem(f"--out '{out}' holds {names} that coursepack did not write, and the library page "
                           f"would replace {'them' if len(foreign) > 1 else 'it'}; move "
                           f"{'them' if len(foreign) > 1 else 'it'} away, or choose another --out")
    if resolved.is_dir():
        remove_leftovers(resolved)
    return resolved


def _check_writable(out: Path, resolved: Path) -> None:
    """The folder, or the nearest folder above it that exists (it is created only when a package is
    written), must accept new files."""
    existing = resolved
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        raise UsageProblem(f"--out '{out}' lies below '{display_path(existing)}', which is a file; give a folder "
                           "for the packages")
    if not os.access(existing, os.W_OK | os.X_OK):
        why = "read-only file system" if _read_only(existing) else "permission denied"
        raise UsageProblem(f"cannot write to --out '{out}': {why}; give a folder you can write to")


def _read_only(folder: Path) -> bool:
    try:
        return bool(os.statvfs(folder).f_flag & os.ST_RDONLY)
    except (OSError, AttributeError):  # no statvfs on Windows
        return False
