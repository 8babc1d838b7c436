"""Deterministic benchmark corpus: N course folders in coursepack's source format.

Every byte written depends only on the arguments (and the seed): text comes from a
seeded `random.Random` and built-in word lists, images are drawn from the same generator,
nothing reads the clock, and no set or dict iteration order is relied on.

    python bench/corpus.py OUT --courses 4 --modules 10 --words 800 --images 2 [--photos 2]

Each course has a course.yaml (with an explicit `modules:` list), and each module has
YAML front matter, a '# ' title, '##' and '###' sections with explicit ids, a table,
an ordered list, a `!!! note` admonition, a footnote, links to anchors that exist in
the neighbouring modules and on the page itself, `images` PNG files plus one SVG, all
with alt text, and `photos` photo-like images (JPEG and PNG, see `photo_bytes`). With several
languages, every module gets a `NAME.<lang>.md` translation (same structure, other sentences)
and course.yaml a `translations:` entry.
"""

from __future__ import annotations

import argparse
import io
import random
import struct
import zlib
from dataclasses import dataclass, field
from pathlib import Path

# --- word lists --------------------------------------------------------------------------

NOUNS = """plan map zone plot road river council permit resident budget school market street
drain bridge field farm house village district survey boundary owner request meeting
record report office clerk map legend scale water tank well path slope flood bank
hazard shelter clinic square park workshop storage warehouse neighbourhood community
committee officer engineer surveyor planner mayor councillor citizen tenant landlord
contract licence fee tax deadline schedule checklist form signature stamp archive file
photo sketch drawing plan section elevation footprint setback height density frontage
corridor transect parcel lot block quarter centre edge fringe settlement hamlet town
valley hill ridge terrace wetland forest pasture orchard canal pipe pump meter cable
pole lamp sign kerb pavement crossing junction roundabout bus route stop station depot
yard fence wall gate roof gutter foundation floor storey window door stair ramp""".split()

PLURALS = """plans maps zones plots roads rivers permits residents budgets schools markets
streets drains bridges fields farms houses villages districts surveys boundaries owners
requests meetings records reports offices clerks wells paths slopes hazards shelters
clinics squares parks workshops committees officers engineers surveyors planners
citizens tenants contracts licences fees deadlines checklists forms signatures
drawings sections parcels lots blocks settlements valleys terraces pipes pumps
routes stops fences walls gates roofs windows doors ramps neighbours families""".split()

ADJECTIVES = """local small large public private narrow wide steep flat dry wet green old new
current approved draft official informal formal municipal regional rural urban
northern southern eastern western central shared common simple complex clear
careful safe risky protected permitted conditional seasonal temporary permanent
accurate outdated recent early late practical useful legal technical basic main
minor major open closed busy quiet paved unpaved shaded flood-prone""".split()

VERBS_3 = """shows marks limits allows requires explains follows crosses joins divides
protects serves records lists checks describes affects changes reduces increases
supports covers reaches connects separates controls measures defines includes
guides replaces""".split()

VERBS = """check read draw measure compare review approve record list mark explain ask
visit note count sign file update share discuss agree plan protect map survey
confirm question inspect photograph""".split()

ADVERBS = """carefully often rarely usually quickly slowly always sometimes clearly first
together again later early""".split()

PREPOSITIONS = "on in near beside along across under over behind through beyond around".split()
DETERMINERS = "the the the a each every this that one another".split()
MODALS = "should must can may will could".split()
CONNECTORS = "When If Before After While Because Unless Once".split()

CODE = """R-1 C-2 I-3 A-4 E-5 P-6 1:5000 1:10000 ORD-12 RES-45""".split()

# --- prose -------------------------------------------------------------------------------


