"""The collector over Airflow 2's `/api/v1` (recorded responses, real HTTP client): version
detected, v1 field names mapped, pages read to the end, failures are a down source."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest

from auditor.collectors.airflow import AirflowSettings, create_collector
from auditor.collectors.base import CollectorContext
from auditor.collectors.runner import SourceResult, run_collection
from auditor.state import HistoryStore
from tests.unit.airflow.fake_v1 import PASSWORD, USER, FakeV1, fake_airflow_v1

NOW = datetime(2026, 11, 26, 6, 30, tzinfo=UTC)


@pytest.fixture
def server(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakeV1]:
    """The recorded Airflow 2 API, with the password in the environment."""
    monkeypatch.setenv("AIRFLOW2_PASSWORD", PASSWORD)
    with fake_airflow_v1() as fake:
        yield fake


def _collect(server: FakeV1, history: HistoryStore | None = None, **extra: Any) -> SourceResult:
    settings = AirflowSettings.model_validate(
        {"name": "composer2", "type": "airflow", "url": server.url,
         "auth": {"type": "basic", "username": USER, "password": {"env": "AIRFLOW2_PASSWORD"}},
         "timeout_seconds": 10, **extra}
    )  # fmt: skip
    collector = create_collector(settings)
    context = CollectorContext(now=lambda: NOW, history=history or HistoryStore())
    try:
        return run_collection("composer2", "airflow", collector, context, timeout_seconds=10)
    finally:
        collector.close()


def _data(result: SourceResult, resource_id: str) -> dict[str, Any]:
    [resource] = [r for r in result.resources if r.id == resource_id and r.kind != "auditor.source"]
    return resource.data


def test_v1_is_detected_and_its_field_names_mapped(server: FakeV1) -> None:
    """/api/v2 answers 404, so v1 is spoken; next_dagrun and next_dagrun_create_after land in
    the canonical fields, absolute file paths lose Composer's mount point."""
    result = _collect(server)
    assert result.health.up, result.health.error
    ledger = _data(result, "composer2/ledger_daily")
    assert ledger["api_version"] == "v1"
    assert ledger["next_logical_date"] == "2026-11-25T02:00:00+00:00"
    assert ledger["next_run_after"] == "2026-11-26T02:00:00+00:00"
    assert (ledger["period_seconds"], ledger["period_source"]) == (86400, "data_interval")
    assert ledger["file"] == "ledger/ledger_daily.py"
    assert ledger["tags"] == ["finance", "tier-1"]
    assert ledger["last_success_data_interval_end"] == "2026-11-25T02:00:00+00:00"
    environment = _data(result, "composer2")
    assert (environment["airflow_version"], environment["dag_processor_status"]) == ("2.10.5", None)


def test_every_page_is_read_though_the_server_caps_the_page(server: FakeV1) -> None:
    """Three DAGs arrive two at a time; all three become resources."""
    result = _collect(server)
    dags = sorted(r.id for r in result.resources if r.kind == "airflow.dag")
    assert dags == ["composer2/fx_rates_30min", "composer2/gdpr_erasure", "composer2/ledger_daily"]
    assert any("offset=2" in request for request in server.requests)


def test_failure_streak_beyond_the_window_is_counted_per_dag(server: FakeV1) -> None:
    """fx_rates has no success in the window: its last success and the failures since are
    read per DAG, with the v1 filter names."""
    fx = _data(_collect(server, runs_lookback_hours=24), "composer2/fx_rates_30min")
    assert fx["consecutive_failed_runs"] == 2
    assert fx["last_success_data_interval_end"] == "2026-11-20T11:30:00+00:00"
    assert fx["failing_since"] == "2026-11-26T05:00:00+00:00"
    assert (fx["schedule"], fx["period_seconds"]) == ("0:30:00", 1800)
    assert any("execution_date_gte" in r and "state=failed" in r for r in server.requests)


def test_pause_time_and_import_error_from_v1_shapes(server: FakeV1) -> None:
    """The UI's 'paused' audit event dates the pause; stack_trace yields the exception line."""
    result = _collect(server)
    gdpr = _data(result, "composer2/gdpr_erasure")
    assert (gdpr["paused_since"], gdpr["paused_since_source"]) == (
        "2026-11-02T08:15:00+00:00",
        "event_log",
    )
    assert gdpr["schedule_kind"] == "none"
    error = _data(result, "composer2/marketing/attribution.py")
    assert error["error"] == "ModuleNotFoundError: No module named 'pandas_gbq'"


def test_http_500_is_source_down(server: FakeV1) -> None:
    """A server answering 500 is a down source ('unreachable'), not a crash."""
    server.fail_with = 500
    result = _collect(server)
    assert (result.health.up, result.error_kind) == (False, "unreachable")
    assert "HTTP 500" in result.health.error


def test_wrong_basic_password_is_auth_and_not_echoed(
    server: FakeV1, monkeypatch: pytest.MonkeyPatch
) -> None:
    """401 is an auth failure; the password is in no message or resource."""
    monkeypatch.setenv("AIRFLOW2_PASSWORD", "not-the-Password-42")
    result = _collect(server)
    assert (result.health.up, result.error_kind) == (False, "auth")
    assert "not-the-Password-42" not in repr([r.data for r in result.resources])
    assert "not-the-Password-42" not in result.health.error


def test_audit_log_is_asked_once_per_pause(server: FakeV1) -> None:
    """The pause time found in the audit log is kept with the observation: the next
    collection reuses it instead of asking again."""
    history = HistoryStore()
    first = _collect(server, history)
    second = _collect(server, history)
    assert sum("/eventLogs" in r for r in server.requests) == 1
    for result in (first, second):
        gdpr = _data(result, "composer2/gdpr_erasure")
        assert gdpr["paused_since"] == "2026-11-02T08:15:00+00:00"
