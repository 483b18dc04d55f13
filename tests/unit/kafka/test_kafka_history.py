"""The offsets history across restarts: a restart reads only the newest points, and what the
collector reports afterwards is what it would have reported without the restart."""

from __future__ import annotations

import gc
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from auditor.collectors.kafka.gcpause import gc_paused
from auditor.collectors.kafka.groups import GROUP_KIND
from auditor.collectors.kafka.history import COMMIT_PREFIX, SINCE_KEY
from auditor.collectors.kafka.records import Group, Member, Topic, TopicPartition
from auditor.state import HistoryStore
from tests.unit.kafka.scans import Scanner, group, settings, topic

ORDERS = topic("orders", 3)
PAYMENTS = topic("payments", 2)
SCANS = 12
HOLDER = Member("etl-1", "10.0.0.7", tuple(("orders", p) for p in range(3)))
RESTART_AT = 8


def _reads() -> Iterator[tuple[list[Topic], dict[TopicPartition, int], list[Group]]]:
    """Twelve scans of an estate where every Burrow condition shows up at some point: a group
    that stopped at scan 0 (longer ago than any window), one that stalls from scan 5 (a member
    holds its partitions), one that rewinds at scan 9, one that keeps up, and a partition
    whose log end is not read once."""
    for scan in range(SCANS):
        log_end: dict[TopicPartition, int] = {("orders", p): 100 + 10 * scan for p in range(3)}
        log_end.update({("payments", p): 50 + 5 * scan for p in range(2)})
        if scan == 6:
            del log_end[("orders", 2)]
        moving = 95 + 10 * scan
        stalled = 95 + 10 * min(scan, 5)
        rewound = 90 + 10 * scan if scan < 9 else 60 + scan
        groups = [
            group("stopped", {("orders", 0): 90, ("orders", 1): 80, ("payments", 0): 40}),
            group("stalling", {("orders", p): stalled for p in range(3)}, [HOLDER]),
            group("rewinding", {("orders", 0): rewound, ("orders", 1): moving}),
            group("keeping-up", {("orders", p): moving for p in range(3)}),
        ]
        yield [ORDERS, PAYMENTS], log_end, groups


def _scan_all(scanner: Scanner, reads: list[Any]) -> list[dict[str, Any]]:
    return [
        {rid: r.data for rid, r in scanner.scan(*read).items() if r.kind == GROUP_KIND}
        for read in reads
    ]


def _continuous_and_restarted(
    path: Path, between: Any = None
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """What one collector reports over all scans, and what a second reports when restarted
    on its store before scan RESTART_AT (`between` runs on the database file meanwhile)."""
    reads = list(_reads())
    continuous = _scan_all(Scanner(settings(window_scans=4, min_scans=3)), reads)
    store = HistoryStore(path)
    first = Scanner(settings(window_scans=4, min_scans=3), store)
    _scan_all(first, reads[:RESTART_AT])
    store.close()
    if between is not None:
        between(path)
    second = Scanner(settings(window_scans=4, min_scans=3), HistoryStore(path))
    second.now = first.now
    return continuous[RESTART_AT:], _scan_all(second, reads[RESTART_AT:])


def test_a_restart_reports_what_the_running_collector_reports(tmp_path: Path) -> None:
    """Statuses, reasons, commit ages and lag in seconds are the same with or without a
    restart, including a STOP older than the window (its age comes from `@since`)."""
    continuous, restarted = _continuous_and_restarted(tmp_path / "state.db")
    assert restarted == continuous
    statuses = {scan[g]["worst_partition_status"] for scan in continuous for g in scan}
    assert {"STOP", "STALL", "REWIND"} <= statuses
    stopped = continuous[-1]["prod-events/stopped"]["problem_partitions"][0]
    assert stopped["last_commit_age_seconds"] == (SCANS - 1) * 60.0


def test_a_restart_reads_only_the_window_of_each_group(tmp_path: Path) -> None:
    """Commit points older than the window are not needed: with them deleted from the file,
    the restarted collector still reports the same."""

    def drop_old_commit_points(path: Path) -> None:
        db = sqlite3.connect(path, isolation_level=None)
        db.execute(
            "DELETE FROM history WHERE series LIKE ? AND at < (SELECT MAX(at) FROM history)"
            " - 3 * 60",
            (COMMIT_PREFIX + "%",),
        )
        db.close()

    continuous, restarted = _continuous_and_restarted(tmp_path / "s.db", drop_old_commit_points)
    assert restarted == continuous


def test_points_stored_without_since_are_replayed_in_full(tmp_path: Path) -> None:
    """A store written before `@since` existed: since is found from all points kept, and
    the restarted collector reports the same as the running one."""

    def strip_since(path: Path) -> None:
        db = sqlite3.connect(path, isolation_level=None)
        db.execute(
            "UPDATE history SET value = json_remove(value, ?) WHERE series LIKE ?",
            (f'$."{SINCE_KEY}"', COMMIT_PREFIX + "%"),
        )
        assert db.execute("SELECT COUNT(*) FROM history WHERE value LIKE '%@since%'").fetchone()
        db.close()

    continuous, restarted = _continuous_and_restarted(tmp_path / "old.db", strip_since)
    assert restarted == continuous


def test_since_is_stored_once_per_topic_when_shared(tmp_path: Path) -> None:
    """A topic whose partitions all last moved together stores one time, not one each."""
    store = HistoryStore(tmp_path / "state.db")
    scanner = Scanner(settings(), store)
    scanner.scan([ORDERS], {("orders", p): 10 for p in range(3)}, [group("g", {("orders", 0): 5})])
    scanner.scan(
        [ORDERS],
        {("orders", p): 10 for p in range(3)},
        [group("g", {("orders", 0): 5, ("orders", 1): 6, ("orders", 2): 7})],
    )
    points = store.windows("prod-events", COMMIT_PREFIX)["commit/g"]
    first, second = (value[SINCE_KEY] for _, value in points)
    assert first == [["orders", points[0][0].timestamp()]]
    t0, t1 = points[0][0].timestamp(), points[1][0].timestamp()
    assert second == [["orders", [t0, t1, t1]]]


def test_gc_pause_restores_what_it_found() -> None:
    """The collector is off inside, back on after (also after an error), and a pause that
    started with it off leaves it off."""
    assert gc.isenabled()
    try:
        with gc_paused():
            assert not gc.isenabled()
            with gc_paused():
                assert not gc.isenabled()
            assert not gc.isenabled()
            raise KeyError("boom")
    except KeyError:
        pass
    assert gc.isenabled()
    gc.disable()
    try:
        with gc_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
