"""Alertmanager payloads: open findings last a few intervals, resolves carry a past endsAt."""

from __future__ import annotations

import socket
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from auditor.config import AlertmanagerNotifications
from auditor.daemon.sinks import CycleNotice
from auditor.model import Severity
from exporters.alertmanager import AlertmanagerSink
from tests.unit.exporters.test_slack_sink import _tracked

T0 = datetime(2026, 11, 26, 6, 0, tzinfo=UTC)


def test_open_alerts_outlive_three_intervals_and_resolves_end_in_the_past() -> None:
    """An open finding's alert ends three intervals ahead; a resolved one at its resolve time;
    findings under the floor are left out."""
    sink = AlertmanagerSink(
        AlertmanagerNotifications(url="http://127.0.0.1:1", min_severity=Severity.MEDIUM)
    )
    resolved = replace(_tracked(2), status="resolved", resolved_at=T0 - timedelta(minutes=1))
    notice = CycleNotice(
        source="kafka-prod",
        at=T0,
        open=[_tracked(1), _tracked(3, severity="low")],
        recently_resolved=[resolved],
        interval_seconds=600,
    )
    [payload] = sink.payloads(notice)
    by_fp = {a["labels"]["fingerprint"]: a for a in payload["alerts"]}
    assert set(by_fp) == {"fp0001", "fp0002"}
    assert by_fp["fp0001"]["endsAt"] == "2026-11-26T06:30:00Z"
    assert by_fp["fp0001"]["labels"]["severity"] == "critical"  # high maps to critical
    assert by_fp["fp0002"]["endsAt"] == "2026-11-26T05:59:00Z"
    assert sink.payloads(CycleNotice(source="kafka-prod", at=T0)) == []
    sink.close()


def test_unreachable_alertmanager_is_retried() -> None:
    """A refused connection is a failed, retryable delivery, not an exception."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    sink = AlertmanagerSink(AlertmanagerNotifications(url=f"http://127.0.0.1:{port}"))
    outcome = sink.deliver({"alerts": []})
    assert not outcome.ok and not outcome.permanent
    assert outcome.error == "alertmanager unreachable: ConnectionError"
    sink.close()
