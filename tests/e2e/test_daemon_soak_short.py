"""A short soak: many scheduled cycles leave open files and threads where they were."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest

from auditor.daemon.service import Daemon
from auditor.paths import demo_dir
from tests.unit.daemon.estate import daemon_config


def _open_fds() -> int:
    return sum(1 for _ in Path("/proc/self/fd").iterdir())


def _sample(count: int = 10) -> list[tuple[int, int]]:
    """(open files, threads) a few times: a collection in flight briefly holds one of each."""
    samples = []
    for _ in range(count):
        samples.append((_open_fds(), threading.active_count()))
        time.sleep(0.01)
    return samples


def _wait_cycles(daemon: Daemon, count: int) -> None:
    seen: set[object] = set()
    deadline = time.monotonic() + 120
    while len(seen) < count:
        assert time.monotonic() < deadline, "the scheduler stopped running cycles"
        for view in daemon.snapshot.views():
            seen.add(view.cycle_at)
        time.sleep(0.02)


@pytest.mark.slow
def test_cycles_do_not_leak_files_or_threads(tmp_path: Path) -> None:
    """After warm-up, 40 more cycles of a 0.1 s schedule open no more files or threads."""
    config = daemon_config(tmp_path, demo_dir() / "estate" / "kafka")
    source = config.sources[0].model_copy(update={"interval_seconds": 0.1})
    daemon = Daemon(config.model_copy(update={"sources": [source]}), [], sinks=[])
    daemon.start()
    try:
        _wait_cycles(daemon, 10)
        warm = _sample()
        _wait_cycles(daemon, 40)
        after = _sample()
        assert min(f for f, _ in after) <= max(f for f, _ in warm)
        assert min(t for _, t in after) <= max(t for _, t in warm)
    finally:
        daemon.stop()
