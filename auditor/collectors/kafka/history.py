"""Offsets over time, per partition: kept in the state store, cached in memory between scans.

Two series per source in the HistoryStore (so they survive restarts):
- `end/TOPIC`   — {"o": [log-end offset of partition 0, 1, …]} at each scan (lag in seconds);
- `commit/GROUP` — {TOPIC: [committed offset of partition 0, 1, … or null]} (status window).
The store is read once, when a collector first sees it; afterwards the in-memory copy is kept
in step with what is appended, so a daemon does not re-read thousands of points every cycle.
Both are bounded: `history_points` log ends per topic, `window_scans` commits per group.
"""

from __future__ import annotations

from collections import OrderedDict, deque
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from auditor.collectors.kafka.evaluator import Scan
from auditor.collectors.kafka.records import TopicPartition
from auditor.state import HistoryStore

END_PREFIX = "end/"
COMMIT_PREFIX = "commit/"

Offsets = list[int | None]


def _as_list(offsets: Mapping[int, int]) -> Offsets:
    size = max(offsets, default=-1) + 1
    return [offsets.get(p) for p in range(size)]


def _by_topic(offsets: Mapping[TopicPartition, int]) -> dict[str, dict[int, int]]:
    grouped: dict[str, dict[int, int]] = {}
    for (topic, partition), offset in offsets.items():
        grouped.setdefault(topic, {})[partition] = offset
    return grouped


def _at(offsets: Offsets | None, partition: int) -> int | None:
    if offsets is None or partition >= len(offsets):
        return None
    return offsets[partition]


class LagHistory:
    """Log ends per topic and committed offsets per group, over recent scans."""

    def __init__(self, source: str, *, window_scans: int, history_points: int) -> None:
        self.source = source
        self._configured = (window_scans, history_points)
        self.window_scans = window_scans
        self.history_points = history_points
        self._store: HistoryStore | None = None
        self._ends: dict[str, OrderedDict[float, Offsets]] = {}
        self._commits: dict[str, deque[tuple[float, dict[str, Offsets]]]] = {}
        self._since: dict[tuple[str, str, int], tuple[int, float]] = {}

    def attach(self, store: HistoryStore) -> None:
        """Use `store`, loading what it holds the first time it is seen."""
        if store is self._store:
            return
        self._store = store
        # The store keeps at most `keep` points per series: a longer window could not survive
        # a restart, so it is not kept in memory either.
        self.window_scans = min(self._configured[0], store.keep)
        self.history_points = min(self._configured[1], store.keep)
        self._ends.clear()
        self._commits.clear()
        self._since.clear()
        for series, points in store.windows(self.source, END_PREFIX).items():
            for at, value in points:
                self._add_end(series[len(END_PREFIX) :], at.timestamp(), value.get("o") or [])
        for series, points in store.windows(self.source, COMMIT_PREFIX).items():
            for at, value in points:
                self._add_commits(series[len(COMMIT_PREFIX) :], at.timestamp(), value)

    def record(
        self,
        at: datetime,
        log_end: Mapping[TopicPartition, int],
        committed: Mapping[str, Mapping[TopicPartition, int]],
        *,
        topics: Iterable[str],
        groups: Iterable[str],
    ) -> None:
        """Add this scan's offsets (cache and store); forget topics and groups that are gone."""
        stamp = at.timestamp()
        self._forget(set(topics), set(groups), stamp)
        points: list[tuple[str, datetime, dict[str, Any]]] = []
        for topic, partitions in _by_topic(log_end).items():
            ends = _as_list(partitions)
            self._add_end(topic, stamp, ends)
            points.append((END_PREFIX + topic, at, {"o": ends}))
        for group, offsets in committed.items():
            commits = {topic: _as_list(parts) for topic, parts in _by_topic(offsets).items()}
            self._add_commits(group, stamp, commits)
            points.append((COMMIT_PREFIX + group, at, commits))
        if self._store is not None:
            self._store.append(self.source, points)

    def log_end_points(self, topic: str, partition: int) -> list[tuple[float, int]]:
        """(time, log end) of one partition, oldest first."""
        ends: Mapping[float, Offsets] = self._ends.get(topic, {})
        return [
            (at, o) for at, offsets in ends.items() if (o := _at(offsets, partition)) is not None
        ]

    def scans(self, group: str, topic: str, partition: int) -> list[Scan]:
        """The status window of one partition: scans where both offsets are known."""
        ends: Mapping[float, Offsets] = self._ends.get(topic, {})
        window = []
        for at, offsets in self._commits.get(group, ()):
            committed = _at(offsets.get(topic), partition)
            log_end = _at(ends.get(at), partition)
            if committed is not None and log_end is not None:
                window.append(Scan(at=at, committed=committed, log_end=log_end))
        return window

    def since(self, group: str, topic: str, partition: int) -> float | None:
        """When the partition's current committed offset was first seen (as far back as kept)."""
        entry = self._since.get((group, topic, partition))
        return entry[1] if entry else None

    def _add_end(self, topic: str, at: float, offsets: Offsets) -> None:
        ends = self._ends.setdefault(topic, OrderedDict())
        ends[at] = offsets
        while len(ends) > self.history_points:
            ends.popitem(last=False)

    def _add_commits(self, group: str, at: float, value: Mapping[str, Any]) -> None:
        offsets = {str(t): list(v) for t, v in value.items() if isinstance(v, list)}
        commits = self._commits.setdefault(group, deque(maxlen=self.window_scans))
        commits.append((at, offsets))
        for topic, parts in offsets.items():
            for partition, offset in enumerate(parts):
                if offset is None:
                    continue
                key = (group, topic, partition)
                previous = self._since.get(key)
                if previous is None or previous[0] != offset:
                    self._since[key] = (offset, at)

    def _forget(self, topics: set[str], groups: set[str], now: float) -> None:
        for topic in [t for t in self._ends if t not in topics]:
            del self._ends[topic]
        for group in [g for g in self._commits if g not in groups]:
            del self._commits[group]
        for key in [k for k in self._since if k[0] not in groups]:
            del self._since[key]
        # A clock that went back (or a repeated time) must not leave "future" points behind.
        for ends in self._ends.values():
            while ends and next(reversed(ends)) >= now:
                ends.popitem(last=True)
        for commits in self._commits.values():
            while commits and commits[-1][0] >= now:
                commits.pop()


def utc(stamp: float) -> str:
    """A POSIX time as ISO 8601 UTC, for resource data."""
    return datetime.fromtimestamp(stamp, tz=UTC).isoformat()
