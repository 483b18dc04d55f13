"""The Admin API conversation: few requests, batched, concurrent within a bound, each timed out.

Per collection: one Metadata request; then, all at once, the group listing, the log-end and
log-start offsets of every partition (one ListOffsets per leader each), the configs of every
topic (batched) and of each broker; then every group's committed offsets (one OffsetFetch per
group, the Admin API's unit) and description, at most `max_inflight_groups` groups at a time.
Connection failures make the source down; a part that is refused becomes a problem.
"""

from __future__ import annotations

import concurrent.futures
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Sequence
from typing import Any

import structlog
from confluent_kafka import ConsumerGroupTopicPartitions, TopicPartition
from confluent_kafka.admin import AdminClient

# confluent_kafka.admin re-exports these without declaring it; import them where they live.
from confluent_kafka.admin._config import ConfigResource
from confluent_kafka.admin._listoffsets import OffsetSpec
from confluent_kafka.admin._resource import ResourceType

from auditor.collectors.base import SourceError
from auditor.collectors.kafka.errors import (
    CONNECTION_KINDS,
    error_code_name,
    error_kind,
    source_error,
)
from auditor.collectors.kafka.parse import (
    config_values,
    connection_listeners,
    group_state,
    parse_brokers,
    parse_group,
    parse_listeners,
    parse_topics,
)
from auditor.collectors.kafka.records import ClusterRead, Group, Listener
from auditor.collectors.kafka.settings import KafkaSettings, client_config, secret_values

log = structlog.get_logger(__name__)

_TOPIC_CONFIG_BATCH = 500
_LATEST = OffsetSpec.latest()  # type: ignore[no-untyped-call]
_EARLIEST = OffsetSpec.earliest()  # type: ignore[no-untyped-call]
_NO_MEMBERS_STATES = ("Empty", "Dead")


class _ClientLog:
    """librdkafka's log lines, at debug level: failures reach the user as SourceErrors."""

    def log(self, level: int, message: str, *args: object) -> None:
        log.debug("librdkafka", level=level, message=message % args if args else message)


