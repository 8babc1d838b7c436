"""Audio and video: `![label](x.mp4)` becomes a native player with its captions and transcript.

Runs before references are resolved: the player keeps the paths as the author wrote them
(captions and transcript links are rewritten beside the media file), so the one reference
check covers them all. Nothing is transcoded.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path
from urllib.parse import quote, unquote, urlsplit

import lxml.html
import markdown

from builder.limits import TRANSCRIPT, markdown_shape
from builder.locale import autonym
from builder.markup import Source
from builder.problems import Problems
from builder.rawhtml import sanitise
from builder.refs import LINK_ATTRS, LOAD_ATTRS, SOURCE_LINE
from builder.safefiles import read_course_text
from builder.sizes import human_size

VIDEO = {".mp4", ".m4v", ".webm", ".ogv", ".mov"}
AUDIO = {".mp3", ".m4a", ".aac", ".ogg", ".oga", ".opus", ".wav", ".flac"}
LARGE = 1_000_000  # bytes (1 MB, as download sizes are quoted): bigger media get a warning
_LANG = r"[a-z]{2,3}(?:-[A-Za-z0-9]{2,8})*"


def add_players(root: lxml.html.HtmlElement, source: Source, course_root: Path, lang: str, main_lang: str,
                t: dict[str, str], problems: Problems) -> None:
    """Turn media written as images into players; check that every video has captions."""
    for video in list(root.iter("video")):  # written as raw HTML: the author adds the tracks
        if not any(track.get("kind", "subtitles") in ("captions", "subtitles") for track in video.iter("track")):
            written = video.get("src") or "<video>"
            _captions_waived(video, written, source.line_of("<video"), source.path, problems,
                             'add a <track kind="captions" src="….vtt"> inside it, or write captions="none: '
                             '<reason>" on it when nothing in it needs captions')
    for img in list(root.iter("img")):
        src = (img.get("src") or "").strip()
        kind = "video" if _suffix(src) in VIDEO else "audio" if _suffix(src) in AUDIO else None
        path = _local_file(src, source.path, course_root) if kind else None
        if path is None:
            continue  # an image, or a reference the resolver reports (remote, missing, outside)
        player = Player(kind, src, path, source.line_of(src), lang, main_lang, course_root)
        player.build(img, source.path, t, problems)


def _suffix(url: str) -> str:
    return os.path.splitext(urlsplit(url).path)[1].lower()


def _local_file(src: str, module: Path, course_root: Path) -> Path | None:
    parts = urlsplit(src)
    if parts.scheme or src.startswith("//") or not parts.path:
        return None
    path = Path(os.path.normpath(module.parent / unquote(parts.path)))  # shown in messages: no 'modules/../'
    inside = path.resolve().is_relative_to(course_root.resolve())
    return path if inside and path.is_file() else None


def _captions_waived(element, written: str, line: int, module: Path, problems: Problems, hint: str) -> bool:
    """True when the author wrote captions="none: <reason>"; else an error naming `hint`. The attribute goes."""
    value = element.attrib.pop("captions", None)
    if value is None:
        problems.error(module, line, f"video '{written}' has no captions", hint)
        return False
    kind, _, reason = value.partition(":")
    if kind.strip() != "none":
        problems.error(module, line, f'captions="{value}" is not understood',
                       'the only value is "none: <reason>", for a video that needs no captions')
    elif not reason.strip():
        problems.error(module, line, 'captions="none" needs a reason',
                       'say why the video needs no captions, e.g. {: captions="none: music only, no speech" }')
    return True


class Player:
    """One `<audio>` or `<video>`, with what sits beside its file: captions and a transcript."""

    def __init__(self, kind: str, src: str, path: Path, line: int, lang: str, main_lang: str,
                 course_root: Path) -> None:
        self.kind, self.src, self.path, self.line = kind, src, path, line
        self.lang, self.main_lang, self.course_root = lang, main_lang, course_root
        self.stem = path.name[: -len(path.suffix)]
        folder = src.split("#")[0].split("?")[0].rpartition("/")[0]
        self.beside = f"{folder}/" if folder else ""  # files beside the media, as the author would write them

    def build(self, img, module: Path, t: dict[str, str], problems: Problems) -> None:
        """Replace `img` (or the paragraph it stands alone in) with the player; record what is missing."""
        parent = img.getparent()
        if parent.tag == "p" and (len(parent) > 1 or (parent.text or "").strip() or (img.tail or "").strip()):
            problems.error(module, self.line, f"{self.kind} '{self.src}' is inside a line of text",
                           "put it on a line of its own, with an empty line before and after")
            return
        media = self._element(img)
        if self.kind == "video":
            tracks = self._tracks()
            media.extend(tracks)
            if not tracks:
                _captions_waived(img, self.src, self.line, module, problems,
                                 f"add {self.stem}.vtt (or {self.stem}.<lang>.vtt) beside it, or write "
                                 '{: captions="none: <reason>" } after the video when nothing in it needs captions')
        wrapper = lxml.html.Element("figure", {"class": f"cp-media cp-{self.kind}"})
        wrapper.append(media)
        transcript = self._transcript(t, problems)
        if transcript is not None:
            wrapper.append(transcript)
        elif self.kind == "audio":
            problems.warn(module, self.line, f"audio '{self.src}' has no transcript",
                          f"add {self.stem}.transcript.md beside it, so that learners who cannot listen can read it")
        size = self.path.stat().st_size
        if size > LARGE:
            problems.warn(module, self.line, f"{self.kind} '{self.src}' is {human_size(size)}, which every learner "
                          "downloads with the course", "shorten it, or export it at a lower resolution or bitrate "
                          "(coursepack does not convert media)")
        target = parent if parent.tag == "p" else img
        wrapper.tail = target.tail
        target.getparent().replace(target, wrapper)

    def _element(self, img):
        """The player: native controls, only its first bytes fetched until played, the alt text as its name."""
        attrs = {"controls": "", "preload": "metadata", "src": self.src}
        if img.get("alt"):
            attrs["aria-label"] = img.get("alt")
        attrs.update((k, v) for k, v in img.attrib.items() if k not in ("src", "alt", "loading", "captions"))
        return lxml.html.Element(self.kind, attrs)

    def _tracks(self) -> list:
        """A <track> per caption file beside the video: map.vtt in the course's language, map.<lang>.vtt in that one."""
        found = []
        for name in sorted(os.listdir(self.path.parent)):
            if name == f"{self.stem}.vtt":  # no language in the name: the course's, as for module files
                found.append((self.main_lang, name))
            elif match := re.fullmatch(re.escape(self.stem) + rf"\.({_LANG})\.vtt", name):
                found.append((match[1], name))
        found.sort(key=lambda track: track[0] != self.lang)  # the page's language first, and the default
        tracks = []
        for code, name in found:
            attrs = {"kind": "captions", "srclang": code, "label": autonym(code),
                     "src": self.beside + quote(name), SOURCE_LINE: str(self.line)}
            if not tracks:
                attrs["default"] = ""
            tracks.append(lxml.html.Element("track", attrs))
        return tracks

    def _transcript(self, t: dict[str, str], problems: Problems):
        """The transcript beside the media (in the page's language first) as a <details> after the player."""
        present = set(os.listdir(self.path.parent))  # exact names: LMS servers are case-sensitive
        for code in (self.lang, None):
            for suffix in (".md", ".txt"):
                name = f"{self.stem}.transcript{'.' + code if code else ''}{suffix}"
                if name in present:
                    return self._details(self.path.parent / name, code or self.main_lang, t, problems)
        return None

    def _details(self, path: Path, lang: str, t: dict[str, str], problems: Problems):
        text = read_course_text(self.course_root, path, TRANSCRIPT, problems)
        shape = markdown_shape(text.split("\n")) if text is not None and path.suffix == ".md" else None
        if shape is not None:
            problems.error(path, shape.line + 1, shape.message, shape.hint)
            text = None
        details = lxml.html.Element("details", {"class": "cp-transcript"})
        if lang != self.lang:
            details.set("lang", lang)
        summary = lxml.html.Element("summary")
        summary.text = t["media_transcript"]
        details.append(summary)
        if text is None:
            return details
        try:
            body = _transcript_html(text, path.suffix, Source(path, text, prose=text.split("\n")), problems)
        except RecursionError:
            problems.error(path, 1, "the transcript nests too deeply to convert", "nest lists less deep, and put "
                           "a blank line between the terms of a long definition list")
            return details
        self._rebase(body)
        details.extend(list(body))
        return details

    def _rebase(self, body) -> None:
        """Links in the transcript are written from its folder; make them relative to the module, like the player."""
        for element in body.iter():
            for attr in LINK_ATTRS.get(element.tag, ()) + LOAD_ATTRS.get(element.tag, ()):
                value = element.get(attr)
                if value and not urlsplit(value).scheme and not value.startswith(("#", "/", "//")):
                    element.set(attr, self.beside + value)
                    element.set(SOURCE_LINE, str(self.line))


