"""Driving the collector's judging over a series of reads, with an explicit clock."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from auditor.collectors.kafka.collector import CollectionScan
from auditor.collectors.kafka.history import LagHistory
from auditor.collectors.kafka.records import (
    Broker,
    ClusterRead,
    Group,
    Listener,
    Member,
    Partition,
    Topic,
    TopicPartition,
)
from auditor.collectors.kafka.settings import KafkaSettings
from auditor.model import Resource
from auditor.state import HistoryStore
from tests.unit.kafka.admin_shapes import healthy

START = datetime(2026, 11, 26, 5, 0, tzinfo=UTC)
BROKERS = [Broker(1, "kafka-0.kafka.data.svc", 9093)]
LISTENERS = [Listener(1, "SASL_SSL", "SASL_SSL", "kafka-0.kafka.data.svc", 9093, "connection")]


def settings(**lag: Any) -> KafkaSettings:
    """Settings of a production cluster named prod-events, with lag overrides."""
    return KafkaSettings(
        name="prod-events",
        type="kafka",
        bootstrap_servers=["kafka-0.kafka.data.svc:9093"],
        environment="production",
        lag={"window_scans": 4, "min_scans": 3, **lag},
    )


def topic(name: str, partitions: int, configs: Mapping[str, str] | None = None) -> Topic:
    """A healthy three-replica topic record."""
    return Topic(
        name,
        tuple(Partition(p, leader, tuple(r), tuple(i)) for p, leader, r, i in healthy(partitions)),
        dict(configs) if configs is not None else None,
    )


def group(
    group_id: str,
    committed: Mapping[TopicPartition, int] | None,
    members: Sequence[Member] | None = (),
    state: str = "Empty",
) -> Group:
    """A consumer group record with these committed offsets."""
    return Group(
        id=group_id,
        state=state,
        simple=False,
        assignor=None,
        members=tuple(members) if members is not None else None,
        committed=dict(committed) if committed is not None else None,
    )


class Scanner:
    """Runs reads through one CollectionScan each, `step_minutes` apart, on one history."""

    def __init__(
        self, settings: KafkaSettings, store: HistoryStore | None = None, step_minutes: int = 1
    ) -> None:
        self.settings = settings
        self.step = timedelta(minutes=step_minutes)
        self.store = store or HistoryStore()
        self.history = LagHistory(
            settings.name,
            window_scans=settings.lag.window_scans,
            history_points=settings.lag.history_points,
        )
        self.now = START

    def scan(
        self,
        topics: Sequence[Topic],
        log_end: Mapping[TopicPartition, int],
        groups: Sequence[Group],
        log_start: Mapping[TopicPartition, int] | None = None,
    ) -> dict[str, Resource]:
        """One collection of this read; resources by id. The clock then moves one step."""
        self.history.attach(self.store)
        judging = CollectionScan(self.history, self.settings, self.now)
        judging.offsets(list(topics), log_end, log_start or {})
        for item in groups:
            judging.group(item)
        read = ClusterRead(
            cluster_id="q1Sh-9_ISia_zwGINzRvyQ",
            controller_id=1,
            brokers=BROKERS,
            topics=list(topics),
            groups=list(groups),
            listeners=LISTENERS,
            broker_configs_readable=True,
            log_end=dict(log_end),
            log_start=dict(log_start or {}),
        )
        resources = judging.finish(read)
        self.now += self.step
        return {r.id: r for r in resources}
