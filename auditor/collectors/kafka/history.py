"""Offsets over time, per partition: kept in the state store, tracked in memory between scans.

Two series per source in the HistoryStore (so they survive restarts):
- `end/TOPIC`    — {"o": [log-end offset of partition 0, 1, …]} at each scan (lag in seconds);
- `commit/GROUP` — {TOPIC: [committed offset of partition 0, 1, … or null], …,
  "@since": [[TOPIC, since], …]} (status window); `since` is when each partition's committed
  offset was first seen: one time for the whole topic, or a list by partition.
The store is read once, when a collector first sees it, and only what the tracks keep: the
newest `history_points` log ends per topic and the newest `window_scans` points per group
(`@since` saves reading the older ones to find when an offset last moved). Each scan then
extends the tracks by one row per topic: a daemon never re-reads or re-assembles thousands of
points per cycle. Tracks are bounded, and topics and groups that disappear are forgotten.
("@" cannot start a Kafka topic name; an older auditor sees a topic without offsets and skips
it. Points stored before `@since` existed are read in full once, to find `since` as before.)
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from auditor.collectors.kafka.evaluator import Scan
from auditor.collectors.kafka.gcpause import gc_paused
from auditor.collectors.kafka.records import TopicPartition
from auditor.collectors.kafka.timelag import TimeLag, time_lag
from auditor.collectors.kafka.tracks import CommitTrack, LogEndTrack, Offsets, by_topic
from auditor.state import HistoryStore

END_PREFIX = "end/"
COMMIT_PREFIX = "commit/"
SINCE_KEY = "@since"

StoredPoint = tuple[float, dict[str, Any]]


class LagHistory:
    """Log ends per partition and committed offsets per group topic, over recent scans."""

    def __init__(self, source: str, *, window_scans: int, history_points: int) -> None:
        self.source = source
        self._configured = (window_scans, history_points)
        self.window_scans = window_scans
        self.history_points = history_points
        self._store: HistoryStore | None = None
        self._ends: dict[TopicPartition, LogEndTrack] = {}
        self._commits: dict[tuple[str, str], CommitTrack] = {}
        # The scan being recorded: its time, topics, log ends by topic, points for the store.
        self._at = datetime.fromtimestamp(0, tz=UTC)
        self._topics: set[str] = set()
        self._log_ends: dict[str, Offsets] = {}
        self._points: list[tuple[str, datetime, dict[str, Any]]] = []

    def attached(self, store: HistoryStore) -> bool:
        """True when `store` has been read back already."""
        return store is self._store

    def attach(self, store: HistoryStore) -> None:
        """Use `store`, replaying what it holds the first time it is seen."""
        if store is self._store:
            return
        with gc_paused():
            self._attach(store)

    def _attach(self, store: HistoryStore) -> None:
        self._store = store
        # The store keeps at most `keep` points per series: a longer window could not survive
        # a restart, so it is not kept in memory either.
        self.window_scans = min(self._configured[0], store.keep)
        self.history_points = min(self._configured[1], store.keep)
        self._ends.clear()
        self._commits.clear()
        ends_at: dict[str, dict[float, Offsets]] = {}
        newest_ends = max(self.history_points, self.window_scans)  # windows need their log ends
        for series, points in store.raw_windows(
            self.source, END_PREFIX, newest=newest_ends
        ).items():
            topic = series[len(END_PREFIX) :]
            ends = ends_at[topic] = {at: value.get("o") or [] for at, value in points}
            self._replay_ends(topic, ends)
        unstamped: list[str] = []
        windows = store.raw_windows(self.source, COMMIT_PREFIX, newest=self.window_scans)
        for series, points in windows.items():
            group = series[len(COMMIT_PREFIX) :]
            self._replay_windows(group, points, ends_at)
            stamps = points[-1][1].get(SINCE_KEY)
            if isinstance(stamps, list):
                self._restore_since(group, stamps)
            else:
                unstamped.append(series)
        if unstamped:
            everything = store.raw_windows(self.source, COMMIT_PREFIX)
            for series in unstamped:
                self._replay_since(series[len(COMMIT_PREFIX) :], everything.get(series, []))

    def _replay_ends(self, topic: str, ends: dict[float, Offsets]) -> None:
        """One topic's log-end tracks from its stored points, a column per partition."""
        times = list(ends)
        rows = list(ends.values())
        widths = set(map(len, rows))
        width = max(widths, default=0)
        columns: Iterable[Sequence[Any]] = (
            zip(*rows, strict=True)
            if len(widths) == 1
            else ([row[p] if p < len(row) else None for row in rows] for p in range(width))
        )
        bound = self.history_points
        for partition, column in enumerate(columns):
            offsets = list(column)
            if None not in offsets and offsets == sorted(offsets):  # no gap, no reset
                self._ends[(topic, partition)] = LogEndTrack(times[-bound:], offsets[-bound:])
                continue
            track = self._end(topic, partition)  # point by point
            for at, offset in zip(times, offsets, strict=True):
                if isinstance(offset, int):
                    track.add(at, offset, bound)

    def _replay_windows(
        self, group: str, points: list[StoredPoint], ends_at: dict[str, dict[float, Offsets]]
    ) -> None:
        """One group's status windows from its newest stored points."""
        topics = {topic for _, value in points for topic in value if topic != SINCE_KEY}
        for topic in topics:
            ends = ends_at.get(topic, {})
            track = CommitTrack(self.window_scans)
            for at, value in points:
                committed = value.get(topic)
                if isinstance(committed, list):
                    track.add(at, committed, ends.get(at) or [])
            self._commits[(group, topic)] = track

    def _restore_since(self, group: str, stamps: list[Any]) -> None:
        for item in stamps:
            if isinstance(item, list) and len(item) == 2:
                track = self._commits.get((group, str(item[0])))
                if track is not None:
                    track.restore_since(item[1])

    def _replay_since(self, group: str, points: list[StoredPoint]) -> None:
        """Since when each partition's newest committed offset is unchanged, over all the
        points kept (for points stored without `@since`): whole topics are compared at once,
        so a long unchanged history costs one list comparison per point."""
        if not points:
            return
        for topic, newest in points[-1][1].items():
            track = self._commits.get((group, topic))
            if not isinstance(newest, list) or track is None:
                continue
            since = dict.fromkeys(range(len(newest)), points[-1][0])
            undecided = set(since)
            for at, value in reversed(points[:-1]):
                offsets = value.get(topic)
                if offsets == newest:
                    since.update(dict.fromkeys(undecided, at))
                    continue
                for partition in list(undecided):
                    if (
                        isinstance(offsets, list)
                        and partition < len(offsets)
                        and offsets[partition] == newest[partition]
                    ):
                        since[partition] = at
                    else:
                        undecided.discard(partition)
                if not undecided:
                    break
            track.restore_since([since.get(p) for p in range(len(track.since))])

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
        self._topics = names = set(topics)
        for end_key in [k for k in self._ends if k[0] not in names]:
            del self._ends[end_key]
        self._log_ends = by_topic(log_end)
        stamp, bound = at.timestamp(), self.history_points
        for topic, ends in self._log_ends.items():
            for partition, offset in enumerate(ends):
                if offset is not None:
                    self._end(topic, partition).add(stamp, offset, bound)
            self._points.append((END_PREFIX + topic, at, {"o": ends}))

    def record_commits(
        self, group: str, committed: Mapping[TopicPartition, int]
    ) -> dict[str, Offsets]:
        """Add one group's committed offsets at this scan; returns them by topic."""
        rows = by_topic(committed)
        stamp = self._at.timestamp()
        stamps = []
        for topic, offsets in rows.items():
            track = self._commits.get((group, topic))
            if track is None:
                track = self._commits[(group, topic)] = CommitTrack(self.window_scans)
            track.add(stamp, offsets, self._log_ends.get(topic) or [])
            stamps.append([topic, track.stored_since()])
        value: dict[str, Any] = {**rows, SINCE_KEY: stamps}
        self._points.append((COMMIT_PREFIX + group, self._at, value))
        return rows

    @property
    def log_ends(self) -> dict[str, Offsets]:
        """This scan's log ends by topic."""
        return self._log_ends

    def flush(self, groups: Iterable[str]) -> None:
        """Write this scan to the store; forget groups and topics that are gone."""
        names, topics = set(groups), self._topics
        for key in [k for k in self._commits if k[0] not in names or k[1] not in topics]:
            del self._commits[key]
        if self._store is not None:
            self._store.append(self.source, self._points)
        self._points = []

    def commits(self, group: str, topic: str) -> CommitTrack | None:
        """One group's committed offsets of one topic (None before its first scan)."""
        return self._commits.get((group, topic))

    def window(self, group: str, topic: str, partition: int) -> list[Scan]:
        """The status window of one group partition, oldest first (empty before its first scan)."""
        track = self._commits.get((group, topic))
        return track.scans(partition) if track is not None else []

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
