"""Offsets over time, per partition: kept in the state store, tracked in memory between scans.

Two series per source in the HistoryStore (so they survive restarts):
- `end/TOPIC`    — {"o": [log-end offset of partition 0, 1, …]} at each scan (lag in seconds);
- `commit/GROUP` — {TOPIC: [committed offset of partition 0, 1, … or null]} (status window).
The store is read once, when a collector first sees it, and replayed into per-partition tracks
that each scan then extends by one point: a daemon never re-reads or re-assembles thousands of
points per cycle. Tracks are bounded: `history_points` log ends per partition, `window_scans`
scans per group partition, and topics and groups that disappear are forgotten.
"""

from __future__ import annotations

import itertools
from collections import deque
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from auditor.collectors.kafka.evaluator import Scan
from auditor.collectors.kafka.records import TopicPartition
from auditor.collectors.kafka.timelag import TimeLag, time_lag
from auditor.state import HistoryStore

END_PREFIX = "end/"
COMMIT_PREFIX = "commit/"

Offsets = list[int | None]


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


@dataclass(slots=True)
class CommitTrack:
    """One group's scans of one partition, and since when its committed offset is unchanged."""

    window: deque[Scan]
    since: float = 0.0

    def add(self, scan: Scan) -> None:
        """Append a scan (ignored if not newer than the last one)."""
        if self.window:
            last = self.window[-1]
            if scan.at <= last.at:
                return
            if scan.committed != last.committed:
                self.since = scan.at
        else:
            self.since = scan.at
        self.window.append(scan)


def _by_topic(offsets: Mapping[TopicPartition, int]) -> dict[str, Offsets]:
    grouped: dict[str, dict[int, int]] = {}
    for (topic, partition), offset in offsets.items():
        grouped.setdefault(topic, {})[partition] = offset
    return {
        topic: [parts.get(p) for p in range(max(parts) + 1)] for topic, parts in grouped.items()
    }


