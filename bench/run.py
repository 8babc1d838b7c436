"""Benchmark coursepack against the bare minimum a packager must do, on one generated corpus.

    python bench/run.py [--courses 4 --modules 10 --words 800 --images 2 --repeat 3] [--json PATH]

Both are timed in this process, in the same run, on the same corpus; each variant's best of
--repeat runs counts. Ratios (coursepack time / baseline time) are what to compare between
machines. It then reports package sizes against their floor (deflated Markdown sources plus the
optimised media carried) for the sample courses in courses/ and a photo-heavy generated course,
and that course's build time with a cold and a warm image cache. See bench/README.md.
"""

from __future__ import annotations

import argparse
import gc
import gzip
import json
import os
import platform
import shutil
import sys
import tempfile
import time
import zipfile
import zlib
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
# Measure the checkout this file lives in, whatever `pip install -e` points at.
sys.path[:0] = [str(PROJECT), str(BENCH)]


import builder  # noqa: E402
from builder.assets import shipped_bytes  # noqa: E402
import builder.build  # noqa: E402
from builder.build import FORMATS, build  # noqa: E402
from builder.course import load_course  # noqa: E402
from builder.problems import Problems  # noqa: E402
from builder.render import PRINT, PROGRESS  # noqa: E402
from baseline import baseline  # noqa: E402
from corpus import generate  # noqa: E402

STATIC = PROJECT / "templates" / "static"
SAMPLES = PROJECT / "courses"
SINGLE = "single"
COURSE_PAGES = {PROGRESS, PRINT}  # pages of the course as a whole, which the baseline has no equivalent of
ASSET_BUDGET = 9216  # bytes of gzip -9 CSS+JS as shipped (minified): tests/test_assets.py's BUDGET


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


# --- package size against its floor ---------------------------------------------------------


def single_format() -> str | None:
    """"single" when this checkout's builder offers `--format single` (FORMATS, or ALL_FORMATS for the
    formats written only on request); None otherwise, and the single-file figures are left out."""
    offered = (*builder.build.FORMATS, *getattr(builder.build, "ALL_FORMATS", ()))
    return SINGLE if SINGLE in offered else None


def module_sources(root: Path) -> dict[str, list[Path]]:
    """The Markdown file each package of a course renders, by package language.

    A module not translated into a language is rendered from the course-language file there, so that
    file counts; the combined package ("mul", when the course has several languages) counts every
    distinct file once.
    """
    course = load_course(root, Problems())
    if course is None:
        raise SystemExit(f"cannot load {root} for the size report")
    by_lang = {lang: [m.files.get(lang, m.files[course.language]) for m in course.modules]
               for lang in course.languages}
    by_lang["mul"] = sorted({path for paths in by_lang.values() for path in paths})
    return by_lang


def deflated(paths: list[Path]) -> int:
    """zlib level 9 of each file on its own, summed."""
    return sum(len(zlib.compress(path.read_bytes(), 9)) for path in paths)


def zip_parts(path: Path) -> dict[str, int]:
    """Bytes a zip stores, by part: course files (`files/`: optimised images and media), print.html, other
    pages, assets/ (CSS, JS, course data), other files (coursepack.json, manifest), and the zip structure
    (local headers and central directory: the zip size minus every entry's stored bytes)."""
    parts = dict.fromkeys(("files", "print", "pages", "assets", "other", "zip"), 0)
    with zipfile.ZipFile(path) as archive:
        for info in archive.infolist():
            name = info.filename.rsplit("/", 1)[-1]
            part = ("files" if info.filename.startswith("files/") else "print" if name == PRINT
                    else "pages" if name.endswith(".html") else "assets" if info.filename.startswith("assets/")
                    else "other")
            parts[part] += info.compress_size
    parts["zip"] = path.stat().st_size - sum(parts.values())
    return parts


def package_sizes(results: list) -> list[dict]:
    """Per course and language: offline zip, floor, ratio, overhead, and the single file when built."""
    rows = []
    for result in results:
        sources = module_sources(result.root)
        single = {p.lang: p for p in result.packages if p.format == SINGLE}
        for package in (p for p in result.packages if p.format == "offline"):
            text = deflated(sources[package.lang])
            parts = zip_parts(package.path)
            media = parts.pop("files")
            floor = text + media
            row = {"course": result.course, "lang": package.lang, "offline_bytes": package.size,
                   "floor_bytes": floor, "floor_text_bytes": text, "floor_media_bytes": media,
                   "ratio": package.size / floor, "overhead_bytes": package.size - floor,
                   "stored_bytes_besides_files": parts}
            if package.lang in single:
                row["single_bytes"] = single[package.lang].size
                row["single_ratio"] = single[package.lang].size / floor
            rows.append(row)
    return rows


def sample_sizes(work: Path) -> list[dict]:
    """Build courses/ (cache and output in `work`, so the checkout is not touched) and size its packages."""
    roots = sorted(p for p in SAMPLES.iterdir() if p.is_dir() and (p / "course.yaml").is_file())
    formats = FORMATS + ((SINGLE,) if single_format() else ())
    results = build(roots, work / "samples-out", formats, jobs=1, cache=work / "samples-cache")
    if any(r.failed for r in results):
        raise SystemExit(f"the sample courses did not build: {[str(p) for r in results for p in r.problems][:5]}")
    return package_sizes(results)


