"""What the PNG pre-check (builder.pnghead) keeps away from Pillow, the bytes that costs, the time it saves.

    python bench/png_precheck.py [--courses 5 --modules 40]

For each set of PNGs: how many the pre-check keeps as they are, how many bytes Pillow (builder.raster)
would still have saved on those, the pre-check's CPU time on the whole set and Pillow's on the kept ones
(the time saved on a cold cache). The sets: the bench corpus's PNGs, the sample courses', the photo
course's, the bench corpus's PNGs once optimised (a course made of optimised files), and two samples of
files as libpng-based optimisers write them: palette PNGs (unfiltered rows, zlib level 9, every entry
used) of 2 to 256 colours, and 1-bit black-and-white ones. See bench/README.md.
"""

from __future__ import annotations

import argparse
import random
import struct
import sys
import tempfile
import time
import zlib
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
sys.path[:0] = [str(PROJECT), str(BENCH)]

from PIL import Image, ImageDraw, ImageFilter  # noqa: E402

from builder import pnghead, raster  # noqa: E402
from builder.images import ImageSettings  # noqa: E402
from corpus import generate  # noqa: E402

SETTINGS = ImageSettings()


def measure(name: str, files: list[bytes]) -> None:
    """Print one set's figures."""
    kept = given_up = 0
    precheck = pillow_kept = 0.0
    for data in files:
        start = time.process_time()
        size = pnghead.cannot_shrink(data, SETTINGS.max_width)
        precheck += time.process_time() - start
        start = time.process_time()
        result = raster.optimise(data, ".png", SETTINGS)
        spent = time.process_time() - start
        if size:
            assert size == (result.width, result.height), name
            kept += 1
            pillow_kept += spent
            given_up += len(data) - len(result.data) if result.data is not None else 0
    total = sum(map(len, files))
    print(f"{name:<44} {len(files):>5} {total:>10,} B  kept {kept:>4}  given up {given_up:>5} B "
          f"({given_up / max(total, 1):.3%})  pre-check {precheck * 1000:7.1f} ms  "
          f"Pillow saved {pillow_kept * 1000:7.1f} ms")


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def libpng_palette(image: Image.Image) -> bytes:
    """A "P" image as libpng-based optimisers write it: only the entries used, the fewest bits, unfiltered rows."""
    palette, used = image.getpalette(), sorted(index for _, index in image.getcolors(256))
    depth = 1 if len(used) <= 2 else 2 if len(used) <= 4 else 4 if len(used) <= 16 else 8
    pixels = image.tobytes().translate(bytes(used.index(v) if v in used else 0 for v in range(256)))
    rows = [_pack(pixels[y * image.width:(y + 1) * image.width], depth) for y in range(image.height)]
    plte = b"".join(bytes(palette[3 * i:3 * i + 3]) for i in used)
    return _png(image.size, depth, 3, rows, _chunk(b"PLTE", plte))


def libpng_grey(image: Image.Image) -> bytes:
    """A "1" (black and white) image as libpng-based optimisers write it: 1 bit, unfiltered rows."""
    stride = (image.width + 7) // 8
    raw = image.tobytes()  # each row starts on a byte
    return _png(image.size, 1, 0, [raw[y * stride:(y + 1) * stride] for y in range(image.height)], b"")


def _pack(line: bytes, depth: int) -> bytes:
    per = 8 // depth
    return line if depth == 8 else bytes(
        sum(v << (8 - depth * (k + 1)) for k, v in enumerate(line[x:x + per])) for x in range(0, len(line), per))


def _png(size: tuple[int, int], depth: int, colour: int, rows: list[bytes], plte: bytes) -> bytes:
    header = struct.pack(">IIBBBBB", *size, depth, colour, 0, 0, 0)
    stream = zlib.compress(b"".join(b"\0" + row for row in rows), 9)
    return (pnghead.SIGNATURE + _chunk(b"IHDR", header) + plte + _chunk(b"IDAT", stream) + _chunk(b"IEND", b""))


def drawings(seed: int, count: int, mode: str) -> list[Image.Image]:
    """Charts and diagrams: 1 to 12 flat rectangles on white, 96 × 64 to 800 × 500."""
    rng, out = random.Random(seed), []
    for _ in range(count):
        width, height = rng.choice([(96, 64), (320, 200), (640, 360), (800, 500)])
        image = Image.new("RGB", (width, height), "white")
        draw = ImageDraw.Draw(image)
        for _ in range(rng.randint(1, 12)):
            x0, x1 = sorted((rng.randrange(width), rng.randrange(width)))
            y0, y1 = sorted((rng.randrange(height), rng.randrange(height)))
            draw.rectangle([x0, y0, x1, y1], fill=tuple(rng.randrange(256) for _ in range(3)))
        out.append(image.convert("1") if mode == "1" else image.quantize(256, dither=Image.Dither.NONE))
    return out


def photos(count: int) -> list[Image.Image]:
    """Photos reduced to 256 colours with dithering, as pngquant does."""
    return [Image.frombytes("RGB", (640, 480), random.Random(n).randbytes(640 * 480 * 3))
            .filter(ImageFilter.GaussianBlur(5)).quantize(256) for n in range(count)]


def pngs(folder: Path) -> list[bytes]:
    return [path.read_bytes() for path in sorted(folder.rglob("*.png"))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--courses", type=int, default=5)
    parser.add_argument("--modules", type=int, default=40)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        generate(Path(work) / "corpus", args.courses, args.modules, 100, 2)
        generate(Path(work) / "photos", 1, 2, 100, 0, ("en",), 0, 2)
        corpus = pngs(Path(work) / "corpus")
        photo_pngs = pngs(Path(work) / "photos")
    raster.optimise(corpus[0], ".png", SETTINGS)  # Pillow's plugins loaded before any timing
    print(f"{'PNG set':<44} {'files':>5} {'bytes':>12}")
    measure("bench corpus", corpus)
    measure("courses/", pngs(PROJECT / "courses"))
    measure("photo course (1600 × 1200, resized)", photo_pngs)
    measure("bench corpus, once optimised", [raster.optimise(d, ".png", SETTINGS).data or d for d in corpus])
    measure("libpng-style palette drawings (2-13 colours)", [libpng_palette(i) for i in drawings(0, 40, "P")])
    measure("libpng-style 256-colour dithered photos", [libpng_palette(i) for i in photos(10)])
    measure("libpng-style black-and-white drawings", [libpng_grey(i) for i in drawings(1, 24, "1")])


if __name__ == "__main__":
    main()
