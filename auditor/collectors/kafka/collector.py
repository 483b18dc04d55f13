"""The Kafka collector: read the cluster, add the scan to the offset history, build resources."""

from __future__ import annotations

import concurrent.futures
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from confluent_kafka.admin import AdminClient

from auditor.collectors.base import Collection, CollectorContext
from auditor.collectors.kafka.client import ClusterReader
from auditor.collectors.kafka.gcpause import gc_paused
from auditor.collectors.kafka.groups import group_data
from auditor.collectors.kafka.history import LagHistory
from auditor.collectors.kafka.records import ClusterRead, Group, Topic, TopicPartition
from auditor.collectors.kafka.resources import build_resources
from auditor.collectors.kafka.settings import KafkaSettings
from auditor.collectors.kafka.tracks import Offsets, by_topic
from auditor.model import Resource


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
        with gc_paused():
            return self._collect(context)

    def _collect(self, context: CollectorContext) -> Collection:
        now = context.now()
        loading = None
        if not self._history.attached(context.history):
            # A first collection reads the history back while the broker answers the first
            # requests (both mostly wait: SQLite and librdkafka release the GIL).
            pool = concurrent.futures.ThreadPoolExecutor(1, "kafka-history")
            loading = pool.submit(self._history.attach, context.history)
            pool.shutdown(wait=False)  # the thread ends with its one task
        scan = CollectionScan(self._history, self.settings, now, loading)
        try:
            read = self._reader.read(scan)
        except BaseException:
            if loading is not None:
                concurrent.futures.wait([loading])
            # Part of this scan may be in the in-memory history but not in the store: drop
            # the memory, the store is re-read on the next collection.
            self._history.detach()
            raise
        return Collection(resources=scan.finish(read), problems=read.problems)

    def close(self) -> None:
        """Release the client."""
        self._reader.close()


class CollectionScan:
    """One collection's judging: handed the log ends, then each group as its offsets arrive
    (while the other fetches are in flight), then the whole read to make the resources."""

    def __init__(
        self,
        history: LagHistory,
        settings: KafkaSettings,
        now: datetime,
        loading: concurrent.futures.Future[None] | None = None,
    ) -> None:
        self.history = history
        self._loading = loading  # the history being read back, needed from the log ends on
        self.settings = settings
        self.now = now
        self.groups: dict[str, dict[str, Any]] = {}
        self._topics: dict[str, Topic] = {}
        self._log_start: dict[str, Offsets] = {}

    def offsets(
        self,
        topics: list[Topic],
        log_end: Mapping[TopicPartition, int],
        log_start: Mapping[TopicPartition, int],
    ) -> None:
        """Record the log ends (time lag needs this scan's point before any group is judged)."""
        self._history_ready()
        self._topics = {t.name: t for t in topics}
        self._log_start = by_topic(log_start)
        self.history.record_log_ends(self.now, log_end, self._topics)

    def group(self, group: Group) -> None:
        """Record the group's offsets and judge it."""
        committed = {}
        if group.committed is not None:
            committed = self.history.record_commits(group.id, group.committed)
        self.groups[group.id] = group_data(
            group,
            committed,
            self.history.log_ends,
            self._log_start,
            self._topics,
            self.history,
            self.settings,
            self.now.timestamp(),
        )

    def finish(self, read: ClusterRead) -> list[Resource]:
        """Store this scan's history and build every resource."""
        self._history_ready()
        self.history.flush(g.id for g in read.groups)
        return build_resources(read, self.groups, self.settings, self.now)

    def _history_ready(self) -> None:
        if self._loading is not None:
            self._loading.result()  # raises what reading the history back raised
