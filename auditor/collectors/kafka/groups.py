"""`kafka.consumer_group` resources: lag in offsets and seconds, and the Burrow-style status.

Sums and maxima skip partitions whose lag is not known and count them instead, so no total is
ever NaN or silently zero: a partition with no committed offset is "without offset", one whose
log end could not be read is "lag unknown", and neither is lag 0. A partition within the
allowed lag is OK without consulting its window (most of them, most of the time).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, NamedTuple

from auditor.collectors.kafka.evaluator import (
    GroupStatus,
    PartitionStatus,
    Verdict,
    evaluate_columns,
    group_status,
)
from auditor.collectors.kafka.history import LagHistory
from auditor.collectors.kafka.records import Group, Topic
from auditor.collectors.kafka.settings import KafkaSettings
from auditor.collectors.kafka.timelag import CAUGHT_UP, UNKNOWN, TimeLag
from auditor.collectors.kafka.tracks import CommitTrack, Offsets, Transposed

GROUP_KIND = "kafka.consumer_group"
_CAUGHT_UP = TimeLag(0.0, CAUGHT_UP)
_NOT_PROBLEMS = (PartitionStatus.OK, PartitionStatus.UNKNOWN)
_RANK = {status: status.rank for status in PartitionStatus}
_new = tuple.__new__  # NamedTuple's __new__ is a Python function: one is made per lagging partition
_UNREAD: Transposed = ([], [])


class LaggingPartition(NamedTuple):
    """A partition past the allowed lag: its offsets, time lag and verdict."""

    topic: str
    partition: int
    lag: int
    time_lag: TimeLag
    verdict: Verdict


@dataclass(slots=True)
class Tally:
    """Sums over partitions (of one topic, or of the whole group); never NaN."""

    partitions: int = 0
    committed: int = 0
    without_offset: int = 0
    lag_unknown: int = 0
    lag: int = 0
    max_lag: int = 0
    out_of_range: int = 0
    time_unknown: int = 0
    worst_time: TimeLag | None = None
    worst_time_topic: str | None = None
    statuses: set[PartitionStatus] = field(default_factory=set)

    def add_time(self, lag: TimeLag, topic: str) -> None:
        """Keep the largest known time lag; count the unknown ones."""
        if lag.seconds is None:
            self.time_unknown += 1
        elif self.worst_time is None or lag.seconds > (self.worst_time.seconds or 0.0):
            self.worst_time, self.worst_time_topic = lag, topic

    def merge(self, other: Tally) -> None:
        """Add another tally into this one."""
        for name in ("partitions", "committed", "without_offset", "lag_unknown", "lag"):
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.out_of_range += other.out_of_range
        self.time_unknown += other.time_unknown
        self.max_lag = max(self.max_lag, other.max_lag)
        if other.worst_time is not None:
            self.add_time(other.worst_time, other.worst_time_topic or "")
        self.statuses |= other.statuses

    def time_fields(self) -> tuple[float | None, str]:
        """(largest time lag or None, its basis)."""
        if self.worst_time is None:
            return None, UNKNOWN
        return self.worst_time.seconds, self.worst_time.basis


def group_data(
    group: Group,
    committed: Mapping[str, Offsets],
    log_end: Mapping[str, Offsets],
    log_start: Mapping[str, Offsets],
    topics: Mapping[str, Topic],
    history: LagHistory,
    settings: KafkaSettings,
    now: float,
) -> dict[str, Any]:
    """The normalised data of one consumer group (docs/resource-kinds/kafka.md).

    Offsets come by topic, a list indexed by partition (history.by_topic), as the history
    keeps them: no lookup per partition by (topic, partition) key.
    """
    holders = {tp: f"{m.client_id}@{m.host}" for tp, m in group.holders().items()}
    total = Tally()
    per_topic: list[dict[str, Any]] = []
    lagging: list[LaggingPartition] = []
    counts = dict.fromkeys(PartitionStatus, 0)
    allowed, min_scans = settings.lag.allowed_lag, settings.lag.min_scans
    for topic_name in sorted(committed):
        topic = topics.get(topic_name)
        if topic is None:  # deleted, or not read (topics filter): its offsets mean nothing now
            continue
        offsets = committed[topic_name]
        ends, starts = log_end.get(topic_name) or [], log_start.get(topic_name) or []
        track = history.commits(group.id, topic_name)
        columns: Transposed | None = _UNREAD  # cut into columns when first needed
        tally = Tally(partitions=len(topic.partitions))
        statuses = tally.statuses
        read = without = unknown = lag_sum = max_lag = out_of_range = 0
        for partition in topic.partitions:
            pid = partition.id
            offset = offsets[pid] if pid < len(offsets) else None
            if offset is None:
                without += 1
                continue
            read += 1
            end = ends[pid] if pid < len(ends) else None
            if end is None:
                unknown += 1
                continue
            behind = end - offset if end > offset else 0
            lag_sum += behind
            if behind > max_lag:
                max_lag = behind
            start = starts[pid] if pid < len(starts) else None
            if start is not None and offset < start:
                out_of_range += 1
            time_lag = history.time_lag(topic_name, pid, offset) if behind else _CAUGHT_UP
            tally.add_time(time_lag, topic_name)
            if behind <= allowed:
                statuses.add(PartitionStatus.OK)
                counts[PartitionStatus.OK] += 1
                continue
            if columns is _UNREAD:
                columns = track.transposed() if track is not None else None
            holder = holders.get((topic_name, pid)) if holders else None
            verdict = _judge(track, columns, pid, offset, end, now, allowed, min_scans, holder)
            statuses.add(verdict.status)
            counts[verdict.status] += 1
            lagging.append(_new(LaggingPartition, (topic_name, pid, behind, time_lag, verdict)))
        tally.committed, tally.without_offset, tally.lag_unknown = read, without, unknown
        tally.lag, tally.max_lag, tally.out_of_range = lag_sum, max_lag, out_of_range
        seconds, basis = tally.time_fields()
        per_topic.append(
            {
                "topic": topic_name,
                "partitions": tally.partitions,
                "committed_partitions": tally.committed,
                "lag": tally.lag,
                "max_lag": tally.max_lag,
                "lag_seconds": seconds,
                "lag_seconds_basis": basis,
                "status": group_status(tally.statuses)[1].value,
            }
        )
        total.merge(tally)
    return _summary(
        group, settings, total, per_topic, lagging, {s.value: n for s, n in counts.items()}
    )


def _judge(
    track: CommitTrack | None,
    columns: Transposed | None,
    partition: int,
    offset: int,
    end: int,
    now: float,
    allowed: int,
    min_scans: int,
    holder: str | None = None,
) -> Verdict:
    """One lagging partition's verdict over its window (this scan alone when it has none)."""
    times: Sequence[float]
    committed: Sequence[int]
    log_end: Sequence[int]
    since = track.since_of(partition) if track is not None else None
    if track is None or since is None:
        times, committed, log_end = (now,), (offset,), (end,)
        since = now
    elif columns is not None and partition < len(columns[0]) and partition < len(columns[1]):
        times, committed, log_end = track.times, columns[0][partition], columns[1][partition]
    else:
        times, committed, log_end = track.columns(partition)
        if not times:
            times, committed, log_end, since = (now,), (offset,), (end,), now
    return evaluate_columns(
        times, committed, log_end, since, allowed_lag=allowed, min_scans=min_scans, holder=holder
    )


