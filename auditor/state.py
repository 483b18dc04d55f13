"""The state store (SQLite, WAL): what must survive between collections and restarts.

History windows that stateful rules need (Kafka offsets over the last N scans), the daemon's
finding lifecycle and its notification outbox, all in one database whose schema is versioned
and migrated forward on open. Lifecycle changes and the notifications they cause are written
in one transaction, so a kill at any point either loses the whole cycle (it is collected again)
or keeps both (the outbox is delivered after the restart): nothing is lost, nothing announced
twice by the lifecycle.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from auditor import outbox
from auditor.errors import ConfigError
from auditor.lifecycle import (
    RESOLVED,
    FindingCount,
    LifecycleChanges,
    TrackedFinding,
    prune_resolved,
    reconcile,
    row_to_tracked,
)
from auditor.model import Finding
from auditor.outbox import OutboxEntry, OutboxMessage, enqueue

# Each entry migrates from version N (its index) to N + 1; never edit a released entry.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE IF NOT EXISTS history (
        source TEXT NOT NULL,
        series TEXT NOT NULL,
        at REAL NOT NULL,
        value TEXT NOT NULL,
        PRIMARY KEY (source, series, at)
    ) WITHOUT ROWID;
    """,
    """
    CREATE TABLE findings (
        fingerprint TEXT PRIMARY KEY,
        source TEXT NOT NULL,
        rule_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        severity TEXT NOT NULL,
        category TEXT NOT NULL,
        status TEXT NOT NULL,
        first_seen REAL NOT NULL,
        last_seen REAL NOT NULL,
        resolved_at REAL,
        stale INTEGER NOT NULL DEFAULT 0,
        body TEXT NOT NULL
    );
    CREATE INDEX findings_source ON findings (source, status);
    CREATE TABLE outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        sink TEXT NOT NULL,
        key TEXT NOT NULL UNIQUE,
        payload TEXT NOT NULL,
        created_at REAL NOT NULL,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at REAL NOT NULL,
        last_error TEXT NOT NULL DEFAULT '',
        delivered_at REAL
    );
    CREATE INDEX outbox_due ON outbox (sink, delivered_at, next_attempt_at);
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)

Point = tuple[datetime, dict[str, Any]]
SeriesPoint = tuple[str, datetime, Mapping[str, Any]]

_ALL_POINTS = (
    "SELECT series, at, value FROM history WHERE source = ?1 AND series >= ?2 AND series < ?3"
    " ORDER BY series, at"
)
# The newest N points of each series, found through the primary key: walk the distinct series
# (a seek to the next one each time, never a scan of their points), then per series the points
# at or after its N-th newest.
_NEWEST_POINTS = """
WITH RECURSIVE names(series) AS (
    SELECT MIN(series) FROM history WHERE source = ?1 AND series >= ?2 AND series < ?3
    UNION ALL
    SELECT (SELECT MIN(series) FROM history WHERE source = ?1 AND series > names.series
            AND series < ?3)
    FROM names WHERE names.series IS NOT NULL
)
SELECT h.series, h.at, h.value FROM names JOIN history AS h
    ON h.source = ?1 AND h.series = names.series AND h.at >= IFNULL(
        (SELECT x.at FROM history AS x WHERE x.source = ?1 AND x.series = names.series
         ORDER BY x.at DESC LIMIT 1 OFFSET ?4), -1e308)
ORDER BY h.series, h.at
"""


def _encode(value: Mapping[str, Any]) -> str:
    """A point's value as compact JSON (no spaces: smaller rows, faster reads)."""
    return json.dumps(dict(value), separators=(",", ":"))


class StateStoreError(ConfigError):
    """The state store cannot be opened (state.path): one line, exit 2, never a traceback."""


class StateVersionError(StateStoreError):
    """The database was written by a newer auditor than this one."""


def open_database(path: Path | None) -> sqlite3.Connection:
    """A connection in autocommit mode (transactions are explicit), migrated to SCHEMA_VERSION.

    Raises StateStoreError naming state.path when the file cannot be created or read.
    """
    try:
        return _open_database(path)
    except (OSError, sqlite3.Error) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise StateStoreError(
            f"state.path: cannot open the state store: {reason}", path=str(path)
        ) from None


def _open_database(path: Path | None) -> sqlite3.Connection:
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
    db = sqlite3.connect(
        str(path) if path else ":memory:",
        check_same_thread=False,
        isolation_level=None,
        timeout=30.0,
    )
    if path is not None:
        db.execute("PRAGMA journal_mode=WAL")
        # FULL: a committed lifecycle change and its outbox entry survive power loss too.
        db.execute("PRAGMA synchronous=FULL")
    migrate(db)
    return db