def photo_course(work: Path, args: argparse.Namespace) -> dict:
    """A photo-heavy course: source vs shipped image bytes, cold- vs warm-cache build time, sizes."""
    infos = generate(work / "photos", 1, args.photo_modules, 400, 0, ("en",), args.seed, args.photos)
    roots = [info.root for info in infos]
    cache = work / "photo-cache"
    cold, warm = [], []
    for _ in range(args.repeat):  # each cold run gets an empty cache; each warm run reuses that one's
        shutil.rmtree(cache, ignore_errors=True)
        for times in (cold, warm):
            out = work / "photo-out"
            shutil.rmtree(out, ignore_errors=True)
            gc.collect()
            start = time.perf_counter()
            results = build(roots, out, FORMATS, jobs=1, cache=cache)
            times.append(time.perf_counter() - start)
            if any(r.failed or r.problems for r in results):
                problems = [str(p) for r in results for p in r.problems]
                raise SystemExit(f"the photo course reported problems: {problems[:5]}")
    if single_format():  # sized from one more (warm) build, so the timings above are the usual three formats
        results += build(roots, out, (SINGLE,), jobs=1, cache=cache)
        merged = results[0]
        merged.packages += results[1].packages
        results = [merged]
    photos = [Path(p) for info in infos for p in info.images if "-photo-" in p]
    root = infos[0].root
    offline = next(p for p in results[0].packages if p.format == "offline")
    with zipfile.ZipFile(offline.path) as archive:
        stored = {i.filename: i.compress_size for i in archive.infolist()}
    by_kind: dict[str, dict[str, int]] = {}
    for photo in photos:
        kind = by_kind.setdefault(photo.suffix.lstrip("."), {"count": 0, "source_bytes": 0, "shipped_bytes": 0})
        shipped = [size for name, size in stored.items()
                   if name.startswith(f"files/{photo.with_suffix('').as_posix()}.")
                   or name.startswith(f"files/{photo.with_suffix('').as_posix()}-png.")]
        if len(shipped) != 1:
            raise SystemExit(f"{photo} is not in {offline.path.name} once: {shipped}")
        kind["count"] += 1
        kind["source_bytes"] += (root / photo).stat().st_size
        kind["shipped_bytes"] += shipped[0]
    return {"modules": args.photo_modules, "photos_per_module": args.photos, "by_kind": by_kind,
            "source_bytes": sum(k["source_bytes"] for k in by_kind.values()),
            "shipped_bytes": sum(k["shipped_bytes"] for k in by_kind.values()),
            "cold_s": min(cold), "warm_s": min(warm), "cold_runs_s": cold, "warm_runs_s": warm,
            "cold_over_warm": min(cold) / min(warm), "packages": package_sizes(results)}


def size_table(rows: list[dict]) -> str:
    has_single = any("single_bytes" in r for r in rows)
    lines = [f"{'course':26} {'lang':4} {'offline zip':>12} {'floor':>11} {'(text':>9} {'+ media)':>11} "
             f"{'ratio':>6} {'overhead':>10}" + (f" {'single .html':>13} {'ratio':>6}" if has_single else "")]
    for r in rows:
        line = (f"{r['course'][:26]:26} {r['lang']:4} {r['offline_bytes']:12,} {r['floor_bytes']:11,} "
                f"{r['floor_text_bytes']:9,} {r['floor_media_bytes']:11,} {r['ratio']:6.2f} {r['overhead_bytes']:10,}")
        if "single_bytes" in r:
            line += f" {r['single_bytes']:13,} {r['single_ratio']:6.2f}"
        lines.append(line)
    lines.append("  where the zip's bytes besides files/ go (the floor's deflated text is inside pages and print):")
    for r in rows:
        parts = r["stored_bytes_besides_files"]
        lines.append(f"  {r['course'][:26]:26} {r['lang']:4} " + ", ".join(f"{k} {v:,}" for k, v in parts.items()))
    return "\n".join(lines)


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
    parser.add_argument("--photos", type=int, default=2,
                        help="photo-like images per module of the photo-heavy course (odd JPEG, even PNG); 0 skips it")
    parser.add_argument("--photo-modules", type=int, default=4, help="modules of the photo-heavy course")
    parser.add_argument("--no-samples", action="store_true", help="skip the size report of courses/")
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
        samples = [] if args.no_samples else sample_sizes(work)
        photo = photo_course(work, args) if args.photos else None

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
    figures["samples"] = samples
    figures["photo_course"] = photo

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
    if samples:
        print("\nsample courses (courses/), offline package against its floor = zlib -9 of each module .md it renders"
              "\n+ the course files it carries (files/, as stored in the zip); overhead = zip - floor (pages, CSS/JS,"
              "\ncourse data, manifest, zip headers). mul = the combined package of all languages:")
        print(size_table(samples))
        if not single_format():
            print("(no single-file format in this builder: --format single not offered)")
    if photo:
        print(f"\nphoto-heavy course: 1 course × {photo['modules']} modules × {photo['photos_per_module']} photos "
              f"(odd: 2000×1500 JPEG q95, even: 1600×1200 PNG) + 1 SVG per module")
        for kind, k in photo["by_kind"].items():
            print(f"  {k['count']:2d} {kind:4}: {kb(k['source_bytes']):>10} source → {kb(k['shipped_bytes']):>10} "
                  f"shipped ({1 - k['shipped_bytes'] / k['source_bytes']:.0%} smaller)")
        print(f"  all photos: {kb(photo['source_bytes'])} → {kb(photo['shipped_bytes'])} "
              f"({1 - photo['shipped_bytes'] / photo['source_bytes']:.0%} smaller)")
        print(f"  build (3 formats, jobs=1), best of {args.repeat}: cold cache {photo['cold_s']:.2f} s, warm cache "
              f"{photo['warm_s']:.2f} s → cold/warm {photo['cold_over_warm']:.1f}×")
        print(size_table(photo["packages"]))
    print(profiled, end="")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"\nfigures written to {args.json}")
    return figures


if __name__ == "__main__":
    main()
