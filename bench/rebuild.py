"""Incremental rebuilds against a full build, in one run, on one generated corpus.

    python bench/rebuild.py [--courses 50 --modules 40 --words 400 --images 1 --repeat 3] [--json PATH]

It times `coursepack build` as a user runs it (the CLI, in this process, so interpreter start-up is left
out and reported apart): a full build into an empty folder, a rebuild with nothing changed, and a rebuild
after one module of one course was edited, next to that course's own build time. Targets (issue 11):
no-change rebuild <= 0.3 s; one module edited <= 1 s plus that course's own build time. See bench/README.md.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
sys.path[:0] = [str(PROJECT), str(BENCH)]  # measure the checkout this file lives in

from builder.cli import main as coursepack  # noqa: E402
from corpus import generate  # noqa: E402


def timed_build(*args: str | Path) -> float:
    """Seconds for one `coursepack build ARGS`; a failed build stops the benchmark."""
    quiet = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        code = coursepack([str(a) for a in ("build", *args)], standalone_mode=False)
    seconds = time.perf_counter() - start
    if code:
        raise SystemExit(f"coursepack build {' '.join(map(str, args))} failed:\n{quiet.getvalue()}")
    return seconds


def age(folder: Path) -> None:
    """Date the corpus an hour back, as a catalogue written before today's build is: a file saved within a
    few seconds of being hashed is read again on the next build (builder.buildkey), which a corpus generated
    the second before the first build would turn into every file."""
    past = time.time() - 3600
    for path in folder.rglob("*"):
        os.utime(path, (past, past))


def best(repeat: int, run) -> float:
    return min(run() for _ in range(repeat))


def edit(module: Path, n: int) -> None:
    """A real edit: one more sentence at the end of the module (a new one each time)."""
    module.write_text(module.read_text(encoding="utf-8") + f"\nEdited once more ({n}).\n", encoding="utf-8")


def measure(work: Path, args: argparse.Namespace) -> dict:
    source, out, alone = work / "courses", work / "dist", work / "alone"
    generate(source, courses=args.courses, modules=args.modules, words=args.words, images=args.images)
    age(source)
    roots = sorted(p.parent for p in source.glob("*/course.yaml"))
    build = ("--source", source, "--out", out, "-j", str(args.jobs)) if args.jobs else ("--source", source,
                                                                                          "--out", out)
    figures = {"courses": len(roots), "modules": args.modules, "pages": len(roots) * (args.modules + 1)}
    figures["full_s"] = timed_build(*build, "--force")  # a cold output folder: everything written
    timed_build(*build)  # settle: files hashed within the racy window are read once more
    figures["no_change_s"] = best(args.repeat, lambda: timed_build(*build))
    target = roots[len(roots) // 2]
    module = sorted((target / "modules").glob("*.md"))[0]
    edits = iter(range(1, 1000))
    figures["one_edit_s"] = best(args.repeat, lambda: (edit(module, next(edits)), timed_build(*build))[1])
    figures["course_alone_s"] = best(args.repeat, lambda: timed_build(target, "--out", alone, "--force"))
    figures["edit_overhead_s"] = figures["one_edit_s"] - figures["course_alone_s"]
    figures["no_change_cli_s"] = best(args.repeat, lambda: _process(build))
    figures["serve_reload_s"] = serve_reload(target, module, args.repeat, work / "serve.log")
    return figures


def serve_reload(root: Path, module: Path, repeat: int, log: Path) -> float:
    """Best time from saving a module to the reload event of `coursepack serve` for that course."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    server = subprocess.Popen([sys.executable, "-m", "builder", "serve", str(root), "--port", str(port)], env=env,
                              stdout=subprocess.PIPE, stderr=log.open("w"), text=True)
    try:
        server.stdout.readline()  # the address, printed once the course is built
        events = urllib.request.urlopen(f"http://127.0.0.1:{port}/__coursepack__/events", timeout=120)
        _event(events)
        times = []
        for n in range(repeat):
            start = time.perf_counter()
            edit(module, 1000 + n)
            _event(events)
            times.append(time.perf_counter() - start)
        return min(times)
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=60)
        except subprocess.TimeoutExpired:
            server.kill()
            print(f"coursepack serve did not stop within 60 s of Ctrl-C; its log:\n{log.read_text()}")


def _event(stream) -> str:
    """The next server-sent event's data line."""
    while not (line := stream.readline().decode()).startswith("data: "):
        if not line:
            raise SystemExit("coursepack serve closed its event stream")
    return line


def _process(build: tuple) -> float:
    """The same no-change rebuild as a user's shell runs it: a new interpreter, imports and all."""
    env = {**os.environ, "PYTHONPATH": str(PROJECT)}
    start = time.perf_counter()
    subprocess.run([sys.executable, "-m", "builder", "build", *map(str, build)], env=env, check=True,
                   capture_output=True)
    return time.perf_counter() - start


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--courses", type=int, default=50)
    parser.add_argument("--modules", type=int, default=40, help="modules per course")
    parser.add_argument("--words", type=int, default=400, help="approximate words of prose per module")
    parser.add_argument("--images", type=int, default=1, help="PNG images per module (plus one SVG)")
    parser.add_argument("--jobs", type=int, default=0, help="courses built at once (default: one per core)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each rebuild; the best counts")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="coursepack-rebuild-") as work:
        figures = measure(Path(work), args)
        shutil.rmtree(work, ignore_errors=True)
    print(f"code: {PROJECT / 'builder'}; nproc {os.cpu_count()}; load {os.getloadavg()[0]:.1f}")
    print(f"corpus: {figures['courses']} courses x {args.modules} modules ({figures['pages']} pages), "
          f"~{args.words} words, {args.images} PNG + 1 SVG per module")
    rows = [("full build (--force, empty --out)", figures["full_s"], ""),
            ("rebuild, nothing changed", figures["no_change_s"], "target <= 0.3 s"),
            ("  same, as a new process (python -m builder)", figures["no_change_cli_s"], "start-up included"),
            ("rebuild, one module edited", figures["one_edit_s"], ""),
            ("  that course built alone", figures["course_alone_s"], ""),
            ("  edit rebuild - course alone", figures["edit_overhead_s"], "target <= 1 s"),
            (f"serve: save to reload, one {args.modules}-module course", figures["serve_reload_s"], "target <= 1 s")]
    for label, seconds, note in rows:
        print(f"{label:<46} {seconds:8.3f} s  {note}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return figures


if __name__ == "__main__":
    main()
