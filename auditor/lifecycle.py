"""Finding lifecycle: first seen, last seen, resolved at, status, keyed by fingerprint.

Pure SQL over one connection, called by StateStore inside its transaction. A source that is
down is judged only on its own `auditor.source` resource: its other findings are marked stale,
neither resolved nor announced again.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from auditor.model import Finding, FindingStatus

RESOLVED = "resolved"
SOURCE_KIND = "auditor.source"


@dataclass(frozen=True, slots=True)
class TrackedFinding:
    """A finding as the state store keeps it between cycles."""

    fingerprint: str
    source: str
    rule_id: str
    kind: str
    severity: str
    category: str
    status: str  # open, waived, baselined or resolved
    first_seen: datetime
    last_seen: datetime
    resolved_at: datetime | None
    stale: bool
    body: dict[str, Any]

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready view (the /findings endpoint and notification payloads)."""
        return {
            **self.body,
            "fingerprint": self.fingerprint,
            "source": self.source,
            "status": self.status,
            "first_seen": self.first_seen.isoformat(),
            "last_seen": self.last_seen.isoformat(),
            "resolved_at": self.resolved_at.isoformat() if self.resolved_at else None,
            "stale": self.stale,
        }


@dataclass(frozen=True, slots=True)
class FindingCount:
    """How many tracked findings share these labels (for metrics)."""

    rule_id: str
    severity: str
    category: str
    source: str
    status: str
    stale: bool
    count: int


@dataclass(slots=True)
class LifecycleChanges:
    """What one source's cycle changed: newly open and newly resolved findings."""

    source: str
    at: datetime
    new: list[TrackedFinding] = field(default_factory=list)
    resolved: list[TrackedFinding] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.new or self.resolved)


def finding_body(finding: Finding) -> dict[str, Any]:
    """What is kept of a finding beyond its lifecycle columns."""
    ref = finding.resource
    return {
        "rule_id": finding.rule_id,
        "severity": str(finding.severity),
        "category": str(finding.category),
        "resource": {"kind": ref.kind, "id": ref.id, "scope": ref.scope, "source": ref.source},
        "message": finding.message,
        "remediation": finding.remediation,
        "evidence": finding.evidence,
        "status_reason": finding.status_reason,
    }


def _time(value: float | None) -> datetime | None:
    return None if value is None else datetime.fromtimestamp(value, tz=UTC)


def row_to_tracked(row: Sequence[Any]) -> TrackedFinding:
    """A `findings` row (columns in table order) as a TrackedFinding."""
    first_seen = _time(row[7])
    last_seen = _time(row[8])
    assert first_seen is not None and last_seen is not None
    return TrackedFinding(
        fingerprint=row[0],
        source=row[1],
        rule_id=row[2],
        kind=row[3],
        severity=row[4],
        category=row[5],
        status=row[6],
        first_seen=first_seen,
        last_seen=last_seen,
        resolved_at=_time(row[9]),
        stale=bool(row[10]),
        body=json.loads(row[11]),
    )


def reconcile(
    db: sqlite3.Connection,
    source: str,
    findings: Iterable[Finding],
    at: datetime,
    *,
    source_up: bool,
    read: Collection[tuple[str, str]] | None = None,
) -> LifecycleChanges:
    """Record one cycle of `source` (caller holds the transaction); returns what changed.

    Up: every current finding is open (or waived/baselined) with last_seen = at; a finding
    absent now is resolved. Down: only `auditor.source` findings are judged; the rest turn
    stale and keep their status. Partial (`read` = the (kind, id) of the resources read, when
    some parts could not be): a finding whose resource was not read turns stale, not resolved.
    """
    now = at.timestamp()
    changes = LifecycleChanges(source=source, at=at)
    known = {
        row[0]: row_to_tracked(row)
        for row in db.execute("SELECT * FROM findings WHERE source = ?", (source,))
    }
    current: dict[str, Finding] = {}
    for finding in findings:
        if source_up or finding.resource.kind == SOURCE_KIND:
            current[finding.fingerprint] = finding
    for fp, finding in current.items():
        previous = known.get(fp)
        body = json.dumps(finding_body(finding), sort_keys=True, default=str)
        status = str(finding.status)
        if previous is None or previous.status == RESOLVED:
            db.execute(
                "INSERT OR REPLACE INTO findings VALUES (?,?,?,?,?,?,?,?,?,NULL,0,?)",
                (fp, source, finding.rule_id, finding.resource.kind, str(finding.severity),
                 str(finding.category), status, now, now, body),
            )  # fmt: skip
            if finding.status is FindingStatus.OPEN:
                changes.new.append(_tracked(db, fp))
        else:
            db.execute(
                "UPDATE findings SET severity = ?, category = ?, status = ?, last_seen = ?,"
                " stale = 0, body = ? WHERE fingerprint = ?",
                (str(finding.severity), str(finding.category), status, now, body, fp),
            )
            if previous.status != str(FindingStatus.OPEN) and finding.status is FindingStatus.OPEN:
                changes.new.append(_tracked(db, fp))  # a waiver expired: announce it now
    for fp, previous in known.items():
        if fp in current or previous.status == RESOLVED:
            continue
        resource = (previous.kind, str(previous.body.get("resource", {}).get("id")))
        if (source_up and (read is None or resource in read)) or previous.kind == SOURCE_KIND:
            db.execute(
                "UPDATE findings SET status = ?, resolved_at = ?, stale = 0 WHERE fingerprint = ?",
                (RESOLVED, now, fp),
            )
            if previous.status == str(FindingStatus.OPEN):
                changes.resolved.append(_tracked(db, fp))
        else:
            db.execute("UPDATE findings SET stale = 1 WHERE fingerprint = ?", (fp,))
    return changes


def _tracked(db: sqlite3.Connection, fingerprint: str) -> TrackedFinding:
    row = db.execute("SELECT * FROM findings WHERE fingerprint = ?", (fingerprint,)).fetchone()
    return row_to_tracked(row)


def prune_resolved(db: sqlite3.Connection, before: datetime) -> int:
    """Forget findings resolved before `before`; returns how many were dropped."""
    cursor = db.execute(
        "DELETE FROM findings WHERE status = ? AND resolved_at < ?", (RESOLVED, before.timestamp())
    )
    return cursor.rowcount
