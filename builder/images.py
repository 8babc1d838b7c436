"""Images made small for slow links: what an optimised image is, and SVGs checked and minified.

Raster images are re-encoded by builder.raster, which imports Pillow (about 25 ms): only a build
that finds an image missing from its cache loads it. Functions here take bytes and return bytes;
they know nothing of courses, pages or caches (builder.media decides what to optimise and remembers
the results).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import PIL  # only its version: PIL.Image is imported by builder.raster when an image is re-encoded
from lxml import etree

from builder.refs import css_urls
from builder.trees import remove_keeping_tail
from builder.urls import scheme

OPTIMISED = {".png", ".jpg", ".jpeg"}  # re-encoded; other raster formats are only measured
MEASURED = {".gif", ".webp"}  # kept as they are: re-encoding could drop an animation
RECIPE = f"3 pillow {PIL.__version__} lxml {'.'.join(map(str, etree.LXML_VERSION))}"  # change = new cache keys

SVG_NS = "http://www.w3.org/2000/svg"
_EDITOR_NS = {"http://www.inkscape.org/namespaces/inkscape", "http://sodipodi.sourceforge.net/DTD/sodipodi-0.dtd",
              "http://ns.adobe.com/AdobeIllustrator/10.0/", "http://ns.adobe.com/SaveForWeb/1.0/",
              "http://www.bohemiancoding.com/sketch/ns"}
_TEXT = {"text", "tspan", "textPath", "title", "desc", "style"}  # whitespace in these is content
_UNITS = {"": 1.0, "px": 1.0, "pt": 96 / 72, "pc": 16.0, "mm": 96 / 25.4, "cm": 96 / 2.54, "in": 96.0}
_LENGTH = re.compile(r"\s*([0-9]*\.?[0-9]+(?:[eE][+-]?[0-9]+)?)\s*(px|pt|pc|mm|cm|in)?\s*")


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


# --- SVG -----------------------------------------------------------------------------------------

def optimise_svg(data: bytes) -> Optimised:
    """Check that an SVG runs nothing and loads nothing, then minify it; raises BadImage with the line."""
    root = checked_svg(data)
    width, height = svg_size(root)
    _minify(root)
    minified = etree.tostring(root, encoding="utf-8", xml_declaration=False)
    return Optimised(minified if len(minified) < len(data) else None, ".svg", width, height)


def checked_svg(data: bytes) -> etree._Element:
    """The parsed SVG, once it is known to run nothing and load nothing; raises BadImage with the line."""
    root = _parse_svg(data)
    check_svg(root)
    return root


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