class Problems:
    """Parts that could not be read, summarised per (what, error) so a thousand refusals are
    one line, not a thousand."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], list[str]] = {}

    def add(self, what: str, exc: BaseException, item: str) -> None:
        """Note that `item` of `what` failed with `exc`."""
        self.add_named(what, error_code_name(exc), item)

    def add_named(self, what: str, error: str, item: str) -> None:
        """Note that `item` of `what` failed with the error named `error`."""
        self._items.setdefault((what, error), []).append(item)

    def lines(self) -> list[str]:
        """One line per (what, error)."""
        lines = []
        for (what, error), items in sorted(self._items.items()):
            shown = ", ".join(items[:5]) + (f" and {len(items) - 5} more" if len(items) > 5 else "")
            lines.append(f"{what} not read for {len(items)} ({error}): {shown}")
        return lines


class ClusterReader:
    """Reads one cluster; the AdminClient is made on first use and kept between collections."""

    def __init__(
        self, settings: KafkaSettings, admin_factory: Callable[[dict[str, Any]], Any] = AdminClient
    ) -> None:
        self.settings = settings
        self._admin_factory = admin_factory
        self._admin: Any = None
        self._secrets: list[str] = []

    def close(self) -> None:
        """Drop the client (librdkafka closes its connections when it is released)."""
        self._admin = None

    def _client(self) -> Any:
        if self._admin is None:
            config = client_config(self.settings)
            self._secrets = secret_values(config)
            config["logger"] = _ClientLog()
            try:
                self._admin = self._admin_factory(config)
            except Exception as exc:  # noqa: BLE001 - a bad librdkafka property: say which kind
                raise SourceError("config", f"cannot create the Kafka client: {exc}") from None
        return self._admin

    def read(self) -> ClusterRead:
        """One read of the cluster (SourceError when the cluster cannot be talked to)."""
        admin = self._client()
        try:
            return self._read(admin, time.monotonic() + self.settings.timeout_seconds)
        finally:
            admin.poll(0)  # deliver queued client log lines

    def _timeout(self, deadline: float) -> float:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise SourceError("timeout", f"no answer within {self.settings.timeout_seconds:g} s")
        return min(self.settings.request_timeout_seconds, remaining)

    def _result(self, what: str, future: Any, deadline: float) -> Any:
        """A future's result; connection-level failures become the source's SourceError."""
        try:
            return future.result(timeout=self._timeout(deadline))
        except SourceError:
            raise
        except Exception as exc:  # noqa: BLE001 - classified below, re-raised as SourceError
            raise source_error(what, exc, self._secrets) from None

    def _read(self, admin: Any, deadline: float) -> ClusterRead:
        settings = self.settings
        try:
            metadata = admin.list_topics(timeout=self._timeout(deadline))
        except SourceError:
            raise
        except Exception as exc:  # noqa: BLE001 - KafkaException, classified
            raise source_error("reading cluster metadata", exc, self._secrets) from None
        problems = Problems()
        brokers = parse_brokers(metadata)
        names = sorted(n for n in metadata.topics if settings.topics.admits(n))
        partitions = [
            TopicPartition(n, int(p)) for n in names for p in sorted(metadata.topics[n].partitions)
        ]
        timeout = self._timeout(deadline)
        listing_future = admin.list_consumer_groups(request_timeout=timeout)
        latest = _list_offsets(admin, partitions, _LATEST, timeout)
        earliest = _list_offsets(admin, partitions, _EARLIEST, timeout)
        topic_config_futures: dict[str, Any] = {}
        for start in range(0, len(names), _TOPIC_CONFIG_BATCH):
            batch = [
                ConfigResource(ResourceType.TOPIC, n)
                for n in names[start : start + _TOPIC_CONFIG_BATCH]
            ]
            for resource, future in admin.describe_configs(batch, request_timeout=timeout).items():
                topic_config_futures[resource.name] = future
        broker_config_futures = {
            b.id: admin.describe_configs(
                [ConfigResource(ResourceType.BROKER, str(b.id))], request_timeout=timeout
            )
            for b in brokers
        }

        listing = self._result("listing consumer groups", listing_future, deadline)
        for error in listing.errors or ():
            self._tolerate("consumer group listing", error, "a broker", problems)
        listings = {
            g.group_id: g for g in listing.valid or () if settings.groups.admits(g.group_id)
        }
        groups = self._read_groups(admin, listings, deadline, problems)

        log_end = self._offsets("log-end offsets", latest, deadline, problems)
        log_start = self._offsets("log-start offsets", earliest, deadline, problems)
        topic_configs: dict[str, Any] = {}
        for name, future in topic_config_futures.items():
            topic_configs[name] = self._partial("topic configs", future, name, deadline, problems)
        topics, topic_problems = parse_topics(metadata, topic_configs, settings.topics.admits)
        listeners: list[Listener] = []
        readable = True
        for broker_id, futures in broker_config_futures.items():
            [future] = futures.values()
            entries = self._partial(
                "broker configs", future, f"broker {broker_id}", deadline, problems
            )
            if entries is None:
                readable = False
                continue
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
            problems=topic_problems + problems.lines(),
        )

    def _tolerate(self, what: str, exc: BaseException, item: str, problems: Problems) -> None:
        """A refused part is a problem; a lost connection is the source's failure."""
        if error_kind(exc) in CONNECTION_KINDS:
            raise source_error(what, exc, self._secrets)
        problems.add(what, exc, item)

    def _partial(
        self, what: str, future: Any, item: str, deadline: float, problems: Problems
    ) -> Any:
        try:
            return future.result(timeout=self._timeout(deadline))
        except SourceError:
            raise
        except Exception as exc:  # noqa: BLE001 - classified by _tolerate
            self._tolerate(what, exc, item, problems)
            return None

    def _offsets(
        self, what: str, futures: dict[Any, Any], deadline: float, problems: Problems
    ) -> dict[tuple[str, int], int]:
        offsets = {}
        for tp, future in futures.items():
            result = self._partial(what, future, f"{tp.topic}/{tp.partition}", deadline, problems)
            if result is not None and result.offset >= 0:
                offsets[(str(tp.topic), int(tp.partition))] = int(result.offset)
        return offsets

    def _read_groups(
        self, admin: Any, listings: dict[str, Any], deadline: float, problems: Problems
    ) -> list[Group]:
        """Offsets and descriptions of every group, at most max_inflight_groups at a time."""

        def submit(group_id: str) -> list[Any]:
            timeout = self._timeout(deadline)
            request = [ConsumerGroupTopicPartitions(group_id)]
            futures = [
                admin.list_consumer_group_offsets(request, request_timeout=timeout)[group_id]
            ]
            if _may_have_members(listings[group_id]):
                described = admin.describe_consumer_groups([group_id], request_timeout=timeout)
                futures += described.values()
            return futures

        submitted = _bounded(submit, sorted(listings), self.settings.max_inflight_groups, deadline)
        groups = []
        for group_id, futures in submitted.items():
            committed = self._partial("committed offsets", futures[0], group_id, deadline, problems)
            description = (
                self._partial("group description", futures[1], group_id, deadline, problems)
                if len(futures) > 1
                else None
            )
            listing = listings[group_id]
            group, group_problems = parse_group(
                group_id,
                listing,
                description,
                committed.topic_partitions if committed is not None else None,
            )
            if description is None and len(futures) == 1:
                group = _without_members(group)
            for item, error in group_problems:
                problems.add_named("committed offsets of partitions", error, item)
            groups.append(group)
        return groups


