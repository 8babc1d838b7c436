"""Worker processes that die with the build: a killed `coursepack build` leaves nothing running.

Workers only stage packages (temp files named after the parent, see builder.package); the parent
publishes them. On Linux the kernel kills a worker the moment its parent dies (PR_SET_PDEATHSIG);
elsewhere a watcher thread notices the parent is gone within half a second and exits.
"""

from __future__ import annotations

import ctypes
import os
import signal
import sys
import threading
import time
from concurrent.futures import ProcessPoolExecutor

from builder.package import process_alive, set_owner

PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>
WATCH_EVERY = 0.5  # seconds between two looks at the parent


def worker_pool(workers: int) -> ProcessPoolExecutor:
    """A process pool whose workers exit when this process dies, however it dies."""
    return ProcessPoolExecutor(workers, initializer=die_with_parent, initargs=(os.getpid(),))


def die_with_parent(build: int) -> None:
    """Run in each worker: ask to be killed with the process that started it, and exit now if the build is
    already gone. That process is the build itself, or with the forkserver start method the fork server,
    which exits when the build does."""
    set_owner(build)
    if sys.platform.startswith("linux"):
        try:
            ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
        except (OSError, AttributeError):
            pass  # the watcher below still stops us
    parent = os.getppid()
    if parent != build and not process_alive(build):  # the build died before prctl took effect
        os._exit(1)
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="coursepack-parent-watch").start()


def _watch(parent: int) -> None:
    """A worker's parent changes only when the parent dies (the worker is adopted by init)."""
    while os.getppid() == parent:
        time.sleep(WATCH_EVERY)
    os._exit(1)
