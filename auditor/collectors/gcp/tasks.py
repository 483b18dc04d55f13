"""Work of one collection spread over one thread pool per API, with failures kept, not raised.

A task may submit further tasks (keys after their account listing); the collection waits for
the whole tree. A CallFailed becomes a recorded failure; anything else a task raises becomes
an 'internal' failure named by its class only. Nothing escapes to the caller.
"""

from __future__ import annotations

import queue
import threading
from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

import structlog

from auditor.collectors.gcp.calls import Api, CallFailed

log = structlog.get_logger(__name__)

_Item = tuple[Callable[..., None], tuple[Any, ...]]


class Tasks:
    """Worker threads per API and the failures their tasks met.

    Each API has a queue and up to its concurrency in threads, started as work arrives. Not a
    ThreadPoolExecutor: nobody reads a task's result, and a Future (a Condition, a notify) per
    task was a tenth of the collector's CPU over a few thousand calls.
    """

    def __init__(self, concurrency: Mapping[Api, int], name: str) -> None:
        self._name = name
        self._workers = dict(concurrency)
        self._queues: dict[Api, queue.SimpleQueue[_Item | None]] = {
            api: queue.SimpleQueue() for api in concurrency
        }
        self._started: Counter[Api] = Counter()
        self._pending: Counter[Api] = Counter()
        self._closed = False
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self.failures: list[CallFailed] = []
        self.internal_errors: list[str] = []

    def submit(self, api: Api, task: Callable[..., None], *args: Any) -> None:
        """Run `task(*args)` on one of `api`'s threads (dropped once the tasks are closed)."""
        with self._lock:
            if self._closed:
                return
            self._pending[api] += 1
            # A thread per task not yet served, up to the API's concurrency.
            start = self._started[api] < min(self._workers[api], self._pending[api])
            if start:
                self._started[api] += 1
                number = self._started[api]
        self._queues[api].put((task, args))
        if start:
            name = f"{self._name}-{api.value}-{number}"
            threading.Thread(target=self._work, args=(api,), name=name, daemon=True).start()

    def _work(self, api: Api) -> None:
        tasks = self._queues[api]
        while (item := tasks.get()) is not None:
            task, args = item
            self._guarded(api, task, args)

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

    def _finished(self, api: Api, count: int = 1) -> None:
        with self._lock:
            self._pending[api] -= count
            if self._pending[api] == 0:  # only a drained API can end a wait
                self._changed.notify_all()

    def wait(self, api: Api | None = None) -> None:
        """Until every task (of `api`, if given), and every task they submitted, has finished."""
        with self._lock:
            while self._pending[api] > 0 if api else any(n > 0 for n in self._pending.values()):
                self._changed.wait()

    def close(self) -> None:
        """Stop the threads once their task is done; tasks still queued (after a deadline)
        are dropped, and nothing new starts."""
        with self._lock:
            self._closed = True
            started = dict(self._started)
        for api, tasks in self._queues.items():
            dropped = 0
            while True:
                try:
                    item = tasks.get_nowait()
                except queue.Empty:
                    break
                dropped += item is not None
            if dropped:
                self._finished(api, dropped)
            for _ in range(started.get(api, 0)):
                tasks.put(None)
