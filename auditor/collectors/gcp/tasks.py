"""Work of one collection spread over one thread pool per API, with failures kept, not raised.

A task may submit further tasks (keys after their account listing); the collection waits for
the whole tree. A CallFailed becomes a recorded failure; anything else a task raises becomes
an 'internal' failure named by its class only. Nothing escapes to the caller.
"""

from __future__ import annotations

import concurrent.futures
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import structlog

from auditor.collectors.gcp.calls import Api, CallFailed

log = structlog.get_logger(__name__)


class Tasks:
    """Thread pools per API and the failures their tasks met."""

    def __init__(self, concurrency: Mapping[Api, int], name: str) -> None:
        self._pools = {
            api: concurrent.futures.ThreadPoolExecutor(
                max_workers=workers, thread_name_prefix=f"{name}-{api.value}"
            )
            for api, workers in concurrency.items()
        }
        self._pending: Counter[Api] = Counter()
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.failures: list[CallFailed] = []
        self.internal_errors: list[str] = []

    def submit(self, api: Api, task: Callable[..., None], *args: Any) -> None:
        """Run `task(*args)` on `api`'s pool."""
        with self._lock:
            self._pending[api] += 1
        try:
            self._pools[api].submit(self._guarded, api, task, args)
        except RuntimeError:  # the pools were closed: the task is dropped, not waited for
            self._finished(api)

    def _guarded(self, api: Api, task: Callable[..., None], args: tuple[Any, ...]) -> None:
        try:
            task(*args)
        except CallFailed as failure:
            self.fail(failure)
        except Exception as exc:  # noqa: BLE001 - a bug in one part must not lose the others
            log.error("gcp task crashed", error_class=type(exc).__name__)
            with self._lock:
                self.internal_errors.append(type(exc).__name__)
        finally:
            self._finished(api)

    def fail(self, failure: CallFailed) -> None:
        """Record a failure met outside a task's own raise."""
        with self._lock:
            self.failures.append(failure)

    def _finished(self, api: Api) -> None:
        with self._lock:
            self._pending[api] -= 1
            self._changed.notify_all()

    def wait(self, api: Api | None = None) -> None:
        """Until every task (of `api`, if given), and every task they submitted, has finished."""
        with self._lock:
            while self._pending[api] > 0 if api else any(n > 0 for n in self._pending.values()):
                self._changed.wait()

    def close(self) -> None:
        """Stop the pools (tasks still queued after a deadline are dropped)."""
        for pool in self._pools.values():
            pool.shutdown(wait=False, cancel_futures=True)
