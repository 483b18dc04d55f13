"""Lag and status against a real broker: records produced, offsets committed, scans timed by
an explicit clock (the broker's offsets are real, the scan times are the test's)."""

from __future__ import annotations

from tests.integration.kafka.conftest import Scanner, kafka_settings
from tests.integration.kafka.tansu import TansuBroker


def test_lag_grows_with_records_and_shrinks_with_commits(broker: TansuBroker, unique: str) -> None:
    """Produced records raise the lag, commits lower it, exactly, partition by partition."""
    topic, group = f"orders.{unique}", f"etl.{unique}"
    broker.create_topics({topic: 2})
    broker.produce(topic, 10, partition=0)
    broker.produce(topic, 4, partition=1)
    broker.commit(group, {(topic, 0): 3, (topic, 1): 4})
    scanner = Scanner(kafka_settings(broker))
    first = scanner.group(group)
    assert (first["lag"], first["max_lag"]) == (7, 7)

    broker.produce(topic, 5, partition=1)
    grown = scanner.group(group)
    assert (grown["lag"], grown["max_lag"]) == (12, 7)
    assert [t["lag"] for t in grown["topics"]] == [12]

    broker.commit(group, {(topic, 0): 10, (topic, 1): 9})
    caught_up = scanner.group(group)
    assert (caught_up["lag"], caught_up["lag_seconds"]) == (0, 0.0)
    assert caught_up["status"] == "OK"
    scanner.close()


def test_partition_without_commit_is_no_offset_not_lag_zero(
    broker: TansuBroker, unique: str
) -> None:
    """A group committed on one partition of three: the other two are 'without offset'."""
    topic, group = f"payments.{unique}", f"ledger.{unique}"
    broker.create_topics({topic: 3})
    broker.produce(topic, 6, partition=2)
    broker.commit(group, {(topic, 0): 0})
    scanner = Scanner(kafka_settings(broker))
    data = scanner.group(group)
    assert data["committed_partitions"] == 1
    assert data["partitions_without_offset"] == 2
    assert data["lag"] == 0
    scanner.close()


def test_group_that_stops_committing_turns_stop(broker: TansuBroker, unique: str) -> None:
    """Records keep arriving, the offset stays: STALL while the window is young, STOP once the
    offset has outlasted it, with the numbers in the reason; a commit brings it back to OK."""
    topic, group = f"clicks.{unique}", f"sessionizer.{unique}"
    broker.create_topics({topic: 1})
    broker.produce(topic, 5)
    broker.commit(group, {(topic, 0): 5})
    scanner = Scanner(kafka_settings(broker))
    producer = broker.producer()
    statuses = []
    for _ in range(6):
        broker.produce(topic, 2, producer=producer)
        data = scanner.group(group)
        statuses.append(data["worst_partition_status"])
    assert statuses == ["UNKNOWN", "UNKNOWN", "STALL", "STALL", "STOP", "STOP"]
    assert data["status"] == "ERR"
    [problem] = data["problem_partitions"]
    assert (problem["committed"], problem["log_end_offset"], problem["lag"]) == (5, 17, 12)
    assert (problem["lag_then"], problem["window_scans"]) == (6, 4)
    assert (problem["last_commit_age_seconds"], problem["window_span_seconds"]) == (300.0, 180.0)
    assert (
        "has not moved for 5m00s, longer than the 3m00s the last 4 scans span"
        in (data["status_reason"])
    )

    broker.commit(group, {(topic, 0): 17})
    recovered = scanner.group(group)
    assert (recovered["status"], recovered["lag"]) == ("OK", 0)
    scanner.close()


def test_group_that_caught_up_and_went_idle_is_not_stop(broker: TansuBroker, unique: str) -> None:
    """Nothing new to read for many scans: OK, lag 0 and 0 seconds, never STOP."""
    topic, group = f"audit-log.{unique}", f"archiver.{unique}"
    broker.create_topics({topic: 1})
    broker.produce(topic, 8)
    broker.commit(group, {(topic, 0): 8})
    scanner = Scanner(kafka_settings(broker))
    for _ in range(6):
        data = scanner.group(group)
        assert (data["status"], data["lag"], data["lag_seconds"]) == ("OK", 0, 0.0)
    scanner.close()


def test_slow_consumer_warns_and_rewind_is_seen(broker: TansuBroker, unique: str) -> None:
    """A consumer moving slower than producers is WARN; one whose offset went back is REWIND."""
    topic, slow, rewound = f"inventory.{unique}", f"slow.{unique}", f"replayer.{unique}"
    broker.create_topics({topic: 1})
    broker.produce(topic, 20)
    scanner = Scanner(kafka_settings(broker))
    producer = broker.producer()
    offsets = {slow: 0, rewound: 20}
    for scan in range(4):
        offsets[slow] += 1
        offsets[rewound] = 12 if scan == 2 else offsets[rewound]
        for group, offset in offsets.items():
            broker.commit(group, {(topic, 0): offset})
        broker.produce(topic, 3, producer=producer)
        resources = scanner.resources()
    assert resources[("kafka.consumer_group", slow)].data["worst_partition_status"] == "WARN"
    replayed = resources[("kafka.consumer_group", rewound)].data
    assert replayed["worst_partition_status"] == "REWIND"
    assert "went back from 20 to 12" in replayed["status_reason"]


def test_lag_in_seconds_is_interpolated_between_scans(broker: TansuBroker, unique: str) -> None:
    """Log end 10 at one scan and 20 a minute later; offset 15 was written 30 s before the
    second scan, so it is 30 s behind then and 90 s a minute after."""
    topic, group = f"shipments.{unique}", f"tracker.{unique}"
    broker.create_topics({topic: 1})
    broker.produce(topic, 10)
    broker.commit(group, {(topic, 0): 10})
    scanner = Scanner(kafka_settings(broker))
    assert scanner.group(group)["lag_seconds"] == 0.0
    broker.produce(topic, 10)
    broker.commit(group, {(topic, 0): 15})
    second = scanner.group(group)
    assert (second["lag_seconds"], second["lag_seconds_basis"]) == (30.0, "interpolated")
    assert scanner.group(group)["lag_seconds"] == 90.0
    scanner.close()


def test_group_reprocessing_from_the_start_is_a_bounded_lower_bound(
    broker: TansuBroker, unique: str
) -> None:
    """A group reset to offset 0 of a long log: 'at least' the history's age, not nonsense."""
    topic, group = f"backfill.{unique}", f"rebuild.{unique}"
    broker.create_topics({topic: 1})
    broker.produce(topic, 30)
    scanner = Scanner(kafka_settings(broker))
    scanner.resources()
    broker.commit(group, {(topic, 0): 0})
    broker.produce(topic, 2)
    data = scanner.group(group)
    assert (data["lag_seconds"], data["lag_seconds_basis"]) == (60.0, "lower_bound")
    scanner.close()
