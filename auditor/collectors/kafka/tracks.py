"""What the offsets history keeps in memory: log ends per partition, and each group's
committed offsets per topic as rows (one per scan), with the columns the evaluator reads."""

from __future__ import annotations

from collections import deque
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from auditor.collectors.kafka.evaluator import Scan
from auditor.collectors.kafka.records import TopicPartition

Offsets = list[int | None]
Columns = tuple[Sequence[float], Sequence[int], Sequence[int]]
Transposed = tuple[list[tuple[int, ...]], list[tuple[int, ...]]]


@dataclass(slots=True)
class LogEndTrack:
    """(time, log end) of one partition since its log end last went backwards, oldest first."""

    times: list[float] = field(default_factory=list)
    offsets: list[int] = field(default_factory=list)

    def add(self, at: float, offset: int, bound: int) -> None:
        """Append a point; a drop of the log end (topic re-created) restarts the history."""
        if self.times and at <= self.times[-1]:
            return
        if self.offsets and offset < self.offsets[-1]:
            self.times.clear()
            self.offsets.clear()
        self.times.append(at)
        self.offsets.append(offset)
        if len(self.times) > bound:
            del self.times[0], self.offsets[0]


class CommitTrack:
    """One group's committed offsets of one topic over its last scans, a row per scan (the
    offsets by partition, and the log ends at that scan), and since when each partition's
    committed offset is unchanged. Rows, not a record per partition: a scan adds one row per
    topic, and only partitions that need judging are ever cut into columns."""

    __slots__ = ("_last", "committed", "log_end", "since", "times")

    def __init__(self, bound: int) -> None:
        self.times: deque[float] = deque(maxlen=bound)
        self.committed: deque[Offsets] = deque(maxlen=bound)
        self.log_end: deque[Offsets] = deque(maxlen=bound)
        self.since: list[float | None] = []
        self._last: Offsets = []  # the newest committed offset seen, by partition

    def add(self, at: float, committed: Offsets, log_end: Offsets) -> None:
        """Append a scan (ignored if not newer than the last one)."""
        if self.times and at <= self.times[-1]:
            return
        self.times.append(at)
        self.committed.append(committed)
        self.log_end.append(log_end)
        last, since = self._last, self.since
        if committed == last:
            return
        if len(last) < len(committed):
            last.extend([None] * (len(committed) - len(last)))
            since.extend([None] * (len(committed) - len(since)))
        for partition, offset in enumerate(committed):
            if isinstance(offset, int) and offset != last[partition]:
                last[partition] = offset
                since[partition] = at

    def columns(self, partition: int) -> Columns:
        """(times, committed offsets, log ends) of the scans that saw both offsets of
        `partition`, oldest first: the partition's status window."""
        try:
            committed = [row[partition] for row in self.committed]
            log_end = [row[partition] for row in self.log_end]
        except IndexError:
            pass
        else:
            if None not in committed and None not in log_end:
                return self.times, committed, log_end  # type: ignore[return-value]
        kept: list[tuple[float, int, int]] = []
        for at, row, ends in zip(self.times, self.committed, self.log_end, strict=True):
            if partition < len(row) and partition < len(ends):
                offset, end = row[partition], ends[partition]
                if isinstance(offset, int) and isinstance(end, int):
                    kept.append((at, offset, end))
        return [k[0] for k in kept], [k[1] for k in kept], [k[2] for k in kept]

    def transposed(self) -> Transposed | None:
        """(committed offsets, log ends) by partition, each over every scan of `times`; None
        when some scan missed a partition (then `columns` cuts each partition's own)."""
        for rows in (self.committed, self.log_end):
            for row in rows:
                if None in row:
                    return None
        # Rows of unequal width (partitions added) cut to the narrowest; the rest by `columns`.
        return list(zip(*self.committed, strict=False)), list(zip(*self.log_end, strict=False))

    def since_of(self, partition: int) -> float | None:
        """When `partition`'s current committed offset was first seen (None: never seen)."""
        return self.since[partition] if partition < len(self.since) else None

    def stored_since(self) -> float | list[float | None]:
        """`since` as stored with a point: one time when every partition shares it."""
        since = self.since
        if since and since[0] is not None and since.count(since[0]) == len(since):
            return since[0]
        return list(since)

    def restore_since(self, stored: Any) -> None:
        """Take `since` stored with the newest point: it reaches back past the window (never
        later than what the window itself shows)."""
        since = self.since
        for partition, current in enumerate(since):
            value = (
                stored[partition]
                if isinstance(stored, list) and partition < len(stored)
                else stored
            )
            if current is not None and isinstance(value, int | float) and value < current:
                since[partition] = float(value)

    def scans(self, partition: int) -> list[Scan]:
        """`partition`'s status window as scans, oldest first."""
        return [Scan(*scan) for scan in zip(*self.columns(partition), strict=True)]


def by_topic(offsets: Mapping[TopicPartition, int]) -> dict[str, Offsets]:
    """Offsets by topic, each a list indexed by partition (None where missing)."""
    rows: dict[str, Offsets] = {}
    for (topic, partition), offset in offsets.items():
        row = rows.get(topic)
        if row is None:
            row = rows[topic] = []
        if partition == len(row):  # partitions usually come in order
            row.append(offset)
        else:
            if partition > len(row):
                row.extend([None] * (partition - len(row) + 1))
            row[partition] = offset
    return rows
