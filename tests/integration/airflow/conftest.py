"""One real Airflow 3 estate per test module: DAG files in a Git checkout, the environment's
bucket in the GCS emulator, Airflow's DAG folder synced from the bucket, runs created through
the REST API with chosen past dates and states."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from google.auth.credentials import AnonymousCredentials
from google.cloud import storage

from auditor.collectors.airflow import AirflowSettings, create_collector
from auditor.collectors.base import CollectorContext
from auditor.collectors.runner import SourceResult, run_collection
from auditor.config import AuditorConfig, RulesConfig
from auditor.engine.evaluate import Engine
from auditor.model import Finding, Resource
from auditor.scan import select_rules
from auditor.state import HistoryStore
from tests.integration.airflow.dag_files import dag_source, write_git_checkout
from tests.integration.airflow.services import (
    ADMIN_PASSWORD,
    Airflow,
    airflow_venv,
    running_airflow,
    running_gcs_emulator,
    wait_for,
)

PASSWORD_ENV = "AUDITOR_TEST_AIRFLOW_PASSWORD"
BUCKET = "europe-west1-composer-test-bucket"
EXPECTED_DAGS = {
    "fresh_hourly", "stale_hourly", "paused_daily", "forgotten_daily", "manual_only",
    "behind_daily", "orphan_dag",
}  # fmt: skip


@dataclass
class Estate:
    """The running estate and the moment its runs were dated from."""

    airflow: Airflow
    git_folder: Path
    now: datetime


@pytest.fixture(scope="session")
def venv() -> Path:
    """The Airflow venv, built once per machine (.venv-airflow/, git-ignored)."""
    return airflow_venv()


def _fill_bucket(git: Path, airflow_dags: Path) -> None:
    """Deliver as a half-broken CI would: all but new_dag.py, an edited stale.py, an orphan
    file; and Airflow's folder synced from the bucket except unsynced.py (a stuck sync)."""
    client = storage.Client(project="test-project", credentials=AnonymousCredentials())
    bucket = client.create_bucket(BUCKET)
    contents = {
        p.relative_to(git).as_posix(): p.read_bytes() for p in git.rglob("*") if p.is_file()
    }
    del contents["new_dag.py"]
    contents["stale.py"] += b"# hot-fixed in the bucket by hand\n"
    long_ago = datetime.now(UTC) - timedelta(days=30)
    contents["orphan.py"] = dag_source("orphan_dag", "@daily", long_ago).encode()
    for name, data in contents.items():
        bucket.blob(f"dags/{name}").upload_from_string(data)
        if name != "unsynced.py":
            target = airflow_dags / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)


def _run(airflow: Airflow, dag_id: str, run_id: str, end: datetime, state: str,
         start: datetime | None = None) -> None:  # fmt: skip
    """A run for the interval [start, end], due at `end`, set to `state`."""
    airflow.record_run(dag_id, run_id, end, state, start)


def _create_runs(airflow: Airflow, now: datetime) -> None:
    hour = now.replace(minute=0, second=0, microsecond=0)
    for dag_id in ("fresh_hourly", "stale_hourly", "manual_only", "behind_daily"):
        airflow.api("PATCH", f"/dags/{dag_id}", json={"is_paused": False})
    airflow.api("PATCH", "/dags/paused_daily", json={"is_paused": True})  # in the audit log
    _run(airflow, "fresh_hourly", "fresh-1", hour, "success", hour - timedelta(hours=1))
    stale_end = hour - timedelta(days=2)
    _run(airflow, "stale_hourly", "stale-ok", stale_end, "success", stale_end - timedelta(hours=1))
    for n, back in enumerate((timedelta(days=1), timedelta(hours=12), timedelta(hours=2))):
        end = hour - back
        _run(airflow, "stale_hourly", f"stale-fail-{n}", end, "failed", end - timedelta(hours=1))
    day = hour.replace(hour=0)
    _run(airflow, "paused_daily", "paused-ok", day - timedelta(days=10), "success",
         day - timedelta(days=11))  # fmt: skip
    _run(airflow, "manual_only", "manual-ok", day - timedelta(days=30), "success")


@pytest.fixture(scope="module")
def estate(venv: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Estate]:
    """Git checkout, bucket and a running Airflow with its runs; stopped by PID afterwards."""
    work = tmp_path_factory.mktemp("airflow-estate")
    now = datetime.now(UTC)
    git, airflow_dags = work / "git" / "dags", work / "airflow-dags"
    git.mkdir(parents=True)
    airflow_dags.mkdir()
    write_git_checkout(git, now)
    previous = os.environ.get("STORAGE_EMULATOR_HOST")
    with running_gcs_emulator(work) as emulator:
        os.environ["STORAGE_EMULATOR_HOST"] = emulator
        try:
            _fill_bucket(git, airflow_dags)
            with running_airflow(venv, work, airflow_dags) as airflow:
                wait_for(
                    lambda: (
                        {d["dag_id"] for d in airflow.api("GET", "/dags?limit=100")["dags"]}
                        >= EXPECTED_DAGS
                        and airflow.api("GET", "/importErrors")["total_entries"] > 0
                    ),
                    "DAGs parsed by the dag-processor",
                    timeout=240,
                )
                _create_runs(airflow, now)
                yield Estate(airflow=airflow, git_folder=git, now=now)
        finally:
            if previous is None:
                os.environ.pop("STORAGE_EMULATOR_HOST", None)
            else:
                os.environ["STORAGE_EMULATOR_HOST"] = previous
            shutil.rmtree(work / "airflow-home", ignore_errors=True)


@pytest.fixture(autouse=True)
def admin_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """The API password comes from the environment, as in production."""
    monkeypatch.setenv(PASSWORD_ENV, ADMIN_PASSWORD)


def settings_for(estate: Estate, **extra: Any) -> AirflowSettings:
    """A `type: airflow` source over the estate, with delivery (extra keys override)."""
    document: dict[str, Any] = {
        "name": "composer-test",
        "type": "airflow",
        "url": estate.airflow.url,
        "auth": {"type": "jwt", "username": "admin", "password": {"env": PASSWORD_ENV}},
        "delivery": {"git_dags_folder": str(estate.git_folder),
                     "bucket_prefix": f"gs://{BUCKET}/dags", "project": "test-project"},
    }  # fmt: skip
    document.update(extra)
    return AirflowSettings.model_validate(document)


def collect(settings: AirflowSettings, history: HistoryStore | None = None) -> SourceResult:
    """One collection through the runner, as `auditor scan --source` does it."""
    collector = create_collector(settings)
    context = CollectorContext(now=lambda: datetime.now(UTC), history=history or HistoryStore())
    try:
        return run_collection(settings.name, settings.type, collector, context,
                              timeout_seconds=settings.timeout_seconds)  # fmt: skip
    finally:
        collector.close()


def judge(
    resources: list[Resource], params: dict[str, dict[str, Any]] | None = None
) -> list[Finding]:
    """Findings of the whole bundled library over `resources`, now."""
    rules = select_rules(AuditorConfig(rules=RulesConfig(params=params or {})))
    evaluation = Engine(rules).evaluate(resources, datetime.now(UTC))
    assert evaluation.errors == []
    return evaluation.findings


def by_kind(result: SourceResult, kind: str) -> dict[str, dict[str, Any]]:
    """Resource data of one kind by id."""
    return {r.id: r.data for r in result.resources if r.kind == kind}
