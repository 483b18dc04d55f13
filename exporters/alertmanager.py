"""Alertmanager sink: every open finding as an alert, re-sent each cycle; resolves with a
past endsAt.

Alertmanager resolves an alert that is not re-sent before its endsAt, so each cycle posts all
of the source's open findings with endsAt a few intervals ahead, plus the findings resolved in
the last `resolved_resend_seconds` with endsAt = when they resolved. The newest message carries
the whole state, so older undelivered ones are dropped from the outbox (replace_pending).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import requests

from auditor.config import AlertmanagerNotifications
from auditor.daemon.sinks import CycleNotice, Delivery
from auditor.engine.runbooks import rule_runbook_url
from auditor.lifecycle import TrackedFinding
from auditor.model import Severity

ALERT_NAME = "AuditorFinding"
# monitoring-mixins' severity vocabulary: critical / warning / info.
ALERT_SEVERITY = {
    "critical": "critical",
    "high": "critical",
    "medium": "warning",
    "low": "info",
    "info": "info",
}
MIN_ALERT_LIFETIME = timedelta(minutes=5)


def _rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


class AlertmanagerSink:
    """The `auditor.sinks` entry point `alertmanager`."""

    name = "alertmanager"
    replace_pending = True

    def __init__(self, settings: AlertmanagerNotifications) -> None:
        self.settings = settings
        self._session = requests.Session()

    def alert(self, finding: TrackedFinding, ends_at: datetime) -> dict[str, Any]:
        """One finding as an Alertmanager v2 alert."""
        body = finding.body
        resource = body.get("resource", {})
        annotations = {
            "summary": str(body.get("message", ""))[:500],
            "description": str(body.get("remediation", ""))[:2000],
        }
        if self.settings.runbook_base_url:
            annotations["runbook_url"] = rule_runbook_url(
                self.settings.runbook_base_url, finding.rule_id
            )
        alert: dict[str, Any] = {
            "labels": {
                "alertname": ALERT_NAME,
                "severity": ALERT_SEVERITY.get(finding.severity, "warning"),
                "auditor_severity": finding.severity,
                "rule": finding.rule_id,
                "category": finding.category,
                "source": finding.source,
                "kind": str(resource.get("kind", "")),
                "resource": str(resource.get("id", "")),
                "fingerprint": finding.fingerprint,
            },
            "annotations": annotations,
            "startsAt": _rfc3339(finding.first_seen),
            "endsAt": _rfc3339(ends_at),
        }
        if self.settings.generator_url:
            alert["generatorURL"] = self.settings.generator_url
        return alert

    def payloads(self, notice: CycleNotice) -> list[dict[str, Any]]:
        """One message with the source's open alerts and recent resolves."""
        floor = self.settings.min_severity
        lifetime = max(MIN_ALERT_LIFETIME, timedelta(seconds=3 * notice.interval_seconds))
        alerts = [
            self.alert(f, notice.at + lifetime)
            for f in notice.open
            if Severity(f.severity).at_least(floor)
        ]
        alerts += [
            self.alert(f, f.resolved_at)
            for f in notice.recently_resolved
            if f.resolved_at is not None and Severity(f.severity).at_least(floor)
        ]
        if not alerts:
            return []
        return [{"alerts": sorted(alerts, key=lambda a: a["labels"]["fingerprint"])}]

    def deliver(self, payload: dict[str, Any]) -> Delivery:
        """POST /api/v2/alerts; 5xx, 429 and timeouts are retried, other 4xx are not."""
        url = self.settings.url.rstrip("/") + "/api/v2/alerts"
        try:
            response = self._session.post(
                url, json=payload["alerts"], timeout=self.settings.timeout_seconds
            )
        except requests.RequestException as exc:
            return Delivery(ok=False, error=f"alertmanager unreachable: {type(exc).__name__}")
        if response.status_code == 200:
            return Delivery(ok=True)
        error = f"HTTP {response.status_code}: {response.text[:100]}"
        if response.status_code == 429:
            try:
                retry_after = float(response.headers.get("Retry-After", "5"))
            except ValueError:
                retry_after = 5.0
            return Delivery(ok=False, error=error, retry_after=retry_after)
        return Delivery(ok=False, error=error, permanent=400 <= response.status_code < 500)

    def close(self) -> None:
        """Close the HTTP session."""
        self._session.close()


def create_sink(settings: AlertmanagerNotifications) -> AlertmanagerSink:
    """The entry point."""
    return AlertmanagerSink(settings)
