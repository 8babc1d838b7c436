"""How long the library takes to list a folder of packages: first time, then with the record of known hashes.

    python bench/library.py [--packages 40] [--size-mb 5]

Writes N zips of S MB (incompressible, as media-heavy packages are) each carrying a coursepack.json,
then times `write_library` three ways: cold (no record: every zip hashed), warm (record: nothing
read), and warm after one zip was rewritten (only that one hashed again).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # time the code beside this script

from builder.library import write_library  # noqa: E402
from builder.scan import record_path  # noqa: E402


def make_packages(out: Path, count: int, size: int) -> None:
    """`count` zips named like packages, each with a coursepack.json and `size` bytes of media."""
    out.mkdir(parents=True, exist_ok=True)
    for n in range(count):
        entry = {"schema": 1, "course": f"course-{n:03}", "version": "1.0.0", "lang": "en", "format": "offline",
                 "title": f"Course {n}", "description": "", "main_lang": "en"}
        with zipfile.ZipFile(out / f"course-{n:03}-1.0.0-offline.zip", "w") as archive:
            archive.writestr("coursepack.json", json.dumps(entry))
            archive.writestr("files/video.mp4", os.urandom(size))


def timed(out: Path, record: Path) -> float:
    start = time.perf_counter()
    problems = write_library(out, record=record)
    assert not problems, problems
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--packages", type=int, default=40)
    parser.add_argument("--size-mb", type=float, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        out, cache = Path(work) / "dist", Path(work) / "cache"
        make_packages(out, args.packages, int(args.size_mb * 1_000_000))
        record = record_path(cache, out)
        total = sum(p.stat().st_size for p in out.glob("*.zip"))
        cold = timed(out, record)
        warm = min(timed(out, record) for _ in range(3))
        make_packages(out / "one", 1, int(args.size_mb * 1_000_000))
        os.replace(out / "one" / "course-000-1.0.0-offline.zip", out / "course-000-1.0.0-offline.zip")
        one = timed(out, record)
    print(f"code: {Path(__file__).resolve().parent.parent}")
    print(f"{args.packages} packages, {total / 1e6:.0f} MB in all")
    print(f"cold (no record, every zip hashed):  {cold:8.3f} s")
    print(f"warm (record, nothing read):         {warm:8.3f} s   {cold / warm:6.0f}x faster")
    print(f"one zip rewritten (hashed again):    {one:8.3f} s")


if __name__ == "__main__":
    main()
