"""The per-minute limiter: a burst up to the quota goes at once, then callers wait until the
oldest call of the window is a minute old; a wait past the deadline is refused."""

from __future__ import annotations

import threading

from auditor.collectors.gcp.pacing import FairSlots, MinuteWindow


class Clock:
    """A clock that moves only when something sleeps."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def time(self) -> float:
        """The current time."""
        return self.now

    def sleep(self, seconds: float) -> None:
        """Advance the clock."""
        self.slept.append(seconds)
        self.now += seconds


def test_a_burst_up_to_the_limit_does_not_wait() -> None:
    """Three calls on a three-per-minute window go out at once."""
    clock = Clock()
    window = MinuteWindow(3, clock=clock.time, sleep=clock.sleep)
    assert all(window.acquire() for _ in range(3))
    assert clock.slept == []


def test_the_next_call_waits_for_the_oldest_to_leave_the_window() -> None:
    """The fourth call waits until the first is 60 s old, and no longer."""
    clock = Clock()
    window = MinuteWindow(3, clock=clock.time, sleep=clock.sleep)
    window.acquire()
    clock.now += 10
    window.acquire()
    window.acquire()
    assert window.acquire()
    assert clock.slept == [50.0]
    assert window.waited_seconds == 50.0


def test_a_wait_past_the_deadline_is_refused() -> None:
    """When the slot frees only after the deadline, acquire says so without sleeping."""
    clock = Clock()
    window = MinuteWindow(1, clock=clock.time, sleep=clock.sleep)
    window.acquire()
    assert window.acquire(deadline=clock.now + 30) is False
    assert clock.slept == []


def test_shared_slots_go_to_the_longest_waiter() -> None:
    """A freed slot is handed to whoever waited first, not taken back by the releaser."""
    slots = FairSlots(1)
    order: list[str] = []
    slots.__enter__()  # the only slot is taken

    def waiter(name: str) -> None:
        with slots:
            order.append(name)

    first = threading.Thread(target=waiter, args=("first",))
    first.start()
    while not slots._waiting:  # poll until it is really queued
        threading.Event().wait(0.001)
    second = threading.Thread(target=waiter, args=("second",))
    second.start()
    while len(slots._waiting) < 2:
        threading.Event().wait(0.001)
    slots.__exit__(None, None, None)
    first.join(5)
    second.join(5)
    assert order == ["first", "second"]
