"""`coursepack serve`: preview courses in the browser while writing them.

Each course's offline site (the package holding every language, for a course in several) is written
into a temporary folder and served on 127.0.0.1 only. A save under a course folder rebuilds that course,
a save in the shipped templates every course; only files whose bytes changed are rewritten. Pages get a
small script, added as they are sent and never written to a file (so never into a package), that listens
on an event stream: it reloads the page after a rebuild and shows the problems over the page while the
course has errors. The previous site stays served until the course builds again.
"""

from __future__ import annotations

import html
import json
import shutil
import signal
import tempfile
import threading
import time
import traceback
import webbrowser
from dataclasses import dataclass, field
from functools import partial
from http import HTTPStatus
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Callable

import click

from builder.build import CourseResult, gather
from builder.formats import MAX_INLINE, Request
from builder.formats.base import site_files
from builder.library import package_entry
from builder.media import default_cache
from builder.problems import CoursepackError, Problems
from builder.render import Site
from builder.report import Reporter
from builder.resources import templates
from builder.watch import Watcher

EVENTS = "/__coursepack__/events"  # the reload stream; a path no course file can have
KEEPALIVE_SECONDS = 15
RELOAD_SCRIPT = """<script>/* coursepack serve only: reload after a rebuild, show errors; never in a package */
(function () {
  if (!window.EventSource) return;
  var seen = null, box = null;
  new EventSource('%s').onmessage = function (m) {
    var d = JSON.parse(m.data);
    if (d.errors.length) {
      if (!box) {
        box = document.createElement('pre');
        box.id = 'coursepack-serve-errors';
        box.setAttribute('role', 'alert');
        box.style.cssText = 'position:fixed;z-index:2147483647;left:0;right:0;bottom:0;max-height:60vh;' +
          'overflow:auto;margin:0;padding:1em;background:#fff4f4;color:#7a0000;border-top:4px solid #c00;' +
          'font:14px/1.4 monospace;white-space:pre-wrap;text-align:left;direction:ltr';
        document.body.appendChild(box);
      }
      box.textContent = 'coursepack serve: the course has errors; the last good build is shown.\\n\\n' +
        d.errors.join('\\n');
    } else if (box) { box.parentNode.removeChild(box); box = null; }
    if (seen !== null && d.version !== seen && !d.errors.length) location.reload();
    seen = d.version;
  };
})();</script>
""" % EVENTS
PLACEHOLDER = ("<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{name}</title></head>"
               "<body><h1>{name}</h1><p>This course has not built yet: its problems are listed in the terminal "
               "and below. The page reloads when it builds.</p></body></html>")


@dataclass
class State:
    """What the pages are told: a build counter, and the errors of every course that does not build."""

    version: int = 0
    errors: dict[Path, list[str]] = field(default_factory=dict)
    changed: threading.Condition = field(default_factory=threading.Condition)

    def publish(self, root: Path, errors: list[str], rebuilt: bool) -> None:
        """Record a course's build, and wake every page waiting on the event stream."""
        with self.changed:
            self.errors.pop(root, None)
            if errors:
                self.errors[root] = errors
            self.version += rebuilt
            self.changed.notify_all()

    def message(self) -> bytes:
        """The event every page gets: the counter, and all errors (course by course)."""
        errors = [line for root in sorted(self.errors) for line in self.errors[root]]
        return f"data: {json.dumps({'version': self.version, 'errors': errors})}\n\n".encode()