def _may_have_members(listing: Any) -> bool:
    """Simple groups, and Empty or Dead ones, have no members: no need to describe them."""
    return not listing.is_simple_consumer_group and (
        group_state(listing.state) not in _NO_MEMBERS_STATES
    )


def _without_members(group: Group) -> Group:
    """A group known to have no live members (Empty, Dead, or a simple group) has members ()."""
    return Group(
        id=group.id,
        state=group.state,
        simple=group.simple,
        assignor=group.assignor,
        members=(),
        committed=group.committed,
    )


def _list_offsets(
    admin: Any, partitions: Sequence[TopicPartition], spec: Any, timeout: float
) -> dict[Any, Any]:
    if not partitions:
        return {}
    result: dict[Any, Any] = admin.list_offsets(
        {tp: spec for tp in partitions}, request_timeout=timeout
    )
    return result


def _bounded(
    submit: Callable[[str], list[Any]], items: Iterable[str], limit: int, deadline: float
) -> dict[str, list[Any]]:
    """submit(item) for every item with at most `limit` items' futures unfinished at a time."""
    pending = deque(items)
    submitted: dict[str, list[Any]] = {}
    inflight: set[Any] = set()
    while pending or inflight:
        while pending and len(inflight) < limit:
            item = pending.popleft()
            futures = submitted[item] = submit(item)
            inflight.add(_all_of(futures))
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise SourceError("timeout", "committed offsets were not all read before the deadline")
        _, inflight_left = concurrent.futures.wait(
            inflight, timeout=remaining, return_when=concurrent.futures.FIRST_COMPLETED
        )
        inflight = set(inflight_left)
    return submitted


def _all_of(futures: list[Any]) -> Any:
    """A future done when all of `futures` are (whatever their outcome)."""
    if len(futures) == 1:
        return futures[0]
    combined: concurrent.futures.Future[None] = concurrent.futures.Future()
    left = [len(futures)]
    lock = threading.Lock()

    def one_done(_: Any) -> None:
        with lock:  # callbacks run on the client's threads
            left[0] -= 1
            last = left[0] == 0
        if last:
            combined.set_result(None)

    for future in futures:
        future.add_done_callback(one_done)
    return combined
