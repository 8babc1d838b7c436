"""A `coursepack serve` subprocess for the tests: started on a free port, read over HTTP, stopped with Ctrl-C."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import urllib.request
from pathlib import Path

from builder.serve import EVENTS

HANG_GUARD = 20  # seconds


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """`coursepack serve COURSE --port N` in a subprocess, with its own temporary folder."""

    def __init__(self, course: Path, tmp: Path, ignore_ctrl_c: bool = False) -> None:
        self.tmp = tmp / "servetmp"
        self.tmp.mkdir()
        self.port = free_port()
        env = {**os.environ, "TMPDIR": str(self.tmp), "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen([sys.executable, "-m", "builder", "serve", str(course), "--port", str(self.port)],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env,
                                     preexec_fn=_ignore_ctrl_c if ignore_ctrl_c else None)
        self.err: list[str] = []
        threading.Thread(target=lambda: self.err.extend(self.proc.stderr), daemon=True).start()
        self.banner = self.proc.stdout.readline()  # blocks until the first build is done (or the process ends)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def get(self, path: str) -> str:
        with urllib.request.urlopen(self.url(path), timeout=HANG_GUARD) as response:
            return response.read().decode("utf-8")

    def leftovers(self) -> list[Path]:
        """What is left in its temporary folder: Jinja2's compiled templates stay, as a cache does (builder.render)."""
        return [p for p in self.tmp.iterdir() if not p.name.startswith("_jinja2-cache-")]

    def stop(self, signum: int = signal.SIGINT) -> tuple[int, str]:
        self.proc.send_signal(signum)
        try:
            out, _ = self.proc.communicate(timeout=HANG_GUARD)
        finally:
            self.proc.kill()
        return self.proc.returncode, out


class Events:
    """The reload stream, read one event at a time."""

    def __init__(self, server: Server) -> None:
        self.response = urllib.request.urlopen(server.url(EVENTS), timeout=HANG_GUARD)

    def next(self) -> dict:
        while True:
            line = self.response.readline().decode()
            assert line, "the event stream closed"
            if line.startswith("data: "):
                return json.loads(line[6:])


def _ignore_ctrl_c() -> None:
    """As a shell starts a background job (`coursepack serve &`): SIGINT ignored."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
