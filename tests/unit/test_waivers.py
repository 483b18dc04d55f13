"""Waivers expire and stay visible; baselines hide only the exact findings they recorded."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

import pytest

from auditor.config import WaiverConfig
from auditor.errors import WaiverError
from auditor.model import Category, Finding, FindingStatus, ResourceRef, Severity
from auditor.waivers import (
    Waiver,
    apply_baseline,
    apply_waivers,
    load_baseline,
    load_waiver_file,
    write_baseline,
)

TODAY = date(2026, 11, 26)


def _finding(rule_id: str, resource_id: str, scope: str = "prod/etl") -> Finding:
    return Finding(
        rule_id=rule_id,
        severity=Severity.HIGH,
        category=Category.HA,
        resource=ResourceRef(kind="k8s.workload", id=resource_id, scope=scope, source="m"),
        message="m",
        remediation="r",
    )


def _waiver(rule: str, resource: str, expires: date) -> Waiver:
    spec = WaiverConfig(rule=rule, resource=resource, reason="accepted", owner="o", expires=expires)
    return Waiver(spec=spec, source="auditor.yaml")


def test_live_waiver_marks_matching_findings_waived() -> None:
    """Rule glob and resource glob (on id or scope) select the findings a waiver covers."""
    findings = [
        _finding("gke-workload-min-replicas", "prod/etl/Deployment/worker"),
        _finding("gke-workload-privileged", "prod/etl/Deployment/worker"),
        _finding("gke-workload-min-replicas", "prod/ingest/Deployment/api", scope="prod/ingest"),
    ]
    expired = apply_waivers(
        findings, [_waiver("gke-workload-min-*", "prod/etl", date(2026, 12, 31))], TODAY
    )
    assert expired == []
    assert [f.status for f in findings] == [
        FindingStatus.WAIVED,
        FindingStatus.OPEN,
        FindingStatus.OPEN,
    ]
    assert "owner o" in findings[0].status_reason


def test_waiver_applies_through_its_expiry_day_then_stops() -> None:
    """On the expiry date the waiver holds; the day after, findings reopen and it is reported."""
    waiver = _waiver("*", "*", TODAY)
    on_the_day = [_finding("r", "x")]
    assert apply_waivers(on_the_day, [waiver], TODAY) == []
    assert on_the_day[0].status is FindingStatus.WAIVED
    day_after = [_finding("r", "x")]
    expired = apply_waivers(day_after, [waiver], date(2026, 11, 27))
    assert day_after[0].status is FindingStatus.OPEN
    assert [(e.rule, e.expires, e.source) for e in expired] == [("*", "2026-11-26", "auditor.yaml")]


def test_waiver_file_errors_name_the_line(tmp_path: Path) -> None:
    """A bad date in a waivers file names the file and line."""
    path = tmp_path / "waivers.yaml"
    path.write_text("waivers:\n  - rule: r\n    reason: x\n    owner: o\n    expires: 2026-13-01\n")
    with pytest.raises(WaiverError) as caught:
        load_waiver_file(path)
    assert caught.value.path == str(path)
    assert caught.value.line == 5


def test_baseline_round_trip_hides_only_recorded_findings(tmp_path: Path) -> None:
    """A new finding of a baselined rule on another resource stays open (Checkov #7647)."""
    path = tmp_path / "baseline.json"
    known = [_finding("r", "prod/etl/Deployment/worker")]
    assert write_baseline(path, known, datetime(2026, 11, 26, tzinfo=UTC)) == 1
    later = [_finding("r", "prod/etl/Deployment/worker"), _finding("r", "prod/etl/Deployment/new")]
    apply_baseline(later, load_baseline(path))
    assert [f.status for f in later] == [FindingStatus.BASELINED, FindingStatus.OPEN]


def test_waived_findings_are_not_written_to_a_baseline(tmp_path: Path) -> None:
    """Only open findings are baselined, so a waiver's expiry still resurfaces its finding."""
    waived = _finding("r", "a")
    waived.status = FindingStatus.WAIVED
    path = tmp_path / "b.json"
    assert write_baseline(path, [waived, _finding("r", "b")], datetime.now(UTC)) == 1


def test_invalid_baseline_is_an_error(tmp_path: Path) -> None:
    """Invalid JSON and foreign documents are rejected with the file named."""
    path = tmp_path / "b.json"
    path.write_text("{\n  oops\n}")
    with pytest.raises(WaiverError) as caught:
        load_baseline(path)
    assert caught.value.line == 2
    path.write_text('{"version": 9}')
    with pytest.raises(WaiverError, match="not an auditor baseline"):
        load_baseline(path)
