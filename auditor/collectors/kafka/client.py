"""The Admin API conversation: few requests, batched, concurrent within a bound, each timed out.

Per collection, first the groups, the longest chain: the committed offsets of the groups the
last collection saw, and the group listing with members (group_reads.py), after which those of
new groups go out, `max_inflight_groups` at a time. Beside them one Metadata request; then,
all sent before any is awaited, the log-end offsets of every partition (one ListOffsets
request per leader broker; log-start offsets the same way, every `log_start_refresh_seconds`)
and the configs of every topic (batched) and of each broker.
The client is made on first use and kept between collections (connections are reused).
"""

from __future__ import annotations

import concurrent.futures
import time
from collections.abc import Callable, Mapping, Sequence
from typing import Any, Protocol

import structlog
from confluent_kafka import TopicPartition as KafkaTopicPartition
from confluent_kafka.admin import AdminClient

# confluent_kafka.admin re-exports these without declaring it; import them where they live.
from confluent_kafka.admin._config import ConfigResource
from confluent_kafka.admin._listoffsets import OffsetSpec
from confluent_kafka.admin._resource import ResourceType

from auditor.collectors.base import SourceError
from auditor.collectors.kafka.calls import Calls
from auditor.collectors.kafka.group_reads import CommittedOffsets, list_groups
from auditor.collectors.kafka.parse import (
    config_values,
    connection_listeners,
    parse_brokers,
    parse_listeners,
    parse_topics,
    with_configs,
)
from auditor.collectors.kafka.records import ClusterRead, Group, Listener, Topic, TopicPartition
from auditor.collectors.kafka.settings import KafkaSettings, client_config, secret_values

log = structlog.get_logger(__name__)

_TOPIC_CONFIG_BATCH = 500
_LATEST = OffsetSpec.latest()  # type: ignore[no-untyped-call]
_EARLIEST = OffsetSpec.earliest()  # type: ignore[no-untyped-call]


class _ClientLog:
    """librdkafka's log lines, at debug level: failures reach the user as SourceErrors."""

    def log(self, level: int, message: str, *args: object) -> None:
        log.debug("librdkafka", level=level, message=message % args if args else message)


class ReadSink(Protocol):
    """Takes a read's parts as they arrive."""

    def offsets(
        self,
        topics: list[Topic],
        log_end: Mapping[TopicPartition, int],
        log_start: Mapping[TopicPartition, int],
    ) -> None:
        """The topics (configs not yet attached) and their partitions' offsets."""

    def group(self, group: Group) -> None:
        """One group, with its committed offsets."""


class _IgnoringSink:
    def offsets(
        self,
        topics: list[Topic],
        log_end: Mapping[TopicPartition, int],
        log_start: Mapping[TopicPartition, int],
    ) -> None:
        """Nothing to do."""

    def group(self, group: Group) -> None:
        """Nothing to do."""


