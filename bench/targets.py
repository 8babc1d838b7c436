"""The speed targets of issue 12, each figure beside the bare baseline measured in the same run.

    python bench/targets.py                       # 50 courses × 40 modules (2,000 pages): a few minutes
    python bench/targets.py --courses 5 --scale 40,200 --repeat 1   # a quick look
    python bench/targets.py --courses 1 --only small --repeat 9      # only the small course's figures

1. cold build of the corpus, all three formats, default jobs, empty image cache, against the baseline's
   single-process time (target ≤ 0.36×); with jobs=1 and warm-cache builds beside it, and the floor: the
   share of the baseline's CPU spent in Python-Markdown's convert, divided by the cores;
2. one 5-module course as a whole `coursepack build` process (target ≤ 0.3 s), and the part of it spent
   importing (`python -X importtime`, target ≤ 0.15 s, leaving out Python's own `site`), against the baseline
   as a whole process;
3. peak memory (max RSS) of the build's parent and of its biggest worker (target ≤ 100 MB), against the
   baseline process's;
4. time per page at each --scale page count (jobs=1, warm cache), which should stay flat.

Every coursepack run writes into a fresh folder; the baseline is bench/baseline.py. Runs that are compared take
turns round by round, so a change of load on a shared machine hits them alike; CPU seconds (user + system, ended
workers and processes included) are printed beside wall times, as they move less with the load. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

BENCH = Path(__file__).resolve().parent
PROJECT = BENCH.parent
sys.path[:0] = [str(PROJECT), str(BENCH)]

import markdown  # noqa: E402
from baseline import baseline  # noqa: E402
from builder.build import FORMATS, build  # noqa: E402
from corpus import generate  # noqa: E402

ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([str(PROJECT), os.environ.get("PYTHONPATH", "")])}
# Processes run as users' do, with compiled bytecode (pip compiles it at install, a checkout keeps __pycache__):
# with PYTHONDONTWRITEBYTECODE set every process would compile all of builder/ again (about 80 ms).
ENV.pop("PYTHONDONTWRITEBYTECODE", None)
TARGETS = {"cold_ratio": 0.36, "small_s": 0.3, "small_imports_s": 0.15, "worker_mb": 100}
MODULES_PER_COURSE = 40  # of the scaling corpora
_IMPORT = re.compile(r"import time:\s+\d+ \|\s+(\d+) \| (\S.*)$")  # a top-level import: no indent before its name
# Python's own start-up, which `python -c pass` pays too: here a sandbox .pth imports certifi, and the editable
# install's finder (neither is coursepack's; a wheel install has no finder).
STARTUP = "site"
_MEMORY = """
import resource, sys
from pathlib import Path
sys.path[:0] = {path!r}
from builder.build import FORMATS, build
results = build([Path(r) for r in {roots!r}], Path({out!r}), FORMATS, cache=Path({cache!r}))
assert not any(r.failed for r in results)
print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)
"""


def fresh(folder: Path) -> Path:
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return folder


def cpu_s() -> float:
    """CPU seconds (user + system) of this process and of its children that have ended (pool workers)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def interleaved(repeat: int, runs: dict[str, Callable[[], object]]) -> dict[str, float]:
    """Best wall time of each run (`name`) and best CPU time (`name_cpu`), taking turns round by round, so a
    change of load hits all of them alike. CPU time moves less than wall time on a shared machine."""
    times: dict[str, list[float]] = {name: [] for name in runs}
    cpu: dict[str, list[float]] = {name: [] for name in runs}
    for _ in range(repeat):
        for name, run in runs.items():
            start, start_cpu = time.perf_counter(), cpu_s()
            run()
            times[name].append(time.perf_counter() - start)
            cpu[name].append(cpu_s() - start_cpu)
    return {**{name: min(values) for name, values in times.items()},
            **{f"{name}_cpu": min(values) for name, values in cpu.items()}}


