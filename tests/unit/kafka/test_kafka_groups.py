"""Consumer group resources over scans: lag sums that are never NaN, status with reasons."""

from __future__ import annotations

import json
import math
from pathlib import Path

from auditor.collectors.kafka.records import Member
from auditor.state import HistoryStore
from tests.unit.kafka.scans import Scanner, group, settings, topic

ORDERS = topic("orders", 3)


def test_no_offset_and_unknown_log_end_are_counted_not_summed_as_zero() -> None:
    """Partition 0 lags 40, 1 has no committed offset, 2's log end was not read: the sum is
    40, and the other two are counted as what they are."""
    scanner = Scanner(settings())
    resources = scanner.scan(
        [ORDERS],
        {("orders", 0): 100, ("orders", 1): 50},
        [group("etl", {("orders", 0): 60, ("orders", 2): 7})],
    )
    data = resources["prod-events/etl"].data
    assert (data["lag"], data["max_lag"]) == (40, 40)
    assert data["committed_partitions"] == 2
    assert data["partitions_without_offset"] == 1
    assert data["lag_unknown_partitions"] == 1
    assert data["lag_seconds"] is None and data["lag_seconds_basis"] == "unknown"
    assert data["lag_seconds_unknown_partitions"] == 1
    assert data["topics"][0]["lag"] == 40
    assert "NaN" not in json.dumps(data)


def test_group_with_no_commits_has_zero_lag_and_unknown_status() -> None:
    """A group without any committed offset is not 'caught up': status UNKNOWN, said why."""
    resources = Scanner(settings()).scan([ORDERS], {("orders", 0): 5}, [group("new", {})])
    data = resources["prod-events/new"].data
    assert (data["committed_partitions"], data["lag"], data["status"]) == (0, 0, "UNKNOWN")
    assert data["status_reason"] == "no committed offsets on any partition read"


def test_unreadable_offsets_are_not_no_offsets() -> None:
    """Offsets that could not be fetched leave offsets_readable false and say so."""
    resources = Scanner(settings()).scan([ORDERS], {("orders", 0): 5}, [group("locked", None)])
    data = resources["prod-events/locked"].data
    assert data["offsets_readable"] is False
    assert data["status_reason"] == "committed offsets could not be read"


def test_stopped_group_turns_stop_with_a_reason_quoting_the_numbers() -> None:
    """Records keep arriving, the offset never moves: after the window is outlasted the group
    is ERR with STOP, and the finding data says why with the numbers."""
    scanner = Scanner(settings())
    statuses = []
    for scan in range(6):
        end = 100 + 30 * scan
        resources = scanner.scan(
            [ORDERS], {("orders", p): end for p in range(3)}, [group("etl", {("orders", 0): 90})]
        )
        statuses.append(resources["prod-events/etl"].data["worst_partition_status"])
    assert statuses == ["UNKNOWN", "UNKNOWN", "STALL", "STALL", "STOP", "STOP"]
    data = resources["prod-events/etl"].data
    assert data["status"] == "ERR"
    [problem] = data["problem_partitions"]
    assert problem["status"] == "STOP"
    assert (problem["lag_then"], problem["lag"]) == (70, 160)
    assert problem["last_commit_age_seconds"] == 300.0
    assert problem["window_span_seconds"] == 180.0
    assert data["status_reason"] == (
        "STOP on 1 of 1 partition(s); orders/0: committed offset 90 has not moved for "
        "5m00s, longer than the 3m00s the last 4 scans span, while the log end stayed ahead "
        "of it at every scan; lag 70 → 160 over 4 scans (3m00s)"
    )
    assert data["partition_statuses"]["STOP"] == 1
    assert data["lag_seconds"] == 300.0 and data["lag_seconds_basis"] == "lower_bound"


def test_a_group_that_caught_up_and_went_idle_is_ok_not_stop() -> None:
    """Committed = log end, nothing new for many scans: OK, lag 0, lag in seconds 0."""
    scanner = Scanner(settings())
    for _ in range(8):
        resources = scanner.scan(
            [ORDERS], {("orders", 0): 500}, [group("etl", {("orders", 0): 500})]
        )
    data = resources["prod-events/etl"].data
    assert (data["status"], data["lag"], data["lag_seconds"]) == ("OK", 0, 0.0)
    assert data["lag_seconds_basis"] == "caught_up"


def test_a_member_holding_a_stuck_partition_makes_it_stall() -> None:
    """A live member assigned the partition whose offset never moves: STALL, naming it."""
    scanner = Scanner(settings())
    member = Member("etl-1", "10.0.0.7", (("orders", 0),))
    for scan in range(6):
        resources = scanner.scan(
            [ORDERS],
            {("orders", 0): 100 + 10 * scan},
            [group("etl", {("orders", 0): 90}, members=[member], state="Stable")],
        )
    data = resources["prod-events/etl"].data
    assert (data["status"], data["worst_partition_status"], data["members"]) == ("ERR", "STALL", 1)
    assert data["problem_partitions"][0]["holder"] == "etl-1@10.0.0.7"