class ClusterReader:
    """Reads one cluster."""

    def __init__(
        self, settings: KafkaSettings, admin_factory: Callable[[dict[str, Any]], Any] = AdminClient
    ) -> None:
        self.settings = settings
        self._admin_factory = admin_factory
        self.admin: Any = None
        self._secrets: list[str] = []
        self._known_groups: set[str] = set()
        # Log-start offsets move only when retention deletes a segment: re-read them every
        # log_start_refresh_seconds, not every collection (one ListOffsets fewer per cycle).
        self._log_start: dict[tuple[str, int], int] = {}
        self._log_start_read_at: float | None = None

    def close(self) -> None:
        """Drop the client (librdkafka closes its connections when it is released)."""
        self.admin = None

    def _client(self) -> Any:
        if self.admin is None:
            config = client_config(self.settings)
            self._secrets = secret_values(config)
            config["logger"] = _ClientLog()
            try:
                self.admin = self._admin_factory(config)
            except Exception as exc:  # noqa: BLE001 - a bad librdkafka property: say which
                text = str(exc)
                for secret in self._secrets:
                    text = text.replace(secret, "***")
                raise SourceError("config", f"cannot create the Kafka client: {text}") from None
        return self.admin

    def read(self, sink: ReadSink | None = None) -> ClusterRead:
        """One read of the cluster (SourceError when the cluster cannot be talked to).

        `sink` is handed the offsets, then each group as its committed offsets arrive, so
        the caller's work overlaps the fetches still in flight.
        """
        admin = self._client()
        settings = self.settings
        # Finish a little inside the runner's deadline, so a slow cluster ends the collection
        # with our own account of what timed out and no thread left working behind it.
        budget = settings.timeout_seconds - min(1.0, settings.timeout_seconds / 10)
        calls = Calls(budget, settings.request_timeout_seconds, self._secrets)
        try:
            return self._read(admin, calls, sink or _IgnoringSink())
        except SourceError as exc:
            if exc.kind in ("unreachable", "timeout"):
                # A client that lost its broker mid-read can stay stuck after the broker is
                # back (requests time out, no reconnect): the next collection starts afresh.
                self.admin = None
            raise
        finally:
            admin.poll(0)  # deliver queued client log lines

    def _read(self, admin: Any, calls: Calls, sink: ReadSink) -> ClusterRead:
        settings = self.settings
        # The groups are the longest chain (a listing, then a fetch per group) and need
        # nothing from the topics: they start first, the topic reads go out beside them.
        fetches = CommittedOffsets(admin, calls, settings.max_inflight_groups)
        fetches.send(sorted(g for g in self._known_groups if settings.groups.admits(g)))

        def listing_then_fetches() -> dict[str, Group]:
            # New groups' fetches go out as soon as they are listed. The main thread leaves
            # `fetches` alone until this returns.
            listed = list_groups(admin, calls, settings.groups.admits)
            fetches.send(sorted(listed))
            return listed

        with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="kafka-groups") as pool:
            listing = pool.submit(listing_then_fetches)
            metadata = calls.call(
                "reading cluster metadata", lambda: admin.list_topics(timeout=calls.timeout())
            )
            brokers = parse_brokers(metadata)
            names = sorted(n for n in metadata.topics if settings.topics.admits(n))
            partitions = [
                KafkaTopicPartition(n, int(p))
                for n in names
                for p in sorted(metadata.topics[n].partitions)
            ]
            latest = _list_offsets(admin, partitions, _LATEST, calls.timeout())
            refresh = self._log_start_read_at is None or (
                time.monotonic() - self._log_start_read_at >= settings.log_start_refresh_seconds
            )
            earliest = (
                _list_offsets(admin, partitions, _EARLIEST, calls.timeout()) if refresh else {}
            )
            topic_config_futures = _describe_topics(admin, names, calls.timeout())
            broker_config_futures = {
                b.id: next(
                    iter(
                        admin.describe_configs(
                            [ConfigResource(ResourceType.BROKER, str(b.id))],
                            request_timeout=calls.timeout(),
                        ).values()
                    )
                )
                for b in brokers
            }
            log_end = _offsets(calls, "log-end offsets", latest)
            if refresh:
                self._log_start = _offsets(calls, "log-start offsets", earliest)
                self._log_start_read_at = time.monotonic()
            log_start = {tp: o for tp, o in self._log_start.items() if tp in log_end}
            topics, topic_problems = parse_topics(metadata, {}, settings.topics.admits)
            sink.offsets(topics, log_end, log_start)
            listed = listing.result()
        groups = fetches.read(listed, sink.group)
        self._known_groups = set(listed)

        topic_configs = {
            name: calls.partial("topic configs", future, name)
            for name, future in topic_config_futures.items()
        }
        topics = with_configs(topics, topic_configs)
        listeners: list[Listener] = []
        readable = True
        for broker_id, future in broker_config_futures.items():
            entries = calls.partial("broker configs", future, f"broker {broker_id}")
            if entries is None:
                readable = False
            else:
                listeners += parse_listeners(broker_id, config_values(entries))
        listeners += connection_listeners(brokers, settings.security_protocol, listeners)
        controller = int(metadata.controller_id)
        return ClusterRead(
            cluster_id=metadata.cluster_id or None,
            controller_id=controller if controller >= 0 else None,
            brokers=brokers,
            topics=topics,
            groups=groups,
            listeners=listeners,
            broker_configs_readable=readable,
            log_end=log_end,
            log_start=log_start,
            problems=topic_problems + calls.problems.lines(),
        )


def _describe_topics(admin: Any, names: list[str], timeout: float) -> dict[str, Any]:
    """DescribeConfigs futures of every topic, by name, in batches."""
    futures: dict[str, Any] = {}
    for start in range(0, len(names), _TOPIC_CONFIG_BATCH):
        batch = [
            ConfigResource(ResourceType.TOPIC, n)
            for n in names[start : start + _TOPIC_CONFIG_BATCH]
        ]
        answered = admin.describe_configs(batch, request_timeout=timeout)
        futures.update({r.name: f for r, f in answered.items()})
    return futures


def _list_offsets(
    admin: Any, partitions: Sequence[KafkaTopicPartition], spec: Any, timeout: float
) -> dict[Any, Any]:
    """One ListOffsets call for all partitions (librdkafka sends one request per leader)."""
    if not partitions:
        return {}
    result: dict[Any, Any] = admin.list_offsets(
        {tp: spec for tp in partitions}, request_timeout=timeout
    )
    return result


def _offsets(calls: Calls, what: str, futures: dict[Any, Any]) -> dict[tuple[str, int], int]:
    offsets = {}
    for tp, future in futures.items():
        result = calls.partial(what, future, f"{tp.topic}/{tp.partition}")
        if result is not None and result.offset >= 0:
            offsets[(str(tp.topic), int(tp.partition))] = int(result.offset)
    return offsets
