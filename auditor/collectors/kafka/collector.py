"""The Kafka collector: read the cluster, add the scan to the offset history, build resources."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from confluent_kafka.admin import AdminClient

from auditor.collectors.base import Collection, CollectorContext
from auditor.collectors.kafka.client import ClusterReader
from auditor.collectors.kafka.history import LagHistory
from auditor.collectors.kafka.resources import build_resources
from auditor.collectors.kafka.settings import KafkaSettings


class KafkaCollector:
    """One Kafka cluster. Kept for the daemon's lifetime: the client and history cache are
    reused between collections, the history itself lives in the state store."""

    settings_model = KafkaSettings

    def __init__(
        self,
        settings: KafkaSettings,
        admin_factory: Callable[[dict[str, Any]], Any] = AdminClient,
    ) -> None:
        self.settings = settings
        self._reader = ClusterReader(settings, admin_factory)
        self._history = LagHistory(
            settings.name,
            window_scans=settings.lag.window_scans,
            history_points=settings.lag.history_points,
        )

    def collect(self, context: CollectorContext) -> Collection:
        """Read the cluster once; lag and status use this scan plus the history kept so far."""
        now = context.now()
        read = self._reader.read()
        self._history.attach(context.history)
        self._history.record(
            now,
            read.log_end,
            {g.id: g.committed for g in read.groups if g.committed is not None},
            topics=[t.name for t in read.topics],
            groups=[g.id for g in read.groups],
        )
        resources = build_resources(read, self._history, self.settings, now)
        return Collection(resources=resources, problems=read.problems)

    def close(self) -> None:
        """Release the client."""
        self._reader.close()
