"""Benchmark coursepack against the bare minimum a packager must do, on one generated corpus.

    python bench/run.py [--courses 4 --modules 10 --words 800 --images 2 --repeat 3] [--json PATH]

Both are timed in this process, in the same run, on the same corpus; each variant's best of
--repeat runs counts. Ratios (coursepack time / baseline time) are what to compare between
machines. See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import platform
import re
import shutil
import sys
import tempfile
import time
import zipfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
# Measure the checkout this file lives in, whatever `pip install -e` points at.
sys.path[:0] = [str(PROJECT), str(BENCH)]

import jinja2  # noqa: E402
import markdown  # noqa: E402

import builder  # noqa: E402
from builder.assets import shipped_bytes  # noqa: E402
from builder.build import FORMATS, build  # noqa: E402
from builder.markup import EXTENSIONS  # noqa: E402
from builder.render import PRINT, PROGRESS  # noqa: E402
from corpus import generate  # noqa: E402

STATIC = PROJECT / "templates" / "static"
COURSE_PAGES = {PROGRESS, PRINT}  # pages of the course as a whole, which the baseline has no equivalent of
ASSET_BUDGET = 8448  # bytes of gzip -9 CSS+JS as shipped (minified): tests/test_assets.py's BUDGET
_TRANSLATION = re.compile(r"(?P<name>.+)\.(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)\.md$")

# --- baseline: the least a packager can do -----------------------------------------------

PAGE = jinja2.Template("""<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main>{{ body }}</main></body></html>
""", autoescape=True)

HOME = jinja2.Template("""<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><ol>{% for m in modules %}<li><a href="{{ m }}.html">{{ m }}</a></li>{% endfor %}</ol>
</main></body></html>
""", autoescape=True)


def _body(text: str) -> str:
    """Drop front matter without parsing it (a packager must at least not render it)."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[end + 5:]
    return text


