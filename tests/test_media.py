"""Images, audio and video made fit for a 2G link: smaller, sized, checked, captioned, cached.

Images are made here with Pillow: photo-like (smooth colour with grain: thousands of colours)
and flat graphics (a few colours, like a chart or a diagram).
"""

from __future__ import annotations

import hashlib
import io
import json
import multiprocessing
import os
import random
import struct
import threading
import zipfile
import zlib
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest
from PIL import Image, ImageCms, ImageDraw, ImageFilter
from PIL.PngImagePlugin import PngInfo

from builder import images, pnghead, raster
from builder.images import ImageSettings, optimise_svg
from builder.media import Media
from builder.package import write_cache_entry
from builder.problems import Problems
from builder.raster import optimise

COURSE = "courses/town-course"
MODULE = f"{COURSE}/modules/02-first-steps.md"
DEFAULT = ImageSettings()


# --- images made for the tests -------------------------------------------------------------------

def photo(width: int = 1000, height: int = 700, seed: int = 1, mode: str = "RGB") -> Image.Image:
    """Smooth colour with grain, like a photograph: far more than 256 colours."""
    grain = Image.frombytes("RGB", (width, height), random.Random(seed).randbytes(width * height * 3))
    smooth = grain.filter(ImageFilter.GaussianBlur(6)).resize((width, height))
    sky = Image.merge("RGB", [Image.linear_gradient("L").resize((width, height))] * 3)
    image = Image.blend(Image.blend(sky, smooth, 0.5), grain, 0.08)
    return image.convert(mode)


