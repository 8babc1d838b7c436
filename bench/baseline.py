"""The bare baseline every figure in bench/ is compared with: the least a Markdown-to-zip packager must do.

For each course and language it reads every module and strips the front matter without parsing it;
Python-Markdown converts the text with builder.markup's extension list and one reused instance; a trivial
Jinja2 template wraps each page and a trivial one makes the home page; one zipfile zip (deflated) per course
and language gets the pages and every image. No validation, no link checks, no manifests.
"""

from __future__ import annotations

import re
import sys
import zipfile
from pathlib import Path

BENCH = Path(__file__).resolve().parent
sys.path[:0] = [str(BENCH.parent)]  # the checkout beside this file, whatever `pip install -e` points at

import jinja2  # noqa: E402
import markdown  # noqa: E402

from builder.markup import EXTENSIONS  # noqa: E402

_TRANSLATION = re.compile(r"(?P<name>.+)\.(?P<lang>[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})?)\.md$")

PAGE = jinja2.Template("""<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main>{{ body }}</main></body></html>
""", autoescape=True)

HOME = jinja2.Template("""<!doctype html>
<html lang="{{ lang }}"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><ol>{% for m in modules %}<li><a href="{{ m }}.html">{{ m }}</a></li>{% endfor %}</ol>
</main></body></html>
""", autoescape=True)


def _body(text: str) -> str:
    """Drop front matter without parsing it (a packager must at least not render it)."""
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        if end != -1:
            return text[end + 5:]
    return text


def baseline(roots: list[Path], out: Path) -> int:
    """Markdown -> trivial template -> one deflated zip per course and language. Returns pages."""
    from markupsafe import Markup

    md = markdown.Markdown(extensions=EXTENSIONS)
    pages = 0
    for root in roots:
        by_lang: dict[str, list[Path]] = {}
        for path in sorted((root / "modules").glob("*.md")):
            match = _TRANSLATION.fullmatch(path.name)
            by_lang.setdefault(match["lang"] if match else "", []).append(path)
        images = sorted(p for p in (root / "images").rglob("*") if p.is_file())
        for lang, paths in by_lang.items():
            suffix = f"-{lang}" if lang else ""
            with zipfile.ZipFile(out / f"{root.name}{suffix}.zip", "w", zipfile.ZIP_DEFLATED) as archive:
                names = []
                for path in paths:
                    md.reset()
                    body = md.convert(_body(path.read_text(encoding="utf-8")))
                    name = path.name[:-3] if not lang else path.name[:-4 - len(lang)]
                    names.append(name)
                    html = PAGE.render(lang=lang or "en", title=name, body=Markup(body))
                    archive.writestr(f"{name}.html", html.encode("utf-8"))
                archive.writestr("index.html", HOME.render(lang=lang or "en", title=root.name,
                                                           modules=names).encode("utf-8"))
                pages += len(paths) + 1
                for image in images:
                    archive.write(image, f"files/{image.relative_to(root).as_posix()}")
    return pages


if __name__ == "__main__":  # python bench/baseline.py OUT COURSE... (a whole process, for bench/targets.py)
    baseline([Path(a) for a in sys.argv[2:]], Path(sys.argv[1]))