class Prose:
    """Sentences and phrases from a seeded generator; counts the words it produces."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.words = 0

    def pick(self, words: list[str]) -> str:
        return self.rng.choice(words)

    def noun_phrase(self) -> str:
        det = self.pick(DETERMINERS)
        adj = self.pick(ADJECTIVES) + " " if self.rng.random() < 0.5 else ""
        noun = self.pick(NOUNS)
        if det == "a" and (adj or noun)[0] in "aeiou":
            det = "an"
        return f"{det} {adj}{noun}"

    def _decorate(self, word: str) -> str:
        roll = self.rng.random()
        if roll < 0.04:
            return f"**{word}**"
        if roll < 0.07:
            return f"*{word}*"
        if roll < 0.08:
            return f"`{self.pick(CODE)}`"
        return word

    def sentence(self) -> str:
        form = self.rng.randrange(5)
        if form == 0:
            text = f"{self.noun_phrase()} {self.pick(VERBS_3)} {self.noun_phrase()} " \
                   f"{self.pick(PREPOSITIONS)} {self.noun_phrase()}"
        elif form == 1:
            text = f"{self.pick(CONNECTORS).lower()} {self.noun_phrase()} {self.pick(VERBS_3)} " \
                   f"{self.noun_phrase()}, {self.noun_phrase()} {self.pick(MODALS)} {self.pick(VERBS)} " \
                   f"{self.noun_phrase()}"
        elif form == 2:
            text = f"{self.pick(ADJECTIVES)} {self.pick(PLURALS)} {self.pick(MODALS)} {self.pick(ADVERBS)} " \
                   f"{self.pick(VERBS)} {self.noun_phrase()} {self.pick(PREPOSITIONS)} {self.noun_phrase()}"
        elif form == 3:
            text = f"you {self.pick(MODALS)} {self.pick(VERBS)} {self.noun_phrase()} and " \
                   f"{self.pick(VERBS)} {self.noun_phrase()} {self.pick(ADVERBS)}"
        else:
            text = f"{self.pick(PLURALS)} {self.pick(PREPOSITIONS)} {self.noun_phrase()} " \
                   f"{self.pick(VERBS)} {self.pick(ADVERBS)}, so {self.noun_phrase()} " \
                   f"{self.pick(VERBS_3)} {self.noun_phrase()}"
        words = text.split()
        self.words += len(words)
        words = [self._decorate(w) if i and "," not in w else w for i, w in enumerate(words)]
        first = words[0]
        return first[0].upper() + first[1:] + (" " + " ".join(words[1:]) if len(words) > 1 else "") + "."

    def paragraph(self, low: int = 3, high: int = 6) -> str:
        return " ".join(self.sentence() for _ in range(self.rng.randint(low, high)))

    def heading(self) -> str:
        form = self.rng.randrange(3)
        if form == 0:
            text = f"{self.pick(ADJECTIVES)} {self.pick(PLURALS)} and {self.pick(PLURALS)}"
        elif form == 1:
            text = f"{self.pick(VERBS)} the {self.pick(NOUNS)} {self.pick(PREPOSITIONS)} the {self.pick(NOUNS)}"
        else:
            text = f"the {self.pick(ADJECTIVES)} {self.pick(NOUNS)}"
        self.words += len(text.split())
        return text[0].upper() + text[1:]

    def phrase(self, low: int = 2, high: int = 4) -> str:
        words = [self.pick(ADJECTIVES if i % 2 == 0 else NOUNS) for i in range(self.rng.randint(low, high))]
        self.words += len(words)
        return " ".join(words)


def slug(text: str) -> str:
    out = "".join(c if c.isalnum() else "-" for c in text.lower())
    while "--" in out:
        out = out.replace("--", "-")
    return out.strip("-")


# --- images ------------------------------------------------------------------------------

PALETTE = [(46, 125, 50), (21, 101, 192), (249, 168, 37), (198, 40, 40), (106, 27, 154),
           (0, 131, 143), (93, 64, 55), (120, 144, 156), (255, 241, 118), (174, 213, 129)]


def _shapes(rng: random.Random, width: int, height: int, count: int) -> list[tuple]:
    shapes = []
    for _ in range(count):
        x0, y0 = rng.randrange(width - 8), rng.randrange(height - 8)
        x1, y1 = rng.randrange(x0 + 4, width), rng.randrange(y0 + 4, height)
        shapes.append((rng.choice(("rect", "ellipse")), x0, y0, x1, y1, rng.choice(PALETTE)))
    return shapes


def png_bytes(rng: random.Random, width: int = 96, height: int = 64) -> bytes:
    """A small map-like picture: a background and a few coloured shapes."""
    background = rng.choice(PALETTE[7:])
    shapes = _shapes(rng, width, height, 6)
    try:
        from PIL import Image, ImageDraw
    except ImportError:
        return _png_plain(width, height, background, shapes)
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    for kind, x0, y0, x1, y1, colour in shapes:
        (draw.rectangle if kind == "rect" else draw.ellipse)((x0, y0, x1, y1), fill=colour)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=False, compress_level=6)
    return buffer.getvalue()


def _png_plain(width: int, height: int, background: tuple, shapes: list[tuple]) -> bytes:
    """The same kind of picture without Pillow (rectangles only), encoded by hand."""
    rows = [bytearray(bytes(background) * width) for _ in range(height)]
    for _, x0, y0, x1, y1, colour in shapes:
        for y in range(y0, y1 + 1):
            rows[y][x0 * 3:(x1 + 1) * 3] = bytes(colour) * (x1 + 1 - x0)
    raw = b"".join(b"\x00" + bytes(row) for row in rows)

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


PHOTO_JPEG = (2000, 1500, 95)  # width, height, quality: a camera photo saved at high quality
PHOTO_PNG = (1600, 1200)  # a photo exported as PNG (screenshots of photos, "lossless" exports)


def photo_bytes(seed: str, kind: str) -> bytes:
    """A photo-like picture, deterministic for `seed`: a tinted gradient, soft colour blotches,
    mid-frequency texture and fine grain, so it compresses like a photo and not like a drawing.

    `kind` is "jpeg" (2000 × 1500, quality 95) or "png" (1600 × 1200). Needs Pillow. Pixels come from
    `random.Random(seed)` (a str seed is hashed with SHA-512, not with `hash()`), so bytes depend only
    on the seed and the Pillow version.
    """
    from PIL import Image, ImageChops, ImageOps

    rng = random.Random(seed)
    width, height = PHOTO_JPEG[:2] if kind == "jpeg" else PHOTO_PNG
    top, bottom = (tuple(rng.randrange(256) for _ in range(3)) for _ in range(2))
    base = ImageOps.colorize(Image.linear_gradient("L").resize((width, height)), top, bottom)
    blotches = Image.frombytes("RGB", (16, 12), rng.randbytes(16 * 12 * 3)).resize(
        (width, height), Image.Resampling.BICUBIC)
    image = Image.blend(base, blotches, 0.5)
    w8, h8 = width // 8, height // 8
    mid = Image.frombytes("L", (w8, h8), rng.randbytes(w8 * h8)).resize((width, height), Image.Resampling.BILINEAR)
    grain = Image.frombytes("L", (width, height), rng.randbytes(width * height))
    texture = Image.blend(mid, grain, 0.35).point(lambda v: 128 + (v - 128) * 3 // 10)
    image = ImageChops.add(image, Image.merge("RGB", (texture,) * 3), scale=1.0, offset=-128)
    buffer = io.BytesIO()
    if kind == "jpeg":
        image.save(buffer, "JPEG", quality=PHOTO_JPEG[2])
    else:
        image.save(buffer, "PNG", compress_level=6)
    return buffer.getvalue()


def svg_text(rng: random.Random, title: str, width: int = 240, height: int = 160) -> str:
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
             f'width="{width}" height="{height}" role="img">', f"<title>{title}</title>",
             f'<rect width="{width}" height="{height}" fill="#f4f1e8"/>']
    for kind, x0, y0, x1, y1, (r, g, b) in _shapes(rng, width, height, 5):
        fill = f"#{r:02x}{g:02x}{b:02x}"
        if kind == "rect":
            parts.append(f'<rect x="{x0}" y="{y0}" width="{x1 - x0}" height="{y1 - y0}" fill="{fill}"/>')
        else:
            parts.append(f'<ellipse cx="{(x0 + x1) / 2:g}" cy="{(y0 + y1) / 2:g}" rx="{(x1 - x0) / 2:g}" '
                         f'ry="{(y1 - y0) / 2:g}" fill="{fill}"/>')
    parts.append(f'<path d="M10 {height - 20} L{width // 2} 20 L{width - 10} {height - 30}" '
                 'stroke="#333" stroke-width="3" fill="none"/>')
    parts.append("</svg>\n")
    return "\n".join(parts)


# --- plan and write ----------------------------------------------------------------------


@dataclass
class Section:
    title: str
    id: str
    subsections: list[tuple[str, str]] = field(default_factory=list)  # (title, id)


@dataclass
class ModulePlan:
    number: int
    name: str  # file stem, e.g. 03-the-open-valley
    title: str
    sections: list[Section]

    @property
    def anchors(self) -> list[str]:
        return [s.id for s in self.sections] + [i for s in self.sections for _, i in s.subsections]


@dataclass
class CourseInfo:
    """What was generated for one course (handy for benchmarks and tests)."""

    root: Path
    id: str
    languages: tuple[str, ...]
    modules: list[str]  # file stems
    images: list[str]  # paths relative to the course folder

    @property
    def pages(self) -> int:
        """Module pages plus the home page, in every language."""
        return (len(self.modules) + 1) * len(self.languages)


def _plan_module(prose: Prose, number: int, words: int) -> ModulePlan:
    title = prose.heading()
    count = max(2, min(8, round(words / 280)))
    sections = []
    for s in range(1, count + 1):
        heading = prose.heading()
        section = Section(heading, f"s{s}-{slug(heading)}")
        for u in range(1, (1 if words < 400 else 2) + 1):
            sub = prose.heading()
            section.subsections.append((sub, f"s{s}-{u}-{slug(sub)}"))
        sections.append(section)
    return ModulePlan(number, f"{number:02d}-{slug(title)[:40].strip('-')}", title, sections)


def _table(prose: Prose) -> str:
    columns = prose.rng.randint(3, 4)
    rows = prose.rng.randint(3, 5)
    header = [prose.pick(NOUNS).capitalize() for _ in range(columns)]
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    for _ in range(rows):
        cells = [prose.phrase(1, 3) if c else prose.pick(CODE) for c in range(columns)]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _module_text(prose: Prose, plan: ModulePlan, plans: list[ModulePlan], words: int,
                 images: list[tuple[str, str]]) -> str:
    """Markdown of one module; `images` are (relative path, alt text) pairs to place."""
    rng = prose.rng
    prose.words = 0
    out = ["---", f"description: {_yaml_str(prose.sentence())}", f"duration: {rng.randint(2, 9) * 5}min", "---",
           f"# {plan.title}", "", prose.paragraph(2, 4), ""]
    pending = list(images)
    extras = ["table", "note", "list", "footnote", "links"]
    for index, section in enumerate(plan.sections):
        out += [f"## {section.title} {{: #{section.id} }}", ""]
        budget = words * (index + 1) // len(plan.sections)  # cumulative, so the total lands near `words`
        blocks = [("sub", sub) for sub in section.subsections]
        # Spread the required features over the sections; the last one takes what is left.
        share = extras if index == len(plan.sections) - 1 else extras[:1]
        features, extras = share, extras[len(share):]
        for feature in features:
            blocks.insert(rng.randrange(len(blocks) + 1), ("feature", feature))
        if pending:
            take = pending if index == len(plan.sections) - 1 else pending[:max(1, len(pending) // 2)]
            pending = pending[len(take):]
            for image in take:
                blocks.insert(rng.randrange(len(blocks) + 1), ("image", image))
        out += [prose.paragraph(), ""]
        for kind, value in blocks:
            if kind == "sub":
                out += [f"### {value[0]} {{: #{value[1]} }}", "", prose.paragraph(), ""]
            elif kind == "image":
                out += [f"![{value[1]}]({value[0]})", ""]
            else:
                out += _feature(prose, value, plan, plans) + [""]
        while prose.words < budget:
            out += [prose.paragraph(), ""]
    out += [f"[^1]: {prose.sentence()} See {prose.noun_phrase()}.", ""]
    return "\n".join(out)


def _feature(prose: Prose, feature: str, plan: ModulePlan, plans: list[ModulePlan]) -> list[str]:
    rng = prose.rng
    if feature == "table":
        return [prose.paragraph(1, 2), "", _table(prose)]
    if feature == "note":
        return [f'!!! note "{prose.heading()}"', "    " + prose.paragraph(2, 3)]
    if feature == "list":
        return [f"{n}. {prose.sentence()}" for n in range(1, rng.randint(3, 5) + 1)]
    if feature == "footnote":
        return [f"{prose.sentence()[:-1]}[^1]. {prose.sentence()}"]
    # links: to the previous and next module (an anchor that exists there) and within the page
    lines = []
    for other in (plans[plan.number - 2] if plan.number > 1 else None,
                  plans[plan.number] if plan.number < len(plans) else None):
        if other is not None:
            anchor = rng.choice(other.anchors)
            lines.append(f"{prose.sentence()[:-1]}; see [{other.title}]({other.name}.md#{anchor}).")
    own = rng.choice(plan.anchors)
    lines.append(f"{prose.sentence()} The section [above or below](#{own}) says more.")
    return [" ".join(lines)]


def _yaml_str(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _course_yaml(course_id: str, title: str, prose: Prose, plans: list[ModulePlan],
                 languages: tuple[str, ...]) -> str:
    lines = [f"id: {course_id}", f"title: {_yaml_str(title)}", 'version: "1.0.0"', f"language: {languages[0]}"]
    if len(languages) > 1:
        lines.append(f"languages: [{', '.join(languages)}]")
    lines += [f"description: {_yaml_str(prose.sentence())}", "authors: [Ana Benchmark, Bo Corpus]",
              "organisation: coursepack benchmark", "licence: CC-BY-4.0",
              f"keywords: [{', '.join(prose.pick(NOUNS) for _ in range(4))}]", "duration: 2h 30min",
              "objectives:"] + [f"  - {_yaml_str(prose.sentence())}" for _ in range(3)]
    lines += ["completion:", "  rule: pages", "  mastery_score: 80", "modules:"]
    lines += [f"  - modules/{plan.name}.md" for plan in plans]
    if len(languages) > 1:
        lines.append("translations:")
        for lang in languages[1:]:
            lines += [f"  {lang}:", f"    title: {_yaml_str(f'{title} ({lang})')}",
                      f"    description: {_yaml_str(prose.sentence())}"]
    return "\n".join(lines) + "\n"


def generate(target_dir: str | Path, courses: int = 4, modules: int = 10, words: int = 800, images: int = 2,
             languages: tuple[str, ...] | list[str] = ("en",), seed: int = 0, photos: int = 0) -> list[CourseInfo]:
    """Write `courses` course folders into `target_dir` and return what was written.

    `words` is the approximate prose length of a module; `images` the PNG files per module
    (one SVG per module comes on top). The first language is the course language; the others
    get translated module files. `photos` photo-like images per module (odd ones JPEG, even ones
    PNG; see `photo_bytes`, which needs Pillow) come after the PNGs; with photos=0 the output is the
    same as without the option.
    """
    if courses < 1 or modules < 1 or words < 1 or images < 0 or photos < 0:
        raise ValueError("courses, modules and words must be at least 1, images and photos at least 0")
    languages = tuple(languages)
    target = Path(target_dir)
    target.mkdir(parents=True, exist_ok=True)
    infos = []
    for c in range(1, courses + 1):
        rng = random.Random(seed * 1_000_003 + c)
        prose = Prose(rng)
        course_id = f"bench-course-{c:02d}"
        root = target / course_id
        (root / "modules").mkdir(parents=True, exist_ok=True)
        (root / "images").mkdir(exist_ok=True)
        title = f"{prose.heading()} ({c})"
        plans = [_plan_module(prose, m, words) for m in range(1, modules + 1)]
        image_paths = []
        module_images: list[list[tuple[str, str]]] = []
        for plan in plans:
            placed = []
            for i in range(1, images + 1):
                name = f"images/m{plan.number:02d}-figure-{i}.png"
                (root / name).write_bytes(png_bytes(rng))
                placed.append((name, f"Figure {i}: {prose.phrase(3, 6)} {prose.pick(PREPOSITIONS)} "
                                     f"{prose.noun_phrase()}"))
            for i in range(1, photos + 1):
                kind = "jpeg" if i % 2 else "png"
                name = f"images/m{plan.number:02d}-photo-{i}.{'jpg' if kind == 'jpeg' else 'png'}"
                (root / name).write_bytes(photo_bytes(f"{seed}-{c}-{plan.number}-{i}", kind))
                placed.append((name, f"Photo {i}: {prose.noun_phrase()} {prose.pick(PREPOSITIONS)} "
                                     f"{prose.noun_phrase()}"))
            name = f"images/m{plan.number:02d}-diagram.svg"
            alt = f"Diagram of {prose.noun_phrase()} and {prose.noun_phrase()}"
            (root / name).write_text(svg_text(rng, alt), encoding="utf-8")
            placed.append((name, alt))
            image_paths += [path for path, _ in placed]
            module_images.append([(f"../{path}", text) for path, text in placed])
        for plan, placed in zip(plans, module_images):
            for l, lang in enumerate(languages):
                suffix = "" if l == 0 else f".{lang}"
                text = _module_text(prose, plan, plans, words, placed)
                (root / "modules" / f"{plan.name}{suffix}.md").write_text(text, encoding="utf-8")
        (root / "course.yaml").write_text(_course_yaml(course_id, title, prose, plans, languages),
                                          encoding="utf-8")
        infos.append(CourseInfo(root, course_id, languages, [p.name for p in plans], image_paths))
    return infos


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Write a deterministic benchmark corpus of coursepack courses.")
    parser.add_argument("out", type=Path, help="folder to write the course folders into")
    parser.add_argument("--courses", type=int, default=4)
    parser.add_argument("--modules", type=int, default=10, help="modules per course")
    parser.add_argument("--words", type=int, default=800, help="approximate words of prose per module")
    parser.add_argument("--images", type=int, default=2, help="PNG images per module (plus one SVG)")
    parser.add_argument("--languages", default="en", help="comma-separated, course language first (e.g. en,es)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--photos", type=int, default=0,
                        help="photo-like images per module: odd ones 2000×1500 JPEG q95, even ones 1600×1200 PNG")
    args = parser.parse_args(argv)
    infos = generate(args.out, args.courses, args.modules, args.words, args.images,
                     tuple(args.languages.split(",")), args.seed, args.photos)
    pages = sum(info.pages for info in infos)
    print(f"wrote {len(infos)} courses ({pages} pages, {sum(len(i.images) for i in infos)} images) to {args.out}")


if __name__ == "__main__":
    main()
