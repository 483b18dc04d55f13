"""Reading consumer groups: who they are, their members, and their committed offsets.

Listing and describing go in one batch when the client can: ListGroups, then one
DescribeGroups for all of a broker's groups (librdkafka's list_groups). The per-group Admin
API (list_consumer_groups + describe_consumer_groups) sends a FindCoordinator and a describe
request per group, twice the requests of the whole lag read at 500 groups, so it is only the
fallback: for clients without list_groups and for groups the batch could not describe.
Committed offsets are one OffsetFetch per group (the Admin API's unit), `limit` at a time.
"""

from __future__ import annotations

import queue
import time
import warnings
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from confluent_kafka import ConsumerGroupTopicPartitions

from auditor.collectors.base import SourceError
from auditor.collectors.kafka.calls import Calls
from auditor.collectors.kafka.parse import group_from_admin, group_from_metadata, with_committed
from auditor.collectors.kafka.records import Group

_DESCRIBE_CHUNK = 50


def list_groups(admin: Any, calls: Calls, admits: Callable[[str], bool]) -> dict[str, Group]:
    """Every admitted group with its state and members (committed offsets not yet read)."""
    batched = getattr(admin, "list_groups", None)
    groups: dict[str, Group] = {}
    undescribed: list[str] = []
    if batched is not None:
        with warnings.catch_warnings():
            # Deprecated in confluent-kafka in favour of the per-group calls, still supported
            # by librdkafka, and the only way to describe all groups in one request.
            warnings.simplefilter("ignore", DeprecationWarning)
            metadata = calls.call(
                "listing consumer groups", lambda: batched(timeout=calls.timeout())
            )
        for meta in metadata:
            if not admits(str(meta.id)):
                continue
            if meta.error is not None:
                undescribed.append(str(meta.id))
            else:
                groups[str(meta.id)] = group_from_metadata(meta)
        if not undescribed:
            return groups
    listing = calls.result(
        "listing consumer groups", admin.list_consumer_groups(request_timeout=calls.timeout())
    )
    for error in listing.errors or ():
        calls.tolerate("consumer group listing", error, "a broker")
    wanted = set(undescribed) if batched is not None else None
    listings = {
        g.group_id: g
        for g in listing.valid or ()
        if admits(g.group_id) and (wanted is None or g.group_id in wanted)
    }
    descriptions = _describe(admin, calls, sorted(listings))
    for group_id, item in listings.items():
        groups[group_id] = group_from_admin(group_id, item, descriptions.get(group_id))
    return groups


def _describe(admin: Any, calls: Calls, group_ids: list[str]) -> dict[str, Any]:
    futures: dict[str, Any] = {}
    for start in range(0, len(group_ids), _DESCRIBE_CHUNK):
        batch = group_ids[start : start + _DESCRIBE_CHUNK]
        futures.update(admin.describe_consumer_groups(batch, request_timeout=calls.timeout()))
    return {
        group_id: description
        for group_id, future in futures.items()
        if (description := calls.partial("group description", future, group_id)) is not None
    }


class CommittedOffsets:
    """Each group's committed offsets: one fetch per group (the Admin API's unit), at most
    `limit` outstanding. Fetches start as soon as a group is known (a daemon knows last
    cycle's groups before this cycle's listing answers) and each answer is handed on as it
    arrives, so judging one group overlaps the fetches of the others."""

    def __init__(self, admin: Any, calls: Calls, limit: int) -> None:
        self._admin = admin
        self._calls = calls
        self._limit = limit
        self._futures: dict[str, Any] = {}
        self._queue: deque[str] = deque()
        self._inflight = 0
        self._done: queue.SimpleQueue[str] = queue.SimpleQueue()

    def send(self, group_ids: Iterable[str]) -> None:
        """Queue fetches for groups not asked for yet; send as many as the bound allows."""
        self._queue.extend(g for g in group_ids if g not in self._futures)
        while self._queue and self._inflight < self._limit:
            group_id = self._queue.popleft()
            if group_id in self._futures:
                continue
            request = [ConsumerGroupTopicPartitions(group_id)]
            futures = self._admin.list_consumer_group_offsets(
                request, request_timeout=self._calls.timeout()
            )
            future = self._futures[group_id] = futures[group_id]
            self._inflight += 1
            future.add_done_callback(lambda _, g=group_id: self._done.put(g))

    def read(self, groups: dict[str, Group], on_group: Callable[[Group], None]) -> list[Group]:
        """`groups` with their committed offsets, each handed to `on_group` as soon as its
        fetch completes (answers for groups no longer listed are dropped)."""
        self._queue = deque(g for g in self._queue if g in groups)
        self.send(sorted(groups))
        waiting = set(groups)
        read = []
        while waiting:
            for group_id in self._answered():
                if group_id not in waiting:
                    continue
                waiting.discard(group_id)
                future = self._futures[group_id]
                result = self._calls.partial("committed offsets", future, group_id)
                group, refused = with_committed(
                    groups[group_id], result.topic_partitions if result is not None else None
                )
                for item, error in refused:
                    self._calls.problems.add("committed offsets of partitions", error, item)
                on_group(group)
                read.append(group)
        return read

    def _answered(self) -> list[str]:
        """Every fetch answered so far (waiting for one if none is), with as many new fetches
        sent in their place: the broker is kept busy before the answers are judged."""
        remaining = self._calls.deadline - time.monotonic()
        try:
            answered = [self._done.get(timeout=max(0.0, remaining))]
        except queue.Empty:
            raise SourceError(
                "timeout", f"no answer within {self._calls.timeout_seconds:g} s"
            ) from None
        while True:
            try:
                answered.append(self._done.get_nowait())
            except queue.Empty:
                break
        self._inflight -= len(answered)
        self.send(())
        return answered
