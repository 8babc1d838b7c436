"""Wait for files to change: watchfiles when it is installed, else a scan of modification times."""

from __future__ import annotations

import os
import queue
import threading
from pathlib import Path
from typing import Callable, Iterator

POLL_SECONDS = 0.3
EDITOR_LITTER = (".swp", ".swx", ".tmp", "~", ".part")  # saved beside a file by editors, never read by a build


def is_litter(path: Path) -> bool:
    """An editor's temporary file: a change to it is not a save."""
    return path.name.endswith(EDITOR_LITTER) or path.name.startswith((".#", "#"))


def watch(paths: list[Path], ignore: Callable[[Path], bool], stop: threading.Event) -> Iterator[set[Path]]:
    """Sets of changed files under `paths` (those `ignore` rejects left out), until `stop` is set."""
    try:
        import watchfiles
    except ImportError:
        yield from _poll(paths, ignore, stop)
        return
    keep = lambda change, name: not ignore(Path(name)) and not is_litter(Path(name))  # noqa: E731
    for changes in watchfiles.watch(*paths, watch_filter=keep, stop_event=stop, raise_interrupt=True,
                                    debounce=400, step=50, yield_on_timeout=False):
        yield {Path(name) for _, name in changes}


class Watcher:
    """Watches in a thread from the moment it is made, so a save during the first build is not missed."""

    def __init__(self, paths: list[Path], ignore: Callable[[Path], bool],
                 warn: Callable[[str], None] = lambda message: None) -> None:
        self.stop = threading.Event()
        self.found: queue.Queue[set[Path]] = queue.Queue()
        threading.Thread(target=self._run, args=(paths, ignore, warn), daemon=True).start()

    def _run(self, paths: list[Path], ignore: Callable[[Path], bool], warn: Callable[[str], None]) -> None:
        try:
            for changed in watch(paths, ignore, self.stop):
                self.found.put(changed)
        except Exception as e:  # noqa: BLE001 (e.g. the system's limit of file watches reached)
            warn(f"watching files failed ({type(e).__name__}: {e}); checking them a few times a second instead")
            for changed in _poll(paths, ignore, self.stop):
                self.found.put(changed)

    def next(self) -> set[Path]:
        """Every file changed since the last call, waiting for the first one (Ctrl-C still stops the wait)."""
        changed: set[Path] = set()
        while not changed:
            try:
                changed = set(self.found.get(timeout=0.5))
            except queue.Empty:
                continue
        while not self.found.empty():
            changed |= self.found.get_nowait()
        return changed

    def close(self) -> None:
        self.stop.set()


def _poll(paths: list[Path], ignore: Callable[[Path], bool], stop: threading.Event) -> Iterator[set[Path]]:
    """The fallback: compare every file's size and modification time a few times a second."""
    before = _snapshot(paths, ignore)
    while not stop.wait(POLL_SECONDS):
        now = _snapshot(paths, ignore)
        changed = {p for p in before.keys() | now.keys() if before.get(p) != now.get(p)}
        before = now
        if changed:
            yield changed


def _snapshot(paths: list[Path], ignore: Callable[[Path], bool]) -> dict[Path, tuple[int, int]]:
    found = {}
    for top in paths:
        for folder, dirs, names in os.walk(top):
            dirs[:] = [d for d in dirs if not ignore(Path(folder) / d)]
            for name in names:
                path = Path(folder) / name
                if ignore(path) or is_litter(path):
                    continue
                try:
                    stat = path.stat()
                except OSError:
                    continue
                found[path] = (stat.st_mtime_ns, stat.st_size)
    return found