class Preview:
    """The courses being previewed, their site folders under one temporary folder, and the build state."""

    def __init__(self, roots: list[Path], source: Path | None, cache: Path | None) -> None:
        self.roots = [r.resolve() for r in roots]
        self.source = source.resolve() if source else None
        self.cache = cache
        self.site = Path(tempfile.mkdtemp(prefix="coursepack-serve-"))
        self.state = State()

    def folder(self, root: Path) -> Path:
        return self.site / root.name

    def build(self, root: Path) -> None:
        """Build one course into its folder; on errors keep the last good site and report them."""
        start = time.perf_counter()
        problems = Problems()
        sites = _gather(root, problems, self.cache)
        Reporter().course_done(CourseResult(root, problems=problems.items))
        errors = [str(p) for p in problems.errors] or ([] if sites else [f"{root.name}: the course has no modules"])
        if errors:
            _write(self.folder(root) / "index.html", PLACEHOLDER.format(name=html.escape(root.name)).encode(),
                   only_if_missing=True)
            click.echo(f"{root.name}: {len(errors)} error(s); still showing the last good build", err=True)
            self.state.publish(root, errors, rebuilt=False)
            return
        written = _sync(self.folder(root), offline_files(sites[-1]))  # [-1]: every language, if several
        click.echo(f"{root.name}: built in {time.perf_counter() - start:.2f} s, {written} file(s) changed", err=True)
        self.state.publish(root, [], rebuilt=True)

    def changed(self, paths: set[Path]) -> None:
        """Rebuild the courses `paths` belong to: every course for a shipped template."""
        if any(p.is_relative_to(templates()) for p in paths):
            todo = list(self.roots)
        else:
            self._find_new_courses()
            todo = [r for r in self.roots if any(p.is_relative_to(r) for p in paths)]
        for root in todo:
            self.build(root)

    def _find_new_courses(self) -> None:
        """A course folder created under --source while serving every course joins the preview."""
        if self.source:
            for config in sorted(self.source.glob("*/course.yaml")):
                if config.parent not in self.roots:
                    self.roots.append(config.parent)
                    click.echo(f"new course: {config.parent.name}", err=True)

    def ignored(self, path: Path) -> bool:
        """Image caches (written by the builds themselves) and hidden folders such as .git in what is watched."""
        caches = {(self.cache or default_cache(r)).resolve() for r in self.roots}
        if any(path.is_relative_to(c) for c in caches):
            return True
        base = next((b for b in (self.source, *self.roots, templates()) if b and path.is_relative_to(b)), None)
        return base is not None and any(part.startswith(".") for part in path.relative_to(base).parts[:-1])

    def index(self) -> bytes:
        """The page at /: a list of the courses being previewed."""
        items = "".join(f'<li><a href="{html.escape(r.name)}/index.html">{html.escape(r.name)}</a></li>'
                        for r in self.roots)
        return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>coursepack serve</title>'
                f"</head><body><h1>Courses</h1><ul>{items}</ul></body></html>").encode()


def _gather(root: Path, problems: Problems, cache: Path | None) -> list[Site]:
    """The course's sites; an exception (a bug in coursepack) becomes one error, so the preview goes on."""
    try:
        return gather(root, problems, cache)[1]
    except Exception as e:  # noqa: BLE001
        context = click.get_current_context(silent=True)
        if context and context.find_root().params.get("debug"):
            traceback.print_exc()
        problems.error(root, 0, f"internal error: {type(e).__name__}: {e}", "a bug in coursepack, not in your "
                       "course: please report it with the traceback that `coursepack --debug serve` prints")
        return []


def _sync(folder: Path, files: dict[str, bytes | Path]) -> int:
    """Make `folder` hold exactly `files`, rewriting only what differs; the number of files changed."""
    changed = 0
    for name, content in files.items():
        data = content if isinstance(content, bytes) else content.read_bytes()
        changed += _write(folder / name, data)
    wanted = {folder / name for name in files}
    for path in sorted(folder.rglob("*"), reverse=True):
        if path.is_file() and path not in wanted:
            path.unlink()
            changed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return changed


def _write(path: Path, data: bytes, only_if_missing: bool = False) -> bool:
    """Write `data` to `path` unless it already holds it (or, with only_if_missing, holds anything)."""
    if path.is_file() and (only_if_missing or path.read_bytes() == data):
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    temp = path.with_name(path.name + ".part")
    temp.write_bytes(data)
    temp.replace(path)  # a page fetched mid-rebuild is the old one or the new one, never half of one
    return True


