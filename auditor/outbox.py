"""The notification outbox: per sink, messages not yet delivered, with retry bookkeeping.

Messages are written in the same transaction as the lifecycle change that caused them and
carry an idempotency key (unique: enqueueing the same key twice is a no-op). A delivered
message is kept, marked, until pruned, so its key still deduplicates.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


@dataclass(frozen=True, slots=True)
class OutboxMessage:
    """A message to enqueue: which sink, its idempotency key, its JSON payload."""

    sink: str
    key: str
    payload: dict[str, Any]


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    """A pending message as stored."""

    id: int
    sink: str
    key: str
    payload: dict[str, Any]
    created_at: datetime
    attempts: int
    next_attempt_at: datetime
    last_error: str


def enqueue(
    db: sqlite3.Connection, message: OutboxMessage, at: datetime, *, replace_pending: bool = False
) -> None:
    """Add `message` (caller holds the transaction).

    `replace_pending` drops the sink's undelivered messages first: for sinks whose newest
    message carries the whole state (Alertmanager re-sends every open alert each cycle).
    """
    if replace_pending:
        db.execute("DELETE FROM outbox WHERE sink = ? AND delivered_at IS NULL", (message.sink,))
    db.execute(
        "INSERT OR IGNORE INTO outbox (sink, key, payload, created_at, next_attempt_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (
            message.sink,
            message.key,
            json.dumps(message.payload, sort_keys=True, default=str),
            at.timestamp(),
            at.timestamp(),
        ),
    )


def due(db: sqlite3.Connection, sink: str, at: datetime, limit: int = 100) -> list[OutboxEntry]:
    """Undelivered messages of `sink` (and of its per-source queues `sink/SOURCE`) whose next
    attempt is due, oldest first."""
    rows = db.execute(
        "SELECT id, sink, key, payload, created_at, attempts, next_attempt_at, last_error"
        " FROM outbox WHERE (sink = ? OR (sink >= ? AND sink < ?)) AND delivered_at IS NULL"
        " AND next_attempt_at <= ? ORDER BY id LIMIT ?",
        (sink, sink + "/", sink + "0", at.timestamp(), limit),
    ).fetchall()
    return [
        OutboxEntry(
            id=row[0],
            sink=row[1],
            key=row[2],
            payload=json.loads(row[3]),
            created_at=datetime.fromtimestamp(row[4], tz=UTC),
            attempts=row[5],
            next_attempt_at=datetime.fromtimestamp(row[6], tz=UTC),
            last_error=row[7],
        )
        for row in rows
    ]


def mark_delivered(db: sqlite3.Connection, entry_id: int, at: datetime) -> None:
    """Record a successful delivery."""
    db.execute(
        "UPDATE outbox SET delivered_at = ?, attempts = attempts + 1 WHERE id = ?",
        (at.timestamp(), entry_id),
    )


def mark_failed(db: sqlite3.Connection, entry_id: int, retry_at: datetime, error: str) -> None:
    """Record a failed attempt and when to try again (error text must hold no secrets)."""
    db.execute(
        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?, last_error = ?"
        " WHERE id = ?",
        (retry_at.timestamp(), error[:500], entry_id),
    )


def pending_count(db: sqlite3.Connection, sink: str | None = None) -> int:
    """Undelivered messages, of one sink or of all."""
    if sink is None:
        row = db.execute("SELECT COUNT(*) FROM outbox WHERE delivered_at IS NULL").fetchone()
    else:
        row = db.execute(
            "SELECT COUNT(*) FROM outbox WHERE (sink = ? OR (sink >= ? AND sink < ?))"
            " AND delivered_at IS NULL",
            (sink, sink + "/", sink + "0"),
        ).fetchone()
    return int(row[0])


def prune_delivered(db: sqlite3.Connection, before: datetime) -> int:
    """Forget messages delivered before `before`."""
    cursor = db.execute(
        "DELETE FROM outbox WHERE delivered_at IS NOT NULL AND delivered_at < ?",
        (before.timestamp(),),
    )
    return cursor.rowcount
