"""Retrying transient failures with exponential backoff and full jitter, within a deadline."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")


def retry(
    call: Callable[[], T],
    *,
    transient: tuple[type[BaseException], ...],
    attempts: int = 3,
    base_delay: float = 0.2,
    max_delay: float = 5.0,
    deadline: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """`call()`, retried on `transient` exceptions; the last failure is raised as is.

    `deadline` is a time.monotonic() value after which no new attempt starts.
    """
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except transient:
            if attempt == attempts:
                raise
            delay = random.uniform(0, min(max_delay, base_delay * 2 ** (attempt - 1)))  # noqa: S311
            if deadline is not None and time.monotonic() + delay >= deadline:
                raise
            sleep(delay)
    raise AssertionError("unreachable")  # pragma: no cover
