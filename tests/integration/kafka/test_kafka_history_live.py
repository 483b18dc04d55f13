"""The offsets history read back by a new process (`auditor scan`), against a real broker."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from auditor.state import HistoryStore
from tests.integration.kafka.conftest import Scanner, kafka_settings
from tests.integration.kafka.tansu import TansuBroker


def test_one_shot_scan_reports_what_the_running_daemon_reports(
    broker: TansuBroker, unique: str, tmp_path: Path
) -> None:
    """A new collector on a copy of the daemon's state file, at the same moment, reports the
    same groups: the history read beside the first requests is the daemon's history."""
    topic, stopped, moving = f"orders.{unique}", f"stopped.{unique}", f"moving.{unique}"
    broker.create_topics({topic: 2})
    broker.produce(topic, 5, partition=0)
    broker.produce(topic, 5, partition=1)
    broker.commit(stopped, {(topic, 0): 2, (topic, 1): 5})
    daemon = Scanner(kafka_settings(broker), HistoryStore(tmp_path / "daemon.db"))
    producer = broker.producer()
    for scan in range(6):
        broker.produce(topic, 2, partition=0, producer=producer)
        broker.commit(moving, {(topic, 0): 3 + 2 * scan, (topic, 1): 5})
        daemon.resources()
    with sqlite3.connect(tmp_path / "scan.db") as copy:
        sqlite3.connect(tmp_path / "daemon.db").backup(copy)  # WAL included, store still open
    one_shot = Scanner(kafka_settings(broker), HistoryStore(tmp_path / "scan.db"))
    one_shot.now = daemon.now
    theirs, ours = one_shot.resources(), daemon.resources()
    for name in (stopped, moving):
        key = ("kafka.consumer_group", name)
        assert theirs[key].data == ours[key].data
    assert ours[("kafka.consumer_group", stopped)].data["worst_partition_status"] == "STOP"
    daemon.close()
    one_shot.close()


def test_unreadable_history_fails_the_collection_not_the_collector(
    broker: TansuBroker, unique: str, tmp_path: Path
) -> None:
    """A corrupt history point makes the collection fail (the source is down, with the
    error); the same collector then collects normally on a readable store."""
    topic, group = f"events.{unique}", f"reader.{unique}"
    broker.create_topics({topic: 1})
    broker.produce(topic, 3)
    broker.commit(group, {(topic, 0): 1})
    path = tmp_path / "state.db"
    writer = Scanner(kafka_settings(broker), HistoryStore(path))
    writer.resources()
    writer.store.close()
    writer.close()
    db = sqlite3.connect(path, isolation_level=None)
    db.execute("UPDATE history SET value = '{not json' WHERE series LIKE 'commit/%'")
    db.close()
    scanner = Scanner(kafka_settings(broker), HistoryStore(path))
    failed = scanner.collect()
    assert not failed.health.up
    scanner.store = HistoryStore()
    assert scanner.group(group)["lag"] == 2
    scanner.close()
