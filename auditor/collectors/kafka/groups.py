"""`kafka.consumer_group` resources: lag in offsets and seconds, and the Burrow-style status.

Sums and maxima skip partitions whose lag is not known and count them instead, so no total is
ever NaN or silently zero: a partition with no committed offset is "without offset", one whose
log end could not be read is "lag unknown", and neither is lag 0.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from auditor.collectors.kafka.evaluator import (
    GroupStatus,
    PartitionStatus,
    Verdict,
    evaluate_partition,
    group_status,
)
from auditor.collectors.kafka.history import LagHistory
from auditor.collectors.kafka.records import ClusterRead, Group, Topic
from auditor.collectors.kafka.settings import LagSettings
from auditor.collectors.kafka.timelag import TimeLag, time_lag, worst_time_lag

GROUP_KIND = "kafka.consumer_group"
_NOT_PROBLEMS = (PartitionStatus.OK, PartitionStatus.UNKNOWN)


@dataclass(frozen=True, slots=True)
class PartitionLag:
    """One partition of one group: offsets, lag, time lag and verdict."""

    topic: str
    partition: int
    committed: int
    log_end: int
    log_start: int | None
    time_lag: TimeLag
    verdict: Verdict
    holder: str | None

    @property
    def lag(self) -> int:
        """Records behind, clamped at 0."""
        return max(0, self.log_end - self.committed)


@dataclass(slots=True)
class TopicTally:
    """What one group's partitions of one topic add up to."""

    partitions: int = 0
    without_offset: int = 0
    lag_unknown: int = 0


def group_data(
    group: Group,
    read: ClusterRead,
    topics: Mapping[str, Topic],
    history: LagHistory,
    lag: LagSettings,
    cluster: str,
) -> dict[str, Any]:
    """The normalised data of one consumer group (docs/resource-kinds/kafka.md)."""
    committed = group.committed or {}
    holders = {tp: f"{m.client_id}@{m.host}" for tp, m in group.holders().items()}
    tallies: dict[str, TopicTally] = {}
    lags: list[PartitionLag] = []
    for topic_name in sorted({t for t, _ in committed}):
        topic = topics.get(topic_name)
        if topic is None:  # deleted, or not read (topics filter): its offsets mean nothing now
            continue
        tally = tallies.setdefault(topic_name, TopicTally())
        for partition in topic.partitions:
            tp = (topic_name, partition.id)
            tally.partitions += 1
            offset = committed.get(tp)
            log_end = read.log_end.get(tp)
            if offset is None:
                tally.without_offset += 1
                continue
            if log_end is None:
                tally.lag_unknown += 1
                continue
            window = history.scans(group.id, *tp)
            since = history.since(group.id, *tp)
            verdict = evaluate_partition(
                window,
                since if since is not None else window[-1].at,
                allowed_lag=lag.allowed_lag,
                min_scans=lag.min_scans,
                holder=holders.get(tp),
            )
            lags.append(
                PartitionLag(
                    topic=topic_name,
                    partition=partition.id,
                    committed=offset,
                    log_end=log_end,
                    log_start=read.log_start.get(tp),
                    time_lag=time_lag(offset, history.log_end_points(*tp)),
                    verdict=verdict,
                    holder=holders.get(tp),
                )
            )
    return _summary(group, cluster, tallies, lags, lag.max_detail_partitions)


def _summary(
    group: Group,
    cluster: str,
    tallies: Mapping[str, TopicTally],
    lags: list[PartitionLag],
    max_detail: int,
) -> dict[str, Any]:
    status, worst = group_status(p.verdict.status for p in lags)
    worst_time, unknown_time = worst_time_lag(p.time_lag for p in lags)
    worst_time_topic = next(
        (p.topic for p in lags if worst_time.seconds is not None and p.time_lag is worst_time),
        None,
    )
    counts = {s.value: 0 for s in PartitionStatus}
    by_topic: dict[str, list[PartitionLag]] = {}
    for p in lags:
        counts[p.verdict.status.value] += 1
        by_topic.setdefault(p.topic, []).append(p)
    problems = sorted(
        (p for p in lags if p.verdict.status not in _NOT_PROBLEMS),
        key=lambda p: (-p.verdict.status.rank, -p.lag, p.topic, p.partition),
    )
    return {
        "name": group.id,
        "cluster": cluster,
        "state": group.state,
        "simple": group.simple,
        "assignor": group.assignor,
        "members": len(group.members) if group.members is not None else None,
        "offsets_readable": group.committed is not None,
        "topics": [
            _topic_summary(name, tally, by_topic.get(name, [])) for name, tally in tallies.items()
        ],
        "committed_partitions": len(lags) + sum(t.lag_unknown for t in tallies.values()),
        "partitions_without_offset": sum(t.without_offset for t in tallies.values()),
        "lag_unknown_partitions": sum(t.lag_unknown for t in tallies.values()),
        "lag": sum(p.lag for p in lags),
        "max_lag": max((p.lag for p in lags), default=0),
        "lag_seconds": worst_time.seconds,
        "lag_seconds_basis": worst_time.basis,
        "lag_seconds_topic": worst_time_topic,
        "lag_seconds_unknown_partitions": unknown_time,
        "out_of_range_partitions": sum(
            1 for p in lags if p.log_start is not None and p.committed < p.log_start
        ),
        "status": status.value,
        "worst_partition_status": worst.value,
        "partition_statuses": counts,
        "status_reason": _reason(group, status, worst, lags, problems),
        "problem_partitions": [_problem(p) for p in problems[:max_detail]],
    }


def _topic_summary(name: str, tally: TopicTally, mine: list[PartitionLag]) -> dict[str, Any]:
    worst_time, _ = worst_time_lag(p.time_lag for p in mine)
    _, worst = group_status(p.verdict.status for p in mine)
    return {
        "topic": name,
        "partitions": tally.partitions,
        "committed_partitions": len(mine) + tally.lag_unknown,
        "lag": sum(p.lag for p in mine),
        "max_lag": max((p.lag for p in mine), default=0),
        "lag_seconds": worst_time.seconds,
        "lag_seconds_basis": worst_time.basis,
        "status": worst.value,
    }


def _problem(p: PartitionLag) -> dict[str, Any]:
    return {
        "topic": p.topic,
        "partition": p.partition,
        "status": p.verdict.status.value,
        "reason": p.verdict.reason,
        "committed": p.committed,
        "log_end_offset": p.log_end,
        "lag": p.lag,
        "lag_then": p.verdict.lag_then,
        "lag_seconds": p.time_lag.seconds,
        "lag_seconds_basis": p.time_lag.basis,
        "last_commit_age_seconds": p.verdict.last_commit_age_seconds,
        "window_span_seconds": p.verdict.window_span_seconds,
        "window_scans": p.verdict.window_scans,
        "holder": p.holder,
    }


def _reason(
    group: Group,
    status: GroupStatus,
    worst: PartitionStatus,
    lags: list[PartitionLag],
    problems: list[PartitionLag],
) -> str:
    if group.committed is None:
        return "committed offsets could not be read"
    if not lags:
        return "no committed offsets on any partition read"
    if status is GroupStatus.OK:
        return f"all {len(lags)} partition(s) OK"
    pool = problems or [p for p in lags if p.verdict.status is worst]
    example = max(pool, key=lambda p: (p.verdict.status.rank, p.lag))
    same = sum(1 for p in lags if p.verdict.status is worst)
    return (
        f"{worst.value} on {same} of {len(lags)} partition(s); "
        f"{example.topic}/{example.partition}: {example.verdict.reason}"
    )
