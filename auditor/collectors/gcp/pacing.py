"""Client-side pacing: at most N calls in any 60-second window, as Google states its quotas."""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Callable

WINDOW_SECONDS = 60.0


class MinuteWindow:
    """A sliding-window limiter shared by the threads calling one API.

    A burst up to the limit goes out at once (a collection usually fits in one minute's
    quota); past it, a caller waits until the oldest call of the window is a minute old.
    """

    def __init__(
        self,
        per_minute: int,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.per_minute = per_minute
        self._clock = clock
        self._sleep = sleep
        self._sent: deque[float] = deque()
        self._lock = threading.Lock()
        self.waited_seconds = 0.0

    def acquire(self, deadline: float | None = None) -> bool:
        """Take a slot, waiting if the window is full; False when the wait would pass
        `deadline` (a clock value), without taking a slot."""
        while True:
            with self._lock:
                now = self._clock()
                while self._sent and now - self._sent[0] >= WINDOW_SECONDS:
                    self._sent.popleft()
                if len(self._sent) < self.per_minute:
                    self._sent.append(now)
                    return True
                wait = WINDOW_SECONDS - (now - self._sent[0])
            if deadline is not None and now + wait > deadline:
                return False
            self.waited_seconds += wait
            self._sleep(wait)


class FairSlots:
    """A counting semaphore that hands a freed slot to the longest waiter.

    threading.Semaphore lets a thread that just released take its slot straight back, so the
    API whose calls are running keeps the shared slots and the others starve until it is done;
    handing over in arrival order shares them by demand, and all APIs finish together. A waiter
    parks on a lock of its own (held until the releaser lets it go): one C-level lock per
    wait, where an Event would build a Condition in Python for every call that queues.
    """

    def __init__(self, slots: int) -> None:
        self._free = slots
        self._waiting: deque[threading.Lock] = deque()
        self._lock = threading.Lock()

    def __enter__(self) -> None:
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return
            turn = threading.Lock()
            turn.acquire()
            self._waiting.append(turn)
        turn.acquire()  # blocks until the releaser hands its slot over

    def __exit__(self, *_: object) -> None:
        with self._lock:
            if self._waiting:
                self._waiting.popleft().release()
            else:
                self._free += 1