@contextmanager
def convert_cpu() -> Iterator[list[float]]:
    """CPU seconds spent inside Python-Markdown's `Markdown.convert` while the block runs (one sum, appended)."""
    spent = [0.0]
    original = markdown.Markdown.convert

    def timed(self: markdown.Markdown, source: str) -> str:
        start = time.process_time()
        try:
            return original(self, source)
        finally:
            spent[0] += time.process_time() - start

    markdown.Markdown.convert = timed
    try:
        yield spent
    finally:
        markdown.Markdown.convert = original


def checked(results: list) -> None:
    problems = [str(p) for r in results for p in r.problems]
    if problems or any(r.failed for r in results):
        raise SystemExit(f"coursepack reported problems on the corpus: {problems[:5]}")


def cold_build(roots: list[Path], work: Path, repeat: int) -> dict[str, float]:
    """Baseline, then coursepack cold (empty cache) and warm, default jobs and jobs=1, taking turns."""
    def coursepack(jobs: int | None, cold: bool) -> Callable[[], None]:
        def run() -> None:
            if cold:
                shutil.rmtree(work / "cache", ignore_errors=True)
            checked(build(roots, fresh(work / "out"), FORMATS, jobs=jobs, cache=work / "cache"))
        return run

    converts: list[tuple[float, float]] = []  # (the baseline run's CPU, the part of it in Markdown.convert)

    def base() -> None:
        start = cpu_s()
        with convert_cpu() as spent:
            baseline(roots, fresh(work / "out"))
        converts.append((cpu_s() - start, spent[0]))

    best = interleaved(repeat, {"baseline_s": base,
                                "cold_jobs_default_s": coursepack(None, True), "cold_jobs_1_s": coursepack(1, True),
                                "warm_jobs_default_s": coursepack(None, False), "warm_jobs_1_s": coursepack(1, False)})
    cpu, convert = min(converts)  # the baseline's quietest run
    return {**best, "baseline_convert_share": convert / cpu}


def process(args: list[str]) -> tuple[float, str]:
    """Wall time of one Python process and its stderr."""
    start = time.perf_counter()
    done = subprocess.run([sys.executable, *args], env=ENV, capture_output=True, text=True, cwd=PROJECT)
    seconds = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"{args} failed:\n{done.stderr[-2000:]}")
    return seconds, done.stderr


def imports_s(stderr: str) -> tuple[float, float]:
    """Seconds spent importing, from -X importtime: the cumulative time of every top-level import, and of `site`."""
    found = [m for m in map(_IMPORT.match, stderr.splitlines()) if m]
    return sum(int(m[1]) for m in found) / 1e6, sum(int(m[1]) for m in found if m[2] == STARTUP) / 1e6


def small_course(work: Path, repeat: int) -> dict[str, float]:
    """A 5-module course built by a whole `coursepack build` process (warm cache), and its imports."""
    root = generate(work / "small", 1, 5, 800, 2)[0].root
    build_args = ["-m", "builder", "build", str(root), "-o", str(work / "small-out"), "--cache", str(work / "c"),
                  "--force"]  # without it every run after the first finds the course up to date and writes nothing
    process(build_args)  # fills the cache: the figure is a rebuild, as when an author edits and builds again
    out = work / "small-base"
    imports: list[tuple[float, float]] = []
    best = interleaved(repeat, {
        "process_s": lambda: process(build_args),
        "python_start_s": lambda: process(["-c", "pass"]),
        "baseline_process_s": lambda: process([str(BENCH / "baseline.py"), str(fresh(out)), str(root)]),
        "importtime_run_s": lambda: imports.append(imports_s(process(["-X", "importtime", *build_args])[1]))})
    total, site = min(imports)  # the run with the least importing, and its own `site`
    return {**best, "imports_s": total, "imports_site_s": site, "imports_own_s": total - site}


