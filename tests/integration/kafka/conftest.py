"""A real Kafka-protocol broker (tansu) per test module, and a scanner with an explicit clock."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from auditor.collectors.base import CollectorContext
from auditor.collectors.kafka import KafkaCollector, KafkaSettings
from auditor.collectors.runner import SOURCE_KIND, SourceResult, run_collection
from auditor.model import Resource
from auditor.state import HistoryStore
from tests.integration.kafka.tansu import TansuBroker

START = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)
_names = itertools.count()


@pytest.fixture(scope="module")
def broker(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TansuBroker]:
    """One started tansu broker for the module, stopped by PID at the end."""
    started = TansuBroker(tmp_path_factory.mktemp("tansu") / "tansu.log").start()
    try:
        yield started
    finally:
        started.stop()


@pytest.fixture
def unique() -> str:
    """A suffix that keeps each test's topics and groups apart on the shared broker."""
    return f"t{next(_names)}"


def kafka_settings(broker: TansuBroker, **extra: Any) -> KafkaSettings:
    """A production `type: kafka` source on the broker, with a short status window."""
    document: dict[str, Any] = {
        "name": "events",
        "type": "kafka",
        "bootstrap_servers": [broker.bootstrap],
        "environment": "production",
        "timeout_seconds": 20,
        "request_timeout_seconds": 5,
        "lag": {"window_scans": 4, "min_scans": 3},
    }
    document.update(extra)
    return KafkaSettings.model_validate(document)


class Scanner:
    """One collector over a broker, collected at explicit times a minute apart."""

    def __init__(self, settings: KafkaSettings, store: HistoryStore | None = None) -> None:
        self.collector = KafkaCollector(settings)
        self.store = store or HistoryStore()
        self.now = START

    def collect(self) -> SourceResult:
        """One collection through the runner; the clock then moves on a minute."""
        context = CollectorContext(now=lambda: self.now, history=self.store)
        result = run_collection("events", "kafka", self.collector, context, timeout_seconds=30)
        self.now += timedelta(minutes=1)
        return result

    def resources(self) -> dict[tuple[str, str], Resource]:
        """One collection that must succeed; its resources by (kind, name)."""
        result = self.collect()
        assert result.health.up, result.health.error
        return {
            (r.kind, str(r.data.get("name"))): r for r in result.resources if r.kind != SOURCE_KIND
        }

    def group(self, name: str) -> dict[str, Any]:
        """One collection; the data of consumer group `name`."""
        return self.resources()[("kafka.consumer_group", name)].data

    def close(self) -> None:
        """Release the client."""
        self.collector.close()