class LagHistory:
    """Log ends per partition and committed offsets per group partition, over recent scans."""

    def __init__(self, source: str, *, window_scans: int, history_points: int) -> None:
        self.source = source
        self._configured = (window_scans, history_points)
        self.window_scans = window_scans
        self.history_points = history_points
        self._store: HistoryStore | None = None
        self._ends: dict[TopicPartition, LogEndTrack] = {}
        self._commits: dict[tuple[str, str, int], CommitTrack] = {}
        # The scan being recorded: its time, log ends by topic, and points for the store.
        self._at = datetime.fromtimestamp(0, tz=UTC)
        self._log_ends: dict[str, Offsets] = {}
        self._points: list[tuple[str, datetime, dict[str, Any]]] = []

    def attach(self, store: HistoryStore) -> None:
        """Use `store`, replaying what it holds the first time it is seen."""
        if store is self._store:
            return
        self._store = store
        # The store keeps at most `keep` points per series: a longer window could not survive
        # a restart, so it is not kept in memory either.
        self.window_scans = min(self._configured[0], store.keep)
        self.history_points = min(self._configured[1], store.keep)
        self._ends.clear()
        self._commits.clear()
        ends_at: dict[str, dict[float, list[Any]]] = {}
        for series, points in store.windows(self.source, END_PREFIX).items():
            topic = series[len(END_PREFIX) :]
            ends = ends_at[topic] = {at.timestamp(): value.get("o") or [] for at, value in points}
            self._replay_ends(topic, ends)
        for series, points in store.windows(self.source, COMMIT_PREFIX).items():
            group = series[len(COMMIT_PREFIX) :]
            stamped = [(moment.timestamp(), value) for moment, value in points]
            self._replay_windows(group, stamped[-self.window_scans :], ends_at)
            self._replay_since(group, stamped)

    def _replay_ends(self, topic: str, ends: dict[float, list[Any]]) -> None:
        """One topic's log-end tracks from its stored points, a column per partition."""
        times = list(ends)
        rows = list(ends.values())
        for partition in range(max((len(row) for row in rows), default=0)):
            column = [row[partition] if partition < len(row) else None for row in rows]
            offsets = [o for o in column if isinstance(o, int)]
            if len(offsets) < len(column) or any(b < a for a, b in itertools.pairwise(offsets)):
                track = self._end(topic, partition)  # gaps or resets: point by point
                for at, offset in zip(times, column, strict=True):
                    if isinstance(offset, int):
                        track.add(at, offset, self.history_points)
                continue
            self._ends[(topic, partition)] = LogEndTrack(
                times[-self.history_points :], offsets[-self.history_points :]
            )

    def _replay_windows(
        self,
        group: str,
        points: list[tuple[float, dict[str, Any]]],
        ends_at: dict[str, dict[float, list[Any]]],
    ) -> None:
        """One group's status windows from its newest stored points."""
        topics = {topic for _, value in points for topic in value}
        for topic in topics:
            ends = ends_at.get(topic, {})
            rows = [(at, value.get(topic) or [], ends.get(at) or []) for at, value in points]
            width = max((len(committed) for _, committed, _ in rows), default=0)
            for partition in range(width):
                scans = [
                    Scan(at, committed[partition], log_end[partition])
                    for at, committed, log_end in rows
                    if partition < len(committed)
                    and partition < len(log_end)
                    and isinstance(committed[partition], int)
                    and isinstance(log_end[partition], int)
                ]
                if scans:
                    window = deque(scans, maxlen=self.window_scans)
                    self._commits[(group, topic, partition)] = CommitTrack(window, scans[0].at)

    def _replay_since(self, group: str, points: list[tuple[float, dict[str, Any]]]) -> None:
        """Since when each partition's newest committed offset is unchanged, over all the
        points kept (older than the window): whole topics are compared at once, so a long
        unchanged history costs one list comparison per point."""
        if not points:
            return
        for topic, newest in points[-1][1].items():
            if not isinstance(newest, list):
                continue
            since = dict.fromkeys(range(len(newest)), points[-1][0])
            undecided = set(since)
            for at, value in reversed(points[:-1]):
                offsets = value.get(topic)
                if offsets == newest:
                    since.update(dict.fromkeys(undecided, at))
                    continue
                for partition in list(undecided):
                    same = isinstance(offsets, list) and partition < len(offsets)
                    if same and offsets[partition] == newest[partition]:
                        since[partition] = at
                    else:
                        undecided.discard(partition)
                if not undecided:
                    break
            for partition, at in since.items():
                track = self._commits.get((group, topic, partition))
                if track is not None:
                    track.since = at

    def detach(self) -> None:
        """Forget the store and what was read from it (re-read on the next attach)."""
        self._store = None
        self._ends.clear()
        self._commits.clear()
        self._points = []

    def record_log_ends(
        self, at: datetime, log_end: Mapping[TopicPartition, int], topics: Iterable[str]
    ) -> None:
        """Add this scan's log ends; forget topics that are gone. Call before the groups'."""
        self._at = at
        self._points = []
        names = set(topics)
        for end_key in [k for k in self._ends if k[0] not in names]:
            del self._ends[end_key]
        self._log_ends = _by_topic(log_end)
        stamp, bound = at.timestamp(), self.history_points
        for topic, ends in self._log_ends.items():
            for partition, offset in enumerate(ends):
                if offset is not None:
                    self._end(topic, partition).add(stamp, offset, bound)
            self._points.append((END_PREFIX + topic, at, {"o": ends}))

    def record_commits(self, group: str, committed: Mapping[TopicPartition, int]) -> None:
        """Add one group's committed offsets at this scan."""
        by_topic = _by_topic(committed)
        stamp = self._at.timestamp()
        for topic, parts in by_topic.items():
            self._add_commits(group, topic, stamp, parts, self._log_ends.get(topic) or [])
        self._points.append((COMMIT_PREFIX + group, self._at, dict(by_topic)))

    def flush(self, groups: Iterable[str]) -> None:
        """Write this scan to the store; forget groups that are gone."""
        names = set(groups)
        for key in [
            k for k in self._commits if k[0] not in names or (k[1], k[2]) not in self._ends
        ]:
            del self._commits[key]
        if self._store is not None:
            self._store.append(self.source, self._points)
        self._points = []

    def commits(self, group: str, topic: str, partition: int) -> CommitTrack | None:
        """The status window of one group partition (None before its first scan)."""
        return self._commits.get((group, topic, partition))

    def time_lag(self, topic: str, partition: int, committed: int) -> TimeLag:
        """How long ago the record at `committed` was written (timelag.py)."""
        track = self._ends.get((topic, partition))
        if track is None:
            return time_lag(committed, (), ())
        return time_lag(committed, track.times, track.offsets)

    def _end(self, topic: str, partition: int) -> LogEndTrack:
        track = self._ends.get((topic, partition))
        if track is None:
            track = self._ends[(topic, partition)] = LogEndTrack()
        return track

    def _add_commits(
        self, group: str, topic: str, at: float, committed: list[Any], log_end: list[Any]
    ) -> None:
        for partition in range(min(len(committed), len(log_end))):
            offset, end = committed[partition], log_end[partition]
            if not isinstance(offset, int) or not isinstance(end, int):
                continue
            key = (group, topic, partition)
            track = self._commits.get(key)
            if track is None:
                track = self._commits[key] = CommitTrack(deque(maxlen=self.window_scans))
            track.add(Scan(at, offset, end))
