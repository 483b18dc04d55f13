"""Timestamps as reports print them: RFC 3339 in UTC, to the second."""

from __future__ import annotations

from datetime import UTC, datetime


def rfc3339(moment: datetime) -> str:
    """'2026-01-31T09:30:00Z'; a naive datetime is taken to be UTC already."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def optional_rfc3339(moment: datetime | None) -> str | None:
    """RFC 3339 UTC, or None when the moment is unknown."""
    return rfc3339(moment) if moment is not None else None
