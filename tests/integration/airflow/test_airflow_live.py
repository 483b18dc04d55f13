"""The airflow collector against a real Airflow 3 API server, its DAG processor and the GCS
emulator: every freshness and delivery signal found on the DAG that carries it, and nowhere
else; failures make the source down without leaking the password."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from auditor.collectors.airflow import AirflowSettings
from auditor.collectors.airflow.api import iso
from auditor.collectors.runner import SOURCE_KIND
from auditor.state import HistoryStore
from tests.integration.airflow.conftest import (
    Estate,
    by_kind,
    collect,
    judge,
    settings_for,
)
from tests.integration.airflow.services import ADMIN_PASSWORD, free_port

# No scheduler runs here, so every unpaused DAG's next run is up to one period overdue; an
# hour and a bit of grace tells that apart from the DAG that is days behind. The just-uploaded
# unsynced.py is judged with no delivery allowance.
TEST_PARAMS = {
    "airflow-dag-scheduler-behind": {"grace_seconds": 4000},
    "composer-dag-file-not-parsed": {"delivery_allowance_seconds": 0},
}


def _history_with_forgotten_pause(now: datetime) -> HistoryStore:
    history = HistoryStore()
    since = now - timedelta(days=10)
    history.append(
        "composer-test",
        [("dag-paused/forgotten_daily", since, {"paused": True, "since": iso(since)})],
    )
    return history


def test_every_planted_problem_is_found_once_and_nothing_else(estate: Estate) -> None:
    """Stale data, a failure streak, a DAG days behind, a forgotten pause, an import error,
    the missing scheduler, and each delivery fault — on exactly the resources that carry them."""
    result = collect(settings_for(estate), _history_with_forgotten_pause(estate.now))
    assert result.health.up, result.health.error
    assert result.problems == []
    found = sorted((f.rule_id, f.resource.id) for f in judge(result.resources, TEST_PARAMS))
    assert found == [
        ("airflow-dag-consecutive-failures", "composer-test/stale_hourly"),
        ("airflow-dag-data-stale", "composer-test/stale_hourly"),
        ("airflow-dag-paused-too-long", "composer-test/forgotten_daily"),
        ("airflow-dag-scheduler-behind", "composer-test/behind_daily"),
        ("airflow-import-error", "composer-test/broken.py"),
        ("airflow-scheduler-unhealthy", "composer-test"),
        ("composer-dag-file-content-differs", "composer-test/stale.py"),
        ("composer-dag-file-extra-in-bucket", "composer-test/orphan.py"),
        ("composer-dag-file-import-error", "composer-test/broken.py"),
        ("composer-dag-file-missing-in-bucket", "composer-test/new_dag.py"),
        ("composer-dag-file-not-parsed", "composer-test/unsynced.py"),
    ]


def test_dag_facts_come_from_schedule_runs_and_audit_log(estate: Estate) -> None:
    """Periods from the schedule, the last success's interval end, the failure streak, owners,
    tags and the pause time from the audit log are read as Airflow holds them."""
    dags = by_kind(collect(settings_for(estate)), "airflow.dag")
    hour = estate.now.replace(minute=0, second=0, microsecond=0)
    stale = dags["composer-test/stale_hourly"]
    assert stale["api_version"] == "v2"
    assert (stale["schedule_kind"], stale["period_seconds"]) == ("time", 3600)
    assert stale["last_success_data_interval_end"] == iso(hour - timedelta(days=2))
    assert (stale["consecutive_failed_runs"], stale["last_run_state"]) == (3, "failed")
    assert stale["failing_since"] == iso(hour - timedelta(days=1))
    assert stale["owners"] == ["ops"]
    fresh = dags["composer-test/fresh_hourly"]
    assert fresh["tags"] == ["finance"]
    assert fresh["last_success_data_interval_end"] == iso(hour)
    manual = dags["composer-test/manual_only"]
    assert (manual["schedule_kind"], manual["period_seconds"]) == ("none", None)
    assert manual["last_success_run_id"] == "manual-ok"  # older than the window: read per DAG
    paused = dags["composer-test/paused_daily"]
    assert paused["is_paused"] and paused["paused_since_source"] == "event_log"
    assert dags["composer-test/behind_daily"]["period_seconds"] == 86400


def test_runs_read_per_dag_agree_with_the_listing_across_dags(estate: Estate) -> None:
    """With a window too short for any run, every DAG's runs are completed per DAG, and the
    summaries are the same as from the one listing across all DAGs."""
    wide = by_kind(collect(settings_for(estate)), "airflow.dag")
    narrow = by_kind(collect(settings_for(estate, runs_lookback_hours=0.001)), "airflow.dag")
    fields = ("last_success_run_id", "last_success_data_interval_end", "consecutive_failed_runs",
              "failing_since", "last_run_id", "last_run_state")  # fmt: skip
    for dag_id, data in wide.items():
        assert {f: narrow[dag_id][f] for f in fields} == {f: data[f] for f in fields}, dag_id


def test_environment_health_and_import_errors(estate: Estate) -> None:
    """The health endpoint's components, the version and the broken file's exception line."""
    result = collect(settings_for(estate))
    [environment] = by_kind(result, "airflow.environment").values()
    assert environment["airflow_version"] == "3.3.2"
    assert environment["metadatabase_status"] == "healthy"
    assert environment["scheduler_status"] == "unhealthy"
    assert environment["dag_processor_status"] == "healthy"
    assert environment["import_error_count"] == 1
    error = by_kind(result, "airflow.import_error")["composer-test/broken.py"]
    assert error["error"] == "ModuleNotFoundError: No module named 'not_a_module_xyz'"


def test_delivery_compares_git_bucket_and_parse(estate: Estate) -> None:
    """Each path's presence on both sides, its hashes, and what Airflow parsed from it."""
    files = by_kind(collect(settings_for(estate)), "composer.dag_file")
    fresh = files["composer-test/fresh.py"]
    assert fresh["in_git"] and fresh["in_bucket"] and fresh["content_matches"]
    assert fresh["git_md5"] == fresh["bucket_md5"]
    assert fresh["dag_ids"] == ["fresh_hourly"]
    assert fresh["parsed_at"] > fresh["object_updated"]
    assert files["composer-test/common/util.py"]["dag_candidate"] is False
    assert files["composer-test/unsynced.py"]["parsed_at"] is None


def test_wrong_password_is_source_down_without_the_password(
    estate: Estate, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused login makes the source down (auth), auditor-source-down fires, and the
    password appears nowhere."""
    wrong = "wrong-" + ADMIN_PASSWORD
    monkeypatch.setenv("AUDITOR_TEST_AIRFLOW_PASSWORD", wrong)
    result = collect(settings_for(estate))
    assert (result.health.up, result.error_kind) == (False, "auth")
    [source] = [r for r in result.resources if r.kind == SOURCE_KIND]
    text = repr(source.data) + result.health.error
    assert ADMIN_PASSWORD not in text and wrong not in text
    assert [f.rule_id for f in judge(result.resources)] == ["auditor-source-down"]


def test_api_down_is_source_down_unreachable() -> None:
    """Nothing listening: the source is down as unreachable, not a crash."""
    settings = AirflowSettings.model_validate(
        {"name": "composer-test", "type": "airflow", "url": f"http://127.0.0.1:{free_port()}",
         "auth": {"type": "none"}, "timeout_seconds": 10}
    )  # fmt: skip
    result = collect(settings)
    assert (result.health.up, result.error_kind) == (False, "unreachable")
