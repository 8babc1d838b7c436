"""Images made small for slow links: raster images re-encoded with Pillow, SVGs checked and minified.

Functions here take bytes and return bytes; they know nothing of courses, pages or caches
(builder.media decides what to optimise and remembers the results).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from io import BytesIO

import PIL
from lxml import etree
from PIL import Image, ImageOps, UnidentifiedImageError

from builder.refs import css_urls
from builder.trees import remove_keeping_tail
from builder.urls import scheme

try:
    from PIL import ImageCms
except ImportError:  # a Pillow built without LittleCMS: colours are kept as they are
    ImageCms = None

OPTIMISED = {".png", ".jpg", ".jpeg"}  # re-encoded; other raster formats are only measured
MEASURED = {".gif", ".webp"}  # kept as they are: re-encoding could drop an animation
RECIPE = f"2 pillow {PIL.__version__} lxml {'.'.join(map(str, etree.LXML_VERSION))}"  # change = new cache keys

SVG_NS = "http://www.w3.org/2000/svg"
_EDITOR_NS = {"http://www.inkscape.org/namespaces/inkscape", "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
              "http://ns.adobe.com/AdobeIllustrator/10.0/", "http://ns.adobe.com/SaveForWeb/1.0/",
              "http://www.bohemiancoding.com/sketch/ns"}
_TEXT = {"text", "tspan", "textPath", "title", "desc", "style"}  # whitespace in these is content
_UNITS = {"": 1.0, "px": 1.0, "pt": 96 / 72, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(px|pt|pc|mm|cm|in)?\s*")
_MODES = {"1", "L", "LA", "P", "PA", "RGB", "RGBA", "CMYK", "YCbCr"}
TRIAL_PIXELS = 1 << 18  # from this size up, a PNG kept at its size is first tried on a few strips
TRIAL_STRIPS, TRIAL_ROWS = 4, 32


@dataclass(frozen=True)
class ImageSettings:
    """How hard raster images are squeezed (course.yaml `images:`)."""

    max_width: int = 1280
    quality: int = 80
    lossy: bool = False


@dataclass(frozen=True)
class Optimised:
    """The packaged form of an image: `data` None keeps the source bytes; size in CSS pixels when known."""

    data: bytes | None
    suffix: str
    width: int | None = None
    height: int | None = None


class BadImage(Exception):
    """An image that cannot be packaged: what is wrong, where in the file, and how to fix it."""

    def __init__(self, message: str, hint: str, line: int = 0) -> None:
        super().__init__(message)
        self.message, self.hint, self.line = message, hint, line


# --- raster images -----------------------------------------------------------------------------

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


# --- SVG -----------------------------------------------------------------------------------------

def optimise_svg(data: bytes) -> Optimised:
    """Check that an SVG runs nothing and loads nothing, then minify it; raises BadImage with the line."""
    root = _parse_svg(data)
    check_svg(root)
    width, height = svg_size(root)
    _minify(root)
    minified = etree.tostring(root, encoding="utf-8", xml_declaration=False)
    return Optimised(minified if len(minified) < len(data) else None, ".svg", width, height)


def _parse_svg(data: bytes) -> etree._Element:
    parser = etree.XMLParser(remove_comments=True, remove_pis=True, resolve_entities="internal",
                             no_network=True, load_dtd=False, huge_tree=False)
    try:
        root = etree.fromstring(data, parser)
    except etree.XMLSyntaxError as e:
        raise BadImage(f"this SVG is not well-formed XML: {e.msg}", "open it in a drawing program and save it "
                       "again as plain SVG", e.lineno or 0) from None
    if root.tag != f"{{{SVG_NS}}}svg":
        raise BadImage("this file is not an SVG image (its root element is not <svg>)",
                       "export the drawing as SVG", root.sourceline or 0)
    return root


def check_svg(root: etree._Element) -> None:
    """Refuse scripts, event handlers, <foreignObject> and anything loaded from the internet."""
    hint = "remove it in a drawing or text editor: packaged images must not run code or load files"
    for element in root.iter():
        if not isinstance(element.tag, str):
            continue
        name = etree.QName(element).localname
        line = element.sourceline or 0
        if name.lower() in ("script", "foreignobject", "handler"):
            raise BadImage(f"this SVG contains a <{name}> element", hint, line)
        for attribute, value in element.attrib.items():
            local = etree.QName(attribute).localname
            if local.lower().startswith("on"):
                raise BadImage(f"this SVG has an event handler attribute '{local}' on <{name}>", hint, line)
            if local == "href" and (_remote(value) or scheme(value) not in ("", "data")):
                reach = ("which would need the internet" if _remote(value)
                         else f"a {scheme(value)}: URL, which a package does not allow")
                raise BadImage(f"this SVG refers to '{value.strip()}', {reach}",
                               "embed the file in the SVG or remove the reference", line)
            if local == "attributeName" and value.strip().endswith("href"):
                raise BadImage(f"this SVG animates a link (<{name} attributeName=\"{value}\">)", hint, line)
        css = [element.get("style") or ""] + ([element.text or ""] if name == "style" else [])
        for url in (u for text in css for u in css_urls(text)):
            if _remote(url):
                raise BadImage(f"this SVG's style loads '{url}', which would need the internet",
                               "remove the reference", line)


def _remote(url: str) -> bool:
    url = url.strip().lower()
    return url.startswith(("http:", "https:", "//", "ftp:"))


def svg_size(root: etree._Element) -> tuple[int | None, int | None]:
    """Width and height in CSS pixels from width/height, completed or replaced by the viewBox's proportions."""
    width, height = _length(root.get("width")), _length(root.get("height"))
    box = _view_box(root.get("viewBox"))
    if box and width is None and height is None:
        width, height = box
    elif box and width is None:
        width = height * box[0] / box[1]
    elif box and height is None:
        height = width * box[1] / box[0]
    if width is None or height is None:
        return None, None
    return max(1, round(width)), max(1, round(height))


def _length(value: str | None) -> float | None:
    match = _LENGTH.fullmatch(value or "")
    if not match or float(match[1]) <= 0:
        return None  # absent, or relative (%, em) and so unknown here
    return float(match[1]) * _UNITS[match[2] or ""]


def _view_box(value: str | None) -> tuple[float, float] | None:
    try:
        numbers = [float(n) for n in re.split(r"[\s,]+", (value or "").strip())]
    except ValueError:
        return None
    return (numbers[2], numbers[3]) if len(numbers) == 4 and numbers[2] > 0 and numbers[3] > 0 else None


def _minify(root: etree._Element) -> None:
    """Drop editor data and <metadata>, and whitespace between tags outside text (comments went at parsing)."""
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        if etree.QName(element).namespace in _EDITOR_NS or element.tag == f"{{{SVG_NS}}}metadata":
            remove_keeping_tail(element)
            continue
        for attribute in [a for a in element.attrib if etree.QName(a).namespace in _EDITOR_NS]:
            del element.attrib[attribute]
    _strip_space(root)
    etree.cleanup_namespaces(root)


def _strip_space(element: etree._Element) -> None:
    if etree.QName(element).localname in _TEXT or element.get("{http://www.w3.org/XML/1998/namespace}space") \
            == "preserve":
        return
    if element.text and not element.text.strip():
        element.text = None
    for child in element:
        if child.tail and not child.tail.strip():
            child.tail = None
        if isinstance(child.tag, str):
            _strip_space(child)
