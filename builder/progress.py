"""Progress inside one course's build — pages made, packages written — for the bar of a long single course.

The pipeline announces steps here; only the command line listens, and only when it builds one course in
its own process (several courses are counted course by course instead), so elsewhere this costs nothing.
"""

from __future__ import annotations

from typing import Callable

Listener = Callable[[int, int], None]  # (steps done, steps expected so far)
_listener: Listener | None = None
_counts = [0, 0]


def listen(listener: Listener | None) -> None:
    """Send every step to `listener` from now on (None: stop); counts start again from zero."""
    global _listener
    _listener = listener
    _counts[:] = [0, 0]


def expect(steps: int) -> None:
    """More steps are coming: a course's pages once it is loaded, its packages once it is rendered."""
    _counts[1] += steps
    if _listener:
        _listener(*_counts)


def step() -> None:
    """One page made or one package written."""
    _counts[0] += 1
    if _listener:
        _listener(*_counts)