def baseline(roots: list[Path], out: Path) -> int:
    """Markdown -> trivial template -> one deflated zip per course and language. Returns pages."""
    from markupsafe import Markup

    md = markdown.Markdown(extensions=EXTENSIONS)
    pages = 0
    for root in roots:
        by_lang: dict[str, list[Path]] = {}
        for path in sorted((root / "modules").glob("*.md")):
            match = _TRANSLATION.fullmatch(path.name)
            by_lang.setdefault(match["lang"] if match else "", []).append(path)
        images = sorted(p for p in (root / "images").rglob("*") if p.is_file())
        for lang, paths in by_lang.items():
            suffix = f"-{lang}" if lang else ""
            with zipfile.ZipFile(out / f"{root.name}{suffix}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
                names = []
                for path in paths:
                    md.reset()
                    body = md.convert(_body(path.read_text(encoding="utf-8")))
                    name = path.name[:-3] if not lang else path.name[:-4 - len(lang)]
                    names.append(name)
                    html = PAGE.render(lang=lang or "en", title=name, body=Markup(body))
                    archive.writestr(f"{name}.html", html.encode("utf-8"))
                archive.writestr("index.html", HOME.render(lang=lang or "en", title=root.name,
                                                           modules=names).encode("utf-8"))
                pages += len(paths) + 1
                for image in images:
                    archive.write(image, f"files/{image.relative_to(root).as_posix()}")
    return pages


def coursepack(roots: list[Path], out: Path, jobs: int | None) -> int:
    """The real build, all formats. Returns pages (counted once, not per format)."""
    results = build(roots, out, FORMATS, jobs=jobs)
    broken = [(r.course, p) for r in results for p in r.problems]
    if broken or any(r.failed for r in results):
        raise SystemExit(f"coursepack reported problems on the corpus: {broken[:5]}")
    pages = 0
    for result in results:
        offline = [p for p in result.packages if p.format == "offline"]
        for package in offline:
            with zipfile.ZipFile(package.path) as archive:
                pages += sum(1 for n in archive.namelist() if n.endswith(".html") and n not in COURSE_PAGES)
    return pages


# --- measuring ----------------------------------------------------------------------------


def timed(fn, work: Path, *args) -> tuple[float, int, dict[str, int]]:
    """Run fn(roots, out, ...) into a fresh folder; returns seconds, pages and zip sizes."""
    out = work / "out"
    shutil.rmtree(out, ignore_errors=True)
    out.mkdir()
    gc.collect()
    start = time.perf_counter()
    pages = fn(*args[:1], out, *args[1:])
    seconds = time.perf_counter() - start
    sizes = {p.name: p.stat().st_size for p in sorted(out.glob("*.zip"))}
    return seconds, pages, sizes


def static_assets() -> dict[str, dict[str, int]]:
    """Source size, shipped size and gzip -9 of the shipped bytes of every file in templates/static/.

    Packages carry scripts and stylesheets minified (builder.assets), so that is what is measured.
    """
    sizes = {}
    for path in sorted(STATIC.glob("*")):
        if path.is_file():
            data = shipped_bytes(path)
            sizes[path.name] = {"source": path.stat().st_size, "raw": len(data), "gzip9": len(gzip.compress(data, 9))}
    return sizes


def profile(roots: list[Path], work: Path, top: int) -> str:
    import cProfile
    import io
    import pstats

    out = work / "profile-out"
    out.mkdir()
    profiler = cProfile.Profile()
    profiler.enable()
    build(roots, out, FORMATS, jobs=1)
    profiler.disable()
    text = io.StringIO()
    pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(top)
    return f"\ncProfile of one coursepack build (jobs=1), top {top} by cumulative time:\n{text.getvalue()}"


def kb(size: int) -> str:
    return f"{size / 1024:,.1f} KB" if size < 1024 * 1024 else f"{size / 1024 / 1024:,.2f} MB"


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--courses", type=int, default=4)
    parser.add_argument("--modules", type=int, default=10, help="modules per course")
    parser.add_argument("--words", type=int, default=800, help="approximate words of prose per module")
    parser.add_argument("--images", type=int, default=2, help="PNG images per module (plus one SVG)")
    parser.add_argument("--languages", default="en", help="comma-separated, course language first (e.g. en,es)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each variant; the best counts")
    parser.add_argument("--seed", type=int, default=0, help="corpus seed")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--profile", type=int, metavar="N", default=0,
                        help="also cProfile one jobs=1 build and print the top N by cumulative time")
    args = parser.parse_args(argv)
    cores = os.cpu_count() or 1

    with tempfile.TemporaryDirectory(prefix="coursepack-bench-") as temp:
        work = Path(temp)
        infos = generate(work / "courses", args.courses, args.modules, args.words, args.images,
                         tuple(args.languages.split(",")), args.seed)
        roots = [info.root for info in infos]
        expected = sum(info.pages for info in infos)
        source_bytes = sum(p.stat().st_size for p in (work / "courses").rglob("*") if p.is_file())

        variants = {
            "baseline": (baseline,),
            "coursepack jobs=1": (coursepack, 1),
            f"coursepack jobs=None ({cores} cores)": (coursepack, None),
        }
        runs: dict[str, list[float]] = {name: [] for name in variants}
        sizes: dict[str, dict[str, int]] = {}
        for _ in range(args.repeat):  # interleaved, so drift on a busy machine hits all variants alike
            for name, (fn, *extra) in variants.items():
                seconds, pages, zips = timed(fn, work, roots, *extra)
                if pages != expected:
                    raise SystemExit(f"{name} made {pages} pages, expected {expected}")
                runs[name].append(seconds)
                sizes[name] = zips
        profiled = profile(roots, work, args.profile) if args.profile else ""

    base = min(runs["baseline"])
    assets = static_assets()
    asset_total = sum(a["gzip9"] for a in assets.values())
    figures = {
        "python": platform.python_version(), "platform": platform.platform(), "cores": cores,
        "builder": str(Path(builder.__file__).parent),
        "corpus": {"courses": args.courses, "modules": args.modules, "words": args.words, "images": args.images,
                   "languages": args.languages.split(","), "seed": args.seed, "pages": expected,
                   "source_bytes": source_bytes},
        "repeat": args.repeat,
        "variants": {name: {"best_s": min(times), "runs_s": times, "pages_per_s": expected / min(times),
                            "ratio": min(times) / base, "zips": len(sizes[name]),
                            "zip_bytes": sum(sizes[name].values())}
                     for name, times in runs.items()},
        "static_assets": assets, "static_gzip9_total": asset_total, "static_budget": ASSET_BUDGET,
    }
    by_format = {fmt: sum(size for name, size in sizes["coursepack jobs=1"].items() if name.endswith(f"-{fmt}.zip"))
                 for fmt in FORMATS}
    figures["coursepack_zip_bytes_by_format"] = by_format

    languages = args.languages.split(",")
    print(f"coursepack benchmark — builder from {figures['builder']}, Python {figures['python']}, {cores} cores")
    print(f"corpus: {args.courses} courses × {args.modules} modules × ~{args.words} words, {args.images} PNG + 1 SVG "
          f"per module, {len(languages)} language(s) → {expected} pages, {kb(source_bytes)} of sources")
    print(f"best of {args.repeat} runs:\n")
    print(f"{'':34} {'best s':>8} {'pages/s':>9} {'ratio':>7} {'zips':>5} {'zip size':>11}")
    for name, v in figures["variants"].items():
        print(f"{name:34} {v['best_s']:8.3f} {v['pages_per_s']:9.1f} {v['ratio']:7.2f} {v['zips']:5d} "
              f"{kb(v['zip_bytes']):>11}")
    print("\nratio = time / baseline time (lower is better). coursepack writes 3 zips (scorm12, scorm2004, offline)")
    print("per course and language from pages rendered once; baseline writes 1. coursepack zips by format: "
          + ", ".join(f"{fmt} {kb(size)}" for fmt, size in by_format.items()))
    print("\nshipped static assets (templates/static/, minified as packages carry them), gzip -9: "
          + ", ".join(f"{name} {a['source']:,} → {a['raw']:,} → {a['gzip9']:,} B" for name, a in assets.items()))
    verdict = "within" if asset_total <= ASSET_BUDGET else "OVER"
    print(f"total {asset_total:,} B of the {ASSET_BUDGET:,} B target: {verdict} "
          f"({asset_total / ASSET_BUDGET:.0%})")
    print(profiled, end="")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"\nfigures written to {args.json}")
    return figures


if __name__ == "__main__":
    main()
