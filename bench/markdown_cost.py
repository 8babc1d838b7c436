"""What each Markdown extension costs: the corpus's module bodies converted with all of builder.markup's
extensions, then with each one left out, in the same process, best of --repeat.

    python bench/markdown_cost.py [--courses 2 --modules 40 --words 800 --repeat 3]

A page that uses an extension renders differently without it, so the figure is the time that extension's
passes take on this corpus, not a like-for-like output. Prints milliseconds per page and each extension's
share of the full conversion.
"""

from __future__ import annotations

import argparse
import copy
import gc
import sys
import tempfile
import time
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

import markdown  # noqa: E402

from builder.markup import EXTENSIONS  # noqa: E402
from corpus import generate  # noqa: E402
from baseline import _body  # noqa: E402

def label(extension: object) -> str:
    """An extension's name as listed ('toc', 'markdown.extensions.toc'), or its class for an instance."""
    return extension if isinstance(extension, str) else type(extension).__name__


def instance(extensions: list) -> markdown.Markdown:
    """A Markdown converter configured as builder.markup's (toc down to level 3); extension objects are copied,
    since an extension instance keeps the converter it was added to."""
    configs = {label(e): {"toc_depth": "1-3"} for e in extensions if label(e).rsplit(".", 1)[-1] == "toc"}
    own = [e if isinstance(e, str) else copy.copy(e) for e in extensions]
    return markdown.Markdown(extensions=own, extension_configs=configs, output_format="html")


def best_times(bodies: list[str], variants: dict[str, list], repeat: int) -> dict[str, float]:
    """Best wall time of each variant converting every body with one reused instance; variants take turns, in an
    order that rotates every round, each after a garbage collection and with the collector off while timed."""
    converters = list({name: instance(extensions) for name, extensions in variants.items()}.items())
    best = dict.fromkeys(variants, float("inf"))
    for round_ in range(repeat):
        shift = round_ % len(converters)
        for name, md in converters[shift:] + converters[:shift]:
            gc.collect()
            gc.disable()
            start = time.perf_counter()
            for body in bodies:
                md.reset()
                md.convert(body)
            best[name] = min(best[name], time.perf_counter() - start)
            gc.enable()
    return best


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--courses", type=int, default=2)
    parser.add_argument("--modules", type=int, default=40)
    parser.add_argument("--words", type=int, default=800)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="coursepack-md-") as temp:
        generate(Path(temp), args.courses, args.modules, args.words, 0)
        bodies = [_body(p.read_text(encoding="utf-8")) for p in sorted(Path(temp).glob("*/modules/*.md"))]
    variants = {"none": [], "all": list(EXTENSIONS)}
    variants.update({label(e): [x for x in EXTENSIONS if x is not e] for e in EXTENSIONS})
    best = best_times(bodies, variants, args.repeat)
    plain, full = best.pop("none"), best.pop("all")
    print(f"{len(bodies)} module bodies, best of {args.repeat} (variants take turns); ms per page:")
    print(f"  no extension {plain / len(bodies) * 1000:7.2f}   all {len(EXTENSIONS)} {full / len(bodies) * 1000:7.2f}"
          f"   (all / none {full / plain:.2f}x)")
    for name, without in best.items():
        print(f"  {name:32} costs {(full - without) / len(bodies) * 1000:6.2f} ms/page, "
              f"{(full - without) / full:6.1%} of the full conversion")
    figures = {"pages": len(bodies), "none_s": plain, "all_s": full, "without_s": best}
    return figures


if __name__ == "__main__":
    main()