def flat(width: int = 800, height: int = 500) -> Image.Image:
    """A bar chart: a handful of flat colours."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    for i, colour in enumerate(("#1d3557", "#e63946", "#2a9d8f", "#f4a261")):
        draw.rectangle([60 + i * 180, 450 - 90 * (i + 1), 180 + i * 180, 450], fill=colour)
    draw.line([40, 450, 780, 450], fill="black", width=3)
    return image


def encoded(image: Image.Image, fmt: str = "PNG", **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(data))
    image.load()
    return image


# --- raster images -------------------------------------------------------------------------------

def test_a_photo_jpeg_gets_smaller_and_progressive():
    source = encoded(photo(), "JPEG", quality=95)
    result = optimise(source, ".jpg", DEFAULT)
    assert result.suffix == ".jpg" and len(result.data) < len(source) * 0.6
    assert opened(result.data).info.get("progressive") == 1
    assert (result.width, result.height) == (1000, 700)


def test_a_flat_png_becomes_a_palette_png_with_the_same_pixels():
    picture = flat()
    source = encoded(picture)
    result = optimise(source, ".png", DEFAULT)
    assert result.suffix == ".png" and len(result.data) < len(source) / 2
    packed = opened(result.data)
    assert packed.mode == "P"
    assert packed.convert("RGB").tobytes() == picture.tobytes()  # lossless


def test_a_see_through_flat_png_keeps_its_transparency_in_the_palette():
    picture = flat().convert("RGBA")
    picture.putalpha(_alpha(picture.size))
    result = optimise(encoded(picture), ".png", DEFAULT)
    packed = opened(result.data)
    assert packed.mode == "P" and visible(packed.convert("RGBA")) == visible(picture)


def _alpha(size: tuple[int, int]) -> Image.Image:
    """Left half see-through."""
    alpha = Image.new("L", size, 255)
    ImageDraw.Draw(alpha).rectangle([0, 0, size[0] // 2, size[1]], fill=0)
    return alpha


def visible(image: Image.Image) -> bytes:
    """RGBA pixels as seen: the colour of a fully see-through pixel does not matter."""
    image = image.copy()
    image.paste(0, mask=image.getchannel("A").point(lambda a: 255 if a == 0 else 0))
    return image.tobytes()


def test_a_photo_png_stays_png_unless_lossy_is_allowed():
    source = encoded(photo())
    lossless = optimise(source, ".png", DEFAULT)
    lossy = optimise(source, ".png", ImageSettings(lossy=True))
    assert lossless.data is None or lossless.suffix == ".png"
    assert lossy.suffix == ".jpg" and opened(lossy.data).format == "JPEG"
    assert len(lossy.data) < len(source) / 5


def test_lossy_keeps_see_through_and_flat_pngs_as_png():
    see_through = photo(mode="RGBA")
    see_through.putalpha(_alpha(see_through.size))
    assert optimise(encoded(see_through), ".png", ImageSettings(lossy=True)).suffix == ".png"
    assert optimise(encoded(flat()), ".png", ImageSettings(lossy=True)).suffix == ".png"


def test_wide_images_are_scaled_down_keeping_their_proportions():
    result = optimise(encoded(flat(2000, 1250)), ".png", DEFAULT)
    assert (result.width, result.height) == opened(result.data).size == (1280, 800)
    narrow = optimise(encoded(flat(2000, 1250)), ".png", ImageSettings(max_width=600))
    assert opened(narrow.data).size == (600, 375)
    small = optimise(encoded(flat(300, 200)), ".png", DEFAULT)
    assert (small.width, small.height) == (300, 200)  # never enlarged


def test_a_file_that_would_not_shrink_is_kept_as_it_is():
    once = optimise(encoded(flat()), ".png", DEFAULT).data
    again = optimise(once, ".png", DEFAULT)
    assert again.data is None and (again.width, again.height) == (800, 500)


def test_a_well_compressed_photo_png_is_kept_after_a_trial_on_strips(monkeypatch):
    source = encoded(photo(), optimize=True)
    heights = []
    png = raster._png
    monkeypatch.setattr(raster, "_png", lambda image: heights.append(image.height) or png(image))
    kept = optimise(source, ".png", DEFAULT)
    assert kept.data is None and (kept.width, kept.height) == (1000, 700)
    assert heights == [raster.TRIAL_ROWS] * raster.TRIAL_STRIPS  # the whole image was never encoded


def test_a_loosely_compressed_photo_png_is_still_made_smaller():
    source = encoded(photo(), compress_level=1)
    result = optimise(source, ".png", DEFAULT)
    assert result.data is not None and len(result.data) < len(source) * 0.95
    assert opened(result.data).tobytes() == opened(source).tobytes()


def test_metadata_is_dropped_and_the_orientation_applied():
    exif = Image.Exif()
    exif[0x0112] = 6  # orientation: turn 90° clockwise to show
    exif[0x010F] = "PhoneMaker"
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    jpeg = encoded(photo(600, 400), "JPEG", quality=95, exif=exif.tobytes(), icc_profile=srgb)
    result = opened(optimise(jpeg, ".jpg", DEFAULT).data)
    assert result.size == (400, 600)  # turned, so no viewer needs the orientation tag
    assert not result.getexif() and "icc_profile" not in result.info and "exif" not in result.info

    text = PngInfo()
    text.add_text("Author", "Ana, at home")
    png = encoded(flat(), pnginfo=text, icc_profile=srgb)
    assert "Author" in opened(png).info
    packed = opened(optimise(png, ".png", DEFAULT).data)
    assert "Author" not in packed.info and "icc_profile" not in packed.info


def test_an_image_pillow_cannot_read_is_an_author_error(project, run):
    (project / COURSE / "images" / "broken.png").write_bytes(b"\x89PNG\r\n\x1a\n not really")
    write_module(project, "# Two\n\n![A broken chart](../images/broken.png)\n")
    result = run("build", COURSE, "--out", "dist")
    assert result.exit_code == 1
    assert f"{COURSE}/images/broken.png:1: cannot read this image (" in result.stderr


# --- PNGs kept without Pillow (builder.pnghead) ---------------------------------------------------

def png_chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def indexed_png(width: int = 40, height: int = 30, colours: int = 20, *, level: int = 9, row_filter: int = 0,
                palette: bytes | None = None, extra: bytes = b"", interlace: int = 0) -> bytes:
    """A palette PNG as libpng-based optimisers write it: 8-bit unfiltered rows, every colour used."""
    palette = palette or bytes(v for i in range(colours) for v in (i * 12, 255 - i * 12, 7))
    rows = b"".join(bytes([row_filter]) + bytes((x + y) % colours for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 3, 0, 0, interlace)
    return (pnghead.SIGNATURE + png_chunk(b"IHDR", header) + png_chunk(b"PLTE", palette) + extra
            + png_chunk(b"IDAT", zlib.compress(rows, level)) + png_chunk(b"IEND", b""))


def test_a_png_pillow_would_not_shrink_is_kept_without_opening_it(project, run, monkeypatch):
    source = indexed_png()
    assert optimise(source, ".png", DEFAULT).data is None  # what Pillow makes of it: nothing smaller
    (project / COURSE / "images" / "chart.png").write_bytes(source)
    write_module(project, "# Two\n\n![Bar chart](../images/chart.png)\n")
    monkeypatch.setattr(raster, "optimise", lambda *a: pytest.fail("Pillow was asked"))
    files = built(run)
    assert files["files/images/chart.png"] == source
    assert '<img alt="Bar chart" src="files/images/chart.png" width="40" height="30">' in \
        files["02-first-steps.html"].decode()
    assert built(run, "again") == files  # from the cache entry the first build wrote


def test_a_grey_png_under_8_bits_is_kept_pillow_would_widen_it():
    source = encoded(flat().convert("1"), optimize=True)
    assert pnghead.cannot_shrink(source, 1280) == (800, 500)
    assert optimise(source, ".png", DEFAULT).data is None


@pytest.mark.parametrize("variant", [
    indexed_png(level=6), indexed_png(row_filter=1), indexed_png(colours=16), indexed_png(interlace=1),
    indexed_png(width=1300), indexed_png(colours=20, palette=bytes(range(63))),  # an entry never used
    indexed_png(palette=bytes(57) + b"\x01\x02\x03"),  # the same colour twice
    indexed_png(extra=png_chunk(b"tEXt", b"Author\0Ana")), indexed_png(extra=png_chunk(b"pHYs", bytes(9))),
    indexed_png() + b"trailing", indexed_png()[:-5] + b"\xff" + indexed_png()[-4:],  # a wrong CRC
    encoded(flat(), optimize=True), encoded(flat().convert("L"), optimize=True),
], ids=["level 6", "filtered rows", "16 colours", "interlaced", "too wide", "unused entry", "same colour twice",
        "text", "pHYs", "after IEND", "bad CRC", "RGB", "8-bit grey"])
def test_a_png_that_might_shrink_or_is_unusual_goes_to_pillow(variant):
    assert pnghead.cannot_shrink(variant, 1280) is None


def apng() -> bytes:
    frames = [Image.new("RGB", (40, 30), colour) for colour in ("red", "blue")]
    return encoded(frames[0], save_all=True, append_images=frames[1:], duration=100)


def huge_header(width: int, height: int) -> bytes:
    """A 1-bit PNG claiming `width` × `height` pixels, with a few bytes of stream."""
    header = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return (pnghead.SIGNATURE + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(bytes(99), 9))
            + png_chunk(b"IEND", b""))


@pytest.mark.parametrize("name, data, packaged, error", [
    ("anim.png", apng(), (None, ".png", 40, 30), None),  # kept: re-encoding would drop the animation
    ("deep.png", encoded(Image.new("I;16", (40, 30))), (None, ".png", 40, 30), None),
    ("print.jpg", encoded(photo(60, 40).convert("CMYK"), "JPEG"), (True, ".jpg", 60, 40), None),
    ("bomb.png", huge_header(20_000, 20_000), None, "cannot read this image (Image size (400000000 pixels) exceeds"),
    ("cut.png", indexed_png()[:-30], None, "cannot read this image ("),
], ids=["APNG", "16-bit", "CMYK JPEG", "bomb", "truncated"])
def test_hostile_images_keep_their_outcome_with_the_pre_check(tmp_path, name, data, packaged, error):
    (tmp_path / name).write_bytes(data)
    problems = Problems()
    prepared = Media(DEFAULT, None, root=tmp_path).prepare(tmp_path / name, problems)
    if error:
        assert prepared is None and [p.message[:len(error)] for p in problems.errors] == [error]
    else:
        assert not problems.items
        assert (prepared.data and True, prepared.suffix, prepared.width, prepared.height) == packaged


def test_a_png_broken_inside_sound_chunks_is_still_an_author_error(project, run):
    rows = b"".join(b"\0" + random.Random(y).randbytes(5) for y in range(30))  # 40 pixels of 1 bit
    rows = zlib.compress(rows, 9)[:-20]  # the stream stops short; the chunks' CRCs are right
    header = struct.pack(">IIBBBBB", 40, 30, 1, 0, 0, 0, 0)
    broken = (pnghead.SIGNATURE + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", rows) + png_chunk(b"IEND", b""))
    assert pnghead.cannot_shrink(broken, 1280) is None
    (project / COURSE / "images" / "broken.png").write_bytes(broken)
    write_module(project, "# Two\n\n![A broken chart](../images/broken.png)\n")
    result = run("build", COURSE, "--out", "dist")
    assert result.exit_code == 1
    assert f"{COURSE}/images/broken.png:1: cannot read this image (image file is truncated" in result.stderr


# --- SVG -------------------------------------------------------------------------------------------

INKSCAPE_SVG = b"""<?xml version="1.0" encoding="UTF-8" standalone="no"?>
<!-- Created with Inkscape -->
<svg xmlns="http://www.w3.org/2000/svg" xmlns:inkscape="http://www.inkscape.org/namespaces/inkscape"
     xmlns:sodipodi="http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd"
     xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" width="120mm" height="60mm" viewBox="0 0 120 60"
     inkscape:version="1.3" sodipodi:docname="map.svg">
  <sodipodi:namedview id="namedview1" pagecolor="#ffffff"/>
  <metadata>
    <rdf:RDF><rdf:Description about="map"/></rdf:RDF>
  </metadata>
  <title>Zones</title>
  <g inkscape:label="Layer 1" inkscape:groupmode="layer">
    <rect x="0" y="0" width="60" height="60" fill="#1d3557"/>
    <text x="70" y="30">R1 <tspan font-weight="bold">homes</tspan> only</text>
  </g>