def schema_version(db: sqlite3.Connection) -> int:
    """The version recorded in the database; 0 when it has none."""
    db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL)")
    row = db.execute("SELECT MAX(version) FROM schema_version").fetchone()
    if row[0] is not None:
        return int(row[0])
    # A database from before versioning has the history table: that is version 1.
    legacy = db.execute(
        "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'history'"
    ).fetchone()
    return 1 if legacy else 0


def migrate(db: sqlite3.Connection) -> int:
    """Apply every missing migration, each in its own transaction; returns the new version."""
    db.execute("BEGIN IMMEDIATE")
    try:
        current = schema_version(db)
        if current > SCHEMA_VERSION:
            raise StateVersionError(
                f"state store schema {current} is newer than this auditor ({SCHEMA_VERSION})"
            )
        for version in range(current, SCHEMA_VERSION):
            for statement in MIGRATIONS[version].split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO schema_version VALUES (?)", (version + 1,))
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise
    return SCHEMA_VERSION


class HistoryStore:
    """Time-ordered points per (source, series), bounded to the newest `keep` per series.

    `path=None` keeps everything in memory (one-shot scans, tests).
    """

    def __init__(self, path: Path | None = None, *, keep: int = 64) -> None:
        self.keep = keep
        self.path = path
        self._lock = threading.RLock()
        self._db = open_database(path)

    def append(self, source: str, points: Iterable[SeriesPoint]) -> None:
        """Add (series, time, value) points in one transaction and trim each series."""
        rows = [(source, s, at.timestamp(), _encode(v)) for s, at, v in points]
        if not rows:
            return
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany("INSERT OR REPLACE INTO history VALUES (?, ?, ?, ?)", rows)
                # Everything older than the keep-th newest point (an index seek per series).
                self._db.executemany(
                    "DELETE FROM history WHERE source = ?1 AND series = ?2 AND at <= ("
                    " SELECT at FROM history WHERE source = ?1 AND series = ?2"
                    " ORDER BY at DESC LIMIT 1 OFFSET ?3)",
                    [(source, series, self.keep) for series in {row[1] for row in rows}],
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def windows(
        self, source: str, prefix: str = "", *, newest: int | None = None
    ) -> dict[str, list[Point]]:
        """Every series of `source` starting with `prefix`, each oldest point first; with
        `newest`, only the newest that many points of each series."""
        return {
            series: [(datetime.fromtimestamp(at, tz=UTC), value) for at, value in points]
            for series, points in self.raw_windows(source, prefix, newest=newest).items()
        }

    def raw_windows(
        self, source: str, prefix: str = "", *, newest: int | None = None
    ) -> dict[str, list[tuple[float, dict[str, Any]]]]:
        """`windows` with POSIX times: for callers that read thousands of points at once."""
        bounds = (source, prefix, prefix + "\U0010ffff")
        with self._lock:
            if newest is None:
                rows = self._db.execute(_ALL_POINTS, bounds).fetchall()
            elif newest > 0:
                rows = self._db.execute(_NEWEST_POINTS, (*bounds, newest - 1)).fetchall()
            else:
                rows = []
        # One parse of all values as a JSON array: the per-call overhead of json.loads is most
        # of the cost of decoding thousands of small points one by one.
        values = json.loads("[" + ",".join(row[2] for row in rows) + "]")
        result: dict[str, list[tuple[float, dict[str, Any]]]] = {}
        for (series, at, _), value in zip(rows, values, strict=True):
            points = result.get(series)
            if points is None:
                points = result[series] = []
            points.append((at, value))
        return result

    def writable(self) -> bool:
        """True when a write transaction can be taken now (for readiness probes)."""
        with self._lock:
            try:
                self._db.execute("BEGIN IMMEDIATE")
                self._db.execute("ROLLBACK")
            except sqlite3.Error:
                return False
        return True

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()


class StateStore(HistoryStore):
    """The daemon's store: history windows, finding lifecycle and the notification outbox."""

    def record_cycle(
        self,
        source: str,
        findings: Iterable[Finding],
        at: datetime,
        *,
        source_up: bool,
        notify: Callable[[LifecycleChanges], Iterable[tuple[OutboxMessage, bool]]],
        read: Collection[tuple[str, str]] | None = None,
    ) -> LifecycleChanges:
        """Reconcile one source's findings and enqueue what `notify` makes of the changes.

        One transaction: after a crash either both the lifecycle change and its messages are
        stored, or neither is (and the next cycle finds the same change again).
        `notify` returns (message, replace_pending) pairs; `read`: see lifecycle.reconcile.
        """
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                changes = reconcile(self._db, source, findings, at, source_up=source_up, read=read)
                for message, replace in notify(changes):
                    enqueue(self._db, message, at, replace_pending=replace)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return changes

    def findings(
        self, *, include_resolved: bool = False, source: str | None = None
    ) -> list[TrackedFinding]:
        """Tracked findings, worst first is the caller's business; ordered by fingerprint."""
        query = "SELECT * FROM findings WHERE 1 = 1"
        args: list[Any] = []
        if not include_resolved:
            query += " AND status != ?"
            args.append(RESOLVED)
        if source is not None:
            query += " AND source = ?"
            args.append(source)
        with self._lock:
            rows = self._db.execute(query + " ORDER BY fingerprint", args).fetchall()
        return [row_to_tracked(row) for row in rows]

    def finding_counts(self) -> list[FindingCount]:
        """Tracked (not resolved) findings counted by rule, severity, category, source, status
        and staleness: what a metrics scrape needs, without reading each finding."""
        with self._lock:
            rows = self._db.execute(
                "SELECT rule_id, severity, category, source, status, stale, COUNT(*)"
                " FROM findings WHERE status != ? GROUP BY 1, 2, 3, 4, 5, 6 ORDER BY 1, 2, 3, 4, 5",
                (RESOLVED,),
            ).fetchall()
        return [FindingCount(r[0], r[1], r[2], r[3], r[4], bool(r[5]), int(r[6])) for r in rows]

    def worst_open(self, limit: int) -> list[TrackedFinding]:
        """Up to `limit` open findings, worst severity first, then by rule and fingerprint."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM findings WHERE status = 'open' ORDER BY CASE severity"
                " WHEN 'critical' THEN 0 WHEN 'high' THEN 1 WHEN 'medium' THEN 2"
                " WHEN 'low' THEN 3 ELSE 4 END, rule_id, fingerprint LIMIT ?",
                (limit,),
            ).fetchall()
        return [row_to_tracked(row) for row in rows]

    def open_fingerprints(self, rule_id: str) -> set[str]:
        """Fingerprints of the open findings of one rule."""
        with self._lock:
            rows = self._db.execute(
                "SELECT fingerprint FROM findings WHERE rule_id = ? AND status = 'open'",
                (rule_id,),
            ).fetchall()
        return {row[0] for row in rows}

    def forget_sources_except(self, sources: Iterable[str]) -> int:
        """Drop the findings and pending messages of sources no longer configured; returns how
        many findings went (a removed source must not keep open findings forever)."""
        keep = sorted(set(sources))
        marks = ",".join("?" for _ in keep) or "''"
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                cursor = self._db.execute(
                    f"DELETE FROM findings WHERE source NOT IN ({marks})",  # noqa: S608 - marks only
                    keep,
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        return cursor.rowcount

    def resolved_since(self, since: datetime) -> list[TrackedFinding]:
        """Findings resolved at or after `since` (Alertmanager re-sends their resolve)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM findings WHERE status = ? AND resolved_at >= ?",
                (RESOLVED, since.timestamp()),
            ).fetchall()
        return [row_to_tracked(row) for row in rows]

    def due(self, sink: str, at: datetime, limit: int = 100) -> list[OutboxEntry]:
        """Messages of `sink` to deliver now, oldest first."""
        with self._lock:
            return outbox.due(self._db, sink, at, limit)

    def mark_delivered(self, entry: OutboxEntry, at: datetime) -> None:
        """`entry` reached its sink: never send it again."""
        with self._lock:
            outbox.mark_delivered(self._db, entry.id, at)

    def mark_failed(self, entry: OutboxEntry, retry_at: datetime, error: str) -> None:
        """`entry` failed; try again at `retry_at`."""
        with self._lock:
            outbox.mark_failed(self._db, entry.id, retry_at, error)

    def pending(self, sink: str | None = None) -> int:
        """How many messages wait for delivery."""
        with self._lock:
            return outbox.pending_count(self._db, sink)

    def prune(self, before: datetime) -> None:
        """Drop resolved findings and delivered messages older than `before`."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                prune_resolved(self._db, before)
                outbox.prune_delivered(self._db, before)
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