def memory(roots: list[Path], work: Path) -> dict[str, float]:
    """Max RSS in MB of a default-jobs build's parent and biggest worker, and of the baseline process."""
    script = _MEMORY.format(path=[str(PROJECT)], roots=[str(r) for r in roots], out=str(fresh(work / "mem-out")),
                            cache=str(work / "cache"))
    done = subprocess.run([sys.executable, "-c", script], env=ENV, capture_output=True, text=True, check=True)
    parent, worker = (int(v) / 1024 for v in done.stdout.split())
    probe = ("import resource, runpy, sys; sys.argv = sys.argv[1:]; runpy.run_path(sys.argv[0], run_name='__main__');"
             "print(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)")
    base = subprocess.run([sys.executable, "-c", probe, str(BENCH / "baseline.py"), str(fresh(work / "mem-base")),
                           *map(str, roots)], env=ENV, capture_output=True, text=True, check=True)
    return {"parent_mb": parent, "worker_mb": worker, "baseline_mb": int(base.stdout.split()[-1]) / 1024}


def scaling(work: Path, pages: list[int], words: int, images: int, repeat: int) -> list[dict]:
    """Seconds per page of a warm jobs=1 build, and of the baseline, for corpora of each page count."""
    rows = []
    for count in pages:
        courses = max(1, round(count / MODULES_PER_COURSE))
        modules = min(count, MODULES_PER_COURSE)
        roots = [i.root for i in generate(fresh(work / f"scale-{count}"), courses, modules, words, images)]
        total = sum(i.pages for i in generate(work / f"scale-{count}", courses, modules, words, images))
        cache = work / f"scale-cache-{count}"
        checked(build(roots, fresh(work / "out"), FORMATS, jobs=1, cache=cache))  # warm the cache
        best = interleaved(repeat, {
            "s": lambda: checked(build(roots, fresh(work / "out"), FORMATS, jobs=1, cache=cache)),
            "baseline_s": lambda: baseline(roots, fresh(work / "out"))})
        rows.append({"pages": total, "s": best["s"], "s_per_page": best["s"] / total,
                     "baseline_s_per_page": best["baseline_s"] / total})
    return rows


def line(name: str, value: float, unit: str, against: float, target: str = "") -> None:
    print(f"  {name:44} {value:9.3f} {unit:3} {value / against:6.2f}× baseline  {target}")


def verdict(ok: bool) -> str:
    return "target met" if ok else "target NOT met"


def report_cold(c: dict, cores: int) -> None:
    base, t = c["baseline_s"], TARGETS
    print(f"\n1. cold build, all three formats (baseline single process: {base:.3f} s)")
    line("coursepack cold, default jobs", c["cold_jobs_default_s"], "s", base,
         f"target ≤ {t['cold_ratio']}×: {verdict(c['cold_jobs_default_s'] / base <= t['cold_ratio'])}")
    share = c["baseline_convert_share"]
    print(f"  {'floor: Markdown.convert share / cores':44} {share:9.2f} of the baseline's CPU / {cores} cores = "
          f"{share / cores:.2f}× baseline")
    print("     (the lowest ratio any build converting every page with Python-Markdown can reach on these cores)")
    line("coursepack cold, jobs=1", c["cold_jobs_1_s"], "s", base)
    line("coursepack warm cache, default jobs", c["warm_jobs_default_s"], "s", base)
    line("coursepack warm cache, jobs=1", c["warm_jobs_1_s"], "s", base)
    base_cpu = c["baseline_s_cpu"]
    print(f"   CPU seconds (user + system, workers included; baseline: {base_cpu:.3f} s)")
    for name in ("cold_jobs_default_s", "cold_jobs_1_s", "warm_jobs_default_s", "warm_jobs_1_s"):
        line(f"coursepack {name.removesuffix('_s').replace('_', ' ')}, CPU", c[f"{name}_cpu"], "s", base_cpu)