</svg>
"""


def test_svg_is_minified_keeping_text_and_title():
    result = optimise_svg(INKSCAPE_SVG)
    assert result.data == (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="120mm" height="60mm" viewBox="0 0 120 60">'
        b'<title>Zones</title><g><rect x="0" y="0" width="60" height="60" fill="#1d3557"/>'
        b'<text x="70" y="30">R1 <tspan font-weight="bold">homes</tspan> only</text></g></svg>')
    assert (result.width, result.height) == (454, 227)  # 120 mm and 60 mm in CSS pixels


@pytest.mark.parametrize(("attributes", "size"), [
    ('width="240" height="80"', (240, 80)),
    ('viewBox="0 0 420 300"', (420, 300)),
    ('viewBox="0 0 420 300" width="630"', (630, 450)),
    ('width="100%" viewBox="0,0,50,25"', (50, 25)),
    ('width="100%"', (None, None)),
])
def test_svg_size_comes_from_width_height_or_the_view_box(attributes, size):
    result = optimise_svg(f'<svg xmlns="http://www.w3.org/2000/svg" {attributes}><rect/></svg>'.encode())
    assert (result.width, result.height) == size


UNSAFE = "remove it in a drawing or text editor: packaged images must not run code or load files"


@pytest.mark.parametrize(("body", "message"), [
    ('<rect/>\n<script>alert(1)</script>', f"3: this SVG contains a <script> element — {UNSAFE}"),
    ('<rect/>\n<rect onclick="go()"/>', f"3: this SVG has an event handler attribute 'onclick' on <rect> — {UNSAFE}"),
    ('<foreignObject><p xmlns="http://www.w3.org/1999/xhtml">Hi</p></foreignObject>',
     f"2: this SVG contains a <foreignObject> element — {UNSAFE}"),
    ('<image href="https://example.org/photo.jpg"/>', "2: this SVG refers to 'https://example.org/photo.jpg', "
     "which would need the internet — embed the file in the SVG or remove the reference"),
    ('<use xlink:href="//cdn.example.org/icons.svg#pin"/>', "2: this SVG refers to "
     "'//cdn.example.org/icons.svg#pin', which would need the internet — embed the file in the SVG or remove the "
     "reference"),
    ('<style>@import "https://fonts.example.org/a.css";</style>', "2: this SVG's style loads "
     "'https://fonts.example.org/a.css', which would need the internet — remove the reference"),
])
def test_an_svg_that_runs_code_or_reaches_out_is_refused(project, run, body, message):
    svg = ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" '
           f'viewBox="0 0 10 10">\n{body}\n</svg>\n')
    (project / COURSE / "images" / "map.svg").write_text(svg)
    write_module(project, "# Two\n\n![A map of the zones](../images/map.svg)\n")
    result = run("build", COURSE, "--out", "dist")
    assert result.exit_code == 1
    assert error_lines(result) == [f"{COURSE}/images/map.svg:{message}"]


# --- in a course: attributes, file names, identical files, cache, determinism ---------------------

def test_images_get_their_size_and_lazy_loading_after_the_first(project, run):
    folder = project / COURSE / "images"
    flat(2000, 1000).save(folder / "chart.png")
    encoded_photo = encoded(photo(), "JPEG", quality=95)
    (folder / "street.jpg").write_bytes(encoded_photo)
    write_module(project, "# Two\n\n![Bar chart of permits by zone](../images/chart.png)\n\n"
                          "![A street in San Isidro](../images/street.jpg)\n")
    files = built(run)
    body = files["02-first-steps.html"].decode()
    assert ('<img alt="Bar chart of permits by zone" src="files/images/chart.png" width="1280" height="640">'
            in body)
    assert ('<img alt="A street in San Isidro" src="files/images/street.jpg" width="1000" height="700" '
            'loading="lazy">' in body)
    assert len(files["files/images/street.jpg"]) < len(encoded_photo)
    assert opened(files["files/images/chart.png"]).size == (1280, 640)


def test_lossy_renames_a_photo_png_and_every_reference_to_it(project, run):
    config = project / COURSE / "course.yaml"
    config.write_text(config.read_text() + "images:\n  lossy: true\n  quality: 70\n")
    photo().save(project / COURSE / "images" / "market.png")
    write_module(project, "# Two\n\n![The market square](../images/market.png)\n\n"
                          "[Download the photo](../images/market.png)\n")
    files = built(run)
    body = files["02-first-steps.html"].decode()
    assert "files/images/market.png" not in files and "market.png" not in body
    assert 'src="files/images/market.jpg"' in body and 'href="files/images/market.jpg"' in body
    assert opened(files["files/images/market.jpg"]).format == "JPEG"


def test_identical_files_are_packaged_once(project, run):
    folder = project / COURSE / "images"
    flat().save(folder / "chart.png")
    flat().save(folder / "chart-copy.png")
    write_module(project, "# Two\n\n![Chart](../images/chart.png)\n\n![The same chart](../images/chart-copy.png)\n")
    files = built(run)
    body = files["02-first-steps.html"].decode()
    assert "files/images/chart-copy.png" not in files
    assert body.count('src="files/images/chart.png"') == 2


def test_a_rebuild_reuses_the_cache_and_does_no_image_work(project, run, monkeypatch):
    flat(2000, 1000).save(project / COURSE / "images" / "chart.png")
    photo().save(project / COURSE / "images" / "photo.jpg", quality=95)
    write_module(project, "# Two\n\n![Chart](../images/chart.png)\n\n![Photo](../images/photo.jpg)\n")
    calls = []
    for module, name in ((raster, "optimise"), (images, "optimise_svg"), (raster, "measure")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _real=real, _name=name: calls.append(_name) or _real(*a))

    first = built(run, "first")
    assert sorted(calls) == ["optimise", "optimise", "optimise_svg"]  # chart, photo; steps.svg on page one
    assert (project / "courses" / ".coursepack-cache").is_dir()
    calls.clear()
    assert built(run, "second") == first
    assert calls == []


SCRIPTED = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(document.domain)"><script>alert(1)</script></svg>'


@pytest.mark.parametrize("forged", [
    {"optimised": True, "suffix": ".svg", "width": 10, "height": 10},  # a PNG's entry: an SVG that runs code
    {"optimised": True, "suffix": ".html", "width": 10, "height": 10},  # a page in the package
    {"optimised": True, "suffix": ".png", "width": 10, "height": 10},  # script under a PNG's name
])
def test_a_forged_image_cache_entry_is_not_packaged(project, run, forged):
    """The cache folder may come from anyone (a shared repository, a restored CI cache): what an entry says
    is checked, and the rebuild packages what the course holds."""
    flat(2000, 1000).save(project / COURSE / "images" / "chart.png")
    write_module(project, "# Two\n\n![Chart](../images/chart.png)\n\n[The chart](../images/chart.png)\n")
    first = built(run, "first")
    for entry in (project / "courses" / ".coursepack-cache").rglob("*.img"):
        meta = entry.read_bytes().partition(b"\n")[0]
        own = '"suffix": ".svg"' in meta.decode()  # steps.svg, on page one: an SVG running code instead
        entry.write_bytes(json.dumps({**forged, "suffix": ".svg"} if own else forged).encode() + b"\n" + SCRIPTED)
    assert built(run, "second") == first


def test_a_forged_entry_does_not_let_an_svg_with_a_script_through(project, run):
    """An entry saying 'package the source as it is' for a drawing that runs code: it is checked all the same."""
    svg = project / COURSE / "images" / "map.svg"
    svg.write_bytes(SCRIPTED)
    write_module(project, "# Two\n\n![A map of the zones](../images/map.svg)\n")
    key = Media(DEFAULT, root=project)._key(hashlib.sha256(SCRIPTED).hexdigest(), ".svg")
    entry = project / "courses" / ".coursepack-cache" / key[:2] / f"{key}.img"
    entry.parent.mkdir(parents=True)
    entry.write_bytes(b'{"height": 10, "optimised": false, "suffix": ".svg", "width": 10}\n')
    result = run("build", COURSE, "--out", "dist")
    assert result.exit_code == 1
    assert error_lines(result) == [f"{COURSE}/images/map.svg:1: this SVG has an event handler attribute 'onload' on <svg> — {UNSAFE}"]


def write_entries(folder: Path) -> None:
    """What a worker does on a cold build: cache entries, some of them the ones another worker writes."""
    for _ in range(10):
        for n in range(20):
            write_cache_entry(folder / f"{n:02d}" / f"{n}.img", bytes([n]) * 5000)


@pytest.mark.skipif("fork" not in multiprocessing.get_all_start_methods(), reason="needs fork")
def test_cache_entries_are_whole_while_processes_write_the_same_ones(tmp_path):
    folder = tmp_path / "cache"
    with ProcessPoolExecutor(2, mp_context=multiprocessing.get_context("fork")) as pool:
        writing = [pool.submit(write_entries, folder) for _ in range(2)]
        while not all(w.done() for w in writing):
            for entry in folder.glob("*/*.img"):  # a reader sees a whole entry or none
                assert entry.read_bytes() == bytes([int(entry.stem)]) * 5000
        [w.result() for w in writing]
    assert sorted(p.name for p in folder.glob("*/*")) == sorted(f"{n}.img" for n in range(20))  # no temp left


@pytest.mark.skipif(not hasattr(os, "O_NOFOLLOW"), reason="no O_NOFOLLOW")
def test_a_cache_entry_is_never_written_through_a_planted_link(tmp_path):
    """The temp name of a cache write is predictable; one planted as a link in a cache folder from elsewhere (a
    shared repository, a restored CI cache) must not make the build overwrite the file it points to."""
    victim, folder = tmp_path / "victim.txt", tmp_path / "cache" / "ab"
    victim.write_text("keep me")
    folder.mkdir(parents=True)
    (folder / f".{os.getpid()}-{threading.get_ident()}.part").symlink_to(victim)
    with pytest.raises(OSError):  # Media._store takes an OSError as "no cache this time"
        write_cache_entry(folder / "ab.img", b"image")
    assert victim.read_text() == "keep me" and not (folder / "ab.img").exists()


def test_same_sources_give_byte_identical_zips_without_a_cache(project, run):
    flat(2000, 1000).save(project / COURSE / "images" / "chart.png")
    photo().save(project / COURSE / "images" / "photo.png")
    config = project / COURSE / "course.yaml"
    config.write_text(config.read_text() + "images:\n  lossy: true\n")
    write_module(project, "# Two\n\n![Chart](../images/chart.png)\n\n![Photo](../images/photo.png)\n")
    zips = []
    for n in (1, 2):
        assert run("build", COURSE, "--out", f"dist{n}", "--cache", f"cache{n}").exit_code == 0
        zips.append({p.name: p.read_bytes() for p in (project / f"dist{n}").glob("*.zip")})
    assert zips[0] == zips[1] and len(zips[0]) == 3


def test_images_settings_are_checked(project, run):
    config = project / COURSE / "course.yaml"
    config.write_text(config.read_text() + "images:\n  max_width: wide\n  lossy: yes please\n  size: 3\n")
    result = run("check", COURSE)
    assert error_lines(result) == [
        f"{COURSE}/course.yaml:20: images.max_width: expected a whole number from 16 to 10000, got text — write a "
        "plain number",
        f"{COURSE}/course.yaml:21: images.lossy: expected true or false, got text — write true or false",
        f"{COURSE}/course.yaml:22: images.size: unknown key — expected one of: lossy, max_width, quality",
    ]


# --- audio and video -------------------------------------------------------------------------------

NO_CAPTIONS = ("video '../media/map.mp4' has no captions — add map.vtt (or map.<lang>.vtt) beside it, or write "
               '{: captions="none: <reason>" } after the video when nothing in it needs captions')


def add_media(project: Path, *names: str, size: int = 1000) -> Path:
    folder = project / COURSE / "media"
    folder.mkdir(exist_ok=True)
    for name in names:
        text = f"WEBVTT - {name}\n\n00:00.000 --> 00:02.000\nHello\n".encode()  # distinct: not stored as one
        (folder / name).write_bytes(text if name.endswith(".vtt") else bytes(size))
    return folder


def test_a_video_without_captions_is_refused(project, run):
    add_media(project, "map.mp4")
    write_module(project, "# Two\n\nWatch this:\n\n![Video: how to read the map](../media/map.mp4)\n")
    result = run("build", COURSE, "--out", "dist")
    assert result.exit_code == 1
    assert error_lines(result) == [f"{MODULE}:5: {NO_CAPTIONS}"]


def test_captions_none_needs_a_reason(project, run):
    add_media(project, "map.mp4")
    write_module(project, '# Two\n\n![Video: the river in flood](../media/map.mp4){: captions="none" }\n')
    result = run("build", COURSE, "--out", "dist")
    assert error_lines(result) == [f'{MODULE}:3: captions="none" needs a reason — say why the video needs no '
                                   'captions, e.g. {: captions="none: music only, no speech" }']


def test_captions_none_with_a_reason_is_accepted(project, run):
    add_media(project, "map.mp4")
    write_module(project, '# Two\n\n![Video: the river in flood](../media/map.mp4)'
                          '{: captions="none: water sounds only, no speech" }\n')
    body = built(run)["02-first-steps.html"].decode()
    assert ('<figure class="cp-media cp-video"><video controls="" preload="metadata" src="files/media/map.mp4" '
            'aria-label="Video: the river in flood"></video></figure>') in body


def test_a_video_gets_its_caption_tracks_and_transcript(project, run):
    folder = add_media(project, "map.mp4", "map.vtt", "map.es.vtt")
    (folder / "map.transcript.md").write_text("**Ana:** Start at the [legend](https://example.org/legend).\n\n"
                                              "See also [the first module](../modules/01-welcome.md).\n")
    write_module(project, "# Two\n\n![Video: how to read the map](../media/map.mp4)\n\nAfter the video.\n")
    files = built(run)
    body = files["02-first-steps.html"].decode()
    assert (
        '<figure class="cp-media cp-video"><video controls="" preload="metadata" src="files/media/map.mp4" '
        'aria-label="Video: how to read the map">'
        '<track kind="captions" srclang="en" label="English" src="files/media/map.vtt" default=""></track>'
        '<track kind="captions" srclang="es" label="Español" src="files/media/map.es.vtt"></track></video>'
        '<details class="cp-transcript"><summary>Transcript</summary>'
        '<p><strong>Ana:</strong> Start at the <a href="https://example.org/legend" class="cp-external">legend'
        '<span class="cp-sr"> (needs an internet connection)</span></a>.</p>\n'
        '<p>See also <a href="01-welcome.html">the first module</a>.</p></details></figure>\n'
        '<p>After the video.</p>') in body
    assert {"files/media/map.mp4", "files/media/map.vtt", "files/media/map.es.vtt"} <= set(files)


def test_an_audio_gets_a_player_and_its_text_transcript(project, run):
    folder = add_media(project, "song.mp3")
    (folder / "song.transcript.txt").write_text("Verse one,\nline two.\n\nChorus & more.\n")
    write_module(project, "# Two\n\n![Song: planting season](../media/song.mp3)\n")
    body = built(run)["02-first-steps.html"].decode()
    assert ('<figure class="cp-media cp-audio"><audio controls="" preload="metadata" src="files/media/song.mp3" '
            'aria-label="Song: planting season"></audio><details class="cp-transcript"><summary>Transcript</summary>'
            '<p>Verse one,<br>line two.</p><p>Chorus &amp; more.</p></details></figure>') in body


def test_large_media_and_audio_without_transcript_are_warned_about(project, run):
    add_media(project, "talk.mp3", size=1_500_000)
    write_module(project, "# Two\n\n![Talk: the mayor on the plan](../media/talk.mp3)\n")
    result = run("build", COURSE, "--out", "dist")
    assert result.exit_code == 0
    assert [line for line in result.stderr.splitlines() if ": warning: " in line] == [
        f"{MODULE}:3: warning: audio '../media/talk.mp3' has no transcript — add talk.transcript.md beside it, "
        "so that learners who cannot listen can read it",
        f"{MODULE}:3: warning: audio '../media/talk.mp3' is 1.5 MB, which every learner downloads with the course "
        "— shorten it, or export it at a lower resolution or bitrate (coursepack does not convert media)",
    ]


def test_media_inside_a_sentence_and_raw_video_without_tracks_are_errors(project, run):
    add_media(project, "map.mp4", "map.vtt")
    write_module(project, "# Two\n\nWatch ![the map video](../media/map.mp4) now.\n\n"
                          '<video src="../media/map.mp4" controls></video>\n')
    result = run("build", COURSE, "--out", "dist")
    assert error_lines(result) == [
        f"{MODULE}:3: video '../media/map.mp4' is inside a line of text — put it on a line of its own, with an "
        "empty line before and after",
        f"{MODULE}:5: video '../media/map.mp4' has no captions — add a <track kind=\"captions\" src=\"….vtt\"> "
        'inside it, or write captions="none: <reason>" on it when nothing in it needs captions',
    ]


# --- links that need a connection ----------------------------------------------------------------

def test_external_links_are_marked_in_every_language(project, run):
    config = project / COURSE / "course.yaml"
    config.write_text(config.read_text().replace("language: en", "language: en\nlanguages: [en, es]"))
    write_module(project, "# Two\n\nSee [the law](https://example.org/law), [us](mailto:a@example.org) and "
                          "[step one](01-welcome.md).\n")
    (project / COURSE / "modules" / "02-first-steps.es.md").write_text(
        "# Dos\n\nVea [la ley](https://example.org/ley).\n\n## Antes de empezar {: #before-you-start }\n")
    assert run("build", COURSE, "--out", "dist", "-f", "offline").exit_code == 0
    english = read_zip(project / "dist" / "town-course-0.1.0-en-offline.zip")["02-first-steps.html"].decode()
    spanish = read_zip(project / "dist" / "town-course-0.1.0-es-offline.zip")["02-first-steps.html"].decode()
    assert ('<a href="https://example.org/law" class="cp-external">the law<span class="cp-sr"> '
            '(needs an internet connection)</span></a>, <a href="mailto:a@example.org">us</a> and '
            '<a href="01-welcome.html">step one</a>') in english
    assert ('<a href="https://example.org/ley" class="cp-external">la ley<span class="cp-sr"> '
            '(requiere conexión a internet)</span></a>') in spanish


# --- helpers ---------------------------------------------------------------------------------------

@pytest.fixture
def project(tmp_path, monkeypatch, run):
    """tmp_path as the working directory, holding the scaffold course courses/town-course."""
    monkeypatch.chdir(tmp_path)
    assert run("new", "town-course").exit_code == 0
    return tmp_path


def write_module(project: Path, text: str) -> None:
    """Replace the second module; it keeps the heading the first module links to."""
    (project / MODULE).write_text(text + "\n## Before you start\n", encoding="utf-8")


def built(run, out: str = "dist") -> dict[str, bytes]:
    """Build the offline package into `out`; every file inside it."""
    result = run("build", COURSE, "--out", out, "-f", "offline")
    assert result.exit_code == 0, result.output
    return read_zip(Path(out) / "town-course-0.1.0-offline.zip")


def read_zip(path: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(path) as archive:
        return {name: archive.read(name) for name in archive.namelist()}


def error_lines(result) -> list[str]:
    return [line for line in result.stderr.splitlines()[:-1] if line and ": warning: " not in line]