@cache
def _transcript_markdown() -> markdown.Markdown:
    """Plain Markdown for transcripts: no ids or footnotes, which could clash with the page's own. Extensions as
    objects: a name makes Python-Markdown scan every installed package's entry points (~10 ms)."""
    from markdown.extensions.abbr import AbbrExtension
    from markdown.extensions.def_list import DefListExtension
    from markdown.extensions.sane_lists import SaneListExtension
    from markdown.extensions.tables import TableExtension

    extensions = [SaneListExtension(), DefListExtension(), TableExtension(), AbbrExtension()]
    return markdown.Markdown(extensions=extensions, output_format="html")


def _transcript_html(text: str, suffix: str, source: Source, problems: Problems):
    """A transcript as HTML inside a <div>: Markdown (raw HTML as in modules), or plain text with a paragraph
    per blank-line block."""
    if suffix == ".md":
        md = _transcript_markdown()
        md.reset()
        try:
            html = md.convert(text)
        except BaseException:  # a RecursionError can leave the shared instance half-way
            _transcript_markdown.cache_clear()
            raise
        return lxml.html.fragment_fromstring(sanitise(html, source, problems), create_parent="div")
    body = lxml.html.Element("div")
    for block in re.split(r"\n\s*\n", text.strip()):
        paragraph = lxml.html.Element("p")
        lines = block.splitlines()
        paragraph.text = lines[0] if lines else ""
        for line in lines[1:]:
            br = lxml.html.Element("br")
            br.tail = line
            paragraph.append(br)
        body.append(paragraph)
    return body
