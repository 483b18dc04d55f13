"""The state store (SQLite, WAL): what must survive between collections and restarts.

So far: history windows that stateful rules need (Kafka offsets over the last N scans). The
daemon adds finding lifecycle and the notification outbox in the same database.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

_SCHEMA = """
CREATE TABLE IF NOT EXISTS history (
    source TEXT NOT NULL,
    series TEXT NOT NULL,
    at REAL NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (source, series, at)
) WITHOUT ROWID;
"""

Point = tuple[datetime, dict[str, Any]]
SeriesPoint = tuple[str, datetime, Mapping[str, Any]]


class HistoryStore:
    """Time-ordered points per (source, series), bounded to the newest `keep` per series.

    `path=None` keeps everything in memory (one-shot scans, tests).
    """

    def __init__(self, path: Path | None = None, *, keep: int = 64) -> None:
        self.keep = keep
        self._lock = threading.Lock()
        if path is not None:
            path.parent.mkdir(parents=True, exist_ok=True)
        self._db = sqlite3.connect(
            str(path) if path else ":memory:", check_same_thread=False, isolation_level=None
        )
        if path is not None:
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.executescript(_SCHEMA)

    def append(self, source: str, points: Iterable[SeriesPoint]) -> None:
        """Add (series, time, value) points in one transaction and trim each series."""
        rows = [(source, s, at.timestamp(), json.dumps(dict(v))) for s, at, v in points]
        if not rows:
            return
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._db.executemany("INSERT OR REPLACE INTO history VALUES (?, ?, ?, ?)", rows)
                for series in {row[1] for row in rows}:
                    self._db.execute(
                        "DELETE FROM history WHERE source = ? AND series = ? AND at < ("
                        " SELECT MIN(at) FROM (SELECT at FROM history"
                        " WHERE source = ? AND series = ? ORDER BY at DESC LIMIT ?))",
                        (source, series, source, series, self.keep),
                    )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise

    def windows(self, source: str, prefix: str = "") -> dict[str, list[Point]]:
        """Every series of `source` starting with `prefix`, each oldest point first."""
        with self._lock:
            rows = self._db.execute(
                "SELECT series, at, value FROM history WHERE source = ? AND series >= ? "
                "AND series < ? ORDER BY series, at",
                (source, prefix, prefix + "\U0010ffff"),
            ).fetchall()
        result: dict[str, list[Point]] = {}
        for series, at, value in rows:
            result.setdefault(series, []).append(
                (datetime.fromtimestamp(at, tz=UTC), json.loads(value))
            )
        return result

    def close(self) -> None:
        """Close the database."""
        with self._lock:
            self._db.close()
