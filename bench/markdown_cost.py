"""What each Markdown extension costs: the corpus's module bodies converted with all of builder.markup's
extensions, then with each one left out, in the same process, best of --repeat.

    python bench/markdown_cost.py [--courses 2 --modules 40 --words 800 --repeat 3]

A page that uses an extension renders differently without it, so the figure is the time that extension's
passes take on this corpus, not a like-for-like output. Prints milliseconds per page and each extension's
share of the full conversion; then builder.markup.to_html with every extension on every page against each
page's own choice (builder.markup.extensions_for).
"""

from __future__ import annotations

import argparse
import copy
import gc
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent), str(BENCH)]

import markdown  # noqa: E402

from builder.markup import EXTENSIONS, to_html  # noqa: E402
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


def converting(md: markdown.Markdown) -> Callable[[str], str]:
    """Convert a body with `md`, reset first as builder.markup does."""
    def convert(body: str) -> str:
        md.reset()
        return md.convert(body)
    return convert


def best_times(bodies: list[str], converters: dict[str, Callable[[str], object]], repeat: int) -> dict[str, float]:
    """Best CPU time (of this process: the machine is shared) of each converter converting every body; converters
    take turns, in an order that rotates every round, each after a garbage collection, the collector off while
    timed."""
    for convert in converters.values():  # warm: instances built, extensions imported
        convert(bodies[0])
    order = list(converters.items())
    best = dict.fromkeys(converters, float("inf"))
    for round_ in range(repeat):
        shift = round_ % len(order)
        for name, convert in order[shift:] + order[:shift]:
            gc.collect()
            gc.disable()
            start = time.process_time()
            for body in bodies:
                convert(body)
            best[name] = min(best[name], time.process_time() - start)
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
    converters = {name: converting(instance(extensions)) for name, extensions in variants.items()}
    # builder.markup itself (its configuration): every extension on every page, or each page's own choice
    converters["every"] = lambda body: to_html(body, every_extension=True)
    converters["chosen"] = to_html
    best = best_times(bodies, converters, args.repeat)
    plain, full = best.pop("none"), best.pop("all")
    every, chosen = best.pop("every"), best.pop("chosen")
    print(f"{len(bodies)} module bodies, best of {args.repeat} (variants take turns); CPU ms per page:")
    print(f"  no extension {plain / len(bodies) * 1000:7.2f}   all {len(EXTENSIONS)} {full / len(bodies) * 1000:7.2f}"
          f"   (all / none {full / plain:.2f}x)")
    for name, without in best.items():
        print(f"  {name:32} costs {(full - without) / len(bodies) * 1000:6.2f} ms/page, "
              f"{(full - without) / full:6.1%} of the full conversion")
    print(f"  builder.markup.to_html: every extension {every / len(bodies) * 1000:.2f} ms/page, the page's own "
          f"choice {chosen / len(bodies) * 1000:.2f} ms/page ({chosen / every:.2f}x)")
    figures = {"pages": len(bodies), "none_s": plain, "all_s": full, "without_s": best, "every_s": every,
               "chosen_s": chosen}
    return figures


if __name__ == "__main__":
    main()
