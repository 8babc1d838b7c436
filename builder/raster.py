"""Raster images re-encoded with Pillow: PNG and JPEG made smaller, GIF and WebP measured.

Kept apart from builder.images so that Pillow is imported only when an image is not in the cache
(and, for a PNG, when builder.pnghead cannot tell from its bytes that it would not shrink).
"""

from __future__ import annotations

from io import BytesIO

from PIL import Image, ImageOps, UnidentifiedImageError

from builder.images import BadImage, ImageSettings, Optimised

try:
    from PIL import ImageCms
except ImportError:  # a Pillow built without LittleCMS: colours are kept as they are
    ImageCms = None

_MODES = {"1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "YCbCr"}
TRIAL_PIXELS = 1 << 18  # from this size up, a PNG kept at its size is first tried on a few strips
TRIAL_STRIPS, TRIAL_ROWS = 4, 32


def optimise(data: bytes, suffix: str, settings: ImageSettings) -> Optimised:
    """Smaller bytes for a PNG or JPEG (orientation applied, metadata dropped); the original when not smaller."""
    suffix = suffix.lower()
    try:
        with Image.open(BytesIO(data)) as source:
            if getattr(source, "is_animated", False) or source.mode not in _MODES:
                return Optimised(None, suffix, *source.size)  # an APNG or 16-bit image is kept as it is
            image = _to_srgb(ImageOps.exif_transpose(source))
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as e:
        raise BadImage(f"cannot read this image ({e})", "save it again as PNG or JPEG in an image editor") from None
    shown = image.size  # browsers apply the orientation of a kept original too
    image = _flatten(image)
    image.info = {}  # no EXIF, ICC profile or text chunk is written from here on
    if image.width > settings.max_width:
        height = max(1, round(image.height * settings.max_width / image.width))
        image = image.resize((settings.max_width, height), Image.Resampling.LANCZOS)
    elif suffix == ".png" and _cannot_shrink(image, len(data), settings):
        return Optimised(None, suffix, *shown)
    candidates = _encodings(image, suffix, settings)
    data_out, suffix_out = min(candidates, key=lambda c: len(c[0]))  # a tie keeps the first: the same format
    if len(data_out) >= len(data):
        return Optimised(None, suffix, *shown)
    return Optimised(data_out, suffix_out, *image.size)


def measure(data: bytes, suffix: str) -> Optimised:
    """A GIF or WebP as it is, with its size."""
    try:
        with Image.open(BytesIO(data)) as image:
            return Optimised(None, suffix.lower(), *image.size)
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError) as e:
        raise BadImage(f"cannot read this image ({e})", "save it again in an image editor") from None


def _to_srgb(image: Image.Image) -> Image.Image:
    """Colours converted to sRGB before the ICC profile is dropped, so a phone photo keeps its colours."""
    profile = image.info.get("icc_profile")
    if not profile or ImageCms is None or image.mode not in ("RGB", "RGBA", "CMYK"):
        return image
    try:
        converted = ImageCms.profileToProfile(image, ImageCms.ImageCmsProfile(BytesIO(profile)),
                                              ImageCms.createProfile("sRGB"),
                                              outputMode="RGBA" if image.mode == "RGBA" else "RGB")
    except (OSError, ValueError, ImageCms.PyCMSError):
        return image  # a broken profile: the pixels are used as they are
    return converted or image


def _flatten(image: Image.Image) -> Image.Image:
    """RGB(A) or L(A) pixels; an alpha channel only when some pixel is see-through."""
    if image.mode in ("P", "PA"):
        image = image.convert("RGBA" if "transparency" in image.info or image.mode == "PA" else "RGB")
    elif image.mode in ("1", "CMYK", "YCbCr"):
        image = image.convert("L" if image.mode == "1" else "RGB")
    elif "transparency" in image.info:  # an RGB or L image with one see-through colour
        image = image.convert("RGBA" if image.mode == "RGB" else "LA")
    if image.mode in ("RGBA", "LA"):
        alpha = image.getchannel("A")
        if alpha.getextrema() == (255, 255):
            return image.convert(image.mode[:-1])
        image.paste(0, mask=alpha.point(lambda a: 255 if a == 0 else 0))  # invisible pixels: one colour
    return image


def _cannot_shrink(image: Image.Image, size: int, settings: ImageSettings) -> bool:
    """A big PNG that keeps its size and colours, whose strips re-encoded promise no smaller file.

    Encoding a photo-sized PNG takes Pillow about half a second and saves nothing when the file was already
    well compressed; a few strips of it (an eighth of the rows) tell. The estimate runs about 2 % high, so a
    file it skips would have shrunk by 2 % at most; palette images and lossy JPEG candidates are always tried.
    """
    if image.width * image.height < TRIAL_PIXELS or image.height < TRIAL_STRIPS * TRIAL_ROWS:
        return False
    if settings.lossy and image.mode in ("RGB", "L"):
        return False
    if image.mode in ("RGB", "RGBA") and image.getcolors(256) is not None:  # a palette may hold it
        return False
    step = image.height // TRIAL_STRIPS
    strips = [image.crop((0, n * step, image.width, n * step + TRIAL_ROWS)) for n in range(TRIAL_STRIPS)]
    estimate = sum(len(_png(strip)) for strip in strips) * image.height / (TRIAL_STRIPS * TRIAL_ROWS)
    return estimate >= size


def _encodings(image: Image.Image, suffix: str, settings: ImageSettings) -> list[tuple[bytes, str]]:
    """The candidate files: a JPEG stays JPEG; a PNG stays PNG, or may become JPEG when lossy is allowed."""
    if suffix in (".jpg", ".jpeg"):
        return [(_jpeg(image, settings.quality), suffix)]
    palette = _palette(image)
    candidates = [(_png(palette or image), ".png")]
    if settings.lossy and palette is None and image.mode in ("RGB", "L"):  # photo-like and opaque
        candidates.append((_jpeg(image, settings.quality), ".jpg"))
    return candidates


def _palette(image: Image.Image) -> Image.Image | None:
    """The same pixels as a palette image, when 256 colours hold them exactly; else None."""
    if image.mode not in ("RGB", "RGBA"):
        return None
    colours = image.getcolors(256)
    if colours is None:
        return None
    if image.mode == "RGB":
        palette = Image.new("P", (1, 1))
        palette.putpalette([v for _, colour in sorted(colours, key=lambda c: (-c[0], c[1])) for v in colour])
        indexed = image.quantize(palette=palette, dither=Image.Dither.NONE)
    else:
        indexed = image.quantize(len(colours), method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    return indexed if indexed.convert(image.mode).tobytes() == image.tobytes() else None  # lossless or not at all


def _png(image: Image.Image) -> bytes:
    out = BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _jpeg(image: Image.Image, quality: int) -> bytes:
    out = BytesIO()
    image.convert("RGB" if image.mode != "L" else "L").save(out, "JPEG", quality=quality, optimize=True,
                                                            progressive=True)
    return out.getvalue()
