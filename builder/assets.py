"""Static assets as shipped: scripts and stylesheets minified, everything else as it is.

The sources in templates/static/ (and a course's templates/static/) stay readable; packages
carry the minified bytes. Scripts are parsed as ES5 by calmjs.parse and printed with local
names shortened (about 7 % smaller gzipped than whitespace removal alone); a script it cannot
parse as ES5 (a course's own, newer JavaScript) falls back to rjsmin. Stylesheets go through
rcssmin. All three print the same bytes for the same input, so rebuilds stay byte-identical.

Parsing coursepack.js takes calmjs.parse about 0.3 s, so no build minifies coursepack's own scripts and
stylesheets: `templates/minified/` holds them minified, each named by the SHA-256 of its source, written by
`python -m builder.assets` and checked against the sources by tests/test_assets.py (wheels carry the folder
as package data). A script without its minified twin there (a course's own file, or a checkout whose
sources changed since) is minified once and kept in a folder only this user can write (`private_folder`),
keyed by its bytes and the minifiers' versions: a process that finds it in either place neither parses it
nor imports calmjs.parse. Never in the cache folder beside the courses, which may come from anyone (a shared
repository, a restored CI cache): a script read from there would ship as it is, and no check reads scripts.
Stylesheets are not kept at all: rcssmin takes about 10 µs for coursepack.css, less than reading a file.
"""

from __future__ import annotations

import hashlib
import os
import stat
import tempfile
from functools import lru_cache
from pathlib import Path

import rcssmin
import rjsmin

from builder.package import write_file
from builder.resources import templates

PREMINIFIED = "minified"  # the folder of templates/ with coursepack's own files minified (see above)
PRIVATE_FOLDER = "coursepack-minified"  # in the temp folder, with the user's id: see private_folder
_keep = [False]  # whether this process keeps minified scripts between processes (a build does)


def minify_js(data: bytes) -> bytes:
    """ES5 parsed and printed with short local names; anything else whitespace-stripped only."""
    from calmjs.parse import es5  # imported only when a file is not in the cache
    from calmjs.parse.exceptions import ECMASyntaxError
    from calmjs.parse.unparsers.es5 import minify_print

    try:
        tree = es5(data.decode("utf-8"))
    except (ECMASyntaxError, UnicodeDecodeError):
        return rjsmin.jsmin(data)
    return minify_print(tree, obfuscate=True, obfuscate_globals=False).encode("utf-8")


MINIFIERS = {".js": minify_js, ".css": rcssmin.cssmin}


def shipped(path: Path) -> bytes | Path:
    """What a package carries for a static file: minified bytes for .js and .css, otherwise the file."""
    suffix = path.suffix.lower()
    return minify(path.read_bytes(), suffix) if suffix in MINIFIERS else path


def shipped_bytes(path: Path) -> bytes:
    """The bytes a package carries for a static file (for size reports and comparisons)."""
    content = shipped(path)
    return content if isinstance(content, bytes) else content.read_bytes()


def keep_in(cache: Path | None) -> None:
    """Keep minified scripts between processes from now on (None: in memory only). Not in `cache`, the build's
    cache folder, which others may write: in this user's private_folder."""
    _keep[0] = cache is not None


def private_folder() -> Path | None:
    """`coursepack-minified-<uid>` in the temp folder, made owner-only; None when it is not the user's alone.

    The temp folder is shared: a folder there that another user made, or that others may write, could hold
    scripts they wrote, so it is not used (rather than repaired: what it holds already is not known)."""
    uid = os.getuid() if hasattr(os, "getuid") else None  # Windows: the temp folder is the user's own
    folder = Path(tempfile.gettempdir()) / (PRIVATE_FOLDER if uid is None else f"{PRIVATE_FOLDER}-{uid}")
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        st = folder.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode) or (uid is not None and (st.st_uid != uid or st.st_mode & 0o077)):
        return None
    return folder


@lru_cache(maxsize=32)
def minify(data: bytes, suffix: str) -> bytes:
    """`data` of a '.js' or '.css' file, minified; the same bytes in always give the same bytes out.

    Bytes, not text: both minifiers work on ASCII syntax, so a file in any ASCII-compatible
    encoding comes out as it went in, apart from the spaces and comments removed.
    """
    digest = hashlib.sha256(data).hexdigest()
    try:
        return (templates() / PREMINIFIED / f"{digest}{suffix}").read_bytes()
    except OSError:
        pass
    folder = private_folder() if _keep[0] and suffix == ".js" else None
    if folder is None:
        return MINIFIERS[suffix](data)
    key = hashlib.sha256(f"{_recipe()} {suffix} ".encode() + data).hexdigest()
    kept = folder / key[:2] / f"{key}{suffix}"
    try:
        return kept.read_bytes()
    except OSError:
        pass
    result = MINIFIERS[suffix](data)
    try:
        write_file(kept, result)
    except OSError:
        pass  # a cache that cannot be written only costs time next build
    return result


@lru_cache(maxsize=1)
def _recipe() -> str:
    """The minifiers' versions: a new one makes new cache keys."""
    from importlib.metadata import PackageNotFoundError, version  # only when something is minified

    try:
        calmjs = version("calmjs.parse")
    except PackageNotFoundError:
        calmjs = "?"
    return f"1 calmjs.parse {calmjs} rjsmin {rjsmin.__version__} rcssmin {rcssmin.__version__}"


def own_sources() -> list[Path]:
    """coursepack's own scripts and stylesheets, which packages carry minified: static files, single.js and the
    cmi5 runtime."""
    folder = templates()
    own = [*(folder / "static").iterdir(), folder / "single.js", folder / "formats" / "cmi5.js"]
    return sorted(p for p in own if p.suffix in MINIFIERS)


def write_preminified(folder: Path) -> list[Path]:
    """Minify every own source into `folder`, named by its source's SHA-256, and remove what no source needs."""
    folder.mkdir(parents=True, exist_ok=True)
    wanted = {}
    for source in own_sources():
        data = source.read_bytes()
        wanted[f"{hashlib.sha256(data).hexdigest()}{source.suffix}"] = MINIFIERS[source.suffix](data)
    for stale in [p for p in folder.iterdir() if p.name not in wanted]:
        stale.unlink()
    for name, data in sorted(wanted.items()):
        write_file(folder / name, data)
    return sorted(folder / name for name in wanted)


if __name__ == "__main__":  # python -m builder.assets: after editing templates/static/*.js|css or single.js
    for written in write_preminified(templates() / PREMINIFIED):
        print(written.relative_to(templates().parent))