def report_small(s: dict) -> None:
    t = TARGETS
    print(f"\n2. one 5-module course, whole process (baseline process: {s['baseline_process_s']:.3f} s)")
    line("coursepack build, whole process", s["process_s"], "s", s["baseline_process_s"],
         f"target ≤ {t['small_s']} s: {verdict(s['process_s'] <= t['small_s'])}")
    line("  of which imports (-X importtime, all)", s["imports_s"], "s", s["baseline_process_s"])
    line("    of them Python's start-up (site)", s["imports_site_s"], "s", s["baseline_process_s"])
    line("    of them coursepack's (all but site)", s["imports_own_s"], "s", s["baseline_process_s"],
         f"target ≤ {t['small_imports_s']} s: {verdict(s['imports_own_s'] <= t['small_imports_s'])}")
    print("     (the verdict leaves out site, Python's start-up: `python -c pass` pays it too, and here it runs a\n"
          "      sandbox .pth importing certifi and the editable install's finder, which a wheel install lacks)")
    line("  python -c pass", s["python_start_s"], "s", s["baseline_process_s"])
    line("coursepack build, whole process, CPU", s["process_s_cpu"], "s", s["baseline_process_s_cpu"])
    line("  python -c pass, CPU", s["python_start_s_cpu"], "s", s["baseline_process_s_cpu"])


def report_memory(m: dict) -> None:
    print(f"\n3. peak memory, default jobs (baseline process: {m['baseline_mb']:.1f} MB)")
    line("build's biggest worker", m["worker_mb"], "MB", m["baseline_mb"],
         f"target ≤ {TARGETS['worker_mb']} MB: {verdict(m['worker_mb'] <= TARGETS['worker_mb'])}")
    line("build's parent", m["parent_mb"], "MB", m["baseline_mb"])


def report_scaling(rows: list[dict]) -> None:
    print("\n4. time per page, jobs=1, warm cache (should stay flat)")
    first = rows[0]
    for row in rows:
        print(f"  {row['pages']:6,} pages  {row['s']:8.3f} s  {row['s_per_page'] * 1000:7.2f} ms/page "
              f"{row['s_per_page'] / row['baseline_s_per_page']:6.2f}× baseline  "
              f"{row['s_per_page'] / first['s_per_page']:5.2f}× the {first['pages']}-page figure")


def report(f: dict) -> None:
    """Every figure measured (all four sections, or only the small course's with --only small)."""
    print(f"coursepack speed targets — {f['corpus']['pages']} pages ({f['corpus']['courses']} courses × "
          f"{f['corpus']['modules']} modules), {f['cores']} cores, Python {f['python']}, best of {f['repeat']}")
    print("load average (1, 5, 15 min) before: " + ", ".join(f"{v:.1f}" for v in f["load_before"]) + "; after: "
          + ", ".join(f"{v:.1f}" for v in f["load_after"]) + " — with more load than cores, compare ratios only")
    if "cold" in f:
        report_cold(f["cold"], f["cores"])
    report_small(f["small"])
    if "memory" in f:
        report_memory(f["memory"])
        report_scaling(f["scaling"])


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--courses", type=int, default=50)
    parser.add_argument("--modules", type=int, default=40)
    parser.add_argument("--words", type=int, default=800)
    parser.add_argument("--images", type=int, default=2)
    parser.add_argument("--repeat", type=int, default=2, help="runs of each figure; the best counts")
    parser.add_argument("--scale", default="200,2000", help="page counts of the scaling corpora")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    parser.add_argument("--only", choices=["small"], help="measure only the one 5-module course (section 2)")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="coursepack-targets-") as temp:
        work = Path(temp)
        infos = generate(work / "corpus", args.courses, args.modules, args.words, args.images)
        roots = [info.root for info in infos]
        figures = {"python": platform.python_version(), "cores": os.cpu_count(), "repeat": args.repeat,
                   "corpus": {"courses": args.courses, "modules": args.modules, "words": args.words,
                              "images": args.images, "pages": sum(i.pages for i in infos)},
                   "targets": TARGETS, "load_before": os.getloadavg()}
        if not args.only:
            figures["cold"] = cold_build(roots, work, args.repeat)
        figures["small"] = small_course(work, max(args.repeat, 3))
        if not args.only:
            figures["memory"] = memory(roots, work)
            figures["scaling"] = scaling(work, [int(n) for n in args.scale.split(",")], args.words, args.images,
                                         args.repeat)
    figures["load_after"] = os.getloadavg()
    report(figures)
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
    return figures


if __name__ == "__main__":
    main()
