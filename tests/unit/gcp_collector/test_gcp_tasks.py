"""The collection's worker threads: tasks run (and the tasks they submit), at most an API's
concurrency at once; a CallFailed is recorded, any other exception named by its class; a
closed set of tasks drops what is still queued. The cyclic-GC pause nests and restores."""

from __future__ import annotations

import gc
import threading

from auditor.collectors.gcp.calls import Api, CallFailed, FailureKind, Method
from auditor.collectors.gcp.gc_pause import gc_paused
from auditor.collectors.gcp.tasks import Tasks


def test_tasks_and_the_tasks_they_submit_all_run_before_wait_returns() -> None:
    """A listing that submits a task per item: wait() returns once every item is done."""
    tasks = Tasks({Api.IAM: 3}, "t")
    done: list[int] = []
    lock = threading.Lock()

    def item(number: int) -> None:
        with lock:
            done.append(number)

    def listing() -> None:
        for number in range(20):
            tasks.submit(Api.IAM, item, number)

    tasks.submit(Api.IAM, listing)
    tasks.wait()
    tasks.close()
    assert sorted(done) == list(range(20))


def test_no_more_than_the_api_concurrency_runs_at_once() -> None:
    """Two threads for an API: a third task waits until one of the first two is done."""
    tasks = Tasks({Api.MONITORING: 2}, "t")
    release = threading.Event()
    running, most = [0], [0]
    lock = threading.Lock()

    def busy() -> None:
        with lock:
            running[0] += 1
            most[0] = max(most[0], running[0])
        release.wait(5)
        with lock:
            running[0] -= 1

    for _ in range(5):
        tasks.submit(Api.MONITORING, busy)
    release.set()
    tasks.wait(Api.MONITORING)
    tasks.close()
    assert most[0] == 2


def test_failures_are_kept_and_nothing_escapes() -> None:
    """A denial is recorded as such; a bug is recorded by its class; the rest still run."""
    tasks = Tasks({Api.IAM: 2}, "t")
    ran: list[str] = []

    def denied() -> None:
        raise CallFailed(FailureKind.PERMISSION, Method.LIST_KEYS, "projects/p", "")

    def buggy() -> None:
        raise KeyError("oops")

    tasks.submit(Api.IAM, denied)
    tasks.submit(Api.IAM, buggy)
    tasks.submit(Api.IAM, ran.append, "fine")
    tasks.wait()
    tasks.close()
    assert [f.kind for f in tasks.failures] == [FailureKind.PERMISSION]
    assert tasks.internal_errors == ["KeyError"]
    assert ran == ["fine"]


def test_close_drops_what_is_still_queued() -> None:
    """After a deadline: the running task finishes, the queued ones never start, and a
    task submitted after close is refused without being counted."""
    tasks = Tasks({Api.RESOURCE_MANAGER: 1}, "t")
    started = threading.Event()
    release = threading.Event()
    ran: list[str] = []

    def first() -> None:
        started.set()
        release.wait(5)
        ran.append("first")

    tasks.submit(Api.RESOURCE_MANAGER, first)
    started.wait(5)
    tasks.submit(Api.RESOURCE_MANAGER, ran.append, "queued")
    tasks.close()
    tasks.submit(Api.RESOURCE_MANAGER, ran.append, "late")
    release.set()
    tasks.wait()
    assert ran == ["first"]


def test_gc_pause_nests_and_restores_the_collector() -> None:
    """Off inside (also when two collections overlap), on again after the last one."""
    assert gc.isenabled()
    with gc_paused():
        assert not gc.isenabled()
        with gc_paused():
            assert not gc.isenabled()
        assert not gc.isenabled()  # the outer collection still runs
    assert gc.isenabled()


def test_gc_pause_leaves_a_disabled_collector_disabled() -> None:
    """A process that turned cyclic GC off keeps it off."""
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
