"""One collection's Admin API calls: a deadline, and failure sorting.

A failure to talk to the cluster at all (unreachable, timeout, authentication) ends the
collection with a SourceError; a refusal of one part (a topic's configs, a group's offsets)
is a problem: that part is left unknown and the source is reported partial.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from typing import Any

from auditor.collectors.base import SourceError
from auditor.collectors.kafka.errors import (
    CONNECTION_KINDS,
    error_code_name,
    error_kind,
    source_error,
)


class Problems:
    """Parts that could not be read, summarised per (what, error) so a thousand refusals are
    one line, not a thousand."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], list[str]] = {}
        self._lock = threading.Lock()  # the group listing runs beside the offset fetches

    def add(self, what: str, error: str, item: str) -> None:
        """Note that `item` of `what` failed with the error named `error`."""
        with self._lock:
            self._items.setdefault((what, error), []).append(item)

    def lines(self) -> list[str]:
        """One line per (what, error)."""
        lines = []
        for (what, error), items in sorted(self._items.items()):
            shown = ", ".join(items[:5]) + (f" and {len(items) - 5} more" if len(items) > 5 else "")
            lines.append(f"{what} not read for {len(items)} ({error}): {shown}")
        return lines


class Calls:
    """The calls of one collection, all within `timeout_seconds` from now."""

    def __init__(
        self, timeout_seconds: float, request_timeout_seconds: float, secrets: list[str]
    ) -> None:
        self.timeout_seconds = timeout_seconds
        self.request_timeout_seconds = request_timeout_seconds
        self.deadline = time.monotonic() + timeout_seconds
        self.secrets = secrets
        self.problems = Problems()

    def timeout(self) -> float:
        """Seconds the next call may take: its own bound, within what is left of the deadline."""
        remaining = self.deadline - time.monotonic()
        if remaining <= 0:
            raise SourceError("timeout", f"no answer within {self.timeout_seconds:g} s")
        return min(self.request_timeout_seconds, remaining)

    def call(self, what: str, request: Callable[[], Any]) -> Any:
        """A synchronous client call; any failure is the source's (nothing else can be read)."""
        try:
            return request()
        except SourceError:
            raise
        except Exception as exc:  # noqa: BLE001 - KafkaException and friends, classified
            raise source_error(what, exc, self.secrets) from None

    def result(self, what: str, future: Any) -> Any:
        """A future's result that the collection cannot do without."""
        return self.call(what, lambda: future.result(timeout=self.timeout()))

    def partial(self, what: str, future: Any, item: str) -> Any:
        """A future's result, or None with a problem noted when that part was refused."""
        try:
            return future.result(timeout=self.timeout())
        except SourceError:
            raise
        except Exception as exc:  # noqa: BLE001 - classified by tolerate
            self.tolerate(what, exc, item)
            return None

    def tolerate(self, what: str, exc: BaseException, item: str) -> None:
        """A refused part is a problem; a lost connection is the source's failure."""
        if error_kind(exc) in CONNECTION_KINDS:
            raise source_error(what, exc, self.secrets)
        self.problems.add(what, error_code_name(exc), item)
