"""The state schema is versioned and migrated forward; old history databases still open."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime
from pathlib import Path

import pytest

from auditor.state import SCHEMA_VERSION, HistoryStore, StateStore, StateVersionError

T0 = datetime(2026, 11, 26, tzinfo=UTC)


def test_pre_versioning_database_is_migrated_and_keeps_history(tmp_path: Path) -> None:
    """A database with only the original history table keeps its points and gains the rest."""
    path = tmp_path / "old.db"
    db = sqlite3.connect(path)
    db.executescript(
        "CREATE TABLE history (source TEXT NOT NULL, series TEXT NOT NULL, at REAL NOT NULL,"
        " value TEXT NOT NULL, PRIMARY KEY (source, series, at)) WITHOUT ROWID;"
        f"INSERT INTO history VALUES ('kafka', 'g/t/0', {T0.timestamp()}, '{{\"offset\": 3}}');"
    )
    db.close()
    store = StateStore(path)
    assert store.windows("kafka")["g/t/0"] == [(T0, {"offset": 3})]
    assert store.findings() == []
    store.close()
    versions = sqlite3.connect(path).execute("SELECT version FROM schema_version").fetchall()
    assert [v for (v,) in versions] == [2]
    assert SCHEMA_VERSION == 2


def test_fresh_database_records_every_version(tmp_path: Path) -> None:
    """A new database records each migration it applied, and reopening applies none."""
    path = tmp_path / "new.db"
    HistoryStore(path).close()
    StateStore(path).close()
    versions = sqlite3.connect(path).execute("SELECT version FROM schema_version").fetchall()
    assert [v for (v,) in versions] == [1, 2]


def test_newer_database_is_refused(tmp_path: Path) -> None:
    """A database from a newer auditor is not opened (its schema is unknown here)."""
    path = tmp_path / "future.db"
    StateStore(path).close()
    sqlite3.connect(path, isolation_level=None).execute("INSERT INTO schema_version VALUES (99)")
    with pytest.raises(StateVersionError, match="99"):
        StateStore(path)


def test_writable_store_reports_writable(tmp_path: Path) -> None:
    """A store on a writable file says so (the readiness probe asks)."""
    store = StateStore(tmp_path / "s.db")
    assert store.writable() is True