def _summary(
    group: Group,
    settings: KafkaSettings,
    total: Tally,
    per_topic: list[dict[str, Any]],
    lagging: list[LaggingPartition],
    counts: dict[str, int],
) -> dict[str, Any]:
    status, worst = group_status(total.statuses)
    seconds, basis = total.time_fields()
    problems = sorted(
        (p for p in lagging if p.verdict.status not in _NOT_PROBLEMS),
        key=lambda p: (-_RANK[p.verdict.status], -p.lag, p.topic, p.partition),
    )
    return {
        "name": group.id,
        "cluster": settings.cluster_name,
        "environment": settings.environment,
        "state": group.state,
        "simple": group.simple,
        "assignor": group.assignor,
        "members": len(group.members) if group.members is not None else None,
        "offsets_readable": group.committed is not None,
        "topics": per_topic,
        "committed_partitions": total.committed,
        "partitions_without_offset": total.without_offset,
        "lag_unknown_partitions": total.lag_unknown,
        "lag": total.lag,
        "max_lag": total.max_lag,
        "lag_seconds": seconds,
        "lag_seconds_basis": basis,
        "lag_seconds_topic": total.worst_time_topic if seconds is not None else None,
        "lag_seconds_unknown_partitions": total.time_unknown,
        "out_of_range_partitions": total.out_of_range,
        "status": status.value,
        "worst_partition_status": worst.value,
        "partition_statuses": counts,
        "status_reason": _reason(group, status, worst, total, lagging, problems, counts),
        "problem_partitions": [_problem(p) for p in problems[: settings.lag.max_detail_partitions]],
    }


def _problem(p: LaggingPartition) -> dict[str, Any]:
    verdict = p.verdict
    return {
        "topic": p.topic,
        "partition": p.partition,
        "status": verdict.status.value,
        "reason": verdict.reason,
        "committed": verdict.last.committed,
        "log_end_offset": verdict.last.log_end,
        "lag": p.lag,
        "lag_then": verdict.lag_then,
        "lag_seconds": p.time_lag.seconds,
        "lag_seconds_basis": p.time_lag.basis,
        "last_commit_age_seconds": round(verdict.last_commit_age_seconds, 3),
        "window_span_seconds": round(verdict.window_span_seconds, 3),
        "window_scans": verdict.window_scans,
        "holder": verdict.holder,
    }


def _reason(
    group: Group,
    status: GroupStatus,
    worst: PartitionStatus,
    total: Tally,
    lagging: list[LaggingPartition],
    problems: list[LaggingPartition],
    counts: dict[str, int],
) -> str:
    judged = total.committed - total.lag_unknown
    if group.committed is None:
        return "committed offsets could not be read"
    if judged == 0:
        return "no committed offsets on any partition read"
    if status is GroupStatus.OK:
        return f"all {judged} partition(s) OK"
    # `problems` is sorted worst first: its head is the example.
    pool = problems or [p for p in lagging if p.verdict.status is worst]
    example = pool[0] if problems else max(pool, key=lambda p: (p.verdict.status.rank, p.lag))
    same = counts[worst.value]  # only judged (lagging) partitions are ever not OK
    return (
        f"{worst.value} on {same} of {judged} partition(s); "
        f"{example.topic}/{example.partition}: {example.verdict.reason}"
    )