def test_lag_in_seconds_is_interpolated_from_the_log_end_history() -> None:
    """Log end 100 then 160 a minute later; offset 130 was written 30 s before the second
    scan, so a minute after that it is 90 s behind."""
    scanner = Scanner(settings())
    scanner.scan([ORDERS], {("orders", 0): 100}, [group("etl", {("orders", 0): 100})])
    scanner.scan([ORDERS], {("orders", 0): 160}, [group("etl", {("orders", 0): 130})])
    resources = scanner.scan([ORDERS], {("orders", 0): 160}, [group("etl", {("orders", 0): 130})])
    data = resources["prod-events/etl"].data
    assert (data["lag_seconds"], data["lag_seconds_basis"]) == (90.0, "interpolated")
    assert data["lag_seconds_topic"] == "orders"


def test_offsets_below_the_log_start_are_out_of_range() -> None:
    """A committed offset retention already deleted is counted as out of range."""
    resources = Scanner(settings()).scan(
        [ORDERS],
        {("orders", 0): 900, ("orders", 1): 900},
        [group("etl", {("orders", 0): 10, ("orders", 1): 850})],
        log_start={("orders", 0): 400, ("orders", 1): 400},
    )
    assert resources["prod-events/etl"].data["out_of_range_partitions"] == 1


def test_topic_lists_its_consumers_and_their_largest_lag() -> None:
    """The topic resource names the groups reading it and the largest group lag."""
    resources = Scanner(settings()).scan(
        [ORDERS],
        {("orders", 0): 100},
        [group("etl", {("orders", 0): 60}), group("audit", {("orders", 0): 100})],
    )
    data = resources["prod-events/orders"].data
    assert (data["consumer_groups"], data["max_consumer_lag"]) == (["audit", "etl"], 40)


def test_history_survives_a_restart(tmp_path: Path) -> None:
    """A new collector on the same state file picks up the window: STOP right away."""
    path = tmp_path / "state.db"
    store = HistoryStore(path)
    first = Scanner(settings(), store)
    for scan in range(5):
        first.scan([ORDERS], {("orders", 0): 100 + 10 * scan}, [group("etl", {("orders", 0): 90})])
    store.close()
    second = Scanner(settings(), HistoryStore(path))
    second.now = first.now
    resources = second.scan([ORDERS], {("orders", 0): 200}, [group("etl", {("orders", 0): 90})])
    data = resources["prod-events/etl"].data
    assert data["worst_partition_status"] == "STOP"
    assert data["problem_partitions"][0]["last_commit_age_seconds"] == 300.0
    assert not math.isnan(data["lag_seconds"])


def test_window_and_history_are_bounded() -> None:
    """However many scans, a partition keeps window_scans scans and history_points log ends."""
    scanner = Scanner(settings(window_scans=3, min_scans=2, history_points=5))
    for scan in range(20):
        scanner.scan(
            [ORDERS], {("orders", 0): 10 * scan}, [group("etl", {("orders", 0): 5 * scan})]
        )
    assert len(scanner.history.window("etl", "orders", 0)) == 3
    assert len(scanner.history._ends[("orders", 0)].times) == 5


def test_groups_and_topics_that_vanish_are_forgotten() -> None:
    """A deleted group's and topic's history is dropped from memory."""
    scanner = Scanner(settings())
    scanner.scan([ORDERS], {("orders", 0): 10}, [group("etl", {("orders", 0): 5})])
    scanner.scan([topic("payments", 1)], {("payments", 0): 10}, [])
    assert scanner.history.commits("etl", "orders") is None
    assert ("orders", 0) not in scanner.history._ends


def test_restart_replays_a_log_end_reset_as_a_fresh_history(tmp_path: Path) -> None:
    """A topic re-created between scans (log end 200 → 50): after a restart the time-lag
    history starts again from the drop, as it did before the restart."""
    store = HistoryStore(tmp_path / "state.db")
    first = Scanner(settings(), store)
    for end in (100, 200, 50, 80):
        first.scan([ORDERS], {("orders", 0): end}, [group("etl", {("orders", 0): 40})])
    before = first.history._ends[("orders", 0)]
    store.close()
    second = Scanner(settings(), HistoryStore(tmp_path / "state.db"))
    second.history.attach(second.store)
    after = second.history._ends[("orders", 0)]
    assert after.offsets == before.offsets == [50, 80]
    assert after.times == before.times
    assert [s.log_end for s in second.history.window("etl", "orders", 0)] == [100, 200, 50, 80]
