"""Cyclic garbage collection paused while a collection builds its resources.

A collection allocates tens of thousands of dicts and messages that stay alive until it
returns: every automatic pass of CPython's cyclic collector meanwhile walks all of them, and
the whole heap (the Google client libraries are large) on a full pass, only to find they are
all reachable. Reference counting still frees what each call drops; the cyclic collector
runs again, as before, once the last collection in the process has finished.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager


class _Pause:
    """Counts collections in progress: the first pauses the collector, the last resumes it
    (only if it was running: a process that turned it off keeps it off)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._holders = 0
        self._resume = False

    def enter(self) -> None:
        with self._lock:
            if self._holders == 0:
                self._resume = gc.isenabled()
                gc.disable()
            self._holders += 1

    def exit(self) -> None:
        with self._lock:
            self._holders -= 1
            if self._holders == 0 and self._resume:
                gc.enable()


_PAUSE = _Pause()


@contextmanager
def gc_paused() -> Iterator[None]:
    """Automatic cyclic garbage collection off for the block (nesting and threads allowed)."""
    _PAUSE.enter()
    try:
        yield
    finally:
        _PAUSE.exit()
