"""What not trusting the cache folder beside the courses costs (docs/decisions.md, "Caches and trust").

    python bench/cache_trust.py                           # 5 courses × 40 modules, repeat 3: about a minute
    python bench/cache_trust.py --courses 2 --repeat 1    # a quick look

1. a warm build (jobs=1, every image in the cache) with each cache entry checked before it is packaged
   (builder.media._trusted: SVGs parsed and checked again) against the same build taking entries as they are;
   the difference is below the noise of a shared machine, so the SVG check alone is timed too (CPU, best of
   --repeat over the corpus's SVGs), beside the optimising it spares;
2. a course with a script of its own (templates/static/extra.js: coursepack.js plus a line, 29 KB, as a
   large course script) built by a whole `coursepack build --force` process with the image cache warm:
   minified script kept in the user's private folder (an author's rebuild) against an empty private folder
   (a CI job that restores only the cache folder beside the courses, which used to hold the script too).

Runs that are compared take turns (bench/targets.py's `interleaved`); CPU seconds beside wall times.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

from corpus import generate  # noqa: E402
from targets import ENV, checked, fresh, interleaved, process  # noqa: E402

from builder import images, media  # noqa: E402
from builder.assets import PRIVATE_FOLDER  # noqa: E402
from builder.build import FORMATS, build  # noqa: E402
from builder.resources import templates  # noqa: E402


def warm_checks(roots: list[Path], work: Path, repeat: int) -> dict[str, float]:
    """A warm jobs=1 build with entries checked, and with entries taken as they are (the old behaviour)."""
    cache, trusted = work / "cache", media._trusted
    checked(build(roots, fresh(work / "out"), FORMATS, jobs=1, cache=cache))  # fills the cache

    def run(check: bool) -> Callable[[], None]:
        def one() -> None:
            media._trusted = trusted if check else (lambda *args: True)
            try:
                checked(build(roots, fresh(work / "out"), FORMATS, jobs=1, cache=cache))
            finally:
                media._trusted = trusted
        return one

    return interleaved(repeat, {"warm_checked_s": run(True), "warm_unchecked_s": run(False)})


def svg_checks(roots: list[Path], repeat: int) -> dict[str, float]:
    """CPU milliseconds per SVG of the corpus: checking one again, and optimising one (what the cache spares)."""
    svgs = [p.read_bytes() for root in roots for p in sorted(root.rglob("*.svg"))]
    figures = {}
    for name, work in (("svg_check_ms", images.checked_svg), ("svg_optimise_ms", images.optimise_svg)):
        best = float("inf")
        for _ in range(repeat):
            start = time.process_time()
            for data in svgs:
                work(data)
            best = min(best, time.process_time() - start)
        figures[name] = best * 1000 / len(svgs)
    return figures


def own_script(work: Path, repeat: int) -> dict[str, float]:
    """One 5-module course with its own 29 KB script, as a whole process: private folder warm, and empty."""
    root = generate(work / "script", 1, 5, 800, 2)[0].root
    static = root / "templates" / "static"
    static.mkdir(parents=True)
    (static / "extra.js").write_bytes((templates() / "static" / "coursepack.js").read_bytes() + b"\nvar extra = 1;\n")
    args = ["-m", "builder", "build", str(root), "-o", str(work / "script-out"), "--cache", str(work / "c"), "--force"]
    ENV["TMPDIR"] = str(fresh(work / "temp"))  # the user's temp folder, with Jinja2's compiled templates warm
    process(args)  # fills the image cache, the compiled templates and the private folder
    private = work / "temp" / f"{PRIVATE_FOLDER}-{os.getuid()}"

    def run(empty: bool) -> Callable[[], None]:
        def one() -> None:
            if empty:
                shutil.rmtree(private)
            process(args)
        return one

    return interleaved(repeat, {"script_kept_s": run(False), "script_minified_s": run(True)})


def main(argv: list[str] | None = None) -> dict[str, float]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--courses", type=int, default=5)
    parser.add_argument("--modules", type=int, default=40)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    work = Path(tempfile.mkdtemp(prefix="cache-trust-"))
    try:
        roots = [c.root for c in generate(work / "corpus", args.courses, args.modules, 800, 2)]
        figures = {**warm_checks(roots, work, args.repeat), **svg_checks(roots, args.repeat),
                   **own_script(work, args.repeat)}
    finally:
        shutil.rmtree(work, ignore_errors=True)
    pages = args.courses * args.modules
    print(f"code: {BENCH.parent}  corpus: {pages} pages, {pages} SVG + {2 * pages} PNG in the cache")
    for a, b in (("warm_checked", "warm_unchecked"), ("script_minified", "script_kept")):
        print(f"{a:>16}: {figures[a + '_s']:.3f} s wall, {figures[a + '_s_cpu']:.3f} s CPU = "
              f"{figures[a + '_s'] / figures[b + '_s']:.3f}× / {figures[a + '_s_cpu'] / figures[b + '_s_cpu']:.3f}× "
              f"{b} ({figures[b + '_s']:.3f} s wall, {figures[b + '_s_cpu']:.3f} s CPU)")
    print(f"SVG checked again: {figures['svg_check_ms']:.3f} ms CPU each; "
          f"optimised: {figures['svg_optimise_ms']:.3f} ms")
    return figures


if __name__ == "__main__":
    main()