class Handler(SimpleHTTPRequestHandler):
    """Files of the site folder, with the reload script added to every page, and the event stream."""

    preview: Preview

    def do_GET(self) -> None:  # noqa: N802 (the name http.server calls)
        path = self.path.split("?", 1)[0]
        if path == EVENTS:
            return self._events()
        if path == "/":
            if len(self.preview.roots) == 1:
                return self._redirect(f"/{self.preview.roots[0].name}/index.html")
            return self._page(self.preview.index())
        file = Path(self.translate_path(path))
        if file.is_dir():
            return self._redirect(path.rstrip("/") + "/index.html")
        if file.suffix == ".html" and file.is_file():
            return self._page(file.read_bytes())
        return super().do_GET()

    def _page(self, page: bytes) -> None:
        """A page with the reload script before its </body>."""
        at = page.rfind(b"</body>")
        at = at if at >= 0 else len(page)
        self._send(page[:at] + RELOAD_SCRIPT.encode() + page[at:], "text/html; charset=utf-8")

    def end_headers(self) -> None:
        self.send_header("Cache-Control", "no-store")  # a reload must show the rebuilt file
        super().end_headers()

    def log_message(self, format: str, *args) -> None:  # noqa: A002
        """Quiet: the terminal is for the course's problems."""

    def _send(self, body: bytes, kind: str) -> None:
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _redirect(self, to: str) -> None:
        self.send_response(HTTPStatus.FOUND)
        self.send_header("Location", to)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _events(self) -> None:
        """Server-sent events: the state now, then again after every build, until the page goes."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        state = self.preview.state
        try:
            with state.changed:
                while True:
                    self.wfile.write(state.message())
                    self.wfile.flush()
                    seen = state.version, dict(state.errors)
                    while (state.version, state.errors) == seen:
                        if not state.changed.wait(KEEPALIVE_SECONDS):
                            self.wfile.write(b": keep-alive\n\n")
                            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            return


def serve_courses(roots: list[Path], source: Path | None, cache: Path | None, port: int, open_browser: bool) -> None:
    """Build, serve and watch until Ctrl-C, then remove the temporary site."""
    server = _server(port)
    preview = Preview(roots, source, cache)
    server.RequestHandlerClass = partial(type("PreviewHandler", (Handler,), {"preview": preview}),
                                         directory=str(preview.site))
    running = threading.Thread(target=server.serve_forever, daemon=True)
    watched = [preview.source] if preview.source else list(preview.roots)
    watcher = Watcher([*watched, templates()], preview.ignored, lambda message: click.echo(message, err=True))
    stoppable = _stop_on_signals()
    try:
        for root in preview.roots:
            preview.build(root)
        url = f"http://127.0.0.1:{server.server_address[1]}/"
        running.start()
        click.echo(f"Serving {', '.join(r.name for r in preview.roots)} at {url} — press Ctrl-C to stop")
        if open_browser:
            webbrowser.open(url)
        while True:
            preview.changed(watcher.next())
    except KeyboardInterrupt:
        click.echo("Stopped.")
    finally:
        watcher.close()
        if running.is_alive():
            server.shutdown()
        server.server_close()
        shutil.rmtree(preview.site, ignore_errors=True)
        stoppable()


def _stop_on_signals() -> Callable[[], None]:
    """Ctrl-C and a plain `kill` stop the preview cleanly, even when started in the background (where a
    shell has Ctrl-C ignored); returns what puts the previous handlers back."""
    def stop(signum: int, frame: object) -> None:
        raise KeyboardInterrupt

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    return lambda: [signal.signal(sig, handler) for sig, handler in previous.items()]


def _server(port: int) -> ThreadingHTTPServer:
    """An HTTP server on 127.0.0.1 only (the preview is not for the network); its handler is set once built."""
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
    except OSError as e:
        raise CoursepackError(f"cannot serve on 127.0.0.1:{port}: {e.strerror} — choose another --port, "
                              "or leave it out for a free one") from None
    server.daemon_threads = True
    return server


def offline_files(site: Site) -> dict[str, bytes | Path]:
    """The files of the site's offline package, as `build -f offline` writes them."""
    request = Request(site, package_entry(site.course, site.lang, "offline"), "preview", MAX_INLINE)
    return site_files(request)
